"""Where what was said begins and ends around a reporting cue: after "said (that)" or a
recipient ("told CNN"), inside an adjacent quotation, or before the speaker ("“...,” X said")."""

from __future__ import annotations

import re

from index.words import BRIDGE

THAT = re.compile(r"\bthat\b")
AFTER_TOLD = re.compile(r"\s*(?:[A-Z][\w'’.\-]*\s+|of\s+|(?:the|The)\s+(?=[A-Z]))*")
# Nothing but a name up to the clause's end ("told CNN.", "told The Guardian").
ONLY_NAMES = re.compile(r"\s*(?:(?:the|The|of|[A-Z][\w'’.&\-]*)\s*)+[.,;!?]*\s*$")
# When it was said, right after the cue ("said Monday", "said on Feb. 6,", "said last week"):
# not part of what was said.
_DAY = (
    r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|today|yesterday|tonight|"
    r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?(?:[a-z]*)?\s+\d{1,2}|"
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
    r"\s+\d{1,2}"
)
LEAD_TIME = re.compile(
    rf"\s*(?:(?:on|early|late|earlier|last|this)\s+)?(?:{_DAY}|(?:last|this|earlier|later)\s+"
    r"(?:week|month|year|night|morning|afternoon|evening))(?:,\s*\d{4})?\b,?",
)
# Whom it was told, right after "told" in lower case ("told reporters", "told a local TV
# station"): not part of what was said either.
LEAD_ADDRESSEE = re.compile(
    r"\s*(?:(?:a|an|the)\s+)?(?:[\w’'-]+\s+){0,3}?(?:reporters|journalists|lawmakers|"
    r"supporters|students|voters|listeners|viewers|audience|crowd|station|newspaper|outlet|"
    r"podcast|committee|show|network|magazine)\b,?"
)
STOP = " \t\n,;:.—–-"
OPEN = '“"'
CLOSE = '”"'


def has_that(rest: str) -> re.Match[str] | None:
    """The "that" opening reported speech, when only bridge words come before it."""
    that = THAT.search(rest, 0, 90)
    if that is None:
        return None
    bridge = re.findall(r"[\w'’]+", rest[: that.start()])
    ok = len(bridge) <= 8 and all(
        w[:1].isupper() or w.lower() in BRIDGE or w.isdigit() for w in bridge
    )
    return that if ok else None


def content_after(
    text: str, begin: int, end: int, words: str, quotes: list[tuple[int, int]]
) -> tuple[int, int] | None:
    """What follows the cue up to the end of the clause, after "that" or a recipient."""
    begin, addressed = skip_lead_in(text, begin, end, words)
    rest = text[begin:end]
    if words in ("told", "tells") and ONLY_NAMES.match(rest):
        return None  # "..., a US official told CNN.": whom, not what
    that = has_that(rest)
    if that is not None:
        begin += that.end()
    elif words in ("told", "tells") and not addressed:
        begin += AFTER_TOLD.match(rest).end()  # type: ignore[union-attr]
    quote = next(((s, e) for s, e in quotes if begin <= s and s - begin < 40 and s < end), None)
    # The quotation alone when nothing follows it; else (“old pipes,” rusted valves ... were
    # replaced) a quoted phrase opens reported speech that goes on after it.
    alone = quote is not None and not text[quote[1] : end].strip(STOP + ".!?")
    if quote is not None and alone and not text[begin : quote[0]].strip(STOP):
        return trim(text, quote[0] + 1, quote[1] - 1)
    return trim(text, begin, end)


def skip_lead_in(text: str, begin: int, end: int, words: str) -> tuple[int, bool]:
    """Where what was said can start after a cue at ``begin``: past the time it was said and,
    after "told", whom it was told ("told reporters Monday"); and whether a whom was passed."""
    leads = [LEAD_TIME, *([LEAD_ADDRESSEE] if words in ("told", "tells") else [])]
    addressed, moved = False, True
    while moved:
        moved = False
        for lead in leads:
            match = lead.match(text, begin, end)
            if match is not None and match.end() > begin:
                begin, moved = match.end(), True
                addressed = addressed or lead is LEAD_ADDRESSEE
    return begin, addressed


def content_before(
    text: str, start: int, cue_start: int, quotes: list[tuple[int, int]]
) -> tuple[int, int] | None:
    """The quote closing just before the cue, else the clause from the sentence start."""
    closing = [q for q in quotes if q[1] <= cue_start and not text[q[1] : cue_start].strip(" ,")]
    if closing:
        return trim(text, closing[-1][0] + 1, closing[-1][1] - 1)
    return trim(text, start, cue_start)


def trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """``(start, end)`` narrowed past spaces, punctuation and quote marks; None if empty."""
    while start < end and text[start] in STOP + OPEN + CLOSE:
        start += 1
    while end > start and text[end - 1] in STOP + OPEN + CLOSE + ".!?":
        end -= 1
    return (start, end) if end - start >= 3 else None
