"""Tests of index.readers.inputs: files, folders, uploads, feeds and URLs (loopback server only)."""

from __future__ import annotations

import functools
import hashlib
import shutil
import socket
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from index.errors import ArticleReadError
from index.models import Article, ReadFailure
from index.readers.inputs import (
    FetchedPage,
    Fetcher,
    article_from_record,
    canonical_url,
    derive_title,
    normalize_date,
    read_bytes,
    read_inputs,
)
from index.readers.text import title_from_url
from tests.conftest import FIXTURES, SAMPLE

HERALD = "https://www.coastalherald.example"
SAMPLE_TITLE = (
    "Russia’s top military commander, General Valery Gerasimov, has asserted that Moscow’s forces…"
)


class FakeFetcher:
    """Serves canned pages by URL; anything else is a 404."""

    def __init__(self, pages: dict[str, FetchedPage] | None = None) -> None:
        self.pages = pages or {}
        self.requested: list[str] = []

    def get(self, url: str) -> FetchedPage:
        self.requested.append(url)
        if url not in self.pages:
            raise ArticleReadError(url, "HTTP error 404 Not Found")
        return self.pages[url]


def herald_fetcher() -> FakeFetcher:
    page = (FIXTURES / "harbour-bridge.html").read_bytes()
    url = f"{HERALD}/harbour-bridge.html"
    return FakeFetcher({url: FetchedPage(url, "text/html; charset=utf-8", page)})


def read_one(path: Path | str, **kwargs: Any) -> Article:
    results = list(read_inputs([str(path)], **kwargs))
    assert len(results) == 1, results
    assert isinstance(results[0], Article), results[0]
    return results[0]


def failure_of(path: Path | str, **kwargs: Any) -> ReadFailure:
    results = list(read_inputs([str(path)], **kwargs))
    assert len(results) == 1, results
    assert isinstance(results[0], ReadFailure), results[0]
    return results[0]


# --- plain text -----------------------------------------------------------------------------


def test_sample_article_gets_a_sentence_title_and_a_hash_id() -> None:
    article = read_one(SAMPLE)
    assert article.title == SAMPLE_TITLE
    assert article.text.startswith("Moscow: Russia’s top military commander")
    assert article.text == SAMPLE.read_text(encoding="utf-8").strip()
    assert len(article.text.split("\n")) == 7
    digest = hashlib.sha256(article.text.encode("utf-8")).hexdigest()[:16]
    assert article.id == f"sha-{digest}"
    assert (article.url, article.published, article.source) == ("", "", "")
    assert article.origin == str(SAMPLE)
    assert read_one(SAMPLE).id == article.id  # stable across reads


def test_front_matter_gives_title_url_date_source_and_canonical_id() -> None:
    article = read_one(FIXTURES / "front-matter.md")
    assert article.title == "Council approves night-bus pilot"
    assert article.published == "2024-04-18"
    assert article.source == "Example Local News"
    assert article.id == "https://news.example.org/local/night-bus?ref=7"
    assert article.url.startswith("https://News.Example.org/local/night-bus/")
    assert article.text.startswith("The city council voted 9-2")
    assert "---" not in article.text and "title:" not in article.text


def test_short_first_line_is_the_title_and_line_endings_are_normalised() -> None:
    article = read_one(FIXTURES / "title-line.txt")
    assert article.title == "Council approves night-bus pilot"
    assert article.text == (
        "The city council voted 9-2 on Tuesday to run night buses on three routes.\n"
        "Buses will run every 30 minutes."
    )


def test_markdown_heading_is_the_title(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text("# Storm warning for Friday\n\nGusts of up to 110 km/h are expected.\n")
    article = read_one(path)
    assert article.title == "Storm warning for Friday"
    assert article.text == "Gusts of up to 110 km/h are expected."


def test_long_first_line_with_final_period_is_not_a_title(tmp_path: Path) -> None:
    path = tmp_path / "short.txt"
    path.write_text("The mayor resigned on Friday.\nShe had been in office since 2019.\n")
    article = read_one(path)
    assert article.title == "The mayor resigned on Friday"
    assert article.text.startswith("The mayor resigned on Friday.\n")


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Prices rose 3% in March. Food led the rise.", "Prices rose 3% in March"),
        ("Mr. Smith went to Washington on Monday. He met senators.", None),
        (
            "NEW YORK (AP) — Stocks fell sharply on Monday after the central bank raised rates.",
            "Stocks fell sharply on Monday after the central bank raised rates",
        ),
        (
            "Officials said the new rail line connecting the two largest cities of the region "
            "would open to passengers in the autumn.",
            "Officials said the new rail line connecting the two largest cities…",
        ),
    ],
)
def test_derive_title(text: str, title: str | None) -> None:
    derived = derive_title(text)
    if title is None:
        assert derived.startswith("Mr. Smith went to Washington")
    else:
        assert derived == title


