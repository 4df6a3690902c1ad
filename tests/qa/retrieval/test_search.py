"""Hybrid retrieval: fusion, rare words, filters, as-of dates, near-copies, rejections."""

from __future__ import annotations

import itertools
import re
import zlib
from collections.abc import Sequence
from concurrent.futures import Future
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from index.components import IndexComponents, build_index
from index.config import IndexSettings
from index.filters import SearchFilters
from index.models import Article
from index.readers.inputs import read_inputs
from index.storage.sentence_vectors import SentenceVectorStore
from index.storage.stories import StoryStore
from qa.config import QASettings
from qa.errors import RetrievalUnavailable
from qa.retrieval.fusion import (
    FusionParams,
    RankedList,
    drop_copies,
    one_per_story,
    reciprocal_rank_fusion,
)
from qa.retrieval.search import Retriever
from tests.conftest import REPO_ROOT, FakeEmbedder

REPO = REPO_ROOT
DIM = 256
_WORD = re.compile(r"[a-z0-9$%]+")


class HashingEmbedder(FakeEmbedder):
    """Bag-of-words vectors: each known word hashed to one dimension. Words outside
    ``vocabulary`` (when given) are invisible, like rare names a real model handles badly."""

    def __init__(self, vocabulary: set[str] | None = None) -> None:
        super().__init__(DIM)
        self.vocabulary = vocabulary

    def vector(self, text: str) -> np.ndarray:
        vector = np.zeros(DIM, dtype=np.float32)
        for word in _WORD.findall(text.lower()):
            if self.vocabulary is None or word in self.vocabulary:
                vector[zlib.crc32(word.encode()) % DIM] += 1.0
        norm = float(np.linalg.norm(vector))
        if norm == 0.0:
            vector[0] = 1.0
            return vector
        return vector / norm


FRONTLINE = (
    "Russian forces claimed advances along the eastern front on Wednesday, officials said.\n"
    "The fiercest combat is centred on the city of Pokrovsk, a logistics hub in Donetsk.\n"
    "Commanders also reported fighting near Yampil, a village with a few hundred residents.\n"
)
WIRE = "The central bank raised its key interest rate by half a point to fight inflation today."
COMMON = {"russian", "forces", "fighting", "city", "front", "the", "near", "where", "is"}


def article(id_: str, title: str, text: str, published: str, source: str) -> Article:
    return Article(id=id_, title=title, text=text, published=published, source=source)


ARTICLES = [
    article("front", "Frontline update", FRONTLINE, "2024-04-10", "kyiv.example"),
    article(
        "rates-a", "Rates rise", WIRE + "\nMarkets fell sharply after the decision on Tuesday.",
        "2024-04-12", "wire.example",
    ),
    article(
        "rates-b", "Bank lifts rates", WIRE + "\nEconomists had expected a smaller rise this time.",
        "2024-04-12", "daily.example",
    ),
    article(
        "budget-old", "Budget vote", "Lawmakers approved the city budget of $5 million for "
        "parks after a long debate in the council chamber.", "2024-01-05", "daily.example",
    ),
    article(
        "budget-new", "Budget vote again", "Council members approved the city budget for parks "
        "once more after a long and heated debate in the chamber.", "2024-04-15", "daily.example",
    ),
    article(
        "budget-later", "Budget vote revisited", "The council approved the city budget for the "
        "parks department after a debate that lasted all night long.", "2024-05-20",
        "daily.example",
    ),
]  # fmt: skip


def make_index(data_dir: Path, embedder: HashingEmbedder) -> IndexComponents:
    components = build_index(IndexSettings(data_dir=data_dir), embedder=embedder)
    report = components.service.add(ARTICLES)
    assert report.ok and len(report.added) == len(ARTICLES)
    return components


@pytest.fixture
def retriever(tmp_path: Path) -> Retriever:
    components = make_index(tmp_path, HashingEmbedder())
    return Retriever(components.catalog, components.store, components.embedder, QASettings())


@pytest.fixture
def blind_retriever(tmp_path: Path) -> Retriever:
    """Its embedder knows only a few common words: names are found by keywords alone."""
    components = make_index(tmp_path, HashingEmbedder(COMMON))
    return Retriever(components.catalog, components.store, components.embedder, QASettings())


