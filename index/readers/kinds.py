"""What format an input holds, by its file name or a fetched page's content type."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from index.errors import ArticleReadError
from index.readers.fetch import FetchedPage
from index.readers.json_stream import starts_list
from index.readers.web import media_kind

SUPPORTED_EXTENSIONS = {
    ".txt": "text", ".md": "text", ".html": "html", ".htm": "html", ".json": "json",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".xml": "feed", ".rss": "feed", ".atom": "feed",
}  # fmt: skip


def streamed(kind: str, head: bytes) -> bool:
    """Whether an input of ``kind`` starting with ``head`` is read record by record (the size
    limit applying to each record): JSON Lines, a JSON list, a feed."""
    return kind in ("jsonl", "feed") or (kind == "json" and starts_list(head))


def kind_of(name: str) -> str:
    """The format of a file by its extension; ArticleReadError for an unsupported one."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        shown = f"'{suffix}'" if suffix else "(no extension)"
        raise ArticleReadError(
            name, f"unsupported file type {shown}; supported: {extension_list()}"
        )
    return SUPPORTED_EXTENSIONS[suffix]


def kind_of_page(page: FetchedPage) -> str:
    """The format of a fetched page: from its content type, else its URL's extension."""
    kind = media_kind(page)
    suffix = Path(urlsplit(page.url).path).suffix.lower()
    if kind in ("", "text") and suffix in SUPPORTED_EXTENSIONS:
        return SUPPORTED_EXTENSIONS[suffix]  # e.g. a .jsonl file served as text/plain
    if kind:
        return kind
    raise ArticleReadError(page.url, f"unsupported content type '{page.media_type or 'none'}'")


def extension_list() -> str:
    """The supported extensions, for messages."""
    return ", ".join(SUPPORTED_EXTENSIONS)
