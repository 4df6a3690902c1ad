"""The web UI's Articles tab: upload files, paste text or a URL, browse, delete, statistics."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import gradio as gr

from index.errors import ArticleReadError
from index.models import Article, IndexReport, ReadFailure
from index.readers.inputs import SUPPORTED_EXTENSIONS, article_from_record, read_inputs, read_upload
from ui.api.articles import own_origin, uploaded_items
from ui.config import UISettings
from ui.errors import user_message
from ui.services import ServiceRef, Services
from ui.web.edge import Mistake, at_the_edge

_COLUMNS = ["id", "published", "source", "paragraphs", "title"]


def articles_tab(
    ref: ServiceRef, settings: UISettings, on_change: gr.Dropdown
) -> list[gr.components.Component]:
    """Lay out the tab and wire its events; ``on_change`` (the source filter) is refreshed
    after every write. Returns the outputs of ``refreshed``, to fill on page load."""
    stats = gr.Markdown(elem_id="nd-stats")
    key = gr.Textbox(label="API key", type="password", visible=settings.api_key is not None)
    with gr.Row():
        with gr.Column():
            files = gr.File(
                label="Upload articles", file_count="multiple", elem_id="nd-upload",
                file_types=sorted(SUPPORTED_EXTENSIONS),
            )  # fmt: skip
            upload = gr.Button("Index files", variant="primary", elem_id="nd-index-files")
        with gr.Column():
            title = gr.Textbox(label="Title (optional)")
            text = gr.Textbox(label="Article text", lines=6, elem_id="nd-paste")
            paste = gr.Button("Index text")
            url = gr.Textbox(label="Article or feed URL", placeholder="https://…")
            fetch = gr.Button("Index URL")
    result = gr.Markdown(elem_id="nd-result")
    table = gr.Dataframe(headers=_COLUMNS, interactive=False, label="Indexed articles")
    with gr.Row():
        chosen = gr.Textbox(label="Article id (click a row)", scale=3)
        delete = gr.Button("Delete article", variant="stop", scale=1)
    outputs = [result, stats, table, on_change]
    # gradio finds the progress tracker by its default value, hence gr.Progress() there
    upload.click(lambda f, k, progress=gr.Progress(): index_files(ref, f, k, progress),  # noqa: B008
                 inputs=[files, key], outputs=outputs)  # fmt: skip
    paste.click(lambda t, x, k, progress=gr.Progress(): index_text(ref, t, x, k, progress),  # noqa: B008
                inputs=[title, text, key], outputs=outputs)  # fmt: skip
    fetch.click(lambda u, k, progress=gr.Progress(): index_url(ref, u, k, progress),  # noqa: B008
                inputs=[url, key], outputs=outputs)  # fmt: skip
    delete.click(lambda i, k: delete_article(ref, i, k), inputs=[chosen, key], outputs=outputs)
    table.select(_row_id, outputs=chosen)
    return outputs


def _row_id(evt: gr.SelectData) -> str:
    row = evt.row_value or []
    return str(row[0]) if row else ""


@at_the_edge(outputs=4)
def index_files(ref: ServiceRef, paths: list[str] | None, key: str, progress: Any) -> tuple:
    """Read uploaded files (any supported format) and index them."""
    if not paths:
        raise Mistake("Choose one or more files first.")
    svc = _writer(ref, key)
    articles: list[Article | ReadFailure] = []
    for path in paths:
        try:
            data = Path(path).read_bytes()
            name = Path(path).name
            found = read_upload(name, data, max_bytes=_max_bytes(svc))
            articles += uploaded_items(name, found)
        except ArticleReadError as exc:  # its message would repeat the file name
            articles.append(ReadFailure(exc.origin, exc.reason))
        except Exception as exc:
            articles.append(ReadFailure(Path(path).name, user_message(exc)))
    return _index(svc, articles, progress)


@at_the_edge(outputs=4)
def index_text(ref: ServiceRef, title: str, text: str, key: str, progress: Any) -> tuple:
    """Index pasted text as one article."""
    if not (text or "").strip():
        raise Mistake("Paste the article's text first.")
    svc = _writer(ref, key)
    article = article_from_record({"title": title or "", "text": text}, origin="pasted")
    return _index(svc, [own_origin(article, "pasted")], progress)


@at_the_edge(outputs=4)
def index_url(ref: ServiceRef, url: str, key: str, progress: Any) -> tuple:
    """Fetch a page or feed and index what it holds."""
    if not (url or "").strip().startswith(("http://", "https://")):
        raise Mistake("Enter an http(s) URL.")
    svc = _writer(ref, key)
    items = list(read_inputs([url.strip()], max_bytes=_max_bytes(svc)))
    return _index(svc, items, progress)


@at_the_edge(outputs=4)
def delete_article(ref: ServiceRef, article_id: str, key: str) -> tuple:
    """Remove one article from every index."""
    if not (article_id or "").strip():
        raise Mistake("Click an article in the table (or type its id) first.")
    _writer(ref, key).remove_article(article_id.strip())
    return refreshed(ref, f"Removed {code(article_id.strip())}.")


def _writer(ref: ServiceRef, key: str) -> Services:
    svc = ref.get()
    svc.check_key(key or None)
    return svc


def _max_bytes(svc: Services) -> int:
    return svc.index.settings.max_article_bytes


def _index(svc: Services, items: list[Article | ReadFailure], progress: Any) -> tuple:
    progress(0, desc="Indexing")

    def update(done: int, total: int) -> None:
        progress((done, total), desc="Embedding paragraphs", unit="paragraphs")

    report = svc.add_articles(items, progress=update)
    return refreshed(ServiceRef(svc), report_markdown(report))


def report_markdown(report: IndexReport) -> str:
    """What an indexing run did, for people."""
    lines = [
        f"**{len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged, {len(report.failed)} failed** "
        f"({report.paragraphs} paragraphs embedded in {report.seconds:.1f}s)"
    ]
    lines += [f"- added {code(i)}" for i in report.added]
    lines += [f"- updated {code(i)}" for i in report.updated]
    lines += [f"- unchanged {code(i)}" for i in report.unchanged]
    lines += [f"- removed {code(i)} (no longer in its file)" for i in report.removed]
    lines += [f"- failed: {f.origin}: {f.reason}" for f in report.failed]
    return "\n".join(lines)


def code(text: str) -> str:
    """``text`` as Markdown inline code, fenced with more backticks than it holds."""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    return f"{fence} {text} {fence}" if "`" in text else f"`{text}`"


def refreshed(ref: ServiceRef, message: str) -> tuple:
    """The result message, statistics, article table and source choices, freshly read."""
    try:
        svc = ref.get()
        figures = svc.index.service.stats()
        records = svc.index.service.articles(0, 1000)
        sources = sources_of(svc)
    except Exception as exc:
        return message or user_message(exc), "", [], gr.update()
    stats = " · ".join(f"**{v}** {k}" for k, v in figures.items())
    rows = [[r.id, r.published, r.source, r.paragraphs, r.title] for r in records]
    return message, stats, rows, gr.update(choices=["", *sources])


def sources_of(svc: Services) -> list[str]:
    """The distinct sources of the indexed articles, sorted."""
    return sorted({r.source for r in svc.index.service.articles() if r.source})
