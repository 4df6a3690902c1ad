"""Request and response bodies of the HTTP API. Limits are pydantic constraints, so they are
stated in the OpenAPI schema and refused with 422 before any work is done."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from index.filters import SearchFilters
from qa.models import Passage, Turn
from ui.config import MAX_HISTORY_TURNS, MAX_K, MAX_QUESTION_CHARS

NOT_BLANK = r"\S"
_YMD = re.compile(r"\d{4}-\d{2}-\d{2}")

# One server-sent event, as OpenAPI 3.2 describes text/event-stream bodies.
SSE_EVENT = {
    "type": "object",
    "properties": {"data": {"type": "string"}, "event": {"type": "string"}},
}


def _text_only(value: object) -> object:
    if isinstance(value, date) or value is None:
        return value
    if not isinstance(value, str) or not _YMD.fullmatch(value):
        raise ValueError("expected a date as a YYYY-MM-DD string")
    return value


def _number_only(value: object) -> object:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise ValueError("expected a whole number")
    return value


# A check for whole numbers sent as JSON numbers (pydantic alone would also take "5", true).
number_only = field_validator("k", mode="before")(_number_only)
# A calendar date sent as a YYYY-MM-DD string (pydantic alone would also take numbers).
Day = Annotated[date, BeforeValidator(_text_only)]


class FiltersIn(BaseModel):
    """Restrict retrieval to one source and/or a published-date range (inclusive)."""

    model_config = ConfigDict(extra="forbid")

    source: str | None = Field(default=None, max_length=200, description="Exact source name")
    published_from: Day | None = Field(default=None, description="YYYY-MM-DD")
    published_to: Day | None = Field(default=None, description="YYYY-MM-DD")

    def to_filters(self) -> SearchFilters | None:
        """The index layer's filters, or None when nothing is restricted."""
        filters = SearchFilters(
            self.source or None, iso(self.published_from), iso(self.published_to)
        )
        return None if filters == SearchFilters() else filters


def iso(day: date | None) -> str | None:
    """``YYYY-MM-DD``, or None."""
    return None if day is None else day.isoformat()


def to_filters(filters: FiltersIn | None) -> SearchFilters | None:
    """FiltersIn.to_filters for an optional value."""
    return None if filters is None else filters.to_filters()


class AskRequest(BaseModel):
    """A question, with the earlier turns of the conversation for follow-ups."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS, pattern=NOT_BLANK)
    history: list[Turn] = Field(default_factory=list, max_length=MAX_HISTORY_TURNS)
    k: int | None = Field(default=None, ge=1, le=MAX_K, description="Passages retrieved")
    filters: FiltersIn | None = None
    as_of: Day | None = Field(default=None, description="Answer as of this date (YYYY-MM-DD)")

    _k_is_a_number = number_only


class SearchRequest(BaseModel):
    """A search query: ranked passages without an answer."""

    model_config = ConfigDict(extra="forbid")

    query: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS, pattern=NOT_BLANK)
    k: int | None = Field(default=None, ge=1, le=MAX_K)
    filters: FiltersIn | None = None
    as_of: Day | None = Field(default=None, description="Search as of this date (YYYY-MM-DD)")

    _k_is_a_number = number_only


class SearchResponse(BaseModel):
    """Ranked passages for a query."""

    query: str
    passages: list[Passage]
    took_ms: float


class Health(BaseModel):
    """Whether the server can answer, with index counts."""

    status: Literal["ok", "degraded"]
    model_loaded: bool
    store_reachable: bool
    articles: int
    paragraphs: int
    vectors: int
    sources: int


class ErrorBody(BaseModel):
    """Every error response: a message for people (and, for invalid input, each problem)."""

    detail: str
    errors: list[dict[str, Any]] | None = None


def error_responses(*codes: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI documentation of our error statuses, for ``responses=``."""
    words = {
        400: "Bad request",
        401: "Missing or wrong API key",
        404: "Not found",
        409: "Another process is indexing",
        413: "Request body too large",
        415: "Unsupported content type",
        422: "Invalid input",
        503: "Not ready or store unavailable",
    }
    return {code: {"model": ErrorBody, "description": words[code]} for code in codes}
