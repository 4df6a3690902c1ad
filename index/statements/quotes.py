"""Quotations around the statements found by their cues: the first half of a quotation split
around its reporting clause, quotations that continue an attributed one, and a quote widened
to its marks so that a direct quote is verbatim."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from index.statements.spans import OPEN, trim
from index.statements.speakers import Speaker


@dataclass(frozen=True)
class Found:
    """A statement before speaker resolution: offsets are into the paragraph text."""

    speaker: Speaker
    mention: str
    cue: str
    start: int
    end: int


def split_quotes(text: str, quotes: list[tuple[int, int]], found: list[Found]) -> list[Found]:
    """The first half of a quotation split around its reporting clause (“A,” she said, “B.”):
    a quotation closing just before the clause of a statement that quotes the second half."""
    extra: list[Found] = []
    for f in found:
        second = next(((s, e) for s, e in quotes if s < f.start < e), None)
        if second is None:
            continue
        first = next((q for q in reversed(quotes) if q[1] <= second[0]), None)
        if first is None or any(first[0] <= g.start < first[1] for g in found):
            continue
        clause = text[first[1] : second[0]]
        if len(clause) <= 80 and f.cue in clause.lower() and clause.rstrip()[-1:] in ",:":
            extra.append(Found(f.speaker, f.mention, f.cue, first[0], first[1]))
    return extra


# What may stand between a statement's start and the quotation it gives: an adverb, where it
# was said and a colon or comma ("simply: “Not guilty.”", "via Twitter “I hope ...”").
_LEAD = re.compile(
    r"(?:\w+ly\b\s*)?(?:(?:via|on|in)\s+(?:[A-Z][\w.]*\s+){1,3})?[:,]?\s*",
)
# A quotation closing reported speech after a conjunction ("..., but “we are ready.”").
_COORDINATED_QUOTE = re.compile(r",?\s+(?:but|and)\s+$")


def verbatim(text: str, found: Found, quotes: list[tuple[int, int]]) -> Found:
    """``found`` with a content that is a quotation, or a quotation after a short lead,
    widened to the whole quotation, marks and inner punctuation included (“We will win,”):
    a direct quote is shown verbatim (the first of :func:`quoted`)."""
    return quoted(text, found, quotes)[0]


def quoted(text: str, found: Found, quotes: list[tuple[int, int]]) -> list[Found]:
    """:func:`verbatim`'s widening, and a reported clause that ends in a quotation after "but"
    or "and" made two statements, the clause and the quotation."""
    for q_start, q_end in quotes:
        inside = q_start < found.start and found.end < q_end
        if inside and trim(text, q_start + 1, q_end - 1) == (found.start, found.end):
            return [replace(found, start=q_start, end=q_end)]
        lead = _LEAD.fullmatch(text, found.start, q_start)
        if lead is not None and found.start < q_start < found.end <= q_end:
            return [replace(found, start=q_start, end=q_end)]  # "simply: “Not guilty"
        joined = _COORDINATED_QUOTE.search(text, found.start, q_start)
        if joined and found.start < joined.start() and q_end - 2 <= found.end <= q_end:
            clause = trim(text, found.start, joined.start())
            if clause is not None and len(text[q_start:q_end].split()) >= 4:
                head = replace(found, start=clause[0], end=clause[1])
                return [head, replace(found, start=q_start, end=q_end)]
    return [found]


def continued_quotes(text: str, quotes: list[tuple[int, int]], found: list[Found]) -> list[Found]:
    """Quotations with no cue of their own that follow an attributed quotation in the same
    paragraph ("“A,” X said. “B.”"): B is X's too."""
    extra: list[Found] = []
    direct = [f for f in found if text[f.start - 1 : f.start] in OPEN]
    for q_start, q_end in quotes:
        covered = any(f.start - 1 <= q_start < f.end + 1 for f in found)
        before = [f for f in direct if f.end < q_start]
        if covered or not before or len(text[q_start:q_end].split()) < 3:
            continue
        last = before[-1]
        alone = not text[q_end:].split("\n", 1)[0][:2].strip(" .,") or text[q_end - 2] in ".?!,"
        between = [f for f in found if last.end < f.start < q_start]
        if alone and all(f.speaker == last.speaker for f in between):
            extra.append(Found(last.speaker, last.mention, last.cue, q_start, q_end))
    return extra
