"""Answer votes: the short answer chosen by what the reader's spans say across every sentence
it read, not in the best sentence alone.

News repeats its facts: the answer to a quiz question is a phrase that several read sentences
hold, while a wrong phrase of the best sentence often stands alone. Every read sentence votes
for its usable spans (not the whole sentence, holding a word the question lacks) with its
weight, a softmax of the sentence scores at ``temperature``, shared between its spans by a
softmax of their span logits. A phrase's share of the votes also counts ``contained_share``
of the votes of the phrases inside it ("Tom Brady" gains those of "Brady"). A span's value is
its sentence's score plus ``weight`` times its phrase's share, less ``word_cost`` per word (a
long span around a voted name should not beat the name). The span of the highest value, among
those of the kind asked when there are any, is the short answer, and its sentence the quote
trusted most. The constants (VoteParams) were chosen on realtimeqa-dev and are reported
cross-validated, five folds (bench/reader.py --votes; bench/RESULTS.md).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from index.words import DETERMINERS
from qa.answer.candidates import Candidate
from qa.reader.base import Span

_OTHER = re.compile(r"[^a-z0-9$%]+")


def phrase_key(text: str) -> str:
    """What two spans saying the same phrase share: lower case, accents and punctuation gone
    ("U.S." and "U.S" alike), a leading determiner dropped ("the Lyrids")."""
    plain = unicodedata.normalize("NFKD", text.lower())
    words = _OTHER.sub(" ", "".join(c for c in plain if not unicodedata.combining(c))).split()
    if len(words) > 1 and words[0] in DETERMINERS:
        words = words[1:]
    return " ".join(words)


@dataclass(frozen=True)
class VoteParams:
    """The constants of the vote (see the module); ``per_article`` False makes each sentence
    a voter of its own (bench/votes.py compares)."""

    temperature: float = 2.0
    weight: float = 1.0
    contained_share: float = 1.0
    word_cost: float = 0.02
    per_article: bool = True


VOTES = VoteParams()  # the shipped constants


@dataclass(frozen=True)
class Vote:
    """The voted short answer: a span of a read candidate, and its value (see the module)."""

    candidate: Candidate
    span: Span
    value: float
    share: float  # its phrase's share of the votes, with those of the phrases inside it


SpanFilter = Callable[[str, Span], bool]  # (sentence, span) -> whether the span qualifies


def voted_answer(
    read: Sequence[Candidate],
    usable: SpanFilter,
    preferred: SpanFilter,
    params: VoteParams | None = None,
) -> Vote | None:
    """The span of the highest value among the ``usable`` spans of ``read`` (candidates with
    readings and scores), only ``preferred`` ones (of the kind asked) when any sentence has
    one; None when no read sentence has a usable span. Every usable span votes."""
    if not read:
        return None
    params = params or VOTES
    spans = [_spans(candidate, usable) for candidate in read]
    shares = _shares(read, spans, params)
    best: Vote | None = None
    for pick in (preferred, None):
        for candidate, own in zip(read, spans, strict=True):
            for span, key, _ in own:
                if pick is not None and not pick(candidate.text, span):
                    continue
                words = len(key.split())
                value = candidate.score + params.weight * shares[key] - params.word_cost * words
                if best is None or value > best.value:
                    best = Vote(candidate, span, value, shares[key])
        if best is not None:
            return best
    return None


_Scored = tuple[Span, str, float]  # a span, its phrase key, its span logit


def _spans(candidate: Candidate, usable: SpanFilter) -> list[_Scored]:
    """The candidate's usable spans, each with its phrase key and span logit."""
    reading, text = candidate.reading, candidate.text
    if reading is None:
        return []
    logits = reading.span_scores or (0.0,) * len(reading.spans)
    scored = [
        (span, phrase_key(text[span[0] : span[1]]), logit)
        for span, logit in zip(reading.spans, logits, strict=True)
        if usable(text, span)
    ]
    return [s for s in scored if s[1]]


def _shares(
    read: Sequence[Candidate], spans: list[list[_Scored]], params: VoteParams
) -> dict[str, float]:
    """Each phrase's share of the votes, plus ``contained_share`` of those of the phrases
    inside it. With ``per_article`` an article votes for a phrase once, with its best
    sentence's vote: an article repeating its topic ("Ukraine" in every paragraph) is one
    source, not many."""
    top = max(c.score for c in read)
    ballots: dict[tuple[str, str], float] = defaultdict(float)  # (voter, phrase) -> vote
    for number, (candidate, own) in enumerate(zip(read, spans, strict=True)):
        if not own:
            continue
        voter = candidate.passage.article_id if params.per_article else str(number)
        weight = math.exp((candidate.score - top) / params.temperature)
        best = max(logit for _, _, logit in own)
        parts = [math.exp(logit - best) for _, _, logit in own]
        for (_, key, _), part in zip(own, parts, strict=True):
            vote = weight * part / sum(parts)
            ballots[voter, key] = max(ballots[voter, key], vote)
    votes: dict[str, float] = defaultdict(float)
    for (_, key), vote in ballots.items():
        votes[key] += vote
    total = sum(votes.values())
    own_share = {key: vote / total for key, vote in votes.items()}
    inside = params.contained_share
    return {key: share + inside * _inside(key, own_share) for key, share in own_share.items()}


def _inside(key: str, shares: dict[str, float]) -> float:
    """The summed shares of the other phrases whose words run inside ``key``'s."""
    words = key.split()
    inner = {
        " ".join(words[i:j])
        for i in range(len(words))
        for j in range(i + 1, len(words) + 1)
        if j - i < len(words)
    }
    return sum(shares.get(phrase, 0.0) for phrase in inner)
