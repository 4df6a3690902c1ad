"""Every sentence of an LLM's answer checked against the passages it cites, before it is shown.

A sentence passes when it cites at least one passage that was given, every number it states
and every text it puts in quotation marks appears in the passages it cites (quotes verbatim,
up to spacing and the kind of quotation mark), and those passages hold at least
``min_support`` of its content words (names and numbers weighted double, as for questions:
qa.question.terms). The threshold is chosen on the bench (bench/llm.py; bench/RESULTS.md).
A sentence that fails is left out of the answer and reported with the reason. A sentence the
model left without a citation is cited to the given passage that supports it best, when that
passage passes the same checks (small models answer right but seldom cite); it is marked as
cited by the check. A sentence citing the wrong passage is not re-cited: it is removed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from index.split.sentences import quotable_spans, sentence_spans
from index.storage.keyword import STOPWORDS
from qa.models import Passage
from qa.question.terms import QuestionTerms, coverage, question_terms, stems

# The weighted share of a sentence's content words its cited passages must hold.
MIN_SUPPORT = 0.75
_MARKER = re.compile(r"\s*\[(\d{1,3})\]")
_LEADING_MARKERS = re.compile(r"^(?:\s*\[\d{1,3}\])+")
# A number with the word it is joined to ("10 million", "12-year-old" -> "12 year"): a claim's
# number must stand beside the same word in its passage, not just anywhere in it ("$10
# million" is not supported by "$3 million ... $6 out of $10").
_NUMBER = re.compile(r"(\d+(?:[.,]\d+)*)(?:[ -]([a-z]+))?", re.IGNORECASE)
# Text in quotation marks of at least three words: shorter quoted words are often scare quotes
# or titles that the model may fairly write as it likes.
_QUOTED = re.compile(r"[\"“”]([^\"“”]+)[\"“”]")
_QUOTE_CHARS = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})

SUPPORTED = "supported"
NO_CITATION = "no citation"
UNKNOWN_PASSAGE = "cites a passage that was not given"
NUMBER_MISSING = "a number it states is not in the cited passages"
MISQUOTED = "a quotation is not verbatim in the cited passages"
NOT_SUPPORTED = "the cited passages do not support it"


@dataclass(frozen=True)
class Claim:
    """One sentence of an answer, its citations, and the checker's verdict on it."""

    text: str  # without its [n] markers
    cited: tuple[int, ...]  # passage numbers, as the model wrote them
    verdict: str
    support: float  # weighted share of its content words in the cited passages
    # The best-supporting sentence of each cited passage: passage number -> (start, end)
    evidence: dict[int, tuple[int, int]] = field(default_factory=dict)
    attributed: bool = False  # the model gave no citation; the check cited the passage

    @property
    def supported(self) -> bool:
        """Whether the claim passed every check."""
        return self.verdict == SUPPORTED


def claims(answer: str) -> list[tuple[str, tuple[int, ...]]]:
    """The answer's sentences, each without its [n] markers, with the numbers they cite. A
    marker that opens a sentence belongs to the one before it ("... rose. [2] Then ...")."""
    found: list[tuple[str, tuple[int, ...]]] = []
    for start, end in sentence_spans(answer):
        sentence = answer[start:end]
        leading = _LEADING_MARKERS.match(sentence)
        if leading and found:
            last, cited = found[-1]
            found[-1] = (last, cited + _cited(leading.group()))
            sentence = sentence[leading.end() :]
        text = _MARKER.sub("", sentence).strip()
        if text:
            found.append((text, _cited(sentence)))
    return found


def _cited(markers: str) -> tuple[int, ...]:
    return tuple(int(n) for n in _MARKER.findall(markers))


def check(
    answer: str, passages: Sequence[Passage], min_support: float = MIN_SUPPORT
) -> list[Claim]:
    """Each sentence of ``answer`` with its verdict against ``passages`` (cited as [1]...[n],
    in order)."""
    return [check_claim(text, cited, passages, min_support) for text, cited in claims(answer)]


