"""The Articles tab's Feeds section: subscribe to RSS/Atom feeds the server polls and indexes
by itself, see what each poll did, poll one now, unsubscribe after a confirmation.

Handlers use the feed store (index.feeds.store) and the server's poller (Services.feeds)
in-process, as ``/api/feeds`` does; writes need the API key when one is set. A timer keeps
the table current while polls run in the background, and tells the tab (``polled``) when a
poll added or changed articles, so that it lists them."""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import gradio as gr

from index.feeds.store import DEFAULT_EVERY_S, Feed, FeedStore, format_interval, parse_interval
from ui.services import ServiceRef, Services
from ui.web.edge import Mistake, at_the_edge
from ui.web.listing import code, counted

__all__ = [
    "FEED_COLUMNS",
    "add_feed",
    "confirm_remove_feed",
    "feed_rows",
    "feeds_section",
    "list_feeds",
    "poll_feed",
    "remove_feed",
    "watch_feeds",
]

FEED_COLUMNS = [
    "feed", "URL", "every", "last checked (UTC)", "last success (UTC)",
    "added: last poll / total", "next poll (UTC)", "status", "last error",
]  # fmt: skip
REFRESH_S = 3.0  # how often an open page looks at the feeds while it is open
_Row = list[Any]
_PRIVATE: dict[str, Any] = {"api_visibility": "private"}


def feeds_section(ref: ServiceRef, key: gr.Textbox, page: gr.Blocks) -> gr.State:
    """Lay out the Feeds section and wire its events (``key`` is the tab's API key box,
    ``page``'s load fills the table). Returns a state that changes whenever a poll added or
    changed articles: the tab lists them again on its change."""
    with gr.Accordion("Feeds", open=True, elem_id="nd-feeds"):
        gr.Markdown(
            "The server polls each RSS or Atom feed on its schedule and indexes new and changed"
            " entries by itself."
        )
        with gr.Row(equal_height=True):
            url = gr.Textbox(
                label="Feed URL", placeholder="https://…/rss.xml", elem_id="nd-feed-url",
                scale=4, min_width=240,
            )  # fmt: skip
            every = gr.Textbox(
                format_interval(DEFAULT_EVERY_S), label="Poll every", placeholder="15m, 1h, 1d",
                elem_id="nd-feed-every", scale=1, min_width=120,
            )  # fmt: skip
            add = gr.Button("Add feed", variant="primary", scale=1, elem_id="nd-add-feed")
        result = gr.Markdown(elem_id="nd-feed-result")
        with gr.Row(equal_height=True):
            listed = gr.Markdown(elem_id="nd-feeds-listed")
            refresh = gr.Button("Refresh", size="sm", scale=0, elem_id="nd-refresh-feeds")
        table = gr.Dataframe(
            headers=FEED_COLUMNS, interactive=False, label="Subscribed feeds",
            elem_id="nd-feed-table", wrap=True, max_height=420,
            column_widths=["6%", "22%", "6%", "11%", "11%", "8%", "11%", "11%", "14%"],
        )  # fmt: skip
        with gr.Row(equal_height=True):
            chosen = gr.Textbox(
                label="Feed id or URL (click a row)", scale=3, elem_id="nd-feed-chosen"
            )
            poll = gr.Button("Poll now", scale=1, elem_id="nd-poll-feed")
            remove = gr.Button("Remove feed…", variant="stop", scale=1, elem_id="nd-remove-feed")
        with gr.Column(visible=False, variant="panel", elem_id="nd-confirm-feed") as confirm:
            question = gr.Markdown(elem_id="nd-confirm-feed-text")
            with gr.Row():
                yes = gr.Button("Yes, remove it", variant="stop", elem_id="nd-confirm-remove-feed")
                no = gr.Button("Cancel", elem_id="nd-cancel-remove-feed")
    seen = gr.State([])  # the rows shown, so that a tick that finds nothing new changes nothing
    polled = gr.State("")  # changes when a poll added or changed articles
    timer = gr.Timer(REFRESH_S)
    outputs = [result, table, listed]

    def feeds() -> tuple[list[_Row], str]:
        """Every subscribed feed (a row each: FEED_COLUMNS) and how many there are."""
        return list_feeds(ref)

    def subscribe(url: str, every: str, api_key: str) -> tuple:
        """Subscribe to an RSS/Atom feed, polled at once and then every ``every`` (like 15m,
        1h, 1d; at least 1m); subscribing again sets the interval."""
        return add_feed(ref, url, every, api_key)

    def poll_now(feed_id: str, api_key: str) -> tuple:
        """Poll a feed (its id or URL) now, in the background; the list shows the outcome."""
        return poll_feed(ref, feed_id, api_key)

    def unsubscribe(feed_id: str, api_key: str) -> tuple:
        """Unsubscribe from a feed (its id or URL); its articles stay indexed."""
        return remove_feed(ref, feed_id, api_key)

    add.click(subscribe, [url, every, key], outputs, api_name="add_feed")
    refresh.click(feeds, outputs=[table, listed], api_name="list_feeds")
    poll.click(poll_now, [chosen, key], outputs, api_name="poll_feed")
    remove.click(lambda i: confirm_remove_feed(ref, i), chosen, [confirm, question], **_PRIVATE)
    yes.click(unsubscribe, [chosen, key], outputs, api_name="remove_feed").then(
        lambda: gr.update(visible=False), outputs=confirm, **_PRIVATE
    )
    no.click(lambda: gr.update(visible=False), outputs=confirm, **_PRIVATE)
    table.select(_row_id, outputs=chosen, **_PRIVATE)
    timer.tick(lambda rows: watch_feeds(ref, rows), seen, [table, listed, seen, polled],
               show_progress="hidden", **_PRIVATE)  # fmt: skip
    page.load(feeds, outputs=[table, listed], **_PRIVATE)
    return polled


