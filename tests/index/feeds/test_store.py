"""index.feeds.store: intervals, URLs, subscriptions in the catalog (surviving a reopen), the
schedule and its back-off, and the catalog upgrade that makes the table."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from index.errors import FeedError, FeedNotFound
from index.feeds.store import (
    FeedStore,
    PollOutcome,
    check_feed_url,
    format_interval,
    parse_interval,
)
from index.storage.catalog import Catalog
from index.storage.catalog_upgrades import CATALOG_VERSION
from tests.conftest import OpenCatalog

pytestmark = pytest.mark.both_databases


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("15m", 900), ("1h", 3600), ("1m", 60), ("2h30m", 9000), (" 1D ", 86400), ("90s", 90)],
)
def test_intervals_are_read_with_their_units(text: str, seconds: int) -> None:
    assert parse_interval(text) == seconds


@pytest.mark.parametrize(
    ("text", "says"),
    [("30s", "too short: at least 1m"), ("0m", "too short"), ("8d", "too long: at most 7d"),
     ("15", "write it like 30m"), ("m", "write it like"), ("", "write it like"),
     ("1h-5m", "write it like"), ("fifteen minutes", "write it like")],
)  # fmt: skip
def test_bad_intervals_say_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(FeedError, match=says):
        parse_interval(text)


def test_intervals_are_shown_as_written() -> None:
    assert [format_interval(s) for s in (900, 5400, 45, 86400, 0)] == [
        "15m", "1h30m", "45s", "1d", "0s"
    ]  # fmt: skip


@pytest.mark.parametrize(
    "url",
    ["ftp://x.example/feed", "file:///etc/passwd", "news.example/rss", "http://", "http://a b/"],
)
def test_only_absolute_http_urls_can_be_subscribed(url: str) -> None:
    with pytest.raises(FeedError, match="bad feed URL"):
        check_feed_url(url)
    assert check_feed_url(" https://news.example/rss.xml ") == "https://news.example/rss.xml"


def test_subscriptions_are_kept_once_and_survive_reopening_the_catalog(
    open_catalog: OpenCatalog,
) -> None:
    store = FeedStore(open_catalog())
    feed, created = store.add("https://news.example/rss.xml", 3600)
    assert created and feed.id == 1 and feed.every == "1h" and feed.last_checked is None
    assert feed.next_due <= feed.added_at + 1  # due at once
    again, created = store.add("https://news.example/rss.xml", 600)
    assert not created and again.id == feed.id and again.every == "10m"
    store.add("https://other.example/atom.xml")
    outcome = PollOutcome(1000.0, True, "2 added, 0 updated, 0 unchanged", 2, 0, "", '"v1"', "d")
    store.record(again, outcome)

    reopened = FeedStore(open_catalog()).all()
    assert [f.url for f in reopened] == [
        "https://news.example/rss.xml",
        "https://other.example/atom.xml",
    ]
    first = reopened[0]
    assert (first.etag, first.last_modified, first.last_checked, first.last_success) == (
        '"v1"', "d", 1000.0, 1000.0
    )  # fmt: skip
    assert (first.last_added, first.total_added, first.next_due) == (2, 2, 1000.0 + 600)
    assert first.view()["last_checked"] == "1970-01-01T00:16:40+00:00"


def test_find_and_remove_by_id_or_url(open_catalog: OpenCatalog) -> None:
    store = FeedStore(open_catalog())
    one, _ = store.add("https://a.example/rss")
    two, _ = store.add("https://b.example/rss")
    assert store.find(str(two.id)).url == two.url
    assert store.remove("https://a.example/rss").id == one.id
    assert store.remove(two.id).url == two.url
    assert store.all() == []
    with pytest.raises(FeedNotFound, match="no subscribed feed"):
        store.remove("https://a.example/rss")


def test_a_failing_feed_is_retried_less_and_less_often_then_reset(
    open_catalog: OpenCatalog,
) -> None:
    store = FeedStore(open_catalog())
    feed, _ = store.add("https://a.example/rss", 600)
    delays = []
    for _ in range(7):
        updated = store.record(feed, PollOutcome(0.0, False, "failed", error="HTTP error 500"))
        assert updated is not None
        feed = updated
        delays.append(feed.next_due)
    assert delays == [600, 1200, 2400, 4800, 9600, 19200, 21600]  # doubling, capped at 6 h
    assert feed.failures == 7 and feed.last_error == "HTTP error 500" and feed.last_success is None
    feed = store.record(feed, PollOutcome(5.0, True, "not modified")) or feed
    assert (feed.failures, feed.last_error, feed.next_due, feed.last_success) == (0, "", 605, 5)


def test_due_feeds_most_overdue_first(open_catalog: OpenCatalog) -> None:
    store = FeedStore(open_catalog())
    a, _ = store.add("https://a.example/rss", 60)
    b, _ = store.add("https://b.example/rss", 60)
    store.record(a, PollOutcome(100.0, True, "not modified"))
    store.record(b, PollOutcome(50.0, True, "not modified"))
    assert [f.id for f in store.due(now=155)] == [b.id]
    assert [f.id for f in store.due(now=1000)] == [b.id, a.id]
    assert store.next_due() == 110 and store.next_due(exclude=[b.id]) == 160


def test_an_older_catalog_gets_the_feeds_table_by_its_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    Catalog(path)
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE feeds")
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()
    catalog = Catalog(path)
    version = catalog.connection().execute("PRAGMA user_version").fetchone()[0]
    assert version == CATALOG_VERSION >= 4
    tables = catalog.connection().execute("SELECT name FROM sqlite_master WHERE type='table'")
    assert "feeds" in {row[0] for row in tables}
