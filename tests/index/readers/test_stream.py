"""Tests of index.readers.stream: JSON Lines read record by record, the size limit per record,
bad records reported by line number, and a 100 MB file read in bounded memory."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index.errors import ArticleReadError
from index.models import Article, ReadFailure
from index.readers.inputs import input_bytes, read_bytes, read_inputs, read_upload
from index.readers.stream import jsonl_records

REPO_ROOT = Path(__file__).resolve().parents[3]

TEXT = "The harbour bridge reopened on Monday after three months of repairs to its deck."


def line(n: int, text: str = TEXT) -> bytes:
    """One JSON Lines record of article ``r{n}``, newline included."""
    return json.dumps({"id": f"r{n}", "title": f"Story {n}", "text": text}).encode() + b"\n"


def read(path: Path, max_bytes: int = 5_000_000) -> tuple[list[str], list[str]]:
    """The ids of the articles read from ``path``, and the reasons of its failures."""
    results = list(read_inputs([str(path)], max_bytes=max_bytes))
    ids = [r.id for r in results if isinstance(r, Article)]
    return ids, [r.reason for r in results if isinstance(r, ReadFailure)]


def test_bad_records_are_skipped_by_line_number_and_the_rest_read(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    path.write_bytes(
        line(1)
        + b"\n"  # a blank line is no record, but still a line
        + b'{"id": "r3", "text": "no end"\n'
        + b'{"id": "r4", "title": "No text"}\n'
        + line(5)
        + b'{"id": "r6", "text": "Caf\xe9 society"}\n'
        + b'{"id": "r7", "text": "a\x00b"}\n'
        + b"[1, 2]\n"
        + line(9).rstrip(b"\n")  # the last line needs no newline
    )
    ids, reasons = read(path)
    assert ids == ["r1", "r5", "r9"]
    assert reasons == [
        "line 3: malformed JSON (Expecting ',' delimiter at column 30)",
        "line 4: record has no 'text' field",
        "line 6: not UTF-8 text (invalid byte 0xe9 at column 26)",
        "line 7: binary data, not text (contains NUL bytes)",
        "line 8: record is not a JSON object (got a list)",
    ]


def test_a_record_over_the_limit_among_good_ones_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    huge = line(2, "word " * 1000)  # 5 kB: over a 1 kB limit, read past in pieces
    path.write_bytes(line(1) + huge + line(3) + huge.rstrip(b"\n"))
    ids, reasons = read(path, max_bytes=1000)
    assert ids == ["r1", "r3"]
    assert reasons == [
        "line 2: record is 5.0 kB, over the 1.0 kB limit",
        "line 4: record is 5.0 kB, over the 1.0 kB limit",
    ]


def test_the_limit_is_per_record_not_per_file(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    path.write_bytes(b"".join(line(n) for n in range(100)))  # 15 kB of 150-byte records
    assert path.stat().st_size > 10 * 1000
    ids, reasons = read(path, max_bytes=1000)
    assert len(ids) == 100 and not reasons
    text = path.with_suffix(".txt")
    text.write_bytes(b"word " * 300)  # a text file is one article: refused whole
    assert read(text, max_bytes=1000)[1] == ["file is 1.5 kB, over the 1.0 kB limit"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "file is empty (0 bytes)"),
        (b"\n \n\t\n", "file contains only whitespace, no text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50, "binary file, not text (mostly control"),
    ],
)
def test_a_file_that_is_no_json_lines_at_all_fails_whole(
    tmp_path: Path, data: bytes, reason: str
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(data)
    ids, reasons = read(path)
    assert not ids and len(reasons) == 1 and reasons[0].startswith(reason)


def test_a_byte_order_mark_is_dropped() -> None:
    records = list(jsonl_records(io.BytesIO(b"\xef\xbb\xbf" + line(1)), "x.jsonl", 1000))
    assert records == [("line 1", {"id": "r1", "title": "Story 1", "text": TEXT})]


def test_bytes_read_are_reported_as_they_are_read(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    first = tmp_path / "in" / "a.jsonl"
    first.write_bytes(line(1) + b"{bad\n" + line(3))
    second = tmp_path / "in" / "b.txt"
    second.write_text(TEXT, encoding="utf-8")
    seen: list[int] = []
    list(read_inputs([str(tmp_path / "in")], on_read=seen.append))
    assert seen == [len(line(1)), 5, len(line(3)), len(TEXT)]
    assert input_bytes([str(tmp_path / "in")]) == sum(seen)
    assert input_bytes([str(first), "https://example.com/feed.xml"]) is None


def test_uploads_apply_the_limit_per_record_and_keep_good_records() -> None:
    data = b"".join(line(n) for n in range(20)) + b"{bad\n"
    assert len(data) > 1000
    results = read_upload("export.jsonl", data, max_bytes=1000)
    assert len([r for r in results if isinstance(r, Article)]) == 20
    assert [r.reason for r in results if isinstance(r, ReadFailure)] == [
        "line 21: malformed JSON (Expecting property name enclosed in double quotes at column 2)"
    ]
    with pytest.raises(ArticleReadError, match=r"^export\.jsonl: line 21: malformed JSON"):
        read_bytes("export.jsonl", data, max_bytes=1000)  # all or nothing, as before
    with pytest.raises(ArticleReadError, match=r"file is 1\.5 kB, over the 1\.0 kB limit"):
        read_upload("one.txt", b"word " * 300, max_bytes=1000)


def write_big_jsonl(path: Path, size: int) -> tuple[int, int]:
    """Write JSON Lines of distinct ~5 kB articles, with one bad line in the middle, until
    ``size`` bytes; the number of lines and the bad line's number."""
    body = " ".join(f"Paragraph {k}: {TEXT}" for k in range(50))
    count, bad = 0, 0
    written = 0
    with path.open("wb") as handle:
        while written < size:
            count += 1
            if count == 10_000:
                bad = count
                chunk = b'{"id": "broken", "text": \n'
            else:
                chunk = line(count, f"{count} {body}")
            handle.write(chunk)
            written += len(chunk)
    return count, bad


