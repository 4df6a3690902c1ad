"""What the keyword index holds for each paragraph: its article's title, the last sentence of
the paragraph before it, and the paragraph itself.

A news paragraph often says "he" or "the city" where the sentence before it named them, so
the previous sentence lets bm25 find the paragraph by those names (bench/RESULTS.md: the whole
previous paragraph, or the next one's first sentence too, ranked worse). Only the search sees
this text: citations quote the paragraph alone.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from itertools import groupby

from index.sentences import sentence_spans

# PRAGMA user_version of a catalog whose keyword index is built as below; an older catalog's
# keyword index is rebuilt from its stored paragraphs when it is opened (no model needed).
KEYWORD_TEXT_VERSION = 1
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


def rebuild_if_older(conn: sqlite3.Connection) -> bool:
    """Rebuild ``paragraphs_fts`` from the stored paragraphs when the catalog's user_version
    is below KEYWORD_TEXT_VERSION, in one transaction, and set it; True when it rebuilt.
    An up-to-date catalog is left alone; so is one another process holds the write lock of
    for longer than the connection's busy timeout (it keeps working, and is upgraded by the
    next open)."""
    if _version(conn) >= KEYWORD_TEXT_VERSION:
        return False
    try:
        conn.execute("BEGIN IMMEDIATE")  # another process may be upgrading the same file
    except sqlite3.OperationalError:
        return False
    try:
        rebuilt = _version(conn) < KEYWORD_TEXT_VERSION and _rebuild(conn)
        conn.execute(f"PRAGMA user_version = {KEYWORD_TEXT_VERSION}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return rebuilt


def _version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _rebuild(conn: sqlite3.Connection) -> bool:
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
