"""The reading answerer over a fake reader: which sentence it trusts, the short answer's
offsets, the answer text, refusals by confidence."""

from __future__ import annotations

from collections.abc import Sequence

from qa.answer import NOT_FOUND, ExtractiveAnswerer, keep_citations
from qa.reader.answerer import ReaderAnswerer
from qa.reader.base import SentenceReading
from qa.reader.calibration import Calibration
from tests.qa.test_answer import BagOfWordsEmbedder, passage


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
                readings.append(SentenceReading(-3.0, None))
            else:
                readings.append(SentenceReading(self.logit, (at, at + len(self.needle))))
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


def test_the_confidence_is_the_calibrated_best_logit() -> None:
    calibration = Calibration(scale=1.0, shift=-1.0)
    scorer = ExtractiveAnswerer(BagOfWordsEmbedder())
    reader = ReaderAnswerer(scorer, KeywordReader("Acme Works"), calibration, 0.5)
    draft = reader.answer(QUESTION, [BRIDGE, OTHER])
    assert draft.confidence == calibration.confidence(3.0)
    assert draft.citations[0].score == round(calibration.confidence(3.0), 4)


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
    draft = answerer(KeywordReader("harbour bridge")).answer(QUESTION, [BRIDGE, OTHER])
    assert draft.short_answer is not None and len(draft.citations) >= 2
    first = draft.citations[0].quote
    without_first = keep_citations(draft, lambda c: c.quote != first)
    assert without_first.short_answer is None
    assert not without_first.text.startswith("harbour bridge [")
    only_first = keep_citations(draft, lambda c: c.quote == first)
    assert only_first.short_answer == draft.short_answer
    assert only_first.text == f"harbour bridge [1]\n\n{first} [1]"
