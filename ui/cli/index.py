"""``newsdesk index ...``: add, remove, list, watch and count indexed articles.

The index layer is imported inside the commands, not here: ``newsdesk --help`` and ``newsdesk
index list`` need neither the web readers (trafilatura, httpx) nor the vector store (chromadb)
nor the model (torch), and importing them would slow every start (bench/cli_start.py).
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from index.errors import IndexingError
from ui.cli.common import AsJson, fail
from ui.limits import MAX_OFFSET, MAX_PAGE

if TYPE_CHECKING:
    from index.components import IndexComponents
    from index.models import IndexReport

index_app = typer.Typer(
    help="Add, remove, list and watch indexed articles.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)

Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]


def open_index() -> IndexComponents:
    """Build the index from NEWSDESK_* settings, exiting with a clear message on failure.

    The embedding model is loaded only when a command first embeds something."""
    from index.components import build_index
    from index.config import IndexSettings

    try:
        return build_index(IndexSettings(), warm_up=False)
    except IndexingError as exc:
        fail(str(exc))
        raise  # unreachable: fail exits


def progress_bar(quiet: bool) -> tuple[Callable[[int, int], None] | None, Callable[[], None]]:
    """A progress callback drawing a tqdm bar in paragraphs/second, and a closer."""
    if quiet:
        return None, lambda: None
    from tqdm import tqdm

    bar = tqdm(total=0, unit="para", desc="indexing", file=sys.stderr, dynamic_ncols=True)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    return update, bar.close


class BytesBar:
    """A tqdm bar over the bytes of the input files (their paragraph count is unknown until
    read: a JSON Lines file is streamed), with the paragraphs written so far beside it."""

    def __init__(self, total_bytes: int) -> None:
        from tqdm import tqdm

        self.bar = tqdm(
            total=total_bytes, unit="B", unit_scale=True, desc="indexing", file=sys.stderr,
            dynamic_ncols=True,
        )  # fmt: skip

    def read(self, size: int) -> None:
        """Advance by ``size`` bytes read (read_inputs' ``on_read``)."""
        self.bar.update(size)

    def written(self, done: int, _total: int) -> None:
        """Show the paragraphs written (IndexService.add's ``progress``)."""
        self.bar.set_postfix_str(f"{done:,} paragraphs", refresh=False)

    def close(self) -> None:
        """Close the bar."""
        self.bar.close()


@index_app.command("add")
def add(
    inputs: Annotated[list[str], typer.Argument(help="Files, folders (recursive) or URLs.")],
    quiet: Quiet = False,
    as_json: AsJson = False,
) -> None:
    """Index articles: .txt .md .html .json .jsonl, RSS/Atom feeds, http(s) URLs.

    Unchanged articles are skipped, changed ones replace their old paragraphs. JSON Lines
    files of any size are read record by record; a bad record is listed by its line number
    and the others are indexed. Exit code 1 when some inputs or records failed (each is
    listed with its reason), 2 on a fatal error.
    """
    from index.readers.inputs import input_bytes, read_inputs

    components = open_index()
    max_bytes = components.settings.max_article_bytes
    size = None if quiet or as_json else input_bytes(inputs)
    update: Callable[[int, int], None] | None
    if size:  # local files only: their bytes measure progress, read or not yet
        bytes_bar = BytesBar(size)
        articles = read_inputs(inputs, max_bytes=max_bytes, on_read=bytes_bar.read)
        update, close = bytes_bar.written, bytes_bar.close
    else:
        articles = read_inputs(inputs, max_bytes=max_bytes)
        update, close = progress_bar(quiet or as_json)
    try:
        report = components.service.add(articles, progress=update)
    except IndexingError as exc:
        fail(str(exc))
    finally:
        close()
    print_report(report, quiet, as_json)
    if not report.ok:
        raise typer.Exit(1)


def print_report(report: IndexReport, quiet: bool, as_json: bool) -> None:
    """Print what an indexing run did."""
    if as_json:
        typer.echo(json.dumps(report_dict(report), indent=2))
        return
    for failure in report.failed:  # after the bar, so the reasons are not scrolled away
        typer.echo(f"failed: {failure.origin}: {failure.reason}", err=True)
    if not quiet:
        typer.echo(
            f"{len(report.added)} added, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged, {len(report.removed)} removed, "
            f"{len(report.failed)} failed; {paragraph_rate(report.paragraphs, report.seconds)}"
        )


def paragraph_rate(paragraphs: int, seconds: float) -> str:
    """The count, the time and the rate, e.g. "1 paragraph in 4.8s (0.2/s)"."""
    rate = paragraphs / seconds if seconds else 0.0
    noun = "paragraph" if paragraphs == 1 else "paragraphs"
    shown = f"{rate:.1f}" if rate < 10 else f"{rate:.0f}"
    return f"{paragraphs} {noun} in {seconds:.1f}s ({shown}/s)"


def report_dict(report: IndexReport) -> dict[str, Any]:
    """An IndexReport as JSON-ready data."""
    return {
        "added": report.added,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "removed": report.removed,
        "failed": [{"origin": f.origin, "reason": f.reason} for f in report.failed],
        "paragraphs": report.paragraphs,
        "seconds": round(report.seconds, 3),
    }


@index_app.command("remove")
def remove(article_ids: Annotated[list[str], typer.Argument(help="Article ids.")]) -> None:
    """Remove articles (and all their paragraphs) from every index."""
    components = open_index()
    for article_id in article_ids:
        try:
            components.service.remove(article_id)
        except IndexingError as exc:
            fail(str(exc), code=1)
        typer.echo(f"removed {article_id}")


@index_app.command("list")
def list_articles(
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=MAX_PAGE, help="At most this many.")] = 50,
    offset: Annotated[int, typer.Option(min=0, max=MAX_OFFSET, help="Skip this many.")] = 0,
    as_json: AsJson = False,
) -> None:
    """List indexed articles, newest first: id, published, paragraphs, title."""
    from index.components import open_catalog
    from index.config import IndexSettings
    from index.filters import SearchFilters

    try:  # the catalog alone: the vector store and the model are not needed to list
        catalog = open_catalog(IndexSettings())
    except IndexingError as exc:
        fail(str(exc))
        raise  # unreachable: fail exits
    records = catalog.list_articles(offset, limit, SearchFilters(source=source))
    if as_json:
        typer.echo(json.dumps([r.__dict__ for r in records], indent=2))
        return
    for r in records:
        state = "" if r.state == "done" else f" [{r.state}]"
        typer.echo(f"{r.id}\t{r.published or '-'}\t{r.paragraphs}\t{r.title}{state}")


