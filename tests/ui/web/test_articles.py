"""The Articles tab's handlers in-process (the fake-embedder services with the sample), and its
pure helpers: pasted text with a date and source, confirmation before delete, the list
searched and sorted, counts with correct plurals."""

from __future__ import annotations

from typing import Any

import gradio as gr
import pytest

from index.models import IndexReport
from index.storage.records import ArticleRecord
from ui.services import ServiceRef, Services
from ui.web.articles import confirm_delete, delete_article, index_text, list_articles
from ui.web.listing import ORDERS, article_rows, counted, report_markdown, stats_markdown

BAKERY = (
    "A small bakery in Lisbon's Alfama district won the national pastry prize on Friday for"
    " its custard tarts.\n\nThe owner, Marta Silva, said the recipe came from her grandmother."
)


def quiet(*args: Any, **kwargs: Any) -> None:
    """A progress tracker that shows nothing."""


def record(id: str, title: str, published: str = "", source: str = "", n: int = 1) -> ArticleRecord:
    return ArticleRecord(id=id, title=title, url="", published=published, source=source,
                         state="indexed", content_hash="", paragraphs=n)  # fmt: skip


RECORDS = [
    record("b", "beta story", "2024-05-02", "Reuters", 3),
    record("a", "Alpha story", "", "", 9),
    record("c", "Gamma story", "2023-01-01", "AP", 1),
    record("d", "delta", "2024-05-02", "BBC", 2),
]


def ids(rows: list[list[Any]]) -> list[str]:
    return [r[0] for r in rows]


def test_the_list_sorts_by_each_order_with_undated_articles_last() -> None:
    assert ids(article_rows(RECORDS)) == ["b", "d", "c", "a"]  # newest; ties by title
    assert ids(article_rows(RECORDS, order="Oldest first")) == ["c", "b", "d", "a"]
    assert ids(article_rows(RECORDS, order="Title A–Z")) == ["a", "b", "d", "c"]
    assert ids(article_rows(RECORDS, order="Source A–Z")) == ["c", "d", "b", "a"]
    assert ids(article_rows(RECORDS, order="Most paragraphs")) == ["a", "b", "d", "c"]
    assert set(ORDERS) == {"Newest first", "Oldest first", "Title A–Z", "Source A–Z",
                           "Most paragraphs"}  # fmt: skip


def test_the_list_search_matches_every_word_in_title_source_id_or_date() -> None:
    assert ids(article_rows(RECORDS, "STORY")) == ["b", "c", "a"]
    assert ids(article_rows(RECORDS, "story reuters")) == ["b"]
    assert ids(article_rows(RECORDS, "2024-05")) == ["b", "d"]
    assert article_rows(RECORDS, "nowhere") == []


def test_counts_have_correct_plurals() -> None:
    assert counted(1, "sources") == "1 source" and counted(2, "sources") == "2 sources"
    assert counted(0, "articles") == "0 articles" and counted(1, "pending") == "1 pending"
    figures = {"articles": 1, "pending": 0, "paragraphs": 7, "sources": 1, "vectors": 1}
    assert stats_markdown(figures) == (
        "**1** article · **0** pending · **7** paragraphs · **1** source · **1** vector"
    )
    report = IndexReport(added=["x"], paragraphs=1, seconds=0.25)
    assert "(1 paragraph embedded in 0.2s)" in report_markdown(report)


def test_pasted_text_keeps_its_date_and_source(services: Services) -> None:
    ref = ServiceRef(services)
    message, stats, rows, _ = index_text(
        ref, "Bakery", BAKERY, "", quiet, published="3 May 2024", source="Lisbon Daily"
    )
    assert "1 added" in message and "**2** articles" in stats
    assert ["2024-05-03", "Lisbon Daily", "Bakery"] in [[r[1], r[2], r[4]] for r in rows]
    with pytest.warns(UserWarning) as warned:
        shown = index_text(ref, "Bad", BAKERY + " Again.", "", quiet, published="soon")
    assert [str(w.message) for w in warned] == [
        "'Published' must be a date like 2024-05-03, not 'soon'."
    ]
    assert shown == tuple(gr.skip() for _ in range(4))


def test_search_and_sort_over_the_indexed_articles(services: Services) -> None:
    ref = ServiceRef(services)
    index_text(ref, "Bakery", BAKERY, "", quiet, published="2024-05-03", source="Lisbon Daily")
    rows, listed = list_articles(ref, "lisbon", "Newest first")
    assert [r[4] for r in rows] == ["Bakery"] and listed == "1 article of 2 match “lisbon”."
    rows, listed = list_articles(ref, "", "Title A–Z")
    assert rows[0][4] == "Bakery" and listed == "2 articles."


def test_delete_asks_first_naming_the_article(services: Services) -> None:
    ref = ServiceRef(services)
    _, _, rows, _ = index_text(ref, "Bakery *best*", BAKERY, "", quiet)
    article_id = next(r[0] for r in rows if r[4] == "Bakery *best*")
    shown, prompt = confirm_delete(ref, article_id)
    assert shown == gr.update(visible=True)
    assert prompt.startswith(f"Delete **Bakery \\*best\\*** (`{article_id}`) from every index?")
    assert "cannot be undone" in prompt
    with pytest.warns(UserWarning, match="Click an article"):
        assert confirm_delete(ref, " ") == (gr.skip(), gr.skip())
    with pytest.warns(UserWarning, match="no indexed article"):
        assert confirm_delete(ref, "nope") == (gr.skip(), gr.skip())
    message, _, rows, _ = delete_article(ref, article_id, "")
    assert "Removed" in message and article_id not in [r[0] for r in rows]
