"""The services the API and the web UI share, built once per server and used in-process."""

from __future__ import annotations

import hmac
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from index.components import IndexComponents
from index.models import Article, IndexReport, ReadFailure
from index.service import Progress
from qa.models import Answer, Passage
from qa.requests import AskQuery, SearchQuery
from ui.config import UISettings
from ui.errors import NotReady, Unauthorized


class FeedPolling(Protocol):
    """What the API and the web UI need of the server's feed poller (ui.feeds.FeedPoller)."""

    def poke(self) -> None: ...

    def in_flight(self) -> set[int]: ...


class QALike(Protocol):
    """What the service layer needs from the question-answering service."""

    def ask(self, request: AskQuery) -> Answer: ...

    def ask_stream(self, request: AskQuery) -> Iterator[str | Answer]: ...

    def search(self, request: SearchQuery) -> list[Passage]: ...


@dataclass
class Services:
    """The index and QA services plus the server's settings, and its feed poller (set in the
    server's lifespan; None while it is not running or when NEWSDESK_POLL_FEEDS is false).

    Writes from this process are serialised with a lock, so concurrent uploads wait for each
    other instead of failing with IndexLocked (which then only means another process)."""

    index: IndexComponents
    qa: QALike
    settings: UISettings
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    feeds: FeedPolling | None = None

    def feeds_polling(self) -> set[int]:
        """The ids of the feeds being polled now (none while no poller runs)."""
        return self.feeds.in_flight() if self.feeds is not None else set()

    def poke_feeds(self) -> bool:
        """Ask the poller to look for due feeds now; False when no poller runs."""
        if self.feeds is None:
            return False
        self.feeds.poke()
        return True

    def add_articles(
        self, items: Iterable[Article | ReadFailure], progress: Progress | None = None
    ) -> IndexReport:
        """Index articles (see IndexService.add), one write at a time."""
        with self.write_lock:
            return self.index.service.add(items, progress=progress)

    def remove_article(self, article_id: str) -> None:
        """Remove one article; raises ArticleNotFound."""
        with self.write_lock:
            self.index.service.remove(article_id)

    def check_key(self, *given: str | None) -> None:
        """Raise Unauthorized unless writes are open, or a key is given and every key given
        (Bearer, X-API-Key) is the configured one, compared in constant time."""
        expected = self.settings.api_key
        if expected is None:
            return
        secret = expected.get_secret_value().encode("utf-8")
        keys = [key.encode("utf-8") for key in given if key]
        if not keys or not all(hmac.compare_digest(key, secret) for key in keys):
            raise Unauthorized("this server needs an API key for writes")

    def model_loaded(self) -> bool:
        """True once the embedding model is in memory (warmed up)."""
        embedder: Any = self.index.embedder
        return bool(getattr(embedder, "is_warm", True))  # a test's fake has nothing to load


class ServiceRef:
    """A slot filled in the server's lifespan; routes and UI handlers read it per request."""

    def __init__(self, services: Services | None = None) -> None:
        self.services = services

    def get(self) -> Services:
        """The services, or NotReady while the server is still starting."""
        if self.services is None:
            raise NotReady("the server is still starting; try again in a moment")
        return self.services
