"""Statements a participle adds to the one before it in its sentence: "“...,” Harris said,
adding that the administration would help" is two statements of Harris."""

from __future__ import annotations

import re
from dataclasses import replace

from index.split.sentences import sentence_spans
from index.statements.quotes import Found
from index.statements.spans import trim
from index.words import PARTICIPLE_CUES

_PARTICIPLE = re.compile(rf",\s+(?P<cue>{'|'.join(sorted(PARTICIPLE_CUES))})\s+(?:that\s+)?")


def with_participles(text: str, quotes: list[tuple[int, int]], found: list[Found]) -> list[Found]:
    """``found`` and one statement per ", adding that ..." (and the like) outside quotations,
    by the speaker of the statement before it in the same sentence, up to the sentence's end;
    a statement running over the participle ends before it."""
    found = list(found)
    for start, end in sentence_spans(text):
        for match in _PARTICIPLE.finditer(text, start, end):
            at = match.start()
            span = trim(text, match.end(), end)
            if span is None or any(s < at < e for s, e in quotes):
                continue
            if any(span[0] <= f.start < span[1] for f in found):
                continue  # "noting that Topsy reported ...": Topsy's statement, not a second
            covering = [i for i, f in enumerate(found) if f.start <= at < f.end]
            if covering:
                cut = trim(text, found[covering[0]].start, at)
                if cut is None:
                    continue
                found[covering[0]] = replace(found[covering[0]], start=cut[0], end=cut[1])
            before = [f for f in found if start <= f.start < at]
            if before:
                last = before[-1]
                found.append(Found(last.speaker, last.mention, match.group("cue"), *span))
    return found
