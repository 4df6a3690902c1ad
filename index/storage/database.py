"""The catalog's database: a SQLite file in the data folder (the default) or a PostgreSQL
server shared by any number of newsdesk processes (``NEWSDESK_DATABASE_URL``;
index.storage.postgres).

Both are used through the same small interface, DB-API style: ``connection()`` gives this
thread's connection, ``transaction()`` an all-or-nothing write, and every module writes its
SQL once, with ``?`` placeholders, in the dialect both engines share. What they do not share
is kept behind ``dialect``: the full-text match and rank (index.storage.fulltext) and schema
upgrades of old SQLite files (index.storage.catalog_upgrades).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Literal, Protocol

from index.storage.lock import IndexLock

Dialect = Literal["sqlite", "postgres"]
NO_LIMIT = 2**62  # "LIMIT ?" for all rows: SQLite refuses NULL and PostgreSQL refuses -1


class Cursor(Protocol):
    """The part of a DB-API cursor the catalog uses."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """The part of a DB-API connection the catalog uses (sqlite3's, or PgConnection)."""

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Cursor: ...

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> Cursor: ...


class Database(Protocol):
    """One engine holding the catalog."""

    dialect: Dialect

    def connection(self) -> Connection:
        """This thread's connection, opened on first use."""
        ...

    def transaction(self) -> AbstractContextManager[Connection]:
        """A write transaction: committed on success, rolled back on any exception; opened
        inside another one of this thread, it is part of that one."""
        ...

    def create_schema(self, script: str) -> None:
        """Create the tables of ``script`` (statements separated by ``;``) where missing."""
        ...

    def index_lock(self) -> AbstractContextManager[object]:
        """Held while indexing: a second indexer of the same collection gets IndexLocked."""
        ...

    def describe(self) -> str:
        """Where the catalog is, for messages (never a password)."""
        ...

    def close(self) -> None:
        """Close this thread's connection (the next use opens another)."""
        ...


class SqliteDatabase:
    """The catalog file (one SQLite connection per thread, WAL mode); indexers of the same
    data folder are kept apart by a lock file beside it."""

    dialect: Dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()

    def connection(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (BEGIN IMMEDIATE: writers queue for the file's lock)."""
        conn = self.connection()
        if getattr(self._local, "depth", 0):
            self._local.depth += 1
            try:
                yield conn
            finally:
                self._local.depth -= 1
            return
        conn.execute("BEGIN IMMEDIATE")
        self._local.depth = 1
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        finally:
            self._local.depth = 0
        conn.execute("COMMIT")

    def create_schema(self, script: str) -> None:
        """Create the tables of ``script`` where missing (executescript commits itself)."""
        self.connection().executescript(script)

    def index_lock(self) -> IndexLock:
        """The lock file of the data folder."""
        return IndexLock(self.path.parent)

    def describe(self) -> str:
        """The catalog file's path."""
        return str(self.path)

    def close(self) -> None:
        """Close this thread's connection (the next use opens another)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def open_database(path: Path, url: str | None = None) -> Database:
    """The PostgreSQL database at ``url`` when given, else the SQLite file at ``path``."""
    if url:
        from index.storage.postgres import PostgresDatabase  # psycopg only when used

        return PostgresDatabase(url)
    return SqliteDatabase(path)
