"""The one factory of the indexing layer's heavy parts, called once at startup."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from index.config import IndexSettings
from index.storage.catalog import Catalog
from index.storage.database import open_database

if TYPE_CHECKING:  # imported in build_index: `newsdesk index list` needs the catalog alone
    from index.embedding import Embedder
    from index.service import IndexService
    from index.storage.vectors import ChromaStore


@dataclass
class IndexComponents:
    """Everything built from IndexSettings: shared by the indexer and the retriever."""

    settings: IndexSettings
    embedder: Embedder
    catalog: Catalog
    store: ChromaStore
    service: IndexService


def build_index(
    settings: IndexSettings, embedder: Embedder | None = None, warm_up: bool = True
) -> IndexComponents:
    """Open the catalog and the vector store, and the embedding model (unless given), warmed
    up now; with ``warm_up`` False (commands that may never embed) the model is loaded on
    first use instead."""
    from index.embedder import SentenceTransformersEmbedder
    from index.service import IndexService
    from index.storage.vectors import ChromaStore, chroma_client

    catalog = open_catalog(settings)
    client = chroma_client(settings.chroma_url, settings.chroma_path)
    store = ChromaStore(client, settings.collection)
    if embedder is None:
        embedder = SentenceTransformersEmbedder(
            settings.model_path,
            settings.device,
            settings.embed_batch_size,
            settings.torch_threads,
            settings.embed_engine,
            settings.model_cache_dir,
        )
    if warm_up:
        embedder.warm_up()
    service = IndexService(catalog, store, embedder, settings)
    return IndexComponents(settings, embedder, catalog, store, service)


def open_catalog(settings: IndexSettings) -> Catalog:
    """The catalog of the data dir (made if missing), alone: what reads of the article list
    need, without the vector store (whose client takes about half a second to import)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    url = settings.database_url.get_secret_value() if settings.database_url else None
    return Catalog(open_database(settings.catalog_path, url))
