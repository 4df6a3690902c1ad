"""Scale-out on real engines: two `newsdesk serve` processes and `newsdesk index add`, each
with its own data folder, share one collection through a Chroma server (`chroma run`) and a
PostgreSQL server, all on loopback. Whatever one process writes (articles, statements,
deletions), the others answer from at once; indexers of the collection take turns."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from index.components import build_index
from index.config import IndexSettings
from index.storage.postgres import PostgresDatabase
from tests.conftest import assert_consistent
from tests.index.conftest import BIN, ChromaServer, free_port
from tests.postgres_server import PostgresServer
from tests.ui.api.test_server_http import BAKERY
from tests.ui.conftest import SAMPLE

pytestmark = pytest.mark.slow
KEY = {"Authorization": "Bearer scale-key"}


@pytest.fixture(scope="module")
def chroma(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = ChromaServer(tmp_path_factory.mktemp("chroma"))
    server.start()
    yield server.url
    server.stop()


@pytest.fixture(scope="module")
def shared(chroma: str, postgres_server: PostgresServer) -> dict[str, str]:
    """The environment naming the shared collection: Chroma server, PostgreSQL database."""
    return {
        **os.environ,
        "NEWSDESK_CHROMA_URL": chroma,
        "NEWSDESK_DATABASE_URL": postgres_server.new_database(),
        "NEWSDESK_COLLECTION": f"scale{int(time.time() * 1000)}",
        "NEWSDESK_API_KEY": "scale-key",
        "NEWSDESK_POLL_FEEDS": "false",
        "HF_HUB_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
    }


def newsdesk(env: dict[str, str], data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run one newsdesk command with its own data folder."""
    return subprocess.run(
        [str(BIN / "newsdesk"), *args],
        env={**env, "NEWSDESK_DATA_DIR": str(data_dir)},
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip


@pytest.fixture(scope="module")
def workers(
    shared: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[httpx.Client]]:
    """The sample indexed by a separate indexer process, then two API workers serving it."""
    indexed = newsdesk(shared, tmp_path_factory.mktemp("indexer"), "index", "add", str(SAMPLE))
    assert indexed.returncode == 0, indexed.stderr
    processes, clients = [], []
    for name in ("worker1", "worker2"):
        port = free_port()
        processes.append(subprocess.Popen(
            [str(BIN / "newsdesk"), "serve", "--port", str(port)],
            env={**shared, "NEWSDESK_DATA_DIR": str(tmp_path_factory.mktemp(name))},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ))  # fmt: skip
        clients.append(httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120))
    try:
        for client, process in zip(clients, processes, strict=True):
            wait_until_ready(client, process)
        yield clients
    finally:
        for client, process in zip(clients, processes, strict=True):
            client.close()
            process.terminate()
            process.wait(timeout=30)


def wait_until_ready(client: httpx.Client, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        assert process.poll() is None, "newsdesk serve exited"
        try:
            if client.get("/api/health").json().get("status") == "ok":
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.5)
    raise RuntimeError("newsdesk serve did not become ready")


def test_every_worker_answers_what_another_process_indexed(workers: list[httpx.Client]) -> None:
    for client in workers:
        health = client.get("/api/health").json()
        assert health["database"] == "postgres" and health["articles"] == 1
        assert health["vectors"] == health["paragraphs"] > 0
        answer = client.post("/api/ask", json={"question": "What did Zelenskiy say?"}).json()
        assert answer["found"] and answer["citations"]
        hits = client.post("/api/search", json={"query": "Kupiansk"}).json()["passages"]
        assert any("Kupiansk" in p["text"] for p in hits)  # the keyword index is shared too
        speakers = client.get("/api/speakers").json()["items"]
        assert any("Zelensk" in s["name"] for s in speakers)


def test_a_write_through_one_worker_is_seen_by_the_other(workers: list[httpx.Client]) -> None:
    first, second = workers
    added = first.post("/api/articles", json=BAKERY, headers=KEY)
    assert added.status_code == 200, added.text
    answer = second.post("/api/ask", json={"question": "Which bakery won the pastry prize?"})
    assert answer.json()["citations"][0]["article_id"] == BAKERY["url"]
    marta = second.get("/api/speakers", params={"q": "Marta"}).json()["items"]
    assert [s["name"] for s in marta] == ["Marta Silva"]
    assert second.delete(f"/api/articles/{BAKERY['url']}", headers=KEY).status_code == 200
    gone = first.post("/api/search", json={"query": "Lisbon bakery pastry prize"}).json()
    assert all(p["article_id"] != BAKERY["url"] for p in gone["passages"])
    assert first.get("/api/articles").json()["total"] == 1


def test_the_shared_collection_stays_consistent(
    workers: list[httpx.Client], shared: dict[str, str], tmp_path: Path
) -> None:
    settings = IndexSettings(
        data_dir=tmp_path / "reader",
        chroma_url=shared["NEWSDESK_CHROMA_URL"],
        database_url=shared["NEWSDESK_DATABASE_URL"],
        collection=shared["NEWSDESK_COLLECTION"],
    )  # type: ignore[call-arg]
    index = build_index(settings, warm_up=False)
    assert len(assert_consistent(index)) == workers[0].get("/api/health").json()["paragraphs"]


def test_a_second_indexer_of_the_collection_waits_its_turn(
    shared: dict[str, str], tmp_path: Path
) -> None:
    with PostgresDatabase(shared["NEWSDESK_DATABASE_URL"]).index_lock():  # another machine
        refused = newsdesk(shared, tmp_path / "other", "index", "add", str(SAMPLE))
    assert refused.returncode == 2
    assert "another newsdesk process is indexing" in refused.stderr
    assert "postgresql://" in refused.stderr and "scale-key" not in refused.stderr
