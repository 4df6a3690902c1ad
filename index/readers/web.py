"""Web-facing readers: byte decoding, HTML extraction (trafilatura) and RSS/Atom feeds
(feedparser); fetching URLs is :mod:`index.readers.fetch`'s.

Functions here turn raw bytes into *records*: plain dicts with the keys ``title``, ``text``,
``url``, ``published`` (raw, normalised later), ``source`` and optionally ``id``;
:mod:`index.readers.inputs` turns records into :class:`~index.models.Article` objects.
"""

from __future__ import annotations

import html
import logging
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import feedparser
import trafilatura

from index.errors import ArticleReadError

# Fetching moved to index.readers.fetch; re-exported for the modules that import it from here.
from index.readers.fetch import FetchedPage as FetchedPage
from index.readers.fetch import Fetcher as Fetcher
from index.readers.fetch import LazyFetcher as LazyFetcher
from index.readers.fetch import PageFetcher as PageFetcher
from index.readers.fetch import size_reason as size_reason

# The parsers' cost grows with the markup, about 50 us a tag (trafilatura, feedparser's strict
# then loose pass): 5 MB of "<p>x</p>" took 40 s. A real page or feed is far below this.
MAX_TAGS = 100_000
_FEED_TAG = re.compile(rb"<|&lt;|&#0*60;|&#x0*3c;", re.IGNORECASE)  # escaped HTML is parsed too
_CHAR_REF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));")
SHORT_SUMMARY_CHARS = 500  # feed entries with less text than this get their page fetched
_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HTML_FALLBACK_CHARSETS = {"windows-1252", "cp1252", "iso-8859-1", "latin-1", "latin1"}
_MEDIA_KINDS = {
    "text/html": "html", "application/xhtml+xml": "html", "application/rss+xml": "feed",
    "application/atom+xml": "feed", "application/rdf+xml": "feed", "application/xml": "feed",
    "text/xml": "feed", "application/json": "json", "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl", "text/plain": "text", "text/markdown": "text",
}  # fmt: skip


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, drop the fragment, ``utm_*`` parameters, default port and
    trailing slash: ``HTTPS://WWW.X.com/a/?utm_source=t#c`` -> ``https://www.x.com/a``."""
    parts = urlsplit(url.strip())
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in ("http", "https") or not host:
        return url.strip()
    if parts.port and parts.port != {"http": 80, "https": 443}[scheme]:
        host = f"{host}:{parts.port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith("utm_")]  # fmt: skip
    return urlunsplit((scheme, host, parts.path.rstrip("/"), urlencode(query), ""))


def url_host(url: str) -> str:
    """The URL's host, lower-case, without a leading ``www.``."""
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


def media_kind(page: FetchedPage) -> str:
    """The reader format for a fetched page's content type ("html", "feed", ...), or ""."""
    return _MEDIA_KINDS.get(page.media_type, "")


def check_not_binary(data: bytes, origin: str) -> None:
    """Raise when ``data`` looks binary: NUL bytes, or many control bytes in the first 8 kB."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ArticleReadError(origin, "UTF-16 text is not supported; save it as UTF-8")
    if b"\x00" in data:
        raise ArticleReadError(origin, "binary file, not text (contains NUL bytes)")
    head = data[:8192]
    controls = sum(1 for b in head if (b < 32 and b not in b"\t\n\r\f") or b == 127)
    if head and controls / len(head) > 0.1:
        raise ArticleReadError(origin, "binary file, not text (mostly control characters)")


def decode_utf8(data: bytes, origin: str) -> str:
    """Decode UTF-8 (with or without BOM) text, raising a clear error for anything else."""
    check_not_binary(data, origin)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = data[exc.start]
        reason = f"not UTF-8 text (invalid byte 0x{bad:02x} at offset {exc.start})"
        raise ArticleReadError(origin, reason) from exc
    others = sum(1 for ch in text[:8192] if unicodedata.category(ch) in ("Cc", "Co", "Cs"))
    if others / max(1, len(text[:8192])) > 0.1 and text.strip():
        raise ArticleReadError(origin, "binary file, not text (mostly non-text characters)")
    return text


def decode_html(data: bytes, origin: str, header_charset: str = "") -> str:
    """Decode an HTML page: UTF-8, else a Latin charset the page (or HTTP header) declares."""
    check_not_binary(data, origin)
    try:
        return decode_utf8(data, origin)
    except ArticleReadError:
        match = _CHARSET_RE.search(data[:4096])
        declared = match.group(1).decode("ascii").lower() if match else header_charset.lower()
        if declared not in _HTML_FALLBACK_CHARSETS:
            raise
        return data.decode("cp1252", errors="replace")  # cp1252 is a superset of latin-1


def html_record(page_html: str, url: str, origin: str) -> dict[str, Any]:
    """Extract the main text and metadata of a news page with trafilatura."""
    _check_tags(page_html.count("<"), origin, "HTML page")
    doc = trafilatura.bare_extraction(
        page_html, url=url or None, with_metadata=True, include_comments=False
    )
    text = getattr(doc, "text", None) or ""
    if not text.strip():
        raise ArticleReadError(origin, "no article text found in the HTML page")
    title = (getattr(doc, "title", None) or "").strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > 1 and title and lines[0] == title:
        lines = lines[1:]  # trafilatura keeps the page's <h1>; the title is stored separately
    page_url = getattr(doc, "url", None) or ""
    return {
        "title": title,
        "text": "\n".join(lines),
        "url": page_url if page_url.startswith(("http://", "https://")) else url,
        "published": getattr(doc, "date", None) or "",
        "source": getattr(doc, "sitename", None) or "",
    }


def _valid_char_ref(match: re.Match[bytes]) -> bytes:
    """A numeric character reference, or U+FFFD for one past U+10FFFF (feedparser's loose
    parser raises ValueError from chr() on "&#99999999;")."""
    hex_digits, digits = match.groups()
    number = (hex_digits or digits).lstrip(b"0")[:9]  # longer is out of range anyway
    value = int(number or b"0", 16 if hex_digits else 10)
    return match.group(0) if value <= 0x10FFFF else b"&#xFFFD;"


def _check_tags(tags: int, origin: str, what: str) -> None:
    if tags > MAX_TAGS:
        reason = f"{what} has over {MAX_TAGS:,} tags ({tags:,}): too much markup to read"
        raise ArticleReadError(origin, reason)


def fragment_text(value: str) -> str:
    """Plain text of an HTML fragment such as a feed summary (paragraphs on separate lines)."""
    if "<" not in value:
        return html.unescape(value).strip()
    with _fragment_quiet():
        text = trafilatura.extract(value, include_comments=False, favor_recall=True)
    return (text or trafilatura.html2txt(f"<html><body>{value}</body></html>")).strip()


# trafilatura logs two errors and a warning for every fragment it cannot read as a page (a
# one-paragraph feed summary); html2txt reads those, so they are no errors here, and a feed of
# 20,000 entries would log 60,000 lines.
_FRAGMENT_NOISE = ("trafilatura.core", "trafilatura.utils")


@contextmanager
def _fragment_quiet() -> Iterator[None]:
    """trafilatura's log records dropped while it reads a fragment."""
    drop = logging.Filter("-")  # passes no record: no logger is named "-"
    loggers = [logging.getLogger(name) for name in _FRAGMENT_NOISE]
    for logger in loggers:
        logger.addFilter(drop)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(drop)


