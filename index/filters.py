"""Search filters shared by the vector store and the keyword index."""

from __future__ import annotations

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
        """An SQL condition over the paragraphs table (``alias``) and its parameters."""
        conditions: list[str] = ["1"]
        params: list[Any] = []
        if self.source:
            conditions.append(f"{alias}.source = ?")
            params.append(self.source)
        if self.published_from:
            conditions.append(f"{alias}.published_int >= ?")
            params.append(date_int(self.published_from))
        if self.published_to:
            conditions.append(f"{alias}.published_int <= ?")
            params.append(date_int(self.published_to))
        return " AND ".join(conditions), params


def date_int(date: str) -> int:
    """``"2024-04-18"`` -> ``20240418``; ``""`` -> 0 (unknown dates sort first)."""
    digits = date.replace("-", "")[:8]
    return int(digits) if digits.isdigit() and len(digits) == 8 else 0
