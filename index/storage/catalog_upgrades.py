"""Upgrades of a catalog made by an older newsdesk, applied when it is opened.

``PRAGMA user_version`` records the last upgrade a catalog has had; each step runs once, in
order, in one transaction with the others. None needs the embedding model: a step either
rebuilds something from the stored texts or marks articles ``pending`` for the next
indexing run to redo (index.service re-indexes pending articles from their stored text).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable

from index.storage.keyword_text import rebuild_keyword_index

log = logging.getLogger("newsdesk.index")


def reindex_passageless(conn: sqlite3.Connection) -> bool:
    """Mark for re-indexing the articles stored without any passage (every paragraph was
    boilerplate); they are now indexed by their title. True when there was one."""
    marked = conn.execute(
        "UPDATE articles SET state = 'pending' WHERE state = 'done' AND paragraphs = 0"
    ).rowcount
    if marked:
        log.warning(
            "%d articles indexed without a passage are pending: the next `newsdesk index add`"
            " indexes them by their title",
            marked,
        )
    return marked > 0


def reextract_statements(conn: sqlite3.Connection) -> bool:
    """Extract the statements of every indexed article again from its stored paragraphs, by
    the current rules (direct quotes verbatim with their marks, speakers typed person,
    organisation or other); no model, about 20 s for 65,000 paragraphs. True when there was
    an article."""
    from index.models import Article, Paragraph
    from index.statements.extract import extract_statements
    from index.statements.store import replace_statements

    articles = conn.execute("SELECT id, title FROM articles WHERE state = 'done'").fetchall()
    for article_id, title in articles:
        rows = conn.execute(
            "SELECT number, text FROM paragraphs WHERE article_id = ? ORDER BY number",
            (article_id,),
        ).fetchall()
        paragraphs = [Paragraph(article_id, number, text, text) for number, text in rows]
        article = Article(id=article_id, title=title or "", text="\n".join(t for _, t in rows))
        replace_statements(conn, article_id, extract_statements(article, paragraphs))
    if articles:
        log.warning("who said what was extracted again from %d stored articles", len(articles))
    return bool(articles)


def add_feeds_table(conn: sqlite3.Connection) -> bool:
    """Make the table of feed subscriptions (index.feeds.store); nothing to redo."""
    from index.feeds.store import ensure_schema

    ensure_schema(conn)
    return False


def find_stories(conn: sqlite3.Connection) -> bool:
    """Find the near-copies among the stored paragraphs (index.storage.stories: MinHash LSH
    over word trigrams, from the stored texts, no model; about 7 s for 65,000 paragraphs).
    True when a paragraph got a story."""
    from index.storage.stories import rebuild_stories

    return rebuild_stories(conn)


# version -> the step that brings a catalog of the version before up to it
STEPS: dict[int, Callable[[sqlite3.Connection], bool]] = {
    1: rebuild_keyword_index,  # keyword text: title + previous sentence + paragraph
    2: reindex_passageless,  # an article with no paragraph left is indexed by its title
    3: reextract_statements,  # verbatim direct quotes; person / organisation / other
    4: add_feeds_table,  # feeds polled by the server (newsdesk feeds add)
    5: find_stories,  # near-copies of paragraphs across articles (one story, also in ...)
}
CATALOG_VERSION = max(STEPS)


def upgrade(conn: sqlite3.Connection) -> list[int]:
    """Apply the steps above the catalog's user_version and set it to CATALOG_VERSION; return
    the versions whose step found work. An up-to-date catalog costs one PRAGMA read; one that
    another process holds the write lock of for longer than the busy timeout is left as it
    is (that process keeps working, and the next open upgrades it)."""
    if _version(conn) >= CATALOG_VERSION:
        return []
    try:
        conn.execute("BEGIN IMMEDIATE")  # another process may be upgrading the same file
    except sqlite3.OperationalError:
        return []
    try:
        current = _version(conn)
        applied = [v for v in sorted(STEPS) if v > current and STEPS[v](conn)]
        conn.execute(f"PRAGMA user_version = {CATALOG_VERSION}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return applied


def _version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])
