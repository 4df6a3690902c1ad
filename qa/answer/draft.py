"""AnswerDraft, what every answerer returns, and the one layout of an answer's text: the short
answer (when there is one) on a line of its own, then the quotes, each with its [n]."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from qa.models import AnswerMode, Citation, Passage, RemovedSentence, ShortAnswer

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
    # The text in the pieces it was built from (the short answer's line, each quote or
    # statement line with its markers), for a stream to send as they are; () for a text made
    # in one piece (a refusal, an LLM's prose).
    parts: tuple[str, ...] = ()
    mode: AnswerMode = "extractive"
    removed: tuple[RemovedSentence, ...] = ()  # an LLM's sentences the citation check left out
    cited_by_check: int = 0  # an LLM's uncited sentences the check cited (qa.llm.check)
    notice: str | None = None  # said beside the answer (the LLM failed: answered extractively)

    def __post_init__(self) -> None:
        if self.parts and "".join(self.parts) != self.text:
            raise ValueError("an answer's parts must make up its text")

    def pieces(self) -> tuple[str, ...]:
        """The text in the pieces it was built from (the whole text when made in one)."""
        return self.parts or (self.text,)

    def led(self, short: ShortAnswer) -> AnswerDraft:
        """This draft led by ``short`` (the one layout: see ``led_by``)."""
        text = led_by(short, self.text)
        return replace(self, text=text, short_answer=short, parts=(lead(short), *self.pieces()))

    @classmethod
    def compose(
        cls,
        citations: list[Citation],
        short: ShortAnswer | None = None,
        confidence: float | None = None,
    ) -> AnswerDraft:
        """A found answer made of ``citations`` (led by ``short`` when given)."""
        parts = answer_parts(citations, short)
        return cls("".join(parts), True, citations, [], short, confidence, parts)

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
    return replace(AnswerDraft.compose(citations, short, draft.confidence), related=draft.related)


def quote_parts(citations: Sequence[Citation]) -> list[str]:
    """Each quote followed by its marker, the space between them leading the next one."""
    return [f"{' ' if i else ''}{c.quote} [{c.n}]" for i, c in enumerate(citations)]


def answer_parts(citations: Sequence[Citation], short: ShortAnswer | None) -> tuple[str, ...]:
    """The parts of an answer of quotes: the short answer's line (when there is one), then
    the quotes."""
    return (*([lead(short)] if short else []), *quote_parts(citations))


def answer_text(citations: Sequence[Citation], short: ShortAnswer | None = None) -> str:
    """The answer text: the short answer (when there is one), then the quotes."""
    return "".join(answer_parts(citations, short))


def lead(short: ShortAnswer) -> str:
    """The short answer's line: its text and marker, then a blank line."""
    return f"{short.text} [{short.citation}]\n\n"


def led_by(short: ShortAnswer | None, body: str) -> str:
    """``body`` led by the short answer with its marker on a line of its own (``body`` as it
    is without one): the one layout of every answer with a short answer."""
    return f"{lead(short)}{body}" if short else body
