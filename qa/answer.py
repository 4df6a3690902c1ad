"""The extractive answerer: quotes the sentences of the retrieved passages that answer the
question, each with its citation, or refuses when the evidence is too weak.

Candidates are the sentences (exact spans from index.split.sentences) of the top passages, except
questions, which assert nothing. On realtimeqa-dev, 16 of 200 answers quoted a question (Q&A
headings, quiz pages repeating the question asked); without them no answer hit changed. A cheap
keyword pre-score keeps the most promising ones, which are embedded in one batch with the
question; the final score mixes the sentence's cosine to the question, the weighted share of
question terms in the sentence and its paragraph (names and numbers count double), whether it
holds the kind of thing asked (a name, number or date the question lacks), the passage's
retrieval rank, and, for a sentence that matches the question, whether it is in its
article's first paragraph (news puts the facts first).

Citations: one per quoted sentence, numbered in the order of the answer text, each with the
exact span of the quote in its paragraph. Sentences of one paragraph stay in text order; the
paragraphs are ordered by their best sentence. Near-duplicates (reprinted wire copy) are
quoted once.

Another answerer (an LLM) can replace this one: the service only calls
``answer(question, passages, vector, sentences) -> AnswerDraft``, where ``vector`` and
``sentences`` are what retrieval computed and read for the question (qa.retrieval.search.Retrieval),
for an answerer to use or ignore.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol

import numpy as np

from index.embedding import Embedder
from index.split.sentences import Span, quotable_spans
from qa.models import Citation, Passage, ShortAnswer
from qa.reader.base import SentenceReading
from qa.scoring import QuestionTerms, coverage, holds_expected, question_terms, stems, word_overlap

# Candidates: sentences of the first ANSWER_PASSAGES passages; the best MAX_CANDIDATES by the
# keyword pre-score are scored with their sentence vectors (stored at indexing time, so no
# model call; an older index without them embeds them now, about 13 ms of CPU per candidate).
# On realtimeqa-dev (even | odd halves): 10 passages answered 0.55 | 0.47, 6 or 8 passages
# 0.53 | 0.45; 12 candidates instead of 6 one question fewer, 40 no better (measured with the
# earlier weights named below).
ANSWER_PASSAGES = 10
MAX_CANDIDATES = 6
MIN_SENTENCE_CHARS = 20
MAX_SENTENCE_CHARS = 600
# Only the first MAX_EMBED_CHARS of a candidate are embedded: one batch is padded to its longest
# text, so this bounds the encoding cost (the quote itself is never cut by this).
MAX_EMBED_CHARS = 160
# Score weights, one per kind of evidence (``evidence`` and the cosine): a class-balanced
# logistic regression of "the sentence holds the gold answer" over realtimeqa-dev's candidate
# sentences, fitted on all 200 questions and rounded (bench/answer_weights.py,
# bench/RESULTS.md). Weights fitted on one half make the best-scored quote hold the gold answer
# for 39 | 30 questions of the other half, against 32 | 28 with the earlier hand-set weights
# (cosine 1, terms 0.5 and 0.2, kind 0.1, rank 0.1, KEEP_MARGIN 0.3), at the same answer
# length and answer hits (105 against 104), but with 17 refusals instead of 10.
WEIGHTS: Mapping[str, float] = MappingProxyType(
    {
        "cosine": 0.9,
        "sentence_terms": 1.8,
        "paragraph_terms": 0.0,  # fitted near 0 (the halves disagree); still refusal evidence
        "kind_asked": 1.45,
        "rank": 0.35,
        "lead_paragraph": 0.7,
    }
)
# News puts the facts first, so a sentence of an article's first paragraph gets the
# lead_paragraph weight, but only when it holds LEAD_MIN_TERMS of the question's weighted terms:
# position breaks ties between sentences that match the question, it does not make a lead
# sentence that merely sets the scene the answer (best quotes from a first paragraph: 50 of 190
# answers with the earlier weights, 93 with an unconditional lead weight, 75 of 184 now).
LEAD_MIN_TERMS = 0.5
# Refusal: the best sentence must reach MIN_COSINE, and either MIN_COVERAGE of the question's
# weighted terms (in it or its paragraph) or CONFIDENT_COSINE on its own. On realtimeqa-dev
# (bench/refusal.py) this refuses 8% of the questions and 99.5% of them asked over the next
# question's passages (off topic). A missing detail on a covered topic is harder: with the
# articles that hold the answer removed, MIN_COVERAGE 0.2 still answers 95% of the questions
# (refusing 3% with every article), 0.3 89% (5.5%), 0.4 84% (8%, lower on both halves, the
# same answer hits), 0.5 81% (8.5%, one answer hit fewer). The earlier weights traced about
# the same curve (0.4: 89% at 5%).
MIN_COSINE = 0.25
MIN_COVERAGE = 0.4
CONFIDENT_COSINE = 0.5
# Composition: further sentences must score within KEEP_MARGIN of the best one, in the units of
# WEIGHTS (1.0 keeps answers as long as with the earlier weights and their margin of 0.3: a
# median of about 590 characters).
KEEP_MARGIN = 1.0
DUPLICATE_COSINE = 0.92
DUPLICATE_WORDS = 0.7
RELATED_PASSAGES = 3
NOT_FOUND = "No indexed article answers this question."


class SentenceVectors(Protocol):
    """Sentence vectors computed at indexing time (index.storage.sentence_vectors): the store,
    or the StoredSentences a retrieval read already."""

    def sentence_vectors(self, paragraph_ids: Sequence[str]) -> dict[str, dict[Span, np.ndarray]]:
        """Per paragraph id that has them, each quotable span's unit vector."""
        ...


