"""Speaker names: turning the words before or after a reporting verb into a speaker, resolving
"he", "the general" or a bare surname to a person named earlier in the same article, and
folding name variants ("Zelenskiy", "Zelenskyy", "President Volodymyr Zelensky") into one key
so a speaker is the same across articles.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

from index.words import (
    COUNTRIES,
    COUNTRY_PHRASES,
    DETERMINERS,
    DOCUMENT_NOUNS,
    GROUP_NOUNS,
    GROUP_QUALIFIERS,
    LEADING_JUNK,
    NOT_SPEAKERS,
    ORG_WORDS,
    PARTIES,
    PEOPLE_NOUNS,
    POSSESSIVES,
    PREPOSITIONS,
    PRONOUNS_GROUP,
    PRONOUNS_PERSON,
    SOURCE_PREFIX,
    TITLES,
)

# A capitalised word: letters with inner apostrophes, hyphens or dots (O'Rourke, El-Nakla, K.).
_ABBREVIATION = (
    r"(?:(?:Dr|Mr|Mrs|Ms|Gen|Gov|Sen|Rep|Lt|Col|Capt|Sgt|St|Jr|Sr|Prof|Rev|Adm|Maj)\."
    r"|(?:[A-Z]\.)+)"  # initials too: "J.B. Pritzker"
)
_TLD = r"\.(?:com|org|net|gov|edu|io|co\.uk)"
_DOMAIN = rf"(?:{_TLD})?"  # a website's name: "MSN.com", "Chabad.org"
_WEBSITE = re.compile(rf"\w{_TLD}$")
_CAP = rf"(?:{_ABBREVIATION}|[A-ZÀ-ÖØ-Þ][\w'’\-]*{_DOMAIN}|[a-z]+[A-Z][\w'’\-]*)"
_JOIN = r"(?:\s+(?:of|de|da|del|van|von|bin|al|&|and)\s+|\s+)"
RUN = re.compile(rf"{_CAP}(?:{_JOIN}{_CAP})*")
_WORD = re.compile(r"[\w'’.&\-]+")
_POSSESSIVE = ("'s", "’s", "s'", "s’")
_OPENERS = ("that", "after", "before", "when", "while", "because", "since", "until", "although")


@dataclass(frozen=True)
class Speaker:
    """Who said something: ``name`` as displayed (titles dropped), ``kind`` "person" or
    "group", ``titles`` lower-cased title words and role nouns seen with the name."""

    name: str
    kind: str
    titles: frozenset[str] = frozenset()

    @cached_property  # asked for often while an article is resolved; the name never changes
    def key(self) -> str:
        """The speaker's identity across articles (see :func:`speaker_key`)."""
        return speaker_key(self.name)


def fold(text: str) -> str:
    """Lower-case ``text``, strip accents, make apostrophes plain and collapse whitespace."""
    plain = unicodedata.normalize("NFKD", text.replace("’", "'").lower())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w'&\- ]+", " ", plain).split())


def _fold_token(token: str) -> str:
    """Fold transliteration variants of one name token: Zelenskiy/Zelenskyy -> zelensky."""
    return re.sub(r"(?:iy|yy|ii|yi)$", "y", token)


def speaker_key(name: str) -> str:
    """The identity of a speaker name across articles: folded, without titles or a leading
    article, transliteration variants merged ("President Volodymyr Zelenskiy" and "Volodymyr
    Zelenskyy" give "volodymyr zelensky")."""
    words = fold(name).split()
    while words and (words[0] in DETERMINERS or words[0].rstrip(".") in TITLES):
        words = words[1:]
    return " ".join(_fold_token(w) for w in words)


def surname(key: str) -> str:
    """The last word of a speaker key (how a person is called for short)."""
    return key.rsplit(" ", 1)[-1] if key else ""


def _is_title(word: str) -> bool:
    return fold(word).rstrip(".") in TITLES


def strip_titles(run: str) -> tuple[str, frozenset[str]]:
    """Drop the title words that open a name and return them lower-cased:
    ``"ADL Vice President Oren Segal"`` -> ``("Oren Segal", {"vice", "president"})``."""
    words = run.split()
    last_title = max((i for i, w in enumerate(words) if _is_title(w)), default=-1)
    if last_title == len(words) - 1:
        return run, frozenset()  # the run is a title itself ("The President")
    titles = frozenset(fold(w).rstrip(".") for w in words[: last_title + 1] if _is_title(w))
    return " ".join(words[last_title + 1 :]), titles


