"""The fetcher's bounds on what a server controls: compressed bodies (bombs), encodings it
cannot bound, a trickling server, redirect bodies and loops. Real loopback servers."""

from __future__ import annotations

import gzip
import time
import tracemalloc
import zlib

import pytest

from index.errors import ArticleReadError
from index.readers.fetch import MAX_REDIRECTS, Fetcher
from tests.index.readers.servers import PAGE, Reply, ScriptedServer, pieces

HTML = {"Content-Type": "text/html"}


def test_a_gzip_bomb_stops_at_the_limit_without_inflating_it_all() -> None:
    bomb = gzip.compress(b"\0" * 100_000_000, compresslevel=9)  # 100 MB in ~100 kB
    assert len(bomb) < 200_000
    reply = Reply(headers={**HTML, "Content-Encoding": "gzip"}, body=bomb)
    with ScriptedServer({"/bomb.html": reply}) as server, Fetcher(max_bytes=1_000_000) as fetcher:
        tracemalloc.start()
        started = time.monotonic()
        with pytest.raises(ArticleReadError, match=r"over the 1\.0 MB limit once decompressed"):
            fetcher.get(f"{server.base}/bomb.html")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert time.monotonic() - started < 5
    assert peak < 8_000_000  # the limit and a few network chunks, never the 100 MB


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),  # zlib-wrapped, as the standard says
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw, as some servers send
    ],
)
def test_compressed_pages_are_read(encoding: str, compress: object) -> None:
    body = compress(PAGE)  # type: ignore[operator]
    reply = Reply(headers={**HTML, "Content-Encoding": encoding}, body=body)
    with ScriptedServer({"/a.html": reply}) as server, Fetcher() as fetcher:
        assert fetcher.get(f"{server.base}/a.html").data == PAGE


@pytest.mark.parametrize("encoding", ["br", "zstd", "gzip, br", "compress"])
def test_encodings_that_cannot_be_bounded_are_refused(encoding: str) -> None:
    reply = Reply(headers={**HTML, "Content-Encoding": encoding}, body=b"\x0b\x02\x80hi\x03")
    with (
        ScriptedServer({"/a.html": reply}) as server,
        Fetcher() as fetcher,
        pytest.raises(ArticleReadError, match="unsupported Content-Encoding"),
    ):
        fetcher.get(f"{server.base}/a.html")


def test_corrupt_gzip_is_a_clear_error() -> None:
    reply = Reply(headers={**HTML, "Content-Encoding": "gzip"}, body=b"\x1f\x8b\x08junk" * 10)
    with (
        ScriptedServer({"/a.html": reply}) as server,
        Fetcher() as fetcher,
        pytest.raises(ArticleReadError, match="corrupt gzip body"),
    ):
        fetcher.get(f"{server.base}/a.html")


def test_a_trickling_server_meets_the_deadline() -> None:
    reply = Reply(pieces=[b"<p>"] * 100, pause=0.2)  # 20 s in all, a piece every 0.2 s
    with ScriptedServer({"/slow.html": reply}) as server, Fetcher(timeout=5, deadline=1) as fetcher:
        started = time.monotonic()
        with pytest.raises(ArticleReadError, match="took over 1 s in all"):
            fetcher.get(f"{server.base}/slow.html")
    assert time.monotonic() - started < 3


def test_an_uncapped_body_without_length_stops_at_the_limit() -> None:
    reply = Reply(pieces=pieces(50_000_000))
    with (
        ScriptedServer({"/big.html": reply}) as server,
        Fetcher(max_bytes=1_000_000) as fetcher,
        pytest.raises(ArticleReadError, match=r"over the 1\.0 MB limit"),
    ):
        fetcher.get(f"{server.base}/big.html")


def test_a_redirects_body_is_never_read() -> None:
    moved = Reply(302, {"Location": "/a.html"}, pieces=pieces(200_000_000))
    with (
        ScriptedServer({"/start": moved, "/a.html": Reply()}) as server,
        Fetcher(max_bytes=1_000_000) as fetcher,
    ):
        started = time.monotonic()
        page = fetcher.get(f"{server.base}/start")
    assert page.data == PAGE and page.url == f"{server.base}/a.html"
    assert time.monotonic() - started < 5


def test_a_redirect_loop_ends() -> None:
    loop = {"/a": Reply(302, {"Location": "/b"}, b""), "/b": Reply(302, {"Location": "/a"}, b"")}
    with ScriptedServer(loop) as server, Fetcher() as fetcher:
        with pytest.raises(ArticleReadError, match="too many redirects"):
            fetcher.get(f"{server.base}/a")
        assert len(server.hits) == MAX_REDIRECTS + 1


def test_a_redirect_to_another_scheme_is_a_clear_error() -> None:
    moved = Reply(302, {"Location": "file:///etc/passwd"}, b"")
    with (
        ScriptedServer({"/start": moved}) as server,
        Fetcher() as fetcher,
        pytest.raises(ArticleReadError, match=r"invalid URL|network error"),
    ):
        fetcher.get(f"{server.base}/start")
