"""The web UI's Gradio API through gradio_client against a live server (real model, sample
indexed): endpoints with real names and named parameters, a follow-up, a write and the list."""

from __future__ import annotations

from typing import Any

import pytest

from tests.ui.conftest import LiveServer

pytestmark = pytest.mark.slow

BAKERY = (
    "A small bakery in Lisbon's Alfama district won the national pastry prize on Friday for"
    " its custard tarts.\n\nThe owner, Marta Silva, said the recipe came from her grandmother."
)


def text(message: dict[str, Any]) -> str:
    """A chat message's text (gradio_client gets the content as a list of parts)."""
    content = message["content"]
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content)


@pytest.fixture(scope="module")
def client(live_server: LiveServer) -> Any:
    from gradio_client import Client

    return Client(live_server.url + "/", verbose=False)


def test_the_endpoints_have_real_names_and_named_parameters(client: Any) -> None:
    api = client.view_api(return_format="dict", print_info=False)
    named = api["named_endpoints"]
    assert set(named) == {
        "/ask", "/index_files", "/index_text", "/index_url", "/delete_article", "/list_articles",
        "/add_feed", "/list_feeds", "/poll_feed", "/remove_feed",
    }  # fmt: skip
    assert not api["unnamed_endpoints"]

    def parameters(endpoint: str) -> list[str]:
        return [p["parameter_name"] for p in named[endpoint]["parameters"]]

    assert parameters("/ask") == [
        "question", "chat", "source", "published_from", "published_to", "mode",
    ]  # fmt: skip
    assert parameters("/index_text") == ["title", "text", "published", "source", "api_key"]
    assert parameters("/delete_article") == ["article_id", "api_key"]
    assert parameters("/list_articles") == ["search", "order"]
    assert parameters("/add_feed") == ["url", "every", "api_key"]
    assert parameters("/list_feeds") == []
    assert parameters("/poll_feed") == parameters("/remove_feed") == ["feed_id", "api_key"]
    optional = {
        p["parameter_name"] for p in named["/ask"]["parameters"] if p["parameter_has_default"]
    }
    assert optional == {"chat", "source", "published_from", "published_to", "mode"}


def test_ask_and_a_follow_up_through_gradio_client(client: Any) -> None:
    cleared, chat, panel = client.predict(question="What did Zelenskiy say?", api_name="/ask")
    assert cleared == "" and [m["role"] for m in chat] == ["user", "assistant"]
    assert "[1]" in text(chat[-1]) and "little meaningful progress" in panel
    _, chat, panel = client.predict(question="And Gerasimov?", chat=chat, api_name="/ask")
    assert len(chat) == 4 and text(chat[-1]).startswith("*Searched for: ")
    assert 'id="nd-answer-2"' in panel and 'id="nd-answer-1"' in panel  # each answer's own
    # an empty chat is a new conversation: nothing to follow up on
    _, chat, _ = client.predict(question="What did Zelenskiy say?", chat=[], api_name="/ask")
    assert "Searched for" not in text(chat[-1])


def test_index_text_then_find_it_in_the_list(client: Any) -> None:
    message, stats, _, _ = client.predict(
        title="Bakery", text=BAKERY, published="2024-05-03", source="Lisbon Daily",
        api_key="test-key", api_name="/index_text",
    )  # fmt: skip
    assert "1 added" in message and "**1** source" not in stats
    table, listed = client.predict(search="lisbon", order="Newest first", api_name="/list_articles")
    assert [row[1:] for row in table["data"]] == [["2024-05-03", "Lisbon Daily", 2, "Bakery"]]
    assert listed.startswith("1 article of ")
    article_id = table["data"][0][0]
    message, *_ = client.predict(article_id=article_id, api_key="test-key",
                                 api_name="/delete_article")  # fmt: skip
    assert message.startswith("Removed")
