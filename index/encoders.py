"""The engines that run the embedding model's encoder: token ids in, contextual token vectors
out. ``torch`` runs the model as sentence-transformers loads it; ``openvino`` runs the same
weights converted once to OpenVINO's format (cached, see index.openvino_model), 1.6-2x faster
than torch in fp32 on this project's 2-core CPU and about 4x in bf16 where the CPU has bf16
instructions (bench/RESULTS.md, Index speed). Both are made by ``warm_up`` of
index.embedder.SentenceTransformersEmbedder; importing this module loads nothing heavy.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

from index.query_vectors import is_query_thread, keep_threads

# "openvino": OpenVINO's own precision for the CPU (bf16 where it has avx512_bf16 or AMX, else
# f32); "openvino-f32": f32 always (the torch model's vectors to ~1e-6); "torch": the reference.
Engine = Literal["openvino", "openvino-f32", "torch"]
ENGINES: tuple[Engine, ...] = ("openvino", "openvino-f32", "torch")
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")


class TokenEncoder(Protocol):
    """Runs one padded batch through the encoder."""

    def __call__(self, feeds: dict[str, np.ndarray]) -> np.ndarray:
        """``feeds`` maps each of INPUT_NAMES to an int64 array (texts x tokens); returns the
        float32 last hidden state (texts x tokens x dimension)."""
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
    one core while the keyword search runs on the other (index.query_vectors). Each thread gets
    its own infer request (a request is not safe to share between threads)."""

    def __init__(self, model_xml: Path, threads: int, precision: str | None) -> None:
        import openvino as ov

        core = ov.Core()
        model = core.read_model(str(model_xml))
        hints = {"PERFORMANCE_HINT": "LATENCY"}
        if precision:
            hints["INFERENCE_PRECISION_HINT"] = precision
        self.threads = threads
        self._batches = core.compile_model(model, "CPU", hints | {"INFERENCE_NUM_THREADS": threads})
        self._queries = core.compile_model(model, "CPU", hints | {"INFERENCE_NUM_THREADS": 1})
        self._requests = threading.local()

    @property
    def precision(self) -> str:
        """The precision OpenVINO runs the batches in ("bf16", "f32")."""
        return str(self._batches.get_property("INFERENCE_PRECISION_HINT").get_type_name())

    def __call__(self, feeds: dict[str, np.ndarray]) -> np.ndarray:
        query = is_query_thread()
        name = "query" if query else "batch"
        request = getattr(self._requests, name, None)
        if request is None:
            compiled = self._queries if query else self._batches
            request = compiled.create_infer_request()
            setattr(self._requests, name, request)
        hidden: np.ndarray = request.infer(feeds)[0]
        return np.asarray(hidden, dtype=np.float32)
