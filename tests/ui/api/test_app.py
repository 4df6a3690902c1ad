"""The HTTP API in-process (TestClient), over a real index with a fake embedder and QA."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from index.components import IndexComponents
from index.readers.inputs import read_inputs
from index.storage.lock import IndexLock
from qa.models import MAX_TURN_CHARS, Answer, ShortAnswer
from qa.requests import MAX_QUESTION_CHARS, AskQuery
from tests.ui.conftest import SAMPLE, FakeQA
from ui.cli.main import app as cli_app
from ui.config import UISettings
from ui.errors import UnsafeBind
from ui.server import check_bind, create_api
from ui.services import ServiceRef, Services

ARTICLE = {
    "title": "Harbour bridge reopens",
    "url": "https://example.com/news/harbour-bridge",
    "published": "2024-05-02",
    "source": "Example News",
    "text": "The harbour bridge reopened on Monday after three months of repairs to its deck.\n\n"
    "Engineers replaced forty steel cables and repainted the towers during the closure.",
}


def events(body: str) -> list[tuple[str, Any]]:
    """Parse server-sent events into (event, data) pairs."""
    out = []
    for block in body.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        out.append((fields["event"], json.loads(fields["data"])))
    return out


def keyed_client(services: Services, **settings: Any) -> TestClient:
    """A client of an API app with other UISettings over the same services."""
    services.settings = UISettings(**settings)
    return TestClient(create_api(ServiceRef(services), services.settings))


# --- questions ------------------------------------------------------------------------------


def test_ask_returns_a_cited_answer(client: TestClient) -> None:
    response = client.post("/api/ask", json={"question": "What did Zelenskiy say?"})
    assert response.status_code == 200
    answer = Answer.model_validate(response.json())
    assert answer.found and answer.citations
    cited = answer.citations[0]
    assert "Zelenskiy" in cited.paragraph_text
    assert cited.paragraph_text[cited.span[0] : cited.span[1]] == cited.quote


def test_ask_passes_history_and_filters(client: TestClient, services: Services) -> None:
    body = {
        "question": "And what about Kupiansk?",
        "history": [{"question": "Where is the fighting?", "answer": "In Pokrovsk [1]."}],
        "filters": {"source": "someone", "published_from": "2024-01-01"},
    }
    assert client.post("/api/ask", json=body).status_code == 200
    question, history, filters = services.qa.asked[-1]  # type: ignore[attr-defined]
    assert question == "And what about Kupiansk?"
    assert history is not None and history[0].question == "Where is the fighting?"
    assert filters is not None and filters.source == "someone"
    assert filters.published_from == "2024-01-01" and filters.published_to is None


def test_filters_that_match_nothing_give_a_not_found_answer(client: TestClient) -> None:
    body = {"question": "What did Zelenskiy say?", "filters": {"source": "nowhere"}}
    answer = client.post("/api/ask", json=body).json()
    assert answer["found"] is False and answer["citations"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"question": "x" * (MAX_QUESTION_CHARS + 1)}, "question"),
        ({"question": "   "}, "question"),
        ({"question": "ok?", "k": 0}, "k"),
        ({"question": "ok?", "k": 51}, "k"),
        ({"question": "ok?", "as_of": "yesterday"}, "as_of"),
        ({"question": "ok?", "filters": {"published_to": "2024-13-01"}}, "filters.published_to"),
        ({"question": "ok?", "colour": "red"}, "colour"),
        (
            {"question": "ok?", "history": [{"question": "q", "answer": "x" * 20_001}]},
            "history.0.answer",
        ),
        ({}, "question"),
    ],
)
def test_invalid_questions_get_422_naming_the_field(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    response = client.post("/api/ask", json=body)
    assert response.status_code == 422
    assert response.json()["detail"].startswith(field + ":")


def test_malformed_json_is_422(client: TestClient) -> None:
    response = client.post(
        "/api/ask", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "body: not valid JSON (at character 1)"


def test_rejected_question_is_422_with_the_reason(client: TestClient) -> None:
    response = client.post("/api/ask", json={"question": "a forbidden question"})
    assert response.status_code == 422
    assert response.json()["detail"] == "this question is rejected on purpose"


def test_search_ranks_passages(client: TestClient) -> None:
    response = client.post("/api/search", json={"query": "Pokrovsk Donetsk", "k": 3})
    assert response.status_code == 200
    passages = response.json()["passages"]
    assert 1 <= len(passages) <= 3
    assert [p["rank"] for p in passages] == list(range(1, len(passages) + 1))
    assert all("Pokrovsk" in p["text"] or "Donetsk" in p["text"] for p in passages)


def test_stream_sends_the_parts_then_citations_then_the_answer(client: TestClient) -> None:
    body = {"question": "What did Zelenskiy say?"}
    plain = client.post("/api/ask", json=body).json()
    response = client.post("/api/ask/stream", json=body)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    stream = events(response.text)
    kinds = [kind for kind, _ in stream]
    assert kinds == ["part"] * (len(kinds) - 2) + ["citations", "done"]
    assert "".join(data["text"] for kind, data in stream if kind == "part") == plain["answer"]
    assert stream[-2][1] == plain["citations"]
    assert {**stream[-1][1], "took_ms": 0} == {**plain, "took_ms": 0}


class ShortAnswerQA(FakeQA):
    """FakeQA whose answers lead with a short answer: the quote's first two words."""

    def ask(self, request: AskQuery) -> Answer:
        answer = super().ask(request)
        if not answer.found:
            return answer
        cited = answer.citations[0]
        start = cited.span[0]
        end = start + len(" ".join(cited.quote.split()[:2]))
        short = ShortAnswer(text=cited.paragraph_text[start:end], citation=1, start=start, end=end)
        lead = f"{short.text} [1]\n\n"
        update = {"short_answer": short, "confidence": 0.8, "answer": lead + answer.answer,
                  "parts": [lead, *answer.pieces()]}  # fmt: skip
        return answer.model_copy(update=update)


