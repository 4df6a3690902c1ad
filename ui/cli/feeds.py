"""``newsdesk feeds ...``: subscribe to RSS/Atom feeds that ``newsdesk serve`` polls and
indexes by itself, list them with what their polls did, poll them now, unsubscribe.

Subscriptions live in the catalog (NEWSDESK_DATA_DIR), so a running server sees a feed added
here within seconds. Only ``poll`` opens the vector store and the model."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Annotated

import typer

from index.errors import IndexingError
from ui.cli.common import AsJson, fail

if TYPE_CHECKING:
    from index.feeds.store import Feed, FeedStore

feeds_app = typer.Typer(
    help="Feeds the server polls and indexes by itself.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)


def open_feeds() -> FeedStore:
    """The feed store of the NEWSDESK_DATA_DIR catalog (no vector store, no model)."""
    from index.components import open_catalog
    from index.config import IndexSettings
    from index.feeds.store import FeedStore

    try:
        return FeedStore(open_catalog(IndexSettings()))
    except IndexingError as exc:
        fail(str(exc))
        raise  # unreachable: fail exits


def ago(moment: float | None) -> str:
    """``"3m ago"``, ``"in 12m"``, ``"never"``."""
    from index.feeds.store import format_interval

    if moment is None:
        return "never"
    delta = int(moment - time.time())
    if abs(delta) < 60:
        return "in <1m" if delta > 0 else "just now"
    shown = format_interval(abs(delta) // 60 * 60)
    return f"in {shown}" if delta > 0 else f"{shown} ago"


def describe(feed: Feed) -> str:
    """A feed on one line: id, interval, last check, added, next poll, status or error, URL."""
    outcome = f"error: {feed.last_error}" if feed.last_error else feed.last_status or "not polled"
    return (
        f"{feed.id}\tevery {feed.every}\tchecked {ago(feed.last_checked)}"
        f"\tadded {feed.last_added} (total {feed.total_added})\tnext {ago(feed.next_due)}"
        f"\t{outcome}\t{feed.url}"
    )


@feeds_app.command("add")
def add(
    url: Annotated[str, typer.Argument(help="The feed's http(s) URL.")],
    every: Annotated[
        str, typer.Option("--every", help="How often to poll it: 15m, 1h, 1d (at least 1m).")
    ] = "15m",
    as_json: AsJson = False,
) -> None:
    """Subscribe to an RSS/Atom feed: `newsdesk serve` polls it at once, then every
    `--every`, and indexes new and changed entries. Adding it again sets its interval."""
    from index.feeds.store import parse_interval

    store = open_feeds()
    try:
        feed, created = store.add(url, parse_interval(every))
    except IndexingError as exc:
        fail(str(exc))
        raise
    if as_json:
        typer.echo(json.dumps(feed.view(), indent=2))
        return
    verb = "added" if created else "already subscribed; interval set"
    typer.echo(f"{verb}: feed {feed.id}, every {feed.every}: {feed.url}")


@feeds_app.command("list")
def list_feeds(as_json: AsJson = False) -> None:
    """List the feeds: id, interval, last check, articles added (last poll, total), next
    poll, last status or error, URL."""
    feeds = open_feeds().all()
    if as_json:
        typer.echo(json.dumps([f.view() for f in feeds], indent=2))
        return
    if not feeds:
        typer.echo("no feeds; add one with `newsdesk feeds add URL`", err=True)
    for feed in feeds:
        typer.echo(describe(feed))


@feeds_app.command("remove")
def remove(
    feeds: Annotated[list[str], typer.Argument(help="Feed ids or URLs.")],
) -> None:
    """Unsubscribe from feeds (their articles stay indexed: `newsdesk index remove` them)."""
    store = open_feeds()
    for key in feeds:
        try:
            removed = store.remove(key)
        except IndexingError as exc:
            fail(str(exc), code=1)
            raise
        typer.echo(f"removed feed {removed.id}: {removed.url}")


@feeds_app.command("poll")
def poll(
    feeds: Annotated[
        list[str] | None, typer.Argument(help="Feed ids or URLs (default: all).")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Poll feeds now, in this process (as the server would), and show what each poll did.
    Exit code 1 when a poll failed."""
    from index.feeds.poll import FeedFetcher, poll_feed
    from ui.cli.index import open_index

    store = open_feeds()
    try:
        chosen = [store.find(key) for key in feeds] if feeds else store.all()
    except IndexingError as exc:
        fail(str(exc))
        raise
    components = open_index()
    max_bytes = components.settings.max_article_bytes
    failed = False
    with_fetcher = FeedFetcher(max_bytes=max_bytes)
    try:
        for feed in chosen:
            outcome = poll_feed(store, feed, with_fetcher, components.service.add, max_bytes)
            failed = failed or not outcome.ok
            after = store.get(feed.id) or feed
            typer.echo(json.dumps(after.view()) if as_json else describe(after))
    finally:
        with_fetcher.close()
    if failed:
        raise typer.Exit(1)
