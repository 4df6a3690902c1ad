"""What every ``newsdesk`` command group shares: the --json option and the error exit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from index.components import IndexComponents

AsJson = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def fail(message: str, code: int = 2) -> None:
    """Print an error to stderr and exit."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def warn_if_empty(components: IndexComponents) -> None:
    """Tell on stderr when the index holds no article (a wrong or relative data dir, say)."""
    if components.catalog.count_articles() == 0:
        where = components.settings.data_dir.resolve()
        typer.echo(
            f"note: the index in {where} holds no article; add some with "
            "`newsdesk index add PATH`, or point NEWSDESK_DATA_DIR at your index",
            err=True,
        )