_STATES = COUNTRIES | COUNTRY_PHRASES


def without_openers(name: str, openers: frozenset[str]) -> str:
    """``name`` without the ``openers`` that begin it ("When Ronald Reagan", "Republican
    Pelosi"), its last word always kept."""
    words = name.split()
    while len(words) > 1 and fold(words[0]) in openers:
        words = words[1:]
    return " ".join(words)


def name_kind(name: str, context: str = "") -> str:
    """ "group" for organisations and collectives, else "person"; ``context`` is the phrase
    the name came from ("monitoring group DeepState" makes DeepState a group)."""
    words = fold(name).split()
    before = fold(context).split()[-1:]
    if any(w in ORG_WORDS for w in words) or (before and before[0] in GROUP_NOUNS - TITLES):
        return "group"
    if _WEBSITE.search(name):
        return "group"  # "MSN.com"
    if " ".join(words) in _STATES:
        return "group"  # "Israel said": a state speaking
    camel = re.search(r"[a-z][A-Z]", name) and not re.match(r"(?:Mc|Mac)[A-Z]", name)
    if len(words) == 1 and (name.isupper() or camel):
        return "group"  # ADL, QSR, DeepState; not McCarthy
    return "person"


def speaker_type(speaker: Speaker) -> str:
    """A resolved speaker's type: "person" (someone named, or people: "Ukrainian officials"),
    "other" (a document: "the report") or "organisation" (any other collective: "the
    Kremlin", "Ukraine's defence ministry")."""
    if speaker.kind == "person":
        return "person"
    words = fold(speaker.name).split()
    stop = next(
        (i for i, w in enumerate(words) if i and w in GROUP_QUALIFIERS | PREPOSITIONS), None
    )
    head = words[:stop][-1:] or [""]  # "people briefed on the matter": "people"
    if head[0] in DOCUMENT_NOUNS:
        return "other"
    # "India's transportation minister": a title heads one person's description
    return "person" if head[0] in PEOPLE_NOUNS | TITLES else "organisation"


def one_person(name: str, kind: str) -> bool:
    """Whether a statement's speaker (its name or key, and type) is one person, who may be
    called by surname ("Zelenskiy"), rather than people ("Ukrainian officials")."""
    words = fold(name).split()
    return kind == "person" and not (words and words[-1] in PEOPLE_NOUNS)


def _runs(phrase: str) -> list[re.Match[str]]:
    """Capitalised runs of ``phrase`` other than a lone sentence-initial determiner."""
    return [m for m in RUN.finditer(phrase) if fold(m.group()) not in DETERMINERS | POSSESSIVES]


def speaker_from_phrase(phrase: str) -> Speaker | None:
    """Read a speaker from a noun phrase such as "Venezuela's President Nicolás Maduro", "the
    well-known monitoring group DeepState", "Ukrainian military officials" or "he"; None when
    the phrase does not look like a speaker."""
    phrase = _trim_phrase(phrase)
    words = fold(phrase).split()
    if not words or len(words) > 12 or words[-1] in POSSESSIVES:
        return None
    if len(words) == 1 and (words[0] in PRONOUNS_PERSON or words[0] in PRONOUNS_GROUP):
        return Speaker(words[0], "pronoun")
    if all(w.rstrip(".") in NOT_SPEAKERS or w.rstrip(".,").isdigit() for w in words):
        return None  # "Thursday", "Feb. 6", "I"
    if _qualified_group(words):
        return Speaker(
            " ".join(phrase.split()[1:] if words[0] in DETERMINERS else phrase.split()), "group"
        )
    if not (phrase.split()[-1][:1].isupper() or words[-1] in GROUP_NOUNS):
        return None  # the phrase must end in a name or a speaker noun
    return _named_speaker(phrase) or _described_speaker(phrase, words)