def test_a_page_of_boilerplate_only_is_found_by_its_title(tmp_path: Path) -> None:
    settings = IndexSettings(data_dir=tmp_path, boilerplate_min_articles=2)
    components = build_index(settings, embedder=HashingEmbedder())
    feedback = "How relevant is this ad to you?\nVideo player was slow to load content"
    pages = [
        article("pizza", "Taco Bell brings back the Mexican Pizza", feedback, "2022-08-02", "tv"),
        article("lava", "Lava creeps toward the highway", feedback, "2022-12-06", "tv"),
    ]
    assert components.service.add([*pages, *ARTICLES]).ok
    retriever = Retriever(components.catalog, components.store, components.embedder, QASettings())
    found = retriever.search("When did Taco Bell bring the Mexican Pizza back?", k=3)
    assert (found[0].article_id, found[0].text, found[0].is_title) == (
        "pizza",
        "Taco Bell brings back the Mexican Pizza",
        True,
    )
    assert not any(p.is_title for p in retriever.search("Where is the fiercest combat?", k=5))


def test_a_body_paragraph_that_repeats_the_title_is_no_title_passage(tmp_path: Path) -> None:
    components = build_index(IndexSettings(data_dir=tmp_path), embedder=HashingEmbedder())
    title = "Where are the most cases of Lyme disease in the state?"
    body = f"{title}\nTicks carrying the disease were found in every county this summer."
    assert components.service.add([article("lyme", title, body, "2024-06-01", "x")]).ok
    retriever = Retriever(components.catalog, components.store, components.embedder, QASettings())
    found = retriever.search("most cases of Lyme disease", k=2)
    assert (found[0].text, found[0].is_title) == (title, False)


def test_fusion_ranks_an_id_found_by_both_lists_first() -> None:
    scores = reciprocal_rank_fusion(
        [RankedList(["a", "b", "c"], 1.0), RankedList(["d", "c", "a"], 1.0)], rrf_k=60
    )
    assert max(scores, key=scores.__getitem__) == "a"
    assert scores["c"] > scores["b"] and scores["c"] > scores["d"]


def test_fusion_weights_scale_each_list() -> None:
    scores = reciprocal_rank_fusion([RankedList(["a"], 1.0), RankedList(["b"], 3.0)], rrf_k=60)
    assert scores["b"] == pytest.approx(3 * scores["a"])


def test_passages_are_ranked_from_one_with_verbatim_text(retriever: Retriever) -> None:
    passages = retriever.search("Where is the fiercest combat?", k=3)
    assert [p.rank for p in passages] == list(range(1, len(passages) + 1))
    assert passages[0].paragraph_id == "front#1"
    assert passages[0].text == FRONTLINE.splitlines()[1]
    assert passages[0].title == "Frontline update" and passages[0].published == "2024-04-10"
    assert all(a.score >= b.score for a, b in itertools.pairwise(passages))


def test_rare_name_found_when_the_embedding_cannot_see_it(blind_retriever: Retriever) -> None:
    passages = blind_retriever.search("Yampil", k=3)
    assert passages[0].paragraph_id == "front#2"


def test_dollar_amounts_are_searchable(blind_retriever: Retriever) -> None:
    passages = blind_retriever.search("Which budget was $5 million?", k=2)
    assert passages[0].article_id == "budget-old"


def test_source_filter_keeps_only_that_source(retriever: Retriever) -> None:
    filters = SearchFilters(source="daily.example")
    passages = retriever.search("city budget for parks", k=10, filters=filters)
    assert passages and {p.source for p in passages} == {"daily.example"}


def test_date_filter_keeps_only_that_range(retriever: Retriever) -> None:
    filters = SearchFilters(published_from="2024-04-01", published_to="2024-04-30")
    passages = retriever.search("city budget for parks", k=10, filters=filters)
    assert passages and all("2024-04-01" <= p.published <= "2024-04-30" for p in passages)
    assert "budget-new" in {p.article_id for p in passages}


def test_as_of_prefers_articles_of_the_days_before(retriever: Retriever) -> None:
    query = "council approved the city budget for parks after a debate"
    for as_of, expected in ((date(2024, 4, 18), "budget-new"), (date(2024, 1, 10), "budget-old")):
        passages = retriever.search(query, k=3, as_of=as_of)
        assert passages[0].article_id == expected, as_of


