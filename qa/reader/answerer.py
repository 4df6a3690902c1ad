"""The reading answerer: the scorer's best candidate sentences, read by the learned reader.

Between retrieval and the answer: the sentence scorer (qa.answer.scorer) picks the
``read_candidates`` most promising sentences of the top passages (cheap: stored sentence
vectors, no model call); the reader reads each with the question and gives an answer logit
and short-answer spans. A sentence's score is the scorer's plus READER_WEIGHT times the
reader's logit: on realtimeqa-dev the sentence so ranked first holds the answer more often
than by either alone (bench/RESULTS.md). The answer leads with the best sentence's short
answer, then quotes the best sentence and those scored nearly as well, best first, each
cited. Its confidence is the calibrated model of qa.reader.calibration over the best
sentence; below ``min_confidence`` the answer is "not found" with the closest passages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from qa.answer.candidates import Candidate, SentenceVectors, cite, duplicates
from qa.answer.draft import AnswerDraft
from qa.answer.scorer import KEEP_MARGIN, ExtractiveAnswerer
from qa.models import Passage, ShortAnswer
from qa.question.terms import expected_kind, stems
from qa.reader.base import Reader, Span
from qa.reader.calibration import Calibration
from qa.reader.model import MAX_ANSWER_WORDS
from qa.reader.votes import VOTES, SpanFilter, Vote, VoteParams, voted_answer

READ_CANDIDATES = 24
# The reader's logit weight beside the scorer's score (in the units of its WEIGHTS). Chosen on
# realtimeqa-dev with five folds, each fold's choice in 0.3-0.75 (bench/RESULTS.md).
READER_WEIGHT = 0.5


class ReaderAnswerer:
    """Answers with the reader's short answer and its supporting quotes, or refuses when the
    calibrated confidence is below ``min_confidence``."""

    def __init__(
        self,
        scorer: ExtractiveAnswerer,
        reader: Reader,
        calibration: Calibration,
        min_confidence: float,
        max_sentences: int = 4,
        read_candidates: int = READ_CANDIDATES,
        keep_margin: float = KEEP_MARGIN,
        reader_weight: float = READER_WEIGHT,
        votes: VoteParams = VOTES,
    ) -> None:
        self.scorer = scorer
        self.reader = reader
        self.calibration = calibration
        self.min_confidence = min_confidence
        self.max_sentences = max_sentences
        self.read_candidates = read_candidates
        self.keep_margin = keep_margin
        self.reader_weight = reader_weight
        self.votes = votes

    def read(
        self,
        question: str,
        passages: Sequence[Passage],
        vector: np.ndarray | None = None,
        sentences: SentenceVectors | None = None,
    ) -> list[Candidate]:
        """The candidates the reader read, best first, each candidate's ``reading`` the
        reader's output and ``score`` the scorer's plus reader_weight times its logit.
        ``vector`` and ``sentences``: what retrieval computed, as for the scorer's
        ``candidates``."""
        pool = self.scorer.candidates(question, passages, None, vector, sentences)
        pool = pool[: self.read_candidates]
        if not pool:
            return []
        readings = self.reader.read(question, [c.text for c in pool])
        for candidate, reading in zip(pool, readings, strict=True):
            candidate.reading = reading
            candidate.score += self.reader_weight * reading.logit
        return sorted(pool, key=lambda c: c.score, reverse=True)

    def answer(
        self,
        question: str,
        passages: Sequence[Passage],
        vector: np.ndarray | None = None,
        sentences: SentenceVectors | None = None,
    ) -> AnswerDraft:
        """The short answer and 1..max_sentences supporting quotes, each cited, best first;
        or found False (with the closest passages) when the confidence is too low.
        ``vector`` and ``sentences``: see ``read``."""
        read = self.read(question, passages, vector, sentences)
        return self.compose(question, read, passages)

    def compose(
        self, question: str, read: list[Candidate], passages: Sequence[Passage]
    ) -> AnswerDraft:
        """The answer to ``question`` made of ``read`` (the output of ``read``), or the
        refusal."""
        vote = voted_answer(read, *span_filters(question), self.votes)
        confidence = self.calibration.confidence(features(read[0], vote)) if read else 0.0
        if not read or confidence < self.min_confidence:
            return AnswerDraft.refusal(passages, confidence)
        chosen = self.supporting(read)
        if vote is None:
            citations = [cite(n, c) for n, c in enumerate(chosen, start=1)]
            return AnswerDraft.compose(citations, None, confidence)
        # The quote holding the voted answer leads, trusted most, in place of the last kept
        # (and of a kept quote saying the same).
        others = [c for c in chosen if not duplicates(c, vote.candidate)]
        chosen = [vote.candidate, *others[: self.max_sentences - 1]]
        citations = [cite(n, c) for n, c in enumerate(chosen, start=1)]
        trusted = max([vote.value, *(c.score for c in citations)])
        citations[0] = citations[0].model_copy(update={"score": round(trusted, 4)})
        short = short_in(vote.candidate.text, vote.candidate.span[0], vote.span, 1)
        return AnswerDraft.compose(citations, short, confidence)

    def lead(self, question: str, draft: AnswerDraft) -> AnswerDraft:
        """``draft`` (another answerer's: a speaker's statements) led by the gist of the quote
        the reader trusts most, for a question asking what was said: its main clause, else
        the reader's best span that is a clause (``is_gist``), else the whole quote when it is
        short; unchanged when it quotes nothing, no gist is found, or the question asks for
        a name, number or date (for "Who
        said ...?" the answer is the line's speaker, not in the quote). Its confidence stays
        None: the calibration is fitted on this answerer's own answers."""
        quotes = draft.citations[: self.max_sentences]
        if not draft.found or not quotes or expected_kind(question) != "any":
            return draft
        readings = self.reader.read(question, [c.quote for c in quotes])
        best = max(range(len(quotes)), key=lambda i: readings[i].logit)
        cited = quotes[best]
        spans = [s for s in readings[best].spans if is_gist(cited.quote[s[0] : s[1]])]
        span = main_clause(cited.quote) or choose_span(cited.quote, spans, question)
        if span is None:
            if len(cited.quote.split()) > MAX_ANSWER_WORDS:
                return draft
            span = (0, len(cited.quote))  # a short statement is its own gist
        short = short_in(cited.quote, cited.span[0], span, cited.n)
        return draft.led(short)

    def supporting(self, read: list[Candidate]) -> list[Candidate]:
        """The best sentence and those scored within keep_margin of it, near-duplicates
        skipped, at most max_sentences."""
        chosen: list[Candidate] = []
        floor = read[0].score - self.keep_margin
        for candidate in read:
            if len(chosen) >= self.max_sentences or candidate.score < floor:
                break
            if not any(duplicates(candidate, other) for other in chosen):
                chosen.append(candidate)
        return chosen


def features(candidate: Candidate, vote: Vote | None = None) -> dict[str, float]:
    """What the calibration may weigh of the best read candidate and the voted answer
    (qa.reader.calibration.FEATURES): the reader's logit, the share of the question's words
    in the sentence and its paragraph, the sentence's cosine to the question, and the voted
    phrase's share of the votes (0 without one: articles that agree on an answer are more
    often right)."""
    return {
        "logit": _logit(candidate),
        "sentence_terms": candidate.keyword,
        "paragraph_terms": candidate.context,
        "cosine": candidate.cosine,
        "vote_share": vote.share if vote is not None else 0.0,
    }


def _logit(candidate: Candidate) -> float:
    return candidate.reading.logit if candidate.reading else float("-inf")


# A gist is a clause: a span of fewer words is a name or a noun ("Kyiv", "engineering firm"),
# not what was said.
MIN_GIST_WORDS = 4


# Words that open a clause hanging on another ("while Kyiv expected ..., the assaults had
# delivered little"): the gist is in the other one.
_SUBORDINATE = re.compile(
    r"^(?:while|whereas|although|though|if|because|as|when|after|before|since|despite|"
    r"unless|and|but|adding|saying|noting)\b",
    re.IGNORECASE,
)
_CLAUSE = re.compile(r"[^,;:]+")


def is_gist(phrase: str) -> bool:
    """Whether ``phrase`` can stand for what was said: a clause of MIN_GIST_WORDS words or
    more within one part of the sentence (no comma inside), not a name ("Kyiv") or a noun,
    which a question asking what was said does not ask for."""
    return len(phrase.split()) >= MIN_GIST_WORDS and not re.search(r"[,;]", phrase)


def main_clause(quote: str) -> Span | None:
    """The span of ``quote``'s first part between commas that opens with no subordinating
    word and has MIN_GIST_WORDS to MAX_ANSWER_WORDS words ("the recent Russian assaults had
    delivered little meaningful progress"), or None."""
    for part in _CLAUSE.finditer(quote):
        text = part.group()
        start = part.start() + len(text) - len(text.lstrip())
        clause = text.strip().rstrip('.”"')
        words = len(clause.split())
        if MIN_GIST_WORDS <= words <= MAX_ANSWER_WORDS and not _SUBORDINATE.match(clause):
            return start, start + len(clause)
    return None


def answers_something(phrase: str, question: str) -> bool:
    """Whether ``phrase`` holds a word the question does not (a short answer made of the
    question's own words, "grain" for "What did he say about grain?", answers nothing)."""
    return bool(stems(phrase) - stems(question))


_DIGITS = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|dozens?|"
                     r"hundreds?|thousands?|millions?|billions?)\b", re.IGNORECASE)  # fmt: skip
