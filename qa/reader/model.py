"""The learned reader model, loaded once at startup: reads (question, sentence) pairs in
batches and returns, per sentence, an answer logit and the best short-answer spans.

The tokenisation and span decoding here are shared with training (bench/train_reader.py), so
the model is read exactly as it was trained.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from qa.reader.base import SentenceReading, Span

MAX_TOKENS = 128  # question + sentence word pieces (a sentence is cut, never the question)
MAX_SPAN_TOKENS = 16
MAX_ANSWER_WORDS = 10
ALTERNATIVES = 12  # best token spans decoded per sentence
BATCH_SIZE = 32
DEFAULT_WEIGHTS = Path(__file__).resolve().parent / "weights"


def encode_pairs(tokenizer: Any, questions: Sequence[str], sentences: Sequence[str]) -> Any:
    """The padded token batch of (question, sentence) pairs, with character offsets."""
    return tokenizer(
        list(questions),
        list(sentences),
        truncation="only_second",
        max_length=MAX_TOKENS,
        padding=True,
        return_offsets_mapping=True,
        return_tensors="pt",
    )


def sentence_tokens(encoding: Any, row: int) -> np.ndarray:
    """A boolean mask of the tokens of the sentence (the pair's second text) in ``row``."""
    ids = encoding.sequence_ids(row)
    return np.array([sid == 1 for sid in ids], dtype=bool)


def token_span(encoding: Any, row: int, span: Span) -> tuple[int, int] | None:
    """The first and last token of the character ``span`` of row's sentence, None when the
    span was cut off by MAX_TOKENS."""
    mask = sentence_tokens(encoding, row)
    offsets = encoding["offset_mapping"][row].tolist()
    inside = [i for i, (a, b) in enumerate(offsets) if mask[i] and a < span[1] and b > span[0]]
    return (inside[0], inside[-1]) if inside else None


def best_spans(
    start: np.ndarray, end: np.ndarray, mask: np.ndarray, count: int
) -> list[tuple[int, int]]:
    """The ``count`` token spans (first, last) inside ``mask`` of the highest start + end
    logits, best first, each at most MAX_SPAN_TOKENS long."""
    allowed = np.flatnonzero(mask)
    if not len(allowed):
        return []
    s, e = start[allowed], end[allowed]
    scores = s[:, None] + e[None, :]
    gaps = allowed[None, :] - allowed[:, None]
    scores[(gaps < 0) | (gaps >= MAX_SPAN_TOKENS)] = -np.inf
    flat = np.argsort(scores, axis=None)[::-1][:count]
    pairs = [np.unravel_index(int(i), scores.shape) for i in flat]
    return [(int(allowed[a]), int(allowed[b])) for a, b in pairs if np.isfinite(scores[a, b])]


def whole_words(sentence: str, span: Span) -> Span:
    """``span`` widened to whole words, trimmed of spaces and of punctuation at its ends
    (closing brackets and quotes kept when their opening one is inside)."""
    start, end = span
    while 0 < start < len(sentence) and sentence[start].isalnum() and sentence[start - 1].isalnum():
        start -= 1
    while 0 < end < len(sentence) and sentence[end - 1].isalnum() and sentence[end].isalnum():
        end += 1
    while start < end and not (sentence[start].isalnum() or sentence[start] in "$£€“\"'("):
        start += 1
    while end > start and not (sentence[end - 1].isalnum() or sentence[end - 1] in "%)”\"'"):
        end -= 1
    return start, end


def char_span(encoding: Any, row: int, tokens: tuple[int, int], sentence: str) -> Span | None:
    """The whole-word character span in ``sentence`` of a token span, None when it is empty
    or longer than MAX_ANSWER_WORDS words."""
    offsets = encoding["offset_mapping"][row].tolist()
    span = whole_words(sentence, (offsets[tokens[0]][0], offsets[tokens[1]][1]))
    words = sentence[span[0] : span[1]].split()
    return span if words and len(words) <= MAX_ANSWER_WORDS else None


def quantised(network: Any) -> Any:
    """``network`` with its linear layers dynamically quantised to int8 (torch's eager-mode
    API: deprecated in favour of torchao, which is not installed; still in torch 2.13)."""
    import warnings

    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", (DeprecationWarning, UserWarning))
        return torch.ao.quantization.quantize_dynamic(network, {torch.nn.Linear}, torch.qint8)


class ReaderModel:
    """The fine-tuned MiniLM reader (qa.reader.network), loaded in the constructor (slow:
    once, at startup); read() runs it on CPU in batches of BATCH_SIZE pairs. With ``int8``
    its linear layers are quantised dynamically to int8 (bench/RESULTS.md: about 2.5x faster
    on this AVX2 CPU)."""

    def __init__(self, base_path: Path, weights: Path = DEFAULT_WEIGHTS, int8: bool = True) -> None:
        import torch
        from transformers import AutoTokenizer

        from qa.reader.network import load_network

        self._torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(str(base_path), local_files_only=True)
        self.network: Any = load_network(base_path, weights)
        if int8:
            self.network = quantised(self.network)

    def read(self, question: str, sentences: Sequence[str]) -> list[SentenceReading]:
        """One reading per sentence: its answer logit and best short-answer spans."""
        readings: list[SentenceReading] = []
        for start in range(0, len(sentences), BATCH_SIZE):
            readings += self._read_batch(question, sentences[start : start + BATCH_SIZE])
        return readings

    def _read_batch(self, question: str, sentences: Sequence[str]) -> list[SentenceReading]:
        encoding = encode_pairs(self.tokenizer, [question] * len(sentences), sentences)
        with self._torch.inference_mode():
            relevance, start, end = self.network(
                encoding["input_ids"], encoding["attention_mask"], encoding["token_type_ids"]
            )
        starts, ends = start.numpy(), end.numpy()
        readings = []
        for row, sentence in enumerate(sentences):
            mask = sentence_tokens(encoding, row)
            scored: dict[Span, float] = {}  # best first: a span's first tokens score best
            for first, last in best_spans(starts[row], ends[row], mask, ALTERNATIVES):
                span = char_span(encoding, row, (first, last), sentence)
                if span is not None and span not in scored:
                    scored[span] = float(starts[row][first] + ends[row][last])
            readings.append(
                SentenceReading(float(relevance[row]), tuple(scored), tuple(scored.values()))
            )
        return readings
