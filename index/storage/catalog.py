"""The catalog: indexing records, paragraph texts and the keyword (FTS5, bm25) index,
all updated in the same transactions (boilerplate statistics share the file:
index.storage.fingerprints).

An article row is ``pending`` from the moment its vectors start changing until its paragraphs
are committed here; a ``pending`` article is re-indexed by the next run, which is what makes
an interrupted run resumable without duplicates or gaps.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from index.filters import SearchFilters, date_int
from index.models import Article, Paragraph
from index.storage.catalog_upgrades import upgrade
from index.storage.database import NO_LIMIT, Connection, Database, Dialect, SqliteDatabase
from index.storage.keyword_text import KEYWORD_TABLE, keyword_texts
from index.storage.records import (
    ARTICLE_COLUMNS,
    PARAGRAPH_COLUMNS,
    ArticleRecord,
    StoredParagraph,
)

_TABLES = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY, title TEXT, url TEXT, published TEXT, source TEXT, origin TEXT,
    text TEXT, content_hash TEXT, state TEXT, paragraphs INTEGER DEFAULT 0, indexed_at REAL
);
CREATE TABLE IF NOT EXISTS paragraphs (
    rowid INTEGER PRIMARY KEY, id TEXT UNIQUE, article_id TEXT, number INTEGER, text TEXT,
    title TEXT, url TEXT, published TEXT, published_int INTEGER, source TEXT
);
CREATE INDEX IF NOT EXISTS paragraphs_article ON paragraphs(article_id);
CREATE INDEX IF NOT EXISTS articles_origin ON articles(origin);
CREATE TABLE IF NOT EXISTS fingerprints (
    source TEXT, fp TEXT, article_id TEXT, PRIMARY KEY (source, fp, article_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS fingerprints_article ON fingerprints(article_id);
CREATE TABLE IF NOT EXISTS removals (article_id TEXT PRIMARY KEY);
"""
SCHEMA = _TABLES + KEYWORD_TABLE


ArticleWrite = Callable[[Connection, str], None]  # (transaction, article id)
IN_CHUNK = 500  # values per "IN (...)" query, well under SQLite's parameter limit


