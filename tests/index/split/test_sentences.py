"""Sentence spans over news prose: boundaries right, and every span exact."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.split.sentences import sentence_spans, split_sentences
from tests.conftest import EVAL_ARTICLES, SAMPLE


def assert_exact_spans(text: str, spans: list[tuple[int, int]]) -> None:
    """Spans are ordered, non-empty, trimmed, and cover every non-whitespace character once."""
    position = 0
    for start, end in spans:
        assert position <= start < end <= len(text)
        assert text[position:start].strip() == ""
        assert text[start:end] == text[start:end].strip()
        position = end
    assert text[position:].strip() == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Sen. John Smith, R-Texas, said the U.S. economy grew 3.5% in Jan. and Feb. "
            "He disagreed.",
            [
                "Sen. John Smith, R-Texas, said the U.S. economy grew 3.5% in Jan. and Feb.",
                "He disagreed.",
            ],
        ),
        (
            "He said, “We will win.” The crowd cheered.",
            ["He said, “We will win.”", "The crowd cheered."],
        ),
        (
            "“Why not?” she asked. Nobody answered! Really?",
            ["“Why not?” she asked.", "Nobody answered!", "Really?"],
        ),
        (
            'She said: "It is over." Then she left.',
            ['She said: "It is over."', "Then she left."],
        ),
        ("‘It’s done.’ He nodded.", ["‘It’s done.’", "He nodded."]),
        (
            "J. R. R. Tolkien wrote it. George W. Bush agreed.",
            ["J. R. R. Tolkien wrote it.", "George W. Bush agreed."],
        ),
        (
            "Mr. and Mrs. Jones met Dr. Lee, Gov. Wes Moore, Lt. Col. Ray and Rep. Kim.",
            ["Mr. and Mrs. Jones met Dr. Lee, Gov. Wes Moore, Lt. Col. Ray and Rep. Kim."],
        ),
        (
            "The vote is at 10 a.m. Tuesday. It ended at 3 p.m. He left.",
            ["The vote is at 10 a.m. Tuesday.", "It ended at 3 p.m.", "He left."],
        ),
        (
            "The U.S. Senate voted. Troops left the U.S. The U.K. objected.",
            ["The U.S. Senate voted.", "Troops left the U.S.", "The U.K. objected."],
        ),
        (
            "The No. 1 seed won on Jan. 5. No. The answer was no.",
            ["The No. 1 seed won on Jan. 5.", "No.", "The answer was no."],
        ),
        (
            "Apple Inc. said so. Shares of Acme Corp. fell. Martin Luther King Jr. Day is Monday.",
            [
                "Apple Inc. said so.",
                "Shares of Acme Corp. fell.",
                "Martin Luther King Jr. Day is Monday.",
            ],
        ),
        (
            "It rose 3.5% to $1.25 billion. Growth was 0.4 points.",
            ["It rose 3.5% to $1.25 billion.", "Growth was 0.4 points."],
        ),
        (
            "Wait... What happened? Well … he paused. Then he spoke… And left.",
            ["Wait...", "What happened?", "Well … he paused.", "Then he spoke…", "And left."],
        ),
        (
            "He lives in St. Louis, Mo. The D.C. Circuit ruled in Washington, D.C. The end.",
            [
                "He lives in St. Louis, Mo.",
                "The D.C. Circuit ruled in Washington, D.C.",
                "The end.",
            ],
        ),
        ("(See the chart.) The end.", ["(See the chart.)", "The end."]),
        ("It sold an iPhone. iPhone sales rose.", ["It sold an iPhone.", "iPhone sales rose."]),
        (
            "1. Winter weather is here. 2. It is cold.",
            ["1. Winter weather is here.", "2. It is cold."],
        ),
        (
            "Roe v. Wade fell. Visit example.com. It is free.",
            ["Roe v. Wade fell.", "Visit example.com.", "It is free."],
        ),
    ],
)
def test_news_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected
    assert_exact_spans(text, sentence_spans(text))


def test_sample_paragraph_keeps_quoted_clause_in_its_sentence() -> None:
    paragraph = SAMPLE.read_text(encoding="utf-8").splitlines()[1]
    sentences = split_sentences(paragraph)
    assert len(sentences) == 3
    assert sentences[2].startswith(
        "The general described operations as “active on all fronts,” with"
    )
    assert sentences[2].endswith("including Zaporizhzhia and Dnipropetrovsk.")


def test_sample_article_spans_are_exact() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    spans = sentence_spans(text)
    assert_exact_spans(text, spans)
    assert len(spans) == 18
    assert text[spans[0][0] : spans[0][1]].startswith("Moscow: Russia’s top military commander")


def test_spans_exclude_surrounding_whitespace() -> None:
    text = "  First one.   Second one!\t \n\n  Third  "
    assert sentence_spans(text) == [(2, 12), (15, 26), (32, 37)]
    assert split_sentences(text) == ["First one.", "Second one!", "Third"]


def test_line_break_always_ends_a_sentence() -> None:
    assert split_sentences("Maryland\nThe governor said so. Mr.\nSmith left") == [
        "Maryland",
        "The governor said so.",
        "Mr.",
        "Smith left",
    ]


@pytest.mark.parametrize("text", ["", "   ", "\n\n", " \t\n "])
def test_blank_text_has_no_sentences(text: str) -> None:
    assert sentence_spans(text) == []


def test_text_without_final_punctuation_is_one_sentence() -> None:
    assert split_sentences("Breaking news from Kyiv") == ["Breaking news from Kyiv"]


def test_lowercase_after_period_does_not_split() -> None:
    assert split_sentences("“Stop.” he said. it was 3 a.m. on Monday.") == [
        "“Stop.” he said. it was 3 a.m. on Monday."
    ]


_ALPHABET = st.sampled_from([*"aAbZ .?!…,;:\"'“”‘’()\n\t19-—$", "Mr.", "U.S.", " The ", "..."])


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=80).map("".join))
def test_spans_partition_any_text(text: str) -> None:
    assert_exact_spans(text, sentence_spans(text))


def test_real_articles_spans_are_exact_and_fast() -> None:
    import json
    import time

    path = EVAL_ARTICLES
    if not path.exists():
        pytest.skip("realtimeqa-dev articles are not available")
    with path.open(encoding="utf-8") as handle:
        texts = [json.loads(line)["text"] for line, _ in zip(handle, range(200), strict=False)]
    started = time.perf_counter()
    all_spans = [sentence_spans(text) for text in texts]
    assert time.perf_counter() - started < 5
    for text, spans in zip(texts, all_spans, strict=True):
        assert_exact_spans(text, spans)
