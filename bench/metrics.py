"""Quality measures of retrieval and answers, as defined in shared/eval/README.md."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence

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
