"""What every ``newsdesk`` command group shares: the --json option and the error exit."""

from __future__ import annotations

from typing import Annotated

import typer

AsJson = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def fail(message: str, code: int = 2) -> None:
    """Print an error to stderr and exit."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)
