"""The fast word-piece counter gives exactly the model tokenizer's counts."""

from __future__ import annotations

from typing import Any

import pytest

from index.embedder import TokenCounter, _untruncated_copy, default_model_path
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
