"""One FastAPI app: the HTTP API under /api (and /v1, /metrics), OpenAPI docs at /docs, and
the Gradio UI mounted at /. Heavy parts are built once, in the app's lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from index.config import IndexSettings
from qa.config import QASettings
from ui.api import app as api
from ui.api import articles as api_articles
from ui.api import feeds as api_feeds
from ui.api import openai as api_openai
from ui.api import speakers as api_speakers
from ui.config import UISettings
from ui.errors import UnsafeBind
from ui.feeds import start_poller
from ui.metrics import Metrics, MetricsMiddleware
from ui.services import ServiceRef, Services

log = logging.getLogger("newsdesk.server")
Builder = Callable[[], Services]

DESCRIPTION = """Question answering over indexed news articles; every answer sentence is
cited. Writes (POST/DELETE /api/articles and /api/feeds) need `Authorization: Bearer KEY` or
`X-API-Key: KEY` when NEWSDESK_API_KEY is set. Limits: questions up to 2,000 characters, k from
1 to 50, request bodies up to NEWSDESK_MAX_BODY_BYTES (6,000,000 by default; 413 beyond)."""


class BodyTooLarge(HTTPException):
    """A request body over the limit (FastAPI answers it as a JSON 413)."""

    def __init__(self, limit: int, size: int | None = None) -> None:
        told = f"is {size:,} bytes" if size is not None else "is larger"
        super().__init__(413, f"the request body {told}; the limit is {limit:,} bytes")


class BodySizeMiddleware:
    """Refuses request bodies over ``max_bytes`` with a JSON 413 naming the limit: at once
    when the declared length is over it, else when the bytes received pass it."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > self.max_bytes:
            too_large = BodyTooLarge(self.max_bytes, int(declared))
            response = JSONResponse({"detail": too_large.detail}, status_code=413)
            await response(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise BodyTooLarge(self.max_bytes)
            return message

        await self.app(scope, counted, send)


class AllowHeaderMiddleware:
    """Makes a 405's ``Allow`` list every method of the path: Starlette lists only those of
    the first route matching it (GET and DELETE /api/articles/{id} are two routes)."""

    def __init__(self, app: ASGIApp, api: FastAPI) -> None:
        self.app = app
        self.api = api

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def fix_allow(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                methods = self.methods(scope)
                headers = [(k, v) for k, v in message["headers"] if k.lower() != b"allow"]
                message["headers"] = [*headers, (b"allow", ", ".join(methods).encode())]
            await send(message)

        await self.app(scope, receive, fix_allow)

    def methods(self, scope: Scope) -> list[str]:
        """Every method a route of this path accepts."""
        found: set[str] = set()
        for route in self.api.router.routes:
            if isinstance(route, APIRoute) and route.matches(scope)[0] != Match.NONE:
                found |= route.methods or set()
        return sorted(found)


def build_services(
    ui_settings: UISettings, index_settings: IndexSettings, qa_settings: QASettings
) -> Services:
    """Open the index, load the model and build the QA service (slow: once per server)."""
    from index.components import build_index
    from qa.components import build_qa

    components = build_index(index_settings)
    return Services(components, build_qa(components, qa_settings), ui_settings)


def check_bind(settings: UISettings) -> None:
    """Refuse (UnsafeBind) to serve key-less writes to the network; see UISettings."""
    if settings.writes_unprotected_in_public():
        raise UnsafeBind(
            f"refusing to listen on {settings.host} with writes open to anyone: set "
            "NEWSDESK_API_KEY (writes then need it), or NEWSDESK_ALLOW_PUBLIC_WRITES=true "
            "to accept key-less writes from the network, or listen on 127.0.0.1"
        )


def create_api(ref: ServiceRef, settings: UISettings, builder: Builder | None = None) -> FastAPI:
    """The API app (no UI). With ``builder``, the services are built in the lifespan (unless
    ``ref`` already holds some) and dropped when it ends."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        built = builder is not None and ref.services is None
        if builder is not None and built:
            log.info("loading the model and opening the index…")
            ref.services = await run_in_threadpool(builder)
        svc = ref.services
        poller = start_poller(svc) if svc is not None else None
        app.state.feed_poller = poller
        if svc is not None:
            svc.feeds = poller  # the API and the web UI poke it through the services
        yield
        if svc is not None and svc.feeds is poller:
            svc.feeds = None
        if poller is not None:
            await run_in_threadpool(poller.stop)
        if built:
            ref.services = None

    app = FastAPI(
        title="newsdesk",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.ref = ref
    api.install_error_handlers(app)
    for module in (api, api_articles, api_feeds, api_openai, api_speakers):
        app.include_router(module.router)
    metrics = Metrics(lambda: ref.get().index.service.stats())
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_middleware(AllowHeaderMiddleware, api=app)
    app.add_middleware(BodySizeMiddleware, max_bytes=settings.max_body_bytes)

    @app.get("/metrics", include_in_schema=False)
    async def prometheus() -> Response:
        body = await run_in_threadpool(metrics.exposition)
        return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")

    return app


def create_app(
    ui_settings: UISettings,
    index_settings: IndexSettings | None = None,
    qa_settings: QASettings | None = None,
    services: Services | None = None,
) -> FastAPI:
    """The whole server: API plus the Gradio UI at ``/``. Pass ``services`` to reuse ones
    already built (tests, benchmarks); otherwise they are built from the settings at startup."""
    import gradio as gr

    from ui.web.app import CSS, build_web

    ref = ServiceRef(services)
    index_s, qa_s = index_settings or IndexSettings(), qa_settings or QASettings()
    app = create_api(ref, ui_settings, lambda: build_services(ui_settings, index_s, qa_s))
    app.add_api_route("/ui", lambda: RedirectResponse("/"), include_in_schema=False)
    demo = build_web(ref, ui_settings)
    return gr.mount_gradio_app(
        app, demo, path="/", server_name=ui_settings.host, server_port=ui_settings.port,
        max_file_size=ui_settings.max_body_bytes, footer_links=["api"], css=CSS,
        ssr_mode=False, show_error=True,
    )  # fmt: skip
