"""Read news articles from files, folders, URLs and uploads.

Supported inputs: plain text (``.txt``, ``.md``), HTML pages (``.html``, ``.htm``), JSON
(``.json``: one object or a list) and JSON Lines (``.jsonl``) records, RSS/Atom feeds (``.xml``,
``.rss``, ``.atom``) and ``http(s)`` URLs. :func:`read_inputs` never raises for a bad input: it
yields a :class:`ReadFailure` with a human reason and goes on with the rest.

The size limit is per article: a text or HTML file is one article and is refused whole when
over it, while JSON Lines, a JSON list and a feed are read record by record (index.readers
.stream, .json_stream, .feed_stream), whatever their size, and only a record over it is refused.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

from index.errors import ArticleReadError
from index.models import FEED_ORIGIN_PREFIX, Article, ReadFailure
from index.readers.feed_stream import feed_file_records
from index.readers.fetch import FetchedPage, Fetcher, LazyFetcher, PageFetcher, size_reason
from index.readers.guard import AddressGuard
from index.readers.json_stream import json_list_records
from index.readers.kinds import (
    SUPPORTED_EXTENSIONS,
    extension_list,
    kind_of,
    kind_of_page,
    streamed,
)
from index.readers.records import article_from_record, stable_id, type_name
from index.readers.stream import Located, OnRead, jsonl_records
from index.readers.text import (
    derive_title,
    normalize_date,
    text_record,
)
from index.readers.web import (
    canonical_url,
    decode_html,
    decode_utf8,
    html_record,
)

__all__ = [
    "SUPPORTED_EXTENSIONS",
    "FetchedPage",
    "Fetcher",
    "PageFetcher",
    "article_from_record",
    "canonical_url",
    "derive_title",
    "input_bytes",
    "normalize_date",
    "read_bytes",
    "read_inputs",
    "read_upload",
    "stable_id",
]


@dataclass(frozen=True)
class _Options:
    max_bytes: int
    fetcher: PageFetcher | None
    on_read: OnRead | None = None


def read_inputs(
    inputs: Iterable[str],
    *,
    max_bytes: int = 5_000_000,
    fetcher: PageFetcher | None = None,
    on_read: OnRead | None = None,
    guard: AddressGuard | None = None,
) -> Iterator[Article | ReadFailure]:
    """Read articles from file paths, folders (recursive) and http(s) URLs, in order.

    Never raises for a bad input: yields a :class:`ReadFailure` naming it and why, then goes
    on. ``max_bytes`` is the limit per article (JSON Lines, lists and feeds are streamed).
    ``fetcher`` fetches URLs and feed entries' pages; a real :class:`Fetcher` is made on
    first use when none is given. ``on_read`` is told the bytes of local files read so far,
    piece by piece (a progress measure: see :func:`input_bytes`). ``guard`` limits the
    addresses the made fetcher may reach: pass one when reading URLs on someone's behalf.
    """
    own = LazyFetcher(max_bytes, guard) if fetcher is None else None
    options = _Options(max_bytes, fetcher or own, on_read)
    try:
        for item in inputs:
            yield from _read_one(item.strip(), options)
    finally:
        if own is not None:
            own.close()


def input_bytes(inputs: Iterable[str]) -> int | None:
    """The total size of the files :func:`read_inputs` would read from ``inputs``, or None
    when one is a URL (its size is known only once fetched)."""
    total = 0
    for item in inputs:
        path = Path(item.strip()).expanduser()
        if "://" in item:
            return None
        if path.is_dir():
            total += sum(_size(p) for p in _walk(path) if p.suffix.lower() in SUPPORTED_EXTENSIONS)
        elif path.is_file():
            total += _size(path)
    return total


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # gone since it was listed: its failure is reported when it is read
        return 0


def read_bytes(name: str, data: bytes, *, max_bytes: int = 5_000_000) -> list[Article]:
    """Read an uploaded file; ``name``'s extension gives the format. Feed pages are not fetched.

    Raises :class:`ArticleReadError` for any problem, including one bad record in a list.
    """
    articles: list[Article] = []
    for result in read_upload(name, data, max_bytes=max_bytes):
        if isinstance(result, ReadFailure):
            raise ArticleReadError(result.origin, result.reason)
        articles.append(result)
    return articles


def read_upload(
    name: str, data: bytes, *, max_bytes: int = 5_000_000
) -> list[Article | ReadFailure]:
    """Read an uploaded file as :func:`read_inputs` reads a file: a bad record of a list is a
    :class:`ReadFailure` ("line 3: ...") and the others are still read. Feed pages are not
    fetched. Raises :class:`ArticleReadError` when the whole file is unreadable.
    """
    kind = kind_of(name)
    if not streamed(kind, data[:64]) and len(data) > max_bytes:
        raise ArticleReadError(name, size_reason(len(data), max_bytes))
    try:  # _parse yields the failures of records and raises for the file's own
        return list(_parse(kind, data, name, _Options(max_bytes, None)))
    except ArticleReadError:
        raise
    except Exception as exc:
        raise ArticleReadError(name, _unexpected(exc)) from exc


def _read_one(item: str, options: _Options) -> Iterator[Article | ReadFailure]:
    if item.lower().startswith(("http://", "https://")):
        yield from _guarded(item, _read_url(item, options))
    elif "://" in item:
        scheme = item.split("://", 1)[0]
        yield ReadFailure(item, f"unsupported URL scheme '{scheme}' (only http and https)")
    elif not item:
        yield ReadFailure(item, "empty input name")
    elif Path(item).expanduser().is_dir():
        yield from _read_folder(Path(item).expanduser(), options)
    else:
        yield from _guarded(item, _read_file(Path(item).expanduser(), options))


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
        yield ReadFailure(origin, _unexpected(exc))


def _unexpected(exc: Exception) -> str:
    return f"unexpected error while reading ({type(exc).__name__}: {exc})"


def _read_folder(root: Path, options: _Options) -> Iterator[Article | ReadFailure]:
    files = sorted(path for path in _walk(root) if path.suffix.lower() in SUPPORTED_EXTENSIONS)
    if not files:
        yield ReadFailure(str(root), f"folder has no supported files ({extension_list()})")
    for path in files:
        yield from _guarded(str(path), _read_file(path, options))


def _walk(root: Path) -> Iterator[Path]:
    """Every file under ``root``; hidden files and folders skipped, folder symlinks not followed."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = [name for name in dirs if not name.startswith(".")]
        yield from (Path(folder) / name for name in files if not name.startswith("."))


