"""Typed results of the question-answering layer: the service's return values and, unchanged,
the HTTP API's response models."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

# What the faces show in place of a title passage's text (it repeats the title)
TITLE_ONLY = "Title only: the page holds no article text, only boilerplate."
# The longest text one turn of a sent-back history may hold (an answer with its sources)
MAX_TURN_CHARS = 20_000


class AlsoIn(BaseModel):
    """Another article that carried the same paragraph, near-verbatim (a wire story
    republished by another outlet): the passage stands for it too."""

    article_id: str
    title: str = ""
    source: str = Field("", description="The outlet that published it")
    published: str = Field("", description="YYYY-MM-DD, or empty when unknown")
    url: str = ""

    def label(self, source: str = "") -> str:
        """How the faces name it beside a passage of ``source``: its outlet, or its quoted
        title when it has none or is of the same outlet ("also in: usatoday.com" under a
        usatoday.com source would say nothing)."""
        if self.source and self.source != source:
            return self.source
        return f"“{self.title or self.article_id}”"


class Passage(BaseModel):
    """A retrieved paragraph with its article metadata and retrieval score."""

    rank: int = Field(description="1-based rank in the result list")
    article_id: str
    paragraph_id: str
    title: str
    url: str = ""
    published: str = Field("", description="YYYY-MM-DD, or empty when unknown")
    source: str = ""
    paragraph: int = Field(description="Paragraph number in the article (0-based)")
    text: str = Field(description="The paragraph, verbatim")
    score: float = Field(description="Fused retrieval score (higher is better)")
    is_title: bool = Field(
        False,
        description="The passage is the article's title, not body text: its page held only"
        " boilerplate (never quoted in answers)",
    )
    also_in: list[AlsoIn] = Field(
        default_factory=list,
        description="Other articles that carried this paragraph near-verbatim (the same wire"
        " story), oldest first; each story is given once",
    )


class Citation(BaseModel):
    """One numbered source of an answer: the exact quote and where it is."""

    n: int = Field(description="The number used as [n] in the answer text")
    article_id: str
    title: str
    url: str = ""
    published: str = ""
    source: str = ""
    paragraph: int = Field(description="Paragraph number in the article (0-based)")
    paragraph_text: str = Field("", description="The whole cited paragraph, verbatim")
    quote: str = Field(description="The quoted text, a verbatim substring of the paragraph")
    span: tuple[int, int] = Field(description="Character span of the quote in the paragraph")
    score: float
    also_in: list[AlsoIn] = Field(
        default_factory=list,
        description="Other articles that carried the cited paragraph near-verbatim, oldest first",
    )


class ShortAnswer(BaseModel):
    """The phrase that answers (a name, number, date, place, or the gist of a statement),
    found by the reader inside one cited quote."""

    text: str = Field(description="The short answer, verbatim from the cited paragraph")
    citation: int = Field(description="The n of the citation whose paragraph holds it")
    start: int = Field(description="Start offset of the short answer in the cited paragraph")
    end: int = Field(description="End offset (exclusive) in the cited paragraph")


AnswerMode = Literal["extractive", "llm"]


class RemovedSentence(BaseModel):
    """A sentence an LLM wrote that the citation check left out of the answer."""

    text: str = Field(description="The sentence, without its [n] markers")
    cited: list[int] = Field(description="The passage numbers it cited (as the model wrote them)")
    reason: str = Field(description="Why it was left out")


class Answer(BaseModel):
    """An answer built only from indexed paragraphs, every sentence cited, or a refusal."""

    question: str
    rewritten: str = Field(description="The standalone question actually searched")
    answer: str = Field(description="Answer text with [n] markers, or the not-found message")
    parts: list[str] = Field(
        default_factory=list,
        description="The answer text in the pieces it was built from, in order (the short"
        " answer's line, then each quote or statement line with its [n] markers): together"
        " they are exactly `answer`",
    )
    found: bool = Field(description="False when no indexed article answers the question")
    short_answer: ShortAnswer | None = Field(
        None, description="The phrase that answers, when the reader found one"
    )
    confidence: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="Calibrated probability that the answer holds what was asked (of answers"
        " shown at confidence c, about c do); None when no reader answered",
    )
    citations: list[Citation] = Field(default_factory=list)
    related: list[Passage] = Field(
        default_factory=list, description="Closest passages, shown when nothing answers"
    )
    mode: AnswerMode = Field(
        "extractive",
        description='How the answer was made: "extractive" (quoted sentences) or "llm" (an'
        " LLM's sentences, each checked against the passage it cites)",
    )
    removed: list[RemovedSentence] = Field(
        default_factory=list,
        description="LLM sentences left out because their citations do not support them",
    )
    cited_by_check: int = Field(
        0,
        description="LLM sentences written without a citation that the check cited to the"
        " given passage supporting them",
    )
    notice: str | None = Field(
        None,
        description="Said to the user beside the answer, e.g. that the LLM was unreachable and"
        " the answer is extractive",
    )
    took_ms: float = 0.0

    def pieces(self) -> list[str]:
        """The answer text in its parts (the whole text as one when none were given)."""
        return self.parts or [self.answer]


class Turn(BaseModel):
    """One exchange of a conversation, as sent back by a client for follow-ups."""

    question: str = Field(max_length=MAX_TURN_CHARS)
    rewritten: str | None = Field(default=None, max_length=MAX_TURN_CHARS)
    answer: str | None = Field(default=None, max_length=MAX_TURN_CHARS)


class SpeakerSummary(BaseModel):
    """A speaker of the indexed articles, with how much they said."""

    key: str = Field(description="The speaker's identity across articles (name variants merged)")
    name: str = Field(description="The most used display name")
    kind: str = Field(description='"person", "organisation" or "other" (a document)')
    statements: int = Field(description="Statements attributed to the speaker")
    articles: int = Field(description="Articles with at least one of them")


class SpeakerStatement(BaseModel):
    """One thing a speaker said, as a cited answer line."""

    speaker: str = Field(description="Display name of the speaker")
    key: str = Field(description="The speaker's identity across articles")
    cue: str = Field(description='The reporting words of the article ("said", "according to")')
    mode: str = Field(description='"direct" (quoted) or "reported" speech')
    published: str = Field("", description="YYYY-MM-DD of the article, or empty when unknown")
    text: str = Field(description="Speaker, cue and the verbatim statement (no rewording)")
    citation: Citation = Field(description="quote = what was said, verbatim, with its span")


class SpeakerStatements(BaseModel):
    """A page of one speaker's statements, newest article first."""

    speaker: str = Field(description="Display name of the speaker")
    key: str = Field(description="The speaker's identity across articles")
    about: str | None = Field(None, description="The topic the statements were filtered by")
    total: int = Field(description="Matching statements in all pages")
    offset: int
    limit: int
    items: list[SpeakerStatement] = Field(default_factory=list)
