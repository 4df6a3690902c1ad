"""The web UI in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) against
a live server: ask with a cited answer, then upload an article and get it cited; each
answer's sources and [n] links, "Searched for", refusals, the welcome examples, a phone's width,
the Articles tab, and a feed served on loopback added, polled, listed and removed there.
Screenshots of each step go to test-artifacts/browser/ (printed)."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.feed_server import FeedServer, story
from tests.ui.conftest import ROOT, LiveServer, real_services
from ui.config import UISettings
from ui.web.app import EXAMPLES

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
def browser() -> Iterator[Any]:
    """Headless Chromium, for the module's pages."""
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def open_page(browser: Any, url: str, **options: Any) -> Any:
    """A new page on the UI at ``url``, loaded."""
    page = browser.new_page(**options)
    page.goto(url + "/", wait_until="load")
    page.locator("#nd-question textarea").wait_for(timeout=60_000)
    return page


@pytest.fixture(scope="module")
def page(browser: Any, live_server: LiveServer) -> Any:
    """A Chromium page on the live server's UI at a desktop's width."""
    return open_page(browser, live_server.url, viewport={"width": 1400, "height": 1000})


def shot(page: Any, name: str) -> None:
    """Save a full-page screenshot and print where."""
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")


_SHOWN = (
    "q => [...document.querySelectorAll('#nd-chat .message')].some(m => m.innerText.includes(q))"
)
_ANSWERS = "#nd-chat .message-row.bot-row"


def answers(page: Any) -> int:
    """How many answers the chat shows."""
    return int(page.locator(_ANSWERS).count())


def ask(page: Any, question: str) -> Any:
    """Type a question, send it and wait for its answer's sources; returns them (the panel's
    section of this answer)."""
    page.get_by_role("tab", name="Ask").click()
    k = answers(page) + 1
    box = page.locator("#nd-question textarea")
    box.fill(question)
    box.press("Enter")
    return answered(page, question, k)


def answered(page: Any, question: str, k: int) -> Any:
    """Wait for answer ``k`` (to ``question``) and its sources in the panel; returns them."""
    page.wait_for_function(_SHOWN, arg=question)
    sources = page.locator(f"#nd-passages #nd-answer-{k}")
    sources.wait_for(timeout=120_000)
    page.wait_for_timeout(1_000)  # let the pending-state fade end before screenshots
    return sources


def new_conversation(page: Any) -> None:
    page.get_by_role("tab", name="Ask").click()
    page.locator("#nd-clear").click()
    page.get_by_text("Welcome to newsdesk").wait_for()


def test_ask_shows_a_cited_answer(page: Any) -> None:
    shot(page, "1-home")
    page.get_by_text("What did Zelenskiy say?", exact=True).first.click()  # an example
    passages = answered(page, "What did Zelenskiy say?", 1)
    shot(page, "2-answer")
    answer = page.locator("#nd-chat .message").last.inner_text()
    assert "[1]" in answer and "Searched for" not in answer
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
    since.fill("")  # the sample has no date: later questions search without the filter


def test_each_answer_keeps_its_own_sources_and_its_numbers_link_to_them(page: Any) -> None:
    new_conversation(page)
    first = ask(page, "What did Zelenskiy say?")
    second = ask(page, "Where is the fiercest fighting?")
    expect(first).to_be_hidden()
    expect(second).to_be_visible()
    assert "Pokrovsk" in second.inner_text()
    # a [1] of the first answer brings back its sources, scrolled to and highlighted
    page.locator(_ANSWERS).nth(0).locator("a.nd-cite").last.click()
    expect(first).to_be_visible()
    expect(second).to_be_hidden()
    passage = page.locator("#nd-s1-1")
    expect(passage).to_have_class(re.compile(r"\bnd-target\b"))
    expect(passage).to_be_in_viewport()
    assert "little meaningful progress" in passage.inner_text()
    expect(page.locator(_ANSWERS).nth(0)).to_have_class(re.compile(r"\bnd-selected\b"))
    shot(page, "6-sources-of-an-earlier-answer")
    # clicking the second answer shows its own sources again
    page.locator(_ANSWERS).nth(1).locator(".message-content p").last.click()
    expect(second).to_be_visible()
    expect(first).to_be_hidden()
    expect(page.locator(_ANSWERS).nth(1)).to_have_class(re.compile(r"\bnd-selected\b"))


