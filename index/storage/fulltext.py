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


def text_match(dialect: Dialect, table: str, terms: list[str]) -> TextMatch:
    """How ``table`` (paragraphs_fts, statements_fts) matches any of ``terms`` on ``dialect``."""
    if dialect == "postgres":
        query = _tsquery(len(terms))
        return TextMatch(
            f"{table}.tsv @@ {query}", list(terms), f"ts_rank({table}.tsv, {query}, 1)", list(terms)
        )
    return TextMatch(f"{table} MATCH ?", [fts_query(terms)], f"-bm25({table})", [])