# Reads one input under tracemalloc in a fresh interpreter and prints what it found: the
# peak is then the reader's own, whatever threads or caches earlier tests left in this one.
_MEASURE = """
import json, sys, tracemalloc
from index.models import Article
from index.readers.inputs import read_inputs
read = 0
def on_read(count):
    global read
    read += count
articles, failures = 0, []
tracemalloc.start()
for result in read_inputs([sys.argv[1]], on_read=on_read):
    if isinstance(result, Article):
        articles += 1
    else:
        failures.append(result.reason)
_, peak = tracemalloc.get_traced_memory()
print(json.dumps({"articles": articles, "failures": failures, "peak": peak, "read": read}))
"""


def read_measured(path: Path, what: str) -> tuple[int, list[str], int, int]:
    """Read ``path`` with read_inputs under tracemalloc, in a process of its own: the
    articles read, the failures' reasons, the peak bytes traced and the bytes reported read
    (the progress bar's count); prints the size, ``what`` it held, peak and time."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=540,
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    seconds = time.perf_counter() - started
    print(f"\n{path.stat().st_size / 1e6:.0f} MB, {what}: peak {found['peak'] / 1e6:.2f} MB "
          f"traced, {seconds:.1f}s")  # fmt: skip
    return found["articles"], found["failures"], found["peak"], found["read"]


@pytest.mark.slow
def test_a_100_mb_file_is_read_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    lines, bad = write_big_jsonl(path, 100_000_000)
    assert path.stat().st_size >= 100_000_000
    articles, failures, peak, _ = read_measured(path, f"{lines} lines")
    assert articles == lines - 1
    assert len(failures) == 1 and failures[0].startswith(f"line {bad}: malformed JSON")
    assert peak < 5_000_000  # a few records at a time: 1/20 of the file would already fail
