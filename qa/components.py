"""The factory of the question-answering layer, called once at startup."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from index.components import IndexComponents
from index.service import EmbedderLike
from index.statements_store import StatementStore
from qa.config import QASettings
from qa.retrieval import PassageSearch, Retriever
from qa.said import SpeakerAnswers
from qa.service import QAService


class QueryEmbedding:
    """The index's embedding model seen by the qa layer: texts and single queries."""

    def __init__(self, embedder: EmbedderLike) -> None:
        self.embedder = embedder

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One unit-length vector per text (the index's model)."""
        return self.embedder.embed(texts)

    def embed_query(self, text: str) -> np.ndarray:
        """The unit-length vector of one query."""
        return self.embedder.embed([text])[0]


def build_qa(index: IndexComponents, settings: QASettings) -> QAService:
    """A QAService over the index's catalog, vector store and embedding model."""
    embedder = QueryEmbedding(index.embedder)
    retriever = Retriever(index.catalog, index.store, embedder, settings)
    speakers = build_speakers(index, retriever)
    return QAService(retriever, embedder, settings, speakers=speakers)


def build_speakers(index: IndexComponents, passages: PassageSearch | None = None) -> SpeakerAnswers:
    """Speaker answers over the index's stored statements; ``passages`` (a retriever) finds
    the passages that mention a speaker without statements (none without it)."""
    return SpeakerAnswers(StatementStore(index.catalog), index.catalog, passages)
