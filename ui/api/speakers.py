"""``/api/speakers``: who said something in the indexed articles, and what each one said
(paged, every statement cited verbatim)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from index.filters import SearchFilters
from qa.components import build_speakers
from qa.models import SpeakerStatements, SpeakerSummary
from qa.requests import iso
from ui.api.app import services
from ui.api.models import Day, error_responses
from ui.limits import MAX_OFFSET, MAX_PAGE
from ui.services import Services

MAX_NAME_CHARS = 200


class SpeakerPage(BaseModel):
    """One page of speakers, most statements first."""

    total: int = Field(description="Speakers matching the search, in all pages")
    offset: int
    limit: int
    items: list[SpeakerSummary]


Svc = Annotated[Services, Depends(services)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip")]
Source = Annotated[str | None, Query(max_length=200, description="Only articles of this source")]
From = Annotated[Day | None, Query(description="Only articles published on/after YYYY-MM-DD")]
To = Annotated[Day | None, Query(description="Only articles published on/before YYYY-MM-DD")]
router = APIRouter(
    prefix="/api/speakers", tags=["speakers"], responses=error_responses(400, 422, 503)
)


def _filters(source: str | None, first: Day | None, last: Day | None) -> SearchFilters:
    return SearchFilters(source or None, iso(first), iso(last))


@router.get("", response_model=SpeakerPage, summary="Speakers with statement counts")
async def list_speakers(
    svc: Svc,
    q: Annotated[
        str | None, Query(max_length=MAX_NAME_CHARS, description="Part of the speaker's name")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Offset = 0,
    source: Source = None,
    published_from: From = None,
    published_to: To = None,
) -> SpeakerPage:
    """Everyone with a statement in the indexed articles (name variants merged), most
    statements first; ``q`` keeps names containing it (case and accents ignored)."""
    speakers = build_speakers(svc.index)
    filters = _filters(source, published_from, published_to)
    total, items = await run_in_threadpool(speakers.speakers, q, limit, offset, filters)
    return SpeakerPage(total=total, offset=offset, limit=limit, items=items)


@router.get(
    "/{name}/statements",
    response_model=SpeakerStatements,
    responses=error_responses(404),
    summary="What one speaker said, newest article first, each statement cited",
)
async def speaker_statements(
    name: Annotated[str, Path(max_length=MAX_NAME_CHARS, description="A name or speaker key")],
    svc: Svc,
    about: Annotated[
        str | None, Query(max_length=MAX_NAME_CHARS, description="Only statements on this topic")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
    offset: Offset = 0,
    source: Source = None,
    published_from: From = None,
    published_to: To = None,
) -> SpeakerStatements:
    """The speaker's statements (any name variant: "Zelenskiy", "Volodymyr Zelenskyy"), each
    with its citation (quote = what was said, verbatim); 404 when the speaker has none."""
    speakers = build_speakers(svc.index)
    filters = _filters(source, published_from, published_to)
    page = await run_in_threadpool(
        speakers.statements_page, name, about or None, limit, offset, filters
    )
    if page is None:
        raise HTTPException(
            404, f"no statements by {name!r} are indexed; GET /api/speakers lists the speakers"
        )
    return page
