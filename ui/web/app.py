"""The Gradio web UI: a cited chat with filters and example questions, and an Articles tab.

Handlers call the services in-process (never the HTTP API); errors become gr.Error here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr

from qa.answer.draft import lead
from qa.models import Answer, Turn
from qa.requests import MAX_QUESTION_CHARS, Filters, asking, request
from ui.config import UISettings
from ui.notes import removed_note
from ui.services import ServiceRef
from ui.web.articles import articles_tab
from ui.web.edge import Mistake, streaming_at_the_edge
from ui.web.script import CSS, SCRIPT
from ui.web.sources import EMPTY, REFUSED, passages_html, sources_html, sources_panel

__all__ = ["CSS", "build_web", "chat_text", "passages_html", "respond"]

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


WELCOME = """**Welcome to newsdesk.** Ask about the indexed news: every sentence of an answer is
quoted or checked against an article and cited [n]. Click a number to see its passage, or an
answer to see its sources; follow-ups ("And what about …?") carry the conversation on.
Try one of these:"""


def build_web(ref: ServiceRef, settings: UISettings) -> gr.Blocks:
    """The whole UI; services are looked up per event, so it can be built before they are."""
    with gr.Blocks(title="newsdesk") as demo:
        gr.Markdown("# newsdesk\nAsk about the indexed news; every sentence of an answer is cited.")
        with gr.Tab("Ask"):
            source = _chat_tab(ref)
        with gr.Tab("Articles"):
            articles_tab(ref, settings, on_change=source, page=demo)
        demo.load(None, js=SCRIPT)
    return demo


def _chat_tab(ref: ServiceRef) -> gr.Dropdown:
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=320):
            chat = gr.Chatbot(
                label="Conversation", show_label=False, height=480, elem_id="nd-chat",
                placeholder=WELCOME, examples=[{"text": q} for q in EXAMPLES],
                feedback_options=None,
            )  # fmt: skip
            question = gr.Textbox(
                label="Question", placeholder="Ask a question…", max_length=MAX_QUESTION_CHARS,
                elem_id="nd-question", submit_btn=True,
            )  # fmt: skip
            with gr.Row():
                mode = gr.Radio(MODES, value="", label="Answer with", elem_id="nd-mode", scale=3)
                clear = gr.Button("New conversation", size="sm", scale=1, elem_id="nd-clear")
        with gr.Column(scale=2, min_width=320):
            with gr.Accordion("Filters", open=False):
                source = gr.Dropdown(
                    label="Source", choices=[""], value="", allow_custom_value=True
                )
                date_from = gr.Textbox("", label="Published from", placeholder="YYYY-MM-DD")
                date_to = gr.Textbox("", label="Published to", placeholder="YYYY-MM-DD")
            passages = gr.HTML(EMPTY, elem_id="nd-passages")
    turns = gr.State([])

    def ask(
        question: str,
        chat: list[dict[str, Any]],
        turns: list[dict[str, Any]],
        source: str | None,
        published_from: str | None,
        published_to: str | None,
        mode: str | None,
    ) -> Iterator[Outputs]:
        """Answer a question, with the conversation so far for follow-ups."""
        yield from respond(ref, question, chat, turns, source, published_from, published_to, mode)

    inputs = [question, chat, turns, source, date_from, date_to, mode]
    outputs = [question, chat, turns, passages]
    gr.on([question.submit, date_from.submit, date_to.submit], ask, inputs, outputs,
          api_name="ask")  # fmt: skip
    chat.example_select(_example, outputs=question, api_visibility="private").then(
        ask, inputs, outputs, api_visibility="private"
    )
    clear.click(
        lambda: ("", [], [], EMPTY), outputs=[question, chat, turns, passages],
        api_visibility="private",
    )  # fmt: skip
    return source


def _example(evt: gr.SelectData) -> str:
    value = evt.value
    return str(value.get("text", "") if isinstance(value, dict) else value)


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
    chat, the turns (for follow-ups; each keeps its answer's sources, the HTML of its part of
    the panel) and the sources panel: an LLM's draft as it is written (turns and panel
    unchanged), then the checked answer. A mistake (an empty question, a malformed date, a
    rejected question) is a warning that changes nothing; raises gr.Error for anything else."""
    question = (question or "").strip()
    if not question:
        raise Mistake("Type a question first.")
    turns = turns if chat else []  # an empty chat is a new conversation
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
        kept = [*turns, {**turn.model_dump(), "sources": sources_html(piece, len(turns) + 1)}]
        yield "", chat, kept, sources_panel(kept)


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
        text += f"\n\n*{removed_note(len(answer.removed))}*"
    if answer.notice:
        text += f"\n\n*{answer.notice}*"
    if not answer.found:
        related = (
            ": the closest passages are shown as related, not as sources" if answer.related else ""
        )
        text += f"\n\n*{REFUSED}{related}.*"
    if _rewritten(answer):
        text = f"*Searched for: {_plain(answer.rewritten)}*\n\n{text}"
    return text


def _rewritten(answer: Answer) -> bool:
    """Whether the question searched is not the one asked (a follow-up made standalone)."""
    return (
        " ".join(answer.rewritten.split()).casefold()
        != " ".join(answer.question.split()).casefold()
    )


def _plain(text: str) -> str:
    """``text`` on one line, safe inside Markdown emphasis."""
    text = " ".join(text.split())
    return "".join(f"\\{c}" if c in "\\`*_[]<>#|~" else c for c in text)
