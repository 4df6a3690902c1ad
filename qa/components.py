"""The factory of the question-answering layer, called once at startup."""

from __future__ import annotations

from typing import TYPE_CHECKING

from index.components import IndexComponents
from index.statements.store import StatementStore
from index.storage.sentence_vectors import SentenceVectorStore
from index.storage.stories import StoryStore
from qa.answer.scorer import ExtractiveAnswerer
from qa.config import QASettings
from qa.errors import LLMNotConfigured
from qa.reader.answerer import ReaderAnswerer
from qa.reader.base import Reader
from qa.reader.calibration import Calibration
from qa.retrieval.base import PassageSearch
from qa.retrieval.search import Retriever
from qa.said.answer import SpeakerAnswers
from qa.service import Answerer, QAService

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from qa.llm.answerer import LLMAnswerer


def build_qa(
    index: IndexComponents,
    settings: QASettings,
    reader: Reader | None = None,
    chat: BaseChatModel | None = None,
) -> QAService:
    """A QAService over the index's catalog, vector store and embedding model, answering with
    ``reader`` (else the shipped reader model, loaded now, unless settings.reader is off), and
    in the LLM mode with ``chat`` (else the model the settings name, if any)."""
    sentences = SentenceVectorStore(index.catalog)
    retriever = build_retriever(index, settings, sentences)
    speakers = build_speakers(index, retriever)
    answerer = build_answerer(index, settings, reader, sentences)
    llm = build_llm_answerer(settings, answerer, chat)
    if llm is None and settings.answer_mode == "llm":
        raise LLMNotConfigured(
            "NEWSDESK_ANSWER_MODE=llm needs an LLM: set NEWSDESK_LLM_URL or NEWSDESK_LLM_GGUF"
        )
    return QAService(
        retriever, index.embedder, settings, answerer=answerer, speakers=speakers, llm=llm
    )


def build_chat_model(settings: QASettings) -> BaseChatModel | None:
    """The chat model the settings name (an OpenAI-compatible URL first, else a GGUF file,
    loaded now), or None when neither is set."""
    from qa.llm import models

    if settings.llm_url:
        return models.openai_compatible(
            settings.llm_url,
            settings.llm_model,
            settings.llm_api_key,
            settings.llm_max_tokens,
            settings.llm_timeout_s,
        )
    if settings.llm_gguf is not None:
        return models.local_gguf(
            settings.llm_gguf, settings.llm_threads, settings.llm_context, settings.llm_max_tokens
        )
    return None


def build_llm_answerer(
    settings: QASettings, fallback: Answerer, chat: BaseChatModel | None = None
) -> LLMAnswerer | None:
    """The LLM answerer over ``chat`` (else the settings' model), falling back to
    ``fallback``; None when no model is configured."""
    chat = chat or build_chat_model(settings)
    if chat is None:
        return None
    from qa.llm.answerer import LLMAnswerer

    return LLMAnswerer(
        chat,
        fallback,
        settings.llm_timeout_s,
        settings.max_answer_sentences,
        settings.llm_passages,
        guided=settings.llm_guided,
    )


def build_answerer(
    index: IndexComponents,
    settings: QASettings,
    reader: Reader | None = None,
    sentences: SentenceVectorStore | None = None,
) -> ExtractiveAnswerer | ReaderAnswerer:
    """The answerer: the sentence scorer, read by ``reader`` (else by the shipped reader
    model, loaded now) unless settings.reader is off and no reader is given."""
    sentences = sentences or SentenceVectorStore(index.catalog)
    scorer = ExtractiveAnswerer(index.embedder, settings.max_answer_sentences, sentences)
    if reader is None and not settings.reader:
        return scorer
    return build_reader_answerer(scorer, settings, reader)


def build_reader_answerer(
    scorer: ExtractiveAnswerer, settings: QASettings, reader: Reader | None = None
) -> ReaderAnswerer:
    """The reading answerer over ``scorer``'s candidates: ``reader``, else the reader model
    (weights from settings.reader_weights or those shipped), with their calibration."""
    from index.embedder import default_model_path
    from qa.reader.model import DEFAULT_WEIGHTS, ReaderModel

    weights = settings.reader_weights or DEFAULT_WEIGHTS
    if reader is None:
        reader = ReaderModel(default_model_path(), weights, settings.reader_int8)
    return ReaderAnswerer(
        scorer,
        reader,
        Calibration.load(weights),
        settings.min_confidence,
        settings.max_answer_sentences,
        settings.reader_candidates,
    )


def build_retriever(
    index: IndexComponents, settings: QASettings, sentences: SentenceVectorStore | None = None
) -> Retriever:
    """Hybrid retrieval over the index's catalog, vector store, sentence vectors (read from
    the catalog unless given), stories (wire copies) and embedding model."""
    sentences = sentences or SentenceVectorStore(index.catalog)
    stories = StoryStore(index.catalog)
    return Retriever(
        index.catalog, index.store, index.embedder, settings, sentences=sentences, stories=stories
    )


def build_speakers(index: IndexComponents, passages: PassageSearch | None = None) -> SpeakerAnswers:
    """Speaker answers over the index's stored statements; ``passages`` (a retriever) finds
    the passages that mention a speaker without statements (none without it)."""
    return SpeakerAnswers(StatementStore(index.catalog), index.catalog, passages)