_DATES = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|\b(?:mon|tues|wednes|thurs|"
    r"fri|satur|sun)day\b|\b(?:1[89]|20)\d\d\b", re.IGNORECASE
)  # fmt: skip
_NAME_QUESTION = re.compile(r"^\s*(?:who|whom|where)\b", re.IGNORECASE)


def fits(phrase: str, question: str) -> bool:
    """Whether ``phrase`` is of the kind the question asks for: a number for "how many", a
    date for "when", a capitalised name for "who" and "where" (any phrase otherwise)."""
    kind = expected_kind(question)
    if kind == "number":
        return bool(_DIGITS.search(phrase))
    if kind == "date":
        return bool(_DATES.search(phrase))
    if _NAME_QUESTION.search(question):
        return any(word[:1].isupper() for word in phrase.split())
    return True


def span_filters(question: str) -> tuple[SpanFilter, SpanFilter]:
    """Which spans of a sentence may answer ``question`` (not the whole sentence, and holding
    a word the question lacks), and which of those are of the kind it asks for."""

    def usable(text: str, span: Span) -> bool:
        return span != (0, len(text)) and answers_something(text[span[0] : span[1]], question)

    def preferred(text: str, span: Span) -> bool:
        return fits(text[span[0] : span[1]], question)

    return usable, preferred


def choose_span(text: str, spans: Sequence[Span], question: str) -> Span | None:
    """The reader's best span that answers something and fits the kind asked, else its best
    span that answers something; never the whole sentence."""
    usable = [
        s for s in spans if s != (0, len(text)) and answers_something(text[s[0] : s[1]], question)
    ]
    fitting = [s for s in usable if fits(text[s[0] : s[1]], question)]
    chosen = fitting or usable
    return chosen[0] if chosen else None


def short_in(quote: str, quote_start: int, span: Span, n: int) -> ShortAnswer:
    """The short answer at ``span`` of a quote that starts at ``quote_start`` in the paragraph
    of citation ``n``, its offsets made the paragraph's."""
    start, end = span
    return ShortAnswer(
        text=quote[start:end], citation=n, start=quote_start + start, end=quote_start + end
    )
