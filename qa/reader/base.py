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
    ``span``: the character span of the short answer inside the sentence, or None when the
    reader found no span of at most MAX_ANSWER_WORDS words; ``alternatives``: the reader's
    best spans, best first (``span`` among them), for the answerer to pick one that fits
    the question.
    """

    logit: float
    span: Span | None = None
    alternatives: tuple[Span, ...] = ()

    @property
    def spans(self) -> tuple[Span, ...]:
        """The spans to choose from, best first."""
        return self.alternatives or ((self.span,) if self.span else ())


class Reader(Protocol):
    """Reads a question with each candidate sentence."""

    def read(self, question: str, sentences: Sequence[str]) -> list[SentenceReading]:
        """One reading per sentence, in the order given."""
        ...
