"""Keyword evidence for extractive answers: which question terms a sentence contains, weighted
so that names and numbers count more, and whether it holds the kind of thing asked for."""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.storage.keyword import TERM, query_terms
from index.words import word_set

NAME_WEIGHT = 2.0  # a capitalised word or a number of the question counts double
STEM_CHARS = 6  # words agreeing on their first 6 letters match ("nominations" ~ "nominated")
# Words of a question that say what is asked, not what it is about.
QUESTION_FILLER = word_set(
    "according say says said tell told report reported happen happened name named "
    "which what who whom week year"
)
_CAPITALISED = re.compile(r"\b[A-Z][\w’'-]*")
_MONTH = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d", re.IGNORECASE
)
_DIGIT = re.compile(r"\d")


def stem(term: str) -> str:
    """A crude stem: the term without a plural or possessive ending, cut to STEM_CHARS."""
    term = term.lower().replace("’", "'")
    for ending in ("'s", "es", "s"):
        if term.endswith(ending) and len(term) > len(ending) + 3:
            term = term[: -len(ending)]
            break
    return term[:STEM_CHARS]


def stems(text: str) -> set[str]:
    """The stems of every word of ``text``."""
    return {stem(m.group()) for m in TERM.finditer(text)}


@dataclass(frozen=True)
class QuestionTerms:
    """The weighted content terms of a question and the kind of answer it asks for."""

    weights: dict[str, float]
    names: frozenset[str]
    expects: str  # "name", "number", "date" or "any"

    @property
    def total(self) -> float:
        """Sum of the weights (0.0 for a question of stopwords only)."""
        return sum(self.weights.values())


def question_terms(question: str) -> QuestionTerms:
    """The question's content terms (stems), names and numbers weighted NAME_WEIGHT."""
    named = {stem(w) for w in _CAPITALISED.findall(question[1:])} | {
        stem(t) for t in query_terms(question) if _DIGIT.search(t)
    }
    weights: dict[str, float] = {}
    for term in query_terms(question):
        if term in QUESTION_FILLER:
            continue
        key = stem(term)
        weights[key] = NAME_WEIGHT if key in named else 1.0
    return QuestionTerms(weights, frozenset(named), expected_kind(question))


def expected_kind(question: str) -> str:
    """What the question asks for: "number" (how many), "date" (when), "name" (who, which,
    where) or "any"."""
    lowered = question.lower()
    if re.search(r"\bhow (many|much|old|long|far|big|high)\b|\bwhat (percentage|number)", lowered):
        return "number"
    if re.search(r"\bwhen\b|\bwhat (year|date|day|month)\b", lowered):
        return "date"
    if re.search(r"\b(who|whom|whose|which|where)\b", lowered):
        return "name"
    return "any"


def coverage(terms: QuestionTerms, text_stems: set[str]) -> float:
    """Weighted share (0..1) of the question's terms found among ``text_stems``."""
    if not terms.total:
        return 0.0
    found = sum(w for key, w in terms.weights.items() if key in text_stems)
    return found / terms.total


def holds_expected(terms: QuestionTerms, sentence: str) -> bool:
    """Whether ``sentence`` holds something of the kind asked that the question lacks: a name
    not in the question, a number, or a date."""
    if terms.expects == "number":
        return bool(_DIGIT.search(sentence))
    if terms.expects == "date":
        return bool(_MONTH.search(sentence) or re.search(r"\b(1[89]|20)\d\d\b", sentence))
    if terms.expects == "name":
        names = {stem(w) for w in _CAPITALISED.findall(sentence[1:])}
        return bool(names - terms.names - set(terms.weights))
    return bool(stems(sentence) - set(terms.weights))


def word_overlap(a: str, b: str) -> float:
    """Jaccard overlap (0..1) of the lower-cased words of two texts: near-duplicate check."""
    left, right = set(a.lower().split()), set(b.lower().split())
    return len(left & right) / len(left | right) if left and right else 0.0
