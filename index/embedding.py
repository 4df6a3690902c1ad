"""The one embedder protocol: what indexing, retrieval and answering need of an embedding model.

Import-light on purpose (numpy only): the command line and the tests type against it without
loading a model. The real one is index.embedder.SentenceTransformersEmbedder; the tests' fakes
(tests/conftest.py FakeEmbedder and its kin) follow the same protocol.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future
from typing import Protocol

import numpy as np

from index.split.sentences import Span


class Embedder(Protocol):
    """Embeds texts into unit-length vectors and counts their word pieces.

    The heavy model is loaded by ``warm_up``, which the factory (index.components.build_index)
    calls once at startup; never at import. An embedder whose ``warm_up`` was not called yet
    loads it on first use (commands that may never embed ask for that)."""

    def warm_up(self) -> None:
        """Load the model now, if not loaded yet (safe to call again, from any thread)."""
        ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One normalised float32 vector per text, in the order given."""
        ...

    def embed_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[Span]]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """``embed(texts)`` and, for each text, one unit vector per character span of
        ``spans[i]`` (a zero row for a span the model did not see)."""
        ...

    def submit_query(self, text: str) -> Future[np.ndarray]:
        """The unit vector of one question (whitespace-normalised), computed while the caller
        goes on; ``.result()`` waits for it. Called once per question: whoever needs the
        vector afterwards is handed it."""
        ...

    def count_tokens(self, text: str) -> int:
        """Number of word pieces the model sees for ``text``, special tokens included."""
        ...
