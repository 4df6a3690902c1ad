"""The engines that run the embedding model: each gives sentence-transformers' own vectors (to
float precision in f32, to bf16's precision in OpenVINO's default), the OpenVINO conversion is
made once and read from its cache, and a start from the cache loads neither torch nor
sentence-transformers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from index.config import ENGINES, IndexSettings
from index.embedder import SentenceTransformersEmbedder, default_model_path
from index.openvino_model import MODEL_FILE, cache_key, converted_model
from tests.conftest import REPO_ROOT
from tests.index.conftest import eval_slice


def texts() -> list[str]:
    """Real paragraphs cut at three lengths, an empty text and one far beyond the window."""
    cut = [str(r["text"])[:n] for r in eval_slice(12) for n in (40, 400, 4000)]
    return [*cut, "", "word " * 600]


@pytest.fixture(scope="module")
def reference(real_embedder: Any) -> np.ndarray:
    """sentence-transformers' own normalised vectors of ``texts()``."""
    model = real_embedder.model
    vectors: np.ndarray = model.encode(texts(), normalize_embeddings=True, batch_size=7)
    return vectors


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
def test_every_engine_gives_sentence_transformers_vectors(
    engine: Any, reference: np.ndarray, real_embedder: Any
) -> None:
    embedder = SentenceTransformersEmbedder(batch_size=7, engine=engine)
    vectors = embedder.embed(texts())
    if engine == "openvino":  # bf16 where the CPU has it: measured cosines >= 0.99997
        assert float((vectors * reference).sum(axis=1).min()) > 0.9999
        np.testing.assert_allclose(vectors, reference, atol=5e-3)
    else:
        np.testing.assert_allclose(vectors, reference, atol=1e-5)
    question = "Where is the fiercest fighting?"
    alone = embedder.embed([question])[0]
    np.testing.assert_allclose(embedder.submit_query(question).result(), alone, atol=1e-5)


@pytest.mark.slow
def test_the_conversion_is_made_once_and_a_changed_model_converts_again(
    tmp_path: Path,
) -> None:
    model = tmp_path / "model"
    model.symlink_to(default_model_path(), target_is_directory=True)
    cache = tmp_path / "cache"
    first = converted_model(model, cache)
    assert first.name == MODEL_FILE and first.with_suffix(".bin").stat().st_size > 80_000_000
    written = first.stat().st_mtime_ns
    assert converted_model(model, cache) == first and first.stat().st_mtime_ns == written
    assert [p.name for p in cache.iterdir()] == [first.parent.name]  # no staging folder left

    changed = tmp_path / "changed"
    changed.mkdir()
    for file in default_model_path().iterdir():
        (changed / file.name).symlink_to(file)
    (changed / "extra.txt").write_text("a new file changes the key")
    assert cache_key(changed) != cache_key(model)


@pytest.mark.slow
def test_a_start_from_the_cache_loads_neither_torch_nor_sentence_transformers(
    tmp_path: Path,
) -> None:
    converted_model(default_model_path(), tmp_path / "newsdesk")  # what the start below finds
    code = (
        "import sys; from index.embedder import SentenceTransformersEmbedder as E; "
        "e = E(engine='openvino'); "
        "v = e.embed(['Rain is expected.']); "
        "print(v.shape, 'torch' in sys.modules, 'sentence_transformers' in sys.modules)"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "XDG_CACHE_HOME": str(tmp_path), "HF_HUB_OFFLINE": "1"},
    )
    assert shown.stdout.split() == ["(1,", "384)", "False", "False"]


def test_a_gpu_device_needs_the_torch_engine() -> None:
    with pytest.raises(ValueError, match="NEWSDESK_EMBED_ENGINE=torch"):
        IndexSettings(device="cuda", embed_engine="openvino")
    assert IndexSettings(device="cuda").embed_engine == "torch"
    assert IndexSettings().embed_engine == "torch"


def test_a_model_folder_without_tokenizer_json_gets_the_same_tokenizer(tmp_path: Path) -> None:
    from index.embedder import _backend_tokenizer, _untruncated_copy

    for file in default_model_path().iterdir():
        if file.name != "tokenizer.json":
            (tmp_path / file.name).symlink_to(file)
    text = "Zelenskiy said the Russian assaults had delivered little progress."
    built = _untruncated_copy(_backend_tokenizer(tmp_path)).encode(text).ids
    assert built == _untruncated_copy(_backend_tokenizer(default_model_path())).encode(text).ids
