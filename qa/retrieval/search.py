"""Hybrid paragraph retrieval: dense (Chroma) and keyword (FTS5 bm25) candidates fused by
reciprocal rank, preferring recent articles when asked as of a date, with neighbouring
paragraphs as context and near-duplicate paragraphs removed: one passage per story (a wire
paragraph republished by several outlets, index.storage.stories), listing the others."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from index.embedding import Embedder
from index.errors import IndexingError
from index.filters import SearchFilters
from index.split.paragraphs import is_title_passage
from index.storage.catalog import Catalog
from index.storage.keyword import TermCounts, keyword_search
from index.storage.records import StoredParagraph
from index.storage.sentence_vectors import StoredSentences
from index.storage.stories import StoryCopy
from index.storage.vectors import VectorStore
from qa.config import QASettings
from qa.errors import RetrievalUnavailable
from qa.models import AlsoIn, Passage
from qa.question.recency import RecencyWindow
from qa.retrieval.base import Retrieval, SentenceStore, StorySource
from qa.retrieval.fusion import (
    FusionParams,
    RankedList,
    add_context,
    apply_recency,
    group_copies,
    one_per_story,
    reciprocal_rank_fusion,
)


@dataclass(frozen=True)
class _Plan:
    """One search's query, filters and optional as-of window."""

    query: str
    filters: SearchFilters
    window: RecencyWindow | None


@dataclass(frozen=True)
class _Pools:
    """Candidate paragraph ids, best first: dense, keyword, and both re-ranked by their best
    stored sentence; and the query's vector and the candidates' stored sentences."""

    dense: list[str]
    keyword: list[str]
    by_sentence: list[str]
    vector: np.ndarray
    sentences: StoredSentences | None


