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
# On an index of at least PRUNE_FROM paragraphs, a query term held by more than a given share
# of them is dropped when rarer terms remain: its bm25 weight is small, but scoring its long
# posting list was most of a search's time (bench/RESULTS.md). Small indexes are fast anyway.
PRUNE_FROM = 5_000
_MAX_CACHED_TERMS = 10_000


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


class TermCounts:
    """How many paragraphs hold each query term, for dropping the commonest terms of a query.

    Counts are cached until the catalog's newest paragraph changes (an article added or
    replaced); after a removal alone they may be slightly high until then, which only makes
    the choice of terms to drop approximate. Safe to share between threads.
    """

    def __init__(self, catalog: Catalog, common_share: float, prune_from: int = PRUNE_FROM):
        self.catalog = catalog
        self.common_share = common_share
        self.prune_from = prune_from
        self._cache: tuple[int, int, dict[str, int]] = (-1, 0, {})

    def rare_terms(self, terms: list[str]) -> list[str]:
        """``terms`` without those held by more than ``common_share`` of all paragraphs, when
        the index holds at least ``prune_from`` paragraphs and one of the terms is rarer;
        otherwise ``terms`` unchanged."""
        if self.common_share >= 1.0 or len(terms) < 2:
            return terms
        _, total, counts = self._current()
        if total < self.prune_from:
            return terms
        limit = self.common_share * total
        rare = [t for t in terms if self._count(counts, t) <= limit]
        return rare or terms

    def _current(self) -> tuple[int, int, dict[str, int]]:
        conn = self.catalog.connection()
        newest = conn.execute("SELECT coalesce(max(rowid), 0) FROM paragraphs").fetchone()[0]
        cache = self._cache
        if cache[0] != newest or len(cache[2]) > _MAX_CACHED_TERMS:
            total = conn.execute("SELECT count(*) FROM paragraphs").fetchone()[0]
            cache = self._cache = (newest, total, {})
        return cache

    def _count(self, counts: dict[str, int], term: str) -> int:
        if term not in counts:
            sql = "SELECT count(*) FROM paragraphs_fts WHERE paragraphs_fts MATCH ?"
            row = self.catalog.connection().execute(sql, [fts_query([term])]).fetchone()
            counts[term] = int(row[0])
        return counts[term]


def keyword_search(
    catalog: Catalog,
    text: str,
    k: int,
    filters: SearchFilters | None = None,
    counts: TermCounts | None = None,
) -> list[KeywordHit]:
    """Up to ``k`` paragraphs ranked by BM25 against ``text``, best first; with ``counts``,
    the query's commonest terms are left out (see TermCounts.rare_terms)."""
    terms = query_terms(text)
    if counts is not None:
        terms = counts.rare_terms(terms)
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