def test_as_of_ranks_later_articles_lower(retriever: Retriever) -> None:
    query = "council approved the city budget for parks after a debate"
    undated = [p.article_id for p in retriever.search(query, k=10)]
    assert undated.index("budget-later") < undated.index("budget-new")
    # no article lies in the seven days before May 1st; the one of May 20th is "from the future"
    dated = [p.article_id for p in retriever.search(query, k=10, as_of=date(2024, 5, 1))]
    assert dated.index("budget-later") > dated.index("budget-new")


def test_wire_copies_appear_once(retriever: Retriever) -> None:
    passages = retriever.search("central bank raised its key interest rate", k=5)
    copies = [p for p in passages if p.text == WIRE]
    assert len(copies) == 1
    assert {p.article_id for p in passages} >= {"rates-a", "rates-b"}  # their other paragraphs


@pytest.mark.parametrize("overlap", [0.8, 1.0])  # 1.0: no copy is dropped at query time
def test_two_copies_give_one_passage_that_names_the_other_outlet(
    tmp_path: Path, overlap: float
) -> None:
    components = make_index(tmp_path, HashingEmbedder())
    retriever = Retriever(
        components.catalog, components.store, components.embedder, QASettings(),
        FusionParams(duplicate_overlap=overlap), stories=StoryStore(components.catalog),
    )  # fmt: skip
    passages = retriever.search("central bank raised its key interest rate", k=5)
    copies = [p for p in passages if p.text == WIRE]
    assert len(copies) == 1
    other = "rates-b" if copies[0].article_id == "rates-a" else "rates-a"
    outlet = {"rates-a": "wire.example", "rates-b": "daily.example"}[other]
    assert [(a.article_id, a.source) for a in copies[0].also_in] == [(other, outlet)]
    assert copies[0].also_in[0].published == "2024-04-12" and copies[0].also_in[0].title
    assert all(not p.also_in for p in passages if p.text != WIRE)


def test_copies_dropped_at_query_time_are_named_without_stories(retriever: Retriever) -> None:
    passages = retriever.search("central bank raised its key interest rate", k=5)
    [copy] = [p for p in passages if p.text == WIRE]
    assert [a.article_id for a in copy.also_in] == [
        "rates-b" if copy.article_id == "rates-a" else "rates-a"
    ]


def test_one_per_story_keeps_the_best_ranked_paragraph_of_each_story() -> None:
    ranked = ["a#0", "b#0", "c#0", "d#0", "e#0"]
    stories = {"a#0": 1, "b#0": 2, "c#0": 1, "e#0": 2}  # d#0 is too short for a story
    assert one_per_story(ranked, stories) == (
        ["a#0", "b#0", "d#0"],
        {"a#0": ["c#0"], "b#0": ["e#0"]},
    )


def test_near_copies_dropped_but_distinct_texts_kept() -> None:
    texts = {
        "a#0": "The central bank raised its key interest rate by half a point on Tuesday.",
        "b#0": "The central bank raised its key interest rate by half a point on Tuesday, "
        "the third rise this year.",
        "c#0": "Parliament rejected the budget for the second time in a row on Tuesday.",
    }
    assert drop_copies(["a#0", "b#0", "c#0"], texts, limit=0.8, k=3) == ["a#0", "c#0"]
    assert drop_copies(["a#0", "b#0", "c#0"], texts, limit=0.8, k=1) == ["a#0"]


@pytest.mark.parametrize("query", ["", "   \n\t "])
def test_a_blank_query_finds_nothing(retriever: Retriever, query: str) -> None:
    # questions are checked by their request (tests/qa/test_service.py); the retriever only
    # must not search for nothing
    assert retriever.search(query) == []


def test_k_limits_the_results(retriever: Retriever) -> None:
    assert len(retriever.search("city budget for parks", k=2)) == 2
    assert retriever.search("city budget for parks", k=0) == []


# --- the real model -------------------------------------------------------------------------