def test_a_rewritten_follow_up_shows_what_was_searched_and_can_be_edited(page: Any) -> None:
    new_conversation(page)
    ask(page, "What did Zelenskiy say?")
    ask(page, "And Gerasimov?")
    searched = page.locator(_ANSWERS).last.locator("em.nd-searched")
    expect(searched).to_have_text(re.compile(r"^Searched for: .*Gerasimov"))
    shot(page, "7-searched-for")
    rewritten = searched.inner_text().removeprefix("Searched for: ")
    searched.click()  # puts the searched question in the box, to correct and ask again
    expect(page.locator("#nd-question textarea")).to_have_value(rewritten)
    page.locator("#nd-question textarea").fill("")


def test_a_refusal_shows_the_closest_passages_as_related_not_sources(page: Any) -> None:
    new_conversation(page)
    sources = ask(page, "Who won the 1998 football World Cup?")
    answer = page.locator(_ANSWERS).last.inner_text()
    assert "No article answers this" in answer and "[1]" not in answer
    text = sources.inner_text()
    assert "No article answers this" in text and "Cited passages" not in text
    related = sources.locator(".nd-passage")
    assert related.count() >= 1
    assert related.count() == sources.locator(".nd-passage.nd-related").count()
    assert sources.locator(".nd-badge").all_inner_texts() == ["RELATED, NOT A SOURCE"] * (
        related.count()
    )
    shot(page, "8-refusal")


def test_the_welcome_examples_answer_from_the_sample_without_overlaps(page: Any) -> None:
    new_conversation(page)
    chat = page.locator("#nd-chat")
    assert "Welcome to newsdesk" in chat.inner_text()
    for example in EXAMPLES:
        expect(chat.get_by_text(example, exact=True)).to_be_visible()
    assert not overlapping(page), overlapping(page)
    shot(page, "9-welcome")
    for example in EXAMPLES:
        new_conversation(page)
        chat.get_by_text(example, exact=True).click()
        sources = answered(page, example, 1)
        assert "Cited passages" in sources.inner_text()
        assert page.locator(_ANSWERS).last.locator("a.nd-cite").count() >= 1


_OVERLAPS = """() => {
  const seen = [...document.querySelectorAll(
    'label, button, h1, h2, h3, [data-testid="block-label"], .nd-passage, textarea, input')]
    .filter(e => e.offsetParent !== null && e.getClientRects().length);
  const out = [];
  for (let i = 0; i < seen.length; i++) for (let j = i + 1; j < seen.length; j++) {
    const a = seen[i], b = seen[j];
    if (a.contains(b) || b.contains(a)) continue;
    const r = a.getBoundingClientRect(), s = b.getBoundingClientRect();
    if (!r.width || !s.width) continue;
    const x = Math.min(r.right, s.right) - Math.max(r.left, s.left);
    const y = Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top);
    if (x > 1 && y > 1) out.push((a.innerText || a.tagName) + ' / ' + (b.innerText || b.tagName));
  }
  return out;
}"""


def overlapping(page: Any) -> list[str]:
    """Visible labels, buttons, headings and fields that overlap one another."""
    return list(page.evaluate(_OVERLAPS))


def test_at_phone_width_the_sources_are_below_the_answer(
    browser: Any, live_server: LiveServer
) -> None:
    phone = open_page(
        browser, live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    shot(phone, "10-phone-welcome")
    assert not overlapping(phone), overlapping(phone)
    sources = ask(phone, "What did Zelenskiy say?")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width}px)"
    answer = phone.locator(_ANSWERS).last.bounding_box()
    passages = phone.locator("#nd-passages").bounding_box()
    assert passages["y"] >= answer["y"] + answer["height"]  # below, not beside
    phone.locator(_ANSWERS).last.locator("a.nd-cite").last.click()
    passage = phone.locator("#nd-s1-1")
    expect(passage).to_be_in_viewport()
    expect(passage).to_have_class(re.compile(r"\bnd-target\b"))
    assert "little meaningful progress" in sources.inner_text()
    phone.wait_for_timeout(800)  # the smooth scroll
    path = SHOTS / "11-phone-source.png"
    phone.screenshot(path=str(path))  # the viewport: the passage the link went to
    print(f"screenshot: {path}")
    shot(phone, "12-phone-answer")
    phone.close()


