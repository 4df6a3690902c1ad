"""Request and response bodies of the HTTP API. The requests are the service's own (qa.requests),
read strictly as JSON; their limits are pydantic constraints, so they are stated in the OpenAPI
schema and refused with 422 before any work is done."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, field_validator

from qa.models import Passage
from qa.requests import AskQuery, Filters, SearchQuery

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


# JSON is stricter than the service's requests (qa.requests): a whole number must be sent as a
# JSON number (pydantic alone would also take "5", true), and a day as a YYYY-MM-DD string.
number_only = field_validator("k", mode="before")(_number_only)
Day = Annotated[date, BeforeValidator(_text_only)]


class FiltersIn(Filters):
    """Restrict retrieval to one source and/or a published-date range (inclusive)."""

    published_from: Day | None = Field(default=None, description="YYYY-MM-DD")
    published_to: Day | None = Field(default=None, description="YYYY-MM-DD")


class AskRequest(AskQuery):
    """A question, with the earlier turns of the conversation for follow-ups."""

    filters: FiltersIn | None = None
    as_of: Day | None = Field(default=None, description="Answer as of this date (YYYY-MM-DD)")

    _k_is_a_number = number_only


class SearchRequest(SearchQuery):
    """A search query: ranked passages without an answer."""

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
    database: Literal["sqlite", "postgres"]
    database_reachable: bool
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
