"""The factory of the question-answering layer, called once at startup."""

from __future__ import annotations

from index.components import IndexComponents
from index.sentence_vectors import SentenceVectorStore
from index.statements_store import StatementStore
from qa.config import QASettings
from qa.retrieval import PassageSearch, Retriever
from qa.said import SpeakerAnswers
from qa.service import QAService


def build_qa(index: IndexComponents, settings: QASettings) -> QAService:
    """A QAService over the index's catalog, vector store and embedding model."""
    retriever = build_retriever(index, settings)
    speakers = build_speakers(index, retriever)
    sentences = SentenceVectorStore(index.catalog)
    return QAService(retriever, index.embedder, settings, speakers=speakers, sentences=sentences)


def build_retriever(index: IndexComponents, settings: QASettings) -> Retriever:
    """Hybrid retrieval over the index's catalog, vector store and embedding model."""
    return Retriever(
        index.catalog,
        index.store,
        index.embedder,
        settings,
        sentences=SentenceVectorStore(index.catalog),
    )


def build_speakers(index: IndexComponents, passages: PassageSearch | None = None) -> SpeakerAnswers:
    """Speaker answers over the index's stored statements; ``passages`` (a retriever) finds
    the passages that mention a speaker without statements (none without it)."""
    return SpeakerAnswers(StatementStore(index.catalog), index.catalog, passages)
