"""The LLM mode through the HTTP API: the real QAService and sentence scorer over the sample
(fake embedder), a small fake chat model that cites the passage it reads."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from index.components import IndexComponents
from index.readers.inputs import read_inputs
from qa.components import build_qa
from qa.config import QASettings
from tests.ui.api.test_app import events
from tests.ui.conftest import SAMPLE
from ui.config import UISettings
from ui.server import create_api
from ui.services import ServiceRef, Services

CLAIM = "The fiercest combat is centered around Pokrovsk"
INVENTED = "Pokrovsk fell to Russian forces on 3 March"


class CitingChat(BaseChatModel):
    """Answers with CLAIM citing the passage that mentions Pokrovsk, and an invented sentence
    citing the same passage."""

    @property
    def _llm_type(self) -> str:
        return "citing-fake"

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        prompt = messages[-1].text
        passages = re.findall(r'<passage n="(\d+)"[^>]*>\n(.*?)\n</passage>', prompt, re.S)
        n = next(number for number, text in passages if "fiercest combat" in text)
        reply = f"{CLAIM} [{n}]. {INVENTED} [{n}]."
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=reply))])


def llm_client(components: IndexComponents, **settings: Any) -> TestClient:
    qa = build_qa(components, QASettings(reader=False, **settings), chat=CitingChat())
    services = Services(components, qa, UISettings())
    assert services.add_articles(read_inputs([str(SAMPLE)])).added
    return TestClient(create_api(ServiceRef(services), services.settings))


@pytest.fixture
def client(components: IndexComponents) -> Iterator[TestClient]:
    with llm_client(components) as test_client:
        yield test_client


def test_the_llm_mode_answers_with_checked_sentences_and_lists_the_removed(
    client: TestClient,
) -> None:
    body = {"question": "Where is the fiercest fighting?", "mode": "llm"}
    answer = client.post("/api/ask", json=body).json()
    assert answer["mode"] == "llm" and answer["found"]
    assert answer["answer"] == f"{CLAIM}. [1]"
    assert "Pokrovsk" in answer["citations"][0]["quote"]
    assert answer["removed"] == [
        {"text": f"{INVENTED}.", "cited": answer["removed"][0]["cited"],
         "reason": "a number it states is not in the cited passages"}
    ]  # fmt: skip
    assert client.post("/api/ask", json={**body, "mode": "extractive"}).json()["mode"] == (
        "extractive"
    )


def test_the_stream_sends_the_llm_text_then_the_checked_answer(client: TestClient) -> None:
    body = {"question": "Where is the fiercest fighting?", "mode": "llm"}
    stream = events(client.post("/api/ask/stream", json=body).text)
    kinds = [kind for kind, _ in stream]
    assert kinds[0] == "token" and kinds[-3:] == ["part", "citations", "done"]
    written = "".join(data["text"] for kind, data in stream if kind == "token")
    assert INVENTED in written  # the draft as written ...
    assert stream[-1][1]["answer"] == f"{CLAIM}. [1]"  # ... and the answer as checked
    assert len(stream[-1][1]["removed"]) == 1


def test_asking_for_the_llm_where_none_is_configured_answers_with_quotes_and_says_so(
    services: Services,
) -> None:
    qa = build_qa(services.index, QASettings(reader=False))
    no_llm = Services(services.index, qa, UISettings())
    with TestClient(create_api(ServiceRef(no_llm), no_llm.settings)) as test_client:
        body = {"question": "Where is the fiercest fighting?", "mode": "llm"}
        answer = test_client.post("/api/ask", json=body).json()
        assert answer["found"] and answer["mode"] == "extractive"
        assert "none is configured (NEWSDESK_LLM_URL" in answer["notice"]
        stream = events(test_client.post("/api/ask/stream", json=body).text)
        assert stream[-1][1]["notice"] == answer["notice"]
        bad = test_client.post("/api/ask", json={**body, "mode": "poem"})
        assert bad.status_code == 422


def test_the_openai_endpoint_answers_in_the_servers_default_mode(
    components: IndexComponents,
) -> None:
    with llm_client(components, answer_mode="llm") as test_client:
        body = {"messages": [{"role": "user", "content": "Where is the fiercest fighting?"}]}
        reply = test_client.post("/v1/chat/completions", json=body).json()
    content = reply["choices"][0]["message"]["content"]
    assert content.startswith(f"{CLAIM}. [1]")
    assert content.endswith(
        "1 sentence of the LLM's answer left out: the passages cited do not support it."
    )
    assert reply["answer"]["mode"] == "llm"


def test_the_web_chat_shows_the_draft_as_written_then_the_checked_answer(
    components: IndexComponents,
) -> None:
    from ui.web.app import WRITING, respond

    qa = build_qa(components, QASettings(reader=False), chat=CitingChat())
    services = Services(components, qa, UISettings())
    assert services.add_articles(read_inputs([str(SAMPLE)])).added
    question = "Where is the fiercest fighting?"
    shown = list(respond(ServiceRef(services), question, [], [], "", "", "", "llm"))
    drafts = [chat[-1]["content"] for _, chat, _, _ in shown[:-1]]
    assert drafts and all(d.endswith(WRITING) for d in drafts) and INVENTED in drafts[-1]
    _, chat, turns, panel = shown[-1]
    assert chat[-1]["content"] == (
        f"{CLAIM}. [1]\n\n*1 sentence of the LLM's answer left out: the passages cited do not"
        " support it.*"
    )
    assert turns[0]["answer"] == f"{CLAIM}. [1]" and "Pokrovsk" in panel
