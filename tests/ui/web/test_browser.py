"""The web UI in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) against
a live server: ask with a cited answer, then upload an article and get it cited.
Screenshots of each step go to test-artifacts/browser/ (printed)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.ui.conftest import ROOT, LiveServer

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
SHOTS = ROOT / "test-artifacts" / "browser"
ARTICLE = """Lisbon bakery wins national pastry prize

A small bakery in Lisbon's Alfama district won the national pastry prize on Friday for its \
custard tarts, beating more than two hundred entries from across Portugal.

The owner, Marta Silva, said the recipe came from her grandmother and that the bakery would \
not open a second shop despite the attention.
"""

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed"),
]


@pytest.fixture(scope="module")
def page(live_server: LiveServer) -> Iterator[Any]:
    """A Chromium page on the live server's UI."""
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(live_server.url + "/", wait_until="load")
        page.locator("#nd-question textarea").wait_for(timeout=60_000)
        yield page
        browser.close()


def shot(page: Any, name: str) -> None:
    """Save a full-page screenshot and print where."""
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")


_SHOWN = (
    "q => [...document.querySelectorAll('#nd-chat .message')].some(m => m.innerText.includes(q))"
)


def ask(page: Any, question: str) -> Any:
    """Type a question, send it and wait for the cited passages panel to change."""
    page.get_by_role("tab", name="Ask").click()
    box = page.locator("#nd-question textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(_SHOWN, arg=question)
    page.locator("#nd-passages mark").first.wait_for(timeout=120_000)
    page.wait_for_timeout(1_000)  # let the pending-state fade end before screenshots
    return page.locator("#nd-passages")


def test_ask_shows_a_cited_answer(page: Any) -> None:
    shot(page, "1-home")
    page.get_by_text("What did Zelenskiy say?", exact=True).first.click()
    expect(page.locator("#nd-question textarea")).to_have_value("What did Zelenskiy say?")
    passages = ask(page, "What did Zelenskiy say?")
    shot(page, "2-answer")
    answer = page.locator("#nd-chat .message").last.inner_text()
    assert "[1]" in answer
    assert "little meaningful progress" in passages.locator("mark").first.inner_text()
    assert "Zelenskiy" in passages.inner_text()
    assert "Cited passages" in passages.inner_text()
    # the short answer leads in bold and is marked inside its cited quote
    bold = page.locator("#nd-chat .message").last.locator("strong").first.inner_text()
    short = passages.locator("mark.nd-short")
    assert short.count() == 1 and short.inner_text() in bold


def test_uploaded_article_gets_cited(page: Any, tmp_path: Path) -> None:
    file = tmp_path / "lisbon-bakery.txt"
    file.write_text(ARTICLE, encoding="utf-8")
    page.get_by_role("tab", name="Articles").click()
    page.get_by_label("API key").fill("test-key")  # the live server requires it for writes
    page.locator("#nd-upload input[type=file]").set_input_files(str(file))
    page.locator("#nd-index-files").click()
    page.locator("#nd-result").get_by_text("1 added").wait_for(timeout=120_000)
    shot(page, "3-uploaded")
    assert "Lisbon bakery" in page.locator("body").inner_text()
    passages = ask(page, "Which bakery won the pastry prize?")
    page.get_by_text("Lisbon bakery wins national pastry prize").first.wait_for()
    shot(page, "4-answer-about-upload")
    assert "Alfama" in passages.inner_text()


def test_what_did_the_mayor_say_names_the_mayor(page: Any, tmp_path: Path) -> None:
    file = tmp_path / "dam.txt"
    file.write_text(
        "The dam holds\nMayor Jane Ortiz said the dam would hold through the storm.\n"
        "“We are ready for the rain,” the mayor said on Monday.\n",
        encoding="utf-8",
    )
    page.get_by_role("tab", name="Articles").click()
    page.get_by_label("API key").fill("test-key")
    page.locator("#nd-upload input[type=file]").set_input_files(str(file))
    page.locator("#nd-index-files").click()
    page.locator("#nd-result").get_by_text("1 added").wait_for(timeout=120_000)
    page.get_by_text("The dam holds").first.wait_for(timeout=120_000)  # this upload's, listed
    passages = ask(page, "What did the mayor say?")
    shot(page, "5-the-mayor")
    answer = page.locator("#nd-chat .message").last.inner_text()
    assert "Jane Ortiz said" in answer and "[1]" in answer
    assert "the dam would hold through the storm" in passages.inner_text()


def test_a_mistake_is_a_warning_and_the_conversation_stays(page: Any) -> None:
    ask(page, "Where is the fiercest fighting?")
    messages = page.locator("#nd-chat .message").count()
    box = page.locator("#nd-question textarea")
    box.fill("   ")
    box.press("Enter")
    page.get_by_text("Type a question first.").first.wait_for(timeout=30_000)
    shot(page, "5-mistake")
    assert page.locator("#nd-chat .message").count() == messages
    assert page.locator("#nd-chat").is_visible()
    assert "Error" not in page.locator("#nd-chat").inner_text()
    box.fill("What did Zelenskiy say?")  # the page still takes the next question
    box.press("Enter")
    page.wait_for_function(
        f"() => document.querySelectorAll('#nd-chat .message').length > {messages}"
    )


def test_enter_in_a_date_filter_asks_the_question(page: Any) -> None:
    page.get_by_role("tab", name="Ask").click()
    messages = page.locator("#nd-chat .message").count()
    page.locator("#nd-question textarea").fill("What did DeepState report?")
    page.get_by_text("Filters").first.click()
    since = page.get_by_label("Published from")
    since.fill("2000-01-01")
    since.press("Enter")
    page.wait_for_function(_SHOWN, arg="What did DeepState report?")
    assert page.locator("#nd-chat .message").count() > messages
