"""Full-text match and rank, the one part of the catalog's SQL the two engines spell apart.

SQLite: an FTS5 table (porter stemmer), ranked by its bm25(). PostgreSQL: a table with a
``tsv`` column (to_tsvector('english'), a GIN index), ranked by ts_rank with length
normalisation: not BM25, but the same idea of term frequency against document length
(bench/RESULTS.md compares the two on the dev questions). Either way a query is "any of
these terms", each term passed as a parameter so no query syntax can leak in.
"""

from __future__ import annotations

from dataclasses import dataclass

from index.storage.database import Dialect


def fts_query(terms: list[str]) -> str:
    """An FTS5 MATCH expression: any of the terms, each quoted so no syntax can leak in."""
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)


def _tsquery(count: int) -> str:
    # plainto_tsquery stems a term and drops English stopwords; || is "or".
    return "(" + " || ".join(["plainto_tsquery('english', ?)"] * count) + ")"


@dataclass(frozen=True)
class TextMatch:
    """SQL fragments that find and score the rows of one full-text table holding any of
    ``terms``: ``condition`` for a WHERE clause and ``score`` (higher is better), each with
    its parameters, naming the table by its own name."""

    condition: str
    condition_params: list[object]
    score: str
    score_params: list[object]


def text_match(
    dialect: Dialect, table: str, terms: list[str], weights: list[float] | None = None
) -> TextMatch:
    """How ``table`` (paragraphs_fts, statements_fts) matches any of ``terms`` on ``dialect``.

    On PostgreSQL, ``weights`` (one per term: its inverse document frequency) make the score
    the weighted sum of each term's ts_rank: ts_rank alone knows no document frequencies, so
    a common word would count as much as a rare name (bench/RESULTS.md)."""
    if dialect == "sqlite":
        return TextMatch(f"{table} MATCH ?", [fts_query(terms)], f"-bm25({table})", [])
    condition = f"{table}.tsv @@ {_tsquery(len(terms))}"
    if weights is None:
        score = f"ts_rank({table}.tsv, {_tsquery(len(terms))}, 1)"
        return TextMatch(condition, list(terms), score, list(terms))
    per_term = f"? * ts_rank({table}.tsv, plainto_tsquery('english', ?), 1)"
    score_params: list[object] = [p for pair in zip(weights, terms, strict=True) for p in pair]
    score = "(" + " + ".join([per_term] * len(terms)) + ")"
    return TextMatch(condition, list(terms), score, score_params)