def check_claim(
    text: str, cited: tuple[int, ...], passages: Sequence[Passage], min_support: float
) -> Claim:
    """The verdict on one sentence ``text`` citing passage numbers ``cited`` (none: the
    best-supporting passage that passes, marked as attributed, else NO_CITATION)."""
    terms = question_terms(text)
    if not cited:
        return _attributed(text, terms, passages, min_support)
    return _verdict(text, terms, cited, passages, min_support)


def _verdict(
    text: str,
    terms: QuestionTerms,
    cited: tuple[int, ...],
    passages: Sequence[Passage],
    min_support: float,
) -> Claim:
    """The verdict on ``text`` (whose content ``terms`` are given) against ``cited``."""
    if any(n < 1 or n > len(passages) for n in cited):
        return Claim(text, cited, UNKNOWN_PASSAGE, 0.0)
    # The title and date were in the prompt too: a claim may take its year from them.
    sources = [_source(passages[n - 1]) for n in cited]
    evidence = {n: best_sentence(terms, passages[n - 1].text) for n in dict.fromkeys(cited)}
    support = _support(terms, sources)
    verdict = SUPPORTED
    if not _numbers_found(text, sources):
        verdict = NUMBER_MISSING
    elif not _quotes_found(text, sources):
        verdict = MISQUOTED
    elif support < min_support:
        verdict = NOT_SUPPORTED
    return Claim(text, cited, verdict, support, evidence)


def _attributed(
    text: str, terms: QuestionTerms, passages: Sequence[Passage], min_support: float
) -> Claim:
    """An uncited sentence cited to the passage supporting it best, if that one passes."""
    if not passages or not terms.total:
        return Claim(text, (), NO_CITATION, 0.0)
    best = max(
        range(1, len(passages) + 1), key=lambda n: _support(terms, [_source(passages[n - 1])])
    )
    claim = _verdict(text, terms, (best,), passages, min_support)
    if not claim.supported:
        return Claim(text, (), NO_CITATION, claim.support)
    return replace(claim, attributed=True)


def best_sentence(terms: QuestionTerms, paragraph: str) -> tuple[int, int]:
    """The span of the sentence of ``paragraph`` holding most of a claim's content ``terms``
    (the whole paragraph when it has no quotable sentence)."""
    spans = quotable_spans(paragraph) or [(0, len(paragraph))]
    return max(spans, key=lambda s: coverage(terms, stems(paragraph[s[0] : s[1]])))


def _source(passage: Passage) -> str:
    return f"{passage.title}\n{passage.published}\n{passage.text}"


def _support(terms: QuestionTerms, sources: Sequence[str]) -> float:
    if not terms.total:  # nothing but stopwords ("That is all.") asserts nothing
        return 1.0
    return coverage(terms, stems(" ".join(sources)))


def _numbers_found(claim: str, sources: Sequence[str]) -> bool:
    held = {pair for source in sources for pair in _figures(source)}
    alone = {number for number, _ in held}
    return all(
        (number, word) in held if word else number in alone for number, word in _figures(claim)
    )


def _figures(text: str) -> set[tuple[str, str]]:
    """Each number of ``text`` (thousands separators dropped) with the word joined to it
    ("" when that word is a stopword: "in 2024 the ..." may be written any way)."""
    found = set()
    for match in _NUMBER.finditer(text):
        word = (match.group(2) or "").lower()
        found.add((match.group(1).replace(",", ""), "" if word in STOPWORDS else word))
    return found


def _quotes_found(claim: str, sources: Sequence[str]) -> bool:
    said = [q for q in _QUOTED.findall(claim) if len(q.split()) >= 3]
    held = " ".join(_plain(source) for source in sources)
    return all(_plain(q).strip(" ,.") in held for q in said)


def _plain(text: str) -> str:
    return " ".join(text.translate(_QUOTE_CHARS).split())
