"""Stories: a wire paragraph republished by several outlets with small edits is one story,
found when indexing, kept right when articles change or go, and filled for old catalogs."""

from __future__ import annotations

import contextlib
import sqlite3

import pytest

from index.components import IndexComponents
from index.models import Article
from index.storage.stories import (
    BANDS,
    MIN_SHINGLES,
    StoryStore,
    band_keys,
    is_copy,
    rebuild_stories,
    shingle_hashes,
)
from tests.conftest import MakeIndex, assert_consistent

pytestmark = pytest.mark.both_databases

WIRE = (
    "KYIV, Ukraine (AP) — Russian forces shelled the city of Kharkiv overnight, damaging a"
    " power plant and leaving tens of thousands of residents without electricity, the regional"
    " governor said on Tuesday, adding that repair crews were already at work."
)
EDITED = (  # another outlet's copy: no dateline, one word changed, the end cut short
    "Russian forces shelled the city of Kharkiv overnight, damaging a power plant and leaving"
    " tens of thousands of residents without power, the regional governor said on Tuesday,"
    " adding that repair crews were already at work."
)
OTHER = (
    "The city council of Lyon approved a new budget for public transport on Monday, with more"
    " money for night buses, cycle lanes and the renovation of two tram depots by next year."
)
LOCAL = "Local officials said schools in the district would stay open for the rest of the week."


def article(n: int, source: str, *paragraphs: str, published: str = "2024-05-01") -> Article:
    return Article(
        id=f"a{n}",
        title=f"Story {n}",
        text="\n\n".join(paragraphs),
        url=f"https://{source}/a{n}",
        published=published,
        source=source,
    )


def groups(index: IndexComponents) -> set[frozenset[str]]:
    """The stories of two or more paragraphs, as sets of paragraph ids."""
    rows = index.catalog.connection().execute("SELECT paragraph_id, story FROM story_paragraphs")
    stories: dict[int, set[str]] = {}
    for paragraph_id, story in rows:
        stories.setdefault(story, set()).add(paragraph_id)
    return {frozenset(ids) for ids in stories.values() if len(ids) > 1}


class Undo(Exception):
    """Raised to roll a transaction back."""


def assert_stories_consistent(index: IndexComponents) -> None:
    """Every stored paragraph long enough has its story row and BANDS band rows, nothing
    else is there, and the stories are those a rebuild from the texts finds."""
    conn = index.catalog.connection()
    members = dict(conn.execute("SELECT paragraph_id, member FROM story_paragraphs").fetchall())
    texts = dict(conn.execute("SELECT id, text FROM paragraphs").fetchall())
    long_enough = {i for i, t in texts.items() if len(shingle_hashes(t)) >= MIN_SHINGLES}
    assert set(members) == long_enough
    bands = conn.execute("SELECT member, count(*) FROM story_bands GROUP BY member").fetchall()
    assert {m: n for m, n in bands} == dict.fromkeys(members.values(), BANDS)
    found = groups(index)
    with contextlib.suppress(Undo), index.catalog.transaction() as writing:
        rebuild_stories(writing)
        rebuilt = groups(index)
        raise Undo  # roll the rebuild back
    assert found == rebuilt


def test_a_wire_story_republished_with_small_edits_is_one_story(make_index: MakeIndex) -> None:
    index = make_index(
        articles=[
            article(1, "apnews.com", WIRE, LOCAL),
            article(2, "wtop.com", EDITED, OTHER),
            article(3, "lyon.fr", OTHER.replace("Monday", "Tuesday")),
        ]
    )
    assert groups(index) == {frozenset({"a1#0", "a2#0"}), frozenset({"a2#1", "a3#0"})}
    stories = StoryStore(index.catalog).stories(["a1#0", "a2#0", "a1#1"])
    assert stories["a1#0"] == stories["a2#0"] != stories["a1#1"]
    copies = StoryStore(index.catalog).copies([stories["a1#0"]])[stories["a1#0"]]
    assert [(c.article_id, c.source) for c in copies] == [("a1", "apnews.com"), ("a2", "wtop.com")]
    assert StoryStore(index.catalog).counts() == (5, 4, 2)
    assert_stories_consistent(index)
    assert_consistent(index)


def test_different_stories_on_the_same_topic_are_not_copies() -> None:
    same_topic = (
        "Kharkiv was without electricity for a second night after Russian shelling hit a power"
        " plant, and the governor asked residents to save energy while repairs went on."
    )
    assert is_copy(shingle_hashes(WIRE), shingle_hashes(EDITED))
    assert not is_copy(shingle_hashes(WIRE), shingle_hashes(same_topic))
    assert not is_copy(shingle_hashes(WIRE), shingle_hashes(OTHER))
    keys = band_keys([shingle_hashes(WIRE), shingle_hashes(EDITED), shingle_hashes(OTHER)])
    assert len(set(keys[0]) & set(keys[1])) > 0  # the copy is a candidate
    assert not set(keys[0]) & set(keys[2])


