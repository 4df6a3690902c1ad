"""The reading answerer over a fake reader: which sentence it trusts, the short answer's
offsets, the answer text, refusals by confidence."""

from __future__ import annotations

from collections.abc import Sequence
from types import MappingProxyType

import pytest

from qa.answer.draft import NOT_FOUND, AnswerDraft, keep_citations
from qa.answer.scorer import ExtractiveAnswerer
from qa.reader.answerer import ReaderAnswerer, choose_span
from qa.reader.base import SentenceReading
from qa.reader.calibration import Calibration
from tests.qa.answer.test_scorer import BagOfWordsEmbedder, passage


class KeywordReader:
    """Reads a sentence as answering when it holds ``needle``; the short answer is the
    needle's first occurrence. Records what it was given."""

    def __init__(self, needle: str, logit: float = 3.0) -> None:
        self.needle = needle
        self.logit = logit
        self.calls: list[tuple[str, list[str]]] = []

    def read(self, question: str, sentences: Sequence[str]) -> list[SentenceReading]:
        self.calls.append((question, list(sentences)))
        readings = []
        for sentence in sentences:
            at = sentence.find(self.needle)
            if at < 0:
                readings.append(SentenceReading(-3.0))
            else:
                readings.append(SentenceReading(self.logit, ((at, at + len(self.needle)),)))
        return readings


BRIDGE = passage(
    1,
    "The harbour bridge repairs were finished on Monday after a long wait. "
    "The city council paid the engineering firm Acme Works for the harbour bridge repairs.",
)
OTHER = passage(2, "Harbour bridge traffic is heavy on weekdays, the city said.", "a2")
QUESTION = "Which firm did the harbour bridge repairs?"


def answerer(reader: KeywordReader, min_confidence: float = 0.5, **kw: object) -> ReaderAnswerer:
    scorer = ExtractiveAnswerer(BagOfWordsEmbedder())
    return ReaderAnswerer(scorer, reader, Calibration(), min_confidence, **kw)  # type: ignore[arg-type]


def test_the_sentence_the_reader_trusts_leads_with_its_short_answer() -> None:
    draft = answerer(KeywordReader("Acme Works")).answer(QUESTION, [BRIDGE, OTHER])
    assert draft.found
    best = draft.citations[0]
    assert "Acme Works" in best.quote and best.n == 1
    short = draft.short_answer
    assert short is not None and short.text == "Acme Works" and short.citation == 1
    # the short answer's offsets point into the cited paragraph, inside the quote
    assert best.paragraph_text[short.start : short.end] == "Acme Works"
    assert best.span[0] <= short.start < short.end <= best.span[1]
    assert draft.text.startswith("Acme Works [1]\n\n")
    assert f"{best.quote} [1]" in draft.text


def test_the_confidence_is_the_calibration_of_the_best_read_sentence() -> None:
    weights = MappingProxyType({"logit": 1.0, "sentence_terms": 2.0})
    calibration = Calibration(weights, shift=-1.0)
    scorer = ExtractiveAnswerer(BagOfWordsEmbedder())
    reader = ReaderAnswerer(scorer, KeywordReader("Acme Works"), calibration, 0.5)
    best = reader.read(QUESTION, [BRIDGE, OTHER])[0]
    expected = calibration.confidence({"logit": 3.0, "sentence_terms": best.keyword})
    draft = reader.answer(QUESTION, [BRIDGE, OTHER])
    assert draft.confidence == pytest.approx(expected)
    # the quote holding the voted answer is trusted most: at least the scorer's plus the
    # reader's score (qa.reader.votes)
    assert draft.citations[0].score >= round(best.score, 4)
    assert draft.citations[0].score == max(c.score for c in draft.citations)
    assert best.keyword > 0  # the sentence's evidence counts, not only the reader's logit


def test_low_confidence_is_not_found_with_the_closest_passages() -> None:
    draft = answerer(KeywordReader("Nobody Inc")).answer(QUESTION, [BRIDGE, OTHER])
    assert not draft.found and draft.text == NOT_FOUND
    assert draft.citations == [] and draft.short_answer is None
    assert [p.article_id for p in draft.related] == ["a1", "a2"]
    assert draft.confidence is not None and draft.confidence < 0.5


def test_only_sentences_read_nearly_as_well_are_quoted_and_at_most_max_sentences() -> None:
    reader = KeywordReader("harbour bridge")
    draft = answerer(reader, max_sentences=2).answer(QUESTION, [BRIDGE, OTHER])
    assert len(draft.citations) == 2
    draft = answerer(KeywordReader("Acme Works")).answer(QUESTION, [BRIDGE, OTHER])
    assert len(draft.citations) == 1  # the others were read 6 logits lower


def test_the_reader_reads_at_most_read_candidates_sentences() -> None:
    reader = KeywordReader("Acme Works")
    answerer(reader, read_candidates=2).answer(QUESTION, [BRIDGE, OTHER])
    (question, sentences), *_ = reader.calls
    assert question == QUESTION and len(sentences) == 2


def test_a_span_that_is_the_whole_sentence_is_no_short_answer() -> None:
    sentence = "Harbour bridge traffic is heavy on weekdays, the city said."
    draft = answerer(KeywordReader(sentence)).answer(QUESTION, [OTHER])
    assert draft.found and draft.short_answer is None
    assert draft.text == f"{sentence} [1]"


