"""Records (dicts with ``text`` and optional ``id``, ``title``, ``url``, ``published``,
``source``) turned into :class:`~index.models.Article` objects, with a clear reason when one
is malformed."""

from __future__ import annotations

import hashlib
from typing import Any

from index.errors import ArticleReadError
from index.models import Article
from index.readers.text import (
    derive_title,
    has_words,
    normalize_date,
    normalize_text,
    title_from_name,
    title_from_url,
)
from index.readers.web import canonical_url, url_host


def article_from_record(record: dict[str, Any], origin: str) -> Article:
    """Build an :class:`Article` from a dict with ``text`` and optional ``id``, ``title``,
    ``url``, ``published``, ``source``; raise :class:`ArticleReadError` when malformed."""
    if not isinstance(record, dict):
        raise ArticleReadError(origin, f"record is not a JSON object (got {type_name(record)})")
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


def _str_field(record: dict[str, Any], key: str, origin: str) -> str:
    value = record.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ArticleReadError(origin, f"'{key}' must be a string (got {type_name(value)})")
    return value


def _id_field(record: dict[str, Any], origin: str) -> str:
    value = record.get("id")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _str_field(record, "id", origin).strip()


def type_name(value: object) -> str:
    """How a JSON value's type reads in a message: "an object", "a number", "null"."""
    names = {dict: "an object", list: "a list", str: "a string", bool: "true/false"}
    if value is None:
        return "null"
    return names.get(
        type(value), "a number" if isinstance(value, int | float) else type(value).__name__
    )
