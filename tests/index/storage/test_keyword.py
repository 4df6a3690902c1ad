"""The FTS5 keyword index: terms, safe queries, BM25 ranking, filters, kept in step."""

from __future__ import annotations

from dataclasses import replace

import pytest

from index.filters import SearchFilters
from index.models import Article
from index.storage.fulltext import fts_query
from index.storage.keyword import COUNTS_TTL, TermCounts, keyword_search, query_terms
from tests.conftest import MakeIndex
from tests.index.conftest import make_article

pytestmark = pytest.mark.both_databases


def story(n: int, text: str, source: str = "example.com", published: str = "2024-05-01") -> Article:
    """An article with one paragraph of ``text``."""
    return replace(make_article(n, source=source, published=published), text=text, title=f"T{n}")


def test_query_terms_drop_stopwords_and_duplicates() -> None:
    assert query_terms("What is the capital of France, the capital?") == ["capital", "france"]
    assert query_terms("Who won in 2024 with 51% and $3")[-3:] == ["2024", "51%", "$3"]
    assert query_terms("the of a") == []
    assert query_terms("Biden’s plan") == ["biden's", "plan"]


@pytest.mark.parametrize("text", ['"', "AND OR NOT", "NEAR(a b)", "col:umn *", 'x" OR "y'])
def test_fts_syntax_in_questions_cannot_break_the_query(make_index: MakeIndex, text: str) -> None:
    index = make_index(articles=[story(1, "Some words about a column and a star near here.")])
    keyword_search(index.catalog, text, 5)  # must not raise
    assert fts_query(['a"b']) == '"a""b"'


def test_bm25_ranks_the_paragraph_with_more_matching_terms_first(make_index: MakeIndex) -> None:
    index = make_index(articles=[
        story(1, "The river flooded the lower town after three days of heavy rain."),
        story(2, "The river flooded the town; the mayor ordered an evacuation of the town."),
        story(3, "A festival of music took place in the old market square on Sunday."),
    ])  # fmt: skip
    hits = keyword_search(index.catalog, "mayor evacuation river", 5)
    assert [h.id for h in hits] == ["a2#0", "a1#0"]
    assert hits[0].score > hits[1].score > 0
    assert keyword_search(index.catalog, "flooding", 5)  # porter stemming
    assert keyword_search(index.catalog, "mayor", 0) == []


def test_the_title_is_searchable_with_each_paragraph(make_index: MakeIndex) -> None:
    index = make_index(articles=[replace(story(1, "Nothing in this body matches the query at all."),
                                         title="Zeppelin landing")])  # fmt: skip
    assert [h.id for h in keyword_search(index.catalog, "zeppelin", 5)] == ["a1#0"]


def test_filters_restrict_by_source_and_date(make_index: MakeIndex) -> None:
    text = "The harbour bridge reopened to traffic after a year of repairs and delays."
    index = make_index(articles=[
        story(1, text, "a.com", "2024-01-10"), story(2, text, "b.com", "2024-03-10"),
        story(3, text, "a.com", "2024-06-10"),
    ])  # fmt: skip
    search = lambda f: sorted(h.id for h in keyword_search(index.catalog, "bridge", 9, f))  # noqa: E731
    assert search(SearchFilters(source="a.com")) == ["a1#0", "a3#0"]
    assert search(SearchFilters(published_from="2024-02-01")) == ["a2#0", "a3#0"]
    assert search(SearchFilters(source="a.com", published_to="2024-05-31")) == ["a1#0"]


def test_replaced_and_removed_articles_leave_the_keyword_index(make_index: MakeIndex) -> None:
    index = make_index(articles=[
        story(1, "Volcano erupts near the island village, residents evacuated by boat."),
        story(2, "The volcano observatory raised its alert level on Tuesday morning."),
    ])  # fmt: skip
    index.service.add([story(1, "Glacier retreat measured by the survey team this summer.")])
    assert [h.id for h in keyword_search(index.catalog, "volcano", 5)] == ["a2#0"]
    assert [h.id for h in keyword_search(index.catalog, "glacier", 5)] == ["a1#0"]
    index.service.remove("a2")
    assert keyword_search(index.catalog, "volcano", 5) == []
    reopened = make_index()
    assert [h.id for h in keyword_search(reopened.catalog, "glacier", 5)] == ["a1#0"]


