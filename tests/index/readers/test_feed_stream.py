"""Tests of index.readers.feed_stream: RSS and Atom files read entry by entry, the size limit per
entry, entries cut across reads, and a 100 MB feed read in bounded memory."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from index.errors import ArticleReadError
from index.models import FEED_ORIGIN_PREFIX, Article
from index.readers import stream
from index.readers.feed_stream import closing_tags, feed_file_records
from index.readers.inputs import read_bytes, read_inputs
from tests.index.readers.test_stream import read_measured

TEXT = "The harbour bridge reopened on Monday after three months of repairs to its deck."
RSS_HEAD = (
    b'<?xml version="1.0" encoding="utf-8"?>\n<!-- a comment with <item> in it -->\n'
    b'<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
    b"<title>Harbour Herald</title><link>https://herald.example/</link>"
)
RSS_TAIL = b"</channel></rss>\n"


def item(n: int, text: str = TEXT) -> bytes:
    """One RSS item of article n, its text in a CDATA section."""
    return (
        f"<item><title>Story {n}</title><link>https://herald.example/{n}</link>"
        f"<pubDate>Mon, 06 May 2024 10:00:00 GMT</pubDate>"
        f"<description><![CDATA[<p>{n} {text}</p>]]></description></item>\n"
    ).encode()


def records(data: bytes, max_bytes: int = 5_000_000) -> list[tuple[str, object]]:
    return list(feed_file_records(io.BytesIO(data), "feed.rss", max_bytes))


def test_entries_are_read_one_by_one_with_the_feed_s_title() -> None:
    found = records(RSS_HEAD + item(1) + item(2) + RSS_TAIL)
    assert [where for where, _ in found] == ["entry 1", "entry 2"]
    first = found[0][1]
    assert isinstance(first, dict)
    assert first["title"] == "Story 1" and first["url"] == "https://herald.example/1"
    assert first["source"] == "Harbour Herald" and first["text"] == f"1 {TEXT}"


def test_an_end_tag_inside_cdata_or_a_comment_does_not_end_an_entry() -> None:
    tricky = item(1, f"{TEXT} The tag </item> is only text here.")
    commented = b"<item><title>Story 2</title><!-- </item> --><description>" + TEXT.encode()
    commented += b"</description></item>"
    found = records(RSS_HEAD + tricky + commented + RSS_TAIL)
    assert len(found) == 2
    assert str(found[0][1]["text"]).endswith("is only text here.")  # type: ignore[index]
    assert found[1][1]["title"] == "Story 2"  # type: ignore[index]


def test_an_entry_over_the_limit_is_skipped_and_the_rest_read() -> None:
    data = RSS_HEAD + item(1) + item(2, "word " * 2000) + item(3) + RSS_TAIL
    found = records(data, max_bytes=1000)
    assert isinstance(found[0][1], dict) and isinstance(found[2][1], dict)
    error = found[1][1]
    assert isinstance(error, ArticleReadError) and "over the 1.0 kB limit" in error.reason


@pytest.mark.parametrize("chunk", [1, 7, 64, 1 << 16])
def test_tags_cut_between_reads_give_the_same_entries(
    monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(stream, "CHUNK", chunk)
    data = RSS_HEAD + b"".join(item(n) for n in range(5)) + item(5, "x " * 600) + RSS_TAIL
    found = records(data, max_bytes=1000)
    assert [r["title"] for _, r in found[:5]] == [f"Story {n}" for n in range(5)]  # type: ignore[index]
    assert isinstance(found[5][1], ArticleReadError)


def test_atom_entries_with_a_namespace_prefix() -> None:
    entry = (
        "<a:entry><a:title>Atom story {n}</a:title><a:id>urn:story:{n}</a:id>"
        "<a:updated>2024-05-06T10:00:00Z</a:updated><a:content>{n} " + TEXT + "</a:content>"
        "</a:entry>"
    )
    data = (
        '<a:feed xmlns:a="http://www.w3.org/2005/Atom"><a:title>Atom Herald</a:title>'
        + "".join(entry.format(n=n) for n in range(3))
        + "</a:feed>"
    ).encode()
    found = records(data)
    assert [r["title"] for _, r in found] == [f"Atom story {n}" for n in range(3)]  # type: ignore[index]
    assert all(r["source"] == "Atom Herald" for _, r in found)  # type: ignore[index]


def test_the_opening_s_open_elements_are_closed() -> None:
    assert closing_tags(RSS_HEAD) == b"</channel></rss>"
    atom = b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">'
    atom += b'<title>T</title><link href="x"/>'
    assert closing_tags(atom) == b"</feed>"


def test_whole_feed_problems_still_fail_the_feed() -> None:
    with pytest.raises(ArticleReadError, match="the feed has no entries"):
        records(RSS_HEAD + RSS_TAIL)
    with pytest.raises(ArticleReadError, match="not a valid RSS/Atom feed"):
        records(b"just words, no XML")
    with pytest.raises(ArticleReadError, match="binary"):
        records(b"\x00\x01\x02\x03" * 100)
    assert isinstance(records(RSS_HEAD + b"<item><title>cut")[0][1], ArticleReadError)


def test_uploaded_and_file_feeds_read_alike(tmp_path: Path) -> None:
    data = RSS_HEAD + item(1) + item(2) + RSS_TAIL
    path = tmp_path / "herald.rss"
    path.write_bytes(data)
    from_file = [a for a in read_inputs([str(path)]) if isinstance(a, Article)]
    uploaded = read_bytes("herald.rss", data)
    assert [a.id for a in from_file] == [a.id for a in uploaded] and len(uploaded) == 2
    assert from_file[0].origin == FEED_ORIGIN_PREFIX + str(path.resolve())


def write_big_feed(path: Path, size: int) -> tuple[int, int]:
    """Write an RSS feed of distinct ~5 kB items, one of them empty (no title, no text),
    until ``size`` bytes; the number of items and the broken one's number."""
    body = " ".join(f"Paragraph {k}: {TEXT}" for k in range(50))
    count = bad = 0
    with path.open("wb") as handle:
        written = handle.write(RSS_HEAD)
        while written < size:
            count += 1
            if count == 5_000:
                bad = count
                written += handle.write(b"<item><guid>empty</guid></item>")
            else:
                written += handle.write(item(count, body))
        handle.write(RSS_TAIL)
    return count, bad


@pytest.mark.slow
def test_a_100_mb_feed_is_read_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "archive.rss"
    items, bad = write_big_feed(path, 100_000_000)
    articles, failures, peak, read_bytes_total = read_measured(path, f"{items} items")
    assert articles == items - 1
    assert len(failures) == 1 and failures[0].startswith(f"entry {bad}: ")
    assert read_bytes_total == path.stat().st_size  # the progress bar's count
    assert peak < 5_000_000  # a few entries at a time: 1/20 of the file would already fail


def test_an_uploaded_feed_larger_than_the_article_limit_is_read_entry_by_entry() -> None:
    data = RSS_HEAD + b"".join(item(n) for n in range(20)) + RSS_TAIL
    assert len(data) > 1000
    articles = read_bytes("archive.rss", data, max_bytes=1000)
    assert [a.title for a in articles] == [f"Story {n}" for n in range(20)]
