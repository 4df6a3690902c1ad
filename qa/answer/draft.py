"""AnswerDraft, what every answerer returns, and the one layout of an answer's text: the short
answer (when there is one) on a line of its own, then the quotes, each with its [n]."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from qa.models import Citation, Passage, ShortAnswer

NOT_FOUND = "No indexed article answers this question."
RELATED_PASSAGES = 3  # shown with a refusal: the closest passages


@dataclass(frozen=True)
class AnswerDraft:
    """What an answerer produces: the answer text with [n] markers and its citations, or a
    refusal (``found`` False) with the closest passages in ``related``."""

    text: str
    found: bool
    citations: list[Citation] = field(default_factory=list)
    related: list[Passage] = field(default_factory=list)
    short_answer: ShortAnswer | None = None
    confidence: float | None = None  # calibrated, from a reader (None: the scorer's answer)

    @classmethod
    def compose(
        cls,
        citations: list[Citation],
        short: ShortAnswer | None = None,
        confidence: float | None = None,
    ) -> AnswerDraft:
        """A found answer made of ``citations`` (led by ``short`` when given)."""
        return cls(answer_text(citations, short), True, citations, [], short, confidence)

    @classmethod
    def refusal(cls, passages: Sequence[Passage], confidence: float | None = None) -> AnswerDraft:
        """ "Not found", with the first RELATED_PASSAGES of ``passages`` as the closest."""
        related = list(passages[:RELATED_PASSAGES])
        return cls(NOT_FOUND, False, related=related, confidence=confidence)


def keep_citations(draft: AnswerDraft, keep: Callable[[Citation], bool]) -> AnswerDraft:
    """``draft`` with only the quotes ``keep`` accepts, renumbered in order and the text
    rebuilt from them (the short answer kept when its quote is). ``draft`` itself when it
    would keep all of them or none, or when its text is not made of its quotes (another
    answerer's prose)."""
    kept = [c for c in draft.citations if keep(c)]
    made_of_quotes = draft.text == answer_text(draft.citations, draft.short_answer)
    if not kept or len(kept) == len(draft.citations) or not made_of_quotes:
        return draft
    numbers = {c.n: n for n, c in enumerate(kept, start=1)}
    citations = [c.model_copy(update={"n": numbers[c.n]}) for c in kept]
    short = draft.short_answer
    if short is not None:
        renumbered = numbers.get(short.citation)
        short = None if renumbered is None else short.model_copy(update={"citation": renumbered})
    return AnswerDraft(
        answer_text(citations, short), draft.found, citations, draft.related, short,
        draft.confidence,
    )  # fmt: skip


def quoted(citations: Sequence[Citation]) -> str:
    """The extractive answer text: each quote followed by its marker."""
    return " ".join(f"{c.quote} [{c.n}]" for c in citations)


def answer_text(citations: Sequence[Citation], short: ShortAnswer | None = None) -> str:
    """The answer text: the short answer (when there is one), then the quotes."""
    return led_by(short, quoted(citations))


def led_by(short: ShortAnswer | None, body: str) -> str:
    """``body`` led by the short answer with its marker on a line of its own (``body`` as it
    is without one): the one layout of every answer with a short answer."""
    return f"{short.text} [{short.citation}]\n\n{body}" if short else body
