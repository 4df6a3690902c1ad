"""Read news articles from files, folders, URLs and uploads.

Supported inputs: plain text (``.txt``, ``.md``), HTML pages (``.html``, ``.htm``), JSON
(``.json``: one object or a list) and JSON Lines (``.jsonl``) records, RSS/Atom feeds (``.xml``,
``.rss``, ``.atom``) and ``http(s)`` URLs. :func:`read_inputs` never raises for a bad input: it
yields a :class:`ReadFailure` with a human reason and goes on with the rest.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from index.errors import ArticleReadError
from index.models import FEED_ORIGIN_PREFIX, Article, ReadFailure
from index.readers.text import (
    derive_title,
    has_words,
    normalize_date,
    normalize_text,
    text_record,
    title_from_name,
    title_from_url,
)
from index.readers.web import (
    FetchedPage,
    Fetcher,
    LazyFetcher,
    PageFetcher,
    canonical_url,
    decode_html,
    decode_utf8,
    feed_records,
    html_record,
    media_kind,
    size_reason,
    url_host,
)

__all__ = [
    "SUPPORTED_EXTENSIONS",
    "FetchedPage",
    "Fetcher",
    "PageFetcher",
    "article_from_record",
    "canonical_url",
    "derive_title",
    "normalize_date",
    "read_bytes",
    "read_inputs",
    "stable_id",
]

SUPPORTED_EXTENSIONS = {
    ".txt": "text", ".md": "text", ".html": "html", ".htm": "html", ".json": "json",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".xml": "feed", ".rss": "feed", ".atom": "feed",
}  # fmt: skip

Located = tuple[str, Any]  # ("line 3", record) -- a record, or an ArticleReadError for that spot


def read_inputs(
    inputs: Iterable[str], *, max_bytes: int = 5_000_000, fetcher: PageFetcher | None = None
) -> Iterator[Article | ReadFailure]:
    """Read articles from file paths, folders (recursive) and http(s) URLs, in order.

    Never raises for a bad input: yields a :class:`ReadFailure` naming it and why, then goes
    on. ``fetcher`` fetches URLs and feed entries' pages; a real :class:`Fetcher` is made on
    first use when none is given.
    """
    own = LazyFetcher(max_bytes) if fetcher is None else None
    try:
        for item in inputs:
            yield from _read_one(item.strip(), max_bytes, fetcher or own)
    finally:
        if own is not None:
            own.close()


def read_bytes(name: str, data: bytes, *, max_bytes: int = 5_000_000) -> list[Article]:
    """Read an uploaded file; ``name``'s extension gives the format. Feed pages are not fetched.

    Raises :class:`ArticleReadError` for any problem, including one bad record in a list.
    """
    kind = _kind_of(name)
    if len(data) > max_bytes:
        raise ArticleReadError(name, size_reason(len(data), max_bytes))
    articles: list[Article] = []
    for result in _guarded(name, _parse(kind, data, name, None)):
        if isinstance(result, ReadFailure):
            raise ArticleReadError(result.origin, result.reason)
        articles.append(result)
    return articles


def article_from_record(record: dict[str, Any], origin: str) -> Article:
    """Build an :class:`Article` from a dict with ``text`` and optional ``id``, ``title``,
    ``url``, ``published``, ``source``; raise :class:`ArticleReadError` when malformed."""
    if not isinstance(record, dict):
        raise ArticleReadError(origin, f"record is not a JSON object (got {_type_name(record)})")
    if record.get("text") is None:
        raise ArticleReadError(origin, "record has no 'text' field")
    raw = _str_field(record, "text", origin)
    if "\x00" in raw:
        raise ArticleReadError(origin, "article text contains NUL characters (binary data?)")
    text = normalize_text(raw)
    if not text.strip():
        raise ArticleReadError(origin, "article text is empty")
    if not has_words(text):
        raise ArticleReadError(origin, "article text has no letter or digit")
    url = _str_field(record, "url", origin).strip()
    title = " ".join(normalize_text(_str_field(record, "title", origin)).split())
    source = _str_field(record, "source", origin).strip()
    return Article(
        id=_id_field(record, origin) or stable_id(url, text),
        title=title or title_from_url(url) or derive_title(text) or title_from_name(origin),
        text=text,
        url=url,
        published=normalize_date(_str_field(record, "published", origin)),
        source=source or url_host(url),
        origin=origin,
    )


def stable_id(url: str, text: str) -> str:
    """The canonical URL when there is one, else ``sha-`` + 16 hex digits of the text's hash."""
    if url:
        return canonical_url(url)
    return "sha-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _read_one(
    item: str, max_bytes: int, fetcher: PageFetcher | None
) -> Iterator[Article | ReadFailure]:
    if item.lower().startswith(("http://", "https://")):
        yield from _guarded(item, _read_url(item, max_bytes, fetcher))
    elif "://" in item:
        scheme = item.split("://", 1)[0]
        yield ReadFailure(item, f"unsupported URL scheme '{scheme}' (only http and https)")
    elif not item:
        yield ReadFailure(item, "empty input name")
    elif Path(item).expanduser().is_dir():
        yield from _read_folder(Path(item).expanduser(), max_bytes, fetcher)
    else:
        yield from _guarded(item, _read_file(Path(item).expanduser(), max_bytes, fetcher))


def _guarded(
    origin: str, results: Iterator[Article | ReadFailure]
) -> Iterator[Article | ReadFailure]:
    """Turn exceptions while reading one input into a ReadFailure for that input."""
    try:
        yield from results
    except ArticleReadError as exc:
        yield ReadFailure(origin, exc.reason)
    except OSError as exc:
        yield ReadFailure(origin, f"cannot read the file ({exc.strerror or exc})")
    except Exception as exc:  # a parser library failing on odd input must not stop the run
        yield ReadFailure(origin, f"unexpected error while reading ({type(exc).__name__}: {exc})")


