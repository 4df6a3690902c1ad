"""The embedding model's encoder in OpenVINO's format, converted from the model folder once and
kept in a cache folder; nothing is fetched from anywhere.

The conversion traces the torch model (about 8 s, and torch's import, once); later starts read
the cached files and need neither torch nor sentence-transformers. The cache key holds the
model folder's files (name, size, modification time) and the OpenVINO version, so a changed
model or a new OpenVINO converts again, and a half-written conversion is never read: it is
written to a temporary folder and renamed into place.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)
MODEL_FILE = "model.xml"
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")  # of every BERT model here


def default_cache_dir() -> Path:
    """Where converted models are kept unless a setting says otherwise:
    $XDG_CACHE_HOME/newsdesk, else ~/.cache/newsdesk."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "newsdesk"


def converted_model(model_path: Path, cache_dir: Path) -> Path:
    """The path of the OpenVINO model (``model.xml``) of the sentence-transformers folder
    ``model_path``'s encoder (ids, mask, token types -> last hidden state): converted now
    when the cache has none for these model files and this OpenVINO."""
    target = cache_dir / f"openvino-{cache_key(model_path)}"
    if (target / MODEL_FILE).exists():
        return target / MODEL_FILE
    cache_dir.mkdir(parents=True, exist_ok=True)
    logger.info("converting the embedding model for OpenVINO (once): %s", target)
    staging = Path(tempfile.mkdtemp(prefix=".converting-", dir=cache_dir))
    try:
        _convert(model_path, staging / MODEL_FILE)
        try:
            staging.rename(target)
        except OSError:  # another process converted it first: theirs is as good
            if not (target / MODEL_FILE).exists():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target / MODEL_FILE


def cache_key(model_path: Path) -> str:
    """A short hash of the model folder's files (names, sizes, times) and the OpenVINO
    version."""
    import openvino

    digest = hashlib.sha256(openvino.__version__.encode())
    for file in sorted(p for p in model_path.rglob("*") if p.is_file()):
        stat = file.stat()
        digest.update(f"{file.relative_to(model_path)}:{stat.st_size}".encode())
        digest.update(f":{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def _convert(model_path: Path, model_xml: Path) -> None:
    """Trace the model's transformer for any batch size and length, with two texts tokenised
    by its own tokenizer as the example, and save it in full precision (OpenVINO picks its
    precision when it compiles)."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    import openvino as ov
    import torch
    from transformers import AutoModel, AutoTokenizer

    model = AutoModel.from_pretrained(str(model_path), local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(str(model_path), local_files_only=True)

    class Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        # the argument names are the inputs' names (INPUT_NAMES) in the converted model
        def forward(
            self, input_ids: object, attention_mask: object, token_type_ids: object
        ) -> object:
            return self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    example = tokenizer(["a short one", "a longer text, so that the batch is padded"],
                        padding=True, return_tensors="pt")  # fmt: skip
    shape = ov.PartialShape([-1, -1])
    with torch.inference_mode():
        converted = ov.convert_model(
            Encoder().eval(),
            example_input=tuple(example[name] for name in INPUT_NAMES),
            input=[(name, shape, ov.Type.i64) for name in INPUT_NAMES],
        )
    for port, name in zip(converted.inputs, INPUT_NAMES, strict=True):
        port.get_tensor().set_names({name})
    ov.save_model(converted, str(model_xml), compress_to_fp16=False)


class CompiledModel:
    """A converted model compiled for the CPU with ``threads`` threads and OpenVINO's own
    precision for it unless ``precision`` says ("f32", "bf16"). Safe to call from several
    threads: each gets its own infer request."""

    def __init__(self, model_xml: Path, threads: int, precision: str | None = None) -> None:
        import openvino as ov

        hints: dict[str, Any] = {"PERFORMANCE_HINT": "LATENCY", "INFERENCE_NUM_THREADS": threads}
        if precision:
            hints["INFERENCE_PRECISION_HINT"] = precision
        self.compiled = ov.Core().compile_model(str(model_xml), "CPU", hints)
        self._requests = threading.local()

    @property
    def precision(self) -> str:
        """The precision OpenVINO runs the model in ("bf16", "f32")."""
        return str(self.compiled.get_property("INFERENCE_PRECISION_HINT").get_type_name())

    def __call__(self, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        """The model's outputs for one batch of ``feeds`` (input name -> int64 array)."""
        request = getattr(self._requests, "request", None)
        if request is None:
            request = self._requests.request = self.compiled.create_infer_request()
        outputs = request.infer(feeds)
        return [np.asarray(outputs[i], dtype=np.float32) for i in range(len(outputs))]
