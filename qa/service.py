"""QAService: standalone question, retrieval, extractive answer, timing."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date
from typing import Protocol

import numpy as np

from index.embedding import Embedder
from index.filters import SearchFilters
from qa.answer.candidates import SentenceVectors
from qa.answer.draft import AnswerDraft, keep_citations, lead
from qa.answer.scorer import ExtractiveAnswerer
from qa.config import QASettings
from qa.models import Answer, Passage
from qa.question.reading import Reading, read_question
from qa.requests import MAX_QUESTION_CHARS, AskQuery, SearchQuery
from qa.retrieval.base import PassageSearch
from qa.said.answer import SaidAnswer

# The notice of an answer asked of the LLM on a server without one: a valid request is answered.
NO_LLM = "Answered without the LLM: none is configured (NEWSDESK_LLM_URL or NEWSDESK_LLM_GGUF)."


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


class StreamingAnswerer(Answerer, Protocol):
    """An answerer whose text comes in pieces as it is written (an LLM)."""

    def stream(
        self,
        question: str,
        passages: Sequence[Passage],
        vector: np.ndarray | None = None,
        sentences: SentenceVectors | None = None,
    ) -> Iterator[str | AnswerDraft]:
        """The text as it is written (str pieces, not yet checked), then the final answer."""
        ...


class SpeakerAnswerer(Protocol):
    """The seam for speaker questions ("What did X say?"), see qa.said.answer.SpeakerAnswers."""

    def answer(
        self,
        reading: Reading,
        filters: SearchFilters | None = None,
        as_of: date | None = None,
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
        llm: StreamingAnswerer | None = None,
    ) -> None:
        self.retriever = retriever
        self.llm = llm
        self.settings = settings
        self.answerer = answerer or ExtractiveAnswerer(
            embedder, settings.max_answer_sentences, sentences
        )
        self.speakers = speakers

    def ask(self, request: AskQuery) -> Answer:
        """Answer ``request.question`` (a follow-up of its history) from the top k passages:
        a cited answer, or found=False with the closest passages as ``related``. Speaker
        questions ("What did X say?") are answered from the stored statements. The request
        was checked when it was made (qa.requests). The LLM mode where no LLM is configured
        answers with quotes and says so in the answer's notice."""
        answer = None
        for piece in self.ask_stream(request):
            answer = piece
        assert isinstance(answer, Answer)  # ask_stream always ends with the answer
        return answer

    def ask_stream(self, request: AskQuery) -> Iterator[str | Answer]:
        """As ``ask``, with an LLM's text as it is written (str pieces, unchecked: show them
        as a draft) before the Answer, which is always last (the only item when extractive)."""
        started = time.perf_counter()
        wants_llm = (request.mode or self.settings.answer_mode) == "llm"
        llm = self.llm if wants_llm else None
        top_k = request.k or self.settings.top_k
        filters, as_of = request.search_filters(), request.as_of
        reading = read_question(request.question, request.history, MAX_QUESTION_CHARS)
        said = None if self.speakers is None else self.speakers.answer(reading, filters, as_of)
        standalone = reading.standalone
        if said is not None:
            standalone, draft = said.rewritten, self._lead(said.rewritten, said.draft)
            if said.unaddressed is not None:
                draft = self._topic_instead(draft, said.unaddressed, top_k, filters, as_of)
        elif llm is not None:
            found = self.retriever.retrieve(standalone, top_k, filters, as_of)
            for piece in llm.stream(standalone, found.passages, found.vector, found.sentences):
                if isinstance(piece, str):
                    yield piece
                else:
                    draft = piece
        else:
            standalone, draft = self._answer(reading, top_k, filters, as_of)
        yield Answer(
            question=request.question,
            rewritten=standalone,
            answer=draft.text,
            parts=list(draft.pieces()),
            found=draft.found,
            short_answer=draft.short_answer,
            confidence=draft.confidence,
            citations=draft.citations,
            related=draft.related,
            mode=draft.mode,
            removed=list(draft.removed),
            cited_by_check=draft.cited_by_check,
            notice=draft.notice or (NO_LLM if wants_llm and llm is None else None),
            took_ms=round((time.perf_counter() - started) * 1000, 2),
        )

    def _topic_instead(
        self,
        refusal: AnswerDraft,
        topic: str,
        k: int,
        filters: SearchFilters | None,
        as_of: date | None,
    ) -> AnswerDraft:
        """A speaker's "nothing about ``topic``" line, then the answer about ``topic`` from
        what is indexed, cited ("What did Zelenskiy say?", "And what about Kupiansk?": he
        said nothing about it, but the article reports on it); ``refusal`` as it is when
        nothing answers the topic either."""
        found = self.retriever.retrieve(topic, k, filters, as_of)
        answer = self.answerer.answer(topic, found.passages, found.vector, found.sentences)
        if not answer.found:
            return refusal
        pieces = answer.pieces()
        if answer.short_answer is not None and pieces[0] == lead(answer.short_answer):
            pieces = pieces[1:]  # a bare topic asks no one thing: no short answer leads
        line = f"{refusal.text} What the articles say about {topic}:\n\n"
        return replace(
            answer, text=line + "".join(pieces), parts=(line, *pieces), short_answer=None
        )

    def search(self, request: SearchQuery) -> list[Passage]:
        """The top k passages for ``request.query``, best first."""
        top_k = request.k or self.settings.top_k
        query = request.query.strip()
        return self.retriever.search(query, top_k, request.search_filters(), request.as_of)

    def _answer(
        self, reading: Reading, k: int, filters: SearchFilters | None, as_of: date | None
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
