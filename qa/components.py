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
    sentences = SentenceVectorStore(index.catalog)
    retriever = build_retriever(index, settings, sentences)
    speakers = build_speakers(index, retriever)
    return QAService(retriever, index.embedder, settings, speakers=speakers, sentences=sentences)


def build_retriever(
    index: IndexComponents, settings: QASettings, sentences: SentenceVectorStore | None = None
) -> Retriever:
    """Hybrid retrieval over the index's catalog, vector store, sentence vectors (read from
    the catalog unless given) and embedding model."""
    sentences = sentences or SentenceVectorStore(index.catalog)
    return Retriever(index.catalog, index.store, index.embedder, settings, sentences=sentences)


def build_speakers(index: IndexComponents, passages: PassageSearch | None = None) -> SpeakerAnswers:
    """Speaker answers over the index's stored statements; ``passages`` (a retriever) finds
    the passages that mention a speaker without statements (none without it)."""
    return SpeakerAnswers(StatementStore(index.catalog), index.catalog, passages)
