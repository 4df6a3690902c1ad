"""``newsdesk ask`` and ``newsdesk search``: cited answers and ranked passages on the terminal.

The index and QA layers are imported inside the commands (see ui.cli.index: a fast start)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from index.errors import IndexingError
from qa.errors import QAError
from ui.cli.common import AsJson, fail, warn_if_empty

if TYPE_CHECKING:
    from collections.abc import Sequence

    from index.filters import SearchFilters
    from qa.models import AlsoIn, Answer, Passage
    from qa.service import QAService

qa_app = typer.Typer(rich_markup_mode="markdown")

K = Annotated[int | None, typer.Option("--k", min=1, help="Passages to retrieve.")]
Source = Annotated[str | None, typer.Option(help="Only articles of this source.")]
Since = Annotated[str | None, typer.Option(help="Only articles published on/after YYYY-MM-DD.")]
Until = Annotated[str | None, typer.Option(help="Only articles published on/before YYYY-MM-DD.")]
AsOf = Annotated[
    str | None, typer.Option("--as-of", help="Prefer articles of the days before YYYY-MM-DD.")
]


def open_qa() -> QAService:
    """The QA service over the index named by NEWSDESK_* settings (model loaded on first use)."""
    from index.components import build_index
    from index.config import IndexSettings
    from qa.components import build_qa
    from qa.config import QASettings

    try:
        components = build_index(IndexSettings(), warm_up=False)
        warn_if_empty(components)
        return build_qa(components, QASettings())
    except (IndexingError, QAError) as exc:
        fail(str(exc))
        raise  # unreachable: fail exits


# The command-line names of the fields a rejected request names.
OPTIONS = {
    "k": "--k",
    "as_of": "--as-of",
    "filters.source": "--source",
    "filters.published_from": "--since",
    "filters.published_to": "--until",
    "source": "--source",
    "published_from": "--since",
    "published_to": "--until",
}


def filters_of(source: str | None, since: str | None, until: str | None) -> dict[str, str | None]:
    """The filters of the command-line options, as a request's ``filters`` field."""
    return {"source": source, "published_from": since, "published_to": until}


def search_filters(
    source: str | None, since: str | None, until: str | None
) -> SearchFilters | None:
    """The index layer's filters of the command-line options; exits on a malformed date."""
    from qa.requests import Filters, request

    try:
        return request(Filters, OPTIONS, **filters_of(source, since, until)).search_filters()
    except QAError as exc:
        fail(str(exc))
        raise  # unreachable: fail exits


@qa_app.command("ask")
def ask(
    question: Annotated[str, typer.Argument(help="The question, in quotes.")],
    k: K = None,
    source: Source = None,
    since: Since = None,
    until: Until = None,
    as_of: AsOf = None,
    llm: Annotated[
        bool | None,
        typer.Option(
            "--llm/--extractive",
            help="Answer with the LLM (NEWSDESK_LLM_URL or NEWSDESK_LLM_GGUF), every sentence"
            " checked against its citation, or with quoted sentences. Default:"
            " NEWSDESK_ANSWER_MODE (extractive).",
        ),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Answer a question from the indexed articles, every sentence cited by number.

    When no indexed article answers it, says so and lists the closest passages. Exit code 2
    on a rejected question or an unavailable index."""
    from qa.requests import AskQuery, request

    filters = filters_of(source, since, until)
    mode = None if llm is None else ("llm" if llm else "extractive")
    try:
        asked = request(
            AskQuery, OPTIONS, question=question, k=k, filters=filters, as_of=as_of, mode=mode
        )
        answer = open_qa().ask(asked)
    except QAError as exc:
        fail(str(exc))
        return
    typer.echo(answer.model_dump_json(indent=2) if as_json else format_answer(answer))


@qa_app.command("search")
def search(
    query: Annotated[str, typer.Argument(help="What to look for, in quotes.")],
    k: K = None,
    source: Source = None,
    since: Since = None,
    until: Until = None,
    as_of: AsOf = None,
    as_json: AsJson = False,
) -> None:
    """Print the indexed paragraphs that best match a query, best first."""
    from qa.requests import SearchQuery, request

    filters = filters_of(source, since, until)
    try:
        asked = request(SearchQuery, OPTIONS, query=query, k=k, filters=filters, as_of=as_of)
        passages = open_qa().search(asked)
    except QAError as exc:
        fail(str(exc))
        return
    if as_json:
        typer.echo(json.dumps([p.model_dump() for p in passages], indent=2, ensure_ascii=False))
    elif not passages:
        typer.echo("No indexed paragraph matches.")
    else:
        typer.echo("\n\n".join(format_passage(p) for p in passages))


def format_answer(answer: Answer) -> str:
    """The answer text, then its numbered sources (or the closest passages of a refusal)."""
    lines = [answer.answer]
    if answer.rewritten != answer.question.strip():
        lines.insert(0, f"(searched: {answer.rewritten})")
    if answer.found and answer.confidence is not None:
        lines.append(f"(confidence {answer.confidence:.0%})")
    if answer.citations:
        lines += ["", "Sources:"]
    for c in answer.citations:
        lines.append(f"[{c.n}] {c.title} ({_when(c.published, c.source)}), paragraph {c.paragraph}")
        lines.append(f"    “{c.quote}”")
        if c.url:
            lines.append(f"    {c.url}")
        if c.also_in:
            lines.append(f"    also in: {also_in(c.also_in, c.source)}")
    if answer.related:
        lines += ["", "Closest passages (not an answer):", ""]
        lines.append("\n\n".join(format_passage(p) for p in answer.related))
    if answer.removed:
        lines += ["", "Left out of the LLM's answer (its citations do not support them):"]
        lines += [f"  - {r.text} ({r.reason})" for r in answer.removed]
    if answer.cited_by_check:
        lines += ["", f"({answer.cited_by_check} uncited LLM sentences cited by the check)"]
    if answer.notice:
        lines += ["", answer.notice]
    return "\n".join(lines)


def format_passage(passage: Passage) -> str:
    """One ranked passage: rank, title, date, source, paragraph number, text (a title passage
    says it is the title only)."""
    from qa.models import TITLE_ONLY

    head = f"{passage.rank}. {passage.title} ({_when(passage.published, passage.source)})"
    if passage.is_title:
        return f"{head}, score {passage.score:.3f}\n    {TITLE_ONLY}"
    text = f"{head}, paragraph {passage.paragraph}, score {passage.score:.3f}\n    {passage.text}"
    also = also_in(passage.also_in, passage.source)
    return text + (f"\n    also in: {also}" if passage.also_in else "")


def also_in(articles: Sequence[AlsoIn], source: str = "") -> str:
    """The outlets that also carried a passage, once each, in order ("Outlet A, Outlet B");
    another article of the passage's own ``source``, or one without a source, by its title."""
    return ", ".join(dict.fromkeys(a.label(source) for a in articles))


def _when(published: str, source: str) -> str:
    """ "2024-04-18, Reuters" with the unknown parts left out."""
    return ", ".join(part for part in (published or "date unknown", source) if part)
