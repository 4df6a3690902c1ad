"""QAService: standalone question, retrieval, extractive answer, timing."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from index.embedding import Embedder
from index.filters import SearchFilters
from qa.answer import (
    AnswerDraft,
    ExtractiveAnswerer,
    SentenceVectors,
    keep_citations,
)
from qa.config import QASettings
from qa.errors import QuestionRejected
from qa.models import Answer, Passage, Turn
from qa.question.reading import Reading, read_question
from qa.retrieval.search import PassageSearch
from qa.said.answer import SaidAnswer


class Answerer(Protocol):
    """The seam for answerers (extractive now, an LLM later)."""

    def answer(
        self,
        question: str,
        passages: Sequence[Passage],
        vector: np.ndarray | None = None,
        sentences: SentenceVectors | None = None,
    ) -> AnswerDraft:
        """The answer to ``question`` from ``passages``; ``vector`` (the question's) and
        ``sentences`` (read for the passages) are what retrieval computed, to reuse."""
        ...


class SpeakerAnswerer(Protocol):
    """The seam for speaker questions ("What did X say?"), see qa.said.answer.SpeakerAnswers."""

    def answer(
        self,
        reading: Reading,
        filters: SearchFilters | None = None,
        as_of: str | None = None,
    ) -> SaidAnswer | None:
        """The answer when ``reading`` is a speaker question it can answer, else None."""
        ...


def _speaks_to(draft: AnswerDraft, reading: Reading) -> bool:
    """Whether ``draft`` is an answer whose best-scored quote holds one of the question's
    own words."""
    if not draft.found or not draft.citations:
        return False
    best = max(draft.citations, key=lambda c: c.score)
    return reading.speaks_to(best.quote)


def _about(draft: AnswerDraft, reading: Reading) -> AnswerDraft:
    """``draft`` without the quotes that hold none of the question's own words: they matched
    only the names a follow-up borrowed."""
    return keep_citations(draft, lambda c: reading.speaks_to(c.quote))


def _same_articles(passages: Sequence[Passage], draft: AnswerDraft) -> list[Passage]:
    """The passages of the articles ``draft`` cites (of the first passage's article when it
    cites none), in their order."""
    articles = {c.article_id for c in draft.citations} or {p.article_id for p in passages[:1]}
    return [p for p in passages if p.article_id in articles]


class QAService:
    """Answers questions (and follow-ups) from the indexed articles, every sentence cited."""

    def __init__(
        self,
        retriever: PassageSearch,
        embedder: Embedder,
        settings: QASettings,
        answerer: Answerer | None = None,
        speakers: SpeakerAnswerer | None = None,
        sentences: SentenceVectors | None = None,
    ) -> None:
        self.retriever = retriever
        self.settings = settings
        self.answerer = answerer or ExtractiveAnswerer(
            embedder, settings.max_answer_sentences, sentences
        )
        self.speakers = speakers

    def ask(
        self,
        question: str,
        history: list[Turn] | None = None,
        k: int | None = None,
        filters: SearchFilters | None = None,
        as_of: str | None = None,
    ) -> Answer:
        """Answer ``question`` (a follow-up of ``history`` when given) from the top ``k``
        passages: a cited answer, or found=False with the closest passages as ``related``.
        Speaker questions ("What did X say?") are answered from the stored statements.
        Raises QuestionRejected for an empty or too long question."""
        started = time.perf_counter()
        self.check(question)
        top_k = self._k(k)
        reading = read_question(question, history, self.settings.max_question_chars)
        said = None if self.speakers is None else self.speakers.answer(reading, filters, as_of)
        if said is not None:
            standalone, draft = said.rewritten, self._lead(said.rewritten, said.draft)
        else:
            standalone, draft = self._answer(reading, top_k, filters, as_of)
        return Answer(
            question=question,
            rewritten=standalone,
            answer=draft.text,
            found=draft.found,
            short_answer=draft.short_answer,
            confidence=draft.confidence,
            citations=draft.citations,
            related=draft.related,
            took_ms=round((time.perf_counter() - started) * 1000, 2),
        )

    def search(
        self,
        query: str,
        k: int | None = None,
        filters: SearchFilters | None = None,
        as_of: str | None = None,
    ) -> list[Passage]:
        """The top ``k`` passages for ``query``, best first (QuestionRejected as for ask)."""
        self.check(query)
        return self.retriever.search(query.strip(), self._k(k), filters, as_of)

    def check(self, question: str) -> None:
        """Raise QuestionRejected when ``question`` is blank or longer than allowed."""
        if not question or not question.strip():
            raise QuestionRejected("The question is empty.")
        if len(question) > self.settings.max_question_chars:
            limit = self.settings.max_question_chars
            raise QuestionRejected(f"The question is longer than {limit} characters.")

    def _answer(
        self, reading: Reading, k: int, filters: SearchFilters | None, as_of: str | None
    ) -> tuple[str, AnswerDraft]:
        """The searched question and its answer. A follow-up that borrowed the previous names
        is searched with them; when the best quoted sentence holds none of the question's own
        words, the question as asked is answered from the found passages of the articles
        that answer (or the best passage) came from ("Where is the fiercest fighting?" after
        "What did Zelenskiy say?" is not about Zelenskiy, but is asked in his article). Either
        way, quotes holding none of the question's own words are left out."""
        found = self.retriever.retrieve(reading.standalone, k, filters, as_of)
        passages = found.passages
        draft = self.answerer.answer(reading.standalone, passages, found.vector, found.sentences)
        alone = reading.as_asked
        if alone is None:
            return reading.standalone, draft
        if _speaks_to(draft, reading):
            return reading.standalone, _about(draft, reading)
        same = _same_articles(passages, draft)
        alone_draft = self.answerer.answer(alone, same, sentences=found.sentences)
        if _speaks_to(alone_draft, reading):
            return reading.standalone, _about(alone_draft, reading)
        return reading.standalone, draft

    def _lead(self, question: str, draft: AnswerDraft) -> AnswerDraft:
        """A speaker answer led by the reader's short answer, when the answerer reads (an
        answerer without ``lead``, such as the sentence scorer, leaves it as it is)."""
        lead = getattr(self.answerer, "lead", None)
        return draft if lead is None else lead(question, draft)

    def _k(self, k: int | None) -> int:
        """The number of passages to retrieve (the setting unless given)."""
        if k is not None and k < 1:
            raise QuestionRejected("k must be at least 1.")
        return k if k is not None else self.settings.top_k
