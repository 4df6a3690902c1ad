"""Fixtures for the service layer: a tiny fake embedder and QA service for unit tests, the
real model (once per session) and real servers on loopback for integration tests."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from index.components import IndexComponents, build_index
from index.config import IndexSettings
from index.filters import SearchFilters
from index.readers.inputs import read_inputs
from index.split.sentences import sentence_spans
from index.storage.keyword import keyword_search
from qa.errors import QuestionRejected
from qa.models import Answer, Citation, Passage, Turn
from qa.requests import AskQuery, SearchQuery
from tests.conftest import FakeEmbedder
from ui.config import UISettings
from ui.server import create_api
from ui.services import ServiceRef, Services

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "ukraine-frontline.txt"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


class FakeQA:
    """Keyword search over the catalog; the answer quotes the first sentence of the best hit."""

    def __init__(self, components: IndexComponents) -> None:
        self.catalog = components.catalog
        self.asked: list[tuple[str, list[Turn] | None, SearchFilters | None]] = []

    def search(self, request: SearchQuery) -> list[Passage]:
        return self._passages(request.query, request.k, request.search_filters())

    def _passages(self, query: str, k: int | None, filters: SearchFilters | None) -> list[Passage]:
        hits = keyword_search(self.catalog, query, k or 5, filters)
        stored = self.catalog.paragraphs([h.id for h in hits])
        return [
            Passage(rank=i + 1, article_id=p.article_id, paragraph_id=p.id, title=p.title,
                    url=p.url, published=p.published, source=p.source, paragraph=p.number,
                    text=p.text, score=h.score)
            for i, (h, p) in enumerate((h, stored[h.id]) for h in hits)
        ]  # fmt: skip

    def ask_stream(self, request: AskQuery) -> Iterator[str | Answer]:
        yield self.ask(request)

    def ask(self, request: AskQuery) -> Answer:
        question, filters = request.question, request.search_filters()
        if "forbidden" in question:
            raise QuestionRejected("this question is rejected on purpose")
        self.asked.append((question, request.history or None, filters))
        passages = self._passages(question, request.k, filters)
        if not passages:
            return Answer(question=question, rewritten=question, found=False,
                          answer="No indexed article answers this question.")  # fmt: skip
        top = passages[0]
        start, end = sentence_spans(top.text)[0]
        citation = Citation(n=1, article_id=top.article_id, title=top.title, url=top.url,
                            published=top.published, source=top.source, paragraph=top.paragraph,
                            paragraph_text=top.text, quote=top.text[start:end],
                            span=(start, end), score=top.score)  # fmt: skip
        return Answer(question=question, rewritten=question, found=True,
                      answer=f"{citation.quote} [1]", citations=[citation])  # fmt: skip


def index_settings(data_dir: Path) -> IndexSettings:
    """Settings for an index in ``data_dir``."""
    return IndexSettings(data_dir=data_dir)  # type: ignore[call-arg]


@pytest.fixture
def components(tmp_path: Path) -> IndexComponents:
    """A real catalog and embedded Chroma in tmp_path, with the fake embedder."""
    return build_index(index_settings(tmp_path / "data"), embedder=FakeEmbedder())


@pytest.fixture
def services(components: IndexComponents) -> Services:
    """Services over the fake-embedder index with the sample article indexed."""
    svc = Services(components, FakeQA(components), UISettings())
    report = svc.add_articles(read_inputs([str(SAMPLE)]))
    assert report.added and not report.failed
    return svc


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    """A TestClient of the API app (no UI) over ``services``; writes are open."""
    with TestClient(create_api(ServiceRef(services), services.settings)) as test_client:
        yield test_client


def real_services(
    data_dir: Path, embedder: object, settings: UISettings, reader: object
) -> Services:
    """The real index and QA service (``reader`` reading) in ``data_dir`` with the sample
    article indexed."""
    from qa.components import build_qa
    from qa.config import QASettings

    components = build_index(index_settings(data_dir), embedder=embedder)  # type: ignore[arg-type]
    qa = build_qa(components, QASettings(), reader)  # type: ignore[call-arg,arg-type]
    svc = Services(components, qa, settings)
    svc.add_articles(read_inputs([str(SAMPLE)]))
    return svc


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """uvicorn serving an app on loopback in a background thread."""

    def __init__(self, app: object) -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")  # type: ignore[arg-type]
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


@pytest.fixture(scope="module")
def live_server(
    tmp_path_factory: pytest.TempPathFactory, real_embedder: object, real_reader: object
) -> Iterator[LiveServer]:
    """The whole app (API + UI) on a free loopback port: real model, sample article indexed."""
    from ui.server import create_app

    settings = UISettings(api_key="test-key")  # type: ignore[call-arg]
    data_dir = tmp_path_factory.mktemp("live") / "data"
    svc = real_services(data_dir, real_embedder, settings, real_reader)
    with LiveServer(create_app(settings, services=svc)) as server:
        yield server