def test_the_short_answer_and_confidence_are_part_of_the_answer_and_lead_the_stream(
    components: IndexComponents,
) -> None:
    services = Services(components, ShortAnswerQA(components), UISettings())
    services.add_articles(read_inputs([str(SAMPLE)]))
    with TestClient(create_api(ServiceRef(services), services.settings)) as short_client:
        body = {"question": "Where is the fiercest combat?"}
        plain = short_client.post("/api/ask", json=body).json()
        short = plain["short_answer"]
        cited = plain["citations"][short["citation"] - 1]
        assert cited["paragraph_text"][short["start"] : short["end"]] == short["text"]
        assert plain["answer"].startswith(f"{short['text']} [1]\n\n")
        assert plain["confidence"] == 0.8
        stream = events(short_client.post("/api/ask/stream", json=body).text)
        assert stream[0] == ("short_answer", short)
        assert [kind for kind, _ in stream[1:]][-2:] == ["citations", "done"]
        assert stream[1] == ("part", {"text": f"{short['text']} [1]\n\n"})
        assert "".join(data["text"] for kind, data in stream if kind == "part") == plain["answer"]
        schema = short_client.get("/openapi.json").json()["components"]["schemas"]
        assert {"short_answer", "confidence"} <= set(schema["Answer"]["properties"])


def test_stream_errors_come_before_the_stream(client: TestClient) -> None:
    assert client.post("/api/ask/stream", json={"question": ""}).status_code == 422


# --- articles -------------------------------------------------------------------------------


def test_add_article_then_repost_is_unchanged(client: TestClient) -> None:
    first = client.post("/api/articles", json=ARTICLE).json()
    assert first["added"] == [ARTICLE["url"]]
    assert first["articles"][0]["paragraphs"] == 2
    again = client.post("/api/articles", json=ARTICLE).json()
    assert again["added"] == [] and again["unchanged"] == [ARTICLE["url"]]
    assert again["paragraphs"] == 0


def test_articles_posted_one_by_one_all_stay(client: TestClient) -> None:
    other = {**ARTICLE, "url": "https://example.com/news/other", "title": "Other"}
    client.post("/api/articles", json=ARTICLE)
    second = client.post("/api/articles", json=other).json()
    assert second["added"] == [other["url"]]
    ids = {a["id"] for a in client.get("/api/articles").json()["items"]}
    assert {ARTICLE["url"], other["url"]} <= ids


