"""``newsdesk index migrate``: move this data folder's collection onto shared servers."""

from __future__ import annotations

from typing import Annotated

import typer

from index.errors import IndexingError
from ui.cli.common import fail


def migrate(
    database_url: Annotated[
        str,
        typer.Option(
            "--database-url",
            envvar="NEWSDESK_MIGRATE_DATABASE_URL",
            help="The empty PostgreSQL database to copy the catalog into.",
        ),
    ],
    chroma_url: Annotated[
        str | None,
        typer.Option(
            "--chroma-url",
            help="A Chroma server to copy the vectors into (its collection must be empty); "
            "unset = the vectors stay where they are.",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Copy the collection of NEWSDESK_DATA_DIR (its SQLite catalog and keyword index, and
    with --chroma-url its vectors) onto shared servers, without embedding anything again.

    Then point every newsdesk process at them: NEWSDESK_DATABASE_URL (and
    NEWSDESK_CHROMA_URL). The source is left as it was, and is locked while it is copied.
    """
    from tqdm import tqdm

    from index.components import build_index
    from index.config import IndexSettings
    from index.storage.catalog import Catalog
    from index.storage.migrate import copy_catalog, copy_vectors
    from index.storage.postgres import PostgresDatabase, redacted
    from index.storage.vectors import ChromaStore, chroma_client

    bar = tqdm(disable=quiet, unit=" rows", desc="copying")

    def progress(what: str, done: int) -> None:
        bar.set_description(f"copying {what}")
        bar.n = done
        bar.refresh()

    try:
        source = build_index(IndexSettings(), warm_up=False)
        with source.catalog.database.index_lock():
            rows = copy_catalog(source.catalog, Catalog(PostgresDatabase(database_url)), progress)
            vectors = 0
            if chroma_url:
                target = ChromaStore(chroma_client(chroma_url, None), source.settings.collection)
                vectors = copy_vectors(source.store, target, progress)
    except IndexingError as exc:
        fail(str(exc))
    finally:
        bar.close()
    typer.echo(f"copied {rows} catalog rows to {redacted(database_url)}")
    if chroma_url:
        typer.echo(f"copied {vectors} vectors to {chroma_url}")
    typer.echo("now set NEWSDESK_DATABASE_URL" + (" and NEWSDESK_CHROMA_URL" if chroma_url else ""))
