"""IndexService: incremental, idempotent, replace, remove, failures, resumable after errors."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from index.errors import ArticleNotFound, ArticleReadError
from index.filters import SearchFilters
from index.models import ReadFailure
from index.readers.inputs import read_inputs
from index.service import delete_article_extras
from index.storage.keyword import keyword_search
from index.storage.vectors import ChromaStore
from tests.conftest import FIXTURES, SAMPLE, FakeEmbedder, MakeIndex, assert_consistent
from tests.index.conftest import make_article

pytestmark = pytest.mark.both_databases


def test_adding_articles_fills_all_three_indexes(make_index: MakeIndex) -> None:
    index = make_index(articles=[make_article(n) for n in range(5)])
    ids = assert_consistent(index)
    assert ids == {f"a{n}#{k}" for n in range(5) for k in range(3)}
    assert index.service.stats() == {
        "articles": 5, "pending": 0, "paragraphs": 15, "sources": 1, "vectors": 15
    }  # fmt: skip


def test_re_adding_unchanged_articles_embeds_nothing(
    make_index: MakeIndex, fake_embedder: FakeEmbedder
) -> None:
    articles = [make_article(n) for n in range(4)]
    index = make_index(fake_embedder, articles)
    embedded = len(fake_embedder.embedded)
    report = index.service.add(articles)
    assert report.unchanged == ["a0", "a1", "a2", "a3"] and not report.added + report.updated
    assert report.paragraphs == 0 and len(fake_embedder.embedded) == embedded
    assert len(assert_consistent(index)) == 12


def test_a_changed_article_replaces_its_paragraphs(
    make_index: MakeIndex, fake_embedder: FakeEmbedder
) -> None:
    index = make_index(fake_embedder, [make_article(n, paragraphs=4) for n in range(3)])
    fake_embedder.embedded.clear()
    changed = make_article(
        1, paragraphs=2, extra=["A brand new closing paragraph about the spring tulips in bloom."]
    )
    report = index.service.add([changed, make_article(2, paragraphs=4)])
    assert report.updated == ["a1"] and report.unchanged == ["a2"]
    assert all(text.startswith(changed.title) for text in fake_embedder.embedded)
    ids = assert_consistent(index)
    assert sorted(i for i in ids if i.startswith("a1#")) == ["a1#0", "a1#1", "a1#2"]
    assert index.catalog.article_paragraphs("a1")[2].text.endswith("tulips in bloom.")
    assert [h.id for h in keyword_search(index.catalog, "tulips", 5)] == ["a1#2"]
    record, _ = index.service.article("a1")
    assert record.paragraphs == 3 and record.content_hash == changed.content_hash()


def test_changed_metadata_alone_reindexes(make_index: MakeIndex) -> None:
    index = make_index(articles=[make_article(1)])
    report = index.service.add([replace(make_article(1), published="2024-06-02")])
    assert report.updated == ["a1"]
    hit = index.store.query(index.embedder.embed(["story"])[0], k=1)[0]
    assert hit.metadata["published"] == "2024-06-02" and hit.metadata["published_int"] == 20240602


def test_the_same_id_twice_in_one_run_keeps_the_last(make_index: MakeIndex) -> None:
    index = make_index()
    report = index.service.add([make_article(1, paragraphs=5), make_article(1, paragraphs=2)])
    assert report.added == ["a1"]
    assert assert_consistent(index) == {"a1#0", "a1#1"}


def test_remove_deletes_from_every_index(make_index: MakeIndex) -> None:
    index = make_index(articles=[make_article(n) for n in range(3)])
    index.service.remove("a1")
    assert not any(i.startswith("a1#") for i in assert_consistent(index))
    assert [r.id for r in index.service.articles()] == ["a0", "a2"]
    with pytest.raises(ArticleNotFound):
        index.service.remove("a1")
    with pytest.raises(ArticleNotFound):
        index.service.article("a1")
    assert index.service.add([make_article(1)]).added == ["a1"]
    assert len(assert_consistent(index)) == 9


def test_failures_are_reported_and_the_rest_indexed(make_index: MakeIndex) -> None:
    index = make_index()
    failure = ReadFailure("bad.txt", "file is empty (0 bytes)")
    report = index.service.add([make_article(1), failure, make_article(2)])
    assert report.failed == [failure] and not report.ok
    assert report.added == ["a1", "a2"] and len(assert_consistent(index)) == 6


def test_progress_counts_up_to_the_total(make_index: MakeIndex) -> None:
    index = make_index(articles_per_batch=2)
    calls: list[tuple[int, int]] = []
    report = index.service.add([make_article(n) for n in range(5)], progress=
                               lambda done, total: calls.append((done, total)))  # fmt: skip
    assert [done for done, _ in calls] == [6, 12, 15]
    assert {total for _, total in calls} == {15} and report.paragraphs == 15


def test_the_index_persists_across_reopening(make_index: MakeIndex) -> None:
    make_index(articles=[make_article(n) for n in range(3)])
    reopened = make_index()
    assert len(assert_consistent(reopened)) == 9
    assert reopened.service.add([make_article(0)]).unchanged == ["a0"]
    assert keyword_search(reopened.catalog, "story", 3)


def test_articles_are_listed_newest_first_with_counts(make_index: MakeIndex) -> None:
    index = make_index(articles=[
        make_article(1, published="2024-01-01"), make_article(2, paragraphs=2,
        published="2024-03-01"), make_article(3, source="other.org", published="2023-12-31"),
    ])  # fmt: skip
    records = index.service.articles()
    assert [(r.id, r.paragraphs) for r in records] == [("a2", 2), ("a1", 3), ("a3", 3)]
    assert [r.id for r in index.service.articles(filters=SearchFilters("other.org"))] == ["a3"]
    assert [r.id for r in index.service.articles(offset=1, limit=1)] == ["a1"]
    january_on = SearchFilters(published_from="2024-01-01", published_to="2024-02-29")
    assert [r.id for r in index.service.articles(filters=january_on)] == ["a1"]
    assert index.service.count_articles(january_on) == 1
    assert index.service.count_articles() == 3


class FailingStore:
    """Wraps a real store; the ``fail_at``-th upsert raises, as a crash mid-run would."""

    def __init__(self, inner: ChromaStore, fail_at: int) -> None:
        self.inner = inner
        self.fail_at = fail_at
        self.upserts = 0

    def upsert(self, ids: Any, vectors: np.ndarray, metadatas: Any, documents: Any) -> None:
        self.upserts += 1
        if self.upserts == self.fail_at:
            self.inner.upsert(ids[:1], vectors[:1], metadatas[:1], documents[:1])  # half done
            raise OSError("disk full")
        self.inner.upsert(ids, vectors, metadatas, documents)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_a_failed_run_is_completed_by_the_next(make_index: MakeIndex) -> None:
    articles = [make_article(n, paragraphs=2 + n % 3) for n in range(10)]
    clean = assert_consistent(make_index(articles=articles, name="clean", articles_per_batch=3))
    index = make_index(articles_per_batch=3)
    index.service.store = FailingStore(index.store, fail_at=3)
    with pytest.raises(OSError, match="disk full"):
        index.service.add(articles)
    stats = index.service.stats()
    assert stats["pending"] == 3 and stats["articles"] == 9  # batch 3 marked, batch 4 never
    index.service.store = index.store
    report = index.service.add(articles)
    assert sorted(report.updated) == ["a6", "a7", "a8"] and report.added == ["a9"]
    assert assert_consistent(index) == clean
    assert index.service.stats()["pending"] == 0


def test_a_removal_interrupted_before_the_vectors_is_finished_later(
    make_index: MakeIndex,
) -> None:
    index = make_index(articles=[make_article(n) for n in range(3)])
    # What a kill between the catalog's transaction and the store leaves:
    index.catalog.remove("a1", also=delete_article_extras)
    assert index.catalog.removals() == ["a1"] and index.store.count() == 9
    index.service.add([])
    assert len(assert_consistent(index)) == 6 and index.catalog.removals() == []


def test_an_article_whose_paragraphs_are_all_boilerplate_is_indexed_by_its_title(
    make_index: MakeIndex,
) -> None:
    index = make_index(boilerplate_min_articles=2)
    notice = "Sign up for our daily newsletter to get the best stories in your inbox now."
    index.service.add([
        replace(make_article(n), title=f"Harbour story {n}", text=notice) for n in range(3)
    ])  # fmt: skip
    assert assert_consistent(index) == {"a0#0", "a1#0", "a2#0"}
    assert [r.paragraphs for r in index.service.articles()] == [1, 1, 1]
    _, passages = index.service.article("a1")
    assert [p.text for p in passages] == ["Harbour story 1"]  # the notice is never indexed
    assert [h.id for h in keyword_search(index.catalog, "newsletter", 5)] == []


def test_an_origin_read_again_replaces_what_it_gave_before(make_index: MakeIndex) -> None:
    index = make_index()
    old = replace(make_article(1), id="sha-old", origin="story.txt")
    kept = replace(make_article(2), origin="feed.jsonl")
    gone = replace(make_article(3), origin="feed.jsonl")
    index.service.add([old, kept, gone])
    edited = replace(make_article(4), id="sha-new", origin="story.txt")
    report = index.service.add([edited, kept])
    assert report.removed == ["a3", "sha-old"] and report.unchanged == ["a2"]
    assert {r.id for r in index.service.articles()} == {"a2", "sha-new"}
    assert len(assert_consistent(index)) == 6


def test_an_origin_with_a_failure_keeps_its_old_articles(make_index: MakeIndex) -> None:
    index = make_index()
    index.service.add([replace(make_article(n), origin="feed.jsonl") for n in (1, 2)])
    report = index.service.add([
        replace(make_article(1), origin="feed.jsonl"), ReadFailure("feed.jsonl", "line 2: bad")
    ])  # fmt: skip
    assert report.removed == [] and len(index.service.articles()) == 2


def _sample_article() -> Any:

    from index.readers.inputs import read_inputs

    sample = SAMPLE
    (article,) = list(read_inputs([str(sample)]))
    return article


def test_indexing_stores_statements_and_removal_deletes_them(make_index: MakeIndex) -> None:
    from index.statements.store import StatementStore

    article = _sample_article()
    index = make_index(articles=[article])
    store = StatementStore(index.catalog)
    said = store.statements_by_speaker("Zelenskiy")
    assert len(said) == 1
    assert "little meaningful progress" in said[0].content
    assert {s.paragraph_number for s in store.statements_by_speaker("Gerasimov")} >= {0, 1, 2}
    index.service.remove(article.id)
    assert store.statements_by_speaker("Zelenskiy") == []


def test_a_changed_article_replaces_its_statements(make_index: MakeIndex) -> None:
    from index.statements.store import StatementStore

    article = _sample_article()
    index = make_index(articles=[article])
    changed = replace(article, text=article.text.replace("Zelenskiy", "Zelensky"))
    index.service.add([changed])
    said = StatementStore(index.catalog).statements_by_speaker("Zelenskiy")
    assert len(said) == 1  # the old statement was replaced, not duplicated
    assert said[0].mention == "President Volodymyr Zelensky"  # the new one, from the new text
    paragraph = index.catalog.paragraphs([said[0].paragraph_id])[said[0].paragraph_id].text
    assert paragraph[said[0].start : said[0].end] == said[0].content


def test_an_article_left_pending_by_a_crash_is_finished_by_the_next_run(
    make_index: MakeIndex,
) -> None:
    index = make_index(articles=[make_article(1)])
    changed = replace(make_article(1), text=make_article(1).text + "\nA late new paragraph.")
    # What a run killed between marking the article pending and committing it leaves behind:
    index.catalog.mark_pending([changed], [changed.content_hash()])
    index.store.delete_articles([changed.id])
    assert index.catalog.pending_ids() == [changed.id]

    report = index.service.add([make_article(2)])  # the crashed article is not given again
    assert report.added == ["a2"]
    assert index.catalog.pending_ids() == []
    ids = assert_consistent(index)
    assert {f"a1#{k}" for k in range(3)} <= ids
    texts = [p.text for p in index.catalog.article_paragraphs("a1")]
    assert "A late new paragraph." in texts[-1]


class _OfflineFetcher:
    """Every page fetch fails, as with no network: feed entries keep their summaries."""

    def get(self, url: str) -> Any:
        raise ArticleReadError(url, "offline")


def test_re_reading_a_feed_keeps_the_entries_it_no_longer_lists(
    make_index: MakeIndex, tmp_path: Path
) -> None:
    feed = (FIXTURES / "harbour-news.rss").read_text()
    path = tmp_path / "news.rss"
    path.write_text(feed)
    index = make_index()
    first = index.service.add(read_inputs([str(path)], fetcher=_OfflineFetcher()))
    assert len(first.added) == 3
    start, end = feed.index("<item>"), feed.index("</item>") + len("</item>")
    path.write_text(feed[:start] + feed[end:])  # the feed moved on: its oldest entry is gone
    second = index.service.add(read_inputs([str(path)], fetcher=_OfflineFetcher()))
    assert second.removed == []
    assert index.service.stats()["articles"] == 3


def test_an_edited_file_replaces_its_old_version_however_its_path_is_spelled(
    make_index: MakeIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    note = tmp_path / "note.txt"
    note.write_text(
        "Harbour news\nThe ferry resumed on Monday after a week of storms on the coast."
    )
    index = make_index()
    index.service.add(read_inputs(["note.txt"]))
    note.write_text(
        "Harbour news\nThe ferry resumed on Tuesday after a week of storms on the coast."
    )
    report = index.service.add(read_inputs([str(note)]))
    assert len(report.added) == 1
    assert len(report.removed) == 1
    assert index.service.stats()["articles"] == 1