def test_short_paragraphs_are_never_a_story(make_index: MakeIndex) -> None:
    short = "Shares fell sharply on Monday."
    index = make_index(articles=[article(1, "a.com", short), article(2, "b.com", short)])
    assert len(shingle_hashes(short)) < MIN_SHINGLES
    assert StoryStore(index.catalog).stories(["a1#0", "a2#0"]) == {}


def test_a_removed_article_leaves_no_rows_and_splits_the_story_it_linked(
    make_index: MakeIndex,
) -> None:
    # a1 and a3 each change two words of a2's paragraph, at either end: each is a copy of
    # a2 but not of the other, so a2 alone links them.
    first = WIRE.replace("shelled", "struck").replace("damaging", "hitting")
    second = WIRE.replace("residents", "people").replace("repair", "emergency")
    index = make_index(
        articles=[
            article(1, "a.com", first),
            article(2, "b.com", WIRE),
            article(3, "c.com", second),
        ]
    )
    assert is_copy(shingle_hashes(first), shingle_hashes(WIRE))
    assert is_copy(shingle_hashes(second), shingle_hashes(WIRE))
    assert not is_copy(shingle_hashes(first), shingle_hashes(second))
    assert groups(index) == {frozenset({"a1#0", "a2#0", "a3#0"})}
    index.service.remove("a2")
    assert groups(index) == set()
    stories = StoryStore(index.catalog).stories(["a1#0", "a3#0"])
    assert stories["a1#0"] != stories["a3#0"]
    assert_stories_consistent(index)


def test_a_changed_article_moves_its_paragraph_to_its_new_story(make_index: MakeIndex) -> None:
    index = make_index(articles=[article(1, "a.com", WIRE), article(2, "b.com", EDITED)])
    assert groups(index) == {frozenset({"a1#0", "a2#0"})}
    index.service.add([article(2, "b.com", OTHER)])
    assert groups(index) == set()
    index.service.add([article(3, "c.com", OTHER.upper()), article(2, "b.com", EDITED, OTHER)])
    assert groups(index) == {frozenset({"a1#0", "a2#0"}), frozenset({"a2#1", "a3#0"})}
    assert_stories_consistent(index)
    assert_consistent(index)


def test_a_crash_while_committing_leaves_the_stories_as_they_were(
    make_index: MakeIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = make_index(articles=[article(1, "a.com", WIRE)])
    before = index.catalog.connection().execute("SELECT * FROM story_paragraphs").fetchall()

    def crash(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("index.service.replace_sentence_vectors", crash)
    with pytest.raises(OSError):
        index.service.add([article(2, "b.com", EDITED)])
    conn = index.catalog.connection()
    assert conn.execute("SELECT * FROM story_paragraphs").fetchall() == before
    monkeypatch.undo()
    index.service.add([])  # the pending article is redone
    assert groups(index) == {frozenset({"a1#0", "a2#0"})}
    assert_stories_consistent(index)


@pytest.mark.sqlite_only
def test_the_upgrade_step_fills_an_old_catalog(make_index: MakeIndex) -> None:
    articles = [
        article(1, "apnews.com", WIRE, LOCAL),
        article(2, "wtop.com", EDITED, OTHER),
        article(3, "lyon.fr", OTHER.replace("Monday", "Tuesday")),
    ]
    index = make_index(articles=articles)
    expected = groups(index)
    conn = index.catalog.connection()
    conn.execute("DROP TABLE story_paragraphs")  # as a catalog of newsdesk before stories
    conn.execute("DROP TABLE story_bands")
    conn.execute("PRAGMA user_version = 4")
    reopened = make_index()
    assert (
        groups(reopened)
        == expected
        == {
            frozenset({"a1#0", "a2#0"}),
            frozenset({"a2#1", "a3#0"}),
        }
    )
    assert_stories_consistent(reopened)
    reopened.service.remove("a1")  # and it is kept up to date from there on
    assert groups(reopened) == {frozenset({"a2#1", "a3#0"})}


def test_reads_of_a_catalog_without_story_tables_find_nothing() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE paragraphs (id TEXT, article_id TEXT, text TEXT)")

    class Bare:
        def select_in(self, sql: str, values: object, *before: object) -> object:
            return conn.execute(sql.replace("{marks}", "?"), ["a1#0"])

    assert StoryStore(Bare()).stories(["a1#0"]) == {}  # type: ignore[arg-type]