@pytest.mark.slow
def test_real_model_on_the_frontline_sample(tmp_path: Path, real_embedder: object) -> None:
    components = build_index(IndexSettings(data_dir=tmp_path), embedder=real_embedder)  # type: ignore[arg-type]
    report = components.service.add(read_inputs([str(REPO / "samples" / "ukraine-frontline.txt")]))
    assert report.ok
    retriever = Retriever(components.catalog, components.store, components.embedder, QASettings())
    fiercest = retriever.search("Where is the fiercest combat?", k=3)
    assert "fiercest combat is currently centered around the city of Pokrovsk" in fiercest[0].text
    deepstate = retriever.search("What did DeepState report?", k=2)
    assert any("DeepState reported clashes in Kupiansk" in p.text for p in deepstate)


class FixedSentences:
    """Best-sentence cosines fixed by the test, recording the candidates read."""

    def __init__(self, best: dict[str, float]) -> None:
        self.best = best
        self.asked: list[str] = []

    def read(self, paragraph_ids: Sequence[str]) -> FixedSentences:
        self.asked = list(paragraph_ids)
        return self

    def best_cosines(self, vector: np.ndarray) -> dict[str, float]:
        return {pid: self.best[pid] for pid in self.asked if pid in self.best}


def test_the_best_sentence_list_reranks_the_candidates_of_both_pools(tmp_path: Path) -> None:
    components = make_index(tmp_path, HashingEmbedder())
    alone = Retriever(components.catalog, components.store, components.embedder, QASettings())
    first = alone.search("fighting near Pokrovsk", k=10)
    last = first[-1].paragraph_id
    sentences = FixedSentences({last: 0.9})
    params = FusionParams(dense_weight=0.0, keyword_weight=0.0, sentence_weight=1.0)
    only_sentences = Retriever(
        components.catalog, components.store, components.embedder, QASettings(), params, sentences
    )
    assert [p.paragraph_id for p in only_sentences.search("fighting near Pokrovsk", k=1)] == [last]
    assert {p.paragraph_id for p in first} <= set(sentences.asked)
    unranked = FixedSentences({last: 0.9})
    no_weight = Retriever(
        components.catalog,
        components.store,
        components.embedder,
        QASettings(),
        FusionParams(sentence_weight=0.0),
        unranked,
    )
    found = no_weight.retrieve("fighting near Pokrovsk", k=10)
    assert found.passages == first  # not ranked by them, but still read for the answerer
    assert found.sentences is unranked and {p.paragraph_id for p in first} <= set(unranked.asked)


def test_a_retrieval_embeds_the_question_once_and_hands_on_its_vector_and_sentences(
    tmp_path: Path,
) -> None:
    components = make_index(tmp_path, HashingEmbedder())
    sentences = SentenceVectorStore(components.catalog)
    retriever = Retriever(
        components.catalog, components.store, components.embedder, QASettings(), None, sentences
    )
    embedder: Any = components.embedder
    embedder.queries.clear()
    found = retriever.retrieve("Where is the fiercest  combat?", k=5)
    assert embedder.queries == ["Where is the fiercest combat?"]
    assert found.vector is not None and found.sentences is not None
    np.testing.assert_array_equal(found.vector, embedder.vector("Where is the fiercest combat?"))
    ids = [p.paragraph_id for p in found.passages]
    handed, stored = found.sentences.sentence_vectors(ids), sentences.sentence_vectors(ids)
    assert set(handed) == set(stored) == set(ids)
    for pid in ids:
        assert list(handed[pid]) == list(stored[pid])
        for span, vector in handed[pid].items():
            np.testing.assert_array_equal(vector, stored[pid][span])
    assert [p.paragraph_id for p in retriever.search("Where is the fiercest combat?", k=5)] == ids
    assert retriever.retrieve("Where is the fiercest combat?", k=0).passages == []


class FailingEmbedder(HashingEmbedder):
    """Its query threads fail, as a model that cannot run would."""

    def submit_query(self, text: str) -> Future[np.ndarray]:
        failed: Future[np.ndarray] = Future()
        failed.set_exception(OSError("the model file is unreadable"))
        return failed


def test_a_query_thread_failure_is_retrieval_unavailable(tmp_path: Path) -> None:
    components = make_index(tmp_path, HashingEmbedder())
    retriever = Retriever(components.catalog, components.store, FailingEmbedder(), QASettings())
    with pytest.raises(RetrievalUnavailable, match="unreadable"):
        retriever.search("Where is the fiercest combat?")
