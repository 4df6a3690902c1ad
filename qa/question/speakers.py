"""Speaker questions recognised by rules: "What did X say (about Y)?", "Who said Y?", and
follow-ups that lean on the previous speaker question ("What did he say about Kupiansk?",
"And what about Yampil?")."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from index.statements.speakers import fold, speaker_key
from index.words import ASKED_REPORTING_VERBS
from qa.models import Turn

# The reporting verbs a question asks with ("What did X tell ...?"), longest first.
_VERBS = "|".join(
    [
        r"(?:have|has|had)\s+to\s+say",
        *sorted(ASKED_REPORTING_VERBS, key=lambda verb: (-len(verb), verb)),
    ]
)
_AUX = r"did|does|do|has|have|had|is|are|was|were"
_WHAT = re.compile(
    rf"^(?:and\s+|so\s+)?what(?:\s+else)?\s+(?:{_AUX})\s+(?P<speaker>[^?]{{1,80}}?)\s+(?:{_VERBS})"
    r"(?:\s+(?:about|on|of|regarding|concerning|over)\s+(?P<topic>[^?]{1,200}?))?\s*[?.!]*$",
    re.IGNORECASE,
)
_WHO = re.compile(
    rf"^who\s+(?:has\s+|have\s+|had\s+)?(?:{_VERBS})\s+(?:that\s+)?"
    r"(?P<claim>[^?]{3,300}?)\s*[?.!]*$",
    re.IGNORECASE,
)
_PRONOUNS = frozenset(["he", "she", "they", "him", "her", "them", "it"])


@dataclass(frozen=True)
class SpeakerQuestion:
    """A question about what someone said: ``speaker`` (None for "who said ``topic``?") and
    an optional ``topic``."""

    speaker: str | None
    topic: str | None = None

    @property
    def text(self) -> str:
        """The standalone question."""
        if self.speaker is None:
            return f"Who said {self.topic}?"
        about = f" about {self.topic}" if self.topic else ""
        return f"What did {self.speaker} say{about}?"

    @property
    def pronoun(self) -> bool:
        """Whether the speaker is a pronoun ("he") that the history must resolve."""
        return self.speaker is not None and self.speaker.lower() in _PRONOUNS


def parse_speaker_question(question: str) -> SpeakerQuestion | None:
    """The speaker question ``question`` asks, or None when it asks something else."""
    text = " ".join(question.split())
    who = _WHO.match(text)
    if who is not None:
        return SpeakerQuestion(None, who.group("claim").strip(" ,."))
    what = _WHAT.match(text)
    if what is None:
        return None
    speaker = re.sub(r"(?:'s|’s)$", "", what.group("speaker").strip(" ,"))
    topic = (what.group("topic") or "").strip(" ,.") or None
    return SpeakerQuestion(speaker, topic)


def looks_like_name(phrase: str) -> bool:
    """Whether ``phrase`` names someone ("Zelenskiy", "the Kremlin") rather than describes a
    document ("the report"): some word of it is capitalised."""
    return any(w[:1].isupper() for w in phrase.split())


def mentions(text: str, name: str) -> bool:
    """Whether ``text`` names ``name`` (a capitalised name by its last word, so "Gerasimov"
    matches "General Valery Gerasimov’s"; a description by all its words), accents, case
    and transliteration variants ignored."""
    key = speaker_key(name)
    if not key:
        return False
    target = key.rsplit(" ", 1)[-1] if looks_like_name(name) else key
    words = re.sub(r"'s\b", "", " ".join(speaker_key(w) for w in fold(text).split()))
    return f" {target} " in f" {words} "


def previous_speaker_question(history: Sequence[Turn] | None) -> SpeakerQuestion | None:
    """The last turn's question when it asked what a named speaker said."""
    if not history:
        return None
    last = history[-1]
    asked = parse_speaker_question(last.rewritten or last.question)
    if asked is None or asked.speaker is None or asked.pronoun:
        return None
    return asked
