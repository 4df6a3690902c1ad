"""Statements in the catalog's SQLite file: a ``statements`` table (with an FTS5 index of what
was said, for topic filters) written in the indexing transaction, and the queries behind
"what did X say?": speakers with counts, and one speaker's statements, paged, by date.

Speakers are grouped by :func:`index.statements.speakers.speaker_key`; a bare surname
("Zelensky") is merged into the one full name with that surname ("Volodymyr Zelensky") when
there is exactly one, so name variants across articles count as one speaker.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field

from index.filters import SearchFilters, date_int
from index.statements.extract import Statement
from index.statements.speakers import fold, one_person, speaker_key, surname
from index.storage.catalog import Catalog
from index.storage.database import NO_LIMIT, Connection
from index.storage.fulltext import text_match
from index.storage.keyword import query_terms
from index.words import DETERMINERS, TITLES

STATEMENT_TABLES = (
    "CREATE TABLE IF NOT EXISTS statements (rowid INTEGER PRIMARY KEY, article_id TEXT,"
    " paragraph_id TEXT, paragraph_number INTEGER, speaker TEXT, speaker_key TEXT, surname TEXT,"
    ' kind TEXT, mention TEXT, cue TEXT, mode TEXT, start INTEGER, "end" INTEGER, content TEXT,'
    " title TEXT, url TEXT, published TEXT, published_int INTEGER, source TEXT,"
    " role TEXT NOT NULL DEFAULT '')",
    "CREATE INDEX IF NOT EXISTS statements_article ON statements(article_id)",
    "CREATE INDEX IF NOT EXISTS statements_key ON statements(speaker_key, published_int)",
    "CREATE INDEX IF NOT EXISTS statements_surname ON statements(surname)",
    "CREATE VIRTUAL TABLE IF NOT EXISTS statements_fts USING fts5("
    " body, tokenize = 'porter unicode61 remove_diacritics 2')",
)
# In the order of StoredStatement's fields: a Statement's, then the stored ones.
_COLUMNS = (
    "s.article_id, s.paragraph_number, s.speaker, s.speaker_key, s.kind, s.mention, s.cue,"
    ' s.mode, s.start, s."end", s.content, s.role, s.rowid, s.title, s.url, s.published, s.source'
)


@dataclass(frozen=True)
class StoredStatement(Statement):
    """A statement as stored: its row ``id`` and its article's metadata."""

    id: int
    title: str
    url: str
    published: str
    source: str


@dataclass(frozen=True)
class SpeakerCount:
    """One speaker across articles: ``key`` (pass it to ``statements_by_speaker``), the most
    used display ``name``, ``kind``, and how many statements and articles."""

    key: str
    name: str
    kind: str
    statements: int
    articles: int


def ensure_schema(conn: Connection) -> None:
    """Create the statements tables if missing (safe inside an open transaction)."""
    for statement in STATEMENT_TABLES:
        conn.execute(statement)
    if not isinstance(conn, sqlite3.Connection):
        return  # a PostgreSQL catalog is made at the newest version
    columns = {row[1] for row in conn.execute("PRAGMA table_info(statements)")}
    if "role" not in columns:  # a catalog made before roles were kept (upgrade step 3 fills it)
        conn.execute("ALTER TABLE statements ADD COLUMN role TEXT NOT NULL DEFAULT ''")


def replace_statements(conn: Connection, article_id: str, statements: Sequence[Statement]) -> None:
    """Replace every stored statement of ``article_id`` with ``statements`` using ``conn``
    (call it inside the transaction that commits the article's paragraphs; the article's row
    supplies title, url, date and source when it exists).  An empty list deletes them."""
    ensure_schema(conn)
    delete_statements(conn, article_id)
    row = conn.execute(
        "SELECT title, url, published, source FROM articles WHERE id = ?", (article_id,)
    ).fetchone()
    title, url, published, source = row if row is not None else ("", "", "", "")
    for s in statements:
        rowid = conn.execute(
            "INSERT INTO statements (article_id, paragraph_id, paragraph_number, speaker,"
            ' speaker_key, surname, kind, mention, cue, mode, start, "end", content, title, url,'
            " published, published_int, source, role)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING rowid",
            (
                article_id,
                s.paragraph_id,
                s.paragraph_number,
                s.speaker,
                s.speaker_key,
                surname(s.speaker_key),
                s.kind,
                s.mention,
                s.cue,
                s.mode,
                s.start,
                s.end,
                s.content,
                title,
                url,
                published,
                date_int(published or ""),
                source,
                s.role,
            ),
        ).fetchone()[0]
        conn.execute("INSERT INTO statements_fts (rowid, body) VALUES (?, ?)", (rowid, s.content))


def delete_statements(conn: Connection, article_id: str) -> None:
    """Delete the stored statements of one article (for article removal)."""
    ensure_schema(conn)
    conn.execute(
        "DELETE FROM statements_fts WHERE rowid IN"
        " (SELECT rowid FROM statements WHERE article_id = ?)",
        (article_id,),
    )
    conn.execute("DELETE FROM statements WHERE article_id = ?", (article_id,))


