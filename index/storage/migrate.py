"""Moving a collection onto shared servers without embedding anything again: the catalog
from its SQLite file into an empty PostgreSQL database, and the vectors from one Chroma (the
embedded one) into another (a server).

Rows are copied as they are, row ids included, so the keyword index, statements and stories
keep pointing at the right paragraphs; PostgreSQL's identity counters then continue after
the largest copied id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from index.errors import MigrationError
from index.storage.catalog import Catalog
from index.storage.vectors import ChromaStore

# Every catalog table, in an order that keeps the copy readable; full-text tables copy the
# row id and the indexed text (PostgreSQL computes its tsvector from it).
TABLES = (
    "articles", "paragraphs", "paragraphs_fts", "fingerprints", "removals", "statements",
    "statements_fts", "sentence_vectors", "story_paragraphs", "story_bands", "feeds",
)  # fmt: skip
FULL_TEXT = {"paragraphs_fts", "statements_fts"}
IDENTITY = {"paragraphs": "rowid", "statements": "rowid", "story_paragraphs": "member",
            "feeds": "id"}  # fmt: skip
BATCH = 1000
Progress = Callable[[str, int], None]  # (table or "vectors", rows copied so far)


def copy_catalog(source: Catalog, target: Catalog, progress: Progress | None = None) -> int:
    """Copy every row of ``source`` into ``target``, an empty PostgreSQL catalog, in one
    transaction (all or nothing); the number of rows copied."""
    if target.dialect != "postgres":
        raise MigrationError("the target of a migration is a PostgreSQL database")
    if (
        target.stats()["articles"]
        or target.connection().execute("SELECT count(*) FROM feeds").fetchone()[0]
    ):
        raise MigrationError(f"{target.database.describe()} already holds a catalog")
    copied = 0
    with target.transaction() as conn:
        for table in [t for t in TABLES if _exists(source, t)]:
            columns = _columns(source, table)
            sql = (
                f"INSERT INTO {table} ({', '.join(_quoted(columns))})"
                f" VALUES ({', '.join('?' * len(columns))})"
            )
            for rows in _batches(source, table, columns):
                conn.executemany(sql, rows)
                copied += len(rows)
                if progress:
                    progress(table, copied)
        for table, column in IDENTITY.items():
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'),"
                f" (SELECT coalesce(max({column}), 0) + 1 FROM {table}), false)"
            )
    return copied


def copy_vectors(source: ChromaStore, target: ChromaStore, progress: Progress | None = None) -> int:
    """Copy every vector, with its metadata and text, from ``source`` into ``target``
    (an upsert: copying twice is harmless); the number copied."""
    if target.count():
        raise MigrationError("the target Chroma collection already holds vectors")
    copied, total = 0, source.count()
    for offset in range(0, total, BATCH):
        got = source.collection.get(
            include=["embeddings", "metadatas", "documents"], limit=BATCH, offset=offset
        )
        target.upsert(got["ids"], got["embeddings"], got["metadatas"], got["documents"])
        copied += len(got["ids"])
        if progress:
            progress("vectors", copied)
    return copied


def _exists(catalog: Catalog, table: str) -> bool:
    # A table made on first use (statements, stories...) may be missing from an old file.
    sql = "SELECT count(*) FROM sqlite_master WHERE name = ?"
    return catalog.dialect != "sqlite" or bool(
        catalog.connection().execute(sql, (table,)).fetchone()[0]
    )


def _columns(catalog: Catalog, table: str) -> list[str]:
    if table in FULL_TEXT:
        return ["rowid", "body"]
    cursor: Any = catalog.connection().execute(f"SELECT * FROM {table} LIMIT 0")
    return [d[0] for d in cursor.description]


def _quoted(columns: list[str]) -> list[str]:
    return [f'"{c}"' if c == "end" else c for c in columns]  # END is reserved in PostgreSQL


def _batches(catalog: Catalog, table: str, columns: list[str]) -> Iterator[list[tuple[Any, ...]]]:
    cursor = catalog.connection().execute(f"SELECT {', '.join(_quoted(columns))} FROM {table}")
    while True:
        rows: list[tuple[Any, ...]] = cursor.fetchmany(BATCH)  # type: ignore[attr-defined]
        if not rows:
            return
        yield rows
