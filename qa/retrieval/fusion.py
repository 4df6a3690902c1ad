"""Fusing ranked candidate lists into one ranking: reciprocal rank fusion, a preference for
recent articles, context from neighbouring paragraphs and the whole article, and removal of
near-duplicate paragraphs."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

_NOT_WORD = re.compile(r"[^a-z0-9$%]+")


@dataclass(frozen=True)
class FusionParams:
    """The general knobs of fusion, chosen by measurement (bench/quality.py, bench/RESULTS.md)."""

    rrf_k: float = 30.0  # rank offset of reciprocal rank fusion: higher = flatter
    dense_weight: float = 1.0
    keyword_weight: float = 1.0
    sentence_weight: float = 0.5  # candidates ranked by their best stored sentence's cosine
    window_weight: float = 1.0  # lists restricted to the as-of window, relative to the others
    window_pool: int = 4  # with a window, pools of this many x settings.candidates are read
    inside_boost: float = 0.0  # score x (1 + boost) when published in the as-of window
    after_penalty: float = 0.2  # score x (1 - penalty) when published after the as-of day
    neighbour_weight: float = 0.0  # share of the previous/next paragraphs' scores added
    article_weight: float = 0.0  # share of the article's best paragraph score added
    common_share: float = 0.1  # keyword terms in more paragraphs than this are dropped (1 = none)
    duplicate_overlap: float = 0.8  # word-trigram overlap above which a paragraph is a copy
    one_per_story: bool = True  # keep the best paragraph of each indexed story (wire copies)


@dataclass(frozen=True)
class RankedList:
    """Candidate paragraph ids from one retriever, best first, and that list's weight."""

    ids: Sequence[str]
    weight: float


def reciprocal_rank_fusion(lists: Iterable[RankedList], rrf_k: float) -> dict[str, float]:
    """Sum over lists of weight / (rrf_k + rank), rank counted from 1."""
    scores: dict[str, float] = {}
    for ranked in lists:
        for rank, paragraph_id in enumerate(ranked.ids, start=1):
            share = ranked.weight / (rrf_k + rank)
            scores[paragraph_id] = scores.get(paragraph_id, 0.0) + share
    return scores


def split_id(paragraph_id: str) -> tuple[str, int]:
    """``"article#3"`` -> ``("article", 3)`` (article ids may themselves contain "#")."""
    article_id, _, number = paragraph_id.rpartition("#")
    return article_id, int(number) if number.isdigit() else -1


def add_context(scores: dict[str, float], neighbour: float, article: float) -> dict[str, float]:
    """Each paragraph's score plus ``neighbour`` x its neighbours' scores and ``article`` x the
    best score among its article's other candidates (a lone paragraph borrows the who, where
    and when its article talks about)."""
    if not neighbour and not article:
        return scores
    top_two: dict[str, tuple[float, float]] = {}
    for paragraph_id, score in scores.items():
        first, second = top_two.get(split_id(paragraph_id)[0], (0.0, 0.0))
        pair = (score, first) if score > first else (first, max(second, score))
        top_two[split_id(paragraph_id)[0]] = pair
    context: dict[str, float] = {}
    for paragraph_id, score in scores.items():
        article_id, number = split_id(paragraph_id)
        near = scores.get(f"{article_id}#{number - 1}", 0.0)
        near += scores.get(f"{article_id}#{number + 1}", 0.0)
        first, second = top_two[article_id]
        other = second if score >= first else first
        context[paragraph_id] = score + neighbour * near + article * other
    return context


def apply_recency(
    scores: dict[str, float], placement: Callable[[str], str], params: FusionParams
) -> dict[str, float]:
    """Scores scaled up inside the as-of window and down after the as-of day;
    ``placement(paragraph_id)`` says where each paragraph's article was published."""
    factors = {"inside": 1.0 + params.inside_boost, "after": 1.0 - params.after_penalty}
    return {pid: score * factors.get(placement(pid), 1.0) for pid, score in scores.items()}


def shingles(text: str) -> frozenset[tuple[str, ...]]:
    """The word trigrams of the normalised text (the words themselves for very short texts)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    words = _NOT_WORD.sub(" ", decomposed).split()
    if len(words) < 3:
        return frozenset((word,) for word in words)
    return frozenset(zip(words, words[1:], words[2:], strict=False))


def is_copy(a: frozenset[tuple[str, ...]], b: frozenset[tuple[str, ...]], limit: float) -> bool:
    """True when the smaller trigram set is mostly inside the other (same wire copy, or one
    version of a paragraph extended by a sentence)."""
    if not a or not b:
        return a == b
    return len(a & b) / min(len(a), len(b)) > limit


def drop_copies(ranked: Iterable[str], texts: dict[str, str], limit: float, k: int) -> list[str]:
    """The first ``k`` ids of ``ranked`` that are not near-copies of a better-ranked kept one."""
    return list(group_copies(ranked, texts, limit, k))


def group_copies(
    ranked: Iterable[str], texts: dict[str, str], limit: float, k: int
) -> dict[str, list[str]]:
    """``drop_copies``'s kept ids, in order, each with the ids dropped as its copies."""
    kept: dict[str, list[str]] = {}
    kept_shingles: list[tuple[str, frozenset[tuple[str, ...]]]] = []
    for paragraph_id in ranked:
        current = shingles(texts[paragraph_id])
        original = next((i for i, other in kept_shingles if is_copy(current, other, limit)), None)
        if original is not None:
            kept[original].append(paragraph_id)
            continue
        kept[paragraph_id] = []
        kept_shingles.append((paragraph_id, current))
        if len(kept) == k:
            break
    return kept


def one_per_story(
    ranked: Iterable[str], story_of: Mapping[str, int]
) -> tuple[list[str], dict[str, list[str]]]:
    """``ranked`` with only the best-ranked paragraph of each story (paragraphs without one
    are all kept), and the other candidates of each kept one's story."""
    kept: list[str] = []
    first: dict[int, str] = {}
    others: dict[str, list[str]] = {}
    for paragraph_id in ranked:
        story = story_of.get(paragraph_id)
        if story is not None and story in first:
            others.setdefault(first[story], []).append(paragraph_id)
            continue
        if story is not None:
            first[story] = paragraph_id
        kept.append(paragraph_id)
    return kept, others