def _qualified_group(words: list[str]) -> bool:
    """ "people briefed on the matter", "sources familiar with the talks": a group noun in the
    first three words, then a word that qualifies it."""
    for i, word in enumerate(words[:3]):
        if word in GROUP_NOUNS and i + 1 < len(words) and words[i + 1] in GROUP_QUALIFIERS:
            return all(w in DETERMINERS or w.isalpha() for w in words[:i])
    return False


def _described_speaker(phrase: str, words: list[str]) -> Speaker | None:
    """ "Ukrainian officials", "a person close to Trump", "the general" (a role, resolved later)."""
    head_part = words[: next((i for i, w in enumerate(words) if w in PREPOSITIONS), len(words))]
    if not any(w in GROUP_NOUNS for w in head_part):
        return None
    shown = phrase.split()
    if shown[0].lower() in ("the", "this"):
        shown = shown[1:]
    head = head_part[-1]
    if head in TITLES and len(head_part) <= 3 and head_part[0] in DETERMINERS:
        return Speaker(" ".join(shown), "role", frozenset({head}))
    return Speaker(" ".join(shown), "group")


def _trim_phrase(phrase: str) -> str:
    """Strip conjunctions, adverbs and source prefixes ("a statement from") around a phrase."""
    phrase = phrase.strip(" \t\n,;:—–-\"“”'‘’()")
    words = phrase.split()
    while words and fold(words[0]) in LEADING_JUNK:
        words = words[1:]
    phrase = " ".join(words)
    # The subject is the words nearest the verb, after the last clause opener: "NASA" in
    # "... earlier than expected after NASA announced".
    cuts = [at + len(w) + 2 for w in _OPENERS if (at := phrase.rfind(f" {w} ")) >= 0]
    phrase = phrase[max(cuts) :] if cuts else phrase
    match = SOURCE_PREFIX.match(phrase)
    return phrase[match.end() :] if match else phrase


def _named_speaker(phrase: str) -> Speaker | None:
    """The speaker named by the last capitalised run that ends the phrase or heads it."""
    runs = [m for m in _runs(phrase) if not m.group().endswith(_POSSESSIVE)]
    if not runs:
        return None
    before = [w for w in fold(phrase[: runs[-1].start()]).split() if w not in DETERMINERS]
    if before and before[-1] in PREPOSITIONS:
        return None  # "reports from Donetsk", "president of the Union": the name is no head
    tail = phrase[runs[-1].end() :].strip()
    tail_words = fold(tail).split()
    if tail_words and tail_words[-1] in GROUP_NOUNS and not _ends_in_title(runs[-1].group()):
        return None  # "Harris campaign": a description headed by a common noun
    name, titles = strip_titles(runs[-1].group())
    name = without_openers(name, LEADING_JUNK)  # "When Ronald Reagan": "when" opens the clause
    last = fold(name).split()[-1]
    if last.rsplit("-", 1)[-1] in ("led", "based", "backed", "run", "owned"):
        return None  # "Democrat-led": describes, names no one
    if last in PARTIES:
        return Speaker(name, "pronoun")  # "the California Democrat": the person spoken of
    if _is_title(name.split()[-1]):
        return Speaker(name, "role", frozenset({fold(name).split()[-1].rstrip(".")}))
    context = phrase[: runs[-1].start()]
    kind = name_kind(name, context)
    if kind == "person" and " of " in name and len(name.split(" of ")[0].split()) >= 2:
        name = name.split(" of ")[0]  # "Jamie Raskin of Maryland": where from, not who
    if kind == "person":
        name = _without_party(name)
    return Speaker(name, kind, titles | _role_nouns(context))


def _without_party(name: str) -> str:
    """ "Pennsylvania Republican Scott Perry" -> "Scott Perry": a party (and the place before
    it) describes the person, it is not their name."""
    words = name.split()
    party = [i for i, w in enumerate(words[:-2]) if fold(w) in PARTIES]
    return " ".join(words[party[-1] + 1 :]) if party else name


def _ends_in_title(run: str) -> bool:
    return _is_title(run.split()[-1])


def _role_nouns(text: str) -> frozenset[str]:
    """Lower-case role words before a name ("top military commander" -> {"commander"})."""
    return frozenset(w for w in fold(text).split() if w in TITLES)
