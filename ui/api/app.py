"""The HTTP API: questions, search and health (articles and the OpenAI-compatible endpoint
live in their own modules). ``create_api`` builds the FastAPI app around a ServiceRef."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from index.errors import IndexingError, StoreUnavailable
from qa.errors import QAError
from qa.models import Answer
from ui.api.models import (
    SSE_EVENT,
    AskRequest,
    Health,
    SearchRequest,
    SearchResponse,
    error_responses,
)
from ui.errors import ServiceError, http_status, user_message
from ui.services import ServiceRef, Services

_bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <NEWSDESK_API_KEY>")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="NEWSDESK_API_KEY")


def services(request: Request) -> Services:
    """FastAPI dependency: this app's services (503 while starting)."""
    ref: ServiceRef = request.app.state.ref
    return ref.get()


def writer(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    api_key: Annotated[str | None, Depends(_api_key)],
) -> Services:
    """FastAPI dependency for writes: the services, once the API key (if one is set) checks."""
    found = services(request)
    found.check_key(bearer.credentials if bearer else None, api_key)
    return found


Svc = Annotated[Services, Depends(services)]
router = APIRouter(prefix="/api", responses=error_responses(400, 422, 503))


@router.post("/ask", response_model=Answer, summary="Answer a question, every sentence cited")
async def ask(body: AskRequest, svc: Svc) -> Answer:
    """The same answer as ``newsdesk ask --json``."""
    return await run_in_threadpool(answer_for, svc, body)


def answer_for(svc: Services, body: AskRequest) -> Answer:
    """Ask the QA service with the request's options."""
    return svc.qa.ask(body)


@router.post("/search", response_model=SearchResponse, summary="Ranked passages for a query")
async def search(body: SearchRequest, svc: Svc) -> SearchResponse:
    """Retrieval only: the passages an answer would be built from, best first."""
    started = time.perf_counter()
    passages = await run_in_threadpool(svc.qa.search, body)
    took = (time.perf_counter() - started) * 1000
    return SearchResponse(query=body.query, passages=passages, took_ms=round(took, 1))


_SSE_DOC = {200: {"description": "Events: token* (LLM mode), short_answer?, part*, citations, done",
    "content": {
    "text/event-stream": {"schema": SSE_EVENT}}}}  # fmt: skip


@router.post(
    "/ask/stream",
    response_class=StreamingResponse,
    responses=_SSE_DOC,  # type: ignore[arg-type]
    summary="The answer as server-sent events",
)
async def ask_stream(body: AskRequest, svc: Svc) -> StreamingResponse:
    """Events: in the LLM mode, one ``token`` per piece of the LLM's text as it is written
    (a draft, not yet checked); then the ``short_answer`` when there is one, one ``part`` per
    part the checked answer was built from (its ``parts``: they add up to the answer text
    exactly), then ``citations``, then ``done`` (the whole Answer, with the sentences the
    check removed and any notice). Errors are answered before the stream starts, with
    ordinary statuses."""
    pieces = svc.qa.ask_stream(body)
    first = await run_in_threadpool(next, pieces)  # a rejected request raises here
    return StreamingResponse(_events(first, pieces), media_type="text/event-stream")


async def _events(first: str | Answer, pieces: Iterator[str | Answer]) -> AsyncIterator[str]:
    piece = first
    while isinstance(piece, str):
        yield sse("token", {"text": piece})
        # The answer always comes last, so next() never runs past the end.
        piece = await run_in_threadpool(next, pieces)
    async for event in _answer_events(piece):
        yield event


async def _answer_events(answer: Answer) -> AsyncIterator[str]:
    if answer.short_answer is not None:
        yield sse("short_answer", answer.short_answer.model_dump(mode="json"))
    for part in answer.pieces():
        yield sse("part", {"text": part})
    yield sse("citations", jsonable_encoder(answer.citations or answer.related))
    yield sse("done", answer.model_dump(mode="json"))


def sse(event: str, data: object) -> str:
    """One server-sent event with JSON data."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@router.get("/health", response_model=Health, summary="Model, store and counts")
async def health(svc: Svc) -> Health:
    """``ok`` when the model is loaded and the store answers, else ``degraded``."""
    return await run_in_threadpool(health_of, svc)


def health_of(svc: Services) -> Health:
    """Check the store and count what is indexed."""
    reachable = svc.index.store.ping()
    try:
        counts, database_reachable = svc.index.catalog.stats(), True
    except StoreUnavailable:
        counts, database_reachable = dict.fromkeys(("articles", "paragraphs", "sources"), 0), False
    vectors = svc.index.store.count() if reachable else 0
    loaded = svc.model_loaded()
    return Health(
        status="ok" if reachable and database_reachable and loaded else "degraded",
        model_loaded=loaded,
        store_reachable=reachable,
        database=svc.index.catalog.dialect,
        database_reachable=database_reachable,
        articles=counts["articles"],
        paragraphs=counts["paragraphs"],
        vectors=vectors,
        sources=counts["sources"],
    )


# A 503 is a passing state (starting, the vector store or catalog away): clients may retry.
RETRY_AFTER_S = 5


async def _known_error(request: Request, exc: Exception) -> JSONResponse:
    status = http_status(exc) or 500
    headers = {"Retry-After": str(RETRY_AFTER_S)} if status == 503 else None
    return JSONResponse({"detail": user_message(exc)}, status_code=status, headers=headers)


async def _invalid_input(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(e["loc"]), "msg": str(e["msg"]), "type": str(e["type"])} for e in exc.errors()
    ]
    parts = [_error_text(e) for e in errors]
    return JSONResponse({"detail": "; ".join(parts), "errors": errors}, status_code=422)


def _error_text(error: dict[str, Any]) -> str:
    """One validation error as "field.path: message"."""
    if error["type"] == "json_invalid":  # its location is a character position, not a field
        return f"body: not valid JSON (at character {error['loc'][-1]})"
    return f"{'.'.join(str(p) for p in error['loc'][1:]) or 'body'}: {error['msg']}"


def install_error_handlers(app: FastAPI) -> None:
    """Translate our exception families (and invalid input) into clear 4xx/503 answers."""
    for family in (ServiceError, IndexingError, QAError):
        app.add_exception_handler(family, _known_error)
    app.add_exception_handler(RequestValidationError, _invalid_input)
