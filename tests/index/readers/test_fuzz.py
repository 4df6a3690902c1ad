"""Fuzz every reader with hypothesis: random bytes, broken HTML, giant lines, deep nesting
(HTML, XML, JSON), malformed feeds, JSON Lines with junk, compressed URL bodies and bombs.

Each case must end within CASE_SECONDS (a timer interrupts it otherwise) with articles, or
with our own clear error (ArticleReadError, or a ReadFailure whose reason is not the
catch-all "unexpected error"). NEWSDESK_FUZZ_EXAMPLES sets the examples per test (default
30); the cases tried per reader are printed at the end of the run (see conftest.py).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import signal
import tempfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.errors import ArticleReadError
from index.models import Article, ReadFailure
from index.readers.fetch import Fetcher
from index.readers.inputs import read_inputs, read_upload
from index.readers.records import article_from_record
from index.readers.stream import jsonl_records
from index.readers.text import derive_title, normalize_date, text_record, title_from_url
from index.readers.web import canonical_url, fragment_text

EXAMPLES = int(os.environ.get("NEWSDESK_FUZZ_EXAMPLES", "30"))
CASE_SECONDS = 20.0
MAX_BYTES = 5_000_000
CASES: Counter[str] = Counter()  # reader -> cases tried, printed by conftest.py
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # CASE_SECONDS interrupts a hang; hypothesis' deadline only reports after
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)


class CaseTimeout(Exception):
    """A case ran past CASE_SECONDS."""


@contextmanager
def time_limit(what: str) -> Iterator[None]:
    """Interrupt the case (SIGALRM) when it runs past CASE_SECONDS."""

    def expire(signum: int, frame: object) -> None:
        raise CaseTimeout(f"{what}: still running after {CASE_SECONDS:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, CASE_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def assert_clear(reason: str) -> None:
    assert reason and "unexpected error" not in reason, reason


def check(reader: str, results: Callable[[], Any]) -> None:
    """Run one case: its results are Articles or clear failures; ArticleReadError is fine."""
    CASES[reader] += 1
    with time_limit(reader):
        try:
            found = list(results())
        except ArticleReadError as exc:
            assert_clear(exc.reason)
            return
    for item in found:
        if isinstance(item, ReadFailure):
            assert_clear(item.reason)
        else:
            assert isinstance(item, Article) and item.text.strip() and item.id


# --- strategies -----------------------------------------------------------------------------

TAGS = ["<html>", "<body>", "<p>", "</p>", "<div>", "</div>", "<article>", "<h1>", "</h1>",
        "<script>", "</script>", "<style>", "<!--", "-->", "<![CDATA[", "]]>", "<title>",
        '<meta charset="cp1252">', "<table><tr><td>", "&amp;", "&#0;", "&#99999999;", "&nbsp;",
        "<", ">", '"', "'", "\x00", "\ufeff", "<a href='javascript:x'>", "<img src=x>"]  # fmt: skip
words = st.text(alphabet=st.characters(codec="utf-8"), max_size=30)
soup = st.lists(st.sampled_from(TAGS) | words, max_size=200).map("".join)


@st.composite
def nested(draw: st.DrawFn, open_: str, close: str, middle: str = "x") -> str:
    """``open_`` n times, something, and ``close`` m times (m may differ: unclosed)."""
    depth = draw(st.integers(1, 200_000))
    closing = draw(st.sampled_from([depth, 0, depth // 2]))
    return open_ * depth + draw(st.just(middle) | words) + close * closing


@st.composite
def giant_line(draw: st.DrawFn) -> str:
    """One line of 0.1-4 MB of a repeated pattern (sentence ends, abbreviations, markup)."""
    unit = draw(st.sampled_from(["x. ", "Mr. ", "a", "word ", "A, B: ", "<b>", "---\n", "?! "]))
    return unit * (draw(st.integers(100_000, 4_000_000)) // len(unit))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | words,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(words, inner, max_size=5),
    max_leaves=20,
)
records = st.fixed_dictionaries(
    {},
    optional={key: json_values | words for key in ("text", "title", "url", "published", "id")},
)
text_bytes = (words | soup | giant_line()).map(lambda s: s.encode("utf-8", "surrogatepass"))
any_bytes = st.binary(max_size=4096) | text_bytes


@st.composite
def jsonl_bodies(draw: st.DrawFn) -> bytes:
    lines = draw(st.lists(
        records.map(json.dumps) | json_values.map(json.dumps) | words | st.just("{\"text\":")
        | nested("[", "]") | st.just("\ufeff{}") | st.just("x" * 6_000_000),
        max_size=12,
    ))  # fmt: skip
    newline = draw(st.sampled_from(["\n", "\r\n", "\n\n"]))
    return newline.join(lines).encode("utf-8", "surrogatepass")


@st.composite
def feeds(draw: st.DrawFn) -> bytes:
    item = "<item><title>{}</title><link>{}</link><description>{}</description></item>"
    entries = "".join(
        item.format(draw(words | soup), draw(words), draw(words | soup))
        for _ in range(draw(st.integers(0, 5)))
    )
    body = draw(st.sampled_from([
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{}</channel></rss>',
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>{}</feed>',
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<rss version="2.0"><channel><item><description>&x;</description></item>{}</channel></rss>',
        "<rss><channel>{}", "{}",
    ]))  # fmt: skip
    return body.format(entries + draw(st.just("") | nested("<x>", "</x>"))).encode(
        "utf-8", "surrogatepass"
    )


# --- the readers ----------------------------------------------------------------------------

NAMES = {"text": "a.txt", "markdown": "a.md", "html": "a.html", "json": "a.json",
         "jsonl": "a.jsonl", "feed": "a.xml"}  # fmt: skip


@FUZZ
@given(kind=st.sampled_from(sorted(NAMES)), data=any_bytes)
def test_uploads_of_random_bytes(kind: str, data: bytes) -> None:
    check(f"upload {kind} (random)", lambda: read_upload(NAMES[kind], data, max_bytes=MAX_BYTES))


@FUZZ
@given(data=soup.map(str.encode) | nested("<div>", "</div>").map(str.encode) | text_bytes)
def test_html(data: bytes) -> None:
    check("upload html", lambda: read_upload("a.html", data, max_bytes=MAX_BYTES))


@FUZZ
@given(
    data=json_values.map(json.dumps).map(str.encode)
    | st.lists(records, max_size=5).map(json.dumps).map(str.encode)
    | nested("[", "]").map(str.encode)
    | nested('{"a":', "}", "1").map(str.encode)
)
def test_json(data: bytes) -> None:
    check("upload json", lambda: read_upload("a.json", data, max_bytes=MAX_BYTES))


@FUZZ
@given(data=jsonl_bodies())
def test_jsonl_upload_and_stream(data: bytes) -> None:
    check("upload jsonl", lambda: read_upload("a.jsonl", data, max_bytes=MAX_BYTES))
    check("stream jsonl", lambda: _stream(data))


def _stream(data: bytes) -> Iterator[Any]:
    for _, record in jsonl_records(io.BytesIO(data), "a.jsonl", MAX_BYTES):
        if isinstance(record, ArticleReadError):
            yield ReadFailure("a.jsonl", record.reason)
        else:
            try:
                yield article_from_record(record, "a.jsonl")
            except ArticleReadError as exc:
                yield ReadFailure("a.jsonl", exc.reason)


@FUZZ
@given(data=feeds())
def test_feeds(data: bytes) -> None:
    check("upload feed", lambda: read_upload("a.xml", data, max_bytes=MAX_BYTES))
    assert b"root:" not in b"".join(
        a.text.encode()
        for a in _quiet(lambda: read_upload("a.xml", data))
        if isinstance(a, Article)
    )  # an external entity is never read


def _quiet(read: Callable[[], list[Article | ReadFailure]]) -> list[Article | ReadFailure]:
    try:
        return read()
    except ArticleReadError:
        return []


@FUZZ
@given(kind=st.sampled_from(sorted(NAMES)), data=any_bytes | jsonl_bodies() | feeds())
def test_files_through_read_inputs(kind: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / NAMES[kind]
        path.write_bytes(data)
        check(f"file {kind}", lambda: read_inputs([str(path)], max_bytes=MAX_BYTES))


class Chunks(httpx.SyncByteStream):
    """A body sent in network-sized chunks, read raw by the fetcher (``content=`` would make
    httpx read and decode it whole first)."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def __iter__(self) -> Iterator[bytes]:
        for start in range(0, len(self.body), 65536):
            yield self.body[start : start + 65536]


