"""The Gradio web UI: a cited chat with filters and example questions, and an Articles tab.

Handlers call the services in-process (never the HTTP API); errors become gr.Error here."""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

import gradio as gr

from qa.answer.draft import lead
from qa.models import TITLE_ONLY, Answer, Citation, Passage, Turn
from qa.requests import MAX_QUESTION_CHARS, Filters, asking, request
from ui.config import UISettings
from ui.services import ServiceRef
from ui.web.articles import articles_tab, refreshed
from ui.web.edge import Mistake, streaming_at_the_edge

# The answer modes the chat offers; "" leaves it to the server (NEWSDESK_ANSWER_MODE).
MODES = [
    ("Server default", ""),
    ("Quotes", "extractive"),
    ("LLM, each sentence checked", "llm"),
]
WRITING = " ▍"  # after an LLM's draft while it is being written
EXAMPLES = [
    "What did Zelenskiy say?",
    "Where is the fiercest fighting?",
    "What did Gerasimov claim about Russian advances?",
]
# The form's names of the fields a rejected request names.
_LABELS = {
    "source": "'Source'",
    "published_from": "'Published from'",
    "published_to": "'Published to'",
}
CSS = """
.nd-passage { border-left: 3px solid var(--color-accent); padding: 4px 10px; margin: 8px 0; }
.nd-passage mark { background: #ffe58a; color: inherit; padding: 0 2px; }
.nd-passage mark.nd-short { background: #ffc53d; font-weight: bold; padding: 0; }
.nd-meta { font-size: 0.85em; opacity: 0.8; }
"""


def build_web(ref: ServiceRef, settings: UISettings) -> gr.Blocks:
    """The whole UI; services are looked up per event, so it can be built before they are."""
    with gr.Blocks(title="newsdesk") as demo:
        gr.Markdown("# newsdesk\nAsk about the indexed news; every sentence of an answer is cited.")
        with gr.Tab("Ask"):
            source = _chat_tab(ref)
        with gr.Tab("Articles"):
            outputs = articles_tab(ref, settings, on_change=source)
        demo.load(lambda: refreshed(ref, ""), outputs=outputs)
    return demo


def _chat_tab(ref: ServiceRef) -> gr.Dropdown:
    with gr.Row():
        with gr.Column(scale=3):
            chat = gr.Chatbot(label="Conversation", height=460, elem_id="nd-chat")
            question = gr.Textbox(
                label="Question", placeholder="Ask a question…", max_length=MAX_QUESTION_CHARS,
                elem_id="nd-question", submit_btn=True,
            )  # fmt: skip
            gr.Examples(EXAMPLES, inputs=question, label="Examples")
            with gr.Row():
                mode = gr.Radio(MODES, value="", label="Answer with", elem_id="nd-mode", scale=3)
                clear = gr.Button("New conversation", size="sm", scale=1)
        with gr.Column(scale=2):
            with gr.Accordion("Filters", open=False):
                source = gr.Dropdown(
                    label="Source", choices=[""], value="", allow_custom_value=True
                )
                date_from = gr.Textbox(label="Published from", placeholder="YYYY-MM-DD")
                date_to = gr.Textbox(label="Published to", placeholder="YYYY-MM-DD")
            passages = gr.HTML("<p>Cited passages appear here.</p>", elem_id="nd-passages")
    turns = gr.State([])
    gr.on(
        [question.submit, date_from.submit, date_to.submit],
        lambda *args: (yield from respond(ref, *args)),
        inputs=[question, chat, turns, source, date_from, date_to, mode],
        outputs=[question, chat, turns, passages],
    )
    clear.click(lambda: ("", [], [], ""), outputs=[question, chat, turns, passages])
    return source


Outputs = tuple[Any, Any, Any, Any]


