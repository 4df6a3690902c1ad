"""``/api/feeds``: subscribe to RSS/Atom feeds the server polls and indexes by itself, list
them with what their polls did, poll one now, unsubscribe."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from index.feeds.store import DEFAULT_EVERY_S, Feed, FeedStore, format_interval, parse_interval
from ui.api.app import services, writer
from ui.api.models import error_responses
from ui.services import Services

Svc = Annotated[Services, Depends(services)]
Writer = Annotated[Services, Depends(writer)]
FeedId = Annotated[int, Path(ge=1, le=2**62, description="The feed's id (GET /api/feeds)")]
router = APIRouter(prefix="/api/feeds", tags=["feeds"], responses=error_responses(400, 422, 503))


class FeedIn(BaseModel):
    """A feed to poll: its URL and how often (at least 1m, at most 7d)."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=1, max_length=2000, examples=["https://example.com/rss.xml"])
    every: str = Field(
        default=format_interval(DEFAULT_EVERY_S), max_length=20, examples=["15m", "1h", "1d"]
    )


class FeedOut(BaseModel):
    """A subscribed feed and what its polls did; times are ISO 8601 UTC, null until then."""

    id: int
    url: str
    every: str
    every_seconds: int
    added_at: str
    last_checked: str | None
    last_success: str | None
    next_due: str
    last_status: str = Field(description='"not modified", "2 added, 0 updated, 18 unchanged"…')
    last_added: int = Field(description="Articles the last poll added")
    last_updated: int = Field(description="Articles the last poll changed")
    total_added: int = Field(description="Articles added by every poll together")
    last_error: str = Field(description="Why the last poll failed (or skipped entries), or ''")
    failures: int = Field(description="Failed polls in a row (they are retried less often)")
    polling: bool = Field(description="A poll of this feed is running now")


class FeedList(BaseModel):
    """Every subscribed feed, oldest first."""

    items: list[FeedOut]


def feed_out(feed: Feed, polling: bool = False) -> FeedOut:
    """A stored feed as an API body."""
    return FeedOut(**feed.view(), polling=polling)


@router.get("", response_model=FeedList, summary="Subscribed feeds and what their polls did")
async def list_feeds(svc: Svc) -> FeedList:
    """Every feed with its last check, last success, articles added and last error."""
    feeds = await run_in_threadpool(FeedStore(svc.index.catalog).all)
    polling = svc.feeds_polling()
    return FeedList(items=[feed_out(f, f.id in polling) for f in feeds])


@router.post(
    "",
    response_model=FeedOut,
    status_code=201,
    responses={**error_responses(401), 200: {"description": "Already subscribed: interval set"}},
    summary="Subscribe to a feed (polled at once, then every `every`)",
)
async def add_feed(body: FeedIn, response: Response, svc: Writer) -> FeedOut:
    """201 with the new feed; 200 when the URL was subscribed already (its interval is set);
    422 for a URL that is not http(s) or an interval under 1m."""
    every = parse_interval(body.every)
    feed, created = await run_in_threadpool(FeedStore(svc.index.catalog).add, body.url, every)
    if not created:
        response.status_code = 200
    svc.poke_feeds()
    return feed_out(feed)


@router.post(
    "/{feed_id}/poll",
    response_model=FeedOut,
    responses=error_responses(401, 404),
    summary="Poll a feed now (in the background)",
)
async def poll_now(feed_id: FeedId, svc: Writer) -> FeedOut:
    """Make the feed due now; GET /api/feeds shows the outcome once the poll is done."""
    feed = await run_in_threadpool(FeedStore(svc.index.catalog).make_due, feed_id)
    svc.poke_feeds()
    return feed_out(feed)


@router.delete(
    "/{feed_id}",
    response_model=FeedOut,
    responses=error_responses(401, 404),
    summary="Unsubscribe from a feed (its articles stay indexed)",
)
async def delete_feed(feed_id: FeedId, svc: Writer) -> FeedOut:
    """Stop polling the feed; 404 for an unknown id."""
    return feed_out(await run_in_threadpool(FeedStore(svc.index.catalog).remove, feed_id))
