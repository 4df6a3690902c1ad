"""The web UI's Articles tab: upload files, paste text or a URL, browse, delete, statistics;
its Feeds section is ui.web.feeds."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import gradio as gr

from index.errors import ArticleReadError
from index.models import Article, ReadFailure
from index.readers.inputs import SUPPORTED_EXTENSIONS, article_from_record, read_inputs, read_upload
from index.readers.text import normalize_date
from ui.api.articles import own_origin, uploaded_items
from ui.config import UISettings
from ui.errors import user_message
from ui.services import ServiceRef, Services
from ui.web.edge import Mistake, at_the_edge
from ui.web.feeds import feeds_section
from ui.web.listing import (
    COLUMNS,
    DEFAULT_ORDER,
    ORDERS,
    article_rows,
    code,
    listed_markdown,
    report_markdown,
    stats_markdown,
)

__all__ = ["articles_tab", "code", "delete_article", "index_files", "index_text", "refreshed"]

_FIRST = 10_000  # the most articles the table lists (searched and sorted server-side)


def articles_tab(
    ref: ServiceRef, settings: UISettings, on_change: gr.Dropdown, page: gr.Blocks
) -> None:
    """Lay out the tab and wire its events (``page``'s load fills it); ``on_change`` (the
    source filter) is refreshed after every write."""
    stats = gr.Markdown(elem_id="nd-stats")
    key = gr.Textbox(label="API key", type="password", visible=settings.api_key is not None)
    with gr.Row():
        with gr.Column(min_width=300):
            files = gr.File(
                label="Upload articles", file_count="multiple", elem_id="nd-upload",
                file_types=sorted(SUPPORTED_EXTENSIONS),
            )  # fmt: skip
            upload = gr.Button("Index files", variant="primary", elem_id="nd-index-files")
            url = gr.Textbox(label="Article or feed URL", placeholder="https://…")
            fetch = gr.Button("Index URL")
        with gr.Column(min_width=300):
            title = gr.Textbox(label="Title (optional)", elem_id="nd-paste-title")
            with gr.Row():
                published = gr.Textbox(
                    label="Published (optional)", placeholder="YYYY-MM-DD",
                    elem_id="nd-paste-published", min_width=140,
                )  # fmt: skip
                outlet = gr.Textbox(
                    label="Source (optional)", placeholder="e.g. Reuters",
                    elem_id="nd-paste-source", min_width=140,
                )  # fmt: skip
            text = gr.Textbox(label="Article text", lines=6, elem_id="nd-paste")
            paste = gr.Button("Index text", elem_id="nd-index-text")
    result = gr.Markdown(elem_id="nd-result")
    with gr.Row(equal_height=True):
        search = gr.Textbox(
            label="Search articles", placeholder="Words of a title, source, id or date",
            elem_id="nd-search", scale=3, min_width=200,
        )  # fmt: skip
        order = gr.Dropdown(
            list(ORDERS), value=DEFAULT_ORDER, label="Sort by", elem_id="nd-order",
            scale=1, min_width=160,
        )  # fmt: skip
    listed = gr.Markdown(elem_id="nd-listed")
    table = gr.Dataframe(
        headers=COLUMNS, interactive=False, label="Indexed articles", elem_id="nd-articles",
        wrap=True, max_height=640, column_widths=["22%", "11%", "14%", "9%", "44%"],
    )  # fmt: skip
    with gr.Row(equal_height=True):
        chosen = gr.Textbox(label="Article id (click a row)", scale=3, elem_id="nd-chosen")
        delete = gr.Button("Delete article…", variant="stop", scale=1, elem_id="nd-delete")
    with gr.Column(visible=False, variant="panel", elem_id="nd-confirm") as confirm:
        question = gr.Markdown(elem_id="nd-confirm-text")
        with gr.Row():
            yes = gr.Button("Yes, delete it", variant="stop", elem_id="nd-confirm-delete")
            no = gr.Button("Cancel", elem_id="nd-cancel-delete")
    polled = feeds_section(ref, key, page)  # changes when a feed's poll added articles
    outputs = [result, stats, table, on_change]
    private: dict[str, Any] = {"api_visibility": "private"}

    def listing(search: str, order: str) -> tuple[list[list[Any]], str]:
        """The indexed articles whose title, source, id or date holds every word of
        ``search``, sorted by ``order``, and how many they are."""
        return list_articles(ref, search, order)

    # gradio finds the progress tracker by its default value, hence gr.Progress() there
    def index_uploads(
        files: list[str] | None, api_key: str,
        progress: Any = gr.Progress(),  # noqa: B008
    ) -> tuple:  # fmt: skip
        """Index uploaded files (any supported format)."""
        return index_files(ref, files, api_key, progress)

    def index_pasted(
        title: str, text: str, published: str, source: str, api_key: str,
        progress: Any = gr.Progress(),  # noqa: B008
    ) -> tuple:  # fmt: skip
        """Index pasted text as one article, with its optional title, date and source."""
        return index_text(ref, title, text, api_key, progress, published=published, source=source)

    def index_link(url: str, api_key: str, progress: Any = gr.Progress()) -> tuple:  # noqa: B008
        """Fetch a web page or feed and index what it holds."""
        return index_url(ref, url, api_key, progress)

    def remove(article_id: str, api_key: str) -> tuple:
        """Remove one article from every index."""
        return delete_article(ref, article_id, api_key)

    relist = {"fn": listing, "inputs": [search, order], "outputs": [table, listed], **private}
    upload.click(index_uploads, [files, key], outputs, api_name="index_files").then(**relist)
    paste.click(index_pasted, [title, text, published, outlet, key], outputs,
                api_name="index_text").then(**relist)  # fmt: skip
    fetch.click(index_link, [url, key], outputs, api_name="index_url").then(**relist)
    gr.on([search.submit, search.change, order.change], listing, [search, order],
          [table, listed], api_name="list_articles")  # fmt: skip
    delete.click(lambda i: confirm_delete(ref, i), chosen, [confirm, question], **private)
    yes.click(remove, [chosen, key], outputs, api_name="delete_article").then(
        lambda: gr.update(visible=False), outputs=confirm, **private
    ).then(**relist)
    no.click(lambda: gr.update(visible=False), outputs=confirm, **private)
    table.select(_row_id, outputs=chosen, **private)
    polled.change(lambda: refreshed(ref, "")[1:], outputs=outputs[1:], **private).then(**relist)
    page.load(lambda: (*refreshed(ref, ""), listing("", DEFAULT_ORDER)[1]),
              outputs=[*outputs, listed], **private)  # fmt: skip


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
def index_text(
    ref: ServiceRef, title: str, text: str, key: str, progress: Any,
    published: str = "", source: str = "",
) -> tuple:  # fmt: skip
    """Index pasted text as one article, with its optional date and source (outlet)."""
    if not (text or "").strip():
        raise Mistake("Paste the article's text first.")
    published = (published or "").strip()
    if published and not normalize_date(published):
        raise Mistake(f"'Published' must be a date like 2024-05-03, not {published!r}.")
    svc = _writer(ref, key)
    record = {"title": title or "", "text": text, "published": published, "source": source or ""}
    article = article_from_record(record, origin="pasted")
    return _index(svc, [own_origin(article, "pasted")], progress)


@at_the_edge(outputs=4)
def index_url(ref: ServiceRef, url: str, key: str, progress: Any) -> tuple:
    """Fetch a page or feed and index what it holds."""
    if not (url or "").strip().startswith(("http://", "https://")):
        raise Mistake("Enter an http(s) URL.")
    svc = _writer(ref, key)
    guard = svc.index.settings.url_guard()  # fetched on the user's behalf: public addresses
    items = list(read_inputs([url.strip()], max_bytes=_max_bytes(svc), guard=guard))
    return _index(svc, items, progress)


@at_the_edge(outputs=2)
def confirm_delete(ref: ServiceRef, article_id: str) -> tuple:
    """Ask before deleting: which article (its title, by its id) and that it cannot be undone."""
    article_id = (article_id or "").strip()
    if not article_id:
        raise Mistake("Click an article in the table (or type its id) first.")
    record, _ = ref.get().index.service.article(article_id)
    prompt = (
        f"Delete **{_escaped(record.title)}** ({code(article_id)}) from every index? Its"
        " paragraphs stop being searched and cited; this cannot be undone."
    )
    return gr.update(visible=True), prompt


@at_the_edge(outputs=2)
def list_articles(ref: ServiceRef, search: str, order: str) -> tuple[list[list[Any]], str]:
    """The table's rows of the articles that match ``search``, in ``order``, and a count."""
    records = ref.get().index.service.articles(0, _FIRST)
    rows = article_rows(records, search, order)
    return rows, listed_markdown(len(rows), len(records), search)


def _escaped(text: str) -> str:
    """``text`` with Markdown's special characters escaped."""
    return re.sub(r"([\\`*_\[\]<>#|~])", r"\\\1", text)


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


def refreshed(ref: ServiceRef, message: str) -> tuple:
    """The result message, statistics, article table and source choices, freshly read."""
    try:
        svc = ref.get()
        figures = svc.index.service.stats()
        records = svc.index.service.articles(0, _FIRST)
        sources = sources_of(svc)
    except Exception as exc:
        return message or user_message(exc), "", [], gr.update()
    rows = article_rows(records)
    return message, stats_markdown(figures), rows, gr.update(choices=["", *sources])


def sources_of(svc: Services) -> list[str]:
    """The distinct sources of the indexed articles, sorted."""
    return sorted({r.source for r in svc.index.service.articles() if r.source})