FERRY = """Harbour ferry strike ends after nine days

Ferry crews in the harbour returned to work on Friday after a nine-day strike over pay, the \
union said, once the operator agreed to a five percent raise.

Commuters had crowded onto buses during the stoppage, and the city added extra trains.
"""


def test_articles_tab_pastes_with_date_and_source_searches_sorts_and_confirms_deletes(
    page: Any,
) -> None:
    page.get_by_role("tab", name="Articles").click()
    page.get_by_label("API key").fill("test-key")
    page.get_by_label("Title (optional)").fill("Harbour ferry strike ends")
    page.get_by_label("Published (optional)").fill("2024-05-03")
    page.get_by_label("Source (optional)").fill("Porto Times")
    page.get_by_label("Article text").fill(FERRY.split("\n", 2)[2])
    page.locator("#nd-index-text").click()
    page.locator("#nd-result").get_by_text("1 added").wait_for(timeout=120_000)
    stats = page.locator("#nd-stats").inner_text()
    assert not re.search(r"\b1 (articles|sources|paragraphs|vectors)\b", stats), stats
    table = page.locator("#nd-articles")
    expect(table).to_contain_text("Porto Times")
    expect(table).to_contain_text("2024-05-03")
    # nothing clipped: no cell hides text, the page does not scroll sideways
    clipped = table.locator("[role=gridcell] span").evaluate_all(
        "cells => cells.filter(c => c.innerText.trim() && c.scrollWidth > c.clientWidth + 1)"
        ".map(c => c.innerText)"
    )
    assert not clipped, clipped
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "13-articles-pasted")
    # search, then sort
    page.locator("#nd-search textarea").fill("ferry porto")
    expect(page.locator("#nd-listed")).to_contain_text("1 article of", timeout=30_000)
    expect(table.locator("[role=row].virtual-row")).to_have_count(1)
    shot(page, "14-articles-search")
    page.locator("#nd-search textarea").fill("")
    expect(page.locator("#nd-listed")).not_to_contain_text("match", timeout=30_000)
    page.locator("#nd-order input").click()
    page.get_by_role("option", name="Title A–Z").click()
    page.wait_for_timeout(1_500)
    titles = table.locator('[role=gridcell][data-col="4"]').all_inner_texts()
    assert titles == sorted(titles, key=str.casefold) and len(titles) >= 2, titles
    # delete asks first; cancel keeps the article
    table.locator("[role=gridcell]", has_text="Harbour ferry strike ends").first.click()
    chosen = page.locator("#nd-chosen textarea")
    expect(chosen).not_to_have_value("")
    page.locator("#nd-delete").click()
    confirm = page.locator("#nd-confirm")
    expect(confirm).to_be_visible()
    expect(confirm).to_contain_text("Delete Harbour ferry strike ends")
    shot(page, "15-confirm-delete")
    page.locator("#nd-cancel-delete").click()
    expect(confirm).to_be_hidden()
    expect(table).to_contain_text("Harbour ferry strike ends")
    page.locator("#nd-delete").click()
    page.locator("#nd-confirm-delete").click()
    page.locator("#nd-result").get_by_text("Removed").wait_for(timeout=60_000)
    expect(confirm).to_be_hidden()
    expect(table).not_to_contain_text("Harbour ferry strike ends")


def test_a_passage_shows_title_outlet_date_and_a_link_to_the_original(
    page: Any, tmp_path: Path
) -> None:
    file = tmp_path / "ferry.json"
    record = {"title": "Harbour ferry strike ends after nine days", "text": FERRY.split("\n", 2)[2],
              "url": "https://news.example/ferry-strike", "published": "2024-05-03",
              "source": "Porto Times"}  # fmt: skip
    file.write_text(json.dumps(record), encoding="utf-8")
    page.get_by_role("tab", name="Articles").click()
    page.get_by_label("API key").fill("test-key")
    page.locator("#nd-upload input[type=file]").set_input_files(str(file))
    page.locator("#nd-index-files").click()
    page.locator("#nd-result").get_by_text("1 added").wait_for(timeout=120_000)
    new_conversation(page)
    sources = ask(page, "What raise did the ferry operator agree to?")
    passage = sources.locator(".nd-passage").first
    title = passage.locator("a.nd-title")
    expect(title).to_have_text("Harbour ferry strike ends after nine days")
    expect(title).to_have_attribute("href", "https://news.example/ferry-strike")
    meta = passage.locator(".nd-meta")
    expect(meta).to_contain_text("2024-05-03 · Porto Times · paragraph")
    expect(meta.get_by_role("link", name="original ↗")).to_have_attribute(
        "href", "https://news.example/ferry-strike"
    )
    shot(page, "16-passage-metadata")


