"""BM25 keyword search over the catalog's FTS5 index (persistent, updated incrementally)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.catalog import Catalog
from index.filters import SearchFilters

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    out over own same she should so some such than that the their theirs them then there these
    they this those through to too under until up very was we were what when where which while
    who whom why will with would you your yours this week which whose""".split()  # noqa: SIM905
)
TERM = re.compile(r"[\w$%]+(?:['’][\w]+)?", re.UNICODE)


@dataclass(frozen=True)
class KeywordHit:
    """A paragraph id and its BM25 score (higher is better)."""

    id: str
    score: float


def query_terms(text: str) -> list[str]:
    """The distinct searchable terms of ``text``, in order, stopwords dropped."""
    seen: dict[str, None] = {}
    for match in TERM.finditer(text.lower()):
        term = match.group().replace("’", "'")
        if term not in STOPWORDS and (len(term) > 1 or term.isdigit()):
            seen.setdefault(term, None)
    return list(seen)


def fts_query(terms: list[str]) -> str:
    """An FTS5 MATCH expression: any of the terms, each quoted so no syntax can leak in."""
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)


def keyword_search(
    catalog: Catalog, text: str, k: int, filters: SearchFilters | None = None
) -> list[KeywordHit]:
    """Up to ``k`` paragraphs ranked by BM25 against ``text``, best first."""
    terms = query_terms(text)
    if not terms or k <= 0:
        return []
    filters = filters or SearchFilters()
    if filters == SearchFilters():
        # Rank inside FTS5 first, then look up only the k winners' ids: faster than a join.
        sql = (
            "SELECT p.id, f.score FROM (SELECT rowid, -bm25(paragraphs_fts) AS score"
            " FROM paragraphs_fts WHERE paragraphs_fts MATCH ? ORDER BY rank LIMIT ?) f"
            " JOIN paragraphs p ON p.rowid = f.rowid ORDER BY f.score DESC"
        )
        rows = catalog.connection().execute(sql, [fts_query(terms), k])
        return [KeywordHit(row[0], float(row[1])) for row in rows]
    condition, params = filters.sql_where("p")
    sql = (
        "SELECT p.id, -bm25(paragraphs_fts) AS score FROM paragraphs_fts"
        " JOIN paragraphs p ON p.rowid = paragraphs_fts.rowid"
        f" WHERE paragraphs_fts MATCH ? AND {condition} ORDER BY bm25(paragraphs_fts) LIMIT ?"
    )
    rows = catalog.connection().execute(sql, [fts_query(terms), *params, k])
    return [KeywordHit(row[0], float(row[1])) for row in rows]
