"""Search filters shared by the vector store and the keyword index."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SearchFilters:
    """Restrict a search to one source and/or a published-date range (inclusive, YYYY-MM-DD)."""

    source: str | None = None
    published_from: str | None = None
    published_to: str | None = None

    def chroma_where(self) -> dict[str, Any] | None:
        """The Chroma ``where`` clause; dates are stored as integers YYYYMMDD for range filters."""
        clauses: list[dict[str, Any]] = []
        if self.source:
            clauses.append({"source": self.source})
        if self.published_from:
            clauses.append({"published_int": {"$gte": date_int(self.published_from)}})
        if self.published_to:
            clauses.append({"published_int": {"$lte": date_int(self.published_to)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def sql_where(self, alias: str = "p") -> tuple[str, list[Any]]:
        """An SQL condition over the paragraphs table (``alias``) and its parameters; dates
        are compared as YYYYMMDD integers, so an undated paragraph (0) is before any day."""
        return self._condition(f"{alias}.source", f"{alias}.published_int", date_int, "")

    def articles_sql_where(self) -> tuple[str, list[Any]]:
        """An SQL condition over the articles table and its parameters; dates are compared as
        YYYY-MM-DD text, and an article of unknown date is outside any date range."""
        return self._condition("source", "published", str, "published != '' AND ")

    def _condition(
        self, source: str, published: str, encode: Callable[[str], Any], known: str
    ) -> tuple[str, list[Any]]:
        conditions: list[str] = ["1 = 1"]
        params: list[Any] = []
        if self.source:
            conditions.append(f"{source} = ?")
            params.append(self.source)
        for bound, operator in ((self.published_from, ">="), (self.published_to, "<=")):
            if bound:
                conditions.append(f"{known}{published} {operator} ?")
                params.append(encode(bound))
        return " AND ".join(conditions), params


def date_int(date: str) -> int:
    """``"2024-04-18"`` -> ``20240418``; ``""`` -> 0 (unknown dates sort first)."""
    digits = date.replace("-", "")[:8]
    return int(digits) if digits.isdigit() and len(digits) == 8 else 0
