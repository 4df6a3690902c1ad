"""Stories: paragraphs that are near-copies of each other across articles (a wire story that
many outlets republished with small edits), found at indexing time and kept in the catalog.

Each paragraph of at least MIN_SHINGLES word trigrams gets a MinHash signature (BANDS x ROWS
multiply-shift hashes of its normalised word trigrams, numpy-vectorised); each band of ROWS
values is one LSH key in ``story_bands``. Paragraphs sharing a key are candidates, and a
candidate is a copy when most of the smaller one's trigrams are in the other (the overlap
that qa.retrieval.fusion.drop_copies uses at query time). Copies share a ``story`` id: the
connected groups of copies, named by their first member.

Rows are written and deleted with the paragraphs, in the catalog transaction that commits or
removes an article (index.service), so a crash leaves them as consistent as the paragraphs.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from index.storage.catalog import Catalog
from index.storage.database import Connection

BANDS, ROWS = 16, 3  # a pair at Jaccard 0.5 is a candidate with p = 0.88, at 0.6 with 0.98
MIN_SHINGLES = 6  # shorter paragraphs ("Advertisement", a dateline) are never a story
COPY_OVERLAP = 0.8  # share of the smaller trigram set inside the other: a copy
_NOT_WORD = re.compile(r"[^a-z0-9$%]+")
_MASK32 = np.uint64(0xFFFFFFFF)
_SEEDS = np.random.default_rng(20).integers(1, 2**63, size=(2, BANDS * ROWS), dtype=np.uint64)
_MULTIPLIERS, _OFFSETS = _SEEDS[0] | np.uint64(1), _SEEDS[1]
STORY_TABLES = (
    "CREATE TABLE IF NOT EXISTS story_paragraphs (member INTEGER PRIMARY KEY,"
    " paragraph_id TEXT UNIQUE, article_id TEXT, story INTEGER, keys BLOB)",
    "CREATE INDEX IF NOT EXISTS story_paragraphs_article ON story_paragraphs(article_id)",
    "CREATE INDEX IF NOT EXISTS story_paragraphs_story ON story_paragraphs(story)",
    "CREATE TABLE IF NOT EXISTS story_bands (key INTEGER, member INTEGER,"
    " PRIMARY KEY (key, member)) WITHOUT ROWID",
)


@dataclass(frozen=True)
class StoryCopy:
    """One paragraph of a story, with its article's metadata."""

    paragraph_id: str
    article_id: str
    title: str
    url: str
    published: str
    source: str


def ensure_schema(conn: Connection) -> None:
    """Create the story tables if missing (safe inside an open transaction)."""
    for statement in STORY_TABLES:
        conn.execute(statement)


def shingle_hashes(text: str) -> np.ndarray:
    """The sorted distinct 32-bit hashes of the normalised text's word trigrams."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    words = _NOT_WORD.sub(" ", decomposed).split()
    grams = {" ".join(words[i : i + 3]) for i in range(len(words) - 2)}
    return np.unique(np.fromiter((zlib.crc32(g.encode()) for g in grams), np.uint64, len(grams)))


def band_keys(hashes: Sequence[np.ndarray]) -> np.ndarray:
    """The BANDS LSH keys (int64) of each paragraph's shingle hashes, one row each."""
    keys = np.zeros((len(hashes), BANDS), dtype=np.int64)
    if not hashes:
        return keys
    flat = np.concatenate(hashes)
    starts = np.cumsum([0] + [len(h) for h in hashes[:-1]])
    signature = np.empty((len(hashes), BANDS * ROWS), dtype=np.uint64)
    for column in range(BANDS * ROWS):  # multiply-shift: the high 32 bits of a * x + b
        values = (flat * _MULTIPLIERS[column] + _OFFSETS[column]) >> np.uint64(32)
        signature[:, column] = np.minimum.reduceat(values, starts)
    rows = signature.reshape(len(hashes), BANDS, ROWS)
    mixed = np.arange(BANDS, dtype=np.uint64)[None, :].repeat(len(hashes), axis=0)
    with np.errstate(over="ignore"):
        for row in range(ROWS):
            mixed = mixed * np.uint64(0x100000001B3) ^ (rows[:, :, row] & _MASK32)
    return mixed.view(np.int64)


