"""Typed records that flow through the indexing layer."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

# Articles read from a feed carry this before the feed's address as their origin: a feed
# lists only its latest entries, so an entry missing from it later is not a deletion.
FEED_ORIGIN_PREFIX = "feed:"


@dataclass(frozen=True)
class Article:
    """One news article as read from a file, URL, feed or JSON record.

    ``id`` is stable: the given id, else the canonical URL, else a hash of the text.
    """

    id: str
    title: str
    text: str
    url: str = ""
    published: str = ""  # ISO date YYYY-MM-DD, or "" when unknown
    source: str = ""  # outlet / site name, or "" when unknown
    origin: str = ""  # where it was read from (path or URL), for messages

    def content_hash(self) -> str:
        """Hash of everything that, when changed, requires re-indexing the article."""
        h = hashlib.sha256()
        for part in (self.title, self.url, self.published, self.source, self.text):
            h.update(part.encode("utf-8"))
            h.update(b"\x00")
        return h.hexdigest()[:32]


@dataclass(frozen=True)
class Paragraph:
    """One searchable paragraph of an article.

    ``number`` is the paragraph's position among the article's kept paragraphs (0-based);
    ``embed_text`` is what is embedded (the title, shortened to fit the model's window, then
    the text), while ``text`` is the verbatim paragraph that citations quote. The keyword
    index holds yet another text (index.storage.keyword_text). An article whose every paragraph is
    boilerplate has one passage, its title (index.split.paragraphs.is_title_passage): searchable,
    never quoted.
    """

    article_id: str
    number: int
    text: str
    embed_text: str

    @property
    def id(self) -> str:
        """The paragraph's id in every store: deterministic, so re-adding overwrites."""
        return f"{self.article_id}#{self.number}"


@dataclass
class ReadFailure:
    """An input that could not be read as an article, and why."""

    origin: str
    reason: str


@dataclass
class IndexReport:
    """What one indexing run did, article by article."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # no longer given by their origin
    failed: list[ReadFailure] = field(default_factory=list)
    paragraphs: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when every input was indexed or already up to date."""
        return not self.failed
