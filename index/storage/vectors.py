"""The vector store: one interface, two Chroma backends (embedded files or a Chroma server)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar
from urllib.parse import urlparse

import numpy as np

from index.errors import StoreUnavailable


@dataclass(frozen=True)
class VectorHit:
    """One nearest neighbour: the paragraph id and its cosine distance (0 = same direction)."""

    id: str
    distance: float
    metadata: dict[str, Any]


Where = dict[str, Any]


class VectorStore(Protocol):
    """What the indexer and the retriever need from a vector store."""

    def upsert(
        self,
        ids: Sequence[str],
        vectors: np.ndarray,
        metadatas: Sequence[dict[str, Any]],
        documents: Sequence[str],
    ) -> None: ...

    def delete_articles(self, article_ids: Sequence[str]) -> None: ...

    def query(
        self, vector: np.ndarray, k: int, where: Where | None = None, metadata: bool = True
    ) -> list[VectorHit]: ...

    def ids(self) -> list[str]: ...

    def count(self) -> int: ...


def chroma_client(chroma_url: str | None, chroma_path: Any) -> Any:
    """Open an embedded persistent Chroma at ``chroma_path``, or a server at ``chroma_url``."""
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    try:
        if chroma_url:
            url = urlparse(chroma_url)
            return chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=settings,
            )
        return chromadb.PersistentClient(path=str(chroma_path), settings=settings)
    except Exception as exc:  # chromadb raises plain ValueError/ConnectionError here
        raise StoreUnavailable(f"cannot open Chroma ({chroma_url or chroma_path}): {exc}") from exc


Result = TypeVar("Result")


def _store_errors(method: Callable[..., Result]) -> Callable[..., Result]:
    """Re-raise any failure of the Chroma backend (a server down, a broken file) as
    StoreUnavailable, which the edges turn into a clear message or an HTTP 503."""

    @functools.wraps(method)
    def guarded(*args: Any, **kwargs: Any) -> Result:
        try:
            return method(*args, **kwargs)
        except StoreUnavailable:
            raise
        except Exception as exc:  # chromadb and httpx raise many unrelated types
            raise StoreUnavailable(f"the vector store failed: {exc}") from exc

    return guarded


class ChromaStore:
    """A Chroma collection in cosine space, always given our own embeddings.

    Chroma's default embedding function would download a model; it is disabled by passing
    ``embedding_function=None``, so every add and query carries vectors.
    """

    @_store_errors
    def __init__(self, client: Any, collection: str) -> None:
        self.client = client
        self.collection = client.get_or_create_collection(
            collection, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )
        self.max_batch = int(client.get_max_batch_size())

    @_store_errors
    def upsert(
        self,
        ids: Sequence[str],
        vectors: np.ndarray,
        metadatas: Sequence[dict[str, Any]],
        documents: Sequence[str],
    ) -> None:
        """Insert or overwrite vectors by id (ids are deterministic, so never duplicated)."""
        for start in range(0, len(ids), self.max_batch):
            end = start + self.max_batch
            self.collection.upsert(
                ids=list(ids[start:end]),
                embeddings=vectors[start:end],
                metadatas=list(metadatas[start:end]),
                documents=list(documents[start:end]),
            )

    @_store_errors
    def delete_articles(self, article_ids: Sequence[str]) -> None:
        """Remove every vector of the given articles."""
        for start in range(0, len(article_ids), 500):
            chunk = list(article_ids[start : start + 500])
            self.collection.delete(where={"article_id": {"$in": chunk}})

    @_store_errors
    def query(
        self, vector: np.ndarray, k: int, where: Where | None = None, metadata: bool = True
    ) -> list[VectorHit]:
        """Return up to ``k`` nearest paragraphs, closest first, optionally filtered; without
        ``metadata`` their metadata is left empty (reading it is most of a query's time)."""
        if k <= 0:
            return []
        result = self.collection.query(
            query_embeddings=[vector],
            n_results=k,
            where=where or None,
            include=["distances", "metadatas"] if metadata else ["distances"],
        )
        ids, distances = result["ids"][0], result["distances"][0]
        metadatas = result["metadatas"][0] if metadata else [None] * len(ids)
        return [
            VectorHit(i, float(d), dict(m or {}))
            for i, d, m in zip(ids, distances, metadatas, strict=True)
        ]

    @_store_errors
    def ids(self) -> list[str]:
        """Every stored paragraph id (for consistency checks; reads the whole collection)."""
        found: list[str] = []
        total = self.collection.count()
        for offset in range(0, total, 5000):
            found.extend(self.collection.get(include=[], limit=5000, offset=offset)["ids"])
        return found

    @_store_errors
    def count(self) -> int:
        """Number of stored vectors."""
        return int(self.collection.count())

    def ping(self) -> bool:
        """True when the backend answers."""
        try:
            self.client.heartbeat()
        except Exception:
            return False
        return True
