"""Quality measures of retrieval and answers, as defined in shared/eval/README.md."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

K = TypeVar("K")
T = TypeVar("T")
_OTHER = re.compile(r"[^a-z0-9$%]+")


def normalise(text: str) -> str:
    """Lower-case, strip accents, turn every run of characters other than a-z 0-9 $ % into
    one space, and trim."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _OTHER.sub(" ", plain).strip()


def contains_answer(text: str, answer: str) -> bool:
    """True when the normalised ``answer`` occurs in the normalised ``text`` as whole words;
    an answer that normalises to nothing is never found."""
    needle = normalise(answer)
    return bool(needle) and f" {needle} " in f" {normalise(text)} "


def recall_at_k(texts: Sequence[str], answer: str, k: int) -> bool:
    """True when one of the first ``k`` ranked texts contains the answer."""
    return any(contains_answer(text, answer) for text in texts[:k])


def cut_at_chars(texts: Iterable[str], budget: int) -> list[str]:
    """The ranked texts read in order until ``budget`` characters in all; the last one cut."""
    kept: list[str] = []
    for text in texts:
        if budget <= 0:
            break
        kept.append(text[:budget])
        budget -= len(kept[-1])
    return kept


def recall_at_chars(texts: Iterable[str], answer: str, budget: int) -> bool:
    """True when the answer is in the ranked texts read up to ``budget`` characters (each text
    matched on its own, so no match spans two passages)."""
    return any(contains_answer(text, answer) for text in cut_at_chars(texts, budget))


def reciprocal_rank(article_ids: Iterable[str], gold: Iterable[str], k: int = 10) -> float:
    """1/rank of the first gold article among the distinct ranked articles (first ``k``
    distinct articles only), 0.0 when none is there."""
    wanted = set(gold)
    seen: list[str] = []
    for article_id in article_ids:
        if article_id in seen:
            continue
        seen.append(article_id)
        if len(seen) > k:
            break
        if article_id in wanted:
            return 1.0 / len(seen)
    return 0.0


def percentile(values: Sequence[float], share: float) -> float:
    """The ``share`` (0..1) percentile of ``values`` by the nearest-rank method; NaN if empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    index = max(0, math.ceil(share * len(ordered)) - 1)
    return ordered[min(index, len(ordered) - 1)]


def mean(values: Sequence[float]) -> float:
    """The arithmetic mean, NaN for no values."""
    return sum(values) / len(values) if values else math.nan


def fold_chosen(
    by_setting: Mapping[K, Sequence[T]], fit: Callable[[list[T]], Any], folds: int = 5
) -> tuple[list[T], list[K]]:
    """Cross-validated choice of a setting: ``by_setting`` holds each setting's result per
    question; question n is in fold n % folds. Per fold, the setting whose results on the
    other folds ``fit`` scores highest (the first of equals) gives the fold's results.
    Returns every question's held-out result, in question order, and each fold's choice."""
    count = len(next(iter(by_setting.values())))
    chosen: list[K] = []
    for fold in range(folds):
        train = [n for n in range(count) if n % folds != fold]
        best = max(by_setting, key=lambda key: fit([by_setting[key][n] for n in train]))
        chosen.append(best)
    held_out = [by_setting[chosen[n % folds]][n] for n in range(count)]
    return held_out, chosen


def sign_test(wins: int, losses: int) -> float:
    """The two-sided exact sign test's p-value of ``wins`` against ``losses`` (ties dropped):
    how often a fair coin gives a split at least this uneven."""
    n = wins + losses
    if n == 0:
        return 1.0
    k = min(wins, losses)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2**n
    return min(1.0, 2 * tail)
