"""Splitting an article into searchable paragraphs that fit the embedding model's window.

The article's own line breaks are its paragraph breaks.  Boilerplate paragraphs (detected by
the caller, see :func:`fingerprint`) are dropped; short fragments such as headings, datelines
("CNN —") or "Advertisement" are joined with "\\n" to a neighbour; paragraphs that are too long
to embed are split at sentence boundaries, and single over-long sentences at word boundaries.
Nothing else is dropped and nothing is truncated: the non-whitespace characters of the kept
paragraphs appear, in order, exactly once across the resulting ``Paragraph.text`` values, and
each ``Paragraph.text`` is verbatim text (a joined fragment keeps its own words, separated from
its neighbour by "\\n"), so sentences quoted from it are exact substrings.  The one exception:
an article with no paragraph left is indexed by its title alone.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from index.models import Article, Paragraph
from index.split.sentences import sentence_spans

_WORD = re.compile(r"\S+")
_CLAUSE_ENDS = ",;:—–"

Span = tuple[int, int]


def _never(paragraph: str) -> bool:
    """Default boilerplate test: nothing is boilerplate."""
    return False


def article_paragraph_texts(text: str) -> list[str]:
    """Return the article's raw paragraphs: its lines, stripped, without the blank ones.

    This is exactly the splitting :func:`split_article` applies before ``is_boilerplate``, so
    callers can fingerprint the same units for boilerplate detection.
    """
    return [stripped for stripped in (line.strip() for line in text.splitlines()) if stripped]


def fingerprint(paragraph_text: str) -> str:
    """Return a short, stable hash of a paragraph's normalised text.

    Normalisation lower-cases the text and collapses runs of whitespace (digits are kept), so
    the same boilerplate line repeated across a source's articles gets the same fingerprint.
    """
    normalised = " ".join(paragraph_text.lower().split())
    return hashlib.blake2b(normalised.encode("utf-8"), digest_size=8).hexdigest()


def split_article(
    article: Article,
    *,
    count_tokens: Callable[[str], int],
    max_tokens: int = 200,
    min_words: int = 8,
    is_boilerplate: Callable[[str], bool] = _never,
) -> list[Paragraph]:
    """Split ``article`` into :class:`Paragraph` records numbered 0, 1, 2... in article order.

    ``count_tokens`` counts the model's word pieces in a string; every ``embed_text`` (the
    title, "\\n", then the text) counts at most ``max_tokens``, provided ``max_tokens`` leaves
    room for a few characters after the title (a title over half the budget is shortened, by
    words, in ``embed_text`` only).  Raw paragraphs for which ``is_boilerplate`` is true are
    dropped; paragraphs of fewer than ``min_words`` words are joined with "\\n" to the next
    paragraph, or to the previous one when nothing follows.  An article whose every paragraph
    is boilerplate (a video page, a gallery) is one passage: its title (shortened like the
    embed texts' title), so it can still be found, unless the title is found in that
    boilerplate.
    """
    raw = article_paragraph_texts(article.text)
    kept = [p for p in raw if not is_boilerplate(p)]
    title = _context_title(article.title, count_tokens, max_tokens)
    budget = _Budget(title, count_tokens, max_tokens)
    texts = [chunk for block in _join_fragments(kept, min_words) for chunk in budget.chunks(block)]
    if raw and not texts and _not_boilerplate(title, raw):
        return [Paragraph(article_id=article.id, number=0, text=title, embed_text=title)]
    return [
        Paragraph(article_id=article.id, number=number, text=text, embed_text=budget.embed(text))
        for number, text in enumerate(texts)
    ]


def is_title_passage(text: str, title: str) -> bool:
    """Whether a passage's text is its article's title (whole or shortened): the one passage
    of an article whose every paragraph is boilerplate, or a body paragraph that repeats the
    title, such as a subheading (a caller that must tell them apart checks that the article
    has no other passage, as qa.retrieval.search does)."""
    return bool(text) and title.startswith(text)


def _not_boilerplate(title: str, dropped: list[str]) -> bool:
    """Whether a title is its own text, not one taken from the boilerplate it replaces (an
    untitled page's title is derived from its first line)."""
    words = title.rstrip("…").strip()
    return bool(words) and not any(words in paragraph for paragraph in dropped)


def _join_fragments(paragraphs: list[str], min_words: int) -> list[str]:
    """Join each paragraph of fewer than ``min_words`` words to its neighbour with "\\n".

    Fragments before a full paragraph (headings, datelines) join the next one; fragments at
    the end join the previous one; an article of fragments only becomes a single block.
    """
    blocks: list[str] = []
    pending: list[str] = []
    for paragraph in paragraphs:
        pending.append(paragraph)
        if len(paragraph.split(None, min_words)) >= min_words:
            blocks.append("\n".join(pending))
            pending = []
    if pending and blocks:
        blocks[-1] = "\n".join([blocks[-1], *pending])
    elif pending:
        blocks.append("\n".join(pending))
    return blocks


def _context_title(title: str, count_tokens: Callable[[str], int], max_tokens: int) -> str:
    """Return the title to prefix to embed texts: shortened by words to half the budget."""
    title = title.strip()
    if count_tokens(title) <= max_tokens // 2:
        return title
    words = title.split()
    lo, hi = 0, len(words)  # invariant: words[:lo] fits, words[:hi + 1] does not
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if count_tokens(" ".join(words[:mid])) <= max_tokens // 2:
            lo = mid
        else:
            hi = mid - 1
    return " ".join(words[:lo])


@dataclass(frozen=True)
class _Budget:
    """The token budget of one article's embed texts, and how to cut text to fit it."""

    title: str
    count_tokens: Callable[[str], int]
    max_tokens: int

    def embed(self, text: str) -> str:
        """The text that is embedded for ``text``: the title (if any), a newline, the text."""
        return f"{self.title}\n{text}" if self.title else text

    def fits(self, text: str) -> bool:
        """Whether ``text``'s embed text is within the token budget."""
        return self.count_tokens(self.embed(text)) <= self.max_tokens

    def chunks(self, block: str) -> list[str]:
        """Cut ``block`` into verbatim pieces that each fit, at sentence boundaries if possible."""
        if self.fits(block):
            return [block]
        pieces = [
            piece
            for start, end in sentence_spans(block)
            for piece in self._fitting_spans(block, start, end)
        ]
        return [block[start:end] for start, end in self._pack(block, pieces)]

    def _fitting_spans(self, text: str, start: int, end: int) -> list[Span]:
        """The span of one sentence, or if it is too long its word-boundary pieces."""
        if self.fits(text[start:end]):
            return [(start, end)]
        words = [(m.start(), m.end()) for m in _WORD.finditer(text, start, end)]
        spans: list[Span] = []
        first = 0
        while first < len(words):
            last = self._longest_fit(text, words, first)
            if last < first:  # a single "word" (a long URL...) over the budget
                spans.extend(self._char_spans(text, *words[first]))
                first += 1
                continue
            last = _prefer_clause_end(text, words, first, last)
            spans.append((words[first][0], words[last][1]))
            first = last + 1
        return spans

    def _longest_fit(self, text: str, words: list[Span], first: int) -> int:
        """The last word index such that ``words[first..last]`` fits (``first - 1`` if none)."""
        lo, hi = first - 1, len(words) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.fits(text[words[first][0] : words[mid][1]]):
                lo = mid
            else:
                hi = mid - 1
        return lo

    def _char_spans(self, text: str, start: int, end: int) -> list[Span]:
        """Cut one over-long word into pieces of as many characters as fit (at least one)."""
        spans: list[Span] = []
        while start < end:
            lo, hi = start + 1, end  # a piece always takes at least one character
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if self.fits(text[start:mid]):
                    lo = mid
                else:
                    hi = mid - 1
            spans.append((start, lo))
            start = lo
        return spans

    def _pack(self, text: str, pieces: list[Span]) -> list[Span]:
        """Greedily merge consecutive fitting pieces into the fewest spans that still fit."""
        packed: list[Span] = []
        start, end = pieces[0]
        for piece_start, piece_end in pieces[1:]:
            if self.fits(text[start:piece_end]):
                end = piece_end
            else:
                packed.append((start, end))
                start, end = piece_start, piece_end
        packed.append((start, end))
        return packed


def _prefer_clause_end(text: str, words: list[Span], first: int, last: int) -> int:
    """Move a cut after ``words[last]`` back to a clause end (, ; : —) in the chunk's 2nd half."""
    if last == len(words) - 1:
        return last  # the rest of the sentence fits: no cut needed
    for index in range(last, first + (last - first) // 2 - 1, -1):
        if text[words[index][1] - 1] in _CLAUSE_ENDS:
            return index
    return last
