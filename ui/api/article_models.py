"""The request and response bodies of ``/api/articles`` (ui.api.articles)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ui.limits import MAX_TEXT_CHARS


class ArticleIn(BaseModel):
    """One article as JSON; a missing id is derived from the URL, else the text."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, min_length=1, max_length=2000)
    title: str = Field(max_length=1000)
    url: str = Field(default="", max_length=2000)
    published: str = Field(default="", max_length=40, description="A date, ideally YYYY-MM-DD")
    source: str = Field(default="", max_length=200)
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS, pattern=r"\S")


class Failure(BaseModel):
    """An input that could not be indexed, and why."""

    origin: str
    reason: str


class IndexedArticle(BaseModel):
    """An article of an indexing request, with its stored paragraph count."""

    id: str
    title: str
    paragraphs: int


class AddResult(BaseModel):
    """What indexing the request did; re-posting an unchanged article lists it as unchanged."""

    added: list[str]
    updated: list[str]
    unchanged: list[str]
    removed: list[str] = Field(description="Articles a re-uploaded file no longer holds")
    failed: list[Failure]
    articles: list[IndexedArticle]
    paragraphs: int = Field(description="Paragraphs embedded by this request")
    seconds: float


class ArticleSummary(BaseModel):
    """An indexed article."""

    id: str
    title: str
    url: str
    published: str
    source: str
    state: str
    paragraphs: int


class ArticlePage(BaseModel):
    """One page of indexed articles, newest first."""

    total: int
    offset: int
    limit: int
    items: list[ArticleSummary]


class ParagraphOut(BaseModel):
    """One stored paragraph."""

    number: int
    text: str


class ArticleDetail(BaseModel):
    """An indexed article with its paragraphs."""

    article: ArticleSummary
    paragraphs: list[ParagraphOut]


class UrlIn(BaseModel):
    """A page or feed to fetch and index."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=2000, pattern=r"^\s*[Hh][Tt][Tt][Pp][Ss]?://\S+\s*$")


class Removed(BaseModel):
    """The id of a removed article."""

    removed: str
