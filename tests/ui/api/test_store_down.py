"""The API over a real Chroma server (`chroma run` on loopback) or a real PostgreSQL server
that goes away and comes back: answers and searches get a 503 with Retry-After while it is
gone, never a 500, and newsdesk recovers when it returns, with no restart."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from index.components import build_index
from index.config import IndexSettings
from index.readers.inputs import read_inputs
from qa.components import build_qa
from qa.config import QASettings
from tests.conftest import FakeEmbedder
from tests.index.conftest import ChromaServer
from tests.postgres_server import PostgresServer
from tests.ui.conftest import SAMPLE
from ui.config import UISettings
from ui.server import create_api
from ui.services import ServiceRef, Services

pytestmark = pytest.mark.slow


@pytest.fixture
def chroma(tmp_path: Path) -> Iterator[ChromaServer]:
    server = ChromaServer(tmp_path / "chroma")
    server.start()
    yield server
    server.stop()


BODY = {"question": "Where is the fiercest fighting?"}


def sample_api(settings: IndexSettings) -> TestClient:
    """The API over the sample article, indexed into ``settings``' stores."""
    components = build_index(settings, embedder=FakeEmbedder())
    services = Services(components, build_qa(components, QASettings(reader=False)), UISettings())
    assert services.add_articles(read_inputs([str(SAMPLE)])).added
    return TestClient(create_api(ServiceRef(services), services.settings))


def assert_503s(client: TestClient) -> list[str]:
    """Questions and searches answer 503 with Retry-After and a message; the messages."""
    details = []
    for path, payload in (("/api/ask", BODY), ("/api/search", {"query": "Pokrovsk"})):
        response = client.post(path, json=payload)
        assert response.status_code == 503, response.text
        assert response.headers["retry-after"] == "5"
        details.append(response.json()["detail"])
        assert details[-1]
    return details


def test_a_vanished_store_is_a_503_with_retry_after_then_recovers(
    chroma: ChromaServer, tmp_path: Path
) -> None:
    settings = IndexSettings(data_dir=tmp_path / "data", chroma_url=chroma.url)  # type: ignore[call-arg]
    with sample_api(settings) as client:
        body = BODY
        assert client.post("/api/ask", json=body).json()["found"]
        chroma.stop()
        assert_503s(client)
        health = client.get("/api/health").json()
        assert health["status"] == "degraded" and not health["store_reachable"]
        chroma.start()
        assert client.post("/api/ask", json=body).json()["found"]
        assert client.get("/api/health").json()["store_reachable"]


@pytest.fixture
def postgres() -> Iterator[PostgresServer]:
    server = PostgresServer()
    server.start()
    yield server
    server.remove()


def test_a_vanished_database_is_a_503_with_retry_after_then_recovers(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    settings = IndexSettings(data_dir=tmp_path / "data", database_url=postgres.new_database())  # type: ignore[call-arg]
    with sample_api(settings) as client:
        body = BODY
        assert client.post("/api/ask", json=body).json()["found"]
        assert client.get("/api/health").json()["database"] == "postgres"
        postgres.stop()
        assert all("PostgreSQL" in detail for detail in assert_503s(client))
        health = client.get("/api/health").json()
        assert health["status"] == "degraded" and not health["database_reachable"]
        postgres.start()
        assert client.post("/api/ask", json=body).json()["found"]  # no restart, no 503 first
        assert client.get("/api/health").json()["database_reachable"]
