"""The engines that run the embedding model's encoder: token ids in, contextual token vectors
out. ``torch`` runs the model as sentence-transformers loads it; ``openvino`` runs the same
weights converted once to OpenVINO's format (cached, see index.openvino_model): on this
project's quiet 2-core CPU about 1.1x torch in f32 and 3.1x in bf16, which it has AMX for
(bench/RESULTS.md, Index speed). Both are made by ``warm_up`` of
index.embedder.SentenceTransformersEmbedder; importing this module loads nothing heavy.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import numpy as np

from index.query_vectors import is_query_thread, keep_threads


class TokenEncoder(Protocol):
    """Runs one padded batch through the encoder."""

    threads: int  # intra-op threads of every thread but the query workers

    def __call__(self, feeds: dict[str, np.ndarray]) -> np.ndarray:
        """``feeds`` maps each input name (index.openvino_model.INPUT_NAMES) to an int64
        array (texts x tokens); returns the float32 last hidden state (texts x tokens x
        dimension)."""
        ...


class TorchEncoder:
    """The sentence-transformers model's transformer, run by torch with the embedder's
    intra-op thread count (query workers keep their one thread)."""

    def __init__(self, transformer: Any, torch: Any, threads: int, device: str) -> None:
        self.transformer = transformer
        self.torch = torch
        self.threads = threads
        self.device = device

    def __call__(self, feeds: dict[str, np.ndarray]) -> np.ndarray:
        torch = self.torch
        keep_threads(torch, self.threads)
        inputs = {name: torch.as_tensor(value, device=self.device) for name, value in feeds.items()}
        with torch.inference_mode():
            hidden = self.transformer(**inputs).last_hidden_state
        result: np.ndarray = hidden.float().cpu().numpy()
        return result


class OpenVINOEncoder:
    """The converted encoder compiled twice: with ``threads`` threads for batches of
    paragraphs, and with one thread for the query workers, so that a question's vector takes
    one core while the keyword search runs on the other (index.query_vectors)."""

    def __init__(self, model_xml: Path, threads: int, precision: str | None) -> None:
        from index.openvino_model import CompiledModel

        self.threads = threads
        self._batches = CompiledModel(model_xml, threads, precision)
        self._queries = CompiledModel(model_xml, 1, precision)

    @property
    def precision(self) -> str:
        """The precision OpenVINO runs the batches in ("bf16", "f32")."""
        return self._batches.precision

    def __call__(self, feeds: dict[str, np.ndarray]) -> np.ndarray:
        compiled = self._queries if is_query_thread() else self._batches
        return compiled(feeds)[0]
