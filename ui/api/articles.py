"""``/api/articles``: index (JSON or file upload), list, show and delete articles."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from index.errors import ArticleReadError
from index.filters import SearchFilters
from index.models import Article, IndexReport, ReadFailure
from index.readers.inputs import article_from_record, read_inputs, read_upload
from index.storage.records import ArticleRecord
from qa.requests import iso
from ui.api.app import services, writer
from ui.api.article_models import (
    AddResult,
    ArticleDetail,
    ArticleIn,
    ArticlePage,
    ArticleSummary,
    Failure,
    IndexedArticle,
    ParagraphOut,
    Removed,
    UrlIn,
)
from ui.api.models import Day, error_responses
from ui.limits import MAX_OFFSET, MAX_PAGE
from ui.services import Services

_UPLOAD_SCHEMA = {
    "type": "object",
    "required": ["file"],
    "properties": {"file": {"type": "array", "items": {"type": "string", "format": "binary"}}},
}
_ADD_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": ArticleIn.model_json_schema()},
            "multipart/form-data": {"schema": _UPLOAD_SCHEMA},
        },
    }
}
Svc = Annotated[Services, Depends(services)]
Writer = Annotated[Services, Depends(writer)]
router = APIRouter(
    prefix="/api/articles", tags=["articles"], responses=error_responses(400, 422, 503)
)


@router.post(
    "",
    response_model=AddResult,
    openapi_extra=_ADD_DOC,
    responses=error_responses(401, 409, 413, 415),
    summary="Index an article (JSON) or uploaded files (multipart, any supported format)",
)
async def add_articles(request: Request, svc: Writer) -> AddResult:
    """Index the article(s) of the request; unchanged ones cost nothing."""
    content_type = request.headers.get("content-type", "").lower()
    items: list[Article | ReadFailure]
    if content_type.startswith("multipart/form-data"):
        items = await _uploaded(request, svc.index.settings.max_article_bytes)
    elif content_type.startswith("application/json") or not content_type:
        items = [_from_json(await request.body())]
    else:
        raise HTTPException(
            415, f"send application/json or multipart/form-data, not {content_type}"
        )
    report = await run_in_threadpool(svc.add_articles, items)
    articles = [a for a in items if isinstance(a, Article)]
    return await run_in_threadpool(add_result, svc, articles, report)


@router.post(
    "/fetch",
    response_model=AddResult,
    responses=error_responses(401, 409),
    summary="Fetch a page or feed by URL and index its articles (public addresses only)",
)
async def fetch_url(body: UrlIn, svc: Writer) -> AddResult:
    """Fetch the URL, following redirects, and index what it holds: 422 when nothing could be
    read, or when it (or a redirect) leads to a loopback, private, link-local or metadata
    address while NEWSDESK_ALLOW_PRIVATE_URLS and NEWSDESK_URL_ALLOWED_NETWORKS do not allow it."""
    items = await run_in_threadpool(fetched_items, svc, body.url.strip())
    report = await run_in_threadpool(svc.add_articles, items)
    articles = [a for a in items if isinstance(a, Article)]
    return await run_in_threadpool(add_result, svc, articles, report)


def fetched_items(svc: Services, url: str) -> list[Article | ReadFailure]:
    """The articles (and failures) of ``url``, fetched through the settings' address guard;
    raises ArticleReadError when there is no article at all."""
    settings = svc.index.settings
    guard = settings.url_guard()
    items = list(read_inputs([url], max_bytes=settings.max_article_bytes, guard=guard))
    if not any(isinstance(item, Article) for item in items):
        first = next((item for item in items if isinstance(item, ReadFailure)), None)
        raise ArticleReadError(url, first.reason if first else "no article at this URL")
    return items


def _from_json(body: bytes) -> Article:
    try:
        data = ArticleIn.model_validate_json(body)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_input=False)]
        ) from None
    record: dict[str, Any] = data.model_dump(exclude_none=True)
    return own_origin(article_from_record(record, origin="api"), "api")


def own_origin(article: Article, kind: str) -> Article:
    """The article with an origin of its own: the index removes an origin's articles that a
    later read of it no longer gives, so articles posted one by one must not share one."""
    return replace(article, origin=f"{kind}:{article.id}")


async def _uploaded(request: Request, max_bytes: int) -> list[Article | ReadFailure]:
    """The articles of the uploaded files, and the failures of their bad records.

    The whole body is read (the server caps it at NEWSDESK_MAX_BODY_BYTES, 413 beyond);
    ``max_bytes`` applies to each article: to a text or HTML file, and to each record of a
    JSON Lines file. A file that is unreadable, or whose every record is bad, is a 422."""
    form = await request.form(max_files=20, max_fields=20)
    files = [f for f in form.getlist("file") if isinstance(f, UploadFile)]
    if not files:
        raise ArticleReadError("upload", "no file in the form field 'file'")
    items: list[Article | ReadFailure] = []
    for upload in files:
        data = await upload.read()
        name = upload_name(upload.filename or "upload.txt")
        items += uploaded_items(name, read_upload(name, data, max_bytes=max_bytes))
    return items


def uploaded_items(name: str, read: list[Article | ReadFailure]) -> list[Article | ReadFailure]:
    """An uploaded file's articles and failures under the origin ``upload:NAME``: an upload is
    its file, so re-uploading a file of this name replaces what it gave before (and a bad
    record keeps its old articles). Raises ArticleReadError when no record was good."""
    name = upload_name(name)
    origin = f"upload:{name}"
    if not any(isinstance(item, Article) for item in read):
        first = next((item for item in read if isinstance(item, ReadFailure)), None)
        raise ArticleReadError(name, first.reason if first else "no article in the file")
    return [
        replace(item, origin=origin)
        if isinstance(item, Article)
        else ReadFailure(origin, item.reason)
        for item in read
    ]


def upload_name(name: str) -> str:
    """An uploaded file's name without folders or control characters: a client chooses it, so
    it is only ever a label (the origin ``upload:NAME``) and a format (its extension), and no
    path is built from it; ``../../etc/x.txt`` is ``x.txt``."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(char for char in base if char.isprintable()).strip()[-255:]
    return base if base.strip(".") else "upload"


