"""Models in OpenVINO's format, converted from their torch form once and kept in a cache folder;
nothing is fetched from anywhere.

A conversion traces the torch model (seconds, and torch's import, once); later starts read the
cached files and need neither torch nor sentence-transformers. The cache key holds the source
files (name, size, modification time) and the OpenVINO version, so changed weights or a new
OpenVINO convert again, and a half-written conversion is never read: it is written to a
temporary folder and renamed into place.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
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


def cached_conversion(
    name: str, sources: Sequence[Path], cache_dir: Path, convert: Callable[[Path], None]
) -> Path:
    """The path of the converted model ``name`` (its ``model.xml``) made from ``sources``
    (files or folders): ``convert(path)`` writes it there when the cache has none for these
    source files and this OpenVINO."""
    target = cache_dir / f"{name}-{cache_key(sources)}"
    if (target / MODEL_FILE).exists():
        return target / MODEL_FILE
    cache_dir.mkdir(parents=True, exist_ok=True)
    logger.info("converting %s for OpenVINO (once): %s", name, target)
    staging = Path(tempfile.mkdtemp(prefix=".converting-", dir=cache_dir))
    try:
        convert(staging / MODEL_FILE)
        try:
            staging.rename(target)
        except OSError:  # another process converted it first: theirs is as good
            if not (target / MODEL_FILE).exists():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target / MODEL_FILE


def converted_model(model_path: Path, cache_dir: Path) -> Path:
    """The OpenVINO model of the sentence-transformers folder ``model_path``'s encoder (ids,
    mask, token types -> last hidden state), converted now if not cached."""
    return cached_conversion(
        "openvino", [model_path], cache_dir, lambda xml: _convert_encoder(model_path, xml)
    )


def cache_key(sources: Sequence[Path]) -> str:
    """A short hash of the source files (names, sizes, times) and the OpenVINO version."""
    import openvino

    digest = hashlib.sha256(openvino.__version__.encode())
    for source in sources:
        files = sorted(p for p in source.rglob("*") if p.is_file()) if source.is_dir() else [source]
        for file in files:
            stat = file.stat()
            digest.update(f"{file.relative_to(source.parent)}:{stat.st_size}".encode())
            digest.update(f":{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def convert_module(module: Any, model_path: Path, model_xml: Path) -> None:
    """Trace the torch ``module`` (called with INPUT_NAMES as keyword arguments) for any batch
    size and length, with two texts tokenised by ``model_path``'s tokenizer as the example,
    and save it in full precision (OpenVINO picks its precision when it compiles)."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    import openvino as ov
    import torch
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(model_path), local_files_only=True)
    example = tokenizer(["a short one", "a longer text, so that the batch is padded"],
                        padding=True, return_tensors="pt")  # fmt: skip
    shape = ov.PartialShape([-1, -1])
    with torch.inference_mode():
        converted = ov.convert_model(
            module.eval(),
            example_input=tuple(example[name] for name in INPUT_NAMES),
            input=[(name, shape, ov.Type.i64) for name in INPUT_NAMES],
        )
    for port, name in zip(converted.inputs, INPUT_NAMES, strict=True):
        port.get_tensor().set_names({name})
    ov.save_model(converted, str(model_xml), compress_to_fp16=False)


def _convert_encoder(model_path: Path, model_xml: Path) -> None:
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(model_path), local_files_only=True)

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

    convert_module(Encoder(), model_path, model_xml)


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
