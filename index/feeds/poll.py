"""One poll of one feed: a conditional GET (If-None-Match / If-Modified-Since; 304 or the same
bytes as last time mean nothing new), then the entries read and indexed as
``newsdesk index add FEED_URL`` does (index.readers.inputs.read_inputs, then the indexer), so
entries keep their ids (canonical link), unchanged ones cost nothing, changed ones replace
their paragraphs and entries that drop off the feed stay indexed. A poll never raises: a
broken feed's reason is recorded in the store and the caller goes on with the next feed."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

import httpx

from index.errors import ArticleReadError, IndexingError
from index.feeds.store import Feed, FeedStore, PollOutcome
from index.models import FEED_ORIGIN_PREFIX, Article, IndexReport, ReadFailure
from index.readers.fetch import FetchedPage, Fetcher, PageFetcher
from index.readers.guard import AddressGuard, GuardedTransport
from index.readers.inputs import read_inputs

log = logging.getLogger("newsdesk.feeds")
Indexer = Callable[[Iterable[Article | ReadFailure]], IndexReport]  # IndexService.add & co.


@dataclass(frozen=True)
class FeedResponse:
    """A conditional fetch's answer: ``not_modified`` for a 304 (``page`` then has no body),
    with the validators the server sent ("" when none)."""

    page: FetchedPage
    not_modified: bool
    etag: str
    last_modified: str


class FeedSource(PageFetcher, Protocol):
    """What a poll needs: a conditional fetch of the feed, plain fetches of entries' pages."""

    def fetch(self, url: str, etag: str, last_modified: str) -> FeedResponse:
        """Fetch ``url`` with the validators of the last response; ArticleReadError on
        failure (HTTP errors, timeouts, too large)."""
        ...


class _Conditional(httpx.BaseTransport):
    """Adds the validators of the request being made on this thread (none for entries'
    pages) and notes the last response's status and validators."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.local = threading.local()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        for name, value in getattr(self.local, "send", {}).items():
            request.headers[name] = value
        response = self.inner.handle_request(request)
        self.local.seen = (response.status_code, dict(response.headers))
        return response

    def close(self) -> None:
        self.inner.close()


class FeedFetcher:
    """The real :class:`FeedSource`: index.readers.fetch.Fetcher's ``get`` (its redirects,
    size cap, deadline) over a transport that adds the conditional headers, connecting
    through ``guard``'s checks (GuardedTransport) when one is given."""

    def __init__(
        self,
        *,
        timeout: float = 15.0,
        deadline: float = 60.0,
        max_bytes: int = 5_000_000,
        guard: AddressGuard | None = None,
    ) -> None:
        inner = GuardedTransport(guard) if guard is not None else httpx.HTTPTransport()
        self._transport = _Conditional(inner)
        self._fetcher = Fetcher(
            max_bytes=max_bytes, timeout=timeout, deadline=deadline, transport=self._transport
        )

    def fetch(self, url: str, etag: str, last_modified: str) -> FeedResponse:
        """GET ``url`` with If-None-Match / If-Modified-Since when known."""
        send = {"If-None-Match": etag, "If-Modified-Since": last_modified}
        local = self._transport.local
        local.send, local.seen = {k: v for k, v in send.items() if v}, (0, {})
        try:
            page = self._fetcher.get(url)
        finally:
            local.send = {}
        status, headers = local.seen
        return FeedResponse(
            page, status == 304, headers.get("etag", ""), headers.get("last-modified", "")
        )

    def get(self, url: str) -> FetchedPage:
        """A plain GET (an entry's page)."""
        return self._fetcher.get(url)

    def close(self) -> None:
        """Close the HTTP connections."""
        self._fetcher.close()


class _Prefetched:
    """The feed's response for the feed URL (once), the real fetcher for anything else."""

    def __init__(self, url: str, page: FetchedPage, fetcher: PageFetcher) -> None:
        self.url, self.fetcher = url, fetcher
        self.page: FetchedPage | None = page

    def get(self, url: str) -> FetchedPage:
        page, self.page = (self.page, None) if url == self.url else (None, self.page)
        return page if page is not None else self.fetcher.get(url)


def poll_feed(
    store: FeedStore,
    feed: Feed,
    fetcher: FeedSource,
    index: Indexer,
    max_bytes: int = 5_000_000,
) -> PollOutcome:
    """Poll ``feed`` once, index what is new or changed with ``index`` and record the outcome
    (and the next due time) in ``store``. Never raises for a broken feed or a failed write."""
    checked = time.time()
    try:
        outcome = _poll(feed, fetcher, index, max_bytes, checked)
    except IndexingError as exc:  # fetch failures, a locked index, a store down
        reason = exc.reason if isinstance(exc, ArticleReadError) else str(exc)
        outcome = PollOutcome(checked, False, "failed", error=reason)
    except Exception as exc:  # a bug or a library failing on odd input: this feed only
        log.exception("polling %s failed", feed.url)
        outcome = PollOutcome(checked, False, "failed", error=f"{type(exc).__name__}: {exc}")
    store.record(feed, outcome)
    if not outcome.ok:
        log.warning("feed %s: %s", feed.url, outcome.error)
    return outcome


def _poll(
    feed: Feed, fetcher: FeedSource, index: Indexer, max_bytes: int, checked: float
) -> PollOutcome:
    response = fetcher.fetch(feed.url, feed.etag, feed.last_modified)
    if response.not_modified:
        return PollOutcome(checked, True, "not modified")
    body_hash = hashlib.sha256(response.page.data).hexdigest()[:32]
    etag, modified = response.etag, response.last_modified
    if body_hash == feed.body_hash:  # a server without validators sent the same bytes
        return PollOutcome(checked, True, "not modified", 0, 0, "", etag, modified, body_hash)
    prefetched = _Prefetched(feed.url, response.page, fetcher)
    items = list(read_inputs([feed.url], max_bytes=max_bytes, fetcher=prefetched))
    articles = [item for item in items if isinstance(item, Article)]
    failures = [item for item in items if isinstance(item, ReadFailure)]
    if not articles:
        error = failures[0].reason if failures else "the feed has no entries"
        return PollOutcome(checked, False, "failed", error=error)
    if not all(a.origin.startswith(FEED_ORIGIN_PREFIX) for a in articles):
        kind = response.page.media_type or "no content type"
        return PollOutcome(checked, False, "failed", error=f"not an RSS/Atom feed ({kind})")
    report = index(items)
    added, updated = len(report.added), len(report.updated)
    status = f"{added} added, {updated} updated, {len(report.unchanged)} unchanged"
    error = ""
    if report.failed:
        error = f"{len(report.failed)} entries not indexed; first: {report.failed[0].reason}"
    return PollOutcome(checked, True, status, added, updated, error, etag, modified, body_hash)