def is_copy(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether most of the smaller set of trigram hashes is inside the other."""
    if not len(a) or not len(b):
        return False
    shared = len(np.intersect1d(a, b, assume_unique=True))
    return shared / min(len(a), len(b)) > COPY_OVERLAP


def replace_story_paragraphs(
    conn: Connection, article_id: str, paragraphs: Iterable[tuple[str, str]]
) -> None:
    """Replace the story rows of ``article_id`` by those of its ``(paragraph id, text)`` pairs,
    joining each paragraph to the stories it copies (inside the transaction that commits the
    article's paragraphs, which are in the paragraphs table by then)."""
    delete_story_paragraphs(conn, article_id)
    kept = [
        (pid, hashes)
        for pid, text in paragraphs
        if len(hashes := shingle_hashes(text)) >= MIN_SHINGLES
    ]
    # the article's band keys in one vectorised call (one by one it was 60x slower)
    for (paragraph_id, hashes), keys in zip(kept, band_keys([h for _, h in kept]), strict=True):
        _add(conn, paragraph_id, article_id, hashes, keys)


def _add(
    conn: Connection, paragraph_id: str, article_id: str, hashes: np.ndarray, keys: np.ndarray
) -> None:
    marks = ",".join("?" * len(keys))
    sql = f"SELECT DISTINCT member FROM story_bands WHERE key IN ({marks})"
    candidates = [row[0] for row in conn.execute(sql, [int(k) for k in keys])]
    member = conn.execute(
        "INSERT INTO story_paragraphs (paragraph_id, article_id, keys) VALUES (?, ?, ?)"
        " RETURNING member",
        (paragraph_id, article_id, keys.tobytes()),
    ).fetchone()[0]
    conn.executemany(
        "INSERT INTO story_bands (key, member) VALUES (?, ?) ON CONFLICT DO NOTHING",
        [(int(k), member) for k in keys],
    )
    matched: set[int] = set()
    for story, text in _candidate_texts(conn, candidates):
        if story not in matched and is_copy(hashes, shingle_hashes(text)):
            matched.add(story)
    story = min(matched | {member})
    conn.execute("UPDATE story_paragraphs SET story = ? WHERE member = ?", (story, member))
    merged = [(story, other) for other in matched if other != story]
    conn.executemany("UPDATE story_paragraphs SET story = ? WHERE story = ?", merged)


def _candidate_texts(conn: Connection, members: list[int]) -> list[tuple[int, str]]:
    """(story, text) of the candidate members, in member order."""
    if not members:
        return []
    marks = ",".join("?" * len(members))
    sql = (
        "SELECT s.story, p.text FROM story_paragraphs s JOIN paragraphs p ON p.id ="
        f" s.paragraph_id WHERE s.member IN ({marks}) ORDER BY s.member"
    )
    return [(row[0], row[1]) for row in conn.execute(sql, members)]


def delete_story_paragraphs(conn: Connection, article_id: str) -> None:
    """Delete the story rows of ``article_id`` and split the stories it joined again where
    its paragraphs were the only link between their other copies."""
    ensure_schema(conn)
    rows = conn.execute(
        "SELECT member, story, keys FROM story_paragraphs WHERE article_id = ?", (article_id,)
    ).fetchall()
    if not rows:
        return
    bands = [(int(k), m) for m, _, blob in rows for k in np.frombuffer(blob, dtype=np.int64)]
    conn.executemany("DELETE FROM story_bands WHERE key = ? AND member = ?", bands)
    conn.execute("DELETE FROM story_paragraphs WHERE article_id = ?", (article_id,))
    for story in sorted({s for _, s, _ in rows}):
        _regroup(conn, story)


def _regroup(conn: Connection, story: int) -> None:
    """Split a story's remaining members into its connected groups of copies."""
    members = conn.execute(
        "SELECT s.member, p.text FROM story_paragraphs s JOIN paragraphs p ON p.id ="
        " s.paragraph_id WHERE s.story = ? ORDER BY s.member",
        (story,),
    ).fetchall()
    hashes = [shingle_hashes(text) for _, text in members]
    parent = list(range(len(members)))
    for i in range(len(members)):
        for j in range(i):
            if _find(parent, i) != _find(parent, j) and is_copy(hashes[i], hashes[j]):
                parent[_find(parent, i)] = _find(parent, j)
    updates = [(members[_find(parent, i)][0], members[i][0]) for i in range(len(members))]
    conn.executemany("UPDATE story_paragraphs SET story = ? WHERE member = ?", updates)


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def rebuild_stories(conn: Connection) -> bool:
    """Find the stories of every stored paragraph again, from the stored texts (the catalog
    upgrade step; about 10 s for 65,000 paragraphs, no model). True when there were any."""
    ensure_schema(conn)
    conn.execute("DELETE FROM story_bands")
    conn.execute("DELETE FROM story_paragraphs")
    rows = conn.execute("SELECT id, article_id, text FROM paragraphs ORDER BY rowid").fetchall()
    kept, hashes = [], []
    for paragraph_id, article_id, text in rows:
        found = shingle_hashes(text or "")
        if len(found) >= MIN_SHINGLES:
            kept.append((paragraph_id, article_id))
            hashes.append(found)
    keys = band_keys(hashes)
    parent = list(range(len(kept)))
    flat, members = keys.ravel(), np.repeat(np.arange(len(kept)), BANDS)
    order = np.argsort(flat, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(flat[order]) != 0])
    ends = np.r_[starts[1:], len(order)]
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        if end - start > 1:  # a key that two or more paragraphs share
            _link(parent, hashes, members[order[start:end]].tolist())
    conn.executemany(
        "INSERT INTO story_paragraphs (member, paragraph_id, article_id, story, keys)"
        " VALUES (?, ?, ?, ?, ?)",
        (
            (i + 1, pid, aid, _find(parent, i) + 1, keys[i].tobytes())
            for i, (pid, aid) in enumerate(kept)
        ),
    )
    conn.executemany(  # in key order: appending to the b-tree, 3x faster than at random
        "INSERT INTO story_bands (key, member) VALUES (?, ?) ON CONFLICT DO NOTHING",
        zip(flat[order].tolist(), (members[order] + 1).tolist(), strict=True),
    )
    return bool(kept)


def _link(parent: list[int], hashes: list[np.ndarray], bucket: list[int]) -> None:
    """Join the copies among one LSH bucket's members (compared with one member of each
    group met so far in the bucket)."""
    leaders: list[int] = []
    for member in bucket:
        root = _find(parent, member)
        for leader in leaders:
            if _find(parent, leader) == root or is_copy(hashes[member], hashes[leader]):
                parent[root] = _find(parent, leader)
                break
        else:
            leaders.append(member)


class StoryStore:
    """Query-time reads of the story tables of a catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def stories(self, paragraph_ids: Iterable[str]) -> dict[str, int]:
        """The story of each of ``paragraph_ids`` that has one (short ones have none; none
        in a catalog that another process had locked when it was to be upgraded)."""
        sql = "SELECT paragraph_id, story FROM story_paragraphs WHERE paragraph_id IN ({marks})"
        try:
            return {row[0]: row[1] for row in self.catalog.select_in(sql, paragraph_ids)}
        except sqlite3.OperationalError:  # no story table yet
            return {}

    def copies(self, stories: Iterable[int]) -> dict[int, list[StoryCopy]]:
        """Every paragraph of each story, oldest article first."""
        sql = (
            "SELECT s.story, p.id, p.article_id, p.title, p.url, p.published, p.source"
            " FROM story_paragraphs s JOIN paragraphs p ON p.id = s.paragraph_id"
            " WHERE s.story IN ({marks}) ORDER BY p.published, p.article_id, p.number"
        )
        found: dict[int, list[StoryCopy]] = {}
        for story, *fields in self.catalog.select_in(sql, stories):
            found.setdefault(story, []).append(StoryCopy(*(f or "" for f in fields)))
        return found

    def counts(self) -> tuple[int, int, int]:
        """(paragraphs with a story, paragraphs of stories told by two or more articles,
        those stories)."""
        row = (
            self.catalog.connection()
            .execute(
                "SELECT (SELECT count(*) FROM story_paragraphs), coalesce(sum(n), 0), count(*)"
                " FROM (SELECT count(*) AS n FROM story_paragraphs GROUP BY story"
                " HAVING count(DISTINCT article_id) > 1) AS told_twice"
            )
            .fetchone()
        )
        return int(row[0]), int(row[1]), int(row[2])
