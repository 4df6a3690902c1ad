"""Boilerplate detection by repetition: a paragraph that many articles of one source carry
(newsletter sign-ups, cookie notices, "Advertisement") is not news and is never indexed.

No phrase is hard-coded: counts of paragraph fingerprints per source live in the catalog and
grow as articles arrive. When a paragraph first becomes frequent, the already indexed articles
that carry it are re-split, so it disappears from them too.
"""

from __future__ import annotations

from collections.abc import Callable

from index.models import Article
from index.split.paragraphs import article_paragraph_texts, fingerprint
from index.storage.catalog import Catalog
from index.storage.fingerprints import FingerprintStore

SHORT_WORDS = 4  # below this, a paragraph is a heading or a dateline unless it is everywhere
SHORT_SHARE = 0.2  # share of a source's articles a short paragraph must appear in


class BoilerplateFilter:
    """Knows which paragraph fingerprints are boilerplate for each source."""

    def __init__(self, catalog: Catalog, min_articles: int) -> None:
        self.catalog = catalog
        self.fingerprints = FingerprintStore(catalog)
        self.min_articles = min_articles
        self.frequent: dict[str, set[str]] = {}

    def update(self, todo: list[Article]) -> list[Article]:
        """Count the fingerprints of ``todo`` and return the already indexed articles (not in
        ``todo``) that must be re-split because one of their paragraphs became boilerplate.

        The counts and the marking of those articles as pending are one transaction: a crash
        between them would leave the counts saying "already frequent" and the articles never
        re-split."""
        with self.catalog.transaction():
            stale = self._count(todo)
            self.catalog.mark_ids_pending(sorted(stale))
        loaded = (self.catalog.load_article(i) for i in sorted(stale))
        return [a for a in loaded if a is not None]

    def _count(self, todo: list[Article]) -> set[str]:
        """Register ``todo``'s fingerprints; the other articles carrying a newly frequent one."""
        sources = {a.source for a in todo}
        before = {s: self._frequent(s) for s in sources}
        found = {a.id: (a.source, article_fingerprints(a)) for a in todo}
        self.fingerprints.register_fingerprints(found)
        self.frequent = {s: self._frequent(s) for s in sources}
        todo_ids = {a.id for a in todo}
        stale: set[str] = set()
        for source in sources:
            newly = self.frequent[source] - before[source]
            if newly:
                stale |= self.fingerprints.articles_with_fingerprints(source, newly) - todo_ids
        return stale

    def _frequent(self, source: str) -> set[str]:
        counts = self.fingerprints.fingerprint_counts(source, self.min_articles)
        short_floor = SHORT_SHARE * self.fingerprints.source_article_count(source)
        return {fp for fp, n in counts.items() if not fp.startswith("s:") or n >= short_floor}

    def predicate(self, article: Article) -> Callable[[str], bool]:
        """A test for whether a raw paragraph of ``article`` is boilerplate."""
        frequent = self.frequent.get(article.source, set())
        return lambda text: bool(frequent) and paragraph_fingerprint(text) in frequent


def paragraph_fingerprint(text: str) -> str:
    """The fingerprint of a raw paragraph, marked ``s:`` when it is short."""
    prefix = "s:" if len(text.split()) < SHORT_WORDS else "l:"
    return prefix + fingerprint(text)


def article_fingerprints(article: Article) -> set[str]:
    """The fingerprints of an article's raw paragraphs."""
    return {paragraph_fingerprint(p) for p in article_paragraph_texts(article.text)}
