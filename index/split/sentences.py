"""Sentence boundaries in news prose, as exact character spans.

A rule-based splitter tuned for English news writing: it knows the abbreviations that news
copy is full of (titles such as "Sen." and "Gov.", "U.S.", "a.m.", "Jan. 5", "No. 1",
"Apple Inc.", initials such as "J. R. R. Tolkien"), decimal numbers, ellipses and closing
quotation marks after the final punctuation.  A line break is always a sentence boundary, so a
heading joined above its paragraph stays a sentence of its own.

Spans are ``(start, end)`` offsets into the given text such that ``text[start:end]`` is the
sentence verbatim, without surrounding whitespace.  The spans are in order, do not overlap, and
together cover every non-whitespace character of the text exactly once.
"""

from __future__ import annotations

import re

Span = tuple[int, int]  # (start, end) character offsets, end exclusive

# Punctuation that can end a sentence, then closing quotes/brackets, then whitespace or the end.
# The lookbehind anchors a match at the start of a whitespace-delimited token (linear time).
_CANDIDATE = re.compile(r"(?<!\S)(\S*?)([.?!…]+)([\"'”’»)\]]*)(?=\s|\Z)")
_LINE = re.compile(r"[^\n]+")
_NEXT_WORD = re.compile(r"\s*[\"'“‘(«\[¿¡]*(\S*)")
_OPENERS = "\"'“‘(«[¿¡"
_DOTTED = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")  # U.S, a.m, D.C, N.Y (final period removed)
_CAMEL = re.compile(r"[a-z]+[A-Z]")  # iPhone, eBay: a lower-case start that still opens a sentence


def _words(text: str) -> frozenset[str]:
    """The set of the whitespace-separated words of ``text`` (for readable word lists)."""
    return frozenset(text.split())


# Never end a sentence: they precede a name.
_TITLES = _words(
    "mr mrs ms messrs dr prof gen gens lt col maj capt cmdr adm sgt cpl pvt brig sen sens rep reps "
    "gov atty supt det insp rev hon pres fr mt ft vs v e.g i.e cf"
)
# End a sentence unless a number follows ("Jan. 5", "No. 1", "Art. 5").
_BEFORE_NUMBER = _words("no nos art sec ch vol fig pp p")
# Month abbreviations: never end a sentence before a day number, else treated as ambiguous.
_MONTHS = _words("jan feb mar apr jun jul aug sep sept oct nov dec")
# Ambiguous: end a sentence only when a word that typically opens a sentence follows.
_AMBIGUOUS = _words(
    "inc corp co ltd llc plc bros jr sr st etc ave blvd rd "
    "ala ariz ark calif colo conn del fla ga ill ind kan ky la md mass mich minn miss mo mont "
    "neb nev okla ore pa tenn tex va vt wash wis wyo"
)
_STARTERS = _words(
    "a an the this that these those he she it they we i you his her its their our my your "
    "there here but and or so yet nor in on at for with without after before as when while if "
    "although though because since during meanwhile however also still then now what who whom "
    "why how where which some many most much all both each every one no not more other another "
    "such according last earlier later today yesterday tomorrow it's that's there's he's she's "
    "they're we're i'm his hers them us than from to by of under over about into until unless "
    "despite among between instead even only just"
)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Return the ``(start, end)`` character spans of the sentences in ``text``.

    ``text[start:end]`` is each sentence verbatim with surrounding whitespace excluded; every
    non-whitespace character of ``text`` lies in exactly one span.  Line breaks always end a
    sentence.
    """
    spans: list[tuple[int, int]] = []
    for line in _LINE.finditer(text):
        _line_spans(text, line.start(), line.end(), spans)
    return spans


# A longer sentence is quoted by its clauses (split after ";" or around a dash), never reworded.
LONG_SENTENCE_CHARS = 300
_CLAUSE_BREAK = re.compile(r"(?<=;)\s+|\s+(?=[—–]\s)")


def quotable_spans(text: str) -> list[Span]:
    """The spans an answer may quote: the sentences of ``text``, each one over
    LONG_SENTENCE_CHARS cut into its clauses (after ";", before a dash)."""
    spans: list[Span] = []
    for start, end in sentence_spans(text):
        if end - start <= LONG_SENTENCE_CHARS:
            spans.append((start, end))
            continue
        cut = start
        for match in _CLAUSE_BREAK.finditer(text, start, end):
            spans.append((cut, match.start()))
            cut = match.end()
        spans.append((cut, end))
    return spans


def split_sentences(text: str) -> list[str]:
    """Return the sentences of ``text`` verbatim, in order (see :func:`sentence_spans`)."""
    return [text[start:end] for start, end in sentence_spans(text)]


def _line_spans(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    """Append to ``spans`` the sentences of the single line ``text[start:end]``."""
    begin = start
    for match in _CANDIDATE.finditer(text, start, end):
        if (
            match.end() < end
            and not _is_list_marker(text, begin, match)
            and _is_boundary(text, match, end)
        ):
            _append_trimmed(text, begin, match.end(), spans)
            begin = match.end()
    _append_trimmed(text, begin, end, spans)


def _is_list_marker(text: str, begin: int, match: re.Match[str]) -> bool:
    """Whether ``match`` is a list number ("1.") opening the sentence that starts at ``begin``."""
    number = match.group(1)
    return (
        match.group(2) == "."
        and number.isdigit()
        and len(number) <= 2
        and not text[begin : match.start()].strip()
    )


def _append_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    """Append ``(start, end)`` narrowed to exclude surrounding whitespace, unless it is blank."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))


def _is_boundary(text: str, match: re.Match[str], end: int) -> bool:
    """Whether the candidate punctuation ``match`` really ends a sentence."""
    next_match = _NEXT_WORD.match(text, match.end(), end)
    next_word = next_match.group(1) if next_match else ""
    if not _opens_sentence(next_word):
        return False
    if match.group(2) != ".":
        return True  # "?", "!", an ellipsis or a mix such as "?!"
    return not _is_abbreviation(match.group(1).lstrip(_OPENERS), next_word)


def _opens_sentence(word: str) -> bool:
    """Whether ``word`` can be the first word of a sentence (capitalised, a number...)."""
    first = word[:1]
    if not first:
        return False
    if first.isdigit() or first in "$€£¥#":
        return True
    if first.isalpha():
        return not first.islower() or _CAMEL.match(word) is not None
    return False


def _is_abbreviation(word: str, next_word: str) -> bool:
    """Whether ``word`` (the token before a final ".", without it) is an abbreviation here."""
    key = word.rsplit("-", 1)[-1].lower()  # "D-N.Y." -> "n.y", "ex-Gov." -> "gov"
    if key in _TITLES or (len(word) == 1 and word.isupper()):
        return True  # a title or an initial: a name follows
    if key in _BEFORE_NUMBER:
        return next_word[:1].isdigit()
    if key in _MONTHS and next_word[:1].isdigit():
        return True
    if key in _MONTHS or key in _AMBIGUOUS or _DOTTED.fullmatch(key):
        return _bare(next_word) not in _STARTERS
    return False


def _bare(word: str) -> str:
    """``word`` lower-cased, with a typographic apostrophe made plain and punctuation stripped."""
    return word.replace("’", "'").lower().strip(".,;:!?\"'”’)—–-")
