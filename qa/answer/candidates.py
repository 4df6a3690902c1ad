"""Candidate sentences of the retrieved passages and their evidence of answering.

Candidates are the sentences (exact spans from index.split.sentences) of the top passages, except
questions, which assert nothing (Q&A headings, quiz pages repeating the question asked). Each
gets a keyword pre-score from its evidence: the weighted share of question terms in it and in
its paragraph (names and numbers count double), whether it holds the kind of thing asked (a
name, number or date the question lacks), the passage's retrieval rank, and, for a sentence
that matches the question, whether it is in its article's first paragraph (news puts the
facts first). The final score adds its cosine to the question.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol

import numpy as np

from index.split.sentences import Span, quotable_spans
from qa.models import Citation, Passage
from qa.question.terms import QuestionTerms, coverage, holds_expected, stems, word_overlap
from qa.reader.base import SentenceReading

MIN_SENTENCE_CHARS = 20
MAX_SENTENCE_CHARS = 600
# One weight per kind of evidence: a class-balanced logistic regression of "the sentence holds
# the gold answer" over realtimeqa-dev's candidate sentences, rounded; fitted and checked on
# held-out halves by bench/answer_weights.py (figures in bench/RESULTS.md).
WEIGHTS: Mapping[str, float] = MappingProxyType(
    {
        "cosine": 0.9,
        "sentence_terms": 1.8,
        "paragraph_terms": 0.0,  # fitted near 0; still evidence for refusal (scorer.supported)
        "kind_asked": 1.45,
        "rank": 0.35,
        "lead_paragraph": 0.7,
    }
)
# The lead_paragraph weight goes only to a lead sentence holding LEAD_MIN_TERMS of the
# question's weighted terms: position breaks ties between sentences that match the question,
# it does not make a lead that merely sets the scene the answer.
LEAD_MIN_TERMS = 0.5
# Two quotes say the same thing (reprinted wire copy) at this cosine or word overlap.
DUPLICATE_COSINE = 0.92
DUPLICATE_WORDS = 0.7


class SentenceVectors(Protocol):
    """Sentence vectors computed at indexing time (index.storage.sentence_vectors): the store,
    or the StoredSentences a retrieval read already."""

    def sentence_vectors(self, paragraph_ids: Sequence[str]) -> dict[str, dict[Span, np.ndarray]]:
        """Per paragraph id that has them, each quotable span's unit vector."""
        ...


@dataclass
class Candidate:
    """One sentence of a passage, with its evidence scores."""

    passage: Passage
    rank: int  # 0-based position of the passage in the retrieved list
    span: tuple[int, int]
    keyword: float = 0.0
    context: float = 0.0
    expected: bool = False
    cosine: float = 0.0
    score: float = 0.0
    vector: np.ndarray | None = None
    reading: SentenceReading | None = None  # the reader's, when one read this candidate

    @property
    def text(self) -> str:
        """The sentence, verbatim."""
        return self.passage.text[self.span[0] : self.span[1]]


def keyword_candidates(terms: QuestionTerms, passages: Sequence[Passage]) -> list[Candidate]:
    """Every sentence of ``passages`` of a sensible length, with its keyword evidence."""
    pool: list[Candidate] = []
    for rank, passage in enumerate(passages):
        if passage.is_title:
            continue  # not the article's text (and perhaps words of its URL)
        context = coverage(terms, stems(f"{passage.title}\n{passage.text}"))
        for span in quotable_spans(passage.text):
            candidate = Candidate(passage, rank, span, context=context)
            if not MIN_SENTENCE_CHARS <= len(candidate.text) <= MAX_SENTENCE_CHARS:
                continue
            if is_question(candidate.text):
                continue
            candidate.keyword = coverage(terms, stems(candidate.text))
            candidate.expected = holds_expected(terms, candidate.text)
            pool.append(candidate)
    return pool


def is_question(sentence: str) -> bool:
    """Whether ``sentence`` is a question: it ends with "?" (closing quotes and brackets
    aside), and is not a statement that ends by quoting one (He asked: "Why now?", or in
    British style ‘Why now?’; a straight ' is left out, as it is also an apostrophe)."""
    body = sentence.rstrip(" \"'”’)]»")
    if not body.endswith("?"):
        return False
    closers = sentence[len(body) :]
    opening = max(body.rfind(mark) for mark in ("“", '"', "«", "‘"))
    return not (closers.strip(" )]") and opening > 0)


def evidence(c: Candidate) -> dict[str, float]:
    """The candidate's evidence but its cosine, by the names of WEIGHTS: the weighted share of
    question terms in it and in its paragraph, whether it holds the kind of thing asked, its
    passage's retrieval rank, and whether it is a matching sentence of an article's lead."""
    lead = c.passage.paragraph == 0 and c.keyword >= LEAD_MIN_TERMS
    return {
        "sentence_terms": c.keyword,
        "paragraph_terms": c.context,
        "kind_asked": float(c.expected),
        "rank": 1.0 / (1 + c.rank),
        "lead_paragraph": float(lead),
    }


def keyword_score(c: Candidate, weights: Mapping[str, float] = WEIGHTS) -> float:
    """The pre-score that picks the candidates to embed: every evidence but the cosine."""
    return sum(weights[name] * value for name, value in evidence(c).items())


def final_score(c: Candidate, weights: Mapping[str, float] = WEIGHTS) -> float:
    """The candidate's answer score: the weighted sum of all its evidence."""
    return weights["cosine"] * c.cosine + keyword_score(c, weights)


def duplicates(a: Candidate, b: Candidate) -> bool:
    """Whether two sentences say the same thing (same text, or reprinted wire copy)."""
    if a.vector is not None and b.vector is not None:
        return bool(float(np.dot(a.vector, b.vector)) >= DUPLICATE_COSINE) or same_words(a, b)
    return same_words(a, b)


def same_words(a: Candidate, b: Candidate) -> bool:
    """Whether two sentences share almost all their words."""
    return word_overlap(a.text, b.text) >= DUPLICATE_WORDS


def cite(n: int, candidate: Candidate) -> Citation:
    """The citation [n] of one quoted sentence: its article, paragraph and exact span."""
    return quoting(n, candidate.passage, candidate.span, candidate.score)


def quoting(n: int, passage: Passage, span: tuple[int, int], score: float) -> Citation:
    """The citation [n] quoting ``passage.text[span]``, with its article, paragraph and the
    other articles that carried the passage."""
    return Citation(
        n=n,
        article_id=passage.article_id,
        title=passage.title,
        url=passage.url,
        published=passage.published,
        source=passage.source,
        paragraph=passage.paragraph,
        paragraph_text=passage.text,
        quote=passage.text[span[0] : span[1]],
        span=span,
        score=round(score, 4),
        also_in=passage.also_in,
    )
