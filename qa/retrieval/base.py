"""What retrieval returns, and the protocols of retrieval and of the stores it reads beside
the catalog (each met by the real store or a test's fake)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

import numpy as np

from index.filters import SearchFilters
from index.storage.sentence_vectors import StoredSentences
from index.storage.stories import StoryCopy
from qa.models import Passage


@dataclass(frozen=True)
class Retrieval:
    """One search's passages, best first, with what the search computed on the way, for the
    answerer to use instead of computing it again: the query's unit vector (the one model
    call of a question) and the stored sentences of every candidate paragraph, the passages'
    among them (None: no query was embedded, or no sentence store was given)."""

    passages: list[Passage]
    vector: np.ndarray | None = None
    sentences: StoredSentences | None = None


class PassageSearch(Protocol):
    """What answering needs of retrieval (Retriever, or a test's fake)."""

    def search(
        self,
        query: str,
        k: int = 10,
        filters: SearchFilters | None = None,
        as_of: date | None = None,
    ) -> list[Passage]:
        """Passages for ``query``, best first."""
        ...

    def retrieve(
        self,
        query: str,
        k: int = 10,
        filters: SearchFilters | None = None,
        as_of: date | None = None,
    ) -> Retrieval:
        """``search``'s passages, with the query's vector and the sentences read for them."""
        ...


class SentenceStore(Protocol):
    """Sentence vectors stored at indexing time
    (index.storage.sentence_vectors.SentenceVectorStore)."""

    def read(self, paragraph_ids: Sequence[str]) -> StoredSentences:
        """The stored sentences of those of ``paragraph_ids`` that have any, in one read."""
        ...


class StorySource(Protocol):
    """Stories found at indexing time (index.storage.stories.StoryStore)."""

    def stories(self, paragraph_ids: Iterable[str]) -> dict[str, int]:
        """The story of each paragraph that has one."""
        ...

    def copies(self, stories: Iterable[int]) -> dict[int, list[StoryCopy]]:
        """Every paragraph of each story, with its article's metadata."""
        ...