class StatementStore:
    """Read access to the statements stored in a catalog's SQLite file."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        ensure_schema(catalog.connection())

    def speakers(
        self,
        search: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        filters: SearchFilters | None = None,
    ) -> list[SpeakerCount]:
        """Speakers with their statement and article counts, most statements first;
        ``search`` keeps speakers whose name contains it (accents and case ignored)."""
        where, params = (filters or SearchFilters()).sql_where("s")
        rows = (
            self.catalog.connection()
            .execute(
                "SELECT speaker_key, speaker, kind, article_id, count(*) FROM statements s"
                f" WHERE {where} GROUP BY speaker_key, speaker, kind, article_id",
                params,
            )
            .fetchall()
        )
        merged = _merge(rows)
        if search:
            wanted = fold(search)
            merged = [m for m in merged if wanted in fold(m.name) or wanted in m.key]
        end = None if limit is None else offset + limit
        return merged[offset:end]

    def statements_by_speaker(
        self,
        speaker: str,
        topic: str | None = None,
        limit: int | None = 20,
        offset: int = 0,
        filters: SearchFilters | None = None,
        newest_first: bool = True,
    ) -> list[StoredStatement]:
        """The statements of ``speaker`` (a key from :meth:`speakers` or any name variant),
        ordered by published date (newest first unless ``newest_first`` is False), paged;
        ``topic`` keeps statements whose content matches any of its keywords."""
        keys = self.speaker_keys(speaker)
        if not keys:
            return []
        where, params = (filters or SearchFilters()).sql_where("s")
        marks = ",".join("?" * len(keys))
        sql = f"SELECT {_COLUMNS} FROM statements s WHERE s.speaker_key IN ({marks}) AND {where}"
        args: list[object] = [*keys, *params]
        if topic:
            terms = query_terms(topic)
            if not terms:
                return []
            match = text_match(self.catalog.dialect, "statements_fts", terms)
            sql += f" AND s.rowid IN (SELECT rowid FROM statements_fts WHERE {match.condition})"
            args.extend(match.condition_params)
        order = "DESC" if newest_first else "ASC"
        sql += f" ORDER BY s.published_int {order}, s.article_id, s.paragraph_number, s.start"
        sql += " LIMIT ? OFFSET ?"
        rows = self.catalog.connection().execute(sql, [*args, limit or NO_LIMIT, offset])
        return [StoredStatement(*row) for row in rows]

    def matching(
        self, text: str, limit: int = 50, filters: SearchFilters | None = None
    ) -> list[StoredStatement]:
        """Statements (of any speaker) whose content matches any keyword of ``text``, best
        BM25 match first, for "who said ...?"; none when ``text`` has no keyword."""
        terms = query_terms(text)
        if not terms or limit <= 0:
            return []
        where, params = (filters or SearchFilters()).sql_where("s")
        match = text_match(self.catalog.dialect, "statements_fts", terms)
        sql = (
            f"SELECT {_COLUMNS} FROM statements_fts JOIN statements s"
            f" ON s.rowid = statements_fts.rowid WHERE {match.condition} AND {where}"
            f" ORDER BY {match.score} DESC, s.rowid LIMIT ?"
        )
        args = [*match.condition_params, *params, *match.score_params, limit]
        rows = self.catalog.connection().execute(sql, args)
        return [StoredStatement(*row) for row in rows]

    def _role_holder(self, phrase: str) -> list[str]:
        """For a role ("the mayor", "the general"): the key of the speaker who held it in the
        newest statement giving it; [] for anything else."""
        words = fold(phrase).split()
        if not words or not all(w in DETERMINERS or w.rstrip(".") in TITLES for w in words):
            return []
        role = words[-1].rstrip(".")
        row = (
            self.catalog.connection()
            .execute(
                "SELECT speaker_key FROM statements WHERE kind = 'person'"
                " AND (' ' || role || ' ') LIKE ? ORDER BY published_int DESC, rowid DESC LIMIT 1",
                (f"% {role} %",),
            )
            .fetchone()
        )
        return [] if row is None else [row[0]]

    def speaker_keys(self, speaker: str) -> list[str]:
        """Every stored key that means ``speaker``: its own key, and for a person the bare
        surname, or (given a bare surname) the full name(s) with that surname."""
        key = speaker_key(speaker)
        if not key:
            return self._role_holder(speaker)
        rows = (
            self.catalog.connection()
            .execute(
                "SELECT DISTINCT speaker_key, kind FROM statements WHERE surname = ?",
                (surname(key),),
            )
            .fetchall()
        )
        people = {k for k, kind in rows if one_person(k, kind)}
        if " " not in key:
            return sorted(people | {key})
        bare = surname(key)
        full = {k for k in people if " " in k}
        return sorted({key} | ({bare} if bare in people and full == {key} else set()))


@dataclass
class _Group:
    kind: str
    names: dict[str, int] = field(default_factory=dict)
    articles: set[str] = field(default_factory=set)

    def add(self, name: str, article_id: str, count: int) -> None:
        self.names[name] = self.names.get(name, 0) + count
        self.articles.add(article_id)

    def absorb(self, other: _Group) -> None:
        for name, count in other.names.items():
            self.names[name] = self.names.get(name, 0) + count
        self.articles |= other.articles


def _merge(rows: list[tuple[str, str, str, str, int]]) -> list[SpeakerCount]:
    """Group (key, name, kind, article, count) rows by key, the most used display name
    winning, then fold a bare surname into the one full name with that surname, if exactly
    one."""
    groups: dict[str, _Group] = {}
    for key, name, kind, article_id, count in rows:
        groups.setdefault(key, _Group(kind)).add(name, article_id, count)
    people = {k for k, g in groups.items() if one_person(k, g.kind)}
    for key in [k for k in people if " " not in k]:
        full = [k for k in people if surname(k) == key != k]
        if len(full) == 1:
            groups[full[0]].absorb(groups.pop(key))
    found = [
        SpeakerCount(
            key,
            max(g.names.items(), key=lambda kv: kv[1])[0],
            g.kind,
            sum(g.names.values()),
            len(g.articles),
        )
        for key, g in groups.items()
    ]
    return sorted(found, key=lambda s: (-s.statements, s.key))
