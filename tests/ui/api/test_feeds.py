"""``/api/feeds`` and the server's feed poller, with a real RSS server on loopback
(tests.feed_server): a feed added over the API is polled and indexed in the background and
answers searches, a slow feed blocks neither questions nor other feeds, polls take the write
lock, and bad requests get clear 4xx answers."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from index.feeds.store import FeedStore
from tests.feed_server import FeedServer, story
from ui.config import UISettings
from ui.feeds import FeedPoller
from ui.server import create_api
from ui.services import ServiceRef, Services

KEY = {"X-API-Key": "k3y"}


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as feed_server:
        yield feed_server


@pytest.fixture
def keyed(services: Services) -> Iterator[TestClient]:
    """The API (writes need KEY) whose poller may reach loopback, polling in the background."""
    loopback = {"url_allowed_networks": "127.0.0.1/32"}  # NEWSDESK_URL_ALLOWED_NETWORKS
    services.index.settings = services.index.settings.model_copy(update=loopback)
    services.settings = UISettings(api_key="k3y")  # type: ignore[call-arg]
    with TestClient(create_api(ServiceRef(services), services.settings)) as client:
        yield client


def wait_for(check: Callable[[], Any], seconds: float = 15.0) -> Any:
    """Poll ``check`` until it returns something true; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"not true after {seconds} s: {check}")


def listed(client: TestClient, url: str) -> dict[str, Any]:
    """The feed with ``url`` in GET /api/feeds."""
    response = client.get("/api/feeds")
    assert response.status_code == 200
    return next(f for f in response.json()["items"] if f["url"] == url)


def found(client: TestClient, query: str) -> set[str]:
    """The article ids a search for ``query`` finds."""
    passages = client.post("/api/search", json={"query": query}).json()["passages"]
    return {p["article_id"] for p in passages}


def test_a_feed_added_over_the_api_is_polled_indexed_and_answerable(
    keyed: TestClient, server: FeedServer
) -> None:
    url = f"{server.url}/feed.xml"
    assert keyed.post("/api/feeds", json={"url": url}).status_code == 401
    response = keyed.post("/api/feeds", json={"url": url, "every": "1h"}, headers=KEY)
    assert response.status_code == 201, response.text
    feed = response.json()
    assert (feed["every"], feed["every_seconds"], feed["total_added"]) == ("1h", 3600, 0)

    polled = wait_for(lambda: (f := listed(keyed, url))["last_success"] and f)
    assert polled["last_added"] == 2 and polled["total_added"] == 2 and not polled["last_error"]
    assert polled["last_checked"] == polled["last_success"] and polled["next_due"]
    assert "https://news.example/story-1" in found(keyed, "topic1")

    server.entries = [story(3, "lighthouse"), *server.entries]
    started = time.monotonic()
    again = keyed.post(f"/api/feeds/{feed['id']}/poll", headers=KEY)
    assert again.status_code == 200
    wait_for(lambda: listed(keyed, url)["total_added"] == 3)
    assert "https://news.example/story-3" in found(keyed, "lighthouse")
    assert time.monotonic() - started < 5
    assert listed(keyed, url)["last_status"] == "1 added, 0 updated, 2 unchanged"

    gone = keyed.delete(f"/api/feeds/{feed['id']}", headers=KEY)
    assert gone.status_code == 200 and gone.json()["url"] == url
    assert keyed.get("/api/feeds").json() == {"items": []}
    assert "https://news.example/story-3" in found(keyed, "lighthouse")  # articles stay


def test_a_slow_feed_blocks_neither_questions_nor_other_feeds(
    keyed: TestClient, server: FeedServer
) -> None:
    server.slow_s = 4.0
    slow, fast = f"{server.url}/slow.xml", f"{server.url}/feed.xml"
    assert keyed.post("/api/feeds", json={"url": slow}, headers=KEY).status_code == 201
    wait_for(lambda: listed(keyed, slow)["polling"])
    started = time.monotonic()
    assert keyed.post("/api/search", json={"query": "Kupiansk"}).status_code == 200
    assert keyed.post("/api/feeds", json={"url": fast}, headers=KEY).status_code == 201
    wait_for(lambda: listed(keyed, fast)["total_added"] == 2)
    assert time.monotonic() - started < 3.5
    assert listed(keyed, slow)["last_checked"] is None  # still being fetched meanwhile
    done = wait_for(lambda: (f := listed(keyed, slow))["last_checked"] and f)
    assert done["last_error"] == "" and done["last_status"].startswith("0 added")  # same ids


def test_polls_index_under_the_write_lock(services: Services, server: FeedServer) -> None:
    from index.readers.guard import AddressGuard

    poller = FeedPoller(services, guard=AddressGuard(allowed_networks=["127.0.0.1/32"]))
    store = FeedStore(services.index.catalog)
    feed, _ = store.add(f"{server.url}/feed.xml")
    before = services.index.catalog.count_articles()
    try:
        with services.write_lock:  # an upload is being indexed
            assert poller.schedule_due() == [feed.id]
            time.sleep(0.5)
            assert poller.in_flight() == {feed.id}
            assert services.index.catalog.count_articles() == before
            assert server.feed_requests()  # fetched already; waits only to write
        wait_for(lambda: not poller.in_flight())
        assert services.index.catalog.count_articles() == before + 2
    finally:
        poller.stop()


@pytest.mark.parametrize(
    ("body", "says"),
    [({"url": "ftp://news.example/rss"}, "only http:// and https://"),
     ({"url": "news.example/rss"}, "bad feed URL"),
     ({"url": "https://news.example/rss", "every": "30s"}, "too short: at least 1m"),
     ({"url": "https://news.example/rss", "every": "soon"}, "write it like 30m"),
     ({"url": "https://news.example/rss", "extra": 1}, "extra"),
     ({}, "url")],
)  # fmt: skip
def test_bad_subscriptions_are_422_with_the_reason(
    client: TestClient, body: dict[str, Any], says: str
) -> None:
    response = client.post("/api/feeds", json=body)
    assert response.status_code == 422
    assert says in response.json()["detail"]
    assert client.get("/api/feeds").json() == {"items": []}


def test_adding_again_sets_the_interval_and_unknown_ids_are_404(client: TestClient) -> None:
    url = "http://127.0.0.1:9/feed.xml"  # refused by the server's guard: never fetched
    first = client.post("/api/feeds", json={"url": url})
    assert first.status_code == 201 and first.json()["every"] == "15m"
    second = client.post("/api/feeds", json={"url": url, "every": "2h"})
    assert second.status_code == 200 and second.json()["id"] == first.json()["id"]
    assert [f["every"] for f in client.get("/api/feeds").json()["items"]] == ["2h"]
    assert client.delete("/api/feeds/999").status_code == 404
    assert client.post("/api/feeds/999/poll").status_code == 404
    assert client.delete("/api/feeds/abc").status_code == 422