def feed_records(
    data: bytes, origin: str, fetcher: PageFetcher | None
) -> Iterator[tuple[str, Any]]:
    """Parse an RSS/Atom feed; yield ``("entry N", record)`` per entry.

    Entries with only a short summary and a link get their page fetched (when a fetcher is
    given) and extracted; if that fails the summary text is used.
    """
    parsed = _checked_feed(data, origin, "feed")
    if not parsed.entries:
        if parsed.get("bozo") and not parsed.get("version"):
            problem = parsed.get("bozo_exception") or "unrecognised XML"
            raise ArticleReadError(origin, f"not a valid RSS/Atom feed ({problem})")
        raise ArticleReadError(origin, "the feed has no entries")
    title = _title(parsed)
    for number, entry in enumerate(parsed.entries, start=1):
        yield f"entry {number}", _entry_record(entry, title, fetcher)


def feed_title(opening: bytes) -> str:
    """The title of a feed, from its opening (the feed without its entries)."""
    return _title(_parsed_feed(opening))


def single_entry_record(
    feed: bytes, origin: str, title: str, fetcher: PageFetcher | None
) -> dict[str, Any]:
    """The record of the one entry of ``feed`` (a feed's opening, one entry and the closing
    tags), as feed_records makes it; ArticleReadError when it holds no readable entry."""
    parsed = _checked_feed(feed, origin, "feed entry")
    if not parsed.entries:
        problem = parsed.get("bozo_exception") or "no entry found"
        raise ArticleReadError(origin, f"not a readable feed entry ({problem})")
    return _entry_record(parsed.entries[0], title, fetcher)


def _checked_feed(data: bytes, origin: str, what: str) -> Any:
    """``data`` parsed by feedparser, after the checks that it is text of bounded markup."""
    check_not_binary(data, origin)
    _check_tags(len(_FEED_TAG.findall(data)), origin, what)
    return _parsed_feed(data)


def _parsed_feed(data: bytes) -> Any:
    return feedparser.parse(_CHAR_REF.sub(_valid_char_ref, data))


def _title(parsed: Any) -> str:
    return str(parsed.feed.get("title", "")).strip()


def _entry_record(entry: Any, feed_title: str, fetcher: PageFetcher | None) -> dict[str, Any]:
    link = str(entry.get("link", "")).strip()
    contents = entry.get("content") or []
    body = contents[0].get("value", "") if contents else entry.get("summary", "")
    text = fragment_text(str(body or ""))
    record: dict[str, Any] = {
        "title": fragment_text(str(entry.get("title", ""))),
        "text": text,
        "url": link,
        "published": str(entry.get("published") or entry.get("updated") or ""),
        "source": feed_title,
    }
    if not link and entry.get("id"):
        record["id"] = str(entry.get("id"))
    if fetcher is not None and link and len(text) < SHORT_SUMMARY_CHARS:
        page_text = _linked_page_text(link, fetcher)
        if page_text:
            record["text"] = page_text
    return record


def _linked_page_text(link: str, fetcher: PageFetcher) -> str:
    """The extracted text of a feed entry's page, or "" when it cannot be fetched or read."""
    try:
        page = fetcher.get(link)
        if "html" not in page.media_type:
            return ""
        decoded = decode_html(page.data, link, page.charset)
        return str(html_record(decoded, page.url, link)["text"])
    except ArticleReadError:
        return ""