@pytest.fixture(scope="module")
def feed_site(
    tmp_path_factory: pytest.TempPathFactory, real_embedder: object, real_reader: object
) -> Iterator[tuple[LiveServer, FeedServer]]:
    """A live server whose poller may reach loopback (NEWSDESK_URL_ALLOWED_NETWORKS), and a
    real RSS server on loopback for it to poll."""
    from ui.server import create_app

    settings = UISettings(api_key="test-key")  # type: ignore[call-arg]
    data_dir = tmp_path_factory.mktemp("feeds") / "data"
    svc = real_services(data_dir, real_embedder, settings, real_reader)
    loopback = {"url_allowed_networks": "127.0.0.1/32"}
    svc.index.settings = svc.index.settings.model_copy(update=loopback)
    with FeedServer() as feeds, LiveServer(create_app(settings, services=svc)) as server:
        yield server, feeds


def test_a_feed_added_in_the_articles_tab_is_polled_listed_polled_again_and_removed(
    browser: Any, feed_site: tuple[LiveServer, FeedServer]
) -> None:
    server, feeds = feed_site
    page = open_page(browser, server.url, viewport={"width": 1400, "height": 1000})
    page.get_by_role("tab", name="Articles").click()
    page.get_by_label("API key").fill("test-key")
    url = f"{feeds.url}/feed.xml"
    page.locator("#nd-feed-url textarea").fill(url)
    page.locator("#nd-feed-every textarea").fill("1h")
    page.locator("#nd-add-feed").click()
    result = page.locator("#nd-feed-result")
    expect(result).to_contain_text(f"Subscribed to {url} (feed 1): polled now, then every 1h.")
    table, articles = page.locator("#nd-feed-table"), page.locator("#nd-articles")
    expect(table).to_contain_text("2 / 2", timeout=60_000)  # the timer shows the poll's outcome
    expect(table).to_contain_text("2 added, 0 updated, 0 unchanged")
    expect(articles).to_contain_text("Story 1 about topic1", timeout=30_000)  # listed by itself
    expect(articles).to_contain_text("Story 2 about topic2")
    expect(page.locator("#nd-feeds-listed")).to_have_text("1 feed.")
    # the feed changes; poll it now
    feeds.entries = [story(3, "lighthouse"), *feeds.entries]
    table.locator("[role=gridcell]", has_text=url).first.click()
    expect(page.locator("#nd-feed-chosen textarea")).to_have_value("1")
    page.locator("#nd-poll-feed").click()
    expect(result).to_contain_text("Polling feed 1")
    expect(table).to_contain_text("1 / 3", timeout=60_000)
    expect(articles).to_contain_text("Story 3 about lighthouse", timeout=30_000)
    page.locator("#nd-feeds").scroll_into_view_if_needed()
    page.wait_for_timeout(1_000)
    shot(page, "17-feeds")
    # remove asks first; cancel keeps the feed
    page.locator("#nd-remove-feed").click()
    confirm = page.locator("#nd-confirm-feed")
    expect(confirm).to_be_visible()
    expect(confirm).to_contain_text(f"Remove the feed {url} (feed 1)?")
    expect(confirm).to_contain_text("the 3 articles it added stay indexed")
    page.locator("#nd-cancel-remove-feed").click()
    expect(confirm).to_be_hidden()
    expect(table).to_contain_text(url)
    page.locator("#nd-remove-feed").click()
    page.locator("#nd-confirm-remove-feed").click()
    expect(result).to_contain_text("Removed feed 1")
    expect(confirm).to_be_hidden()
    expect(table).not_to_contain_text(url)
    expect(page.locator("#nd-feeds-listed")).to_contain_text("No feeds yet")
    expect(articles).to_contain_text("Story 3 about lighthouse")  # its articles stay
    page.close()
