"""The Articles tab's Feeds section in-process (the fake-embedder services with the sample):
subscribe, list, poll now, remove after a confirmation, with the API key when one is set and
a warning that changes nothing for a mistake; and the real poller indexing a feed served on
loopback (tests.feed_server) through these handlers."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import gradio as gr
import pytest

from index.feeds.store import Feed, FeedStore, PollOutcome
from index.readers.guard import AddressGuard
from tests.feed_server import FeedServer
from ui.config import UISettings
from ui.feeds import FeedPoller
from ui.services import ServiceRef, Services
from ui.web.articles import list_articles
from ui.web.feeds import (
    FEED_COLUMNS,
    add_feed,
    confirm_remove_feed,
    feed_rows,
    feeds_markdown,
    list_feeds,
    poll_feed,
    remove_feed,
    watch_feeds,
    when,
)

URL = "https://news.example/rss.xml"
SKIPPED = (gr.skip(), gr.skip(), gr.skip())


class FakePoller:
    """Stands in for the server's poller: counts pokes, claims to be polling ``busy``."""

    def __init__(self) -> None:
        self.pokes = 0
        self.busy: set[int] = set()

    def poke(self) -> None:
        self.pokes += 1

    def in_flight(self) -> set[int]:
        return set(self.busy)


@pytest.fixture
def poller(services: Services) -> FakePoller:
    fake = FakePoller()
    services.feeds = fake
    return fake


def feed(id: int = 1, **changes: Any) -> Feed:
    values: dict[str, Any] = dict(
        id=id, url=f"https://news.example/{id}.xml", every_s=900, added_at=0.0, next_due=0.0,
        etag="", last_modified="", last_checked=None, last_success=None, last_status="",
        last_added=0, last_updated=0, total_added=0, last_error="", failures=0, body_hash="",
    )  # fmt: skip
    return Feed(**(values | changes))


def warned(call: Callable[[], Any], says: str) -> Any:
    """``call``'s outputs, checking that it warned once with ``says`` in the message."""
    with pytest.warns(UserWarning) as caught:
        shown = call()
    assert len(caught) == 1 and says in str(caught[0].message), [str(w.message) for w in caught]
    return shown


def test_rows_show_each_feeds_schedule_outcome_and_whether_it_is_polling() -> None:
    fresh = feed(1, next_due=100.0)
    checked = 1714728612.0  # 2024-05-03 09:30:12 UTC
    status = "2 added, 0 updated, 0 unchanged"
    done = feed(2, last_checked=checked, last_success=checked, next_due=checked + 900,
                last_status=status, last_added=2, total_added=5)  # fmt: skip
    broken = feed(3, last_checked=50.0, last_status="failed", last_error="HTTP error 500",
                  failures=2, next_due=10_000.0)  # fmt: skip
    rows = feed_rows([fresh, done, broken], polling={3}, now=200.0)
    assert all(len(row) == len(FEED_COLUMNS) for row in rows)
    assert rows[0][2:] == ["15m", "never", "never", "0 / 0", "due now", "not polled yet", ""]
    assert rows[1][3:8] == ["2024-05-03 09:30:12", "2024-05-03 09:30:12", "2 / 5",
                            "2024-05-03 09:45:12", status]  # fmt: skip
    assert rows[2][6:] == ["now", "polling now…", "HTTP error 500"]
    assert when(None) == "never"


def test_the_count_has_correct_plurals_and_says_when_polling_is_off() -> None:
    one, two = feed(1), feed(2, failures=1)
    assert feeds_markdown([one], set(), True) == "1 feed."
    assert feeds_markdown([one, two], {1}, True) == "2 feeds · 1 polling now · 1 failing."
    assert feeds_markdown([], set(), True).startswith("No feeds yet")
    assert "does not poll feeds" in feeds_markdown([one], set(), False)


def test_adding_a_feed_lists_it_and_wakes_the_poller(
    services: Services, poller: FakePoller
) -> None:
    ref = ServiceRef(services)
    message, rows, listed = add_feed(ref, f"  {URL} ", "1h", "")
    assert message == f"Subscribed to `{URL}` (feed 1): polled now, then every 1h."
    assert poller.pokes == 1 and listed == "1 feed."
    assert [r[:3] for r in rows] == [[1, URL, "1h"]] and rows[0][7] == "not polled yet"
    message, rows, _ = add_feed(ref, URL, "2h30m", "")
    assert message == f"Already subscribed to `{URL}` (feed 1): now polled every 2h30m."
    assert [r[2] for r in rows] == ["2h30m"]
    poller.busy = {1}
    rows, listed = list_feeds(ref)
    assert rows[0][7] == "polling now…" and listed == "1 feed · 1 polling now."


@pytest.mark.parametrize(
    ("url", "every", "says"),
    [("", "15m", "Enter the feed's http(s) URL first."),
     ("ftp://news.example/rss", "15m", "only http:// and https://"),
     ("news.example/rss", "15m", "bad feed URL"),
     (URL, "30s", "too short: at least 1m"),
     (URL, "soon", "write it like 30m")],
)  # fmt: skip
def test_a_bad_url_or_interval_is_a_warning_that_changes_nothing(
    services: Services, poller: FakePoller, url: str, every: str, says: str
) -> None:
    shown = warned(lambda: add_feed(ServiceRef(services), url, every, ""), says)
    assert shown == SKIPPED
    assert FeedStore(services.index.catalog).all() == [] and poller.pokes == 0