def test_keeping_some_quotes_renumbers_the_short_answer_or_drops_it_with_its_quote() -> None:
    draft = answerer(KeywordReader("city"), keep_margin=10.0).answer(QUESTION, [BRIDGE, OTHER])
    assert draft.short_answer is not None and len(draft.citations) >= 2
    first = draft.citations[0].quote
    without_first = keep_citations(draft, lambda c: c.quote != first)
    assert without_first.short_answer is None
    assert not without_first.text.startswith("city [")
    only_first = keep_citations(draft, lambda c: c.quote == first)
    assert only_first.short_answer == draft.short_answer
    assert only_first.text == f"city [1]\n\n{first} [1]"


def test_a_speaker_answer_is_led_by_the_short_answer_found_in_its_quotes() -> None:
    said = answerer(KeywordReader("Acme Works")).answer(QUESTION, [BRIDGE, OTHER])
    cited = said.citations[0]
    statement = AnswerDraft(f"The council said that {cited.quote} [1]", True, [cited])
    asked = "What did the council say about the repairs?"
    gist = "paid the engineering firm"
    led = answerer(KeywordReader(gist)).lead(asked, statement)
    short = led.short_answer
    assert short is not None and short.text == gist and short.citation == 1
    assert cited.paragraph_text[short.start : short.end] == gist
    assert led.text == f"{gist} [1]\n\n{statement.text}"
    assert led.confidence is None  # calibrated for the reader's own answers only
    # nothing to lead: a refusal, or quotes in which the reader finds no span
    refusal = AnswerDraft(NOT_FOUND, False)
    assert answerer(KeywordReader("x")).lead(asked, refusal) is refusal
    assert answerer(KeywordReader("Nobody Inc")).lead(asked, statement) is statement
    # a question for a name (who said it?) is answered by the line's speaker, not the quote
    assert answerer(KeywordReader(gist)).lead(QUESTION, statement) is statement


def test_a_short_answer_of_the_question_s_own_words_is_no_short_answer() -> None:
    draft = answerer(KeywordReader("harbour bridge")).answer("Which firm was paid?", [BRIDGE])
    assert draft.short_answer is not None  # "harbour bridge" is not in this question
    draft = answerer(KeywordReader("harbour bridge")).answer(QUESTION, [BRIDGE, OTHER])
    assert draft.found and draft.short_answer is None
    assert not draft.text.startswith("harbour bridge [")


def test_a_short_statement_is_its_own_gist_when_the_reader_finds_only_question_words() -> None:
    cited = answerer(KeywordReader("Acme Works")).answer(QUESTION, [BRIDGE, OTHER]).citations[0]
    quote = "repairs would resume"
    start = cited.paragraph_text.find("repairs")
    short_cited = cited.model_copy(update={"quote": quote, "span": (start, start + len(quote))})
    statement = AnswerDraft(f"The council said {quote} [1]", True, [short_cited])
    led = answerer(KeywordReader("repairs")).lead(
        "What did the council say about repairs?", statement
    )
    assert led.short_answer is not None and led.short_answer.text == quote


def test_the_short_answer_is_the_best_span_of_the_kind_asked() -> None:
    text = "The council paid Acme Works 12 million dollars on Monday."

    def at(phrase: str) -> tuple[int, int]:
        return text.index(phrase), text.index(phrase) + len(phrase)

    council, acme, number, day = (
        at(p) for p in ("The council", "Acme Works", "12 million", "Monday")
    )
    spans = [council, acme, number, day]  # the reader's order, best first
    assert choose_span(text, spans, "Who was paid?") == council
    assert choose_span(text, spans, "How many dollars did the council pay?") == number
    assert choose_span(text, spans, "When was Acme Works paid?") == day
    # the question's own words are no answer; nothing of the kind asked: the best other span
    assert choose_span(text, spans, "When did the council pay?") == day
    assert choose_span(text, [council, acme], "How many did the council pay?") == acme
    assert choose_span(text, [(0, len(text))], "Who was paid?") is None


def test_a_name_or_a_noun_is_no_gist_of_what_was_said() -> None:
    said = answerer(KeywordReader("Acme Works")).answer(QUESTION, [BRIDGE, OTHER])
    cited = said.citations[0]
    statement = AnswerDraft(f"The council said that {cited.quote} [1]", True, [cited])
    asked = "What did the council say?"
    # the reader's best span is a name or a noun: no short answer leads (the quote is long)
    for phrase in ("Acme Works", "engineering firm"):
        assert answerer(KeywordReader(phrase)).lead(asked, statement) is statement
    led = answerer(KeywordReader("paid the engineering firm")).lead(asked, statement)
    assert led.short_answer is not None and led.short_answer.text == "paid the engineering firm"


def test_the_gist_of_a_long_statement_is_its_main_clause() -> None:
    from qa.reader.answerer import main_clause

    quote = "while Kyiv expected Moscow to press on, the recent assaults had delivered little"
    start, end = main_clause(quote) or (0, 0)
    assert quote[start:end] == "the recent assaults had delivered little"
    assert main_clause("the talks, he said, would resume") is None  # no part of 4+ words
    long_only = "the government would spend many more billions on the grid over twenty years"
    assert main_clause(long_only) is None  # over MAX_ANSWER_WORDS: no gist
