"""The one factory of the indexing layer's heavy parts, called once at startup."""

from __future__ import annotations

from dataclasses import dataclass

from index.config import IndexSettings
from index.embedder import Embedder, LazyEmbedder
from index.service import EmbedderLike, IndexService
from index.storage.catalog import Catalog
from index.storage.vectors import ChromaStore, chroma_client


@dataclass
class IndexComponents:
    """Everything built from IndexSettings: shared by the indexer and the retriever."""

    settings: IndexSettings
    embedder: EmbedderLike
    catalog: Catalog
    store: ChromaStore
    service: IndexService


def build_index(
    settings: IndexSettings, embedder: EmbedderLike | None = None, lazy_model: bool = False
) -> IndexComponents:
    """Open the catalog and the vector store and load the embedding model (unless given;
    with ``lazy_model`` it is loaded on first use instead)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    catalog = Catalog(settings.catalog_path)
    client = chroma_client(settings.chroma_url, settings.chroma_path)
    store = ChromaStore(client, settings.collection)
    if embedder is None:
        model_class = LazyEmbedder if lazy_model else Embedder
        embedder = model_class(
            settings.model_path, settings.device, settings.embed_batch_size, settings.torch_threads
        )
    service = IndexService(catalog, store, embedder, settings)
    return IndexComponents(settings, embedder, catalog, store, service)
