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
from index.statements.spans import (
    CLOSE,
    OPEN,
    STOP,
    content_after,
    content_before,
    has_that,
    trim,
)
from index.statements.speakers import speaker_from_phrase, speaker_type
from index.words import AUX, NOT_AFTER_VERB, NOUN_LIKE_CUES, VERBISH, VERBS

_CUE = re.compile(rf"\b(?:according to|{AUX}(?P<verb>{VERBS}))\b", re.IGNORECASE)
_ANY_CUE = re.compile(rf"\b(?:according to|{VERBS})\b|[“\"]", re.IGNORECASE)
# “curly”, "straight", “mixed" or "mixed” (a writer's slip: either mark may be straight)
_QUOTE = re.compile(r"“[^”\"]*[”\"]|\"[^\"]*\"|\"[^\"“”]*”")
_MODIFIER = re.compile(
    r"\s*(?:in|at|during|on|after|before|from|for|with|via|to|last|this|"
    r"earlier|later|when|while|as|,|$)",
    re.IGNORECASE,
)
_COORDINATED = re.compile(r"\s(?:but|and)\s*$")
_CLAUSE_END = re.compile(
    r"[,;:]|\s+(?:in|on|at|during|to|after|before|while|from|for)\s+(?=[a-z0-9])"
)


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
    if speaker_from_phrase(subject) is None or _starts_with_preposition(subject):
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
        return _according_to(text, start, end, cue)
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
            named = _appositive(text, start, end, cue, words, quotes)
            if named is not None and named.speaker.name[:1].isupper():
                return named
        return found
    return _inverted(text, start, end, cue, words, quotes) or _appositive(
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
    if speaker is None or _starts_with_preposition(subject) or _noun_cue(text, cue):
        return None
    span = _content(
        text, start, text.rfind(subject, start, cue.start()), cue.end(), end, words, quotes
    )
    return None if span is None else Found(speaker, subject.strip(), words, *span)


def _content(
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


def _starts_with_preposition(phrase: str) -> bool:
    first = phrase.strip().split(" ", 1)[0].lower()
    return first in {"with", "in", "on", "at", "for", "from", "of", "by", "to", "after", "into"}


def _inverted(
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
    if not first or (first.islower() and first not in ("the", "a", "an")):
        return None
    speaker = speaker_from_phrase(phrase)
    if speaker is None or speaker.kind == "pronoun":
        return None
    span = content_before(text, start, cue.start(), quotes)
    return None if span is None else Found(speaker, phrase, words, *span)


def _appositive(
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
    chunks = [c for c in chunks if not _starts_with_preposition(c)]  # "In Texas, ..."
    chosen = [(c, speaker_from_phrase(c)) for c in chunks]
    named = [(c, s) for c, s in chosen if s is not None and s.kind in ("person", "group")]
    if not named:
        return None
    # a name before a description: "Harry's lawyer, David Sherborne, said" is Sherborne
    chunk, speaker = min(named, key=lambda n: not n[1].name[:1].isupper())
    assert speaker is not None
    span = _content(text, start, first if first > start else start, cue.end(), end, words, quotes)
    return None if span is None else Found(speaker, chunk.strip(), words, *span)


def _according_to(text: str, start: int, end: int, cue: re.Match[str]) -> Found | None:
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