@index_app.command("stats")
def stats(as_json: AsJson = False) -> None:
    """Count articles, paragraphs, vectors and sources."""
    figures = open_index().service.stats()
    if as_json:
        typer.echo(json.dumps(figures, indent=2))
        return
    for key, value in figures.items():
        typer.echo(f"{key}: {value}")


@index_app.command("watch")
def watch(
    folder: Annotated[Path, typer.Argument(help="Folder to watch (recursive).")],
    quiet: Quiet = False,
) -> None:
    """Index a folder, then index files as they appear or change (Ctrl-C stops)."""
    if not folder.is_dir():
        fail(f"{folder} is not a folder")
    watch_folder(open_index(), folder, quiet)


def watch_folder(
    components: IndexComponents, folder: Path, quiet: bool, stop: threading.Event | None = None
) -> None:
    """Index ``folder``, then every file that appears, changes or goes, until ``stop`` is set.

    The watcher starts before the first pass, so a file written while that pass runs is
    indexed after it rather than missed."""
    from watchfiles import Change
    from watchfiles import watch as watch_changes

    changes_seen = watch_changes(folder, stop_event=stop, yield_on_timeout=True, rust_timeout=500)
    next(changes_seen, None)  # the watcher is running once the generator first yields
    index_paths(components, [str(folder)], quiet)
    for changes in changes_seen:
        paths = sorted({p for change, p in changes if change != Change.deleted})
        if paths:
            index_paths(components, paths, quiet)
        for path in sorted({p for change, p in changes if change == Change.deleted}):
            forget_path(components, path, quiet)


def forget_path(components: IndexComponents, path: str, quiet: bool) -> None:
    """Remove the articles of a deleted file (used by watch)."""
    try:
        removed = components.service.remove_origin(str(Path(path).resolve()))
    except IndexingError as exc:
        typer.echo(f"error: {exc}", err=True)
        return
    if removed and not quiet:
        typer.echo(f"{path} deleted: removed {', '.join(removed)}")


def index_paths(components: IndexComponents, paths: list[str], quiet: bool) -> None:
    """Index some paths and print the report (used by watch)."""
    from index.readers.inputs import read_inputs

    articles = read_inputs(paths, max_bytes=components.settings.max_article_bytes)
    try:
        report = components.service.add(articles)
    except IndexingError as exc:
        typer.echo(f"error: {exc}", err=True)
        return
    print_report(report, quiet, False)