class Catalog:
    """The catalog on its database (index.storage.database): a SQLite file by default, or a
    PostgreSQL server shared by several processes. Thread-safe: one connection per thread."""

    def __init__(self, database: Database | Path) -> None:
        self.database = SqliteDatabase(database) if isinstance(database, Path) else database
        self.database.create_schema(SCHEMA)
        if isinstance(self.database, SqliteDatabase):
            upgrade(self.database.connection())
        else:
            self._create_module_tables()

    @property
    def dialect(self) -> Dialect:
        """Which engine holds the catalog: "sqlite" or "postgres"."""
        return self.database.dialect

    def connection(self) -> Connection:
        """This thread's connection, opened on first use."""
        return self.database.connection()

    def transaction(self) -> AbstractContextManager[Connection]:
        """A write transaction: committed on success, rolled back on any exception. Opened
        inside another one of this thread, it is part of that one (all or nothing)."""
        return self.database.transaction()

    def close(self) -> None:
        """Close this thread's connection to the database (the next use opens another)."""
        self.database.close()

    def _create_module_tables(self) -> None:
        # A shared server's catalog is made whole at once, in one locked transaction: tables
        # made on first use by several processes at the same moment could collide.
        from index.feeds.store import FEEDS_TABLE
        from index.statements.store import STATEMENT_TABLES
        from index.storage.sentence_vectors import SENTENCE_TABLES
        from index.storage.stories import STORY_TABLES

        self.database.create_schema(
            ";".join([FEEDS_TABLE, *STATEMENT_TABLES, *SENTENCE_TABLES, *STORY_TABLES])
        )

    # --- records -------------------------------------------------------------------------

    def select_in(self, sql: str, values: Iterable[Any], *before: Any) -> Iterator[Any]:
        """The rows of ``sql`` for all of ``values``, queried IN_CHUNK at a time (SQLite caps
        the number of parameters): ``{marks}`` in ``sql`` becomes the chunk's placeholders,
        bound after the ``before`` parameters."""
        value_list = list(values)
        for start in range(0, len(value_list), IN_CHUNK):
            chunk = value_list[start : start + IN_CHUNK]
            marks = ",".join("?" * len(chunk))
            yield from self.connection().execute(sql.replace("{marks}", marks), [*before, *chunk])

    def records(self, ids: Iterable[str]) -> dict[str, ArticleRecord]:
        """The records of those of ``ids`` that are in the catalog."""
        sql = f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE id IN ({{marks}})"
        return {row[0]: ArticleRecord(*row) for row in self.select_in(sql, ids)}

    def list_articles(
        self, offset: int = 0, limit: int | None = None, filters: SearchFilters | None = None
    ) -> list[ArticleRecord]:
        """Indexed articles, newest first, optionally of one source and a published range."""
        condition, params = (filters or SearchFilters()).articles_sql_where()
        sql = f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE {condition}"
        sql += " ORDER BY published DESC, id LIMIT ? OFFSET ?"
        rows = self.connection().execute(sql, (*params, limit or NO_LIMIT, offset))
        return [ArticleRecord(*row) for row in rows]

    def count_articles(self, filters: SearchFilters | None = None) -> int:
        """How many indexed articles match ``filters``."""
        condition, params = (filters or SearchFilters()).articles_sql_where()
        sql = f"SELECT count(*) FROM articles WHERE {condition}"
        return int(self.connection().execute(sql, params).fetchone()[0])

    def article_text(self, article_id: str) -> str | None:
        """The full text of an indexed article, or None."""
        row = (
            self.connection()
            .execute("SELECT text FROM articles WHERE id = ?", (article_id,))
            .fetchone()
        )
        return None if row is None else str(row[0])

    def load_article(self, article_id: str) -> Article | None:
        """Rebuild an indexed article from the catalog (to re-split it), or None."""
        row = (
            self.connection()
            .execute(
                "SELECT id, title, text, url, published, source, origin FROM articles WHERE id = ?",
                (article_id,),
            )
            .fetchone()
        )
        return None if row is None else Article(*row)

    def origin_articles(self, origin: str) -> set[str]:
        """Ids of the articles last read from ``origin`` (a path or URL)."""
        rows = self.connection().execute("SELECT id FROM articles WHERE origin = ?", (origin,))
        return {row[0] for row in rows}

    def set_origins(self, origins: dict[str, str]) -> None:
        """Record where unchanged articles were read from this time: {article_id: origin}."""
        with self.transaction() as conn:
            conn.executemany(
                "UPDATE articles SET origin = ? WHERE id = ? AND origin IS DISTINCT FROM ?",
                [(origin, article_id, origin) for article_id, origin in origins.items()],
            )

    def pending_ids(self) -> list[str]:
        """Ids of the articles whose indexing has started but not finished."""
        sql = "SELECT id FROM articles WHERE state = 'pending' ORDER BY id"
        return [row[0] for row in self.connection().execute(sql)]

    def mark_ids_pending(self, article_ids: Sequence[str]) -> None:
        """Mark indexed articles as needing to be indexed again (e.g. to be re-split)."""
        with self.transaction() as conn:
            conn.executemany(
                "UPDATE articles SET state = 'pending' WHERE id = ?", [(i,) for i in article_ids]
            )

    def mark_pending(self, articles: Sequence[Article], hashes: Sequence[str]) -> None:
        """Record that these articles' vectors are about to change."""
        with self.transaction() as conn:
            conn.executemany(
                "INSERT INTO articles (id, title, url, published, source, origin, text,"
                " content_hash, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending')"
                " ON CONFLICT(id) DO UPDATE SET title=excluded.title, url=excluded.url,"
                " published=excluded.published, source=excluded.source, origin=excluded.origin,"
                " text=excluded.text, content_hash=excluded.content_hash, state='pending'",
                [
                    (a.id, a.title, a.url, a.published, a.source, a.origin, a.text, h)
                    for a, h in zip(articles, hashes, strict=True)
                ],
            )

    def commit_paragraphs(
        self, paragraphs_by_article: dict[str, list[Paragraph]], also: ArticleWrite | None = None
    ) -> None:
        """Replace the paragraphs of these articles and mark them done, atomically; ``also``
        writes what else belongs to each article (its statements) in the same transaction."""
        with self.transaction() as conn:
            for article_id, paragraphs in paragraphs_by_article.items():
                self._delete_paragraphs(conn, article_id)
                self._insert_paragraphs(conn, article_id, paragraphs)
                if also is not None:
                    also(conn, article_id)
                conn.execute(
                    "UPDATE articles SET state='done', paragraphs=?, indexed_at=? WHERE id = ?",
                    (len(paragraphs), time.time(), article_id),
                )

    def _insert_paragraphs(
        self, conn: Connection, article_id: str, paragraphs: list[Paragraph]
    ) -> None:
        meta = conn.execute(
            "SELECT title, url, published, source FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        ordered = sorted(paragraphs, key=lambda p: p.number)
        bodies = keyword_texts(meta[0] or "", [p.text for p in ordered])
        # Three statements per article, not two per paragraph: on PostgreSQL each is a round
        # trip.
        conn.executemany(
            "INSERT INTO paragraphs (id, article_id, number, text, title, url, published,"
            " published_int, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (p.id, article_id, p.number, p.text, *meta[:3], date_int(meta[2]), meta[3])
                for p in ordered
            ],
        )
        rowids = dict(
            conn.execute("SELECT id, rowid FROM paragraphs WHERE article_id = ?", (article_id,))
        )
        conn.executemany(
            "INSERT INTO paragraphs_fts (rowid, body) VALUES (?, ?)",
            [(rowids[p.id], body) for p, body in zip(ordered, bodies, strict=True)],
        )

    @staticmethod
    def _delete_paragraphs(conn: Connection, article_id: str) -> None:
        conn.execute(
            "DELETE FROM paragraphs_fts WHERE rowid IN"
            " (SELECT rowid FROM paragraphs WHERE article_id = ?)",
            (article_id,),
        )
        conn.execute("DELETE FROM paragraphs WHERE article_id = ?", (article_id,))

    def remove(self, article_id: str, also: ArticleWrite | None = None) -> bool:
        """Delete an article, its paragraphs and its fingerprints, leaving a removal record
        until its vectors are gone too (see ``removals``); ``also`` deletes what else belongs
        to it in the same transaction. False if it was not there."""
        with self.transaction() as conn:
            self._delete_paragraphs(conn, article_id)
            if also is not None:
                also(conn, article_id)
            conn.execute("DELETE FROM fingerprints WHERE article_id = ?", (article_id,))
            if conn.execute("DELETE FROM articles WHERE id = ?", (article_id,)).rowcount == 0:
                return False
            conn.execute("INSERT INTO removals VALUES (?) ON CONFLICT DO NOTHING", (article_id,))
            return True

    def removals(self) -> list[str]:
        """Removed articles whose vectors may still be in the vector store."""
        return [row[0] for row in self.connection().execute("SELECT article_id FROM removals")]

    def clear_removals(self, article_ids: Sequence[str]) -> None:
        """Forget removal records once the vectors are deleted."""
        with self.transaction() as conn:
            conn.executemany(
                "DELETE FROM removals WHERE article_id = ?", [(i,) for i in article_ids]
            )

    # --- reads for retrieval -------------------------------------------------------------

    def paragraphs(self, ids: Sequence[str]) -> dict[str, StoredParagraph]:
        """The stored paragraphs with these ids (missing ids are left out)."""
        sql = f"SELECT {PARAGRAPH_COLUMNS} FROM paragraphs WHERE id IN ({{marks}})"
        return {row[0]: StoredParagraph(*row) for row in self.select_in(sql, ids)}

    def article_paragraphs(self, article_id: str) -> list[StoredParagraph]:
        """Every stored paragraph of one article, in order."""
        sql = f"SELECT {PARAGRAPH_COLUMNS} FROM paragraphs WHERE article_id = ? ORDER BY number"
        return [StoredParagraph(*row) for row in self.connection().execute(sql, (article_id,))]

    def paragraph_ids(self) -> list[str]:
        """Every stored paragraph id (for consistency checks)."""
        return [row[0] for row in self.connection().execute("SELECT id FROM paragraphs")]

    def stats(self) -> dict[str, int]:
        """Counts of articles (by state), paragraphs and sources."""
        conn = self.connection()
        counts = dict(
            conn.execute("SELECT state, count(*) FROM articles GROUP BY state").fetchall()
        )
        return {
            "articles": sum(counts.values()),
            "pending": counts.get("pending", 0),
            "paragraphs": conn.execute("SELECT count(*) FROM paragraphs").fetchone()[0],
            "sources": conn.execute("SELECT count(DISTINCT source) FROM articles").fetchone()[0],
        }
