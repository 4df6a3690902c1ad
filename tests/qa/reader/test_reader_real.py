"""The shipped reader model over the bundled sample (slow: tests/qa/conftest.py's
sample_service, the real embedder and reader).

Whatever the question, a short answer lies inside its cited quote, is at most
MAX_ANSWER_WORDS words and holds a word the question does not; the questions the reader is
known to answer right here are checked for the right answer.
"""

from __future__ import annotations

import pytest

from qa.config import QASettings
from qa.models import Answer
from qa.reader.answerer import answers_something
from qa.reader.model import MAX_ANSWER_WORDS
from qa.requests import asking
from qa.service import QAService

QUESTIONS = [
    "What did Zelenskiy say?",
    "Who is Russia's top military commander?",
    "When was the announcement made?",
    "How many times has Kupiansk changed hands?",
    "Where is the fiercest combat?",
]

pytestmark = pytest.mark.slow


def assert_short_answer_in_its_quote(answer: Answer, question: str) -> str:
    """The short answer's text, checked against its citation."""
    short = answer.short_answer
    assert short is not None, question
    cited = answer.citations[short.citation - 1]
    assert cited.paragraph_text[short.start : short.end] == short.text
    assert cited.span[0] <= short.start < short.end <= cited.span[1]
    assert len(short.text.split()) <= MAX_ANSWER_WORDS
    assert answers_something(short.text, question)
    assert answer.answer.startswith(f"{short.text} [{short.citation}]\n\n")
    return short.text


@pytest.mark.parametrize("question", QUESTIONS)
def test_a_short_answer_lies_inside_its_cited_quote(
    sample_service: QAService, question: str
) -> None:
    answer = sample_service.ask(asking(question))
    if answer.short_answer is not None:
        assert_short_answer_in_its_quote(answer, question)
    if answer.found and answer.confidence is not None:
        assert 0.0 <= answer.confidence <= 1.0
    if not answer.found:
        assert answer.short_answer is None and answer.related


def test_zelenskiy_s_gist_comes_from_his_statement(sample_service: QAService) -> None:
    answer = sample_service.ask(asking("What did Zelenskiy say?"))
    gist = assert_short_answer_in_its_quote(answer, "What did Zelenskiy say?")
    assert gist in "while Kyiv expected Moscow to intensify its offensives, the recent Russian" \
        " assaults had delivered little meaningful progress"  # fmt: skip


def test_the_commander_is_named(sample_service: QAService) -> None:
    question = "Who is Russia's top military commander?"
    answer = sample_service.ask(asking(question))
    assert "Valery Gerasimov" in assert_short_answer_in_its_quote(answer, question)
    assert answer.confidence is not None and answer.confidence >= QASettings().min_confidence


def test_an_off_topic_question_is_refused_by_confidence(sample_service: QAService) -> None:
    answer = sample_service.ask(asking("Who won the 2022 World Cup?"))
    assert not answer.found and answer.short_answer is None and answer.related
    assert answer.confidence is not None and answer.confidence < QASettings().min_confidence
