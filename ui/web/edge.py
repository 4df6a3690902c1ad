"""Where the web UI meets errors: a user's mistake is told in a warning and changes nothing on
the page; anything else becomes a ``gr.Error``. (A ``gr.Error`` also covers every output of the
event with an error badge, which for a typo would hide the conversation until the next answer.)
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import gradio as gr

from ui.errors import http_status, user_message

Handler = TypeVar("Handler", bound=Callable[..., Any])


class Mistake(Exception):
    """Something the user can put right (an empty box, a malformed date)."""


def at_the_edge(outputs: int) -> Callable[[Handler], Handler]:
    """Wrap an event handler with ``outputs`` outputs: a Mistake, or one of our errors with a
    4xx status (a rejected question, an unknown id, a wrong key), becomes a warning and leaves
    the outputs as they are; any other exception becomes a gr.Error."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return handler(*args, **kwargs)
            except Exception as exc:
                return _outputs_for(exc, outputs)

        return run  # type: ignore[return-value]

    return wrap


def streaming_at_the_edge(outputs: int) -> Callable[[Handler], Handler]:
    """``at_the_edge`` for a handler that yields its outputs as they change (a streamed
    answer): the same translation of errors, raised before or while it yields."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def run(*args: Any, **kwargs: Any) -> Iterator[Any]:
            try:
                yield from handler(*args, **kwargs)
            except Exception as exc:
                yield _outputs_for(exc, outputs)

        return run  # type: ignore[return-value]

    return wrap


def _outputs_for(exc: Exception, outputs: int) -> tuple[Any, ...]:
    """A Mistake, or one of our errors with a 4xx status: a warning, the ``outputs`` left
    as they are; anything else: raised again as a gr.Error."""
    if isinstance(exc, Mistake):
        return _warn(str(exc), outputs)
    status = http_status(exc)
    if status is not None and status < 500:
        return _warn(user_message(exc), outputs)
    raise gr.Error(user_message(exc)) from exc


def _warn(message: str, outputs: int) -> tuple[Any, ...]:
    gr.Warning(message)
    return tuple(gr.skip() for _ in range(outputs))
