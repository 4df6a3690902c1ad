"""Boilerplate (text repeated across many articles of one source) never becomes searchable,
and real content does not get dropped (checked on the eval set too)."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest

from index.models import Article
from index.readers.boilerplate import SHORT_SHARE, BoilerplateFilter
from index.readers.inputs import article_from_record
from index.split.paragraphs import article_paragraph_texts
from index.storage.catalog import Catalog
from index.storage.keyword import keyword_search
from tests.conftest import MakeIndex, assert_consistent
from tests.index.conftest import EVAL_ARTICLES, eval_slice, make_article

pytestmark = pytest.mark.both_databases

NOTICE = "Sign up for our weekly newsletter and get the best stories in your inbox."


def with_notice(n: int, source: str = "example.com", notice: str = NOTICE) -> Article:
    """Article ``a{n}`` with the notice as its second paragraph."""
    article = make_article(n, source=source)
    lines = article.text.split("\n")
    return replace(article, text="\n".join([lines[0], notice, *lines[1:]]))


def texts(index: object) -> list[str]:
    """Every stored paragraph text."""
    conn = index.catalog.connection()  # type: ignore[attr-defined]
    return [row[0] for row in conn.execute("SELECT text FROM paragraphs")]


def test_a_notice_in_many_articles_of_a_source_is_dropped(make_index: MakeIndex) -> None:
    index = make_index(articles=[with_notice(n) for n in range(5)])
    assert not any("newsletter" in t for t in texts(index))
    assert keyword_search(index.catalog, "newsletter inbox", 5) == []
    assert len(assert_consistent(index)) == 15  # the real paragraphs all stay


def test_below_the_threshold_nothing_is_dropped(make_index: MakeIndex) -> None:
    index = make_index(articles=[with_notice(n) for n in range(3)])
    assert sum("newsletter" in t for t in texts(index)) == 3


def test_articles_indexed_before_the_notice_became_frequent_are_cleaned(
    make_index: MakeIndex,
) -> None:
    index = make_index(articles=[with_notice(n) for n in range(3)])
    report = index.service.add([with_notice(3)])
    assert report.added == ["a3"]
    assert not any("newsletter" in t for t in texts(index))
    assert len(assert_consistent(index)) == 12


def test_repetition_counts_per_source(make_index: MakeIndex) -> None:
    articles = [with_notice(n, source=f"site{n % 2}.com") for n in range(6)]
    index = make_index(articles=articles)
    assert sum("newsletter" in t for t in texts(index)) == 6


def test_short_lines_need_a_larger_share_of_the_source(make_index: MakeIndex) -> None:
    index = make_index(articles=[with_notice(n, notice="Related coverage") for n in range(4)] +
                       [make_article(n) for n in range(4, 24)])  # fmt: skip
    assert SHORT_SHARE * 24 > 4
    assert sum("Related coverage" in t for t in texts(index)) == 4  # 4 of 24 is not 20%


def test_a_notice_in_a_changed_article_stays_dropped(make_index: MakeIndex) -> None:
    index = make_index(articles=[with_notice(n) for n in range(5)])
    index.service.add([replace(with_notice(2), title="A new title")])
    assert not any("newsletter" in t for t in texts(index))


def test_the_eval_slice_loses_no_article_entirely(make_index: MakeIndex) -> None:
    records = eval_slice(60)
    index = make_index(articles=[article_from_record(r, "eval") for r in records])
    assert all(r.paragraphs > 0 for r in index.service.articles())
    assert len(assert_consistent(index)) > 60


def normalise(text: str) -> str:
    """The eval README's answer matching normalisation, padded with spaces."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " " + re.sub(r"[^a-z0-9$%]+", " ", text).strip() + " "


@pytest.mark.slow
def test_on_the_eval_set_boilerplate_goes_and_answers_stay(tmp_path: Path) -> None:
    """What the filter (4 articles) drops over all 1,698 eval articles: a small share, sign-up
    notices included, and never every paragraph holding a question's gold answer in its
    evidence articles."""
    articles = {a.id: a for a in (article_from_record(r, "eval") for r in eval_slice(10_000))}
    boilerplate = BoilerplateFilter(Catalog(tmp_path / "c.sqlite3"), min_articles=4)
    boilerplate.update(list(articles.values()))
    dropped = {a.id: boilerplate.predicate(a) for a in articles.values()}
    pairs = [(a.id, p) for a in articles.values() for p in article_paragraph_texts(a.text)]
    gone = [p for i, p in pairs if dropped[i](p)]
    assert 0 < len(gone) < 0.02 * len(pairs)
    assert any("sign up" in p.lower() and "newsletter" in p.lower() for p in gone)
    questions = [json.loads(x) for x in (EVAL_ARTICLES.parent / "questions.jsonl").open()]
    for q in questions:
        docs = [articles[i] for i in q["silver_doc_ids"] + q["gold_doc_ids"] if i in articles]
        answer = normalise(q["answer"])
        held = [dropped[a.id](p) for a in docs for p in article_paragraph_texts(a.text)
                if answer in normalise(p)]  # fmt: skip
        assert not held or not all(held), q["question"]


class FailingMark:
    """A catalog whose marking of articles as pending fails once (a crash at that point)."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog, self.failed = catalog, False

    def mark_ids_pending(self, article_ids: list[str]) -> None:
        if not self.failed:
            self.failed = True
            raise RuntimeError("killed")
        self.catalog.mark_ids_pending(article_ids)

    def __getattr__(self, name: str) -> object:
        return getattr(self.catalog, name)


def test_a_crash_before_the_older_articles_are_marked_leaves_them_to_the_next_run(
    make_index: MakeIndex,
) -> None:
    index = make_index(articles=[with_notice(n) for n in range(3)])
    boilerplate = index.service.boilerplate
    boilerplate.catalog = FailingMark(index.catalog)  # type: ignore[assignment]
    with pytest.raises(RuntimeError, match="killed"):
        index.service.add([with_notice(3)])
    report = index.service.add([with_notice(3)])
    assert report.added == ["a3"]
    assert not any("newsletter" in t for t in texts(index))
    assert len(assert_consistent(index)) == 12
