"""``newsdesk speakers`` and ``newsdesk said``: who said something in the indexed articles and
what, every statement quoted verbatim with its source.

The index and QA layers are imported inside the commands (see ui.cli.index: a fast start)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from index.errors import IndexingError
from qa.errors import QAError
from ui.cli.common import AsJson, fail, warn_if_empty
from ui.cli.qa import Since, Source, Until, format_passage, search_filters
from ui.limits import MAX_OFFSET

if TYPE_CHECKING:
    from qa.models import SpeakerStatements, SpeakerSummary
    from qa.said.answer import SpeakerAnswers

speakers_app = typer.Typer(rich_markup_mode="markdown")

Limit = Annotated[int, typer.Option("--limit", min=1, max=500, help="Items to show.")]
Offset = Annotated[int, typer.Option("--offset", min=0, max=MAX_OFFSET, help="Items to skip.")]


def open_speakers() -> SpeakerAnswers:
    """Speaker answers over the index named by NEWSDESK_* settings; the model is loaded only
    to find the passages that mention a speaker without statements."""
    from index.components import build_index
    from index.config import IndexSettings
    from qa.components import build_retriever, build_speakers
    from qa.config import QASettings

    try:
        components = build_index(IndexSettings(), warm_up=False)
        warn_if_empty(components)
        return build_speakers(components, build_retriever(components, QASettings()))
    except (IndexingError, QAError) as exc:
        fail(str(exc))
        raise  # unreachable: fail exits


@speakers_app.command("speakers")
def speakers(
    search: Annotated[str | None, typer.Argument(help="Part of a name (case ignored).")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
    source: Source = None,
    since: Since = None,
    until: Until = None,
    as_json: AsJson = False,
) -> None:
    """List the speakers of the indexed articles with their statement counts, most first."""
    filters = search_filters(source, since, until)
    total, found = open_speakers().speakers(search, limit, offset, filters)
    if as_json:
        rows = [s.model_dump() for s in found]
        typer.echo(json.dumps({"total": total, "items": rows}, indent=2, ensure_ascii=False))
    elif not found:
        typer.echo("No speaker found." if search else "No statements are indexed yet.")
    else:
        typer.echo("\n".join(format_speaker(s) for s in found))
        if total > offset + len(found):
            typer.echo(f"({total} speakers in all; --offset {offset + len(found)} for more)")


@speakers_app.command("said")
def said(
    name: Annotated[str, typer.Argument(help="The speaker, e.g. Zelenskiy or 'EU officials'.")],
    about: Annotated[str | None, typer.Option("--about", help="Only statements on this.")] = None,
    limit: Limit = 20,
    offset: Offset = 0,
    source: Source = None,
    since: Since = None,
    until: Until = None,
    as_json: AsJson = False,
) -> None:
    """Print what NAME said, newest article first, each statement verbatim with its source.

    Exit code 1 when NAME has no statement (the passages that mention them are printed)."""
    filters = search_filters(source, since, until)
    answers = open_speakers()
    try:
        page = answers.statements_page(name, about, limit, offset, filters)
        missing = answers.not_found(name, about, filters, None) if page is None else None
    except QAError as exc:
        fail(str(exc))
        return
    if missing is None:
        assert page is not None
        typer.echo(page.model_dump_json(indent=2) if as_json else format_statements(page))
        return
    typer.echo(f"error: {missing.text}", err=True)
    if as_json:
        rows = [p.model_dump() for p in missing.related]
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif missing.related:
        typer.echo(f"Passages that mention {name} (not statements):\n")
        typer.echo("\n\n".join(format_passage(p) for p in missing.related))
    raise typer.Exit(1)


def format_speaker(s: SpeakerSummary) -> str:
    """One speaker: counts, name and kind."""
    return f"{_many(s.statements, 'statement')} {_many(s.articles, 'article')}  {s.name} ({s.kind})"


def _many(n: int, word: str) -> str:
    return f"{n:>5} {word}" + (" " if n == 1 else "s")


def format_statements(page: SpeakerStatements) -> str:
    """The page's statements, numbered, each followed by its source."""
    about = f" about {page.about}" if page.about else ""
    if not page.items:
        return f"No statements by {page.speaker}{about} on this page ({page.total} in all)."
    last = page.offset + len(page.items)
    total = _many(page.total, "statement").strip()
    lines = [f"{page.speaker}{about}: {total}, {page.offset + 1}-{last} shown", ""]
    for n, item in enumerate(page.items, start=page.offset + 1):
        c = item.citation
        when = ", ".join(part for part in (c.published or "date unknown", c.source) if part)
        lines.append(f"{n}. {item.text}")
        lines.append(f"    {c.title} ({when}), paragraph {c.paragraph}")
        if c.url:
            lines.append(f"    {c.url}")
    return "\n".join(lines)