def _row_id(evt: gr.SelectData) -> str:
    row = evt.row_value or []
    return str(row[0]) if row else ""


def when(moment: float | None) -> str:
    """Unix seconds as ``2024-05-03 09:30:12`` (UTC), or ``never``."""
    if moment is None:
        return "never"
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%d %H:%M:%S")


def feed_rows(feeds: Iterable[Feed], polling: set[int], now: float | None = None) -> list[_Row]:
    """The table's rows (``FEED_COLUMNS``), oldest subscription first."""
    now = time.time() if now is None else now
    rows = []
    for feed in feeds:
        if feed.id in polling:
            status, due = "polling now…", "now"
        else:
            status = feed.last_status or "not polled yet"
            due = "due now" if feed.next_due <= now else when(feed.next_due)
        rows.append([
            feed.id, feed.url, feed.every, when(feed.last_checked), when(feed.last_success),
            f"{feed.last_added} / {feed.total_added}", due, status, feed.last_error,
        ])  # fmt: skip
    return rows


def feeds_markdown(feeds: list[Feed], polling: set[int], poller_runs: bool) -> str:
    """How many feeds there are, how many are being polled or failing, for people."""
    if not feeds:
        line = "No feeds yet: add an RSS or Atom feed's URL above."
    else:
        parts = [counted(len(feeds), "feeds")]
        busy = sum(1 for f in feeds if f.id in polling)
        failing = sum(1 for f in feeds if f.failures)
        if busy:
            parts.append(f"{busy} polling now")
        if failing:
            parts.append(f"{failing} failing")
        line = " · ".join(parts) + "."
    if not poller_runs:
        line += " This server does not poll feeds (NEWSDESK_POLL_FEEDS is off)."
    return line


def _listing(svc: Services, feeds: list[Feed] | None = None) -> tuple[list[_Row], str]:
    feeds = FeedStore(svc.index.catalog).all() if feeds is None else feeds
    polling = svc.feeds_polling()
    return feed_rows(feeds, polling), feeds_markdown(feeds, polling, svc.feeds is not None)


@at_the_edge(outputs=2)
def list_feeds(ref: ServiceRef) -> tuple[list[_Row], str]:
    """Every subscribed feed's row and how many there are."""
    return _listing(ref.get())


