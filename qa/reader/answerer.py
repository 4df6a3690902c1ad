"""The reading answerer: the scorer's best candidate sentences, read by the learned reader.

Between retrieval and the answer: today's sentence scorer (qa.answer) picks the
``read_candidates`` most promising sentences of the top passages (cheap: stored sentence
vectors, no model call); the reader reads each with the question and gives an answer logit
and a short-answer span. The answer leads with the best sentence's short answer, then quotes
the best sentence and those read nearly as well, best first, each cited. Its confidence is
the best logit, calibrated; below ``min_confidence`` the answer is "not found" with the
closest passages.
"""

from __future__ import annotations

from collections.abc import Sequence

from qa.answer import (
    NOT_FOUND,
    RELATED_PASSAGES,
    AnswerDraft,
    Candidate,
    ExtractiveAnswerer,
    cite,
    duplicates,
)
from qa.models import Passage, ShortAnswer
from qa.reader.base import Reader, SentenceReading
from qa.reader.calibration import Calibration

READ_CANDIDATES = 24
# Further quotes must be read within KEEP_MARGIN logits of the best one.
KEEP_MARGIN = 2.0


class ReaderAnswerer:
    """Answers with the reader's short answer and its supporting quotes, or refuses when the
    calibrated confidence is below ``min_confidence``."""

    def __init__(
        self,
        scorer: ExtractiveAnswerer,
        reader: Reader,
        calibration: Calibration,
        min_confidence: float,
        max_sentences: int = 4,
        read_candidates: int = READ_CANDIDATES,
        keep_margin: float = KEEP_MARGIN,
    ) -> None:
        self.scorer = scorer
        self.reader = reader
        self.calibration = calibration
        self.min_confidence = min_confidence
        self.max_sentences = max_sentences
        self.read_candidates = read_candidates
        self.keep_margin = keep_margin

    def read(self, question: str, passages: Sequence[Passage]) -> list[Candidate]:
        """The candidates the reader read, best read first, each candidate's ``score`` its
        calibrated confidence and ``reading`` the reader's output."""
        pool = self.scorer.candidates(question, passages, limit=None)[: self.read_candidates]
        if not pool:
            return []
        readings = self.reader.read(question, [c.text for c in pool])
        for candidate, reading in zip(pool, readings, strict=True):
            candidate.reading = reading
            candidate.score = self.calibration.confidence(reading.logit)
        return sorted(pool, key=_logit, reverse=True)

    def answer(self, question: str, passages: Sequence[Passage]) -> AnswerDraft:
        """The short answer and 1..max_sentences supporting quotes, each cited, best first;
        or found False (with the closest passages) when the confidence is too low."""
        return self.compose(self.read(question, passages), passages)

    def compose(self, read: list[Candidate], passages: Sequence[Passage]) -> AnswerDraft:
        """The answer made of ``read`` (the output of ``read``), or the refusal."""
        confidence = read[0].score if read else 0.0
        if not read or confidence < self.min_confidence:
            related = list(passages[:RELATED_PASSAGES])
            return AnswerDraft(NOT_FOUND, False, related=related, confidence=confidence)
        chosen = self.supporting(read)
        citations = [cite(n, c) for n, c in enumerate(chosen, start=1)]
        short = short_answer(chosen[0], citations[0].n)
        return AnswerDraft.compose(citations, short, confidence)

    def supporting(self, read: list[Candidate]) -> list[Candidate]:
        """The best-read sentence and those read within keep_margin of it, near-duplicates
        skipped, at most max_sentences."""
        chosen: list[Candidate] = []
        floor = _logit(read[0]) - self.keep_margin
        for candidate in read:
            if len(chosen) >= self.max_sentences or _logit(candidate) < floor:
                break
            if not any(duplicates(candidate, other) for other in chosen):
                chosen.append(candidate)
        return chosen


def _logit(candidate: Candidate) -> float:
    return candidate.reading.logit if candidate.reading else float("-inf")


def short_answer(candidate: Candidate, n: int) -> ShortAnswer | None:
    """The short answer of a read candidate, with its offsets in the cited paragraph, or None
    when the reader found no span (or the span is the whole sentence)."""
    reading: SentenceReading | None = candidate.reading
    if reading is None or reading.span is None:
        return None
    start, end = reading.span
    if (start, end) == (0, len(candidate.text)):
        return None  # the whole sentence is no short answer
    offset = candidate.span[0]
    text = candidate.text[start:end]
    return ShortAnswer(text=text, citation=n, start=offset + start, end=offset + end)
