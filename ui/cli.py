"""The ``newsdesk`` command line: the root app that mounts each group of commands."""

from __future__ import annotations

import typer

from ui.cli_index import index_app
from ui.cli_qa import qa_app
from ui.cli_serve import serve
from ui.cli_speakers import speakers_app

app = typer.Typer(
    help="newsdesk: ask questions of your news articles; every answer is cited.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(index_app, name="index")
app.add_typer(qa_app)
app.add_typer(speakers_app)
app.command("serve")(serve)


def main() -> None:
    """Console-script entry point."""
    app()
