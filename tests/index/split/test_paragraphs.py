"""Splitting articles into paragraphs: breaks, boilerplate, fragments, token limits, no loss."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.models import Article, Paragraph
from index.split.paragraphs import article_paragraph_texts, fingerprint, split_article
from tests.conftest import EVAL_ARTICLES, SAMPLE

REALTIMEQA = EVAL_ARTICLES
FILLER = "officials said the talks would continue later this week in the capital"


def count_words(text: str) -> int:
    """A stand-in tokenizer: one token per whitespace-separated word."""
    return len(text.split())


def count_long_words(text: str) -> int:
    """A stand-in tokenizer where a long word costs one token per 10 characters."""
    return sum(len(word) // 10 + 1 for word in text.split())


def nonspace(text: str) -> str:
    """``text`` without any whitespace."""
    return "".join(text.split())


def make_article(text: str, title: str = "Talks resume") -> Article:
    """An article with a fixed id around ``text``."""
    return Article(id="a1", title=title, text=text)


def assert_well_formed(
    article: Article, paragraphs: list[Paragraph], kept: list[str], max_tokens: int
) -> None:
    """Numbered 0..n-1, within the limit, verbatim, and no non-whitespace character lost."""
    assert [p.number for p in paragraphs] == list(range(len(paragraphs)))
    assert all(p.article_id == article.id for p in paragraphs)
    for paragraph in paragraphs:
        assert paragraph.text and paragraph.text == paragraph.text.strip()
        assert count_words(paragraph.embed_text) <= max_tokens
        assert paragraph.embed_text.endswith(paragraph.text)
        for line in paragraph.text.split("\n"):
            assert line in article.text
    assert nonspace("".join(p.text for p in paragraphs)) == nonspace("".join(kept))


def test_sample_article_gives_seven_paragraphs() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    article = make_article(text, title="Russia claims advances")
    paragraphs = split_article(article, count_tokens=count_words)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert [p.number for p in paragraphs] == list(range(7))
    assert [p.text for p in paragraphs] == lines
    assert paragraphs[0].embed_text == f"Russia claims advances\n{lines[0]}"
    assert paragraphs[3].id == "a1#3"


def test_embed_text_is_the_text_when_there_is_no_title() -> None:
    paragraphs = split_article(make_article(FILLER, title="  "), count_tokens=count_words)
    assert [(p.text, p.embed_text) for p in paragraphs] == [(FILLER, FILLER)]


def test_heading_joins_the_next_paragraph() -> None:
    text = f"Maryland\n\nThe governor said {FILLER}.\n\nSecond: {FILLER}."
    paragraphs = split_article(make_article(text), count_tokens=count_words)
    assert [p.text for p in paragraphs] == [
        f"Maryland\nThe governor said {FILLER}.",
        f"Second: {FILLER}.",
    ]


def test_dateline_joins_the_next_paragraph() -> None:
    text = f"CNN —\n{FILLER}.\n{FILLER}!"
    paragraphs = split_article(make_article(text), count_tokens=count_words)
    assert [p.text for p in paragraphs] == [f"CNN —\n{FILLER}.", f"{FILLER}!"]


def test_consecutive_fragments_all_join_the_next_paragraph() -> None:
    text = f"Maryland\nCNN —\n\n{FILLER}."
    paragraphs = split_article(make_article(text), count_tokens=count_words)
    assert [p.text for p in paragraphs] == [f"Maryland\nCNN —\n{FILLER}."]


def test_trailing_fragment_joins_the_previous_paragraph() -> None:
    text = f"{FILLER}.\n{FILLER}.\nAdvertisement"
    paragraphs = split_article(make_article(text), count_tokens=count_words)
    assert [p.text for p in paragraphs] == [f"{FILLER}.", f"{FILLER}.\nAdvertisement"]


def test_article_of_fragments_only_is_one_paragraph() -> None:
    paragraphs = split_article(make_article("Short one.\n\nShort two."), count_tokens=count_words)
    assert [p.text for p in paragraphs] == ["Short one.\nShort two."]


def test_min_words_is_honoured() -> None:
    text = "Two words\nthree words here"
    paragraphs = split_article(make_article(text), count_tokens=count_words, min_words=2)
    assert [p.text for p in paragraphs] == ["Two words", "three words here"]


def test_empty_article_has_no_paragraphs() -> None:
    assert split_article(make_article(" \n\n\t\n"), count_tokens=count_words) == []


def test_an_article_of_boilerplate_only_is_one_passage_of_its_title() -> None:
    article = make_article("Sign up for our newsletter.\nCookie settings", title="Talks")
    paragraphs = split_article(article, count_tokens=count_words, is_boilerplate=lambda p: True)
    assert paragraphs == [Paragraph(article.id, 0, "Talks", "Talks")]


def test_a_title_taken_from_the_boilerplate_is_not_a_passage() -> None:
    text = "1. How relevant is this ad to you?\nVideo player was slow to load content"
    article = make_article(text, title="1. How relevant is this ad to you?")
    assert split_article(article, count_tokens=count_words, is_boilerplate=lambda p: True) == []
    article = make_article("Sign up for our newsletter to get the news…", title="Sign up for our…")
    assert split_article(article, count_tokens=count_words, is_boilerplate=lambda p: True) == []


def test_boilerplate_is_dropped_and_numbers_stay_contiguous() -> None:
    boilerplate = "Sign up for our newsletter to get the news in your inbox"
    text = f"{FILLER}.\n\n  {boilerplate}  \n\n{FILLER}!"
    seen: list[str] = []

    def is_boilerplate(paragraph: str) -> bool:
        seen.append(paragraph)
        return paragraph == boilerplate

    paragraphs = split_article(
        make_article(text), count_tokens=count_words, is_boilerplate=is_boilerplate
    )
    assert seen == [f"{FILLER}.", boilerplate, f"{FILLER}!"]
    assert [(p.number, p.text) for p in paragraphs] == [(0, f"{FILLER}."), (1, f"{FILLER}!")]


def test_long_paragraph_splits_at_sentence_boundaries_within_the_limit() -> None:
    sentence = "The council met on Tuesday and voted on the budget for the coming year."
    text = " ".join([sentence] * 143)  # 2,002 words in one paragraph
    article = make_article(text)
    paragraphs = split_article(article, count_tokens=count_words, max_tokens=200)
    assert len(paragraphs) == 11
    assert all(p.text.endswith("year.") and p.text.startswith("The council") for p in paragraphs)
    assert_well_formed(article, paragraphs, [text], max_tokens=200)


def test_long_sentence_splits_at_word_boundaries_preferring_clauses() -> None:
    clause = "the mayor said that the city would rebuild the bridge"
    text = ", ".join([clause] * 200) + "."  # one 2,000-word sentence
    article = make_article(text)
    paragraphs = split_article(article, count_tokens=count_words, max_tokens=200)
    assert_well_formed(article, paragraphs, [text], max_tokens=200)
    assert all(p.text.endswith((",", ".")) for p in paragraphs)
    words = [word for p in paragraphs for word in p.text.split()]
    assert words == text.split()  # cut between words, never inside one


def test_long_sentence_without_punctuation_is_split_by_words() -> None:
    text = " ".join(f"word{i}" for i in range(2000))
    article = make_article(text)
    paragraphs = split_article(article, count_tokens=count_words, max_tokens=200)
    assert len(paragraphs) == 11  # 199 words fit beside the one-word title
    assert [w for p in paragraphs for w in p.text.split()] == text.split()
    assert_well_formed(article, paragraphs, [text], max_tokens=200)


def test_single_overlong_word_is_split_not_truncated() -> None:
    url = "https://example.com/" + "x" * 3000
    text = f"Read more at {url} today."
    paragraphs = split_article(make_article(text), count_tokens=count_long_words, max_tokens=50)
    assert all(count_long_words(p.embed_text) <= 50 for p in paragraphs)
    assert "".join(p.text.replace(" ", "") for p in paragraphs) == text.replace(" ", "")


def test_overlong_title_is_shortened_in_embed_text_only() -> None:
    title = " ".join(["Headline"] * 300)
    text = f"{FILLER}. {FILLER}."
    paragraphs = split_article(make_article(text, title=title), count_tokens=count_words)
    assert [p.text for p in paragraphs] == [text]
    assert count_words(paragraphs[0].embed_text) <= 200
    assert paragraphs[0].embed_text.startswith("Headline Headline")


def test_same_text_gives_same_paragraphs() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    first = split_article(make_article(text), count_tokens=count_words, max_tokens=40)
    second = split_article(make_article(text), count_tokens=count_words, max_tokens=40)
    assert first == second


def test_article_paragraph_texts_strips_and_drops_blank_lines() -> None:
    text = "  First para. \r\n\r\n\n\tSecond para.\n   \nThird\n"
    assert article_paragraph_texts(text) == ["First para.", "Second para.", "Third"]


def test_fingerprint_normalises_case_and_whitespace_but_keeps_digits() -> None:
    base = fingerprint("Sign up for our  Newsletter\tnow")
    assert base == fingerprint("  sign up for our newsletter now ")
    assert base != fingerprint("Sign up for our newsletter today")
    assert fingerprint("Call 555-0100") != fingerprint("Call 555-0199")
    assert re.fullmatch(r"[0-9a-f]{16}", base)


_PARAGRAPH = st.lists(
    st.sampled_from(["news", "Mr.", "said.", "U.S.", "war,", "“quote.”", "3.5", "A", "Why?"]),
    min_size=0,
    max_size=60,
).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(
    paragraphs=st.lists(_PARAGRAPH, max_size=8),
    max_tokens=st.integers(min_value=8, max_value=60),
    min_words=st.integers(min_value=0, max_value=10),
)
def test_split_properties_hold_for_random_articles(
    paragraphs: list[str], max_tokens: int, min_words: int
) -> None:
    article = make_article("\n\n".join(paragraphs), title="Two words")
    result = split_article(
        article, count_tokens=count_words, max_tokens=max_tokens, min_words=min_words
    )
    assert_well_formed(article, result, article_paragraph_texts(article.text), max_tokens)


def _realtimeqa_articles(limit: int) -> list[Article]:
    """The first ``limit`` articles of the realtimeqa-dev set (skips the test if absent)."""
    if not REALTIMEQA.exists():
        pytest.skip("realtimeqa-dev articles are not available")
    articles = []
    with REALTIMEQA.open(encoding="utf-8") as handle:
        for line, _ in zip(handle, range(limit), strict=False):
            record = json.loads(line)
            articles.append(Article(id=record["id"], title=record["title"], text=record["text"]))
    return articles


@pytest.mark.parametrize("max_tokens", [200, 60])
def test_real_articles_lose_no_text_and_fit_the_limit(max_tokens: int) -> None:
    for article in _realtimeqa_articles(50):
        paragraphs = split_article(article, count_tokens=count_words, max_tokens=max_tokens)
        assert_well_formed(article, paragraphs, article_paragraph_texts(article.text), max_tokens)


def test_real_articles_with_boilerplate_callback() -> None:
    marker = re.compile(r"^(Advertisement|Read more|Sign up)", re.IGNORECASE)

    def is_boilerplate(paragraph: str) -> bool:
        return marker.match(paragraph) is not None

    for article in _realtimeqa_articles(50):
        kept = [p for p in article_paragraph_texts(article.text) if not is_boilerplate(p)]
        paragraphs = split_article(article, count_tokens=count_words, is_boilerplate=is_boilerplate)
        assert_well_formed(article, paragraphs, kept, max_tokens=200)
