"""How stored statements are shown: one answer line each (speaker, reporting verb, what was
said verbatim, the date when asked across articles) and the citation of its paragraph."""

from __future__ import annotations

import re
from collections import Counter

from index.statements.speakers import fold, one_person
from index.statements.store import StoredStatement
from qa.models import Citation

_OPEN, _CLOSE = '“"', '”"'
# "X told that ..." reads wrong without the recipient ("told reporters"): shown as "said".
_CUE_SHOWN = {"told": "said", "tells": "says"}


def statement_line(s: StoredStatement, name: str, paragraph: str, dated: bool) -> str:
    """ "Valery Gerasimov asserted that <what was said, verbatim>": only the speaker's name,
    the reporting words (and "that" when the article has it) and the date when ``dated``."""
    content = s.content
    quoted = paragraph[s.start - 1 : s.start] in _OPEN and paragraph[s.end : s.end + 1] in _CLOSE
    cue = _CUE_SHOWN.get(s.cue.lower(), s.cue)
    if s.cue == "according to":
        line = f"According to {name}, {content}"
    elif content[:1] in _OPEN and s.mode == "direct":
        line = f"{name} {cue}: {content}"  # the quote, marks and all
    elif quoted and s.start > 0:  # an index made before quotes kept their marks
        line = f"{name} {cue}: “{content}”"
    elif re.search(r"\bthat\s*$", paragraph[: s.start]):
        line = f"{name} {cue} that {content}"
    else:
        line = f"{name} {cue} {content}"
    return f"{s.published or 'Undated'}: {line}" if dated else line


def statement_citation(n: int, s: StoredStatement, paragraph: str) -> Citation:
    """The citation [n] of a statement: the quote is what was said, ``paragraph[start:end]``."""
    return Citation(
        n=n,
        article_id=s.article_id,
        title=s.title,
        url=s.url,
        published=s.published,
        source=s.source,
        paragraph=s.paragraph_number,
        paragraph_text=paragraph,
        quote=s.content,
        span=(s.start, s.end),
        score=1.0,
    )


def short(s: StoredStatement) -> str:
    """How a speaker is named after the first line: a person by surname."""
    return s.speaker.rsplit(" ", 1)[-1] if one_person(s.speaker, s.kind) else s.speaker


def unique(found: list[StoredStatement]) -> list[StoredStatement]:
    """The statements without repeats (reprinted wire copy): same speaker, same words."""
    seen: set[tuple[str, str]] = set()
    kept: list[StoredStatement] = []
    for s in found:
        key = (s.speaker_key, fold(s.content))
        if key not in seen:
            seen.add(key)
            kept.append(s)
    return kept


def most_common(found: list[StoredStatement]) -> tuple[str, str]:
    """The most used display name and key among statements."""
    name = Counter(s.speaker for s in found).most_common(1)[0][0]
    key = Counter(s.speaker_key for s in found).most_common(1)[0][0]
    return name, key
