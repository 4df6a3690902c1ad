"""The service layer's exceptions, and the one table translating every layer's exceptions
into HTTP statuses (the API) and messages (the web UI's gr.Error)."""

from __future__ import annotations

from index.errors import (
    ArticleNotFound,
    ArticleReadError,
    FeedError,
    FeedNotFound,
    IndexingError,
    IndexLocked,
    StoreUnavailable,
)
from qa.errors import QAError, QuestionRejected, RetrievalUnavailable


class ServiceError(Exception):
    """Base class of every error the ui package raises on purpose."""


class Unauthorized(ServiceError):
    """A write came without the right API key."""


class UnsafeBind(ServiceError):
    """Key-less writes would be open to the network: the server refuses to start."""


class NotReady(ServiceError):
    """The services are still being built (or failed to build)."""


# Most specific classes first: the first match wins.
_STATUS: list[tuple[type[Exception], int]] = [
    (Unauthorized, 401),
    (NotReady, 503),
    (ArticleNotFound, 404),
    (ArticleReadError, 422),
    (FeedNotFound, 404),
    (FeedError, 422),
    (IndexLocked, 409),
    (StoreUnavailable, 503),
    (IndexingError, 400),
    (QuestionRejected, 422),
    (RetrievalUnavailable, 503),
    (QAError, 400),
    (ServiceError, 400),
]


def http_status(exc: Exception) -> int | None:
    """The HTTP status for one of our exceptions, or None for anything else (a bug: 500)."""
    for cls, status in _STATUS:
        if isinstance(exc, cls):
            return status
    return None


def user_message(exc: Exception) -> str:
    """A one-line message for people: ours as they are, anything else generic."""
    if http_status(exc) is None:
        return f"Internal error ({type(exc).__name__}); see the server log."
    return str(exc) or type(exc).__name__
