"""The reporting shapes whose speaker is not simply the words before the cue: "“...,” said
X" (inverted), "X, the lead attorney, said" (appositive) and "according to X"; and where
what was said lies around a cue (after it, or a quotation closing before the speaker)."""

from __future__ import annotations

import re

from index.statements.quotes import Found
from index.statements.spans import OPEN, STOP, content_after, content_before, has_that, trim
from index.statements.speakers import speaker_from_phrase
from index.words import TITLE_MODIFIERS

_MODIFIER = re.compile(
    r"\s*(?:in|at|during|on|after|before|from|for|with|via|to|last|this|"
    r"earlier|later|when|while|as|,|$)",
    re.IGNORECASE,
)
# Lower-case words that may open a speaker phrase after the cue ("said former Gov. X").
_SPEAKER_OPENERS = frozenset({"the", "a", "an"}) | TITLE_MODIFIERS
_INVERTED_WORDS = 10  # at most, in the speaker phrase after the cue ("..., said X")
_CLAUSE_END = re.compile(
    r"[,;:]|\s+(?:in|on|at|during|to|after|before|while|from|for)\s+(?=[a-z0-9])"
)


def content(
    text: str,
    start: int,
    before_end: int,
    after_start: int,
    end: int,
    words: str,
    quotes: list[tuple[int, int]],
) -> tuple[int, int] | None:
    """What was said: after the cue ("said that ..."), or before the speaker ("“...,” X said
    at the time") when only a modifier follows the cue."""
    before = content_before(text, start, before_end, quotes)
    after = content_after(text, after_start, end, words, quotes)
    rest = text[after_start:end]
    if rest.lstrip(" ,:")[:1] in OPEN and after is not None:
        return after
    # "“...,” Trump told Yahoo Finance in October": a quote closing right before the speaker
    # is what was said, whatever follows the cue (a time, an addressee), unless "that" opens
    # reported speech after it.
    quoted_before = any(e <= before_end and not text[e:before_end].strip(" ,") for _, e in quotes)
    modifier_only = _MODIFIER.match(rest) is not None or quoted_before
    if before is not None and (after is None or (modifier_only and not has_that(rest))):
        return before
    return after


def starts_with_preposition(phrase: str) -> bool:
    first = phrase.strip().split(" ", 1)[0].lower()
    return first in {"with", "in", "on", "at", "for", "from", "of", "by", "to", "after", "into"}


def inverted(
    text: str,
    start: int,
    end: int,
    cue: re.Match[str],
    words: str,
    quotes: list[tuple[int, int]],
) -> Found | None:
    """ "“...,” said Dr. Oliver Brooks, chief medical officer" and "..., said the BBC"."""
    if words in ("told", "tells"):
        return None
    after = text[cue.end() : end]
    match = _CLAUSE_END.search(after)
    phrase = (after[: match.start()] if match else after).strip().rstrip(".!?")
    first = phrase.split(" ", 1)[0]
    if not first or (first.islower() and first not in _SPEAKER_OPENERS):
        return None
    if len(phrase.split()) > _INVERTED_WORDS:
        return None  # "X conceded the city could cut the limit through the Twin Pairs": a clause
    speaker = speaker_from_phrase(phrase)
    if speaker is None or speaker.kind == "pronoun":
        return None
    span = content_before(text, start, cue.start(), quotes) or _quote_after(
        text, cue.end() + (match.end() if match else len(after)), quotes
    )
    return None if span is None else Found(speaker, phrase, words, *span)


def _quote_after(text: str, position: int, quotes: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The quotation that starts right after ``position`` (past a colon or comma and spaces):
    what was said in "Added former Gov. Thomas H. Kean: “He was one of the best.”"."""
    return next(((s, e) for s, e in quotes if s >= position and not text[position:s].strip()), None)


def appositive(
    text: str,
    start: int,
    end: int,
    cue: re.Match[str],
    words: str,
    quotes: list[tuple[int, int]],
) -> Found | None:
    """ "Michael Hausfeld, the lead attorney for the plaintiffs, said ...": the first chunk
    between commas that names someone names the speaker."""
    first = max([start] + [e for _, e in quotes if e <= cue.start()])
    first = max(first, text.rfind(":", first, cue.start()) + 1)  # after a dateline "Moscow:"
    chunks = [c for c in re.split(r"[,:;—]", text[first : cue.start()]) if c.strip()]
    chunks = [c for c in chunks if not starts_with_preposition(c)]  # "In Texas, ..."
    chosen = [(c, speaker_from_phrase(c)) for c in chunks]
    named = [(c, s) for c, s in chosen if s is not None and s.kind in ("person", "group")]
    if not named:
        return None
    # a name before a description ("David Sherborne, Harry's lawyer, said"), and a name
    # after a possessive one ("Harry's lawyer, David Sherborne, said"): Sherborne either way
    chunk, speaker = min(named, key=lambda n: not n[1].name.split()[-1][:1].isupper())
    assert speaker is not None
    span = content(text, start, first if first > start else start, cue.end(), end, words, quotes)
    return None if span is None else Found(speaker, chunk.strip(), words, *span)


def according_to(text: str, start: int, end: int, cue: re.Match[str]) -> Found | None:
    """ "According to X, CONTENT." and "CONTENT, according to X."."""
    after = text[cue.end() : end]
    comma = after.find(",")
    phrase = after[:comma] if comma >= 0 else after.rstrip(".!?")
    speaker = speaker_from_phrase(phrase)
    if speaker is None:
        return None
    if text[start : cue.start()].strip(STOP):
        span = trim(text, start, cue.start())
    else:
        span = trim(text, cue.end() + comma + 1, end) if comma >= 0 else None
    return None if span is None else Found(speaker, phrase.strip(), "according to", *span)