def _read_folder(
    root: Path, max_bytes: int, fetcher: PageFetcher | None
) -> Iterator[Article | ReadFailure]:
    files = sorted(path for path in _walk(root) if path.suffix.lower() in SUPPORTED_EXTENSIONS)
    if not files:
        yield ReadFailure(str(root), f"folder has no supported files ({_extension_list()})")
    for path in files:
        yield from _guarded(str(path), _read_file(path, max_bytes, fetcher))


def _walk(root: Path) -> Iterator[Path]:
    """Every file under ``root``; hidden files and folders skipped, folder symlinks not followed."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = [name for name in dirs if not name.startswith(".")]
        yield from (Path(folder) / name for name in files if not name.startswith("."))


def _read_file(
    path: Path, max_bytes: int, fetcher: PageFetcher | None
) -> Iterator[Article | ReadFailure]:
    origin = str(path.resolve())  # one spelling per file, so re-reads find its old articles
    if not path.exists():
        raise ArticleReadError(origin, "no such file or folder")
    if not path.is_file():
        raise ArticleReadError(origin, "not a regular file")
    kind = _kind_of(path.name)
    size = path.stat().st_size
    if size > max_bytes:
        raise ArticleReadError(origin, size_reason(size, max_bytes))
    yield from _parse(kind, path.read_bytes(), origin, fetcher)


def _read_url(
    url: str, max_bytes: int, fetcher: PageFetcher | None
) -> Iterator[Article | ReadFailure]:
    page = (fetcher or Fetcher(max_bytes=max_bytes)).get(url)
    if len(page.data) > max_bytes:
        raise ArticleReadError(url, size_reason(len(page.data), max_bytes, "response"))
    yield from _parse(_kind_of_page(page), page.data, url, fetcher, page)


def _parse(
    kind: str,
    data: bytes,
    origin: str,
    fetcher: PageFetcher | None,
    page: FetchedPage | None = None,
) -> Iterator[Article | ReadFailure]:
    """Articles (and per-record failures) from one input's bytes; raises for whole-input errors."""
    what = "response" if page is not None else "file"
    if not data:
        raise ArticleReadError(origin, f"{what} is empty (0 bytes)")
    if not data.strip():
        raise ArticleReadError(origin, f"{what} contains only whitespace, no text")
    # A feed lists only its latest entries: its articles get an origin that is never pruned.
    article_origin = FEED_ORIGIN_PREFIX + origin if kind == "feed" else origin
    for where, record in _records(kind, data, origin, fetcher, page):
        try:
            if isinstance(record, ArticleReadError):
                raise record
            yield article_from_record(record, article_origin)
        except ArticleReadError as exc:
            yield ReadFailure(origin, f"{where}: {exc.reason}" if where else exc.reason)


def _records(
    kind: str, data: bytes, origin: str, fetcher: PageFetcher | None, page: FetchedPage | None
) -> Iterable[Located]:
    url = page.url if page is not None else ""
    if kind == "html":
        text = decode_html(data, origin, page.charset if page is not None else "")
        return [("", html_record(text, url, origin))]
    if kind == "feed":
        return feed_records(data, origin, fetcher)
    text = decode_utf8(data, origin)
    if not text.strip():
        raise ArticleReadError(origin, "no text (only whitespace)")
    if kind == "json":
        return _json_records(text, origin)
    if kind == "jsonl":
        return _jsonl_records(text)
    return [("", text_record(text, url))]


def _json_records(text: str, origin: str) -> list[Located]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ArticleReadError(origin, f"malformed JSON ({exc.msg} at line {exc.lineno})") from exc
    if isinstance(data, dict):
        return [("", data)]
    if isinstance(data, list) and data:
        return [(f"item {number}", item) for number, item in enumerate(data, start=1)]
    raise ArticleReadError(
        origin, f"JSON must be an object or a non-empty list of objects (got {_type_name(data)})"
    )


def _jsonl_records(text: str) -> Iterator[Located]:
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            yield f"line {number}", json.loads(line)
        except json.JSONDecodeError as exc:
            yield (
                f"line {number}",
                ArticleReadError("", f"malformed JSON ({exc.msg} at column {exc.colno})"),
            )


def _kind_of(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        shown = f"'{suffix}'" if suffix else "(no extension)"
        raise ArticleReadError(
            name, f"unsupported file type {shown}; supported: {_extension_list()}"
        )
    return SUPPORTED_EXTENSIONS[suffix]


def _kind_of_page(page: FetchedPage) -> str:
    """The format of a fetched page: from its content type, else its URL's extension."""
    kind = media_kind(page)
    suffix = Path(urlsplit(page.url).path).suffix.lower()
    if kind in ("", "text") and suffix in SUPPORTED_EXTENSIONS:
        return SUPPORTED_EXTENSIONS[suffix]  # e.g. a .jsonl file served as text/plain
    if kind:
        return kind
    raise ArticleReadError(page.url, f"unsupported content type '{page.media_type or 'none'}'")


def _str_field(record: dict[str, Any], key: str, origin: str) -> str:
    value = record.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ArticleReadError(origin, f"'{key}' must be a string (got {_type_name(value)})")
    return value


def _id_field(record: dict[str, Any], origin: str) -> str:
    value = record.get("id")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _str_field(record, "id", origin).strip()


def _type_name(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "true/false"}
    if value is None:
        return "null"
    return names.get(
        type(value), "a number" if isinstance(value, int | float) else type(value).__name__
    )


def _extension_list() -> str:
    return ", ".join(SUPPORTED_EXTENSIONS)
