"""The fast word-piece counter gives exactly the model tokenizer's counts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from index.embedder import TokenCounter, _untruncated_copy, default_model_path
from index.query_vectors import QUERY_CACHE_SIZE, QueryVectors
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


def test_query_vectors_come_from_one_thread_workers_and_leave_the_caller_alone(
    real_embedder: Any,
) -> None:
    import threading

    import torch

    before = torch.get_num_threads()
    question = "Where is the fiercest  fighting?"
    future = real_embedder.submit_query(question)
    vector = future.result()
    assert np.allclose(
        vector, real_embedder.embed(["Where is the fiercest fighting?"])[0], atol=1e-5
    )
    assert real_embedder.embed_query(question) is vector  # cached: asked once per question
    assert torch.get_num_threads() == before  # indexing keeps all its threads
    seen = (
        real_embedder._queries._pool()
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
    assert real_embedder._queries._pool().submit(torch.get_num_threads).result() == 1


def test_query_vectors_cache_the_latest_questions_only() -> None:
    calls: list[list[str]] = []

    def embed(texts: Any) -> np.ndarray:
        calls.append(list(texts))
        return np.ones((len(texts), 3), dtype=np.float32)

    class NoTorch:
        __config__ = type("Config", (), {"parallel_info": staticmethod(lambda: "native")})

    vectors = QueryVectors(embed, NoTorch())
    for text in ["one", "two", "one", " one "] + [f"q{n}" for n in range(QUERY_CACHE_SIZE)]:
        vectors.get(text)
    vectors.get("one")
    assert calls.count(["one"]) == 2 and calls.count(["two"]) == 1
    vectors._pool().shutdown()