@dataclass(frozen=True)
class AnswerDraft:
    """What an answerer produces: the answer text with [n] markers and its citations, or a
    refusal (``found`` False) with the closest passages in ``related``."""

    text: str
    found: bool
    citations: list[Citation] = field(default_factory=list)
    related: list[Passage] = field(default_factory=list)
    short_answer: ShortAnswer | None = None
    confidence: float | None = None  # calibrated, from a reader (None: the scorer's answer)

    @classmethod
    def compose(
        cls,
        citations: list[Citation],
        short: ShortAnswer | None = None,
        confidence: float | None = None,
    ) -> AnswerDraft:
        """A found answer made of ``citations`` (led by ``short`` when given)."""
        return cls(answer_text(citations, short), True, citations, [], short, confidence)


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


class ExtractiveAnswerer:
    """Answers with verbatim, cited sentences of the passages (no language model)."""

    def __init__(
        self,
        embedder: Embedder,
        max_sentences: int = 4,
        sentences: SentenceVectors | None = None,
        weights: Mapping[str, float] = WEIGHTS,
        keep_margin: float = KEEP_MARGIN,
    ) -> None:
        self.embedder = embedder
        self.max_sentences = max_sentences
        self.sentences = sentences
        self.weights = weights
        self.keep_margin = keep_margin

    def answer(
        self,
        question: str,
        passages: Sequence[Passage],
        vector: np.ndarray | None = None,
        sentences: SentenceVectors | None = None,
    ) -> AnswerDraft:
        """Quote 1..max_sentences sentences answering ``question``, each cited, or refuse
        (found False) with the closest passages when the evidence is too weak. ``vector``
        and ``sentences``: see ``candidates``."""
        candidates = self.candidates(question, passages, MAX_CANDIDATES, vector, sentences)
        if not candidates or not supported(candidates[0]):
            return AnswerDraft(NOT_FOUND, False, related=list(passages[:RELATED_PASSAGES]))
        chosen = order_for_reading(select(candidates, self.max_sentences, self.keep_margin))
        citations = [cite(n, c) for n, c in enumerate(chosen, start=1)]
        return AnswerDraft(quoted(citations), True, citations)

    def candidates(
        self,
        question: str,
        passages: Sequence[Passage],
        limit: int | None = MAX_CANDIDATES,
        vector: np.ndarray | None = None,
        sentences: SentenceVectors | None = None,
    ) -> list[Candidate]:
        """The scored candidate sentences, best first: the ``limit`` best by the keyword
        pre-score (all of them when None), each with its cosine and final score.

        ``vector`` is the question's unit vector when the caller has it (retrieval embedded
        the question), else the question is embedded here; ``sentences`` the stored
        sentences the caller read already for these passages, else they are read from the
        answerer's own store."""
        terms = question_terms(question)
        pool = keyword_candidates(terms, passages[:ANSWER_PASSAGES])
        pool.sort(key=lambda c: keyword_score(c, self.weights), reverse=True)
        pool = pool[:limit]
        if not pool:
            return []
        if vector is None:
            vector = self.embedder.submit_query(question).result()
        for candidate, sentence in zip(pool, self.vectors(pool, sentences), strict=True):
            candidate.vector = sentence
            candidate.cosine = float(np.dot(vector, sentence))
            candidate.score = final_score(candidate, self.weights)
        return sorted(pool, key=lambda c: c.score, reverse=True)

    def vectors(
        self, pool: Sequence[Candidate], sentences: SentenceVectors | None = None
    ) -> list[np.ndarray]:
        """Each candidate's vector: the one stored at indexing time (pooled in the context of
        its paragraph; from ``sentences`` when given, else from the answerer's store), else
        its first MAX_EMBED_CHARS embedded now (an index made before sentence vectors were
        stored, or no store)."""
        stored = {}
        source = sentences if sentences is not None else self.sentences
        if source is not None:
            stored = source.sentence_vectors([c.passage.paragraph_id for c in pool])
        found = [stored.get(c.passage.paragraph_id, {}).get(c.span) for c in pool]
        missing = [i for i, vector in enumerate(found) if vector is None]
        if missing:
            embedded = self.embedder.embed([pool[i].text[:MAX_EMBED_CHARS] for i in missing])
            for i, vector in zip(missing, embedded, strict=True):
                found[i] = vector
        return [vector for vector in found if vector is not None]


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
                continue  # asserts nothing (a Q&A heading, a quiz page quoting the question)
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


