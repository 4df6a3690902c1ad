"""The extractive answerer: quotes the sentences of the retrieved passages that score best
as answers (qa.answer.candidates), each cited, or refuses when the evidence is too weak.

A cheap keyword pre-score keeps the most promising candidates, which are scored with their
sentence vectors (stored at indexing time, so no model call). Citations: one per quoted
sentence, numbered in the order of the answer text, each with the exact span of the quote in
its paragraph. Sentences of one paragraph stay in text order; the paragraphs are ordered by
their best sentence. Near-duplicates (reprinted wire copy) are quoted once.

Another answerer (the reader, an LLM) can replace this one: the service only calls
``answer(question, passages, vector, sentences) -> AnswerDraft``, where ``vector`` and
``sentences`` are what retrieval computed and read for the question (qa.retrieval.base.Retrieval),
for an answerer to use or ignore.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from index.embedding import Embedder
from qa.answer.candidates import (
    WEIGHTS,
    Candidate,
    SentenceVectors,
    cite,
    duplicates,
    final_score,
    keyword_candidates,
    keyword_score,
)
from qa.answer.draft import AnswerDraft
from qa.models import Passage
from qa.question.terms import question_terms

# Candidates: sentences of the first ANSWER_PASSAGES passages; the best MAX_CANDIDATES by the
# keyword pre-score are scored (more candidates answered no better on realtimeqa-dev).
ANSWER_PASSAGES = 10
MAX_CANDIDATES = 6
# Only the first MAX_EMBED_CHARS of a candidate without a stored vector are embedded: a batch
# is padded to its longest text, so this bounds the cost (the quote itself is never cut).
MAX_EMBED_CHARS = 160
# Refusal: the best sentence must reach MIN_COSINE, and either MIN_COVERAGE of the question's
# weighted terms (in it or its paragraph) or CONFIDENT_COSINE on its own. bench/refusal.py
# traces the trade-off between refusing answerable questions and answering when the article
# that holds the answer is missing; 0.4 is where both halves of the dev set lose no answer.
MIN_COSINE = 0.25
MIN_COVERAGE = 0.4
CONFIDENT_COSINE = 0.5
# Further quotes must score within KEEP_MARGIN of the best one, in the units of WEIGHTS
# (answers of a median of about 590 characters).
KEEP_MARGIN = 1.0


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
            return AnswerDraft.refusal(passages)
        chosen = order_for_reading(select(candidates, self.max_sentences, self.keep_margin))
        citations = [cite(n, c) for n, c in enumerate(chosen, start=1)]
        return AnswerDraft.compose(citations)

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


def order_for_reading(chosen: list[Candidate]) -> list[Candidate]:
    """Paragraphs by their best sentence (``chosen`` is best first), each in text order."""
    groups: dict[str, list[Candidate]] = {}
    for candidate in chosen:
        groups.setdefault(candidate.passage.paragraph_id, []).append(candidate)
    return [c for group in groups.values() for c in sorted(group, key=lambda c: c.span)]
