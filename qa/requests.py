"""What a question asks, defined once: the question (or search query), the conversation before
it, how many passages, filters and an as-of day, with their limits. QAService takes these
models; the HTTP API's request bodies are (stricter) subclasses of them, and the CLI and the
web UI build them with ``request``, so a question is checked the same way at every entry."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from index.filters import SearchFilters
from qa.errors import QuestionRejected
from qa.models import AnswerMode, Turn
from qa.question.recency import parse_day

# Limits of a request. They are part of the OpenAPI schema (pydantic Field constraints), so
# they are fixed here rather than configurable per deployment.
MAX_QUESTION_CHARS = 2000
MAX_K = 50
MAX_HISTORY_TURNS = 20
# Not blank: one character that is no space in Python's regexes nor in JSON Schema's
# (ECMAScript's), which disagree on \x1c-\x1f, \x85 (Python: space) and \ufeff (ECMAScript:
# space); with plain \S, a question of only "\x85" fitted the schema and got a 422.
NOT_BLANK = "[^\\s\x1c-\x1f\x85\ufeff]"

# A calendar day, optional: a date, text YYYY-MM-DD or YYYY/MM/DD, or None (or blank text).
Day = Annotated[date | None, BeforeValidator(parse_day)]


class Filters(BaseModel):
    """Restrict retrieval to one source and/or a published-date range (inclusive)."""

    model_config = ConfigDict(extra="forbid")

    source: str | None = Field(default=None, max_length=200, description="Exact source name")
    published_from: Day = Field(default=None, description="YYYY-MM-DD")
    published_to: Day = Field(default=None, description="YYYY-MM-DD")

    def search_filters(self) -> SearchFilters | None:
        """The index layer's filters, or None when nothing is restricted."""
        filters = SearchFilters(
            self.source or None, iso(self.published_from), iso(self.published_to)
        )
        return None if filters == SearchFilters() else filters


class SearchQuery(BaseModel):
    """A search query: ranked passages without an answer."""

    model_config = ConfigDict(extra="forbid")

    query: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS, pattern=NOT_BLANK)
    k: int | None = Field(default=None, ge=1, le=MAX_K, description="Passages retrieved")
    filters: Filters | None = None
    as_of: Day = Field(default=None, description="Search as of this date (YYYY-MM-DD)")

    def search_filters(self) -> SearchFilters | None:
        """The index layer's filters of this request, or None."""
        return None if self.filters is None else self.filters.search_filters()


class AskQuery(BaseModel):
    """A question, with the earlier turns of the conversation for follow-ups."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS, pattern=NOT_BLANK)
    history: list[Turn] = Field(default_factory=list, max_length=MAX_HISTORY_TURNS)
    k: int | None = Field(default=None, ge=1, le=MAX_K, description="Passages retrieved")
    filters: Filters | None = None
    as_of: Day = Field(default=None, description="Answer as of this date (YYYY-MM-DD)")
    mode: AnswerMode | None = Field(
        default=None,
        description='"extractive" (quoted sentences) or "llm" (an LLM\'s checked sentences);'
        " unset: the server's default",
    )

    def search_filters(self) -> SearchFilters | None:
        """The index layer's filters of this request, or None."""
        return None if self.filters is None else self.filters.search_filters()


Request = TypeVar("Request", bound=BaseModel)


def request(model: type[Request], names: Mapping[str, str] | None = None, **fields: Any) -> Request:
    """``model`` made of ``fields`` (None values left out, so defaults apply); raises
    QuestionRejected saying what is wrong, in words fit to show the user, each field called
    by its name in ``names`` when given (a command-line option: "--since")."""
    try:
        return model(**{name: value for name, value in fields.items() if value is not None})
    except ValidationError as exc:
        raise QuestionRejected(rejection(exc, names or {})) from None


def rejection(exc: ValidationError, names: Mapping[str, str]) -> str:
    """The problems of a rejected request, one sentence each."""
    return " ".join(_sentence(error, names) for error in exc.errors())


def _sentence(error: Any, names: Mapping[str, str]) -> str:
    where = ".".join(str(part) for part in error["loc"])
    if where in ("question", "query"):
        if error["type"] in ("string_too_short", "string_pattern_mismatch", "missing"):
            return "The question is empty."
        if error["type"] == "string_too_long":
            return f"The question is longer than {error['ctx']['max_length']} characters."
    where = names.get(where, where)
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{where} {message}." if message.startswith("must ") else f"{where}: {message}."


def iso(day: date | None) -> str | None:
    """``YYYY-MM-DD``, or None."""
    return None if day is None else day.isoformat()


def asking(question: str, history: Sequence[Turn] | None = None, **fields: Any) -> AskQuery:
    """The checked request to ask ``question`` after ``history`` (``fields``: k, filters,
    as_of); raises QuestionRejected as ``request`` does."""
    return request(AskQuery, question=question, history=list(history or []), **fields)


def searching(query: str, **fields: Any) -> SearchQuery:
    """The checked request to search for ``query`` (``fields``: k, filters, as_of)."""
    return request(SearchQuery, query=query, **fields)
