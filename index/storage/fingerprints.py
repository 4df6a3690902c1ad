"""Paragraph fingerprints per source, kept in the catalog file, from which
index.readers.boilerplate tells which paragraphs repeat across a source's articles."""

from __future__ import annotations

from collections.abc import Iterable

from index.storage.catalog import Catalog


class FingerprintStore:
    """The fingerprints table of a catalog: which article of which source holds which
    paragraph fingerprint."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def register_fingerprints(self, fingerprints: dict[str, tuple[str, set[str]]]) -> None:
        """Replace each article's paragraph fingerprints: {article_id: (source, {fp, ...})}."""
        with self.catalog.transaction() as conn:
            for article_id, (source, fps) in fingerprints.items():
                conn.execute("DELETE FROM fingerprints WHERE article_id = ?", (article_id,))
                conn.executemany(
                    "INSERT INTO fingerprints (source, fp, article_id) VALUES (?, ?, ?)"
                    " ON CONFLICT DO NOTHING",
                    [(source, fp, article_id) for fp in fps],
                )

    def fingerprint_counts(self, source: str, min_articles: int) -> dict[str, int]:
        """Fingerprints found in at least ``min_articles`` articles of a source, with counts."""
        rows = self.catalog.connection().execute(
            "SELECT fp, count(*) FROM fingerprints WHERE source = ?"
            " GROUP BY fp HAVING count(*) >= ?",
            (source, min_articles),
        )
        return dict(rows.fetchall())

    def source_article_count(self, source: str) -> int:
        """How many articles of a source have fingerprints registered."""
        row = (
            self.catalog.connection()
            .execute(
                "SELECT count(DISTINCT article_id) FROM fingerprints WHERE source = ?", (source,)
            )
            .fetchone()
        )
        return int(row[0])

    def articles_with_fingerprints(self, source: str, fps: Iterable[str]) -> set[str]:
        """Ids of the articles of ``source`` that contain any of ``fps``."""
        sql = "SELECT DISTINCT article_id FROM fingerprints WHERE source = ? AND fp IN ({marks})"
        return {row[0] for row in self.catalog.select_in(sql, fps, source)}
