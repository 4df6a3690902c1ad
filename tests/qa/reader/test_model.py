"""The reader model's span decoding (pure functions; the model itself: test_model_real)."""

from __future__ import annotations

import numpy as np

from qa.reader.model import MAX_SPAN_TOKENS, best_spans, whole_words


def test_best_span_takes_the_best_start_and_end_inside_the_sentence() -> None:
    start = np.array([9.0, 0.0, 1.0, 5.0, 0.0, 0.0])
    end = np.array([9.0, 0.0, 0.0, 0.0, 4.0, 1.0])
    mask = np.array([False, False, True, True, True, True])  # token 0 is the question's
    assert best_spans(start, end, mask, 1) == [(3, 4)]


def test_best_span_never_ends_before_it_starts_nor_runs_too_long() -> None:
    start = np.zeros(60)
    end = np.zeros(60)
    start[30], end[2] = 5.0, 5.0  # the best end lies before the best start
    end[30 + MAX_SPAN_TOKENS + 2] = 6.0  # and another too far after it
    spans = best_spans(start, end, np.ones(60, dtype=bool), 5)
    assert spans and all(first <= last < first + MAX_SPAN_TOKENS for first, last in spans)


def test_best_span_of_no_sentence_tokens_is_none() -> None:
    assert best_spans(np.zeros(3), np.zeros(3), np.zeros(3, dtype=bool), 1) == []


def test_whole_words_widens_word_pieces_and_trims_punctuation() -> None:
    sentence = "The winner was LeBron James, who scored 38,390 points."
    at = sentence.index("Bron")
    assert sentence[slice(*whole_words(sentence, (at, at + 6)))] == "LeBron James"
    at = sentence.index("38")
    assert sentence[slice(*whole_words(sentence, (at - 1, at + 9)))] == "38,390 points"
    quoted = 'He said "never again".'
    at = quoted.index('"')
    assert quoted[slice(*whole_words(quoted, (at, at + 13)))] == '"never again"'