def watch_feeds(ref: ServiceRef, seen: list[_Row]) -> tuple:
    """A timer's look at the feeds: the rows and count when they differ from ``seen`` (else
    nothing changes on the page), the rows as seen now, and a mark of the polls that added
    or changed articles (a new mark: the tab lists its articles again)."""
    try:
        svc = ref.get()
        feeds = FeedStore(svc.index.catalog).all()
        rows, listed = _listing(svc, feeds)
    except Exception:  # starting, or the catalog busy: the next tick tries again
        return gr.skip(), gr.skip(), gr.skip(), gr.skip()
    if rows == seen:
        return gr.skip(), gr.skip(), gr.skip(), gr.skip()
    mark = " ".join(f"{f.id}@{f.last_checked}" for f in feeds if f.last_added or f.last_updated)
    return rows, listed, rows, mark


def _writer(ref: ServiceRef, key: str) -> Services:
    svc = ref.get()
    svc.check_key(key or None)
    return svc


def _feed_key(feed_id: str) -> str:
    key = (feed_id or "").strip()
    if not key:
        raise Mistake("Click a feed in the table (or type its id or URL) first.")
    return key


@at_the_edge(outputs=3)
def add_feed(ref: ServiceRef, url: str, every: str, key: str) -> tuple:
    """Subscribe to ``url``, polled at once and then every ``every``; again: set the interval.
    A malformed URL or interval is a warning that changes nothing."""
    url = (url or "").strip()
    if not url:
        raise Mistake("Enter the feed's http(s) URL first.")
    seconds = parse_interval(every or format_interval(DEFAULT_EVERY_S))
    svc = _writer(ref, key)
    feed, created = FeedStore(svc.index.catalog).add(url, seconds)
    polls = svc.poke_feeds()
    if created:
        then = "polled now, then" if polls else "to be polled"
        message = f"Subscribed to {code(feed.url)} (feed {feed.id}): {then} every {feed.every}."
    else:
        message = f"Already subscribed to {code(feed.url)} (feed {feed.id}): now polled every "
        message += f"{feed.every}."
    return (message + _off(polls), *_listing(svc))


@at_the_edge(outputs=3)
def poll_feed(ref: ServiceRef, feed_id: str, key: str) -> tuple:
    """Make a feed due now and wake the poller; the table shows the outcome once done."""
    chosen = _feed_key(feed_id)
    svc = _writer(ref, key)
    feed = FeedStore(svc.index.catalog).make_due(chosen)
    polls = svc.poke_feeds()
    message = f"Polling feed {feed.id} ({code(feed.url)}) now: the table shows what it did."
    if not polls:
        message = f"Feed {feed.id} ({code(feed.url)}) is due now." + _off(polls)
    return (message, *_listing(svc))


def _off(polls: bool) -> str:
    return "" if polls else " This server does not poll feeds (NEWSDESK_POLL_FEEDS is off)."


def _kept(feed: Feed) -> str:
    """What becomes of the articles a feed added: they stay indexed."""
    n = feed.total_added
    if not n:
        return "it has added no articles"
    return f"the {counted(n, 'articles')} it added {'stays' if n == 1 else 'stay'} indexed"


def _hint(feed: Feed) -> str:
    n = feed.total_added
    return f" (delete {'it' if n == 1 else 'them'} in the list above)" if n else ""


@at_the_edge(outputs=2)
def confirm_remove_feed(ref: ServiceRef, feed_id: str) -> tuple:
    """Ask before unsubscribing: which feed (its URL, by its id), and that its articles stay."""
    feed = FeedStore(ref.get().index.catalog).find(_feed_key(feed_id))
    prompt = (
        f"Remove the feed {code(feed.url)} (feed {feed.id})? It is no longer polled; "
        f"{_kept(feed)}{_hint(feed)}."
    )
    return gr.update(visible=True), prompt


@at_the_edge(outputs=3)
def remove_feed(ref: ServiceRef, feed_id: str, key: str) -> tuple:
    """Unsubscribe from a feed; its articles stay indexed."""
    chosen = _feed_key(feed_id)
    svc = _writer(ref, key)
    feed = FeedStore(svc.index.catalog).remove(chosen)
    message = f"Removed feed {feed.id} ({code(feed.url)}); {_kept(feed)}."
    return (message, *_listing(svc))
