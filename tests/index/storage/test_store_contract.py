"""One contract, two backends: the embedded persistent Chroma and a Chroma server
(``chroma run`` started by the ``chroma_server`` fixture)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from index.filters import SearchFilters
from index.storage.vectors import ChromaStore, chroma_client
from tests.conftest import FakeEmbedder, assert_consistent, build_test_index
from tests.index.conftest import make_article

BACKENDS = ["embedded", pytest.param("server", marks=pytest.mark.slow)]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """IndexSettings overrides selecting one backend, with a fresh collection."""
    collection = f"t{uuid.uuid4().hex[:12]}"
    if request.param == "server":
        yield {"chroma_url": request.getfixturevalue("chroma_server"), "collection": collection}
    else:
        yield {"collection": collection}


@pytest.fixture
def store(backend: dict[str, Any], tmp_path: Path) -> ChromaStore:
    """An empty store on the selected backend."""
    client = chroma_client(backend.get("chroma_url"), tmp_path / "chroma")
    return ChromaStore(client, backend["collection"])


def unit(*values: float) -> np.ndarray:
    """A unit vector in 4 dimensions."""
    vector = np.zeros(4, dtype=np.float32)
    vector[: len(values)] = values
    return vector / np.linalg.norm(vector)


def meta(article: str, number: int, published: int = 20240501, source: str = "s") -> dict[str, Any]:
    """Paragraph metadata as the indexer writes it."""
    return {"article_id": article, "number": number, "published_int": published, "source": source}


def fill(store: ChromaStore) -> None:
    """a#0, a#1 (2024-05-01, source s) and b#0 (2023-01-02, source t)."""
    store.upsert(
        ["a#0", "a#1", "b#0"],
        np.stack([unit(1), unit(1, 1), unit(0, 1)]),
        [meta("a", 0), meta("a", 1), meta("b", 0, 20230102, "t")],
        ["first", "second", "third"],
    )


def test_upsert_counts_and_lists_ids(store: ChromaStore) -> None:
    fill(store)
    assert store.count() == 3
    assert sorted(store.ids()) == ["a#0", "a#1", "b#0"]
    assert store.ping()


def test_upsert_of_an_existing_id_overwrites(store: ChromaStore) -> None:
    fill(store)
    store.upsert(["a#0"], np.stack([unit(0, 0, 1)]), [meta("a", 0)], ["changed"])
    assert store.count() == 3
    hits = store.query(unit(0, 0, 1), k=1)
    assert hits[0].id == "a#0" and hits[0].distance == pytest.approx(0, abs=1e-5)


def test_query_is_cosine_closest_first_with_metadata(store: ChromaStore) -> None:
    fill(store)
    hits = store.query(unit(1), k=3)
    assert [h.id for h in hits] == ["a#0", "a#1", "b#0"]
    assert hits[0].distance == pytest.approx(0, abs=1e-5)
    assert hits[1].distance == pytest.approx(1 - np.sqrt(0.5), abs=1e-4)
    assert hits[2].distance == pytest.approx(1, abs=1e-4)
    assert hits[0].metadata["article_id"] == "a" and hits[0].metadata["number"] == 0
    bare = store.query(unit(1), k=3, metadata=False)
    assert [(h.id, h.distance, h.metadata) for h in bare] == [(h.id, h.distance, {}) for h in hits]


def test_query_filters_by_source_and_date(store: ChromaStore) -> None:
    fill(store)
    by_source = store.query(unit(1), k=3, where=SearchFilters(source="t").chroma_where())
    assert [h.id for h in by_source] == ["b#0"]
    recent = SearchFilters(published_from="2024-01-01", published_to="2024-12-31")
    assert sorted(h.id for h in store.query(unit(0, 1), k=3, where=recent.chroma_where())) == [
        "a#0",
        "a#1",
    ]


def test_query_asking_more_than_stored_and_empty_store(store: ChromaStore) -> None:
    assert store.query(unit(1), k=5) == []
    fill(store)
    assert len(store.query(unit(1), k=50)) == 3
    assert store.query(unit(1), k=0) == []


def test_delete_articles_removes_all_their_vectors(store: ChromaStore) -> None:
    fill(store)
    store.delete_articles(["a", "unknown"])
    assert store.ids() == ["b#0"]
    store.delete_articles([])
    assert store.count() == 1


def test_batches_larger_than_the_backend_limit(store: ChromaStore) -> None:
    store.max_batch = 7  # force several upsert calls
    ids = [f"x#{i}" for i in range(20)]
    vectors = np.random.default_rng(0).standard_normal((20, 4)).astype(np.float32)
    store.upsert(ids, vectors, [meta("x", i) for i in range(20)], ids)
    assert sorted(store.ids()) == sorted(ids)


def test_indexing_service_on_the_backend(backend: dict[str, Any], tmp_path: Path) -> None:
    index = build_test_index(tmp_path, FakeEmbedder(), [make_article(n) for n in range(6)],
                             **backend)  # fmt: skip
    assert len(assert_consistent(index)) == 18
    index.service.add([make_article(1, paragraphs=1), make_article(2, paragraphs=5)])
    index.service.remove("a3")
    ids = assert_consistent(index)
    assert len(ids) == 18 - 2 + 2 - 3
    assert {i for i in ids if i.startswith("a1#")} == {"a1#0"}
    hit = index.store.query(index.embedder.embed(["x"])[0], k=1, where={"article_id": "a2"})[0]
    assert (
        hit.metadata["title"] == make_article(2).title and hit.metadata["published"] == "2024-05-01"
    )
    assert hit.metadata["url"] == "https://example.com/story-2"
    assert hit.metadata["source"] == "example.com" and hit.metadata["published_int"] == 20240501


def test_an_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    from index.errors import StoreUnavailable
    from tests.index.conftest import free_port

    with pytest.raises(StoreUnavailable, match="cannot open Chroma"):
        ChromaStore(chroma_client(f"http://127.0.0.1:{free_port()}", tmp_path), "c")