# --- HTML -----------------------------------------------------------------------------------


def test_html_page_main_text_and_metadata_without_boilerplate() -> None:
    article = read_one(FIXTURES / "harbour-bridge.html")
    assert article.title == "Harbour bridge reopens after two-year repair"
    assert article.source == "The Coastal Herald"
    assert article.published == "2024-04-18"
    assert article.id == "https://www.coastalherald.example/news/2024/04/18/harbour-bridge-reopens"
    paragraphs = article.text.split("\n")
    assert len(paragraphs) == 5
    assert paragraphs[0].startswith("The Old Harbour Bridge reopened to traffic")
    for boilerplate in ("cookie", "Subscribe", "Copyright", "Most read", "Privacy", "Sport"):
        assert boilerplate not in article.text


def test_html_declaring_windows_1252_is_decoded() -> None:
    article = read_one(FIXTURES / "cafe-cp1252.html")
    assert article.title == "Café owners protest new terrace fees"
    assert "€12 per square metre" in article.text


# --- JSON / JSON Lines ----------------------------------------------------------------------


def test_json_list_of_records() -> None:
    first, second = list(read_inputs([str(FIXTURES / "records.json")]))
    assert isinstance(first, Article) and isinstance(second, Article)
    assert (first.id, first.source, first.published) == ("rec-1", "Port News", "2024-03-02")
    assert first.text.split("\n")[1] == "The union accepted a 6 percent raise."
    assert second.id == "https://www.citypaper.example/library"
    assert second.source == "citypaper.example"
    assert second.published == "2024-03-04"


def test_jsonl_bad_lines_are_failures_and_good_lines_still_read() -> None:
    origin = str(FIXTURES / "records.jsonl")
    results = list(read_inputs([origin]))
    kinds = [type(result).__name__ for result in results]
    assert kinds == ["Article", "ReadFailure", "Article", "ReadFailure", "ReadFailure"]
    assert [r.id for r in results if isinstance(r, Article)] == ["j-1", "j-3"]
    failures = [r for r in results if isinstance(r, ReadFailure)]
    assert all(f.origin == origin for f in failures)
    assert failures[0].reason.startswith("line 2: malformed JSON")
    assert failures[1].reason == "line 4: article text is empty"
    assert failures[2].reason == "line 5: 'title' must be a string (got a number)"


def test_realtimeqa_articles_format() -> None:
    articles = list(read_inputs([str(FIXTURES / "realtimeqa-slice.jsonl")]))
    assert len(articles) == 3 and all(isinstance(a, Article) for a in articles)
    first = articles[0]
    assert isinstance(first, Article)
    assert first.id == "rtqa-9851fb7796f75553"
    assert first.title.startswith("Trump trial Day 1 recap")
    assert first.published == "2024-04-15"
    assert first.source == "usatoday.com"
    assert "\n\n" in first.text


# --- feeds ----------------------------------------------------------------------------------


def test_rss_feed_full_content_fetched_page_and_summary_fallback() -> None:
    fetcher = herald_fetcher()
    results = list(read_inputs([str(FIXTURES / "harbour-news.rss")], fetcher=fetcher))
    assert all(isinstance(r, Article) for r in results)
    fishing, bridge, museum = (r for r in results if isinstance(r, Article))
    assert fishing.title == "Fishing quota talks collapse"
    assert "31,000 tonnes" in fishing.text and len(fishing.text.split("\n")) == 3
    assert fishing.id == f"{HERALD}/fishing-quota.html"
    assert fishing.published == "2024-04-16" and fishing.source == "The Coastal Herald"
    assert "212 of its corroded steel cables" in bridge.text  # summary-only: page fetched
    assert "Read more" not in bridge.text
    assert museum.text == (
        "The lighthouse museum will close from November to March for roof repairs."
    )
    assert museum.published == "2024-04-19"
    assert f"{HERALD}/fishing-quota.html" not in fetcher.requested  # long content: no fetch
    assert f"{HERALD}/missing.html" in fetcher.requested


