"""Who "he", "the general", "Zelenskiy" or "the IOC" is in one article: the names it mentions
(people, organisations and their acronyms) and the speakers resolved so far, in order."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from index.statements.gender import GenderVotes
from index.statements.speakers import (
    RUN,
    Speaker,
    fold,
    name_kind,
    speaker_key,
    strip_titles,
    surname,
    without_openers,
)
from index.words import (
    DETERMINERS,
    GROUP_NOUNS,
    LEADING_JUNK,
    ORG_NOUN_FITS,
    PARTIES,
    PEOPLE_NOUNS,
    PRONOUNS_GROUP,
)

_PRONOUN_REACH = 50  # how many earlier speakers a pronoun or a role may refer back to
# A name of capitalised words joined by lower-case function words, for acronyms' long forms
# ("U.S. Department of Agriculture", "International Committee of the Red Cross").
_LONG_NAME = re.compile(r"[A-Z][\w.'’&\-]*(?:(?:\s+(?:of|for|and|the|on))*\s+[A-Z][\w.'’&\-]*)+")
_ACRONYM = re.compile(r"[A-Z]{2,6}")
# A name followed by the noun that describes it: "COMPASS Pathways, the company that ...".
_APPOSITIVE = re.compile(r",\s+the\s+([a-z]+)\b")
# Words that open a clause or a party label before a name, never part of it.
_NAME_OPENERS = LEADING_JUNK | PARTIES
# A name followed by the other name it goes by: "Dario Otero Jr., affectionately known as DJ".
_NICKNAME = re.compile(
    r",?\s+(?:[a-z]+ly\s+)?(?:known as|nicknamed|who goes by|called)\s+[\"“]?([A-Z][\w.'’\-]*)"
)


@dataclass
class _Mentions:
    """The mentions of one full name in article order, with the titles given it so far."""

    positions: list[int] = field(default_factory=list)
    speakers: list[Speaker] = field(default_factory=list)
    titles_so_far: list[frozenset[str]] = field(default_factory=list)

    def add(self, position: int, speaker: Speaker) -> None:
        before = self.titles_so_far[-1] if self.titles_so_far else frozenset()
        self.positions.append(position)
        self.speakers.append(speaker)
        self.titles_so_far.append(before | speaker.titles)

    def last_before(self, position: int) -> int:
        """The index of the last mention at or before ``position`` (-1 if none)."""
        return bisect.bisect_right(self.positions, position) - 1


@dataclass
class ArticleSpeakers:
    """Who has been mentioned so far in one article, to resolve short references."""

    # surname -> full name's key -> its mentions
    full_names: dict[str, dict[str, _Mentions]] = field(default_factory=dict)
    recent: list[Speaker] = field(default_factory=list)
    organisations: list[tuple[int, Speaker]] = field(default_factory=list)  # by position
    acronyms: dict[str, Speaker] = field(default_factory=dict)  # "ioc" -> the full name
    # "COMPASS Pathways, the company": (position, the name, "company"), by position
    described: list[tuple[int, Speaker, str]] = field(default_factory=list)
    text: str = ""  # the article's text, where acronyms' long forms are looked for
    # a full name's key -> votes for "m" and "f" (pronouns after its mentions, its titles)
    genders: GenderVotes = field(default_factory=GenderVotes)
    # "dj" -> Dario Otero Jr. ("Dario Otero Jr., affectionately known as DJ")
    nicknames: dict[str, Speaker] = field(default_factory=dict)

    @classmethod
    def scan(cls, text: str) -> ArticleSpeakers:
        """Collect the multi-word names of an article, by surname, with their positions."""
        found = cls(text=text)
        for match in RUN.finditer(text):
            run = match.group().rstrip(".").removesuffix("’s")
            at = match.start()
            for part in run.split(" and "):  # "Andrew Holness and Floyd Green": two people
                found._add_name(part, at + run.find(part))
            found._add_organisation(run, at, text[match.end() : match.end() + 12])
            found._add_nickname(run, match.end())
            described = _APPOSITIVE.match(text, match.end())
            if described is not None and described.group(1) in GROUP_NOUNS - PEOPLE_NOUNS:
                name, _ = strip_titles(run)
                speaker = Speaker(name.removeprefix("The "), "group")
                found.described.append((at, speaker, described.group(1)))
        return found

    def _add_nickname(self, run: str, end: int) -> None:
        """Remember the other name a full name goes by when the text says so after it."""
        nickname = _NICKNAME.match(self.text, end)
        name, _ = strip_titles(run)
        if nickname is not None and len(name.split()) >= 2:
            self.nicknames[speaker_key(nickname.group(1))] = Speaker(name, name_kind(name))

    def _add_organisation(self, run: str, position: int, after: str) -> None:
        """Remember an organisation's name ("University of Kansas"), and its acronym when one
        follows in brackets ("International Olympic Committee (IOC)")."""
        name, _ = strip_titles(run)
        if len(name.split()) < 2 or name_kind(name) != "group":
            return
        speaker = Speaker(name.removeprefix("The "), "group")
        self.organisations.append((position, speaker))
        acronym = re.match(r" \(([A-Z][A-Za-z]{1,7})\)", after)
        if acronym is not None:
            self.acronyms[fold(acronym.group(1))] = speaker

    def _add_name(self, run: str, position: int) -> None:
        name, titles = strip_titles(run)
        # "When Ronald Reagan", "Republican Pelosi": the opener is no part of the name
        name = without_openers(name.removesuffix("'s"), _NAME_OPENERS)
        words = name.split()
        if len(words) < 2 or name_kind(name) != "person":
            return
        if fold(words[0]) in DETERMINERS or "-" in words[-1]:
            return  # "The Democrat-led": a description, no one's name
        key = speaker_key(name)
        self.genders.add_mention(key, titles | {fold(words[0])}, self.text, position + len(run))
        by_key = self.full_names.setdefault(surname(key), {})
        by_key.setdefault(key, _Mentions()).add(position, Speaker(name, "person", titles))

    def gender(self, speaker: Speaker) -> str | None:
        """ "m" or "f" when the article's evidence for the person clearly leans one way."""
        return self.genders.of(speaker.key)

    def resolve(self, speaker: Speaker, position: int) -> Speaker | None:
        """The full speaker meant by ``speaker`` at article offset ``position``: pronouns and
        roles ("the general") become the latest fitting speaker, surnames the latest full
        name; None when a pronoun or role cannot be resolved."""
        if speaker.kind == "pronoun" and speaker.name in PRONOUNS_GROUP:
            return self._latest(lambda s: s.kind == "group")
        if speaker.kind == "pronoun":
            return self._one_person(position, {"he": "m", "she": "f"}.get(speaker.name))
        if speaker.kind == "role":
            return self._latest(lambda s: s.kind == "person" and bool(s.titles & speaker.titles))
        if speaker.key in self.nicknames:
            return self.nicknames[speaker.key]
        if speaker.kind == "group" and speaker.key in self.acronyms:
            return self.acronyms[speaker.key]  # "IOC" after "International Olympic Committee (IOC)"
        if speaker.kind in ("group", "person") and _ACRONYM.fullmatch(speaker.name.split()[-1]):
            long = self._long_form(speaker.name.split()[-1], position)  # "USDA", "The ICRC"
            if long is not None:
                self.acronyms[speaker.key] = long
                return long
        if speaker.kind == "group" and speaker.name.split()[0].islower():
            return self._organisation(speaker, position)
        if speaker.kind == "group" and len(speaker.key.split()) >= 2:
            return self._longer_name(speaker, position)
        if speaker.kind == "person":
            return self._full_name(speaker, position)
        return speaker

    def _organisation(self, speaker: Speaker, position: int) -> Speaker:
        """ "the committee" or "the university": the organisation named before with that word
        in its name (one that spoke, else the last one named), else one the article described
        with that word ("COMPASS Pathways, the company"), else one whose name fits the word
        ("the agency": "Department of Social Services"); ``speaker`` as it is else."""
        words = speaker.key.split()
        if len(words) != 1:
            return speaker
        said = self._latest(lambda s: s.kind == "group" and s.key.endswith(f" {words[0]}"))
        if said is not None:
            return said  # "the study said" after "a new study found"
        found = self._organisation_with(frozenset(words), position)
        if found is not None:
            return found
        described = [s for at, s, noun in self.described if at < position and noun == words[0]]
        if described:
            return described[-1]
        fits = ORG_NOUN_FITS.get(words[0])
        found = None if fits is None else self._organisation_with(fits, position)
        return speaker if found is None else found

    def _longer_name(self, speaker: Speaker, position: int) -> Speaker:
        """The organisation named last before ``position`` whose name begins or ends with the
        words of ``speaker``'s ("Hurricane Center" after "National Hurricane Center", "Joint
        Chiefs" after "Joint Chiefs of Staff"); ``speaker`` as it is else."""
        key = speaker.key
        for at, named in reversed(self.organisations):
            longer = named.key
            if at < position and (longer.endswith(f" {key}") or longer.startswith(f"{key} ")):
                return named
        return speaker

    def _organisation_with(self, words: frozenset[str], position: int) -> Speaker | None:
        """The organisation with one of ``words`` in its name that spoke last, else the one
        named last before ``position``; None if none."""
        spoke = self._latest(
            lambda s: (
                s.kind == "group" and s.name[:1].isupper() and bool(words & set(s.key.split()))
            )
        )
        if spoke is not None:
            return spoke
        named = [s for at, s in self.organisations if at < position and words & set(s.key.split())]
        return named[-1] if named else None

    def _long_form(self, acronym: str, position: int) -> Speaker | None:
        """The name before ``position`` whose capitalised words' initials spell ``acronym``
        ("USDA": "U.S. Department of Agriculture"), a last part after "and" allowed ("CDC":
        "Centers for Disease Control and Prevention"); the latest one, else None."""
        best = None
        for match in _LONG_NAME.finditer(self.text, 0, position):
            words = match.group().split()
            capital = [i for i, w in enumerate(words) if w[:1].isupper()]
            letters = ["".join(c for c in words[i] if c.isupper()) for i in capital]
            for first in range(len(capital)):
                spelled = ""
                for k in range(first, len(capital)):
                    spelled += letters[k]
                    rest = words[capital[k] + 1 :]
                    if spelled == acronym and k > first and (not rest or rest[0] == "and"):
                        best = " ".join(words[capital[first] :])
                    if len(spelled) >= len(acronym):
                        break
        return None if best is None else Speaker(best, "group")

    def remember(self, speaker: Speaker) -> None:
        """Record a resolved speaker as the latest one."""
        self.recent.append(speaker)

    def _one_person(self, position: int, gender: str | None) -> Speaker | None:
        """Whom "he" or "she" at ``position`` means: the latest single person who spoke and
        is not known to be of the other ``gender``, else the last such person named before
        (an article's first statement: "..., he said")."""

        def fits(speaker: Speaker) -> bool:
            return gender is None or self.genders.leans(speaker.key, gender)

        spoke = self._latest(lambda s: s.kind == "person" and " and " not in s.name and fits(s))
        if spoke is not None or gender is None:
            return spoke or self._last_mention(position, lambda key: True)
        # the last person named who is known to be of that gender, else one not known
        known = self._last_mention(
            position, lambda key: self.genders.leans(key, gender, strictly=True)
        )
        return known or self._last_mention(position, lambda key: self.genders.leans(key, gender))

    def _last_mention(self, position: int, fits: Callable[[str], bool]) -> Speaker | None:
        """The full name mentioned last before ``position`` among those whose key ``fits``
        (the scan split "X and Y", so each is one person)."""
        best: tuple[int, Speaker] | None = None
        for by_key in self.full_names.values():
            for full_key, mentions in by_key.items():
                last = mentions.last_before(position)
                if last < 0 or not fits(full_key):
                    continue
                if best is None or mentions.positions[last] > best[0]:
                    best = (mentions.positions[last], mentions.speakers[last])
        return None if best is None else best[1]

    def _latest(self, fits: object) -> Speaker | None:
        for candidate in reversed(self.recent[-_PRONOUN_REACH:]):
            if callable(fits) and fits(candidate):
                return candidate
        return None

    def _full_name(self, speaker: Speaker, position: int) -> Speaker:
        key = speaker_key(speaker.name)
        best: tuple[int, Speaker] | None = None
        titles = speaker.titles
        for full_key, mentions in self.full_names.get(surname(key), {}).items():
            last = mentions.last_before(position) if full_key.endswith(key) else -1
            if last < 0:
                continue
            titles = titles | mentions.titles_so_far[last]
            if best is None or mentions.positions[last] > best[0]:
                best = (mentions.positions[last], mentions.speakers[last])
        if best is not None:
            return Speaker(best[1].name, "person", titles)
        if " " not in key:  # a first name alone: "Vitali" for "Vitali Klitschko"
            named = self._last_mention(position, lambda full_key: full_key.split()[:1] == [key])
            if named is not None:
                return Speaker(named.name, "person", titles)
        return speaker
