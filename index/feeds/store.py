"""Feed subscriptions in the catalog file: the URL, how often to poll it, the validators of its
last response (ETag, Last-Modified) and what the last polls did; stored in SQLite so that the
schedule survives a restart. Times are Unix seconds (UTC)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from index.errors import FeedError, FeedNotFound
from index.storage.catalog import Catalog
from index.storage.database import Connection

FEEDS_TABLE = """
CREATE TABLE IF NOT EXISTS feeds (
    id INTEGER PRIMARY KEY, url TEXT UNIQUE NOT NULL, every_s INTEGER NOT NULL,
    added_at REAL NOT NULL, next_due REAL NOT NULL, etag TEXT NOT NULL DEFAULT '',
    last_modified TEXT NOT NULL DEFAULT '', last_checked REAL, last_success REAL,
    last_status TEXT NOT NULL DEFAULT '', last_added INTEGER NOT NULL DEFAULT 0,
    last_updated INTEGER NOT NULL DEFAULT 0, total_added INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '', failures INTEGER NOT NULL DEFAULT 0,
    body_hash TEXT NOT NULL DEFAULT ''
);
"""
DEFAULT_EVERY_S = 15 * 60
MIN_EVERY_S = 60
MAX_EVERY_S = 7 * 24 * 3600
MAX_BACKOFF_S = 6 * 3600  # a failing feed is retried at most this far apart (or its interval)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_INTERVAL_RE = re.compile(r"(\d+)\s*([smhd])")


def ensure_schema(conn: Connection) -> None:
    """Create the feeds table if it is missing (idempotent)."""
    conn.execute(FEEDS_TABLE)  # one statement: safe inside an upgrade's transaction


def parse_interval(text: str, minimum: int = MIN_EVERY_S) -> int:
    """``"15m"`` -> 900; units s, m, h, d, combinable (``"1h30m"``); FeedError when it is
    malformed, under ``minimum`` seconds or over a week."""
    spec = text.strip().lower().replace(" ", "")
    parts = _INTERVAL_RE.findall(spec)
    if not spec or "".join(n + u for n, u in parts) != spec:
        raise FeedError(f"bad interval {text!r}: write it like 30m, 1h, 2h30m or 1d")
    seconds = sum(int(n) * _UNITS[u] for n, u in parts)
    if seconds < minimum:
        raise FeedError(f"interval {text!r} is too short: at least {format_interval(minimum)}")
    if seconds > MAX_EVERY_S:
        raise FeedError(f"interval {text!r} is too long: at most {format_interval(MAX_EVERY_S)}")
    return seconds


def format_interval(seconds: int) -> str:
    """900 -> ``"15m"``, 5400 -> ``"1h30m"``, 45 -> ``"45s"``."""
    parts, rest = [], int(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if rest >= size:
            parts.append(f"{rest // size}{unit}")
            rest %= size
    return "".join(parts) or "0s"


def check_feed_url(url: str) -> str:
    """The URL stripped, or FeedError unless it is an absolute http(s) URL with a host."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as exc:
        raise FeedError(f"bad feed URL {url!r} ({exc})") from exc
    if parts.scheme.lower() not in ("http", "https"):
        raise FeedError(f"bad feed URL {url!r}: only http:// and https:// URLs can be polled")
    if not host or any(ch.isspace() for ch in url) or len(url) > 2000:
        raise FeedError(f"bad feed URL {url!r}: it needs a host, no spaces, under 2,000 chars")
    return url


@dataclass(frozen=True)
class Feed:
    """One subscription and what its polls did (times None until they happen)."""

    id: int
    url: str
    every_s: int
    added_at: float
    next_due: float
    etag: str
    last_modified: str
    last_checked: float | None
    last_success: float | None
    last_status: str  # "not modified", "3 added, 1 updated", "failed"
    last_added: int
    last_updated: int
    total_added: int
    last_error: str
    failures: int  # consecutive failed polls
    body_hash: str  # of the last body indexed: the same bytes again are not read again

    @property
    def every(self) -> str:
        """The interval as written: ``"15m"``."""
        return format_interval(self.every_s)

    def view(self) -> dict[str, Any]:
        """What people see of it (API body, ``feeds list --json``): times as ISO 8601 UTC."""
        return {
            "id": self.id, "url": self.url, "every": self.every, "every_seconds": self.every_s,
            "added_at": iso_time(self.added_at), "last_checked": iso_time(self.last_checked),
            "last_success": iso_time(self.last_success), "next_due": iso_time(self.next_due),
            "last_status": self.last_status, "last_added": self.last_added,
            "last_updated": self.last_updated, "total_added": self.total_added,
            "last_error": self.last_error, "failures": self.failures,
        }  # fmt: skip


def iso_time(moment: float | None) -> str | None:
    """Unix seconds as ISO 8601 UTC (``2024-04-18T09:30:00+00:00``); None stays None."""
    if moment is None:
        return None
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class PollOutcome:
    """What one poll did, for :meth:`FeedStore.record`."""

    checked: float
    ok: bool
    status: str
    added: int = 0
    updated: int = 0
    error: str = ""
    etag: str | None = None  # None: keep the stored validators and body hash
    last_modified: str | None = None
    body_hash: str | None = None


