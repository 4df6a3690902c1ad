"""The web UI's "Answer with" switch in headless Chromium: the LLM mode over a live server
whose chat model is a small fake that cites the passage it reads (tests/ui/api/test_llm.py),
the draft replaced by the checked answer, with what the check left out said."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from index.components import build_index
from index.readers.inputs import read_inputs
from qa.components import build_qa
from qa.config import QASettings
from tests.conftest import FakeEmbedder
from tests.ui.api.test_llm import CLAIM, INVENTED, CitingChat
from tests.ui.conftest import ROOT, SAMPLE, LiveServer, index_settings
from ui.config import UISettings
from ui.server import create_app
from ui.services import Services

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "test-artifacts" / "browser"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed"),
]


@pytest.fixture(scope="module")
def llm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The whole app over the sample (fake embedder, sentence scorer) with the citing chat."""
    data_dir = tmp_path_factory.mktemp("llm-ui") / "data"
    components = build_index(index_settings(data_dir), embedder=FakeEmbedder())
    qa = build_qa(components, QASettings(reader=False), chat=CitingChat())  # type: ignore[call-arg]
    services = Services(components, qa, UISettings())
    assert services.add_articles(read_inputs([str(SAMPLE)])).added
    with LiveServer(create_app(services.settings, services=services)) as server:
        yield server


def test_the_llm_switch_answers_with_checked_sentences(llm_server: LiveServer) -> None:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page: Any = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(llm_server.url + "/", wait_until="load")
        page.locator("#nd-question textarea").wait_for(timeout=60_000)
        page.locator("#nd-mode").get_by_text("LLM, each sentence checked").click()
        box = page.locator("#nd-question textarea")
        box.fill("Where is the fiercest fighting?")
        box.press("Enter")
        note = page.get_by_text("1 sentence of the LLM's answer left out")
        note.wait_for(timeout=60_000)
        answer = page.locator("#nd-chat .message").last.inner_text()
        page.screenshot(path=str(SHOTS / "18-llm-answer.png"), full_page=True)
        browser.close()
    assert CLAIM in answer and INVENTED not in answer
