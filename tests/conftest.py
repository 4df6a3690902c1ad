"""Fixtures shared by every test package: embedders (fake and real) and a throwaway index.

- ``fake_embedder``: a fresh :class:`FakeEmbedder` (deterministic bag-of-words hash vectors,
  one token per whitespace word), for fast unit tests; other fakes subclass it and override
  ``vector``, so every fake follows the one protocol, :class:`index.embedding.Embedder`.
- ``real_embedder``: the real MiniLM
  :class:`~index.embedder.SentenceTransformersEmbedder`, warmed up once per session (use it
  only in tests marked ``@pytest.mark.slow``).
- ``make_index``: builds an index in the test's ``tmp_path`` (embedded Chroma, fake embedder
  unless one is given), optionally filled with articles.
- :func:`index_contents`: the paragraph ids of the catalog, the FTS index and the vector
  store, for consistency checks.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from index.components import IndexComponents, build_index
from index.config import IndexSettings
from index.models import Article
from index.storage.catalog import Catalog
from index.storage.postgres import PostgresDatabase
from index.storage.sentence_vectors import ensure_schema as ensure_sentence_schema
from tests.postgres_server import PostgresServer

REPO_ROOT = Path(__file__).resolve().parents[1]
# The bundled demo article, and the small files the index tests read.
SAMPLE = REPO_ROOT / "samples" / "ukraine-frontline.txt"
FIXTURES = REPO_ROOT / "tests" / "index" / "fixtures"
# The evaluation set lives beside the checkout (../shared), also in CI's fresh clone.
EVAL_ARTICLES = REPO_ROOT.parent / "shared" / "eval" / "realtimeqa-dev" / "articles.jsonl"

FAKE_DIMENSION = 64


class FakeEmbedder:
    """A deterministic stand-in for the MiniLM embedder (index.embedding.Embedder).

    A text's vector is the normalised sum of one fixed pseudo-random vector per lower-cased
    word, so texts sharing words are close (a subclass changes that by overriding
    ``vector``). ``count_tokens`` counts whitespace words plus the two special tokens. Every
    text embedded by ``embed``/``embed_spans`` is recorded in ``embedded``, every question in
    ``queries``; ``warm_ups`` counts the calls of ``warm_up``.
    """

    def __init__(self, dimension: int = FAKE_DIMENSION) -> None:
        self.dimension = dimension
        self.embedded: list[str] = []
        self.queries: list[str] = []
        self.warm_ups = 0
        self._words: dict[str, np.ndarray] = {}

    def warm_up(self) -> None:
        """Nothing to load; counted."""
        self.warm_ups += 1

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One unit vector per text (zero texts give a (0, dimension) array)."""
        self.embedded.extend(texts)
        return self._vectors(texts)

    def submit_query(self, text: str) -> Future[np.ndarray]:
        """The vector of one question (whitespace-normalised, as the real one), already done."""
        question = " ".join(text.split())
        self.queries.append(question)
        done: Future[np.ndarray] = Future()
        done.set_result(self._vectors([question])[0])
        return done

    def vector(self, text: str) -> np.ndarray:
        """The unit vector of one text."""
        vector = np.zeros(self.dimension, dtype=np.float32)
        for word in text.lower().split() or [""]:
            vector += self._word_vector(word)
        return vector / (np.linalg.norm(vector) + 1e-12)

    def _vectors(self, texts: Sequence[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            vectors[row] = self.vector(text)
        return vectors

    def embed_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """``embed(texts)`` and, per text, the vector of each span's substring (the real model
        pools the span's tokens in context instead; only ``texts`` count as embedded)."""
        pooled = [
            self._vectors([text[a:b] for a, b in text_spans]).reshape(-1, self.dimension)
            for text, text_spans in zip(texts, spans, strict=True)
        ]
        return self.embed(texts), pooled

    def count_tokens(self, text: str) -> int:
        """Whitespace words plus [CLS] and [SEP]."""
        return len(text.split()) + 2

    def _word_vector(self, word: str) -> np.ndarray:
        vector = self._words.get(word)
        if vector is None:
            seed = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "big")
            vector = np.random.default_rng(seed).standard_normal(self.dimension)
            self._words[word] = vector.astype(np.float32)
        return self._words[word]


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    """A fresh fake embedder (its ``embedded`` list starts empty)."""
    return FakeEmbedder()


# Fixtures that load the real model: a test using them (directly or through another fixture)
# must be marked slow, so that `-m "not slow"` stays free of model loads.
REAL_MODEL_FIXTURES = frozenset(
    {"real_embedder", "real_reader", "torch_embedder", "openvino_embedder"}
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Refuse a test that loads the real model without the slow marker."""
    unmarked = [
        item.nodeid
        for item in items
        if REAL_MODEL_FIXTURES & set(getattr(item, "fixturenames", ()))
        and item.get_closest_marker("slow") is None
    ]
    if unmarked:
        raise pytest.UsageError(f"tests loading the real model must be marked slow: {unmarked}")


@pytest.fixture(scope="session")
def real_embedder() -> Any:
    """The real MiniLM embedder, warmed up once for the whole session."""
    from index.embedder import SentenceTransformersEmbedder

    embedder = SentenceTransformersEmbedder()
    embedder.warm_up()
    return embedder


@pytest.fixture(scope="session")
def real_reader() -> Any:
    """The shipped reader model (qa/reader/weights), loaded once for the whole session."""
    from index.embedder import default_model_path
    from qa.reader.model import ReaderModel

    return ReaderModel(default_model_path())


MakeIndex = Callable[..., IndexComponents]
OpenCatalog = Callable[..., Catalog]


def build_test_index(
    data_dir: Path,
    embedder: Any = None,
    articles: Iterable[Article] = (),
    **settings: Any,
) -> IndexComponents:
    """An index in ``data_dir`` (a FakeEmbedder unless ``embedder`` is given), with
    ``articles`` added; ``settings`` override IndexSettings fields."""
    index = build_index(
        IndexSettings(data_dir=data_dir, **settings), embedder=embedder or FakeEmbedder()
    )
    articles = list(articles)
    if articles:
        index.service.add(articles)
    return index


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server on a free loopback port for the session."""
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.remove()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """The URL of a new, empty database of the session's PostgreSQL server."""
    return postgres_server.new_database()


DATABASES = ["sqlite", "postgres"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked ``both_databases`` run once per catalog database (the contract suite of
    the catalog); others, and those marked ``sqlite_only`` (upgrades of old SQLite files),
    use SQLite, the default."""
    marked = metafunc.definition.get_closest_marker
    if (
        marked("both_databases")
        and not marked("sqlite_only")
        and "database" in metafunc.fixturenames
    ):
        metafunc.parametrize("database", DATABASES, indirect=True)


@pytest.fixture
def database(request: pytest.FixtureRequest) -> str:
    """Which database holds the catalog of ``make_index`` and ``open_catalog``."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def database_urls(database: str, request: pytest.FixtureRequest) -> Callable[[str], str | None]:
    """A PostgreSQL database per name (None on SQLite), the same one for the same name."""
    urls: dict[str, str] = {}

    def url(name: str) -> str | None:
        if database == "sqlite":
            return None
        if name not in urls:
            urls[name] = request.getfixturevalue("postgres_server").new_database()
        return urls[name]

    return url


@pytest.fixture
def open_catalog(tmp_path: Path, database_urls: Callable[[str], str | None]) -> OpenCatalog:
    """A factory: ``open_catalog(name="catalog")`` opens the catalog of that name on the
    test's database (a SQLite file in tmp_path, or a PostgreSQL database); the same name
    opens the same catalog again."""

    def make(name: str = "catalog") -> Catalog:
        url = database_urls(name)
        return Catalog(PostgresDatabase(url) if url else tmp_path / f"{name}.sqlite3")

    return make


@pytest.fixture
def make_index(tmp_path: Path, database_urls: Callable[[str], str | None]) -> Iterator[MakeIndex]:
    """A factory: ``make_index(embedder=None, articles=(), name="index", **settings)`` builds
    an index in ``tmp_path / name`` (its catalog on the test's database); calling it twice
    with the same name reopens the index."""

    def make(
        embedder: Any = None, articles: Iterable[Article] = (), name: str = "index", **kw: Any
    ) -> IndexComponents:
        kw.setdefault("database_url", database_urls(name))
        return build_test_index(tmp_path / name, embedder, articles, **kw)

    yield make


def index_contents(index: IndexComponents) -> dict[str, list[str]]:
    """Paragraph ids as held by the catalog, the FTS index, the vector store and the sentence
    vectors (unsorted, duplicates kept, so callers can check both equality and uniqueness)."""
    ensure_sentence_schema(index.catalog.connection())
    sentences = index.catalog.connection().execute("SELECT paragraph_id FROM sentence_vectors")
    fts = index.catalog.connection().execute(
        "SELECT p.id FROM paragraphs_fts f JOIN paragraphs p ON p.rowid = f.rowid"
    )
    orphans = index.catalog.connection().execute(
        "SELECT count(*) FROM paragraphs_fts WHERE rowid NOT IN (SELECT rowid FROM paragraphs)"
    )
    return {
        "catalog": index.catalog.paragraph_ids(),
        "fts": [row[0] for row in fts] + ["<orphan>"] * orphans.fetchone()[0],
        "vectors": index.store.ids(),
        "sentences": [row[0] for row in sentences],
    }


def assert_consistent(index: IndexComponents) -> set[str]:
    """Assert the four indexes hold the same paragraph ids, each once; return them (every
    paragraph has at least one sentence, so each has a row of sentence vectors)."""
    contents = index_contents(index)
    for name, ids in contents.items():
        assert len(ids) == len(set(ids)), f"duplicate paragraph ids in {name}"
    catalog = set(contents["catalog"])
    assert set(contents["fts"]) == catalog
    assert set(contents["vectors"]) == catalog
    assert set(contents["sentences"]) == catalog
    return catalog


@pytest.fixture(autouse=True)
def _no_newsdesk_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's NEWSDESK_* settings (a Chroma URL, an API key...);
    a test that needs one sets it itself."""
    for name in [n for n in os.environ if n.startswith("NEWSDESK_")]:
        monkeypatch.delenv(name)