def supported(best: Candidate) -> bool:
    """Whether the best sentence is strong enough evidence to answer at all."""
    if best.cosine < MIN_COSINE:
        return False
    return best.cosine >= CONFIDENT_COSINE or max(best.keyword, best.context) >= MIN_COVERAGE


def select(candidates: list[Candidate], limit: int, margin: float = KEEP_MARGIN) -> list[Candidate]:
    """The best candidates within ``margin`` of the best one, near-duplicates skipped."""
    chosen: list[Candidate] = []
    floor = candidates[0].score - margin
    for candidate in candidates:
        if len(chosen) >= limit or candidate.score < floor:
            break
        if not any(duplicates(candidate, other) for other in chosen):
            chosen.append(candidate)
    return chosen


def duplicates(a: Candidate, b: Candidate) -> bool:
    """Whether two sentences say the same thing (same text, or reprinted wire copy)."""
    if a.vector is not None and b.vector is not None:
        return bool(float(np.dot(a.vector, b.vector)) >= DUPLICATE_COSINE) or same_words(a, b)
    return same_words(a, b)


def same_words(a: Candidate, b: Candidate) -> bool:
    """Whether two sentences share almost all their words."""
    return word_overlap(a.text, b.text) >= DUPLICATE_WORDS


def order_for_reading(chosen: list[Candidate]) -> list[Candidate]:
    """Paragraphs by their best sentence (``chosen`` is best first), each in text order."""
    groups: dict[str, list[Candidate]] = {}
    for candidate in chosen:
        groups.setdefault(candidate.passage.paragraph_id, []).append(candidate)
    return [c for group in groups.values() for c in sorted(group, key=lambda c: c.span)]


def keep_citations(draft: AnswerDraft, keep: Callable[[Citation], bool]) -> AnswerDraft:
    """``draft`` with only the quotes ``keep`` accepts, renumbered in order and the text
    rebuilt from them (the short answer kept when its quote is). ``draft`` itself when it
    would keep all of them or none, or when its text is not made of its quotes (another
    answerer's prose)."""
    kept = [c for c in draft.citations if keep(c)]
    made_of_quotes = draft.text == answer_text(draft.citations, draft.short_answer)
    if not kept or len(kept) == len(draft.citations) or not made_of_quotes:
        return draft
    numbers = {c.n: n for n, c in enumerate(kept, start=1)}
    citations = [c.model_copy(update={"n": numbers[c.n]}) for c in kept]
    short = draft.short_answer
    if short is not None:
        renumbered = numbers.get(short.citation)
        short = None if renumbered is None else short.model_copy(update={"citation": renumbered})
    return AnswerDraft(
        answer_text(citations, short), draft.found, citations, draft.related, short,
        draft.confidence,
    )  # fmt: skip


def quoted(citations: Sequence[Citation]) -> str:
    """The extractive answer text: each quote followed by its marker."""
    return " ".join(f"{c.quote} [{c.n}]" for c in citations)


def answer_text(citations: Sequence[Citation], short: ShortAnswer | None = None) -> str:
    """The answer text: the short answer (when there is one), then the quotes."""
    return led_by(short, quoted(citations))


def led_by(short: ShortAnswer | None, body: str) -> str:
    """``body`` led by the short answer with its marker on a line of its own (``body`` as it
    is without one): the one layout of every answer with a short answer."""
    return f"{short.text} [{short.citation}]\n\n{body}" if short else body


def cite(n: int, candidate: Candidate) -> Citation:
    """The citation [n] of one quoted sentence."""
    passage = candidate.passage
    return Citation(
        n=n,
        article_id=passage.article_id,
        title=passage.title,
        url=passage.url,
        published=passage.published,
        source=passage.source,
        paragraph=passage.paragraph,
        paragraph_text=passage.text,
        quote=candidate.text,
        span=candidate.span,
        score=round(candidate.score, 4),
    )
