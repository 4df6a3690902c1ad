"""index.storage.migrate and `newsdesk index migrate`: a SQLite collection copied into a real
PostgreSQL database (and its vectors into another Chroma collection) answers the same, and
goes on indexing there."""

from __future__ import annotations

import os
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from index.components import IndexComponents
from index.errors import MigrationError
from index.statements.store import StatementStore
from index.storage.catalog import Catalog
from index.storage.keyword import keyword_search
from index.storage.migrate import copy_catalog, copy_vectors
from index.storage.postgres import PostgresDatabase
from index.storage.stories import StoryStore
from index.storage.vectors import ChromaStore
from tests.conftest import MakeIndex, assert_consistent
from tests.index.conftest import BIN, make_article
from tests.index.storage.test_stories import EDITED, WIRE, article

QUOTE = "“The bridge will reopen in May,” Mayor Jane Ortiz said on Monday."


def filled(make_index: MakeIndex) -> IndexComponents:
    said = replace(make_article(3), text=make_article(3).text + "\n" + QUOTE)
    articles = [make_article(1), make_article(2), said, article(4, "a.com", WIRE),
                article(5, "b.com", EDITED)]  # fmt: skip
    return make_index(articles=articles)


def test_the_copy_answers_the_same_and_goes_on_indexing(
    make_index: MakeIndex, postgres_url: str
) -> None:
    sqlite = filled(make_index)
    target = Catalog(PostgresDatabase(postgres_url))
    copied = copy_catalog(sqlite.catalog, target)
    assert copied > 0
    moved = make_index(name="index", database_url=postgres_url)  # same folder: same vectors
    before, after = sqlite.catalog, moved.catalog
    assert after.dialect == "postgres" and after.stats() == before.stats()
    paragraphs = assert_consistent(sqlite)
    assert assert_consistent(moved) == paragraphs
    for query in ("bridge reopen", "council harbour", "story 2"):
        assert {h.id for h in keyword_search(after, query, 10)} == {
            h.id for h in keyword_search(before, query, 10)
        }
    assert StatementStore(after).speakers() == StatementStore(before).speakers()
    ids = [p.id for p in before.article_paragraphs("a4") + before.article_paragraphs("a5")]
    assert StoryStore(after).stories(ids) == StoryStore(before).stories(ids)
    moved.service.add([make_article(6), article(7, "c.com", WIRE)])  # ids continue after the copy
    assert len(assert_consistent(moved)) == len(paragraphs) + 4
    assert len(set(StoryStore(after).stories(ids).values())) == 1


def test_a_target_that_holds_a_catalog_is_refused(make_index: MakeIndex, postgres_url: str) -> None:
    sqlite = filled(make_index)
    target = Catalog(PostgresDatabase(postgres_url))
    copy_catalog(sqlite.catalog, target)
    with pytest.raises(MigrationError, match="already holds a catalog"):
        copy_catalog(sqlite.catalog, target)
    with pytest.raises(MigrationError, match="PostgreSQL"):
        copy_catalog(target, sqlite.catalog)


def test_vectors_are_copied_with_their_metadata_and_text(make_index: MakeIndex) -> None:
    index = filled(make_index)
    source: ChromaStore = index.store
    target = ChromaStore(source.client, "copy")
    assert copy_vectors(source, target) == source.count()
    want = source.collection.get(include=["embeddings", "metadatas", "documents"])
    got = target.collection.get(ids=want["ids"], include=["embeddings", "metadatas", "documents"])
    order = {i: n for n, i in enumerate(got["ids"])}
    for n, paragraph_id in enumerate(want["ids"]):
        m = order[paragraph_id]
        assert got["metadatas"][m] == want["metadatas"][n]
        assert got["documents"][m] == want["documents"][n]
        assert list(got["embeddings"][m]) == pytest.approx(list(want["embeddings"][n]))
    with pytest.raises(MigrationError, match="already holds vectors"):
        copy_vectors(source, target)


@pytest.mark.slow
def test_the_command_copies_the_data_folder(make_index: MakeIndex, postgres_url: str) -> None:
    index = filled(make_index)
    data_dir = Path(index.settings.data_dir)
    env = {**os.environ, "NEWSDESK_DATA_DIR": str(data_dir)}
    command = [str(BIN / "newsdesk"), "index", "migrate", "--database-url", postgres_url, "-q"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "copied" in done.stdout and "NEWSDESK_DATABASE_URL" in done.stdout
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 2 and "already holds a catalog" in again.stderr
