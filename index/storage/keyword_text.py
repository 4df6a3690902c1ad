"""What the keyword index holds for each paragraph: its article's title, the last sentence of
the paragraph before it, and the paragraph itself.

A news paragraph often says "he" or "the city" where the sentence before it named them, so
the previous sentence lets bm25 find the paragraph by those names (bench/RESULTS.md: the whole
previous paragraph, or the next one's first sentence too, ranked worse). Only the search sees
this text: citations quote the paragraph alone. A catalog whose keyword index was built
otherwise is rebuilt from its stored paragraphs when opened (index.storage.catalog_upgrades).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from itertools import groupby

from index.split.sentences import sentence_spans

KEYWORD_TABLE = """
CREATE VIRTUAL TABLE IF NOT EXISTS paragraphs_fts USING fts5(
    body, tokenize = 'porter unicode61 remove_diacritics 2'
);
"""


def last_sentence(text: str) -> str:
    """The last sentence of ``text`` (all of it when no sentence is found)."""
    spans = sentence_spans(text)
    return text[spans[-1][0] : spans[-1][1]] if spans else text


def keyword_texts(title: str, texts: Sequence[str]) -> list[str]:
    """One keyword-index text per paragraph of an article, ``texts`` given in article order:
    the title, the previous paragraph's last sentence (none for the first), the paragraph."""
    bodies: list[str] = []
    previous = ""
    for text in texts:
        bodies.append("\n".join(part for part in (title, previous, text) if part))
        previous = last_sentence(text)
    return bodies


def rebuild_keyword_index(conn: sqlite3.Connection) -> bool:
    """Re-create ``paragraphs_fts`` from the stored paragraphs (inside the caller's
    transaction); True when there was a paragraph to index."""
    # Dropping the table is ten times faster than deleting its rows one by one.
    conn.execute("DROP TABLE IF EXISTS paragraphs_fts")
    conn.execute(KEYWORD_TABLE)
    rows = conn.execute(
        "SELECT rowid, article_id, text, coalesce(title, '') FROM paragraphs"
        " ORDER BY article_id, number"
    )
    rebuilt = False
    for _, group in groupby(rows, key=lambda row: row[1]):
        article = list(group)
        bodies = keyword_texts(article[0][3], [row[2] for row in article])
        conn.executemany(
            "INSERT INTO paragraphs_fts (rowid, body) VALUES (?, ?)",
            [(row[0], body) for row, body in zip(article, bodies, strict=True)],
        )
        rebuilt = True
    return rebuilt
