"""The indexing layer's exception family; the edges (CLI, API, UI) translate these."""


class IndexingError(Exception):
    """Base class of every error the index package raises on purpose."""


class ArticleReadError(IndexingError):
    """An input could not be turned into an article (empty, binary, too large, malformed...)."""

    def __init__(self, origin: str, reason: str) -> None:
        super().__init__(f"{origin}: {reason}")
        self.origin = origin
        self.reason = reason


class ArticleNotFound(IndexingError):
    """No indexed article has the given id."""


class IndexLocked(IndexingError):
    """Another process is indexing into the same data directory."""


class StoreUnavailable(IndexingError):
    """The vector store (embedded or server) cannot be reached or opened."""


class IndexLockLost(StoreUnavailable):
    """The database lost this process's indexing lock (it restarted): the run stops before
    another write, and the next run resumes it."""


class MigrationError(IndexingError):
    """A migration's target is not an empty PostgreSQL database or Chroma collection."""


class FeedError(IndexingError):
    """A feed subscription request is invalid (a bad URL, a bad interval)."""


class FeedNotFound(IndexingError):
    """No subscribed feed has the given id or URL."""


class UrlRefused(ArticleReadError):
    """A URL fetched on a user's behalf leads to an address that may not be reached from the
    server (loopback, a private network, cloud metadata...): server-side request forgery."""
