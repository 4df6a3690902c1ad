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
    reader found no span of at most MAX_ANSWER_WORDS words.
    """

    logit: float
    span: Span | None = None


class Reader(Protocol):
    """Reads a question with each candidate sentence."""

    def read(self, question: str, sentences: Sequence[str]) -> list[SentenceReading]:
        """One reading per sentence, in the order given."""
        ...
