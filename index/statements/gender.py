"""What an article shows of its people's gender, so "she said" goes to a woman: the pronoun
after each mention of a name, gendered titles ("Mrs", "spokesman") and common given names."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.words import GIVEN_NAMES_BY_GENDER, PRONOUNS_BY_GENDER, TITLES_BY_GENDER

REACH = 150  # characters after a mention in which a pronoun may refer back to it
# The words of a name that tell a gender: titles ("Mrs") and given names ("Amelia").
_NAME_WORDS = {g: TITLES_BY_GENDER[g] | GIVEN_NAMES_BY_GENDER[g] for g in TITLES_BY_GENDER}
_WORD = re.compile(r"[A-Za-z]+")
_SENTENCE_ENDS = ("", ".", "!", "?", '"', "”", "“")  # what may stand before a sentence's first word


@dataclass
class GenderVotes:
    """Per full name's key, the evidence for "m" and "f" in one article."""

    votes: dict[str, dict[str, int]] = field(default_factory=dict)

    def __contains__(self, key: str) -> bool:
        return key in self.votes

    def add_mention(self, key: str, words: frozenset[str], text: str, end: int) -> None:
        """Count one mention ending at ``end`` in ``text``: its titles and given name
        (``words``, folded), and the first gendered pronoun after it, unless another name
        comes first ("Biden met Xi and told him": "him" is not Biden's)."""
        votes = self.votes.setdefault(key, {"m": 0, "f": 0})
        for gender in votes:
            votes[gender] += 2 * len(words & _NAME_WORDS[gender])
        for word in _WORD.finditer(text, end, end + REACH):
            folded = word.group().lower()
            for gender, pronouns in PRONOUNS_BY_GENDER.items():
                if folded in pronouns:
                    votes[gender] += 1
                    return
            opens_sentence = text[max(0, word.start() - 3) : word.start()].rstrip()[-1:]
            if word.group()[0].isupper() and opens_sentence not in _SENTENCE_ENDS:
                return  # a name (not a sentence's first word) comes before any pronoun

    def of(self, key: str) -> str | None:
        """ "m" or "f" when the evidence for ``key`` leans one way, else None."""
        votes = self.votes.get(key)
        if not votes or votes["m"] == votes["f"]:
            return None
        return "m" if votes["m"] > votes["f"] else "f"

    def leans(self, key: str, gender: str, strictly: bool = False) -> bool:
        """Whether the evidence for ``key`` leans to ``gender`` (``strictly``), or not away."""
        votes = self.votes.get(key, {"m": 0, "f": 0})
        other = "f" if gender == "m" else "m"
        return votes[gender] > votes[other] if strictly else votes[gender] >= votes[other]
