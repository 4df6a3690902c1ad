"""Web-facing readers: byte decoding, HTML extraction (trafilatura), RSS/Atom feeds (feedparser)
and fetching URLs (httpx).

Functions here turn raw bytes into *records*: plain dicts with the keys ``title``, ``text``,
``url``, ``published`` (raw, normalised later), ``source`` and optionally ``id``;
:mod:`index.readers.inputs` turns records into :class:`~index.models.Article` objects.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import feedparser
import httpx
import trafilatura

from index.errors import ArticleReadError

USER_AGENT = "newsdesk/0.1"
SHORT_SUMMARY_CHARS = 500  # feed entries with less text than this get their page fetched
_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HTML_FALLBACK_CHARSETS = {"windows-1252", "cp1252", "iso-8859-1", "latin-1", "latin1"}
_MEDIA_KINDS = {
    "text/html": "html", "application/xhtml+xml": "html", "application/rss+xml": "feed",
    "application/atom+xml": "feed", "application/rdf+xml": "feed", "application/xml": "feed",
    "text/xml": "feed", "application/json": "json", "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl", "text/plain": "text", "text/markdown": "text",
}  # fmt: skip


@dataclass(frozen=True)
class FetchedPage:
    """A fetched response: final URL (after redirects), Content-Type header value, body."""

    url: str
    content_type: str
    data: bytes

    @property
    def media_type(self) -> str:
        """The content type without parameters, lower-case (``text/html``)."""
        return self.content_type.split(";")[0].strip().lower()

    @property
    def charset(self) -> str:
        """The ``charset`` parameter of the content type, lower-case, or ""."""
        match = re.search(r"charset\s*=\s*\"?([\w.:-]+)", self.content_type, re.IGNORECASE)
        return match.group(1).lower() if match else ""


class PageFetcher(Protocol):
    """Anything that can fetch a URL; :class:`Fetcher` is the real one, tests pass fakes."""

    def get(self, url: str) -> FetchedPage:
        """Fetch ``url``; raise :class:`ArticleReadError` when it cannot be fetched."""
        ...


def human_size(n: int) -> str:
    """``7_200_000`` -> ``"7.2 MB"``; small sizes in kB or bytes."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f} MB"
    return f"{n / 1000:.1f} kB" if n >= 1000 else f"{n} bytes"


def size_reason(size: int, max_bytes: int, what: str = "file") -> str:
    """The failure reason for an input over the size limit."""
    return f"{what} is {human_size(size)}, over the {human_size(max_bytes)} limit"


class Fetcher:
    """Fetches URLs with httpx: 15 s timeout, redirects followed, responses capped at max_bytes."""

    def __init__(
        self,
        *,
        max_bytes: int = 5_000_000,
        timeout: float = 15.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.max_bytes = max_bytes
        self.timeout = timeout
        self._client = httpx.Client(
            timeout=timeout,
            follow_redirects=True,
            headers={"User-Agent": USER_AGENT},
            transport=transport,
        )

    def get(self, url: str) -> FetchedPage:
        """Fetch ``url``; raise :class:`ArticleReadError` with a readable reason on failure."""
        try:
            with self._client.stream("GET", url) as response:
                return self._read(url, response)
        except httpx.TimeoutException as exc:
            raise ArticleReadError(url, f"timed out after {self.timeout:g} s") from exc
        except httpx.ConnectError as exc:
            host = httpx.URL(url).host
            raise ArticleReadError(url, f"cannot connect to {host} ({exc})") from exc
        except httpx.TooManyRedirects as exc:
            raise ArticleReadError(url, "too many redirects") from exc
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise ArticleReadError(url, f"invalid URL ({exc})") from exc
        except httpx.HTTPError as exc:
            raise ArticleReadError(url, f"network error ({exc})") from exc

    def _read(self, url: str, response: httpx.Response) -> FetchedPage:
        if response.status_code >= 400:
            reason = f"HTTP error {response.status_code} {response.reason_phrase}"
            raise ArticleReadError(url, reason)
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise ArticleReadError(url, size_reason(int(declared), self.max_bytes, "response"))
        body = bytearray()
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > self.max_bytes:
                reason = f"response is over the {human_size(self.max_bytes)} limit"
                raise ArticleReadError(url, reason)
        content_type = response.headers.get("content-type", "")
        return FetchedPage(str(response.url), content_type, bytes(body))

    def close(self) -> None:
        """Close the underlying HTTP connections."""
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class LazyFetcher:
    """A :class:`Fetcher` made on first use, so reading only files opens no HTTP client."""

    def __init__(self, max_bytes: int) -> None:
        self._max_bytes = max_bytes
        self._fetcher: Fetcher | None = None

    def get(self, url: str) -> FetchedPage:
        """Fetch ``url`` with the (possibly new) real fetcher."""
        if self._fetcher is None:
            self._fetcher = Fetcher(max_bytes=self._max_bytes)
        return self._fetcher.get(url)

    def close(self) -> None:
        """Close the real fetcher if one was made."""
        if self._fetcher is not None:
            self._fetcher.close()


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


def fragment_text(value: str) -> str:
    """Plain text of an HTML fragment such as a feed summary (paragraphs on separate lines)."""
    if "<" not in value:
        return html.unescape(value).strip()
    text = trafilatura.extract(value, include_comments=False, favor_recall=True)
    return (text or trafilatura.html2txt(f"<html><body>{value}</body></html>")).strip()


def feed_records(
    data: bytes, origin: str, fetcher: PageFetcher | None
) -> Iterator[tuple[str, Any]]:
    """Parse an RSS/Atom feed; yield ``("entry N", record)`` per entry.

    Entries with only a short summary and a link get their page fetched (when a fetcher is
    given) and extracted; if that fails the summary text is used.
    """
    check_not_binary(data, origin)
    parsed = feedparser.parse(data)
    if not parsed.entries:
        if parsed.get("bozo") and not parsed.get("version"):
            problem = parsed.get("bozo_exception") or "unrecognised XML"
            raise ArticleReadError(origin, f"not a valid RSS/Atom feed ({problem})")
        raise ArticleReadError(origin, "the feed has no entries")
    feed_title = str(parsed.feed.get("title", "")).strip()
    for number, entry in enumerate(parsed.entries, start=1):
        yield f"entry {number}", _entry_record(entry, feed_title, fetcher)


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
