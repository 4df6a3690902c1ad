"""Keyword search over the catalog's full-text index (persistent, updated incrementally):
SQLite's FTS5 with bm25, or PostgreSQL's text search (index.storage.fulltext)."""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from index.filters import SearchFilters
from index.storage.catalog import Catalog
from index.storage.fulltext import fts_query, text_match

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
# posting list is costly (bench/RESULTS.md: median search 16.7 -> 14.4 ms, p95 41 -> 28 ms,
# dropping terms in more than 10%). Small indexes are fast anyway.
PRUNE_FROM = 5_000
COUNTS_TTL = 60.0  # seconds a cached term count may be reused
_MAX_CACHED = 10_000


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


class TermCounts:
    """How many paragraphs hold each query term, for dropping the commonest terms of a query.

    Counts come from the full-text index itself, so they see the terms as its stemmer does. They are
    cached, and the cache is emptied when a paragraph is added past the newest one and at
    least every COUNTS_TTL seconds, so after a replacement or removal they may lag by up to
    that long: close enough to judge which terms are common. Safe to share between threads.
    """

    def __init__(
        self,
        catalog: Catalog,
        common_share: float,
        prune_from: int = PRUNE_FROM,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.catalog = catalog
        self.common_share = common_share
        self.prune_from = prune_from
        self.clock = clock
        self._cache: tuple[tuple[int, float], int, dict[str, int]] = ((-1, 0.0), 0, {})

    def rare_terms(self, terms: list[str]) -> list[str]:
        """``terms`` without those held by more than ``common_share`` of all paragraphs, when
        the index holds at least ``prune_from`` paragraphs and a kept term is held by at
        least one paragraph; otherwise ``terms`` unchanged."""
        if self.common_share >= 1.0 or len(terms) < 2:
            return terms
        total, counts = self._current()
        if total < self.prune_from:
            return terms
        held = dict(zip(terms, self._counts(counts, terms), strict=True))
        rare = [t for t in terms if held[t] <= self.common_share * total]
        return rare if any(held[t] for t in rare) else terms

    def idf(self, terms: list[str]) -> list[float]:
        """Each term's inverse document frequency, as BM25 weighs it:
        ln(1 + (N - n + 0.5) / (n + 0.5)) for a term held by n of N paragraphs."""
        total, counts = self._current()
        held = self._counts(counts, terms)
        return [math.log(1 + (total - n + 0.5) / (n + 0.5)) for n in held]

    def _current(self) -> tuple[int, dict[str, int]]:
        conn = self.catalog.connection()
        newest = conn.execute("SELECT coalesce(max(rowid), 0) FROM paragraphs").fetchone()[0]
        (cached_newest, since), total, counts = self._cache
        now = self.clock()
        if newest != cached_newest or now - since > COUNTS_TTL or len(counts) > _MAX_CACHED:
            total = conn.execute("SELECT count(*) FROM paragraphs").fetchone()[0]
            counts = {}
            self._cache = ((newest, now), total, counts)
        return total, counts

    def _counts(self, counts: dict[str, int], terms: list[str]) -> list[int]:
        """Each term's paragraph count, those not cached counted in one query (one round
        trip on a database server)."""
        missing = [term for term in dict.fromkeys(terms) if term not in counts]
        if missing:
            matches = [text_match(self.catalog.dialect, "paragraphs_fts", [t]) for t in missing]
            sql = "SELECT " + ", ".join(
                f"(SELECT count(*) FROM paragraphs_fts WHERE {m.condition})" for m in matches
            )
            params = [param for m in matches for param in m.condition_params]
            row = self.catalog.connection().execute(sql, params).fetchone()
            counts.update(zip(missing, (int(n) for n in row), strict=True))
        return [counts[term] for term in terms]


def keyword_search(
    catalog: Catalog,
    text: str,
    k: int,
    filters: SearchFilters | None = None,
    counts: TermCounts | None = None,
) -> list[KeywordHit]:
    """Up to ``k`` paragraphs ranked by BM25 against ``text``, best first. With ``counts`` and
    no filters, the query's commonest terms are left out (TermCounts.rare_terms); with
    filters they are kept, since the rarer terms may not occur in the filtered paragraphs."""
    filters = filters or SearchFilters()
    terms = query_terms(text)
    if counts is not None and filters == SearchFilters():
        terms = counts.rare_terms(terms)
    if not terms or k <= 0:
        return []
    if filters == SearchFilters() and catalog.dialect == "sqlite":
        return _unfiltered(catalog, terms, k)
    condition, params = filters.sql_where("p")
    weights = counts.idf(terms) if counts is not None and catalog.dialect == "postgres" else None
    match = text_match(catalog.dialect, "paragraphs_fts", terms, weights)
    sql = (
        f"SELECT p.id, {match.score} AS score FROM paragraphs_fts"
        " JOIN paragraphs p ON p.rowid = paragraphs_fts.rowid"
        f" WHERE {match.condition} AND {condition} ORDER BY score DESC, p.rowid LIMIT ?"
    )
    args = [*match.score_params, *match.condition_params, *params, k]
    return [KeywordHit(row[0], float(row[1])) for row in catalog.connection().execute(sql, args)]


def _unfiltered(catalog: Catalog, terms: list[str], k: int) -> list[KeywordHit]:
    # SQLite: rank inside FTS5 first, then look up only the k winners' ids: faster than a join.
    sql = (
        "SELECT p.id, f.score FROM (SELECT rowid, -bm25(paragraphs_fts) AS score"
        " FROM paragraphs_fts WHERE paragraphs_fts MATCH ? ORDER BY rank LIMIT ?) f"
        " JOIN paragraphs p ON p.rowid = f.rowid ORDER BY f.score DESC"
    )
    rows = catalog.connection().execute(sql, [fts_query(terms), k])
    return [KeywordHit(row[0], float(row[1])) for row in rows]
