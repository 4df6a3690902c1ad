"""The server's feed poller: a scheduler thread hands each due feed (index.feeds.store) to a
small pool of worker threads, which poll it (index.feeds.poll.poll_feed) and index through
Services.add_articles, under the same write lock as uploads. Nothing runs on the event loop;
a slow feed holds one worker (its fetches time out), never the questions or the other feeds.
The schedule is in the catalog, so it survives a restart and sees feeds added by the CLI."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from index.feeds.poll import FeedFetcher, FeedSource, poll_feed
from index.feeds.store import Feed, FeedStore
from index.readers.guard import AddressGuard
from ui.services import Services

log = logging.getLogger("newsdesk.feeds")
TICK_S = 5.0  # the longest the scheduler sleeps: feeds added by another process are seen


class FeedPoller:
    """Polls every due feed in the background until :meth:`stop`."""

    def __init__(
        self,
        services: Services,
        *,
        workers: int = 4,
        timeout: float = 15.0,
        fetcher: FeedSource | None = None,
        guard: AddressGuard | None = None,
        tick: float = TICK_S,
    ) -> None:
        self.services = services
        self.store = FeedStore(services.index.catalog)
        self.max_bytes = services.index.settings.max_article_bytes
        self._own_fetcher = fetcher is None
        self.fetcher: FeedSource = fetcher or FeedFetcher(
            timeout=timeout, max_bytes=self.max_bytes, guard=guard
        )
        self.tick = tick
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="feed-poll")
        self._in_flight: set[int] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="feed-scheduler", daemon=True)

    def start(self) -> FeedPoller:
        """Start the scheduler thread."""
        self._thread.start()
        return self

    def poke(self) -> None:
        """Look for due feeds now (a feed was added or asked to be polled)."""
        self._wake.set()

    def in_flight(self) -> set[int]:
        """The ids of the feeds being polled now."""
        with self._lock:
            return set(self._in_flight)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop scheduling, wait up to ``timeout`` seconds for polls in flight (an
        interrupted indexing run is finished by the next one), close the connections."""
        self._stopping.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        self._pool.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + timeout
        while self.in_flight() and time.monotonic() < deadline:
            time.sleep(0.05)
        if self._own_fetcher and not self.in_flight():
            close = getattr(self.fetcher, "close", None)
            if close is not None:
                close()

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.schedule_due()
                wait = self._seconds_to_next()
            except Exception:  # the catalog busy or gone: try again on the next tick
                log.exception("feed scheduler")
                wait = self.tick
            self._wake.wait(wait)
            self._wake.clear()

    def schedule_due(self) -> list[int]:
        """Hand every due feed not already being polled to a worker; their ids."""
        started = []
        for feed in self.store.due():
            with self._lock:
                if feed.id in self._in_flight or self._stopping.is_set():
                    continue
                self._in_flight.add(feed.id)
            self._pool.submit(self._poll, feed)
            started.append(feed.id)
        return started

    def _seconds_to_next(self) -> float:
        due = self.store.next_due(exclude=self.in_flight())
        if due is None:
            return self.tick
        return min(self.tick, max(0.05, due - time.time()))

    def _poll(self, feed: Feed) -> None:
        try:
            poll_feed(self.store, feed, self.fetcher, self.services.add_articles, self.max_bytes)
        except Exception:  # poll_feed records the feed's own failures; this is the store
            log.exception("recording the poll of %s failed", feed.url)
            self._stopping.wait(self.tick)  # still due: not again at once
        finally:
            with self._lock:
                self._in_flight.discard(feed.id)
            self._wake.set()


def start_poller(services: Services, guard: AddressGuard | None = None) -> FeedPoller | None:
    """The server's poller, started, unless NEWSDESK_POLL_FEEDS is false. Feeds may be added
    over the API, so their fetches pass ``guard`` (by default: public addresses only, unless
    NEWSDESK_ALLOW_PRIVATE_URLS / NEWSDESK_URL_ALLOWED_NETWORKS allow more)."""
    settings = services.settings
    if not settings.poll_feeds:
        return None
    poller = FeedPoller(
        services,
        workers=settings.feed_workers,
        timeout=settings.feed_timeout,
        guard=guard or services.index.settings.url_guard(),
    )
    return poller.start()
