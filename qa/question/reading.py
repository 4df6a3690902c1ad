"""The one reader of a question in its conversation: question + history in, a :class:`Reading`
out, in one step. Everything after it (retrieval, the answerers, the speaker path) uses the
Reading and never goes back to the conversation.

A Reading holds the standalone question (follow-ups rewritten by qa.question.conversation),
the question as asked when the rewrite only borrowed names it may not need, the speaker
question when one is asked ("What did X say?", its follow-ups resolved against the previous
turn by qa.question.speakers), and the stems of the question's own words, against which a
quote is checked to speak to the question as asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from qa.models import Turn
from qa.question.conversation import follow_up, own_words
from qa.question.ellipsis import elliptic_focus
from qa.question.speakers import (
    SpeakerQuestion,
    parse_speaker_question,
    previous_speaker_question,
)
from qa.question.terms import stem, stems


@dataclass(frozen=True)
class SpeakerReading:
    """A speaker question read in its conversation: ``asked`` (speaker and topic), its
    standalone ``text``, and for "And what about X?" after a speaker question,
    ``focus_as_speaker``: the same follow-up read with X as the speaker, which the statement
    store chooses when X has statements of their own."""

    asked: SpeakerQuestion
    text: str
    focus_as_speaker: SpeakerQuestion | None = None


@dataclass(frozen=True)
class Reading:
    """How a question is read in its conversation.

    ``question`` is the question as asked (stripped); ``standalone`` is searched first;
    ``as_asked`` is the question as asked when ``standalone`` only borrowed the previous
    question's names for a question that may be complete on its own (else None); ``speaker``
    is the speaker question asked, if any."""

    question: str
    standalone: str
    as_asked: str | None = None
    speaker: SpeakerReading | None = None
    own_stems: frozenset[str] = field(default=frozenset(), repr=False)

    def speaks_to(self, text: str) -> bool:
        """Whether ``text`` holds one of the question's own words (compared by crude stem,
        so "clashes" matches "clash"; a question without words of its own matches nothing)."""
        return bool(self.own_stems & stems(text))


def read_question(
    question: str, history: Sequence[Turn] | None = None, max_chars: int | None = None
) -> Reading:
    """The reading of ``question`` after the earlier turns ``history`` (oldest first). A
    rewrite longer than ``max_chars`` (a long earlier question with the new focus) is not
    used: the question is then read as asked."""
    asked = question.strip()
    standalone, as_asked = follow_up(asked, history)
    if max_chars is not None and len(standalone) > max_chars:
        standalone, as_asked = asked, None
    return Reading(
        question=asked,
        standalone=standalone,
        as_asked=as_asked,
        speaker=_speaker(asked, history, standalone),
        own_stems=frozenset(stem(word) for word in own_words(asked)),
    )


def _speaker(
    question: str, history: Sequence[Turn] | None, standalone: str
) -> SpeakerReading | None:
    """The speaker question asked, pronouns and elliptic follow-ups resolved against the
    previous turn; None when the question asks something else."""
    direct = parse_speaker_question(question)
    if direct is not None and not direct.pronoun:
        return SpeakerReading(direct, question)
    previous = previous_speaker_question(history)
    if previous is not None and direct is not None:
        asked = SpeakerQuestion(previous.speaker, direct.topic)
        return SpeakerReading(asked, asked.text)
    focus = elliptic_focus(question) if previous is not None else None
    if previous is not None and focus is not None:
        asked = SpeakerQuestion(previous.speaker, focus)
        return SpeakerReading(asked, asked.text, SpeakerQuestion(focus, previous.topic))
    rewritten = parse_speaker_question(standalone) if standalone != question else None
    if rewritten is None or rewritten.pronoun:
        return None
    return SpeakerReading(rewritten, standalone)
