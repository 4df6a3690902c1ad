"""LLM answers: a LangChain chat model writes the answer from the numbered passages, and every
sentence is checked against the passage it cites (qa.llm.check) before it is shown.

The extractive answerer stays underneath: when the model is unreachable, slower than the
timeout, or returns nothing usable (no text, or no sentence its passages support), the answer
is the extractive one with a notice saying so: never an error, never a hang.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace

import numpy as np
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage

from qa.answer.candidates import SentenceVectors, quoting
from qa.answer.draft import AnswerDraft
from qa.errors import QAError
from qa.llm.check import MIN_SUPPORT, Claim, check
from qa.llm.prompt import Hint, messages, says_not_found
from qa.models import Citation, Passage, RemovedSentence
from qa.service import Answerer

log = logging.getLogger(__name__)

LLM_PASSAGES = 8  # passages in the prompt: recall@10 passages is 0.77 on dev, @5 0.64
_DONE = object()


class LLMUnavailable(QAError):
    """The model failed, timed out or said nothing (the message says which, without secrets);
    caught here: the answer falls back, it never reaches a caller."""


class LLMAnswerer:
    """Answers with a chat model's cited sentences, checked; ``fallback`` (the extractive
    answerer) answers when the model cannot."""

    def __init__(
        self,
        model: BaseChatModel,
        fallback: Answerer,
        timeout_s: float = 60.0,
        max_sentences: int = 4,
        passages: int = LLM_PASSAGES,
        min_support: float = MIN_SUPPORT,
        guided: bool = True,
    ) -> None:
        self.model = model
        self.fallback = fallback
        self.timeout_s = timeout_s
        self.max_sentences = max_sentences
        self.passages = passages
        self.min_support = min_support
        self.guided = guided  # the fallback's short answer given to the model as a hint

    def answer(
        self,
        question: str,
        passages: Sequence[Passage],
        vector: np.ndarray | None = None,
        sentences: SentenceVectors | None = None,
    ) -> AnswerDraft:
        """The checked LLM answer to ``question`` from the first ``self.passages`` of
        ``passages``, or the fallback's answer with a notice saying why."""
        draft: AnswerDraft | None = None
        for piece in self.stream(question, passages, vector, sentences):
            if isinstance(piece, AnswerDraft):
                draft = piece
        assert draft is not None  # stream always ends with a draft
        return draft

    def stream(
        self,
        question: str,
        passages: Sequence[Passage],
        vector: np.ndarray | None = None,
        sentences: SentenceVectors | None = None,
    ) -> Iterator[str | AnswerDraft]:
        """The model's text as it comes (str pieces), then the checked answer (an
        AnswerDraft; the fallback's, with a notice, when the model failed)."""
        reading = self.reading(question, passages, vector, sentences)
        given, hint = self.prompt_passages(passages, reading)
        prompt = messages(question, given, self.max_sentences, hint)
        reply: list[str] = []
        try:
            for token in self._tokens(prompt):
                reply.append(token)
                yield token
            text = "".join(reply).strip()
            if not text:
                raise LLMUnavailable("the LLM returned no text")
        except LLMUnavailable as exc:
            yield self._extractive(question, passages, vector, sentences, f"{exc}", reading)
            return
        yield self.checked(text, given, question, passages, vector, sentences, reading)

    def reading(
        self,
        question: str,
        passages: Sequence[Passage],
        vector: np.ndarray | None = None,
        sentences: SentenceVectors | None = None,
    ) -> AnswerDraft | None:
        """The fallback's answer when guided (its short answer is the hint, and it is the
        answer should the model fail), else None: nothing is read before the model writes."""
        if not self.guided:
            return None
        return self.fallback.answer(question, passages, vector, sentences)

    def prompt_passages(
        self, passages: Sequence[Passage], reading: AnswerDraft | None = None
    ) -> tuple[list[Passage], Hint | None]:
        """The passages the model is given (the first ``self.passages``) and, when the
        ``reading`` found a short answer, that answer as a hint; its passage is put in the
        last place when it was not among the first."""
        given = list(passages[: self.passages])
        if reading is None:
            return given, None
        short = reading.short_answer
        if not reading.found or short is None or not reading.citations:
            return given, None
        cited = reading.citations[short.citation - 1]
        where = [p.paragraph_id for p in given]
        held = [
            p for p in passages
            if p.article_id == cited.article_id and p.paragraph == cited.paragraph
        ]  # fmt: skip
        if not held:
            return given, None
        if held[0].paragraph_id not in where:
            given[-1] = held[0]
            where[-1] = held[0].paragraph_id
        return given, Hint(where.index(held[0].paragraph_id) + 1, short.text)

    def checked(
        self,
        reply: str,
        given: Sequence[Passage],
        question: str,
        passages: Sequence[Passage],
        vector: np.ndarray | None = None,
        sentences: SentenceVectors | None = None,
        reading: AnswerDraft | None = None,
    ) -> AnswerDraft:
        """The answer made of the sentences of ``reply`` that the check passes (citations
        renumbered in order of use, each quoting the sentence of its passage that supports
        the claim best), the others listed as removed. A refusal when the model said the
        passages do not answer; the extractive answer (``reading``, when the fallback has
        answered already) when no sentence passed."""
        if says_not_found(reply):
            return replace(AnswerDraft.refusal(passages), mode="llm")
        verdicts = check(reply, given, self.min_support)
        removed = tuple(_removed(c) for c in verdicts if not c.supported)
        kept = [c for c in verdicts if c.supported]
        if not kept:
            why = f"none of the LLM's {len(verdicts)} sentences is supported by what it cites"
            draft = self._extractive(question, passages, vector, sentences, why, reading)
            return replace(draft, removed=removed)
        return _compose(kept, given, removed)

    def _extractive(
        self,
        question: str,
        passages: Sequence[Passage],
        vector: np.ndarray | None,
        sentences: SentenceVectors | None,
        why: str,
        reading: AnswerDraft | None = None,
    ) -> AnswerDraft:
        log.warning("LLM answer not used: %s", why)
        draft = reading or self.fallback.answer(question, passages, vector, sentences)
        return replace(draft, notice=f"Answered without the LLM: {why}.")

    def _tokens(self, prompt: list[BaseMessage]) -> Iterator[str]:
        """The model's streamed text; raises LLMUnavailable when it fails or when the whole
        answer takes longer than the timeout (the model runs on a worker thread, so a hung
        backend cannot hang the caller)."""
        pieces: queue.Queue[object] = queue.Queue()
        worker = threading.Thread(target=self._produce, args=(prompt, pieces), daemon=True)
        worker.start()
        deadline = time.monotonic() + self.timeout_s
        while True:
            try:
                piece = pieces.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise LLMUnavailable(f"the LLM took longer than {self.timeout_s:g} s") from None
            if piece is _DONE:
                return
            if isinstance(piece, LLMUnavailable):
                raise piece
            yield str(piece)

    def _produce(self, prompt: list[BaseMessage], pieces: queue.Queue[object]) -> None:
        try:
            for chunk in self.model.stream(prompt):
                if isinstance(chunk.content, str) and chunk.content:
                    pieces.put(chunk.content)
        except Exception as exc:  # any backend failure means: answer without the LLM
            # The type only: a client's message may echo the endpoint or its headers.
            pieces.put(LLMUnavailable(f"the LLM failed ({type(exc).__name__})"))
            return
        pieces.put(_DONE)


def _removed(claim: Claim) -> RemovedSentence:
    return RemovedSentence(text=claim.text, cited=list(claim.cited), reason=claim.verdict)


def _compose(
    kept: Sequence[Claim], given: Sequence[Passage], removed: tuple[RemovedSentence, ...]
) -> AnswerDraft:
    """The answer of ``kept`` claims, each cited passage numbered in order of first use."""
    numbers: dict[int, int] = {}
    citations: list[Citation] = []
    parts: list[str] = []
    for claim in kept:
        for n in dict.fromkeys(claim.cited):
            if n not in numbers:
                numbers[n] = len(numbers) + 1
                span = claim.evidence[n]
                citations.append(quoting(numbers[n], given[n - 1], span, claim.support))
        markers = "".join(f"[{numbers[n]}]" for n in dict.fromkeys(claim.cited))
        parts.append(f"{' ' if parts else ''}{claim.text} {markers}")
    attributed = sum(claim.attributed for claim in kept)
    return AnswerDraft(
        "".join(parts),
        True,
        citations,
        parts=tuple(parts),
        mode="llm",
        removed=removed,
        cited_by_check=attributed,
    )