def test_atom_feed_entries() -> None:
    results = list(read_inputs([str(FIXTURES / "harbour-news.atom")], fetcher=herald_fetcher()))
    bridge, tide = results
    assert isinstance(bridge, Article) and isinstance(tide, Article)
    assert "212 of its corroded steel cables" in bridge.text
    assert bridge.published == "2024-04-18" and bridge.source == "Coastal Herald (Atom)"
    assert tide.id == "urn:uuid:0b6f4c1e-5a0f-4a35-8c7e-3b1f6f1d2a02"  # no link: the entry id
    assert tide.text.split("\n") == [
        "The tide gauge at the north pier recorded 2.41 metres above mean sea level on "
        "Wednesday night, the highest reading since 2014.",
        "No flooding was reported.",
    ]
    assert tide.published == "2024-04-17"


def test_uploaded_feed_uses_summaries_without_fetching() -> None:
    articles = read_bytes("feed.xml", (FIXTURES / "harbour-news.rss").read_bytes())
    assert [a.title for a in articles][1] == "Harbour bridge reopens after two-year repair"
    assert articles[1].text == "The Old Harbour Bridge is open again. Read more"


# --- folders --------------------------------------------------------------------------------


def test_folder_is_read_recursively_in_order_skipping_hidden_and_other_files(
    tmp_path: Path,
) -> None:
    (tmp_path / "b" / "c").mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    (tmp_path / "a.txt").write_text("Alpha story\nAlpha body text.")
    (tmp_path / "b" / "c" / "deep.md").write_text("Deep story\nDeep body text.")
    (tmp_path / "b" / "empty.txt").write_text("")
    (tmp_path / "b" / "photo.jpg").write_bytes(b"\xff\xd8\xff\x00")
    (tmp_path / ".hidden.txt").write_text("Hidden\nNot read.")
    (tmp_path / ".git" / "notes.txt").write_text("Git\nNot read.")
    results = list(read_inputs([str(tmp_path)]))
    summary = [(type(r).__name__, Path(r.origin).name) for r in results]
    assert summary == [
        ("Article", "a.txt"),
        ("Article", "deep.md"),
        ("ReadFailure", "empty.txt"),
    ]


def test_folder_without_supported_files(tmp_path: Path) -> None:
    (tmp_path / "slides.pdf").write_bytes(b"%PDF-1.7")
    assert "no supported files" in failure_of(tmp_path).reason


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "file is empty (0 bytes)"),
        ("blank.txt", b" \n\t\r\n  ", "file contains only whitespace, no text"),
        ("nbsp.md", "\u00a0\u2003\n".encode(), "no text (only whitespace)"),
        ("nul.txt", b"Hello\x00World", "binary file, not text (contains NUL bytes)"),
        ("utf16.txt", "Hello".encode("utf-16"), "UTF-16 text is not supported"),
        ("nul.rss", b"<rss>\x00</rss>", "binary file, not text (contains NUL bytes)"),
        ("ctl.txt", bytes(range(1, 9)) * 50, "binary file, not text (mostly control characters)"),
        (
            "latin.txt",
            b"Caf\xe9 society opens today",
            "not UTF-8 text (invalid byte 0xe9 at offset 3)",
        ),
        ("latin.html", b"<p>Caf\xe9</p>", "not UTF-8 text (invalid byte 0xe9 at offset 6)"),
        ("bad.json", b'{"text": "x",}', "malformed JSON (Expecting property name enclosed"),
        ("num.json", b"42", "JSON must be an object or a non-empty list of objects (got a number)"),
        ("notes.pdf", b"%PDF-1.7", "unsupported file type '.pdf'; supported: .txt, .md"),
        ("README", b"text", "unsupported file type (no extension)"),
        ("none.rss", b"<rss><channel><title>T</title></channel></rss>", "the feed has no entries"),
        ("broken.rss", b"<rss><channel><item>", "entry 1: the feed ends inside this entry"),
        ("junk.xml", b"just words, no XML", "not a valid RSS/Atom feed"),
        ("page.html", b"<html><body><script>var a;</script></body></html>", "no article text"),
        ("record.json", b'{"title": "No text"}', "record has no 'text' field"),
    ],
)
def test_bad_files_are_failures_with_clear_reasons(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    failure = failure_of(path)
    assert failure.origin == str(path)
    assert failure.reason.startswith(reason)
    with pytest.raises(ArticleReadError) as raised:
        read_bytes(name, data)
    assert raised.value.reason.startswith(reason)


def test_missing_path_and_other_schemes() -> None:
    assert failure_of("/no/such/article.txt").reason == "no such file or folder"
    assert failure_of("ftp://example.org/a.txt").reason.startswith("unsupported URL scheme 'ftp'")


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(7_200_000)
    assert failure_of(path).reason == "file is 7.2 MB, over the 5.0 MB limit"
    with pytest.raises(ArticleReadError, match=r"file is 120 bytes, over the 100 bytes limit"):
        read_bytes("small.txt", b"x" * 120, max_bytes=100)


def test_a_bad_input_does_not_stop_the_rest(tmp_path: Path) -> None:
    results = list(read_inputs(["/no/such.txt", str(SAMPLE), str(tmp_path / "x.json")]))
    assert [type(r).__name__ for r in results] == ["ReadFailure", "Article", "ReadFailure"]


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (["text"], "record is not a JSON object (got a list)"),
        ({"title": "t"}, "record has no 'text' field"),
        ({"text": 5}, "'text' must be a string (got a number)"),
        ({"text": "  \n "}, "article text is empty"),
        ({"text": "\u200b\ufeff\u200b \u00a0"}, "article text is empty"),
        ({"text": "\x01\x02 -- !"}, "article text has no letter or digit"),
        ({"text": "Hello\x00 world"}, "article text contains NUL characters (binary data?)"),
        ({"text": "ok", "published": 20240418}, "'published' must be a string (got a number)"),
        ({"text": "ok", "id": ["x"]}, "'id' must be a string (got a list)"),
    ],
)
def test_article_from_record_rejects_malformed(record: Any, reason: str) -> None:
    with pytest.raises(ArticleReadError) as raised:
        article_from_record(record, "upload.json")
    assert (raised.value.origin, raised.value.reason) == ("upload.json", reason)