_COLUMNS = ", ".join(f.name for f in fields(Feed))


class FeedStore:
    """The ``feeds`` table of a catalog (thread-safe: the catalog's connection per thread)."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        ensure_schema(catalog.connection())

    def add(self, url: str, every_s: int = DEFAULT_EVERY_S) -> tuple[Feed, bool]:
        """Subscribe to ``url`` (due at once); an existing subscription gets the new interval.
        Returns the feed and whether it is new."""
        url = check_feed_url(url)
        now = time.time()
        with self.catalog.transaction() as conn:
            old = conn.execute("SELECT id FROM feeds WHERE url = ?", (url,)).fetchone()
            if old is None:
                conn.execute(
                    "INSERT INTO feeds (url, every_s, added_at, next_due) VALUES (?, ?, ?, ?)",
                    (url, every_s, now, now),
                )
            else:
                conn.execute(
                    "UPDATE feeds SET every_s = ?, next_due = CASE WHEN next_due < ?"
                    " THEN next_due ELSE ? END WHERE id = ?",
                    (every_s, now + every_s, now + every_s, old[0]),
                )
        feed = self.find(url)
        return feed, old is None

    def all(self) -> list[Feed]:
        """Every subscription, oldest first."""
        rows = self.catalog.connection().execute(f"SELECT {_COLUMNS} FROM feeds ORDER BY id")
        return [Feed(*row) for row in rows]

    def get(self, feed_id: int) -> Feed | None:
        """The feed with this id, or None."""
        sql = f"SELECT {_COLUMNS} FROM feeds WHERE id = ?"
        row = self.catalog.connection().execute(sql, (feed_id,)).fetchone()
        return None if row is None else Feed(*row)

    def find(self, key: str | int) -> Feed:
        """The feed with this id (a number) or URL; FeedNotFound otherwise."""
        text = str(key).strip()
        if text.isdigit():
            found = self.get(int(text))
        else:
            sql = f"SELECT {_COLUMNS} FROM feeds WHERE url = ?"
            row = self.catalog.connection().execute(sql, (text,)).fetchone()
            found = None if row is None else Feed(*row)
        if found is None:
            raise FeedNotFound(f"no subscribed feed has the id or URL {text!r}")
        return found

    def remove(self, key: str | int) -> Feed:
        """Unsubscribe (its articles stay indexed); the removed feed, or FeedNotFound."""
        feed = self.find(key)
        with self.catalog.transaction() as conn:
            conn.execute("DELETE FROM feeds WHERE id = ?", (feed.id,))
        return feed

    def due(self, now: float | None = None) -> list[Feed]:
        """The feeds whose next poll is due, most overdue first."""
        sql = f"SELECT {_COLUMNS} FROM feeds WHERE next_due <= ? ORDER BY next_due, id"
        rows = self.catalog.connection().execute(sql, (time.time() if now is None else now,))
        return [Feed(*row) for row in rows]

    def next_due(self, exclude: Iterable[int] = ()) -> float | None:
        """The earliest next poll of any feed but those of ``exclude`` (ids), or None."""
        skip = list(exclude)
        marks = ",".join("?" * len(skip))
        sql = "SELECT min(next_due) FROM feeds"
        sql += f" WHERE id NOT IN ({marks})" if skip else ""  # "IN ()" is SQLite's alone
        row = self.catalog.connection().execute(sql, skip).fetchone()
        return None if row[0] is None else float(row[0])

    def record(self, feed: Feed, outcome: PollOutcome) -> Feed | None:
        """Store a poll's outcome and schedule the next one: an interval after a success,
        backing off (doubling, up to 6 h or the interval) after consecutive failures. None
        when the feed was removed meanwhile."""
        failures = 0 if outcome.ok else feed.failures + 1
        delay = feed.every_s
        if failures > 1:
            delay = max(feed.every_s, min(feed.every_s * 2 ** (failures - 1), MAX_BACKOFF_S))
        with self.catalog.transaction() as conn:
            conn.execute(
                "UPDATE feeds SET last_checked = ?, next_due = ?, last_status = ?,"
                " last_error = ?, failures = ?, etag = coalesce(?, etag),"
                " last_modified = coalesce(?, last_modified), body_hash = coalesce(?, body_hash),"
                " last_success = CASE WHEN ? THEN ? ELSE last_success END,"
                " last_added = ?, last_updated = ?, total_added = total_added + ? WHERE id = ?",
                (
                    outcome.checked, outcome.checked + delay, outcome.status, outcome.error,
                    failures, outcome.etag, outcome.last_modified, outcome.body_hash,
                    outcome.ok, outcome.checked, outcome.added, outcome.updated, outcome.added,
                    feed.id,
                ),
            )  # fmt: skip
        return self.get(feed.id)

    def make_due(self, key: str | int) -> Feed:
        """Schedule a feed's next poll for now (``feeds poll`` / a fresh subscription)."""
        feed = self.find(key)
        with self.catalog.transaction() as conn:
            conn.execute("UPDATE feeds SET next_due = ? WHERE id = ?", (time.time(), feed.id))
        return self.find(feed.id)
