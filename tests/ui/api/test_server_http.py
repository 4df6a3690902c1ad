"""The whole server over real HTTP on loopback (uvicorn, real model, sample article indexed),
and the web UI's handlers called directly."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import httpx
import pytest

from qa.models import Answer
from tests.ui.conftest import LiveServer
from ui.services import ServiceRef, Services
from ui.web.app import passages_html, respond
from ui.web.articles import code, delete_article, index_files, index_text

KEY = {"Authorization": "Bearer test-key"}
BAKERY = {
    "title": "Lisbon bakery wins pastry prize",
    "url": "https://example.com/lisbon-bakery",
    "published": "2024-06-01",
    "source": "Example News",
    "text": "A small bakery in Lisbon's Alfama district won the national pastry prize on Friday "
    "for its custard tarts.\n\nThe owner, Marta Silva, said the recipe came from her "
    "grandmother and that the bakery would not open a second shop.",
}


@pytest.fixture(scope="module")
def http(live_server: LiveServer) -> Any:
    """An HTTP client of the live server."""
    with httpx.Client(base_url=live_server.url, timeout=60) as client:
        yield client


@pytest.mark.slow
def test_health_over_http(http: httpx.Client) -> None:
    health = http.get("/api/health").json()
    assert health["status"] == "ok" and health["model_loaded"] and health["store_reachable"]
    assert health["articles"] == 1 and health["vectors"] == health["paragraphs"] > 0


@pytest.mark.slow
def test_ask_over_http_cites_the_sample(http: httpx.Client) -> None:
    response = http.post("/api/ask", json={"question": "What did Zelenskiy say?"})
    assert response.status_code == 200
    answer = Answer.model_validate(response.json())
    assert answer.found and answer.citations
    # a speaker answer quotes what he said; his name is in the cited paragraph
    assert any(
        "little meaningful progress" in c.quote and "Zelenskiy" in c.paragraph_text
        for c in answer.citations
    )
    for c in answer.citations:
        assert c.paragraph_text[c.span[0] : c.span[1]] == c.quote
        assert f"[{c.n}]" in answer.answer


@pytest.mark.slow
def test_stream_over_http(http: httpx.Client) -> None:
    kinds = []
    with http.stream("POST", "/api/ask/stream", json={"question": "What did Zelenskiy say?"}) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        for line in r.iter_lines():
            if line.startswith("event: "):
                kinds.append(line[7:])
            if line.startswith("data: ") and kinds[-1] == "done":
                done = json.loads(line[6:])
    # the short answer (the reader's gist of his statement) leads, then the parts
    assert kinds[0] == "short_answer" and kinds[1] == "part"
    assert kinds[-2:] == ["citations", "done"]
    assert done["found"] and done["citations"] and done["short_answer"]


@pytest.mark.slow
def test_add_ask_delete_over_http(http: httpx.Client) -> None:
    assert http.post("/api/articles", json=BAKERY).status_code == 401
    added = http.post("/api/articles", json=BAKERY, headers=KEY).json()
    assert added["added"] == [BAKERY["url"]] and added["articles"][0]["paragraphs"] >= 1
    answer = http.post("/api/ask", json={"question": "Which bakery won the pastry prize?"}).json()
    assert answer["found"] and answer["citations"][0]["article_id"] == BAKERY["url"]
    assert http.delete(f"/api/articles/{BAKERY['url']}", headers=KEY).status_code == 200
    gone = http.post("/api/search", json={"query": "Lisbon bakery pastry prize"}).json()
    assert all(p["article_id"] != BAKERY["url"] for p in gone["passages"])


@pytest.mark.slow
def test_chat_completions_over_http(http: httpx.Client) -> None:
    body = {
        "model": "newsdesk",
        "messages": [{"role": "user", "content": "What did Zelenskiy say?"}],
    }
    reply = http.post("/v1/chat/completions", json=body).json()
    assert "Sources:" in reply["choices"][0]["message"]["content"] and reply["citations"]


@pytest.mark.slow
def test_ui_docs_and_metrics_are_served(http: httpx.Client) -> None:
    page = http.get("/")
    assert page.status_code == 200 and "<html" in page.text.lower()
    assert http.get("/docs").status_code == 200
    paths = http.get("/openapi.json").json()["paths"]
    assert {"/api/ask", "/api/search", "/api/articles", "/v1/chat/completions"} <= set(paths)
    assert "newsdesk_http_requests_total" in http.get("/metrics").text


@pytest.mark.slow
def test_oversized_body_over_http_is_413(http: httpx.Client) -> None:
    big = {**BAKERY, "text": "word " * 1_300_000}
    assert http.post("/api/articles", json=big, headers=KEY).status_code == 413


# --- the web UI's handlers, in-process with the fake QA ------------------------------------


def last(outputs: Iterator[Any]) -> Any:
    """What a streaming handler shows at the end (the outputs it yields last)."""
    *_, final = outputs
    return final


def test_web_answer_shows_cited_passages_with_highlight(services: Services) -> None:
    ref = ServiceRef(services)
    cleared, chat, turns, panel = last(respond(ref, "What did Zelenskiy say?", [], [], "", "", ""))
    assert cleared == "" and [m["role"] for m in chat] == ["user", "assistant"]
    assert "[1]" in chat[1]["content"] and turns[0]["question"] == "What did Zelenskiy say?"
    assert "<mark>" in panel and "Cited passages" in panel
    _, chat, turns, _ = last(respond(ref, "And Gerasimov?", chat, turns, "", "", ""))
    _, history, _ = services.qa.asked[-1]  # type: ignore[attr-defined]
    assert len(chat) == 4 and history is not None and history[0].answer == turns[0]["answer"]


def test_web_not_found_shows_closest_passages() -> None:
    related = {"rank": 1, "article_id": "a", "paragraph_id": "a#0", "title": "T <b>",
               "paragraph": 0, "text": "close <script>", "score": 0.1}  # fmt: skip
    answer = Answer(question="q", rewritten="q", answer="No.", found=False, related=[related])
    html = passages_html(answer)
    assert "closest passages" in html and "&lt;script&gt;" in html and "<script>" not in html
    assert '<div class="nd-meta">paragraph 0</div>' in html


SKIPPED = tuple(gr.skip() for _ in range(4))


@pytest.mark.parametrize(
    ("question", "date_from", "date_to", "message"),
    [
        ("", "", "", "Type a question first."),
        ("What?", "May 2024", "", "'Published from' must be a date YYYY-MM-DD, not 'May 2024'."),
        ("What?", "2024-02-30", "",
         "'Published from' must be a date YYYY-MM-DD, not '2024-02-30'."),
        ("What?", "2024-05-02", "2024-05-01",
         "'Published from' (2024-05-02) is after 'Published to' (2024-05-01)."),
        ("a forbidden one", "", "", "this question is rejected on purpose"),
    ],
)  # fmt: skip
def test_web_mistakes_are_warnings_that_change_nothing(
    services: Services, question: str, date_from: str, date_to: str, message: str
) -> None:
    with pytest.warns(UserWarning) as warned:
        result = list(respond(ServiceRef(services), question, [], [], "", date_from, date_to))
    assert [str(w.message) for w in warned] == [message]
    assert result == [SKIPPED]


class BrokenQA:
    """A QA service with a bug."""

    def ask(self, *args: Any, **kwargs: Any) -> Answer:
        raise RuntimeError("disk on fire")

    def ask_stream(self, *args: Any, **kwargs: Any) -> Iterator[Answer]:
        raise RuntimeError("disk on fire")


class BrokenServices:
    qa = BrokenQA()


def test_web_failures_become_gr_error() -> None:
    with pytest.raises(gr.Error) as raised:
        last(respond(ServiceRef(), "What?", [], [], "", "", ""))
    assert raised.value.message == "the server is still starting; try again in a moment"
    broken = ServiceRef(BrokenServices())  # type: ignore[arg-type]
    with pytest.raises(gr.Error) as raised:
        last(respond(broken, "What?", [], [], "", "", ""))
    assert raised.value.message == "Internal error (RuntimeError); see the server log."


def test_web_upload_failures_name_their_file_once(services: Services, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    message, *_ = index_files(ServiceRef(services), [str(empty)], "", lambda *a, **k: None)
    assert "- failed: empty.txt: file is empty" in message and "empty.txt: empty.txt" not in message


def test_web_paste_and_delete_articles(services: Services) -> None:
    ref = ServiceRef(services)
    text = BAKERY["text"]
    message, stats, rows, _ = index_text(ref, "Bakery", text, "", lambda *a, **k: None)
    assert "1 added" in message and "**2** articles" in stats and len(rows) == 2
    article_id = next(r[0] for r in rows if r[4] == "Bakery")
    message, stats, rows, _ = delete_article(ref, article_id, "")
    assert "Removed" in message and len(rows) == 1
    with pytest.warns(UserWarning, match="no indexed article"):
        assert delete_article(ref, article_id, "") == SKIPPED


def test_ids_with_backticks_stay_inline_code() -> None:
    assert code("a1") == "`a1`"
    assert code("x`y") == "`` x`y ``"
    assert code("``") == "``` `` ```"
