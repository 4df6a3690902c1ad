"""Catalogs made by an older newsdesk are upgraded when opened, each step once."""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import replace

import pytest

from index.storage.catalog_upgrades import CATALOG_VERSION, upgrade
from index.storage.keyword import keyword_search
from tests.conftest import MakeIndex, assert_consistent
from tests.index.conftest import make_article

NOTICE = "Sign up for our daily newsletter to get the best stories in your inbox now."


def test_articles_stored_without_a_passage_are_indexed_by_their_title_on_the_next_run(
    make_index: MakeIndex, caplog: pytest.LogCaptureFixture
) -> None:
    index = make_index(boilerplate_min_articles=2)
    video = [
        replace(make_article(n), title=f"Lava nears the highway {n}", text=NOTICE) for n in (1, 2)
    ]
    index.service.add([*video, make_article(3)])
    conn = index.catalog.connection()
    conn.execute(
        "DELETE FROM paragraphs_fts WHERE rowid IN"
        " (SELECT rowid FROM paragraphs WHERE article_id IN ('a1', 'a2'))"
    )
    for table in ("paragraphs", "sentence_vectors"):  # as an older newsdesk left them
        conn.execute(f"DELETE FROM {table} WHERE article_id IN ('a1', 'a2')")
    conn.execute("UPDATE articles SET paragraphs = 0 WHERE id IN ('a1', 'a2')")
    index.store.delete_articles(["a1", "a2"])
    conn.execute("PRAGMA user_version = 1")

    with caplog.at_level(logging.WARNING, logger="newsdesk.index"):
        reopened = make_index(boilerplate_min_articles=2)
    assert "2 articles indexed without a passage are pending" in caplog.text
    assert reopened.catalog.pending_ids() == ["a1", "a2"]
    report = reopened.service.add([])
    assert report.paragraphs == 2
    assert {h.id for h in keyword_search(reopened.catalog, "lava highway", 5)} == {"a1#0", "a2#0"}
    assert len(assert_consistent(reopened)) == 2 + 3
    assert reopened.catalog.pending_ids() == []


def test_an_up_to_date_catalog_is_left_alone(make_index: MakeIndex) -> None:
    index = make_index(articles=[make_article(1)])
    conn = index.catalog.connection()
    before = conn.execute("SELECT id, state, paragraphs FROM articles").fetchall()
    assert conn.execute("PRAGMA user_version").fetchone()[0] == CATALOG_VERSION
    assert upgrade(conn) == []
    assert conn.execute("SELECT id, state, paragraphs FROM articles").fetchall() == before


def test_a_catalog_another_process_is_writing_is_upgraded_by_a_later_open(
    make_index: MakeIndex,
) -> None:
    index = make_index(articles=[make_article(1)])
    index.catalog.connection().execute("PRAGMA user_version = 1")
    index.catalog.connection().execute("UPDATE articles SET paragraphs = 0")
    writer = sqlite3.connect(index.settings.catalog_path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    impatient = sqlite3.connect(index.settings.catalog_path, timeout=0.05, isolation_level=None)
    assert upgrade(impatient) == []
    assert impatient.execute("PRAGMA user_version").fetchone()[0] == 1
    writer.execute("COMMIT")
    assert upgrade(impatient) == [2, 5]  # 5: its paragraph gets a story
    assert index.catalog.pending_ids() == ["a1"]


def test_statements_are_extracted_again_by_the_current_rules(make_index: MakeIndex) -> None:
    article = replace(make_article(1), text="“The dam will hold,” the Kremlin said on Monday.")
    index = make_index(articles=[article])
    conn = index.catalog.connection()
    current = conn.execute("SELECT speaker, kind, content FROM statements").fetchall()
    assert current == [("Kremlin", "organisation", "“The dam will hold,”")]
    # as an older newsdesk stored it: the quote without its marks, the speaker a "group"
    conn.execute("UPDATE statements SET kind = 'group', content = 'The dam will hold'")
    conn.execute("PRAGMA user_version = 2")
    reopened = make_index()
    rows = reopened.catalog.connection().execute("SELECT speaker, kind, content FROM statements")
    assert rows.fetchall() == current
