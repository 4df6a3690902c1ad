"""index.readers.json_stream: a JSON list read item by item gives what json.loads gives,
whatever the chunk boundaries; the size limit applies to each item; memory stays bounded."""

from __future__ import annotations

import io
import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.errors import ArticleReadError
from index.models import ReadFailure
from index.readers import stream
from index.readers.inputs import read_inputs
from index.readers.json_stream import json_list_records, starts_list

TRICKY = [
    {"text": 'He said "no, [never]" {twice}, then \\ left.', "id": 1},
    {"text": "Ünïcödé ‘quotes’ — and a tab\there", "tags": [[], {}, [1, [2, "]"]]]},
    "a bare string, with a comma",
    -12.5e3,
    None,
    True,
    {"text": '\\\\\\"', "nested": {"a": {"b": {"c": ["}", "{", "\\"]}}}},
]


def items(data: bytes, max_bytes: int = 1_000_000) -> list[Any]:
    return [record for _, record in json_list_records(io.BytesIO(data), "x.json", max_bytes)]


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 64, 1 << 16])
def test_items_are_those_json_loads_gives_at_any_chunk_boundary(
    chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stream, "CHUNK", chunk)
    for text in (
        json.dumps(TRICKY),
        json.dumps(TRICKY, indent=2),
        json.dumps(TRICKY, ensure_ascii=False),
    ):
        assert items(("\ufeff" + text + "\n").encode()) == TRICKY


values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(listed=st.lists(values, min_size=1, max_size=6), chunk=st.integers(1, 40))
def test_random_lists_read_as_json_loads_reads_them(listed: list[Any], chunk: int) -> None:
    stream.CHUNK, saved = chunk, stream.CHUNK
    try:
        assert items(json.dumps(listed).encode()) == listed
    finally:
        stream.CHUNK = saved


def test_an_item_over_the_limit_is_reported_and_the_others_are_read() -> None:
    listed = [{"text": "short"}, {"text": "x" * 5000}, {"text": "after"}]
    found = list(json_list_records(io.BytesIO(json.dumps(listed).encode()), "x.json", 1000))
    assert [where for where, _ in found] == ["item 1", "item 2", "item 3"]
    assert found[0][1] == listed[0] and found[2][1] == listed[2]
    assert isinstance(found[1][1], ArticleReadError) and "over the" in found[1][1].reason


def test_a_giant_item_is_skipped_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    with path.open("w") as out:  # 20 MB in one string, escapes included
        out.write('[{"text": "ok"}, {"text": "')
        for _ in range(200):
            out.write('say \\"hi\\" ' * 10_000)
        out.write('"}, {"text": "last"}]')
    tracemalloc.start()
    with path.open("rb") as handle:
        found = [r for _, r in json_list_records(handle, str(path), 100_000)]
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert found[0] == {"text": "ok"} and found[2] == {"text": "last"}
    assert isinstance(found[1], ArticleReadError)
    assert peak < 2_000_000  # the 20 MB item was never held


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"[]", "non-empty list"),
        (b" [ ] ", "non-empty list"),
        (b"[", "malformed JSON list at item 1"),
        (b"[,1]", "malformed JSON list at item 1"),
        (b"[1,]", "malformed JSON list at item 2"),
        (b'[{"text": "cut', "ends inside a list item"),
        (b"[1] tail", "extra data after the list"),
    ],
)
def test_a_broken_list_is_a_clear_error(data: bytes, reason: str) -> None:
    with pytest.raises(ArticleReadError, match=reason):
        items(data)


def test_a_malformed_item_is_that_item_s_failure() -> None:
    data = b'[{"text": "a"}, {"text": nope}, 1 2, {"text": "b"}]'
    found = [record for _, record in json_list_records(io.BytesIO(data), "x", 1000)]
    assert found[0] == {"text": "a"} and found[3] == {"text": "b"}
    for bad in found[1:3]:
        assert isinstance(bad, ArticleReadError) and "malformed JSON" in bad.reason


def test_only_lists_are_streamed() -> None:
    assert starts_list(b"\xef\xbb\xbf \n [") and not starts_list(b'{"a": [1]}')


def test_a_json_list_file_larger_than_the_article_limit_is_indexed(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    listed = [
        {"id": f"r{n}", "title": f"Report {n}", "text": f"The council met for the {n}th time."}
        for n in range(300)
    ] + [{"id": "huge", "text": "word " * 3000}]
    path.write_text(json.dumps(listed))
    assert path.stat().st_size > 10_000
    results = list(read_inputs([str(path)], max_bytes=10_000))
    articles = [r for r in results if not isinstance(r, ReadFailure)]
    failures = [r for r in results if isinstance(r, ReadFailure)]
    assert [a.id for a in articles] == [f"r{n}" for n in range(300)]
    assert len(failures) == 1 and failures[0].reason.startswith("item 301: record is")
