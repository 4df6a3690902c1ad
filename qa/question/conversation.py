"""Follow-up questions rewritten into standalone questions, by rules over the chat history
(the rules behind qa.question.reading, the one reader of a question in its conversation).

No language model: named entities and people come from qa.question.names, pronouns are
resolved to the person the conversation is about, and an elliptic follow-up ("And what about
Kupiansk?") borrows the previous question with its last entity replaced. A standalone question
is returned unchanged.

A short question without a name borrows the previous question's names ("What happened next?"
-> "What happened next regarding Pokrovsk?"). When such a question has words of its own and
nothing that points back ("Where is the fiercest fighting?" after "What did Zelenskiy say?"),
it may be complete as asked: its reading keeps the question as asked beside the borrowed form.
When the borrowed form's best quote holds none of the question's own words, the service
answers the question as asked from the passages the borrowed form found in the same article,
and keeps that answer if its best quote holds one of them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.storage.keyword import TERM
from index.words import word_set
from qa.models import Turn
from qa.question.ellipsis import MAX_FOCUS_WORDS, QUESTION_OPENERS, elliptic_focus
from qa.question.names import FUNCTION_WORDS, asks_for_person, base_word, entities
from qa.question.terms import QUESTION_FILLER

PRONOUN = re.compile(r"\b(he|she|they|him|her|them|his|their|hers|theirs)\b", re.IGNORECASE)
_POSSESSIVE = frozenset({"his", "their", "hers", "theirs"})
_OBJECT_PRONOUNS = frozenset({"him", "them"})
_LEADING_AND = re.compile(r"^\s*(?:and|also|then|so)\b[\s,]*", re.IGNORECASE)
# Words that point back at something said before ("Why is it important?", "Who said that?").
_POINTS_BACK = re.compile(r"\b(it|its|this|that|these|those|there)\b", re.IGNORECASE)
# Words that say how a follow-up relates to the conversation, not what it asks about.
_FOLLOW_UP_WORDS = word_set(
    "next else more later after before then now also too again happen happened happens say "
    "said tell told mean means many much"
)


def follow_up(question: str, history: Sequence[Turn] | None) -> tuple[str, str | None]:
    """``question`` (stripped) read after the earlier turns (oldest first): its standalone
    form, and the question as asked when that form borrowed names it may not need (else
    None). Without history, or when the question names its own subject and has no pronoun,
    the standalone form is the question itself."""
    question = question.strip()
    if not history:
        return question, None
    previous = _previous_question(history)
    focus = elliptic_focus(question)
    if focus is not None and previous:
        return _replace_focus(previous, focus), None
    resolved = _resolve_pronouns(question, history)
    if resolved != question or entities(question):
        return resolved, None
    if _LEADING_AND.match(question) or len(question.split()) <= MAX_FOCUS_WORDS:
        borrowed = _borrow_subject(question, previous)
        return borrowed, question if borrowed != question and _may_stand(question) else None
    return question, None


def _may_stand(question: str) -> bool:
    """Whether a name-less follow-up may be complete as asked: it has words of its own and
    nothing that points back (no leading "and", no "it", "that", "there"...)."""
    if _LEADING_AND.match(question) or _POINTS_BACK.search(question):
        return False
    return bool(own_words(question))


def own_words(question: str) -> list[str]:
    """The words of ``question`` that say what it asks about (lower-cased, hyphenated words
    split): not stopwords, question words or words that tie a follow-up to the conversation
    ("next", "happened")."""
    skip = FUNCTION_WORDS | QUESTION_OPENERS | _FOLLOW_UP_WORDS | QUESTION_FILLER
    words = (m.group() for m in TERM.finditer(question))
    return [w.lower() for w in words if base_word(w) not in skip]


def _previous_question(history: Sequence[Turn]) -> str:
    """The last standalone question asked (its rewritten form when known)."""
    last = history[-1]
    return (last.rewritten or last.question).strip()


def _replace_focus(previous: str, focus: str) -> str:
    """``previous`` with its last named entity replaced by ``focus`` (or extended by it)."""
    named = entities(previous)
    if not named:
        return f"{previous.rstrip(' ?.')}, regarding {focus}?"
    last = named[-1]
    return previous[: last.start] + focus + previous[last.start + len(last.text) :]


def _resolve_pronouns(question: str, history: Sequence[Turn]) -> str:
    """``question`` with personal pronouns replaced by the last person named in the history,
    unless the question gives them a subject of its own."""
    first = PRONOUN.search(question)
    if first is None or _has_own_subject(question, first):
        return question
    person = last_person(history)
    if person is None:
        return question

    def substitute(match: re.Match[str]) -> str:
        return f"{person}’s" if _is_possessive(match, question) else person

    resolved = PRONOUN.sub(substitute, question)
    return resolved[:1].upper() + resolved[1:]


def _is_possessive(pronoun: re.Match[str], question: str) -> bool:
    """Whether the pronoun is possessive: "his", "their"..., or "her" before a word that is
    not a function word ("Who is her husband?", but "Who beat her in the primary?")."""
    word = pronoun.group().lower()
    if word != "her":
        return word in _POSSESSIVE
    following = re.match(r"\s+([A-Za-z’'-]+)", question[pronoun.end() :])
    return following is not None and base_word(following.group(1)) not in FUNCTION_WORDS


def _has_own_subject(question: str, pronoun: re.Match[str]) -> bool:
    """Whether the question names a person before ``pronoun``, its first, who is then what
    the pronoun refers to ("Author Cormac McCarthy died this week. He won..."); an object
    pronoun refers to someone else ("Did Zelenskiy respond to him?")."""
    if pronoun.group().lower() in _OBJECT_PRONOUNS:
        return False
    return any(e.person for e in entities(question[: pronoun.start()]))


def last_person(history: Sequence[Turn]) -> str | None:
    """The person the conversation is about, from the newest turn that names one."""
    for turn in reversed(history):
        person = _turn_person(turn)
        if person is not None:
            return person
    return None


def _turn_person(turn: Turn) -> str | None:
    """The person a turn is about: the answer's first new person when the question asks who
    ("Who replaced Liz Truss?"), else the first person the question names (the one asked
    about), else the last person the answer names."""
    question = turn.rewritten or turn.question
    asked = [e.text for e in entities(question) if e.person]
    answered = [e.text for e in entities(_strip_markers(turn.answer or "")) if e.person]
    if asks_for_person(question):
        new = [name for name in answered if not any(name in a or a in name for a in asked)]
        if new:
            return new[0]
    if asked:
        return asked[0]
    return answered[-1] if answered else None


def _strip_markers(text: str) -> str:
    """Answer text without its citation markers ("[2]"), each replaced by a line break so
    that no name runs from one quote into the next ("... 10:56 a.m. ET [1] Democrats ...")."""
    return re.sub(r"\s*\[\d+\]\s*", "\n", text)


def _borrow_subject(question: str, previous: str) -> str:
    """A subject-less follow-up completed with the previous question's entities."""
    named = [e.text for e in entities(previous)]
    core = _LEADING_AND.sub("", question).rstrip(" ?.")
    if not named or not core:
        return question
    core = core[:1].upper() + core[1:]
    return f"{core} regarding {' and '.join(dict.fromkeys(named))}?"
