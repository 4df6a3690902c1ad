"""``POST /v1/chat/completions``: newsdesk as an OpenAI-compatible chat model.

The last user message is the question, earlier user/assistant pairs the history. Citations
appear in the message text (a "Sources:" list) and, structured, in ``citations``."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from qa.models import MAX_TURN_CHARS, Answer, Citation, Turn
from qa.requests import MAX_HISTORY_TURNS, MAX_K, MAX_QUESTION_CHARS
from ui.api.app import answer_for, services
from ui.api.models import SSE_EVENT, AskRequest, error_responses, number_only
from ui.notes import removed_note
from ui.services import Services

MODEL = "newsdesk"
_SOURCES = "\n\nSources:\n"


class ContentPart(BaseModel):
    """One part of a multi-part message; only text parts are read."""

    type: str = Field(max_length=50)
    text: str | None = Field(default=None, max_length=MAX_QUESTION_CHARS)


MessageText = Annotated[str, Field(max_length=MAX_TURN_CHARS)]
MessageParts = Annotated[list[ContentPart], Field(max_length=MAX_TURN_CHARS // MAX_QUESTION_CHARS)]


class ChatMessage(BaseModel):
    """An OpenAI chat message."""

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: MessageText | MessageParts | None = None

    @model_validator(mode="after")
    def _text_fits(self) -> ChatMessage:
        if len(self.text()) > MAX_TURN_CHARS:
            raise ValueError(f"a message's text is at most {MAX_TURN_CHARS:,} characters")
        return self

    def text(self) -> str:
        """The message's text, parts joined."""
        if isinstance(self.content, list):
            return "\n".join(p.text or "" for p in self.content if p.type == "text")
        return self.content or ""


class ChatRequest(BaseModel):
    """The OpenAI chat-completions request; sampling options are accepted and ignored."""

    model_config = ConfigDict(extra="allow")

    model: str = Field(default=MODEL, max_length=200)
    messages: list[ChatMessage] = Field(min_length=1, max_length=2 * MAX_HISTORY_TURNS + 2)
    stream: StrictBool = False
    k: int | None = Field(default=None, ge=1, le=MAX_K, description="newsdesk extension: passages")

    _k_is_a_number = number_only


# The reply to chats without a user question (e.g. a system message alone): no 4xx, since
# chat clients show replies, not errors.
NO_QUESTION = Answer(
    question="",
    rewritten="",
    answer="Ask me a question about the indexed news articles.",
    found=False,
)


class ChoiceMessage(BaseModel):
    """The assistant's reply."""

    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    """The only choice newsdesk returns."""

    index: int = 0
    message: ChoiceMessage
    finish_reason: Literal["stop"] = "stop"


class Usage(BaseModel):
    """Word counts standing in for token counts."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatCompletion(BaseModel):
    """The OpenAI chat-completion response, plus ``citations`` and the full ``answer``."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: Usage
    citations: list[Citation]
    answer: Answer


Svc = Annotated[Services, Depends(services)]
router = APIRouter(prefix="/v1", tags=["openai"])
_STREAM_DOC = {"content": {"text/event-stream": {"schema": SSE_EVENT}}}


@router.post(
    "/chat/completions",
    response_model=ChatCompletion,
    responses={**error_responses(400, 422, 503), 200: _STREAM_DOC},
    summary="OpenAI-compatible chat completion (stream=true for SSE chunks)",
)
async def chat_completions(body: ChatRequest, svc: Svc) -> Any:
    """Answer the last user message, with the earlier turns as history."""
    ask = to_ask(body)
    answer = NO_QUESTION if ask is None else await run_in_threadpool(answer_for, svc, ask)
    meta: dict[str, Any] = {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "created": int(time.time()),
        "model": MODEL,
    }
    if body.stream:
        return StreamingResponse(_chunks(answer, meta), media_type="text/event-stream")
    content = message_text(answer)
    prompt = sum(len(m.text().split()) for m in body.messages)
    completion = len(content.split())
    return ChatCompletion(
        **meta,
        choices=[Choice(message=ChoiceMessage(content=content))],
        usage=Usage(
            prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion
        ),
        citations=answer.citations,
        answer=answer,
    )


def to_ask(body: ChatRequest) -> AskRequest | None:
    """Question = last user message; history = earlier user messages with the replies after
    them (their "Sources:" lists cut off). None when there is no question to answer."""
    users = [i for i, m in enumerate(body.messages) if m.role == "user"]
    if not users or not body.messages[users[-1]].text().strip():
        return None
    last = users[-1]
    history: list[Turn] = []
    for i in users[:-1]:
        reply = next((m for m in body.messages[i + 1 : last] if m.role == "assistant"), None)
        answer = reply.text().split(_SOURCES)[0] if reply else None
        history.append(Turn(question=body.messages[i].text(), answer=answer))
    question = body.messages[last].text().strip()[:MAX_QUESTION_CHARS]
    return AskRequest(question=question, history=history[-MAX_HISTORY_TURNS:], k=body.k)


def message_text(answer: Answer) -> str:
    """The answer text followed by its numbered sources and any note on how it was made."""
    return answer.answer + sources_text(answer) + notes_text(answer)


def notes_text(answer: Answer) -> str:
    """A note when the LLM's answer lost sentences to the citation check or was not used;
    "" otherwise."""
    notes = []
    if answer.removed:
        notes.append(removed_note(len(answer.removed)))
    if answer.cited_by_check:
        n = answer.cited_by_check
        notes.append(
            f"{n} sentence{'s' if n > 1 else ''} written without a citation cited by the check"
            " to the passage that supports it."
        )
    if answer.notice:
        notes.append(answer.notice)
    return "\n\n" + " ".join(notes) if notes else ""


def sources_text(answer: Answer) -> str:
    """``Sources:`` with one line per citation (title, date, link, quote); "" when none."""
    if not answer.citations:
        return ""
    lines = [
        f"[{c.n}] {c.title}" + (f" ({c.published})" if c.published else "")
        + (f" {c.url}" if c.url else "") + f' — "{c.quote}"'
        for c in answer.citations
    ]  # fmt: skip
    return _SOURCES + "\n".join(lines)


async def _chunks(answer: Answer, meta: dict[str, Any]) -> AsyncIterator[str]:
    yield _chunk(meta, {"role": "assistant", "content": ""})
    for part in answer.pieces():
        yield _chunk(meta, {"content": part})
    if answer.citations:
        yield _chunk(meta, {"content": sources_text(answer)})
    if notes_text(answer):
        yield _chunk(meta, {"content": notes_text(answer)})
    final = _chunk(
        meta, {}, "stop", citations=[c.model_dump(mode="json") for c in answer.citations]
    )
    yield final
    yield "data: [DONE]\n\n"


def _chunk(
    meta: dict[str, Any], delta: dict[str, Any], finish: str | None = None, **extra: Any
) -> str:
    body = {
        **meta,
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **extra,
    }
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"