ENCODERS: dict[str, Callable[[bytes], bytes]] = {
    "": lambda b: b, "gzip": gzip.compress, "deflate": zlib.compress,
    "br": lambda b: b, "gzip, gzip": gzip.compress,
}  # fmt: skip


@FUZZ
@given(
    status=st.sampled_from([200, 200, 200, 204, 304, 404, 500]),
    content_type=st.sampled_from(["text/html", "application/rss+xml", "application/json",
                                  "application/x-ndjson", "text/plain", "image/png", "", "x/y"]),
    encoding=st.sampled_from(sorted(ENCODERS)),
    data=any_bytes | jsonl_bodies() | feeds() | st.just(b"\0" * 50_000_000),
    truncate=st.integers(0, 3),
)  # fmt: skip
def test_fetched_urls(
    status: int, content_type: str, encoding: str, data: bytes, truncate: int
) -> None:
    body = ENCODERS[encoding](data)
    body = body[: len(body) - truncate]  # a cut-off compressed stream too

    def answer(request: httpx.Request) -> httpx.Response:
        headers = {"Content-Type": content_type, "Content-Encoding": encoding}
        kept = {k: v for k, v in headers.items() if v}
        return httpx.Response(status, headers=kept, stream=Chunks(body))

    fetcher = Fetcher(max_bytes=MAX_BYTES, transport=httpx.MockTransport(answer))
    with fetcher:
        check("url", lambda: read_inputs(["https://news.example/a"], fetcher=fetcher))


@FUZZ
@given(value=words | st.text(max_size=200) | giant_line(), url=words | st.text(max_size=300))
def test_text_helpers(value: str, url: str) -> None:
    CASES["text helpers"] += 1
    with time_limit("text helpers"):
        normalize_date(value[:1000])
        derive_title(value)
        record = text_record(value, url)
        title_from_url(url)
        canonical_url(url)
        assert isinstance(record["text"], str)
    check("record", lambda: [article_from_record(record, "x")])


@FUZZ
@given(value=soup | words)
def test_feed_fragments(value: str) -> None:
    CASES["feed fragment"] += 1
    with time_limit("feed fragment"):
        assert isinstance(fragment_text(value), str)


@FUZZ
@given(record=records | json_values)
def test_records(record: Any) -> None:
    check("record", lambda: [article_from_record(record, "x")])