def test_changed_article_is_updated(client: TestClient) -> None:
    client.post("/api/articles", json=ARTICLE)
    more = "\n\nTraffic on the bridge was back to normal by Monday evening, the city said."
    changed = {**ARTICLE, "text": ARTICLE["text"] + more}
    result = client.post("/api/articles", json=changed).json()
    assert result["updated"] == [ARTICLE["url"]]
    assert result["articles"][0]["paragraphs"] == 3


def test_article_ids_with_slashes_can_be_read_and_deleted(client: TestClient) -> None:
    article_id = client.post("/api/articles", json=ARTICLE).json()["added"][0]
    detail = client.get(f"/api/articles/{article_id}").json()
    assert detail["article"]["title"] == ARTICLE["title"]
    assert [p["number"] for p in detail["paragraphs"]] == [0, 1]
    assert client.delete(f"/api/articles/{article_id}").json() == {"removed": article_id}
    assert client.get(f"/api/articles/{article_id}").status_code == 404
    assert client.delete(f"/api/articles/{article_id}").status_code == 404


def test_list_articles_pages_and_filters(client: TestClient) -> None:
    client.post("/api/articles", json=ARTICLE)
    everything = client.get("/api/articles").json()
    assert everything["total"] == 2
    page = client.get("/api/articles", params={"limit": 1, "offset": 1}).json()
    assert page["total"] == 2 and len(page["items"]) == 1
    assert page["items"][0]["id"] == everything["items"][1]["id"]
    mine = client.get("/api/articles", params={"source": "Example News"}).json()
    assert [a["id"] for a in mine["items"]] == [ARTICLE["url"]]
    dated = client.get("/api/articles", params={"published_from": "2024-05-01"}).json()
    assert [a["published"] for a in dated["items"]] == ["2024-05-02"]
    assert client.get("/api/articles", params={"limit": 0}).status_code == 422
    for offset in (-1, 2**63):
        response = client.get("/api/articles", params={"offset": offset})
        assert response.status_code == 422 and response.json()["detail"].startswith("offset:")


def test_upload_files_of_any_supported_format(client: TestClient) -> None:
    jsonl = "\n".join(json.dumps({**ARTICLE, "url": f"https://example.com/{i}"}) for i in (1, 2))
    html = "<html><head><title>Cafe opens</title></head><body><article><p>A new cafe opened "
    html += "on the harbour front on Tuesday, serving coffee from dawn.</p></article></body></html>"
    files = [
        ("file", ("two.jsonl", jsonl.encode(), "application/jsonl")),
        ("file", ("cafe.html", html.encode(), "text/html")),
    ]
    result = client.post("/api/articles", files=files).json()
    assert len(result["added"]) == 3
    assert all(a["paragraphs"] >= 1 for a in result["articles"])


@pytest.mark.parametrize(
    ("name", "data"),
    [("empty.txt", b""), ("image.png", b"\x89PNG\r\n"), ("bad.jsonl", b'{"text": 1}\n')],
)
def test_unreadable_uploads_are_422(client: TestClient, name: str, data: bytes) -> None:
    response = client.post("/api/articles", files={"file": (name, data)})
    assert response.status_code == 422
    assert name in response.json()["detail"]


def test_a_jsonl_upload_gets_the_article_limit_per_record_and_skips_bad_lines(
    client: TestClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services.index.settings, "max_article_bytes", 1000)
    records = [json.dumps({**ARTICLE, "url": f"https://example.com/{i}"}) for i in range(8)]
    records[3] = '{"title": "broken"'
    records[5] = json.dumps({**ARTICLE, "url": "https://example.com/huge", "text": "w " * 600})
    data = "\n".join(records).encode()
    assert len(data) > 2000  # over the per-article limit as a whole, read record by record
    response = client.post("/api/articles", files={"file": ("export.jsonl", data)})
    assert response.status_code == 200
    result = response.json()
    assert len(result["added"]) == 6
    assert [f["reason"].split(":")[0] for f in result["failed"]] == ["line 4", "line 6"]
    assert result["failed"][1]["reason"] == "line 6: record is 1.3 kB, over the 1.0 kB limit"
    assert {f["origin"] for f in result["failed"]} == {"upload:export.jsonl"}
    too_big = client.post("/api/articles", files={"file": ("one.txt", b"word " * 300)})
    assert too_big.status_code == 422  # a text file is one article: over the limit whole


def test_invalid_article_json_is_422(client: TestClient) -> None:
    response = client.post("/api/articles", json={"title": "no text"})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("text:")


