"""What a reader returns, and the protocol every reader (the model, a test's fake) follows.

Import-light on purpose: the answerer and the tests use these without loading torch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

Span = tuple[int, int]


@dataclass(frozen=True)
class SentenceReading:
    """The reader's view of one candidate sentence for one question.

    ``logit``: how strongly the sentence answers (uncalibrated; see qa.reader.calibration);
    ``spans``: the reader's best short-answer spans inside the sentence, each of at most
    MAX_ANSWER_WORDS words, best first, for the answerer to pick one that fits the question
    (none when the reader found none); ``span_scores``: each span's start + end logit, in the
    same order (empty from readers that give none).
    """

    logit: float
    spans: tuple[Span, ...] = ()
    span_scores: tuple[float, ...] = ()


class Reader(Protocol):
    """Reads a question with each candidate sentence."""

    def read(self, question: str, sentences: Sequence[str]) -> list[SentenceReading]:
        """One reading per sentence, in the order given."""
        ...