def _read_file(path: Path, options: _Options) -> Iterator[Article | ReadFailure]:
    origin = str(path.resolve())  # one spelling per file, so re-reads find its old articles
    if not path.exists():
        raise ArticleReadError(origin, "no such file or folder")
    if not path.is_file():
        raise ArticleReadError(origin, "not a regular file")
    kind = kind_of(path.name)
    with path.open("rb") as handle:
        if streamed(kind, handle.read(64)):
            handle.seek(0)
            yield from _record_by_record(kind, handle, origin, options)
            return
    size = path.stat().st_size
    if size > options.max_bytes:  # read whole: one article
        raise ArticleReadError(origin, size_reason(size, options.max_bytes))
    data = path.read_bytes()
    if options.on_read is not None:
        options.on_read(len(data))
    yield from _parse(kind, data, origin, options)


def _read_url(url: str, options: _Options) -> Iterator[Article | ReadFailure]:
    page = (options.fetcher or Fetcher(max_bytes=options.max_bytes)).get(url)
    kind = kind_of_page(page)
    if not streamed(kind, page.data[:64]) and len(page.data) > options.max_bytes:
        raise ArticleReadError(url, size_reason(len(page.data), options.max_bytes, "response"))
    yield from _parse(kind, page.data, url, options, page)


def _parse(
    kind: str, data: bytes, origin: str, options: _Options, page: FetchedPage | None = None
) -> Iterator[Article | ReadFailure]:
    """Articles (and per-record failures) from one input's bytes; raises for whole-input errors."""
    what = "response" if page is not None else "file"
    unread = replace(options, on_read=None)  # in memory already: counted when read, if at all
    if streamed(kind, data[:64]) and kind != "feed":  # these check their own emptiness
        yield from _record_by_record(kind, io.BytesIO(data), origin, unread, what)
        return
    if not data:
        raise ArticleReadError(origin, f"{what} is empty (0 bytes)")
    if not data.strip():
        raise ArticleReadError(origin, f"{what} contains only whitespace, no text")
    if kind == "feed":
        yield from _record_by_record(kind, io.BytesIO(data), origin, unread, what)
        return
    yield from _articles(_records(kind, data, origin, page), origin, origin)


def _record_by_record(
    kind: str, handle: IO[bytes], origin: str, options: _Options, what: str = "file"
) -> Iterator[Article | ReadFailure]:
    """The articles of an input read record by record (``streamed``): JSON Lines, a JSON
    list or a feed, from the start of ``handle``."""
    if kind == "feed":
        entries = feed_file_records(
            handle, origin, options.max_bytes, options.on_read, options.fetcher
        )
        # A feed lists only its latest entries: its articles get an origin never pruned.
        return _articles(entries, origin, FEED_ORIGIN_PREFIX + origin)
    if kind == "jsonl":
        records = jsonl_records(handle, origin, options.max_bytes, options.on_read, what)
    else:
        records = json_list_records(handle, origin, options.max_bytes, options.on_read)
    return _articles(records, origin, origin)


def _articles(
    records: Iterable[Located], origin: str, article_origin: str
) -> Iterator[Article | ReadFailure]:
    """An Article per good record; a ReadFailure naming the place ("line 3: ...") per bad one."""
    for where, record in records:
        try:
            if isinstance(record, ArticleReadError):
                raise record
            yield article_from_record(record, article_origin)
        except ArticleReadError as exc:
            yield ReadFailure(origin, f"{where}: {exc.reason}" if where else exc.reason)


def _records(kind: str, data: bytes, origin: str, page: FetchedPage | None) -> Iterable[Located]:
    url = page.url if page is not None else ""
    if kind == "html":
        text = decode_html(data, origin, page.charset if page is not None else "")
        return [("", html_record(text, url, origin))]
    text = decode_utf8(data, origin)
    if not text.strip():
        raise ArticleReadError(origin, "no text (only whitespace)")
    if kind == "json":
        return _json_records(text, origin)
    return [("", text_record(text, url))]


def _json_records(text: str, origin: str) -> list[Located]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ArticleReadError(origin, f"malformed JSON ({exc.msg} at line {exc.lineno})") from exc
    except RecursionError:  # "[[[[...": deeper than the parser goes
        raise ArticleReadError(origin, "malformed JSON (nested too deeply)") from None
    if isinstance(data, dict):
        return [("", data)]
    if isinstance(data, list) and data:
        return [(f"item {number}", item) for number, item in enumerate(data, start=1)]
    raise ArticleReadError(
        origin, f"JSON must be an object or a non-empty list of objects (got {type_name(data)})"
    )
