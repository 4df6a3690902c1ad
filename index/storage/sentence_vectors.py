"""Sentence vectors in the catalog's SQLite file: for every paragraph, one vector per quotable
span (index.split.sentences.quotable_spans), pooled from the paragraph's own forward pass at
indexing time (Embedder.embed_spans), so answering scores sentences without running the model.

Vectors are stored as float16 (768 bytes per sentence for MiniLM); cosines computed from them
differ from float32 by less than 1e-3. They are written and deleted in the transaction that
commits or removes the article's paragraphs. A paragraph indexed before this table existed
simply has no row, and answering embeds its sentences itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.split.sentences import Span
from index.storage.catalog import Catalog
from index.storage.database import Connection

SENTENCE_TABLES = (
    "CREATE TABLE IF NOT EXISTS sentence_vectors (paragraph_id TEXT PRIMARY KEY,"
    " article_id TEXT, spans BLOB, vectors BLOB)",
    "CREATE INDEX IF NOT EXISTS sentence_vectors_article ON sentence_vectors(article_id)",
)


@dataclass(frozen=True)
class ParagraphSentences:
    """The quotable spans of one paragraph (offsets into its text) and their unit vectors,
    row i for span i."""

    paragraph_id: str
    spans: list[Span]
    vectors: np.ndarray

    def by_span(self) -> dict[Span, np.ndarray]:
        """Each span's vector."""
        return dict(zip(self.spans, self.vectors, strict=True))


def ensure_schema(conn: Connection) -> None:
    """Create the sentence_vectors table if missing (safe inside an open transaction)."""
    for statement in SENTENCE_TABLES:
        conn.execute(statement)


def replace_sentence_vectors(
    conn: Connection, article_id: str, paragraphs: Sequence[ParagraphSentences]
) -> None:
    """Replace the stored sentence vectors of ``article_id`` with ``paragraphs`` using
    ``conn`` (inside the transaction that commits the article's paragraphs)."""
    delete_sentence_vectors(conn, article_id)
    conn.executemany(
        "INSERT INTO sentence_vectors (paragraph_id, article_id, spans, vectors)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (paragraph_id) DO UPDATE SET"
        " article_id = excluded.article_id, spans = excluded.spans, vectors = excluded.vectors",
        [
            (
                p.paragraph_id,
                article_id,
                np.asarray(p.spans, dtype=np.int32).tobytes(),
                np.asarray(p.vectors, dtype=np.float16).tobytes(),
            )
            for p in paragraphs
            if p.spans
        ],
    )


def delete_sentence_vectors(conn: Connection, article_id: str) -> None:
    """Delete the stored sentence vectors of one article."""
    ensure_schema(conn)
    conn.execute("DELETE FROM sentence_vectors WHERE article_id = ?", (article_id,))


class SentenceVectorStore:
    """Read access to the stored sentence vectors."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        ensure_schema(catalog.connection())

    def read(self, paragraph_ids: Sequence[str]) -> StoredSentences:
        """The stored sentences of those of ``paragraph_ids`` that have any, in one query
        (each id once; paragraphs without any are left out)."""
        sql = (
            "SELECT paragraph_id, spans, vectors FROM sentence_vectors"
            " WHERE paragraph_id IN ({marks})"
        )
        return StoredSentences(list(self.catalog.select_in(sql, dict.fromkeys(paragraph_ids))))

    def sentence_vectors(self, paragraph_ids: Sequence[str]) -> dict[str, dict[Span, np.ndarray]]:
        """For each of ``paragraph_ids`` that has stored vectors, its spans' float32 vectors
        (paragraphs without any are left out)."""
        return self.read(paragraph_ids).sentence_vectors(paragraph_ids)


class StoredSentences:
    """The stored sentences of some paragraphs, as read by one query: retrieval ranks its
    candidates by them and hands them to the answerer, so one answer reads them once.

    Kept as the stored blobs; a paragraph's are decoded only when asked for."""

    def __init__(self, rows: Sequence[tuple[str, bytes, bytes]]) -> None:
        self._rows = list(rows)  # (paragraph_id, spans, vectors), in the order read
        self._by_id = {row[0]: row for row in self._rows}

    def __contains__(self, paragraph_id: object) -> bool:
        return paragraph_id in self._by_id

    def sentence_vectors(self, paragraph_ids: Sequence[str]) -> dict[str, dict[Span, np.ndarray]]:
        """For each of ``paragraph_ids`` read here, its spans' float32 vectors (the others
        are left out)."""
        return {
            pid: _decode(*self._by_id[pid]).by_span()
            for pid in dict.fromkeys(paragraph_ids)
            if pid in self._by_id
        }

    def best_cosines(self, vector: np.ndarray) -> dict[str, float]:
        """For each paragraph read here, the highest cosine of one of its sentences to the
        unit ``vector`` (the blobs joined into one matrix, one product)."""
        if not self._rows:
            return {}
        counts = [len(spans) // _SPAN_BYTES for _, spans, _ in self._rows]  # at least one each
        joined = np.frombuffer(b"".join(blob for _, _, blob in self._rows), dtype=np.float16)
        cosines = joined.reshape(sum(counts), -1).astype(np.float32) @ vector
        best = np.maximum.reduceat(cosines, np.cumsum([0, *counts[:-1]]))
        return {row[0]: float(c) for row, c in zip(self._rows, best, strict=True)}


_SPAN_BYTES = 8  # a span is stored as two int32


def _decode(paragraph_id: str, spans: bytes, vectors: bytes) -> ParagraphSentences:
    pairs = np.frombuffer(spans, dtype=np.int32).reshape(-1, 2)
    rows = np.frombuffer(vectors, dtype=np.float16).reshape(len(pairs), -1)
    return ParagraphSentences(
        paragraph_id, [(int(a), int(b)) for a, b in pairs], rows.astype(np.float32)
    )
