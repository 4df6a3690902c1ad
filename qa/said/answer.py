"""Speaker questions answered from the statements stored at indexing time: "What did X say?",
"What did X say about Y?", "Who said Y?", and follow-ups ("What did he say about Kupiansk?",
"And what about Yampil?").

Every answer line is the speaker's name, the article's reporting verb and what was said,
verbatim ("Valery Gerasimov asserted that ... [1]"), with the date when the statements come
from several articles; each line cites its paragraph, the quote being exactly what was said.
A speaker with no stored statement gets found=False and the passages that mention them, never
anyone else's words. Questions this module cannot answer from statements (a "who said" claim
no statement matches, a non-name such as "the report" with no statements) are left to the
ordinary retrieval answerer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from index.filters import SearchFilters
from index.statements.store import StatementStore, StoredStatement
from index.storage.catalog import Catalog
from qa.answer.draft import RELATED_PASSAGES, AnswerDraft
from qa.models import Citation, Passage, SpeakerStatement, SpeakerStatements, SpeakerSummary
from qa.question.reading import Reading, SpeakerReading
from qa.question.speakers import SpeakerQuestion, looks_like_name, mentions
from qa.question.terms import coverage, question_terms, stems
from qa.retrieval.base import PassageSearch
from qa.said.lines import most_common, short, statement_citation, statement_line, unique

__all__ = ["SaidAnswer", "SpeakerAnswers"]

MAX_STATEMENTS = 10
MIN_CLAIM_COVERAGE = 0.6  # "who said": share of the claim's terms the statement must hold
CLAIM_MARGIN = 0.1


@dataclass(frozen=True)
class SaidAnswer:
    """A speaker question's standalone form and its answer; ``unaddressed``: the topic, when
    the speaker has statements but none about it (the caller may answer the topic itself)."""

    rewritten: str
    draft: AnswerDraft
    unaddressed: str | None = None


class SpeakerAnswers:
    """Answers speaker questions from a StatementStore; lists speakers and their statements."""

    def __init__(
        self,
        statements: StatementStore,
        catalog: Catalog,
        passages: PassageSearch | None = None,
        max_statements: int = MAX_STATEMENTS,
    ) -> None:
        self.statements = statements
        self.catalog = catalog
        self.passages = passages
        self.max_statements = max_statements

    def answer(
        self,
        reading: Reading,
        filters: SearchFilters | None = None,
        as_of: date | None = None,
    ) -> SaidAnswer | None:
        """The answer to the question ``reading`` read, when it is a speaker question this
        module can answer, else None."""
        if reading.speaker is None:
            return None
        asked, text = self._chosen(reading.speaker)
        if asked.speaker is None:
            draft = self.who_said(asked.topic or "", filters)
        elif self._count(asked.speaker, None, filters) or looks_like_name(asked.speaker):
            draft = self.said(asked.speaker, asked.topic, filters, as_of)
            if not draft.found and asked.topic and self._count(asked.speaker, None, filters):
                return SaidAnswer(text, draft, asked.topic)
        else:
            draft = None
        return None if draft is None else SaidAnswer(text, draft)

    def _chosen(self, speaker: SpeakerReading) -> tuple[SpeakerQuestion, str]:
        """The speaker question and its text: for "And what about X?" after a speaker
        question, X as the speaker when X has statements, else as the topic."""
        alternative = speaker.focus_as_speaker
        if alternative is not None and self._count(alternative.speaker or "", None, None):
            return alternative, alternative.text
        return speaker.asked, speaker.text

    def said(
        self,
        speaker: str,
        topic: str | None = None,
        filters: SearchFilters | None = None,
        as_of: date | None = None,
    ) -> AnswerDraft:
        """``speaker``'s statements (on ``topic``), newest article first (with as_of: the
        ones published by then first), one cited line each; found=False with the passages
        that mention the speaker when there is none."""
        found = self._fetch(speaker, topic, filters, as_of)
        if not found:
            return self.not_found(speaker, topic, filters, as_of)
        return self._draft(found)

    def who_said(self, claim: str, filters: SearchFilters | None = None) -> AnswerDraft | None:
        """The statements that hold ``claim``'s words (most of them), each with its speaker,
        or None when no statement does."""
        terms = question_terms(claim)
        scored = [
            (coverage(terms, stems(s.content)), s)
            for s in self.statements.matching(claim, 50, filters)
        ]
        best = max((score for score, _ in scored), default=0.0)
        if best < MIN_CLAIM_COVERAGE:
            return None
        chosen = [s for score, s in scored if score >= best - CLAIM_MARGIN]
        return self._draft(chosen[: self.max_statements])

    def not_found(
        self,
        speaker: str,
        topic: str | None,
        filters: SearchFilters | None,
        as_of: date | None,
    ) -> AnswerDraft:
        """The refusal for a speaker without (matching) statements, with the passages that
        mention them (never presented as their words)."""
        about = f" about {topic}" if topic else ""
        text = f"No statements by {speaker}{about} were found in the indexed articles."
        related: list[Passage] = []
        if self.passages is not None:
            query = f"{speaker} {topic or ''}".strip()
            hits = self.passages.search(query, RELATED_PASSAGES * 3, filters, as_of)
            related = [p for p in hits if mentions(f"{p.title}\n{p.text}", speaker)]
        ranked = [
            p.model_copy(update={"rank": n}) for n, p in enumerate(related[:RELATED_PASSAGES], 1)
        ]
        return AnswerDraft(text, False, related=ranked)

    def statements_page(
        self,
        speaker: str,
        about: str | None = None,
        limit: int = 20,
        offset: int = 0,
        filters: SearchFilters | None = None,
    ) -> SpeakerStatements | None:
        """One page of ``speaker``'s statements (on ``about``), newest article first, each
        with its citation; None when the speaker has no statement at all."""
        if not self._count(speaker, None, filters):
            return None
        every = self.statements.statements_by_speaker(speaker, about, None, 0, filters)
        page = every[offset : offset + limit]
        cited = self._cite(page, len({s.article_id for s in every}) > 1)
        known = every or self.statements.statements_by_speaker(speaker, None, 1, 0, filters)
        items = [
            SpeakerStatement(
                speaker=s.speaker,
                key=s.speaker_key,
                cue=s.cue,
                mode=s.mode,
                published=s.published,
                text=line,
                citation=citation,
            )
            for s, line, citation in cited
        ]
        name, key = most_common(known)
        return SpeakerStatements(
            speaker=name,
            key=key,
            about=about,
            total=len(every),
            offset=offset,
            limit=limit,
            items=items,
        )

    def speakers(
        self,
        search: str | None = None,
        limit: int = 50,
        offset: int = 0,
        filters: SearchFilters | None = None,
    ) -> tuple[int, list[SpeakerSummary]]:
        """How many speakers match ``search`` (a part of the name), and one page of them,
        most statements first."""
        found = self.statements.speakers(search or None, None, 0, filters)
        page = found[offset : offset + limit]
        return len(found), [
            SpeakerSummary(
                key=s.key, name=s.name, kind=s.kind, statements=s.statements, articles=s.articles
            )
            for s in page
        ]

    def _count(self, speaker: str, topic: str | None, filters: SearchFilters | None) -> int:
        return len(self.statements.statements_by_speaker(speaker, topic, 1, 0, filters))

    def _fetch(
        self,
        speaker: str,
        topic: str | None,
        filters: SearchFilters | None,
        as_of: date | None,
    ) -> list[StoredStatement]:
        """Up to max_statements statements, newest first; with as_of, those published by
        then first (newest first), then later ones (oldest first)."""
        n, base = self.max_statements, filters or SearchFilters()
        if as_of is None:
            return self.statements.statements_by_speaker(speaker, topic, n, 0, base)
        until = min(base.published_to or as_of.isoformat(), as_of.isoformat())
        first = self.statements.statements_by_speaker(
            speaker, topic, n, 0, replace(base, published_to=until)
        )
        after = (as_of + timedelta(days=1)).isoformat()
        later = replace(base, published_from=max(base.published_from or after, after))
        if len(first) >= n:
            return first
        rest = self.statements.statements_by_speaker(
            speaker, topic, n - len(first), 0, later, newest_first=False
        )
        return first + rest

    def _draft(self, found: list[StoredStatement]) -> AnswerDraft:
        dated = len({s.article_id for s in found}) > 1
        cited = self._cite(unique(found), dated)
        # one line per statement, the line break leading the next one
        parts = tuple(
            ("\n" if i else "") + f"{line} [{c.n}]" for i, (_, line, c) in enumerate(cited)
        )
        return AnswerDraft("".join(parts), bool(cited), [c for _, _, c in cited], parts=parts)

    def _cite(
        self, found: list[StoredStatement], dated: bool
    ) -> list[tuple[StoredStatement, str, Citation]]:
        """Each statement with its answer line and citation (numbered from 1); statements
        whose paragraph changed since they were stored are skipped."""
        paragraphs = self.catalog.paragraphs(sorted({s.paragraph_id for s in found}))
        named: set[str] = set()
        out: list[tuple[StoredStatement, str, Citation]] = []
        for s in found:
            stored = paragraphs.get(s.paragraph_id)
            if stored is None or stored.text[s.start : s.end] != s.content:
                continue
            name = short(s) if s.speaker_key in named else s.speaker
            named.add(s.speaker_key)
            line = statement_line(s, name, stored.text, dated)
            out.append((s, line, statement_citation(len(out) + 1, s, stored.text)))
        return out
