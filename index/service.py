"""The indexing service: articles in, paragraphs embedded into the vector store and the
keyword index, incrementally and resumably."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from index.config import IndexSettings
from index.embedding import Embedder
from index.errors import ArticleNotFound
from index.filters import SearchFilters, date_int
from index.intake import Run, note, windows
from index.models import Article, IndexReport, Paragraph, ReadFailure
from index.readers.boilerplate import BoilerplateFilter
from index.split.paragraphs import split_article
from index.split.sentences import Span, quotable_spans
from index.statements.extract import extract_statements
from index.statements.store import delete_statements, replace_statements
from index.storage.catalog import Catalog
from index.storage.database import Connection
from index.storage.records import ArticleRecord, StoredParagraph
from index.storage.sentence_vectors import (
    ParagraphSentences,
    delete_sentence_vectors,
    replace_sentence_vectors,
)
from index.storage.stories import delete_story_paragraphs, replace_story_paragraphs
from index.storage.vectors import VectorStore

Progress = Callable[[int, int], None]  # (paragraphs done, paragraphs known so far)


@dataclass
class _Batch:
    articles: list[Article]
    hashes: list[str]
    paragraphs: dict[str, list[Paragraph]] = field(default_factory=dict)
    replaces: list[str] = field(default_factory=list)  # ids that may have vectors already

    @property
    def flat(self) -> list[Paragraph]:
        return [p for a in self.articles for p in self.paragraphs[a.id]]


class IndexService:
    """Adds, replaces and removes articles in the catalog, keyword index and vector store.

    Heavy parts (catalog, store, embedder) are made by the caller once and passed in.
    """

    def __init__(
        self,
        catalog: Catalog,
        store: VectorStore,
        embedder: Embedder,
        settings: IndexSettings,
    ) -> None:
        self.catalog = catalog
        self.store = store
        self.embedder = embedder
        self.settings = settings
        self.boilerplate = BoilerplateFilter(catalog, settings.boilerplate_min_articles)

    def add(
        self, inputs: Iterable[Article | ReadFailure], progress: Progress | None = None
    ) -> IndexReport:
        """Index every article of ``inputs``; unchanged ones cost nothing, changed ones replace
        their old paragraphs, failures are reported one by one and the rest still indexed.

        An origin (file or URL) read without failure is the truth about its articles: those
        it gave before but not now (an edited text file whose id is its content's hash, a
        record deleted from a JSON Lines file) are removed, and listed in ``report.removed``.

        ``inputs`` is consumed lazily, a window of articles at a time (index.intake), each
        window committed before the next is read: memory holds one window's texts and the
        ids seen so far, whatever the input's size. The lock is held meanwhile.
        ``progress`` is told (paragraphs written, paragraphs of the windows read so far).

        Raises IndexLocked when another process is indexing the same data directory.
        """
        started = time.perf_counter()
        run = Run(IndexReport())
        with self.catalog.database.index_lock():
            self._finish_removals()
            for number, window in enumerate(windows(inputs, run, self.settings.articles_per_batch)):
                todo = self._changed(window, run)
                if number == 0:  # once per run: what a crashed run left pending
                    todo += self._unfinished({a.id for a in todo})
                todo += self.boilerplate.update(todo)
                batches = self._split(todo)
                run.total += sum(len(b.flat) for b in batches)
                self._run(batches, run, progress)
            run.report.removed = self._prune_origins(run)
        run.report.paragraphs = run.total
        run.report.seconds = time.perf_counter() - started
        return run.report

    def _unfinished(self, exclude: set[str]) -> list[Article]:
        """Articles an interrupted run left pending (not given again now): redone from the
        text the catalog keeps, so a crash never leaves an article half indexed."""
        ids = [i for i in self.catalog.pending_ids() if i not in exclude]
        loaded = (self.catalog.load_article(i) for i in ids)
        return [a for a in loaded if a is not None]

    def _changed(self, articles: list[Article], run: Run) -> list[Article]:
        records = self.catalog.records(a.id for a in articles)
        todo, unchanged = [], {}
        for article in articles:
            record = records.get(article.id)
            if record is None:
                kind = "added"
            elif record.state == "done" and record.content_hash == article.content_hash():
                kind = "unchanged"
                unchanged[article.id] = article.origin
            else:
                kind = "updated"
            note(run, article.id, kind)
            if kind != "unchanged":
                todo.append(article)
        if unchanged:
            self.catalog.set_origins(unchanged)
        return todo

    def _prune_origins(self, run: Run) -> list[str]:
        """Remove the articles that fully read origins no longer give; their ids."""
        failed = {f.origin for f in run.report.failed}
        stale = sorted(
            old for origin, ids in run.given.items() if origin not in failed
            for old in self.catalog.origin_articles(origin) if old not in ids
        )  # fmt: skip
        for article_id in stale:
            self.catalog.remove(article_id, also=delete_article_extras)
        self._finish_removals()
        return stale

    def _split(self, todo: list[Article]) -> list[_Batch]:
        known = set(self.catalog.records(a.id for a in todo))
        size = self.settings.articles_per_batch
        batches = []
        for start in range(0, len(todo), size):
            chunk = todo[start : start + size]
            batch = _Batch(chunk, [a.content_hash() for a in chunk])
            for article in chunk:
                batch.paragraphs[article.id] = split_article(
                    article,
                    count_tokens=self.embedder.count_tokens,
                    max_tokens=self.settings.max_paragraph_tokens,
                    is_boilerplate=self.boilerplate.predicate(article),
                )
            batch.replaces = [a.id for a in chunk if a.id in known]
            batches.append(batch)
        return batches

    def _run(self, batches: list[_Batch], run: Run, progress: Progress | None) -> None:
        """Embed batch i+1 while batch i is written (one writer thread keeps commit order).

        Every write of a window ends before the next window is counted for boilerplate: that
        count may re-split articles of this window, which must be in the catalog by then."""
        with ThreadPoolExecutor(max_workers=1) as writer:
            in_flight: tuple[Future[None], int] | None = None
            for batch in batches:
                vectors, sentences = self._embed(batch.flat)
                if in_flight is not None:
                    run.done = self._await(in_flight, run.done, run.total, progress)
                in_flight = (writer.submit(self._write, batch, vectors, sentences), len(batch.flat))
            if in_flight is not None:
                run.done = self._await(in_flight, run.done, run.total, progress)

    def _embed(self, paragraphs: list[Paragraph]) -> tuple[np.ndarray, list[ParagraphSentences]]:
        """The paragraphs' vectors and, from the same forward pass, their sentences' vectors."""
        spans = [quotable_spans(p.text) for p in paragraphs]
        shifts = [len(p.embed_text) - len(p.text) for p in paragraphs]  # embed_text ends with text
        vectors, pooled = self.embedder.embed_spans(
            [p.embed_text for p in paragraphs],
            [
                [(a + shift, b + shift) for a, b in s]
                for s, shift in zip(spans, shifts, strict=True)
            ],
        )
        sentences = [
            _kept_sentences(p.id, s, rows)
            for p, s, rows in zip(paragraphs, spans, pooled, strict=True)
        ]
        return vectors, sentences

    @staticmethod
    def _await(
        in_flight: tuple[Future[None], int], done: int, total: int, progress: Progress | None
    ) -> int:
        in_flight[0].result()  # re-raises a writer failure here
        done += in_flight[1]
        if progress is not None:
            progress(done, total)
        return done

    def _write(
        self, batch: _Batch, vectors: np.ndarray, sentences: list[ParagraphSentences]
    ) -> None:
        self.catalog.mark_pending(batch.articles, batch.hashes)
        if batch.replaces:
            self.store.delete_articles(batch.replaces)
        paragraphs = batch.flat
        if paragraphs:
            by_id = {a.id: a for a in batch.articles}
            metadatas = [_metadata(p, by_id[p.article_id]) for p in paragraphs]
            self.store.upsert(
                [p.id for p in paragraphs], vectors, metadatas, [p.text for p in paragraphs]
            )
        statements = {a.id: extract_statements(a, batch.paragraphs[a.id]) for a in batch.articles}
        by_article: dict[str, list[ParagraphSentences]] = {a.id: [] for a in batch.articles}
        for paragraph, sentence_rows in zip(paragraphs, sentences, strict=True):
            by_article[paragraph.article_id].append(sentence_rows)

        def also(conn: Connection, article_id: str) -> None:
            replace_statements(conn, article_id, statements[article_id])
            replace_sentence_vectors(conn, article_id, by_article[article_id])
            stories = [(p.id, p.text) for p in batch.paragraphs[article_id]]
            replace_story_paragraphs(conn, article_id, stories)

        self.catalog.commit_paragraphs(batch.paragraphs, also=also)

    def remove(self, article_id: str) -> None:
        """Delete an article from every index; raises ArticleNotFound if it is not indexed."""
        with self.catalog.database.index_lock():
            if not self.catalog.remove(article_id, also=delete_article_extras):
                raise ArticleNotFound(f"no indexed article has id {article_id!r}")
            self._finish_removals()

    def remove_origin(self, origin: str) -> list[str]:
        """Delete every article last read from ``origin`` (a deleted file); their ids."""
        with self.catalog.database.index_lock():
            removed = sorted(self.catalog.origin_articles(origin))
            for article_id in removed:
                self.catalog.remove(article_id, also=delete_article_extras)
            self._finish_removals()
        return removed

    def _finish_removals(self) -> None:
        """Delete the vectors of removed articles (also those a crash left behind)."""
        removed = self.catalog.removals()
        if removed:
            self.store.delete_articles(removed)
            self.catalog.clear_removals(removed)

    def articles(
        self, offset: int = 0, limit: int | None = None, filters: SearchFilters | None = None
    ) -> list[ArticleRecord]:
        """Indexed articles, newest first, optionally filtered by source and date."""
        return self.catalog.list_articles(offset, limit, filters)

    def count_articles(self, filters: SearchFilters | None = None) -> int:
        """How many indexed articles match ``filters``."""
        return self.catalog.count_articles(filters)

    def article(self, article_id: str) -> tuple[ArticleRecord, list[StoredParagraph]]:
        """One article's record and paragraphs; raises ArticleNotFound."""
        record = self.catalog.records([article_id]).get(article_id)
        if record is None:
            raise ArticleNotFound(f"no indexed article has id {article_id!r}")
        return record, self.catalog.article_paragraphs(article_id)

    def stats(self) -> dict[str, Any]:
        """Counts from the catalog and the vector store."""
        return {**self.catalog.stats(), "vectors": self.store.count()}


def _kept_sentences(paragraph_id: str, spans: list[Span], rows: np.ndarray) -> ParagraphSentences:
    """The spans that got a vector (a span cut off by the model's window gets a zero row)."""
    kept = [i for i in range(len(spans)) if rows[i].any()]
    return ParagraphSentences(paragraph_id, [spans[i] for i in kept], rows[kept])


def delete_article_extras(conn: Connection, article_id: str) -> None:
    """Delete what is stored beside an article's paragraphs: statements, sentence vectors,
    its paragraphs' places in stories."""
    delete_statements(conn, article_id)
    delete_sentence_vectors(conn, article_id)
    delete_story_paragraphs(conn, article_id)


def _metadata(paragraph: Paragraph, article: Article) -> dict[str, Any]:
    return {
        "article_id": article.id,
        "number": paragraph.number,
        "title": article.title,
        "url": article.url,
        "published": article.published,
        "published_int": date_int(article.published),
        "source": article.source,
    }
