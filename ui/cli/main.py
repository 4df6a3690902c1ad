"""The ``newsdesk`` command line: the root app that mounts each group of commands."""

from __future__ import annotations

import typer
from pydantic import ValidationError

from ui.cli.feeds import feeds_app
from ui.cli.index import index_app
from ui.cli.llm import llm_app
from ui.cli.migrate import migrate
from ui.cli.qa import qa_app
from ui.cli.serve import serve
from ui.cli.speakers import speakers_app

app = typer.Typer(
    help="newsdesk: ask questions of your news articles; every answer is cited.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)
index_app.command("migrate")(migrate)
app.add_typer(index_app, name="index")
app.add_typer(feeds_app, name="feeds")
app.add_typer(qa_app)
app.add_typer(speakers_app)
app.add_typer(llm_app, name="llm")
app.command("serve")(serve)


def main() -> None:
    """Console-script entry point: a setting out of range exits 2 with a message naming it."""
    try:
        app()
    except ValidationError as exc:
        if not exc.title.endswith("Settings"):
            raise
        for line in settings_errors(exc):
            typer.echo(f"error: {line}", err=True)
        raise SystemExit(2) from None


def settings_errors(exc: ValidationError) -> list[str]:
    """Each invalid setting as "NEWSDESK_NAME=value: what is wrong"."""
    return [
        f"NEWSDESK_{'_'.join(map(str, e['loc'])).upper()}={e.get('input')}: {e['msg']}"
        for e in exc.errors()
    ]