class Retriever:
    """Finds the paragraphs most likely to answer a question, best first.

    The catalog, vector store and embedder are made once by the caller and shared.
    """

    def __init__(
        self,
        catalog: Catalog,
        store: VectorStore,
        embedder: Embedder,
        settings: QASettings,
        params: FusionParams | None = None,
        sentences: SentenceStore | None = None,
        stories: StorySource | None = None,
    ) -> None:
        self.catalog = catalog
        self.sentences = sentences
        self.stories = stories
        self.store = store
        self.embedder = embedder
        self.settings = settings
        self.params = params or FusionParams()
        self.term_counts = TermCounts(catalog, self.params.common_share)

    def search(
        self,
        query: str,
        k: int = 10,
        filters: SearchFilters | None = None,
        as_of: date | None = None,
    ) -> list[Passage]:
        """Up to ``k`` passages ranked 1..k, no two near-copies of each other, every one
        matching ``filters``; with ``as_of`` (a day) articles published in
        the ``recency_days`` before it rank higher and those published after it lower.

        The query was checked by its request (qa.requests); a blank one finds nothing.
        Raises RetrievalUnavailable when an index cannot be searched.
        """
        return self.retrieve(query, k, filters, as_of).passages

    def retrieve(
        self,
        query: str,
        k: int = 10,
        filters: SearchFilters | None = None,
        as_of: date | None = None,
    ) -> Retrieval:
        """``search``'s passages, with the query's vector (embedded once, here) and the
        stored sentences of the candidate paragraphs (read once, here), for the answerer.
        Raises as ``search`` does."""
        plan = self._plan(query, filters, as_of)
        if k <= 0 or not plan.query:
            return Retrieval([])
        try:
            pools = self._pools(plan)
            stored = self.catalog.paragraphs(sorted({*pools.dense, *pools.keyword}))
        except (IndexingError, OSError) as exc:
            raise RetrievalUnavailable(f"the index cannot be searched: {exc}") from exc
        lists = self._lists(pools, stored, plan.window)
        ranked = self._rank(lists, stored, plan.window)
        story_of = {} if self.stories is None else self.stories.stories(ranked)
        order, same_story = list(ranked), dict[str, list[str]]()
        if self.params.one_per_story:
            order, same_story = one_per_story(ranked, story_of)
        texts = {pid: stored[pid].text for pid in order}
        groups = group_copies(order, texts, self.params.duplicate_overlap, k)
        chosen = [stored[pid] for pid in groups]
        copies = {pid: same_story.get(pid, []) + dropped for pid, dropped in groups.items()}
        also = self._also_in(chosen, copies, story_of, stored)
        titles = self._title_passages(chosen)
        passages = [
            _passage(n, p, ranked[p.id], p.id in titles, also[p.id])
            for n, p in enumerate(chosen, start=1)
        ]
        return Retrieval(passages, pools.vector, pools.sentences)

    def _also_in(
        self,
        chosen: list[StoredParagraph],
        copies: dict[str, list[str]],
        story_of: dict[str, int],
        stored: dict[str, StoredParagraph],
    ) -> dict[str, list[AlsoIn]]:
        """For each chosen passage, the other articles that carried it: every article of
        its story (and of the stories of the candidates dropped as its copies), and those
        candidates' articles, oldest first, its own article left out."""
        wanted = {story_of[i] for p in chosen for i in (p.id, *copies[p.id]) if i in story_of}
        members = {} if self.stories is None or not wanted else self.stories.copies(wanted)
        also: dict[str, list[AlsoIn]] = {}
        for p in chosen:
            found: dict[str, AlsoIn] = {}
            for pid in (p.id, *copies[p.id]):
                if pid != p.id:
                    found.setdefault(stored[pid].article_id, _also(stored[pid]))
                for copy in members.get(story_of.get(pid, -1), []):
                    found.setdefault(copy.article_id, _also(copy))
            found.pop(p.article_id, None)
            also[p.id] = sorted(found.values(), key=lambda a: (a.published, a.source, a.title))
        return also

    def _title_passages(self, chosen: list[StoredParagraph]) -> set[str]:
        """Ids of the passages that are their article's only passage and its title (a page
        of boilerplate only), not a body paragraph that happens to repeat the title."""
        maybe = {p.article_id: p.id for p in chosen if is_title_passage(p.text, p.title)}
        if not maybe:
            return set()
        records = self.catalog.records(maybe)
        return {
            pid for aid, pid in maybe.items() if aid in records and records[aid].paragraphs == 1
        }

    def _plan(self, query: str, filters: SearchFilters | None, as_of: date | None) -> _Plan:
        text = " ".join(query.split())
        window = RecencyWindow(as_of, self.settings.recency_days) if as_of else None
        return _Plan(text, filters or SearchFilters(), window)

    def _pools(self, plan: _Plan) -> _Pools:
        """Dense and keyword candidate ids, best first; deeper with an as-of window, which
        is then taken from these pools (filtered Chroma queries are several times slower).

        The query is embedded on the embedder's query threads while the keyword search runs
        here (each thread gives the model one core, so the two searches share the cores;
        with the model on both cores the keyword search slowed it down, bench/RESULTS.md)."""
        n = self.settings.candidates
        if plan.window is not None and self.params.window_weight > 0:
            n *= self.params.window_pool
        vector_later = self.embedder.submit_query(plan.query)
        keyword = keyword_search(self.catalog, plan.query, n, plan.filters, self.term_counts)
        vector = vector_later.result()
        dense = self.store.query(vector, n, where=plan.filters.chroma_where(), metadata=False)
        dense_ids, keyword_ids = [h.id for h in dense], [h.id for h in keyword]
        sentences = None if self.sentences is None else self.sentences.read(dense_ids + keyword_ids)
        by_sentence = self._by_best_sentence(vector, sentences)
        return _Pools(dense_ids, keyword_ids, by_sentence, vector, sentences)

    def _by_best_sentence(self, vector: np.ndarray, sentences: StoredSentences | None) -> list[str]:
        """The candidates ranked by their best stored sentence's cosine to the query (none
        without stored sentences or with weight 0)."""
        if sentences is None or self.params.sentence_weight <= 0:
            return []
        best = sentences.best_cosines(vector)
        return sorted(best, key=lambda pid: (-best[pid], pid))

    def _lists(
        self,
        pools: _Pools,
        stored: dict[str, StoredParagraph],
        window: RecencyWindow | None,
    ) -> list[RankedList]:
        """The top candidates of each pool and, with an as-of window, each pool's candidates
        published inside the window."""
        n, p = self.settings.candidates, self.params
        ranked = [
            (pools.dense, p.dense_weight),
            (pools.keyword, p.keyword_weight),
            (pools.by_sentence, p.sentence_weight),
        ]
        lists = [RankedList(pool[:n], weight) for pool, weight in ranked if pool]
        if window is None or p.window_weight <= 0:
            return lists
        for pool, weight in ranked:
            inside = [
                pid
                for pid in pool
                if pid in stored and window.placement(stored[pid].published) == "inside"
            ]
            lists.append(RankedList(inside[:n], weight * p.window_weight))
        return lists

    def _rank(
        self,
        lists: Sequence[RankedList],
        stored: dict[str, StoredParagraph],
        window: RecencyWindow | None,
    ) -> dict[str, float]:
        """Fused scores of the stored candidates, best first (dict order)."""
        p = self.params
        fused = reciprocal_rank_fusion(lists, p.rrf_k)
        scores = {pid: s for pid, s in fused.items() if pid in stored}  # gone since indexed
        if window is not None:
            scores = apply_recency(scores, lambda pid: window.placement(stored[pid].published), p)
        scores = add_context(scores, p.neighbour_weight, p.article_weight)
        return dict(sorted(scores.items(), key=lambda item: (-item[1], item[0])))


def _also(paragraph: StoredParagraph | StoryCopy) -> AlsoIn:
    return AlsoIn(
        article_id=paragraph.article_id,
        title=paragraph.title,
        source=paragraph.source,
        published=paragraph.published,
        url=paragraph.url,
    )


def _passage(
    rank: int, paragraph: StoredParagraph, score: float, is_title: bool, also_in: list[AlsoIn]
) -> Passage:
    return Passage(
        rank=rank,
        article_id=paragraph.article_id,
        paragraph_id=paragraph.id,
        title=paragraph.title,
        url=paragraph.url,
        published=paragraph.published,
        source=paragraph.source,
        paragraph=paragraph.number,
        text=paragraph.text,
        score=score,
        is_title=is_title,
        also_in=also_in,
    )
