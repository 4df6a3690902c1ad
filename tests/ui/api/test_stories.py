"""/api/ask over the real answering service: a wire story two outlets carried is cited once,
and its citation names the other outlet (also_in)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from index.components import build_index
from index.models import Article
from qa.components import build_qa
from qa.config import QASettings
from qa.models import Answer
from tests.conftest import FakeEmbedder
from tests.ui.conftest import index_settings
from ui.config import UISettings
from ui.server import create_api
from ui.services import ServiceRef, Services

WIRE = (
    "The central bank raised its key interest rate by half a point on Tuesday to fight"
    " inflation, the third rise this year, and said more increases could follow."
)


QUESTION = "Did the central bank raise its key interest rate by half a point to fight inflation?"


def article(id_: str, source: str, text: str) -> Article:
    return Article(
        id=id_, title=f"Rates rise ({source})", text=text, url=f"https://{source}/{id_}",
        published="2024-04-12", source=source,
    )  # fmt: skip


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    components = build_index(index_settings(tmp_path / "data"), embedder=FakeEmbedder())
    qa = build_qa(components, QASettings(reader=False))  # type: ignore[call-arg]
    services = Services(components, qa, UISettings())
    services.add_articles(
        [
            article("ap-1", "apnews.com", WIRE + "\n\nMarkets fell after the decision."),
            article("local-2", "wtop.com", "(AP) " + WIRE.replace("Tuesday", "Tuesday morning")),
            article("other-3", "lyon.fr", "The city council approved a budget for new buses."),
        ]
    )
    with TestClient(create_api(ServiceRef(services), services.settings)) as test_client:
        yield test_client


def test_ask_cites_a_wire_story_once_with_the_other_outlet(client: TestClient) -> None:
    response = client.post("/api/ask", json={"question": QUESTION})
    assert response.status_code == 200
    answer = Answer.model_validate(response.json())
    assert answer.found and answer.citations
    wire = [c for c in answer.citations if "central bank" in c.quote]
    assert len({c.article_id for c in wire}) == 1
    other = "local-2" if wire[0].article_id == "ap-1" else "ap-1"
    outlet = {"ap-1": "apnews.com", "local-2": "wtop.com"}[other]
    also = response.json()["citations"][answer.citations.index(wire[0])]["also_in"]
    assert [(a["article_id"], a["source"], a["url"]) for a in also] == [
        (other, outlet, f"https://{outlet}/{other}")
    ]


def test_search_passages_carry_also_in(client: TestClient) -> None:
    found = client.post("/api/search", json={"query": "central bank interest rate"}).json()
    wire = [p for p in found["passages"] if "central bank" in p["text"]]
    assert len(wire) == 1 and len(wire[0]["also_in"]) == 1
