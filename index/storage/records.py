"""The catalog's records as its readers get them, and the columns they are read from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ArticleRecord:
    """What the catalog knows of one indexed article."""

    id: str
    title: str
    url: str
    published: str
    source: str
    state: str
    content_hash: str
    paragraphs: int


@dataclass(frozen=True)
class StoredParagraph:
    """A paragraph as stored, with the metadata of its article."""

    id: str
    article_id: str
    number: int
    text: str
    title: str
    url: str
    published: str
    source: str


ARTICLE_COLUMNS = "id, title, url, published, source, state, content_hash, paragraphs"
PARAGRAPH_COLUMNS = "id, article_id, number, text, title, url, published, source"