def test_other_content_types_are_415(client: TestClient) -> None:
    response = client.post(
        "/api/articles", content=b"hello", headers={"content-type": "text/plain"}
    )
    assert response.status_code == 415


def test_a_content_length_that_is_no_number_is_left_to_the_server() -> None:
    import asyncio

    from ui.server import BodySizeMiddleware

    reached: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        reached.append(scope["type"])

    middleware = BodySizeMiddleware(app, max_bytes=10)
    scope = {"type": "http", "headers": [(b"content-length", "²".encode())]}
    asyncio.run(middleware(scope, None, None))  # type: ignore[arg-type]
    assert reached == ["http"]


def test_too_large_body_is_413(services: Services) -> None:
    with keyed_client(services, max_body_bytes=1_000) as small:
        big = {**ARTICLE, "text": "word " * 1_000}
        response = small.post("/api/articles", json=big)
        assert response.status_code == 413
        assert response.json()["detail"].endswith(" bytes; the limit is 1,000 bytes")
        streamed = small.post(
            "/api/ask", content=iter([b'{"question": "', b"x" * 2_000, b'"}']),
            headers={"content-type": "application/json"},
        )  # fmt: skip
        assert streamed.status_code == 413
        assert streamed.json()["detail"] == "the request body is larger; the limit is 1,000 bytes"
        assert small.post("/api/articles", json=ARTICLE).status_code == 200


def test_indexing_elsewhere_is_409(client: TestClient, services: Services) -> None:
    with IndexLock(services.index.settings.data_dir):
        response = client.post("/api/articles", json=ARTICLE)
    assert response.status_code == 409
    assert "another newsdesk process" in response.json()["detail"]


# --- keys -----------------------------------------------------------------------------------


def test_writes_need_the_key_when_one_is_set(services: Services) -> None:
    with keyed_client(services, api_key="s3cret") as keyed:
        assert keyed.post("/api/articles", json=ARTICLE).status_code == 401
        wrong = {"Authorization": "Bearer nope"}
        assert keyed.post("/api/articles", json=ARTICLE, headers=wrong).status_code == 401
        assert keyed.delete("/api/articles/x", headers={"X-API-Key": "nope"}).status_code == 401
        bearer = {"Authorization": "Bearer s3cret"}
        assert keyed.post("/api/articles", json=ARTICLE, headers=bearer).status_code == 200
        header = {"X-API-Key": "s3cret"}
        assert keyed.delete(f"/api/articles/{ARTICLE['url']}", headers=header).status_code == 200
        assert keyed.get("/api/articles").status_code == 200
        assert keyed.post("/api/ask", json={"question": "Zelenskiy?"}).status_code == 200