def test_writes_need_the_api_key_when_one_is_set(services: Services, poller: FakePoller) -> None:
    services.settings = UISettings(api_key="k3y")  # type: ignore[call-arg]
    ref = ServiceRef(services)
    assert warned(lambda: add_feed(ref, URL, "15m", ""), "needs an API key") == SKIPPED
    assert warned(lambda: add_feed(ref, URL, "15m", "wrong"), "needs an API key") == SKIPPED
    assert FeedStore(services.index.catalog).all() == []
    assert add_feed(ref, URL, "15m", "k3y")[0].startswith("Subscribed")
    assert warned(lambda: poll_feed(ref, "1", ""), "needs an API key") == SKIPPED
    assert warned(lambda: remove_feed(ref, "1", ""), "needs an API key") == SKIPPED
    assert list_feeds(ref)[1] == "1 feed."  # reading needs no key


def test_poll_now_makes_the_feed_due_and_wakes_the_poller(
    services: Services, poller: FakePoller
) -> None:
    ref = ServiceRef(services)
    add_feed(ref, URL, "1h", "")
    store = FeedStore(services.index.catalog)
    store.record(store.find(1), PollOutcome(checked=time.time(), ok=True, status="not modified"))
    assert store.find(1).next_due > time.time() + 3000
    message, rows, _ = poll_feed(ref, " 1 ", "")
    assert message == f"Polling feed 1 (`{URL}`) now: the table shows what it did."
    assert store.find(1).next_due <= time.time() and poller.pokes == 2
    assert rows[0][6] == "due now"
    assert poll_feed(ref, URL, "")[0].startswith("Polling feed 1")  # by URL too
    assert warned(lambda: poll_feed(ref, "", ""), "Click a feed") == SKIPPED
    assert warned(lambda: poll_feed(ref, "7", ""), "no subscribed feed") == SKIPPED


def test_without_a_poller_the_feed_waits_for_one(services: Services) -> None:
    ref = ServiceRef(services)
    message, _, listed = add_feed(ref, URL, "15m", "")
    assert message.startswith(f"Subscribed to `{URL}` (feed 1): to be polled every 15m.")
    assert "does not poll feeds" in message and "does not poll feeds" in listed
    assert "is due now" in poll_feed(ref, "1", "")[0]


def test_remove_asks_first_naming_the_feed_and_its_articles_stay(
    services: Services, poller: FakePoller
) -> None:
    ref = ServiceRef(services)
    add_feed(ref, URL, "15m", "")
    shown, prompt = confirm_remove_feed(ref, "1")
    assert shown == gr.update(visible=True)
    assert prompt == (
        f"Remove the feed `{URL}` (feed 1)? It is no longer polled; it has added no articles."
    )
    store = FeedStore(services.index.catalog)
    outcome = PollOutcome(checked=time.time(), ok=True, status="1 added", added=1)
    store.record(store.find(1), outcome)
    assert confirm_remove_feed(ref, URL)[1].endswith(
        "the 1 article it added stays indexed (delete it in the list above)."
    )
    store.record(store.find(1), PollOutcome(checked=time.time(), ok=True, status="", added=2))
    assert "the 3 articles it added stay indexed (delete them" in confirm_remove_feed(ref, "1")[1]
    assert warned(lambda: confirm_remove_feed(ref, " "), "Click a feed") == (gr.skip(), gr.skip())
    assert warned(lambda: confirm_remove_feed(ref, "9"), "no subscribed feed") == (
        gr.skip(), gr.skip(),
    )  # fmt: skip
    message, rows, listed = remove_feed(ref, "1", "")
    assert message == f"Removed feed 1 (`{URL}`); the 3 articles it added stay indexed."
    assert rows == [] and listed.startswith("No feeds yet")
    assert warned(lambda: remove_feed(ref, "1", ""), "no subscribed feed") == SKIPPED


def test_the_timer_changes_the_page_only_when_the_feeds_changed(
    services: Services, poller: FakePoller
) -> None:
    ref = ServiceRef(services)
    _, rows, _ = add_feed(ref, URL, "15m", "")
    shown, listed, seen, mark = watch_feeds(ref, [])
    assert shown == rows == seen and listed == "1 feed." and mark == ""
    assert watch_feeds(ref, seen) == (gr.skip(),) * 4  # nothing new
    store = FeedStore(services.index.catalog)
    store.record(store.find(1), PollOutcome(checked=123.0, ok=True, status="2 added", added=2))
    shown, _, seen, mark = watch_feeds(ref, seen)
    assert shown[0][5] == "2 / 2" and mark == "1@123.0"  # the tab lists its articles again
    store.record(store.find(1), PollOutcome(checked=456.0, ok=True, status="not modified"))
    assert watch_feeds(ref, seen)[3] == ""  # a poll that changed no article


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server


def test_a_feed_added_here_is_polled_by_the_real_poller_and_its_articles_listed(
    services: Services, feed_server: FeedServer
) -> None:
    real = FeedPoller(services, guard=AddressGuard(allowed_networks=["127.0.0.1/32"]), tick=0.2)
    services.feeds = real.start()
    ref = ServiceRef(services)
    url = f"{feed_server.url}/feed.xml"
    try:
        add_feed(ref, url, "1h", "")
        deadline = time.monotonic() + 20
        while list_feeds(ref)[0][0][5] != "2 / 2":
            assert time.monotonic() < deadline, list_feeds(ref)
            time.sleep(0.05)
        rows, _ = list_feeds(ref)
        assert rows[0][7] == "2 added, 0 updated, 0 unchanged" and rows[0][8] == ""
        listed = [r[4] for r in list_articles(ref, "Story", "Title A–Z")[0]]
        assert listed == ["Story 1 about topic1", "Story 2 about topic2"]
    finally:
        real.stop()
        services.feeds = None
