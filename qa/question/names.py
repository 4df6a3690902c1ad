"""Named entities and people in questions and answers, by rules (no language model).

Named entities are runs of capitalised words (titles dropped); a person is an entity with a
person cue: a title before it, a speech verb after it, "did X say", or two words or more that
are not a place, an institution or a date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.storage.keyword import STOPWORDS
from index.words import REPORTING_PHRASES, REPORTING_VERBS, TITLE_MODIFIERS, TITLES, word_set

_WORD = re.compile(r"[A-Za-z][\w’'\-.]*[\w]|[A-Za-z]")
_WHO = re.compile(r"^\W*(?:(?:and|so|but)\s+)?(?:who|whom|whose)\b", re.IGNORECASE)
_OFFICE_OF = re.compile(r"\b([A-Z][a-z]+\.?) of $")  # "Secretary of ", before an office's name
_WHICH_KIND = re.compile(r"\bwhich\s+((?:[\w’'-]+\s+){0,2}[\w’'-]+)", re.IGNORECASE)
# Kinds of people a "which ..." question can ask for (with the titles).
PERSON_NOUNS = (TITLES - TITLE_MODIFIERS) | word_set(
    "person people man woman official lawmaker politician candidate athlete player star "
    "celebrity actor actress singer rapper musician dancer artist writer journalist host "
    "comedian legend veteran figure billionaire entrepreneur executive gymnast golfer swimmer "
    "skater driver boxer footballer rider runner climber scientist doctor activist"
)
# Lower-case nouns of a role that a name before them describes ("the Hamas leader"; "leader"
# is a title, so already a person noun).
_ROLE_NOUNS = PERSON_NOUNS | word_set(
    "founder owner manager captain director chairman chairwoman spokesperson spokesman spokeswoman"
)
# A reporting verb right after a name says it names a person ("Zelenskiy said").
SPEECH_VERBS = REPORTING_VERBS | frozenset(phrase.split()[0] for phrase in REPORTING_PHRASES)
NOT_PERSON = word_set(
    "city region state states united kingdom republic union house court council congress senate "
    "party ministry department university street river sea ocean island north south east west "
    "monday tuesday wednesday thursday friday saturday sunday january february march april may "
    "june july august september october november december"
)
FUNCTION_WORDS = STOPWORDS | word_set("according and also then so did does do")
_CUE_CHARS = 100  # read on each side of a name for a person cue (bounded: names are many)


@dataclass(frozen=True)
class Entity:
    """A run of capitalised words in a text; ``person`` when a cue says it names someone."""

    text: str
    start: int
    person: bool


def entities(text: str) -> list[Entity]:
    """The named entities of ``text`` in order: runs of capitalised words that are not
    question words or stopwords, titles stripped, with a person cue flag."""
    found: list[Entity] = []
    run: list[re.Match[str]] = []
    for match in [*_WORD.finditer(text), None]:
        if match is not None and _is_name_word(match.group()) and _adjacent(text, run, match):
            run.append(match)
            continue
        if run:
            found.extend(_entity(text, run))
        run = [match] if match is not None and _is_name_word(match.group()) else []
    return found


def _is_name_word(word: str) -> bool:
    """Whether ``word`` can be part of a name: capitalised and not a function word."""
    return word[:1].isupper() and base_word(word) not in FUNCTION_WORDS


def base_word(word: str) -> str:
    """``word`` lower-cased, without an apostrophe's ending ("What's" -> "what")."""
    return word.lower().replace("’", "'").split("'")[0]


def _adjacent(text: str, run: list[re.Match[str]], match: re.Match[str]) -> bool:
    """Whether ``match`` directly follows the run (only spaces between)."""
    return bool(run) and text[run[-1].end() : match.start()] == " "


def _entity(text: str, run: list[re.Match[str]]) -> list[Entity]:
    """The entity of one run of capitalised words, without the words up to its last title
    ("Former Vice President Mike Pence" -> "Mike Pence"; none if only titles). A run that
    ends in a title, or describes the role named after it, says what a person is, and is no
    person itself ("Maryland Gov. Wes Moore", "the Underground Railroad leader")."""
    describes = bool(run) and _is_title(run[-1].group())
    while run and _is_title(run[-1].group()):
        run = run[:-1]
    titles = [n for n, match in enumerate(run) if _is_title(match.group())]
    titled = bool(titles)
    if titles:
        run = run[titles[-1] + 1 :]
    if not run:
        return []
    start, end = run[0].start(), run[-1].end()
    name = re.sub(r"(’s|'s)$", "", text[start:end])
    if describes or _describes_role(text, start, end):
        return [Entity(name, start, False)]
    holder = _office_holder(text, run)
    if holder is not None:
        return [holder]
    return [Entity(name, start, titled or _person_cue(text, start, end, len(run)))]


def _office_holder(text: str, run: list[re.Match[str]]) -> Entity | None:
    """The person a run names after "<title> of" ("Secretary of State Antony Blinken"): its
    last two words, the office's name before them; None for any other run."""
    office = _OFFICE_OF.search(text[max(0, run[0].start() - 40) : run[0].start()])
    if office is None or not _is_title(office.group(1)) or len(run) < 3:
        return None
    start = run[-2].start()
    return Entity(text[start : run[-1].end()], start, True)


def _describes_role(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` describes the role named right after it: "the Underground
    Railroad leader", "Labour leader Keir Starmer", but not "OpenAI named Sam Altman chief
    executive" or "Elon Musk, owner of X"."""
    following = re.match(r" ([a-z]+)\b(\s+\S+)?", text[end : end + 60])
    if following is None or following.group(1) not in _ROLE_NOUNS:
        return False
    after = (following.group(2) or "").strip()
    if after[:1].isupper():
        return True
    return bool(re.search(r"\b(?:the|a|an)\s+$|['’]s\s+$", text[max(0, start - 10) : start]))


def _is_title(word: str) -> bool:
    """Whether ``word`` is a title ("Gen", "gov.", "President")."""
    return word.lower().rstrip(".") in TITLES


def _person_cue(text: str, start: int, end: int, words: int) -> bool:
    """Whether the context around ``text[start:end]`` suggests a person."""
    name_words = text[start:end].lower().split()
    if any(base_word(w).strip(".,") in NOT_PERSON for w in name_words):
        return False
    before = text[max(0, start - _CUE_CHARS) : start].lower().split()[-2:]
    after = text[end : end + _CUE_CHARS].lower().replace(",", " ").split()[:1]
    if after and after[0] in SPEECH_VERBS:
        return True
    if before and before[-1] in {"did", "does", "do", "to", "by"} and words <= 3:
        return before[-1] != "to" or before[-2:-1] == ["according"]
    return words >= 2 and not text[start:end].isupper()


def asks_for_person(question: str) -> bool:
    """Whether ``question`` asks for a person: it starts with who, whom or whose, or asks
    "which" of a kind of person ("Which professional dancer ...")."""
    if _WHO.match(question):
        return True
    kind = _WHICH_KIND.search(question)
    return kind is not None and any(w in PERSON_NOUNS for w in kind.group(1).lower().split())