def add_result(svc: Services, articles: list[Article], report: IndexReport) -> AddResult:
    """The API's view of an IndexReport, with each article's stored paragraph count."""
    records = svc.index.catalog.records(a.id for a in articles)
    return AddResult(
        added=report.added,
        updated=report.updated,
        unchanged=report.unchanged,
        removed=report.removed,
        failed=[Failure(origin=f.origin, reason=f.reason) for f in report.failed],
        articles=[
            IndexedArticle(id=r.id, title=r.title, paragraphs=r.paragraphs)
            for r in records.values()
        ],
        paragraphs=report.paragraphs,
        seconds=round(report.seconds, 3),
    )


@router.get("", response_model=ArticlePage, summary="List indexed articles, newest first")
async def list_articles(
    svc: Svc,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    source: Annotated[str | None, Query(max_length=200)] = None,
    published_from: Annotated[Day | None, Query()] = None,
    published_to: Annotated[Day | None, Query()] = None,
) -> ArticlePage:
    """A page of articles, optionally of one source and a published-date range."""
    filters = SearchFilters(source or None, iso(published_from), iso(published_to))
    service = svc.index.service
    records = await run_in_threadpool(service.articles, offset, limit, filters)
    total = await run_in_threadpool(service.count_articles, filters)
    items = [summary(r) for r in records]
    return ArticlePage(total=total, offset=offset, limit=limit, items=items)


def summary(record: ArticleRecord) -> ArticleSummary:
    """An ArticleRecord as an API body."""
    return ArticleSummary(
        id=record.id,
        title=record.title,
        url=record.url,
        published=record.published,
        source=record.source,
        state=record.state,
        paragraphs=record.paragraphs,
    )


@router.get(
    "/{article_id:path}",
    response_model=ArticleDetail,
    responses=error_responses(404),
    summary="One article with its paragraphs",
)
async def get_article(article_id: str, svc: Svc) -> ArticleDetail:
    """The article's record and stored paragraphs; 404 for unknown ids."""
    record, paragraphs = await run_in_threadpool(svc.index.service.article, article_id)
    return ArticleDetail(
        article=summary(record),
        paragraphs=[ParagraphOut(number=p.number, text=p.text) for p in paragraphs],
    )


@router.delete(
    "/{article_id:path}",
    response_model=Removed,
    responses=error_responses(401, 404, 409),
    summary="Remove an article from every index",
)
async def delete_article(article_id: str, svc: Writer) -> Removed:
    """Remove the article and its paragraphs; 404 for unknown ids."""
    await run_in_threadpool(svc.remove_article, article_id)
    return Removed(removed=article_id)
