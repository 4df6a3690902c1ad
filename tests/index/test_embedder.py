"""The embedder: the fast word-piece counter gives exactly the model tokenizer's counts; the
model is loaded by warm_up only; questions are embedded on one-thread query workers."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from index.embedder import TokenCounter, _untruncated_copy, default_model_path
from index.query_vectors import QueryThreads
from tests.conftest import REPO_ROOT
from tests.index.conftest import eval_slice

TRICKY = [
    "", " ", "Hello, world!", "[CLS] and [SEP] typed in text", "tab\tand\r\nnewlines",
    "x" * 150 + " after a long word", "Café déjà vu — naïve résumé", "東京 and Ελλάδα",
    "curly ‘quotes’ and “more” … — – dashes", "control\x01char\x7f", "a" * 3000,
    "İstanbul ﬁle ½ ß", "emoji 🎉 here", "U.S. $3.5bn (51%) e-mail #tag @user ~`^|",
]  # fmt: skip


@pytest.fixture(scope="module")
def reference() -> Any:
    """The model's own Python tokenizer (what sentence-transformers uses)."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(default_model_path()), local_files_only=True)


def test_counts_equal_the_tokenizer_on_tricky_and_eval_texts(reference: Any) -> None:
    counter = TokenCounter(_untruncated_copy(reference.backend_tokenizer))
    assert counter.fast
    lines = [p for r in eval_slice(80) for p in str(r["text"]).splitlines() if p.strip()]
    titled = [f"{r['title']}\n{p}" for r in eval_slice(30) for p in str(r["text"]).splitlines()]
    for text in TRICKY + lines + titled:
        expected = len(reference.encode(text, add_special_tokens=True))
        assert counter.count(text) == expected, text
        assert counter.count(text) == counter.exact(text)


def test_the_model_tokenizer_being_truncated_does_not_matter(reference: Any) -> None:
    backend = reference.backend_tokenizer
    backend.enable_truncation(max_length=16)
    try:
        counter = TokenCounter(_untruncated_copy(backend))
        assert counter.count("word " * 100) == 102
    finally:
        backend.no_truncation()


@pytest.fixture(scope="module")
def torch_embedder() -> Any:
    """The real model run by torch (the engine whose threads are set per thread)."""
    from index.embedder import SentenceTransformersEmbedder

    embedder = SentenceTransformersEmbedder(engine="torch")
    embedder.warm_up()
    return embedder


@pytest.mark.slow
def test_torch_query_vectors_come_from_one_thread_workers_and_leave_the_caller_alone(
    torch_embedder: Any,
) -> None:
    import threading

    import torch

    real_embedder = torch_embedder

    before = torch.get_num_threads()
    question = "Where is the fiercest  fighting?"
    vector = real_embedder.submit_query(question).result()
    assert np.allclose(
        vector, real_embedder.embed(["Where is the fiercest fighting?"])[0], atol=1e-5
    )
    again = real_embedder.submit_query(question).result()
    assert again is not vector  # nothing cached: the caller hands the vector on
    np.testing.assert_array_equal(again, vector)
    assert torch.get_num_threads() == before  # indexing keeps all its threads
    seen = (
        real_embedder.query_threads.pool()
        .submit(lambda: (threading.current_thread().name, torch.get_num_threads()))
        .result()
    )
    assert seen[0].startswith("newsdesk-query") and seen[1] == 1
    fresh: list[int] = []  # a thread new to torch (an API request indexing an upload)
    thread = threading.Thread(
        target=lambda: (
            real_embedder.embed(["Rain is expected."]),
            fresh.append(torch.get_num_threads()),
        )
    )
    thread.start()
    thread.join()
    assert fresh == [real_embedder.threads] and real_embedder.threads == before
    assert real_embedder.query_threads.pool().submit(torch.get_num_threads).result() == 1


class NoTorch:
    """Stands in for torch where only its parallel backend is asked about."""

    __config__ = type("Config", (), {"parallel_info": staticmethod(lambda: "native")})


def test_query_threads_embed_each_question_whitespace_normalised_on_a_worker() -> None:
    import threading

    calls: list[tuple[list[str], str]] = []

    def embed(texts: Any) -> np.ndarray:
        calls.append((list(texts), threading.current_thread().name))
        return np.ones((len(texts), 3), dtype=np.float32)

    threads = QueryThreads(embed, NoTorch())
    for text in ["one", " one ", "two  words"]:
        assert threads.submit(text).result().shape == (3,)
    assert [texts for texts, _ in calls] == [["one"], ["one"], ["two words"]]
    assert all(name.startswith("newsdesk-query") for _, name in calls)
    threads.pool().shutdown()


def test_making_the_embedder_loads_nothing_until_warm_up() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from index.embedder import SentenceTransformersEmbedder as E; e = E(); "
        "print(e.is_warm, 'torch' in sys.modules, 'sentence_transformers' in sys.modules)"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert shown.stdout.split() == ["False", "False", "False"]


@pytest.fixture(scope="module")
def openvino_embedder() -> Any:
    """The real model run by OpenVINO."""
    from index.embedder import SentenceTransformersEmbedder

    embedder = SentenceTransformersEmbedder(engine="openvino")
    embedder.warm_up()
    return embedder


@pytest.mark.slow
def test_openvino_query_vectors_come_from_the_one_thread_model_on_a_worker(
    openvino_embedder: Any,
) -> None:
    import threading

    from index.query_vectors import is_query_thread

    real_embedder = openvino_embedder
    assert real_embedder.engine == "openvino" and real_embedder.threads >= 1
    seen = real_embedder.query_threads.pool().submit(
        lambda: (threading.current_thread().name, is_query_thread())
    )
    assert seen.result()[0].startswith("newsdesk-query") and seen.result()[1]
    assert not is_query_thread()
    question = "Where is the fiercest fighting?"
    np.testing.assert_allclose(
        real_embedder.submit_query(question).result(), real_embedder.embed([question])[0],
        atol=1e-5,
    )  # fmt: skip


@pytest.mark.slow
def test_warm_up_loads_the_model_once(real_embedder: Any) -> None:
    assert real_embedder.is_warm
    queries = real_embedder.query_threads
    real_embedder.warm_up()
    assert real_embedder.query_threads is queries
