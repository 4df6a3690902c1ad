"""Who said what: statements extracted from an article's paragraphs by rules on reporting cues
("said", "insisted", "pointed to", "according to", ...) over the phrase next to the cue.

Each statement has a speaker (resolved within the article: "he", "the general" or a surname
become the full name met earlier), the cue, whether it is a direct quote or reported speech,
and the exact span of what was said in the paragraph text.  Rules, not a parser: a paragraph
with no cue and no quotation mark costs one regular-expression search.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from index.models import Article, Paragraph
from index.split.paragraphs import is_title_passage
from index.split.sentences import sentence_spans
from index.statements.participles import with_participles
from index.statements.quotes import Found, continued_quotes, quoted, split_quotes
from index.statements.resolve import ArticleSpeakers
from index.statements.shapes import (
    according_to,
    appositive,
    content,
    inverted,
    starts_with_preposition,
)
from index.statements.spans import CLOSE, OPEN, STOP
from index.statements.speakers import speaker_from_phrase, speaker_type
from index.words import AUX, NOT_AFTER_VERB, NOUN_LIKE_CUES, VERBISH, VERBS

_CUE = re.compile(rf"\b(?:according to|{AUX}(?P<verb>{VERBS}))\b", re.IGNORECASE)
_ANY_CUE = re.compile(rf"\b(?:according to|{VERBS})\b|[“\"]", re.IGNORECASE)
# “curly”, "straight", “mixed" or "mixed” (a writer's slip: either mark may be straight)
_QUOTE = re.compile(r"“[^”\"]*[”\"]|\"[^\"]*\"|\"[^\"“”]*”")
_COORDINATED = re.compile(r"\s(?:but|and)\s*$")


@dataclass(frozen=True)
class Statement:
    """One thing someone said, in one paragraph.

    ``speaker`` is the display name, ``speaker_key`` its cross-article identity (see
    :func:`index.statements.speakers.speaker_key`), ``kind`` "person", "organisation" or
    "other" (a document), ``mention`` the words that named the speaker in the paragraph
    ("he", "the general"), ``cue`` the reporting words, ``mode`` "direct" (a verbatim quote,
    marks included) or "reported"; ``paragraph_text[start:end] == content``.
    """

    article_id: str
    paragraph_number: int
    speaker: str
    speaker_key: str
    kind: str
    mention: str
    cue: str
    mode: str
    start: int
    end: int
    content: str
    role: str  # the title or role words given the speaker ("mayor"), space-separated

    @property
    def paragraph_id(self) -> str:
        """The id of the paragraph the statement is in (as in every store)."""
        return f"{self.article_id}#{self.paragraph_number}"


def extract_statements(article: Article, paragraphs: Sequence[Paragraph]) -> list[Statement]:
    """Every statement in ``paragraphs`` (the article's paragraphs, in order), with speakers
    resolved within the article; a paragraph without a reporting cue or quotation mark yields
    nothing and costs one regex search."""
    people = ArticleSpeakers.scan("\n".join(p.text for p in paragraphs))
    statements: list[Statement] = []
    previous: list[Statement] = []  # the statements of the paragraph before
    offset = 0
    for paragraph in paragraphs:
        if is_title_passage(paragraph.text, article.title):
            continue  # a headline paraphrases: "X says ..." is no quote of X
        found_here: list[Statement] = []
        if _ANY_CUE.search(paragraph.text):
            for found in find_statements(paragraph.text):
                statement = _resolve(article.id, paragraph, found, people, offset)
                if statement is not None:
                    found_here.append(statement)
        if not found_here and previous and _only_a_quotation(paragraph.text):
            found_here = [_continued(previous[-1], paragraph)]
        statements += found_here
        previous = found_here
        offset += len(paragraph.text) + 1
    return statements


def _only_a_quotation(text: str) -> bool:
    """Whether a paragraph is one quotation and nothing else (a quote running on from the
    paragraph before: “This is why our soldiers are so tough.”)."""
    body = text.strip()
    quotes = list(_QUOTE.finditer(body))
    return len(quotes) == 1 and quotes[0].span() == (0, len(body)) and len(body.split()) >= 3


def _continued(last: Statement, paragraph: Paragraph) -> Statement:
    """The whole of ``paragraph`` (one quotation) as said by the speaker of ``last``."""
    start = len(paragraph.text) - len(paragraph.text.lstrip())
    end = len(paragraph.text.rstrip())
    return replace(
        last,
        paragraph_number=paragraph.number,
        mention="",
        mode="direct",
        start=start,
        end=end,
        content=paragraph.text[start:end],
    )


def _resolve(
    article_id: str, paragraph: Paragraph, found: Found, people: ArticleSpeakers, offset: int
) -> Statement | None:
    speaker = people.resolve(found.speaker, offset + found.start)
    if speaker is None:
        return None
    people.remember(speaker)
    content = paragraph.text[found.start : found.end]
    mode = "direct" if content[:1] in OPEN else "reported"
    return Statement(
        article_id,
        paragraph.number,
        speaker.name,
        speaker.key,
        speaker_type(speaker),
        found.mention,
        found.cue,
        mode,
        found.start,
        found.end,
        content,
        " ".join(sorted(speaker.titles)),
    )


def find_statements(text: str) -> list[Found]:
    """Statements of one paragraph, speakers unresolved (a pronoun stays a pronoun)."""
    quotes = [(m.start(), m.end()) for m in _QUOTE.finditer(text)]
    found: list[Found] = []
    covered: list[tuple[int, int]] = []  # from each statement's cue to its content's end
    for start, end in sentence_spans(text):
        cues = [c for c in _CUE.finditer(text, start, end) if not _inside(c.start(), quotes)]
        for i, cue in enumerate(cues):
            if any(s <= cue.start() < e for s, e in covered):
                continue  # "said in a statement posted online that": one statement
            stop = _next_clause(text, cue.end(), cues[i + 1 :], start, end, quotes)
            statement = _statement_at(text, start, stop, cue, quotes)
            if statement is not None:
                found.append(statement)
                covered.append((min(cue.start(), statement.start), statement.end))
    found += split_quotes(text, quotes, found)
    found = with_participles(text, quotes, found)
    found += continued_quotes(text, quotes, found)
    return sorted((v for f in found for v in quoted(text, f, quotes)), key=lambda f: f.start)


def _next_clause(
    text: str,
    begin: int,
    later: list[re.Match[str]],
    start: int,
    end: int,
    quotes: list[tuple[int, int]],
) -> int:
    """Where the clause of the next cue starts (its last comma outside quotes) when that cue
    has a subject of its own, so "X said A, though he noted B" gives two statements; else the
    sentence end ("said it confirmed that ..." is one statement)."""
    if not later:
        return end
    subject = _clause_before(text, start, later[0].start())
    if speaker_from_phrase(subject) is None or starts_with_preposition(subject):
        return end
    commas = [i for i in range(begin, later[0].start()) if text[i] == ","]
    commas = [i for i in commas if not _inside(i, quotes)]
    return commas[-1] if commas else end


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < position < e for s, e in spans)


def _statement_at(
    text: str, start: int, end: int, cue: re.Match[str], quotes: list[tuple[int, int]]
) -> Found | None:
    """The statement that ``cue`` introduces in the sentence ``text[start:end]``."""
    words = cue.group().lower() if cue.group("verb") is None else cue.group("verb").lower()
    if words == "according to":
        return according_to(text, start, end, cue)
    before = _clause_before(text, start, cue.start())
    if _COORDINATED.search(before):
        before = _sentence_subject(text[start : cue.start()])
        if speaker_from_phrase(before) is None:
            # "Karl Stoss, chair of the commission, has praised ... and said": the name that
            # heads the subject, not one inside its description
            before = before.split(",", 1)[0]
    if before.strip(STOP + CLOSE):
        found = _subject_first(text, start, end, cue, before, words, quotes)
        described = found is None or (
            found.speaker.kind in ("group", "role") and found.speaker.name[:1].islower()
        )
        if described and before.strip()[:1].islower() and _after_comma(text, before, cue):
            # "Dennis Pierce, president of the union, told CNN": the name the description
            # follows is the speaker, nearer the verb than any name inside the description
            named = appositive(text, start, end, cue, words, quotes)
            if named is not None and named.speaker.name[:1].isupper():
                return named
        return found
    return inverted(text, start, end, cue, words, quotes) or appositive(
        text, start, end, cue, words, quotes
    )


def _clause_before(text: str, start: int, cue_start: int) -> str:
    """The words between the last clause boundary (a comma, quote or sentence start) and the
    cue: the subject in "..., Ukrainian officials insist"; empty after "...,” said X"."""
    segment = text[start:cue_start]
    cut = max(segment.rfind(c) for c in ',;:”"“(')
    return segment[cut + 1 :]


def _after_comma(text: str, before: str, cue: re.Match[str]) -> bool:
    """Whether the words before the cue follow a comma (", president of the union told")."""
    return text[: cue.start() - len(before)].rstrip().endswith(",")


def _sentence_subject(segment: str) -> str:
    """The words opening a sentence up to its first verb: the subject of "The campaign did
    not give details but said ..."."""
    words = segment.split()
    for i, word in enumerate(words):
        if word.lower() in VERBISH:
            return " ".join(words[:i])
    return ""


def _subject_first(
    text: str,
    start: int,
    end: int,
    cue: re.Match[str],
    subject: str,
    words: str,
    quotes: list[tuple[int, int]],
) -> Found | None:
    speaker = speaker_from_phrase(subject)
    if speaker is None or starts_with_preposition(subject) or _noun_cue(text, cue):
        return None
    span = content(
        text, start, text.rfind(subject, start, cue.start()), cue.end(), end, words, quotes
    )
    return None if span is None else Found(speaker, subject.strip(), words, *span)


def _noun_cue(text: str, cue: re.Match[str]) -> bool:
    """Whether a cue that is also a plural noun is used as one ("field reports from")."""
    if cue.group("verb") is None or cue.group("verb").lower() not in NOUN_LIKE_CUES:
        return False
    verb = cue.group("verb")
    if verb[:1].isupper():
        return True  # "the United States on Monday"
    before = text[: cue.start("verb")].rstrip()
    name = re.search(r"(?<=[^\s.!?])\s+[A-Z][\w'’\-]*$", before)
    if name is not None and verb.islower():
        return False  # "..., Harris says in the call": a name inside the sentence speaks
    following = text[cue.end() :].split(" ", 2)
    return len(following) > 1 and following[1].lower() in NOT_AFTER_VERB