@streaming_at_the_edge(outputs=4)
def respond(
    ref: ServiceRef,
    question: str,
    chat: list[dict[str, Any]],
    turns: list[dict[str, Any]],
    source: str | None,
    date_from: str | None,
    date_to: str | None,
    mode: str | None = None,
) -> Iterator[Outputs]:
    """Answer ``question`` with the conversation so far; yields the cleared textbox, the
    chat, the turns (for follow-ups) and the passages panel: an LLM's draft as it is
    written (turns and panel unchanged), then the checked answer. A mistake (an empty
    question, a malformed date, a rejected question) is a warning that changes nothing;
    raises gr.Error for anything else."""
    question = (question or "").strip()
    if not question:
        raise Mistake("Type a question first.")
    history = [Turn.model_validate(t) for t in turns]
    filters = _filters(source, date_from, date_to)
    asked = asking(question, history, filters=filters, mode=mode or None)
    chat = [*chat, {"role": "user", "content": question}]
    draft = ""
    for piece in ref.get().qa.ask_stream(asked):
        if isinstance(piece, str):
            draft += piece
            writing = {"role": "assistant", "content": draft + WRITING}
            yield "", [*chat, writing], gr.skip(), gr.skip()
            continue
        chat = [*chat, {"role": "assistant", "content": chat_text(piece)}]
        turn = Turn(question=question, rewritten=piece.rewritten, answer=piece.answer)
        yield "", chat, [*turns, turn.model_dump()], passages_html(piece)


def _filters(source: str | None, date_from: str | None, date_to: str | None) -> Filters:
    """The filters of the form's fields (a rejected date says which field)."""
    filters = request(
        Filters, _LABELS, source=source or None, published_from=date_from, published_to=date_to
    )
    first, last = filters.published_from, filters.published_to
    if first and last and first > last:
        raise Mistake(f"'Published from' ({first}) is after 'Published to' ({last}).")
    return filters


def chat_text(answer: Answer) -> str:
    """The answer as the chat shows it: the short answer first, in bold, then the quotes,
    then the reader's confidence."""
    text = answer.answer
    short = answer.short_answer
    if short is not None and text.startswith(lead(short)):
        head, _, quotes = text.partition("\n\n")
        text = f"**{head}**\n\n{quotes}"
    if answer.found and answer.confidence is not None:
        text += f"\n\n*Confidence: {answer.confidence:.0%}*"
    if answer.removed:
        n = len(answer.removed)
        text += (
            f"\n\n*{n} sentence{'s' if n > 1 else ''} of the LLM's answer left out: the"
            " passages cited do not support " + ("them" if n > 1 else "it") + ".*"
        )
    if answer.notice:
        text += f"\n\n*{answer.notice}*"
    return text


def passages_html(answer: Answer) -> str:
    """The cited passages, quotes highlighted (the short answer inside its quote in bold);
    or, when nothing answers, the closest ones."""
    if answer.found and answer.citations:
        short = answer.short_answer
        body = "".join(
            _citation_html(c, (short.start, short.end) if short and short.citation == c.n else None)
            for c in answer.citations
        )
        return f"<h3>Cited passages</h3>{body}"
    if not answer.related:
        return "<h3>Nothing found</h3><p>No indexed article is close to this question.</p>"
    body = "".join(_passage_html(p) for p in answer.related)
    return f"<h3>Nothing answers this; closest passages</h3>{body}"


def _citation_html(c: Citation, short: tuple[int, int] | None = None) -> str:
    text = c.paragraph_text or c.quote
    start, end = c.span if c.paragraph_text else (0, len(text))
    quote = html.escape(text[start:end])
    if short is not None and c.paragraph_text and start <= short[0] < short[1] <= end:
        quote = (
            html.escape(text[start : short[0]])
            + f'<mark class="nd-short">{html.escape(text[short[0] : short[1]])}</mark>'
            + html.escape(text[short[1] : end])
        )
    marked = html.escape(text[:start]) + f"<mark>{quote}</mark>" + html.escape(text[end:])
    head = f"<b>[{c.n}]</b> " + _title_html(c.title, c.url)
    meta = _meta_html(c.published, c.source, c.paragraph)
    return f'<div class="nd-passage">{head}{meta}<p>{marked}</p></div>'


def _passage_html(p: Passage) -> str:
    head = f"<b>{p.rank}.</b> " + _title_html(p.title, p.url)
    body = f"<i>{TITLE_ONLY}</i>" if p.is_title else html.escape(p.text)
    meta = _meta_html(p.published, p.source, p.paragraph)
    return f'<div class="nd-passage">{head}{meta}<p>{body}</p></div>'


def _title_html(title: str, url: str) -> str:
    if url.startswith(("http://", "https://")):
        href = html.escape(url, quote=True)
        return f'<a href="{href}" target="_blank" rel="noopener">{html.escape(title)}</a>'
    return f"<b>{html.escape(title)}</b>"


def _meta_html(published: str, source: str, paragraph: int) -> str:
    parts = [html.escape(x) for x in (published, source) if x]
    return f'<div class="nd-meta">{" · ".join([*parts, f"paragraph {paragraph}"])}</div>'