@pytest.mark.parametrize(
    ("settings", "refused"),
    [
        ({"host": "0.0.0.0"}, True),
        ({"host": "192.168.1.5"}, True),
        ({"host": "0.0.0.0", "api_key": "k"}, False),
        ({"host": "0.0.0.0", "allow_public_writes": True}, False),
        ({"host": "127.0.0.1"}, False),
        ({"host": "localhost"}, False),
        ({"host": "::1"}, False),
    ],
)
def test_keyless_writes_are_never_open_to_the_network(
    settings: dict[str, Any], refused: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NEWSDESK_API_KEY", raising=False)
    monkeypatch.delenv("NEWSDESK_ALLOW_PUBLIC_WRITES", raising=False)
    if refused:
        with pytest.raises(UnsafeBind, match="NEWSDESK_API_KEY"):
            check_bind(UISettings(**settings))
    else:
        check_bind(UISettings(**settings))


def test_serve_refuses_a_public_host_without_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSDESK_API_KEY", raising=False)
    result = CliRunner().invoke(cli_app, ["serve", "--host", "0.0.0.0", "--port", "1"])
    assert result.exit_code == 2
    assert "refusing to listen on 0.0.0.0" in result.output


# --- health, metrics, readiness ------------------------------------------------------------


def test_health_reports_model_store_and_counts(client: TestClient) -> None:
    health = client.get("/api/health").json()
    assert health["status"] == "ok" and health["store_reachable"] and health["model_loaded"]
    assert health["articles"] == 1 and health["paragraphs"] == health["vectors"] >= 5


def test_metrics_count_requests_and_index_size(client: TestClient) -> None:
    client.post("/api/ask", json={"question": "What did Zelenskiy say?"})
    client.get("/api/articles/unknown-id")
    text = client.get("/metrics").text
    assert 'newsdesk_http_requests_total{method="POST",route="/api/ask",status="200"} 1.0' in text
    assert 'route="/api/articles/{article_id:path}",status="404"} 1.0' in text
    assert 'newsdesk_http_request_seconds_bucket{le="0.1",method="POST",route="/api/ask"}' in text
    assert "newsdesk_index_articles 1.0" in text


def test_requests_before_startup_get_503(services: Services) -> None:
    with TestClient(create_api(ServiceRef(), services.settings)) as cold:
        response = cold.post("/api/ask", json={"question": "anything?"})
        assert response.status_code == 503 and response.headers["retry-after"] == "5"
        assert "starting" in response.json()["detail"]


# --- OpenAI-compatible ----------------------------------------------------------------------


def test_chat_completions_answers_the_last_user_message(
    client: TestClient, services: Services
) -> None:
    messages = [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "Where is the fighting?"},
        {"role": "assistant", "content": "Around Pokrovsk [1].\n\nSources:\n[1] Some article"},
        {"role": "user", "content": [{"type": "text", "text": "What did Zelenskiy say?"}]},
    ]
    response = client.post("/v1/chat/completions", json={"model": "x", "messages": messages})
    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "chat.completion"
    content = body["choices"][0]["message"]["content"]
    assert "[1]" in content and "\n\nSources:\n[1] " in content
    assert body["citations"][0]["quote"] in content
    question, history, _ = services.qa.asked[-1]  # type: ignore[attr-defined]
    assert question == "What did Zelenskiy say?"
    assert history is not None and [(t.question, t.answer) for t in history] == [
        ("Where is the fighting?", "Around Pokrovsk [1].")
    ]


def test_chat_completions_streams_openai_chunks(client: TestClient) -> None:
    body: dict[str, Any] = {"messages": [{"role": "user", "content": "What did Zelenskiy say?"}]}
    plain = client.post("/v1/chat/completions", json=body).json()
    response = client.post("/v1/chat/completions", json={**body, "stream": True})
    lines = [line[6:] for line in response.text.splitlines() if line.startswith("data: ")]
    assert lines[-1] == "[DONE]"
    chunks = [json.loads(line) for line in lines[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert text == plain["choices"][0]["message"]["content"]
    assert "[1]" in text and "\n\nSources:\n[1] " in text
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["citations"][0]["n"] == 1


def test_chat_completions_without_a_user_message_asks_for_one(
    client: TestClient, services: Services
) -> None:
    asked = len(services.qa.asked)  # type: ignore[attr-defined]
    body = {"messages": [{"role": "system", "content": "hello"}]}
    response = client.post("/v1/chat/completions", json=body)
    assert response.status_code == 200
    assert response.json()["choices"][0]["message"]["content"].startswith("Ask me a question")
    assert len(services.qa.asked) == asked  # type: ignore[attr-defined]
    assert client.post("/v1/chat/completions", json={"messages": []}).status_code == 422


def test_chat_messages_over_the_turn_limit_are_422(client: TestClient) -> None:
    too_long = {"role": "assistant", "content": "x" * (MAX_TURN_CHARS + 1)}
    messages = [
        {"role": "user", "content": "Where?"},
        too_long,
        {"role": "user", "content": "Why?"},
    ]
    response = client.post("/v1/chat/completions", json={"messages": messages})
    assert response.status_code == 422 and "messages.1.content" in response.json()["detail"]
    parts = [{"type": "text", "text": "part"}] * (MAX_TURN_CHARS // MAX_QUESTION_CHARS + 1)
    response = client.post(
        "/v1/chat/completions", json={"messages": [{"role": "user", "content": parts}]}
    )
    assert response.status_code == 422
    full = [{"type": "text", "text": "x" * MAX_QUESTION_CHARS}] * (
        MAX_TURN_CHARS // MAX_QUESTION_CHARS
    )
    messages = [{"role": "user", "content": full}, {"role": "user", "content": "Why?"}]
    response = client.post("/v1/chat/completions", json={"messages": messages})
    assert response.status_code == 422  # the parts joined pass the limit: not a 500
    assert "at most 20,000 characters" in response.json()["detail"]