def _town_stories(count: int) -> list[Article]:
    """``count`` one-paragraph stories that all mention the town; only the first the mayor."""
    texts = ["The town council met and the mayor resigned after the vote."]
    texts += [
        f"The town market opened stall number {n} on a sunny morning." for n in range(1, count)
    ]
    return [story(n, text) for n, text in enumerate(texts, start=1)]


def test_common_terms_are_dropped_from_a_query_with_rarer_ones(make_index: MakeIndex) -> None:
    index = make_index(articles=_town_stories(6))
    counts = TermCounts(index.catalog, common_share=0.5, prune_from=6)
    assert counts.rare_terms(["town", "mayor"]) == ["mayor"]
    assert counts.rare_terms(["town", "market"]) == ["town", "market"]  # nothing rarer: all kept
    assert counts.rare_terms(["town"]) == ["town"]
    hits = keyword_search(index.catalog, "town mayor", 9, counts=counts)
    assert [h.id for h in hits] == ["a1#0"]  # "town" alone no longer matches the others
    assert len(keyword_search(index.catalog, "town mayor", 9)) == 6


def test_small_indexes_and_share_one_keep_every_term(make_index: MakeIndex) -> None:
    index = make_index(articles=_town_stories(6))
    assert TermCounts(index.catalog, 0.5, prune_from=7).rare_terms(["town", "mayor"]) == [
        "town",
        "mayor",
    ]
    assert TermCounts(index.catalog, 1.0, prune_from=1).rare_terms(["town", "mayor"]) == [
        "town",
        "mayor",
    ]


def test_term_counts_follow_newly_indexed_paragraphs(make_index: MakeIndex) -> None:
    index = make_index(articles=_town_stories(6))
    counts = TermCounts(index.catalog, common_share=0.5, prune_from=6)
    assert counts.rare_terms(["town", "mayor"]) == ["mayor"]
    more = [
        story(n, f"The mayor of the harbour spoke to reporters on day {n}.") for n in range(7, 12)
    ]
    index.service.add(more)  # 11 paragraphs: "town" in 6 (> 5.5), "mayor" in 6 too
    assert counts.rare_terms(["town", "mayor"]) == ["town", "mayor"]


def test_a_term_no_paragraph_holds_never_empties_the_search(make_index: MakeIndex) -> None:
    index = make_index(articles=_town_stories(6))
    counts = TermCounts(index.catalog, common_share=0.5, prune_from=6)
    assert counts.rare_terms(["town", "zzzqx"]) == ["town", "zzzqx"]
    assert counts.rare_terms(["town", "$$"]) == ["town", "$$"]
    assert len(keyword_search(index.catalog, "town zzzqx", 9, counts=counts)) == 6
    assert counts.rare_terms(["town", "zzzqx", "mayor"]) == ["zzzqx", "mayor"]


def test_filtered_searches_keep_the_common_terms(make_index: MakeIndex) -> None:
    index = make_index(articles=_town_stories(6))
    counts = TermCounts(index.catalog, common_share=0.5, prune_from=6)
    that_day = SearchFilters(published_from="2024-05-01", published_to="2024-05-01")
    assert len(keyword_search(index.catalog, "town mayor", 9, that_day, counts)) == 6
    assert len(keyword_search(index.catalog, "town mayor", 9, None, counts)) == 1


def test_counts_are_read_again_once_they_are_old(make_index: MakeIndex) -> None:
    index = make_index(articles=_town_stories(6))
    now = [0.0]
    counts = TermCounts(index.catalog, common_share=0.9, prune_from=6, clock=lambda: now[0])
    assert counts.rare_terms(["town", "mayor"]) == ["mayor"]  # town in 6 > 5.4
    index.service.add([story(6, "The mayor spoke to reporters at the harbour.")])  # replaced
    now[0] += COUNTS_TTL + 1
    assert counts.rare_terms(["town", "mayor"]) == ["town", "mayor"]  # town in 5 of 6


def test_a_rare_term_outweighs_a_common_one(make_index: MakeIndex) -> None:
    common = [
        story(n, f"The council met on day {n} to discuss the council budget.") for n in range(2, 9)
    ]
    rare = story(1, "Shelling hit Kupiansk overnight, the regional governor said.")
    index = make_index(articles=[rare, *common])
    counts = TermCounts(index.catalog, common_share=1.0)  # weights only, no term dropped
    hits = keyword_search(index.catalog, "council Kupiansk", 3, counts=counts)
    assert hits[0].id == "a1#0"  # one rare match beats two of a word every paragraph has
