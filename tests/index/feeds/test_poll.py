"""index.feeds.poll against a real RSS server on loopback (tests.feed_server): the first poll
indexes every entry, an unchanged feed answers 304 and nothing is embedded again, a changed
feed adds only its new entry, a broken feed records its error without stopping the others,
and the validators survive reopening the catalog."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from index.feeds.poll import FeedFetcher, poll_feed
from index.feeds.store import FeedStore
from index.models import FEED_ORIGIN_PREFIX
from index.readers.guard import AddressGuard
from index.storage.keyword import keyword_search
from tests.conftest import FakeEmbedder, MakeIndex, assert_consistent
from tests.feed_server import FeedServer, story


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as feed_server:
        yield feed_server


@pytest.fixture
def fetcher() -> Iterator[FeedFetcher]:
    """The real fetcher, allowed to reach loopback only (the guard is in the path)."""
    real = FeedFetcher(timeout=1.0, guard=AddressGuard(allowed_networks=["127.0.0.1/32"]))
    yield real
    real.close()


def test_a_feed_is_indexed_then_only_its_changes(
    server: FeedServer, fetcher: FeedFetcher, make_index: MakeIndex
) -> None:
    embedder = FakeEmbedder()
    index = make_index(embedder=embedder)
    store = FeedStore(index.catalog)
    feed, _ = store.add(f"{server.url}/feed.xml", 600)

    first = poll_feed(store, feed, fetcher, index.service.add)
    assert first.ok and (first.added, first.updated) == (2, 0), first
    ids = {"https://news.example/story-1", "https://news.example/story-2"}
    assert {r.id for r in index.catalog.list_articles()} == ids
    assert index.catalog.origin_articles(FEED_ORIGIN_PREFIX + feed.url) == ids
    feed = store.find(feed.id)
    assert feed.last_status == "2 added, 0 updated, 0 unchanged" and feed.total_added == 2
    assert feed.last_checked == feed.last_success and feed.etag and feed.last_modified
    assert feed.next_due == pytest.approx(feed.last_checked + 600)  # type: ignore[operator]
    embedded = len(embedder.embedded)

    second = poll_feed(store, feed, fetcher, index.service.add)  # nothing new: 304
    assert second.ok and second.status == "not modified" and second.added == 0
    assert server.feed_requests()[-1][1] == feed.etag  # If-None-Match sent
    assert len(embedder.embedded) == embedded

    server.entries = [story(3, "harbour dredging"), *server.entries[:1]]  # one new, one gone
    feed = store.find(feed.id)
    third = poll_feed(store, feed, fetcher, index.service.add)
    assert third.ok and (third.added, third.updated) == (1, 0), third
    assert third.status == "1 added, 0 updated, 1 unchanged"
    new_texts = embedder.embedded[embedded:]
    assert new_texts and all("harbour dredging" in t for t in new_texts)  # only the new entry
    assert {r.id for r in index.catalog.list_articles()} == ids | {"https://news.example/story-3"}
    assert_consistent(index)  # no duplicate anywhere; story 2 stays though it left the feed
    hits = keyword_search(index.catalog, "harbour dredging", 3)
    assert hits and hits[0].id.startswith("https://news.example/story-3#")
    feed = store.find(feed.id)
    assert (feed.last_added, feed.total_added, feed.last_error) == (1, 3, "")


def test_a_changed_entry_replaces_its_paragraphs(
    server: FeedServer, fetcher: FeedFetcher, make_index: MakeIndex
) -> None:
    index = make_index()
    store = FeedStore(index.catalog)
    feed, _ = store.add(f"{server.url}/feed.xml")
    assert poll_feed(store, feed, fetcher, index.service.add).added == 2
    server.entries = [story(1, "a corrected figure"), server.entries[1]]
    outcome = poll_feed(store, store.find(feed.id), fetcher, index.service.add)
    assert (outcome.added, outcome.updated) == (0, 1)
    text = index.catalog.article_text("https://news.example/story-1") or ""
    assert "a corrected figure" in text
    assert_consistent(index)


def test_last_modified_alone_gives_a_304(
    server: FeedServer, fetcher: FeedFetcher, make_index: MakeIndex
) -> None:
    server.etag = False
    index = make_index()
    store = FeedStore(index.catalog)
    feed, _ = store.add(f"{server.url}/feed.xml")
    poll_feed(store, feed, fetcher, index.service.add)
    feed = store.find(feed.id)
    assert feed.etag == "" and feed.last_modified
    assert poll_feed(store, feed, fetcher, index.service.add).status == "not modified"
    assert server.feed_requests()[-1][2] == feed.last_modified  # If-Modified-Since sent


def test_the_same_bytes_without_validators_are_not_read_again(
    server: FeedServer, fetcher: FeedFetcher, make_index: MakeIndex
) -> None:
    server.etag = server.last_modified = False
    embedder = FakeEmbedder()
    index = make_index(embedder=embedder)
    store = FeedStore(index.catalog)
    feed, _ = store.add(f"{server.url}/feed.xml")
    poll_feed(store, feed, fetcher, index.service.add)
    embedded = len(embedder.embedded)
    again = poll_feed(store, store.find(feed.id), fetcher, index.service.add)
    assert again.status == "not modified" and len(embedder.embedded) == embedded
    assert server.feed_requests()[-1][1:] == ("", "")  # nothing conditional to send


def test_broken_feeds_record_their_error_and_the_others_are_still_polled(
    server: FeedServer, fetcher: FeedFetcher, make_index: MakeIndex
) -> None:
    index = make_index()
    store = FeedStore(index.catalog)
    for path in ("broken.xml", "garbage.xml", "slow.xml", "page.html", "missing.xml", "feed.xml"):
        store.add(f"{server.url}/{path}")
    outcomes = {f.url.rsplit("/", 1)[1]: poll_feed(store, f, fetcher, index.service.add)
                for f in store.due()}  # fmt: skip
    errors = {name: o.error for name, o in outcomes.items() if not o.ok}
    assert errors.keys() == {"broken.xml", "garbage.xml", "slow.xml", "page.html", "missing.xml"}
    assert errors["broken.xml"] == "HTTP error 500 Internal Server Error"
    assert "not a valid RSS/Atom feed" in errors["garbage.xml"]
    assert errors["slow.xml"] == "timed out after 1 s"
    assert errors["page.html"] == "not an RSS/Atom feed (text/html)"
    assert errors["missing.xml"] == "HTTP error 404 Not Found"
    assert outcomes["feed.xml"].ok and outcomes["feed.xml"].added == 2
    broken = store.find(f"{server.url}/broken.xml")
    assert broken.last_checked and broken.last_success is None and broken.failures == 1
    assert broken.last_error == errors["broken.xml"] and broken.last_status == "failed"
    assert index.catalog.count_articles() == 2  # the HTML page was not indexed


def test_validators_survive_reopening_the_index(
    server: FeedServer, fetcher: FeedFetcher, make_index: MakeIndex
) -> None:
    index = make_index()
    store = FeedStore(index.catalog)
    feed, _ = store.add(f"{server.url}/feed.xml")
    poll_feed(store, feed, fetcher, index.service.add)
    reopened = make_index()  # same folder: a restarted server
    store = FeedStore(reopened.catalog)
    [feed] = store.all()
    assert feed.total_added == 2
    assert poll_feed(store, feed, fetcher, reopened.service.add).status == "not modified"


def test_the_address_guard_applies_to_feed_polls(server: FeedServer, make_index: MakeIndex) -> None:
    index = make_index()
    store = FeedStore(index.catalog)
    feed, _ = store.add(f"{server.url}/feed.xml")
    guarded = FeedFetcher(guard=AddressGuard())  # public addresses only: the server's default
    try:
        outcome = poll_feed(store, feed, guarded, index.service.add)
    finally:
        guarded.close()
    assert not outcome.ok and "loopback" in outcome.error, outcome
    assert server.feed_requests() == [] and index.catalog.count_articles() == 0