def test_invisible_characters_are_dropped_and_control_characters_become_spaces() -> None:
    record = {"title": "Bridge\x01opens", "text": "\ufeffThe bri\u00addge\u200b re\x07opened."}
    article = article_from_record(record, "x")
    assert (article.title, article.text) == ("Bridge opens", "The bridge re opened.")


@pytest.mark.parametrize("separator", ["\f", "\x0b", "\x85", "\x1e", "\u2028", "\u2029"])
def test_line_separators_stay_line_breaks(separator: str) -> None:
    article = article_from_record({"text": f"Para one is here.{separator}Para two is here."}, "x")
    assert article.text == "Para one is here.\nPara two is here."


def test_article_from_record_defaults() -> None:
    article = article_from_record({"id": 17, "text": "Rain is expected.\r\nMore later.  "}, "x")
    assert (article.id, article.title, article.text) == (
        "17",
        "Rain is expected",
        "Rain is expected.\nMore later.",
    )


@pytest.mark.parametrize(
    ("url", "title"),
    [
        (
            "https://www.cnn.com/2022/08/02/business/taco-bell-mexican-pizza-return-date/index.html",
            "Taco bell mexican pizza return date",
        ),
        (
            "https://news.example/story/news/2025/05/19/biden-exit-explained/83722190007/",
            "Biden exit explained",
        ),
        (
            "https://news.example/world/drone-strike-hits-depot-2024-05-01/",
            "Drone strike hits depot",
        ),
        (
            "https://news.example/europe/caf%C3%A9-owner-wins-award?utm=feed",
            "Café owner wins award",
        ),
        (
            "https://news.example/" + "-".join(["word"] * 40),
            " ".join(["Word"] + ["word"] * 11) + "…",
        ),
        ("https://www.cnn.com/2022/10/25/world/gallery/diwali-2022/index.html", ""),  # 1 word
        ("https://news.example/tag/world-news/page/2", ""),  # a section, not a slug
        ("https://news.example/live-news/h_e4a664d8138d4c4835055e5ba691", ""),
        ("https://news.example/2024/04/18/12345.html", ""),
        ("", ""),
    ],
)
def test_title_from_url_reads_the_slug(url: str, title: str) -> None:
    assert title_from_url(url) == title


