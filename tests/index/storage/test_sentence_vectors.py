"""Sentence vectors: pooled from the paragraph's forward pass, stored beside the paragraphs in
the same transaction, replaced and deleted with them."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from index.embedder import pool_spans
from index.split.sentences import quotable_spans
from index.storage.sentence_vectors import SentenceVectorStore
from tests.conftest import MakeIndex, assert_consistent
from tests.index.conftest import make_article

pytestmark = pytest.mark.both_databases


def test_pool_spans_averages_the_tokens_inside_each_span() -> None:
    tokens = np.array([[9, 9], [1, 0], [0, 1], [3, 4], [9, 9]], dtype=np.float32)
    offsets = np.array([[0, 0], [0, 5], [6, 11], [12, 16], [0, 0]])  # [CLS] ... [SEP]
    pooled = pool_spans(tokens, offsets, [(0, 11), (12, 16), (20, 30)])
    np.testing.assert_allclose(pooled[0], [0.70710677, 0.70710677], rtol=1e-6)
    np.testing.assert_allclose(pooled[1], [0.6, 0.8], rtol=1e-6)
    assert not pooled[2].any(), "a span no token reaches gets a zero row"


def test_every_quotable_span_of_every_paragraph_has_a_stored_vector(
    make_index: MakeIndex,
) -> None:
    index = make_index(
        articles=[make_article(n, paragraphs=2, extra=["One. Two words."]) for n in range(3)]
    )
    ids = assert_consistent(index)
    stored = SentenceVectorStore(index.catalog).sentence_vectors(sorted(ids))
    assert set(stored) == ids
    for paragraph in index.catalog.paragraphs(sorted(ids)).values():
        spans = stored[paragraph.id]
        assert list(spans) == quotable_spans(paragraph.text)
        norms = [float(np.linalg.norm(v)) for v in spans.values()]
        assert norms == pytest.approx([1.0] * len(spans), abs=1e-3)  # float16 storage


def test_a_changed_article_replaces_its_sentence_vectors_and_removal_deletes_them(
    make_index: MakeIndex,
) -> None:
    index = make_index(articles=[make_article(1, paragraphs=3), make_article(2)])
    store = SentenceVectorStore(index.catalog)
    index.service.add([make_article(1, paragraphs=1)])
    assert {i for i in store.sentence_vectors([f"a1#{k}" for k in range(3)])} == {"a1#0"}
    index.service.remove("a1")
    assert store.sentence_vectors(["a1#0"]) == {}
    assert len(store.sentence_vectors([f"a2#{k}" for k in range(3)])) == 3
    assert_consistent(index)


def test_asking_for_unknown_paragraphs_gives_nothing(make_index: MakeIndex) -> None:
    index = make_index()
    assert SentenceVectorStore(index.catalog).sentence_vectors(["nope#0", ""]) == {}


@pytest.mark.slow
def test_span_vectors_are_the_sentences_in_context(real_embedder: Any) -> None:
    text = (
        "Ukraine war latest\nThe fiercest combat is centred on Pokrovsk. "
        "Zelenskiy said the Russian assaults had delivered little progress."
    )
    spans = [(19, 62), (63, len(text)), (len(text) + 5, len(text) + 9)]
    vectors, pooled = real_embedder.embed_spans([text], [spans])
    np.testing.assert_allclose(vectors[0], real_embedder.embed([text])[0], atol=1e-6)
    first, second, outside = pooled[0]
    question = real_embedder.submit_query("Where is the fiercest fighting?").result()
    assert float(question @ first) > float(question @ second) + 0.1
    alone = real_embedder.embed([text[19:62], text[63:]])
    assert float(alone[1] @ second) > max(0.7, float(alone[0] @ second) + 0.2)
    assert float(alone[0] @ first) > max(0.7, float(alone[1] @ first) + 0.2)
    assert not outside.any()


def test_best_cosines_is_each_paragraphs_best_stored_sentence(make_index: MakeIndex) -> None:
    index = make_index(
        articles=[make_article(n, paragraphs=2, extra=["One. Two words."]) for n in range(3)]
    )
    store = SentenceVectorStore(index.catalog)
    ids = sorted(assert_consistent(index))
    *_, query = store.sentence_vectors(["a1#1"])["a1#1"].values()  # "Two words."
    best = store.read([*ids, "nope#0", ids[0]]).best_cosines(query)
    assert set(best) == set(ids)
    for pid, spans in store.sentence_vectors(ids).items():
        assert best[pid] == pytest.approx(max(float(v @ query) for v in spans.values()), abs=1e-5)
    assert best["a1#1"] == pytest.approx(1.0, abs=1e-3)
    assert store.read([]).best_cosines(query) == {}


def test_sentences_read_once_give_what_the_store_gives(make_index: MakeIndex) -> None:
    index = make_index(articles=[make_article(n, paragraphs=2) for n in range(3)])
    store = SentenceVectorStore(index.catalog)
    ids = sorted(assert_consistent(index))
    read = store.read(ids[:4])
    assert ids[0] in read and ids[5] not in read
    asked = [ids[5], ids[1], "nope#0", ids[0]]
    handed, stored = read.sentence_vectors(asked), store.sentence_vectors(ids[:4])
    assert list(handed) == [ids[1], ids[0]]  # those read, in the order asked
    for pid, spans in handed.items():
        assert list(spans) == list(stored[pid])
        for span, vector in spans.items():
            np.testing.assert_array_equal(vector, stored[pid][span])
