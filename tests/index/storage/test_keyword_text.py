"""The keyword index's text per paragraph: title, the previous paragraph's last sentence, the
paragraph; and the rebuild of catalogs whose keyword index predates it."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from index.models import Paragraph
from index.storage.catalog_upgrades import CATALOG_VERSION, upgrade
from index.storage.keyword import keyword_search
from index.storage.keyword_text import keyword_texts, last_sentence
from tests.conftest import MakeIndex
from tests.index.conftest import make_article

HARBOUR = replace(
    make_article(1),
    title="Port plans",
    text="The council met on Monday. Salvatore Rossi presented the harbour plan to members.\n"
    "He said the port would double its container traffic within five years.",
)


def test_each_text_has_the_title_the_previous_last_sentence_and_the_paragraph() -> None:
    texts = keyword_texts("Title", ["First one. Last of first.", "Second. End two.", "Third."])
    assert texts == [
        "Title\nFirst one. Last of first.",
        "Title\nLast of first.\nSecond. End two.",
        "Title\nEnd two.\nThird.",
    ]
    assert keyword_texts("", ["Only paragraph here."]) == ["Only paragraph here."]
    assert last_sentence("no full stop") == "no full stop"


def test_a_paragraph_is_found_by_the_name_the_sentence_before_it_gives(
    make_index: MakeIndex,
) -> None:
    index = make_index(articles=[HARBOUR])
    assert {h.id for h in keyword_search(index.catalog, "Rossi", 5)} == {"a1#0", "a1#1"}
    assert {h.id for h in keyword_search(index.catalog, "council", 5)} == {"a1#0"}  # not carried
    assert {h.id for h in keyword_search(index.catalog, "container", 5)} == {"a1#1"}  # not back


def _bodies(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(paragraph id, keyword text) of every paragraph, in id order."""
    sql = (
        "SELECT p.id, f.body FROM paragraphs p JOIN paragraphs_fts f ON f.rowid = p.rowid"
        " ORDER BY p.id"
    )
    return conn.execute(sql).fetchall()


def test_an_older_catalog_has_its_keyword_index_rebuilt_when_opened(
    make_index: MakeIndex,
) -> None:
    conn = make_index(articles=[HARBOUR, make_article(2), make_article(3)]).catalog.connection()
    fresh = _bodies(conn)
    rows = conn.execute("SELECT rowid, title || char(10) || text FROM paragraphs").fetchall()
    conn.execute("DELETE FROM paragraphs_fts")  # the keyword index as an older newsdesk built it
    conn.executemany("INSERT INTO paragraphs_fts (rowid, body) VALUES (?, ?)", rows)
    conn.execute("PRAGMA user_version = 0")
    rossi = "SELECT count(*) FROM paragraphs_fts WHERE paragraphs_fts MATCH 'rossi'"
    assert conn.execute(rossi).fetchone()[0] == 1
    reopened = make_index().catalog
    assert {h.id for h in keyword_search(reopened, "Rossi", 5)} == {"a1#0", "a1#1"}
    again = reopened.connection()
    assert _bodies(again) == fresh and len(fresh) == 2 + 3 + 3  # no sentence crosses articles
    assert again.execute("PRAGMA user_version").fetchone()[0] == CATALOG_VERSION
    assert upgrade(again) == []  # up to date: left alone


def test_a_new_catalog_is_stamped_without_a_rebuild(make_index: MakeIndex) -> None:
    conn = make_index().catalog.connection()
    assert conn.execute("PRAGMA user_version").fetchone()[0] == CATALOG_VERSION


def test_paragraphs_committed_out_of_order_get_the_texts_of_article_order(
    make_index: MakeIndex,
) -> None:
    index = make_index(articles=[make_article(1, paragraphs=4)])
    fresh = _bodies(index.catalog.connection())
    rows = index.catalog.connection().execute(
        "SELECT number, text FROM paragraphs WHERE article_id = 'a1' ORDER BY number DESC"
    )
    shuffled = [Paragraph("a1", number, text, text) for number, text in rows]
    index.catalog.commit_paragraphs({"a1": shuffled})
    assert _bodies(index.catalog.connection()) == fresh