def test_a_record_without_a_title_takes_its_url_words_before_its_first_line() -> None:
    record = {
        "text": "1. How relevant is this ad to you?\nVideo player was slow to load content",
        "url": "https://www.cnn.com/2022/08/02/business/taco-bell-mexican-pizza-return-date/",
    }
    assert article_from_record(record, "x").title == "Taco bell mexican pizza return date"
    record["url"] = "https://news.example/2022/08/02/48213"
    assert article_from_record(record, "x").title == "1. How relevant is this ad to you?"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-04-18", "2024-04-18"),
        ("2024/04/18", "2024-04-18"),
        ("2024-04-18T23:10:00+02:00", "2024-04-18"),
        ("Thu, 18 Apr 2024 09:30:00 GMT", "2024-04-18"),
        ("April 18, 2024", "2024-04-18"),
        ("20240418", "2024-04-18"),
        ("2024-13-45", ""),
        ("yesterday", ""),
        ("", ""),
    ],
)
def test_normalize_date(value: str, expected: str) -> None:
    assert normalize_date(value) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://WWW.Example.COM/News/Story/", "https://www.example.com/News/Story"),
        ("https://x.org/a?utm_source=rss&id=3&UTM_medium=m#top", "https://x.org/a?id=3"),
        ("http://x.org:80/a/", "http://x.org/a"),
        ("https://x.org/", "https://x.org"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


# --- URLs -----------------------------------------------------------------------------------


class _Handler(SimpleHTTPRequestHandler):
    user_agents: list[str] = []  # noqa: RUF012 - shared on purpose, read by the test

    def do_GET(self) -> None:
        self.user_agents.append(self.headers.get("User-Agent", ""))
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """A loopback HTTP server serving the fixtures, with feed links pointing at itself."""
    root = tmp_path / "www"
    shutil.copytree(FIXTURES, root)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(root)))
    base = f"http://127.0.0.1:{httpd.server_port}"
    feed = root / "harbour-news.rss"
    feed.write_text(feed.read_text().replace(HERALD, base))
    (root / "plain.txt").write_text("Water rates to rise\nBills go up 4% in July.\n")
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield base
    httpd.shutdown()
    httpd.server_close()


def test_url_html_page_with_real_fetcher(server: str) -> None:
    article = read_one(f"{server}/harbour-bridge.html")
    assert article.title == "Harbour bridge reopens after two-year repair"
    assert article.origin == f"{server}/harbour-bridge.html"
    assert "Subscribe" not in article.text
    assert _Handler.user_agents[-1] == "newsdesk/0.1"


def test_url_feed_fetches_summary_only_entry_pages(server: str) -> None:
    results = list(read_inputs([f"{server}/harbour-news.rss"]))
    assert all(isinstance(r, Article) for r in results) and len(results) == 3
    bridge, museum = results[1], results[2]
    assert isinstance(bridge, Article) and isinstance(museum, Article)
    assert "212 of its corroded steel cables" in bridge.text
    assert museum.text.startswith("The lighthouse museum will close")  # its page is a 404


def test_url_plain_text_and_jsonl(server: str) -> None:
    text, *records = read_inputs([f"{server}/plain.txt", f"{server}/realtimeqa-slice.jsonl"])
    assert isinstance(text, Article)
    assert (text.title, text.url, text.source) == (
        "Water rates to rise",
        f"{server}/plain.txt",
        "127.0.0.1",
    )
    assert isinstance(records[0], Article) and records[0].id == "rtqa-9851fb7796f75553"
    assert len(records) == 3


def test_url_http_error_and_size_limit(server: str) -> None:
    assert failure_of(f"{server}/missing.html").reason == "HTTP error 404 File not found"
    big = failure_of(f"{server}/harbour-bridge.html", max_bytes=1000)
    assert big.reason.startswith("response is ") and big.reason.endswith("over the 1.0 kB limit")


def test_unreachable_url_is_a_failure() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    failure = failure_of(f"http://127.0.0.1:{port}/story.html")
    assert failure.reason.startswith("cannot connect to 127.0.0.1")


def test_fetcher_raises_article_read_error(server: str) -> None:
    with Fetcher(max_bytes=100_000) as fetcher:
        page = fetcher.get(f"{server}/harbour-bridge.html")
        assert page.media_type == "text/html" and page.data.startswith(b"<!DOCTYPE html>")
        with pytest.raises(ArticleReadError, match="HTTP error 404"):
            fetcher.get(f"{server}/nope.html")


@pytest.mark.parametrize(
    ("content_type", "data", "expected"),
    [
        ("application/json", b'{"id": "a1", "text": "Body."}', "a1"),
        ("text/plain; charset=utf-8", b"Headline here\nBody text.", "https://n.example/x"),
        ("application/pdf", b"%PDF", "unsupported content type 'application/pdf'"),
    ],
)
def test_url_dispatch_on_content_type(content_type: str, data: bytes, expected: str) -> None:
    url = "https://n.example/x"
    result = next(
        read_inputs([url], fetcher=FakeFetcher({url: FetchedPage(url, content_type, data)}))
    )
    assert (result.id if isinstance(result, Article) else result.reason) == expected
