"""``newsdesk feeds``: add (bad URL / interval exit 2), list (text and --json), poll (a real
RSS server on loopback, indexed through the same path as ``index add``), remove."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from index.components import build_index
from index.config import IndexSettings
from tests.conftest import FakeEmbedder
from tests.feed_server import FeedServer, story


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Run ``newsdesk feeds ...`` in-process on ``tmp_path/data`` with a fake embedder."""
    from ui.cli.main import app

    def fake_build(settings: IndexSettings, **_: Any) -> Any:
        return build_index(settings, embedder=FakeEmbedder())

    monkeypatch.setattr("index.components.build_index", fake_build)
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["feeds", *map(str, args)])


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as feed_server:
        yield feed_server


def test_add_list_poll_and_remove(cli: Callable[..., Result], server: FeedServer) -> None:
    url = f"{server.url}/feed.xml"
    added = cli("add", url, "--every", "30m")
    assert added.exit_code == 0, added.output
    assert added.output.strip() == f"added: feed 1, every 30m: {url}"
    assert "already subscribed; interval set" in cli("add", url, "--every", "1h").output
    listing = cli("list")
    assert listing.exit_code == 0
    assert listing.output.startswith("1\tevery 1h\tchecked never\tadded 0 (total 0)")
    assert listing.output.rstrip().endswith(f"not polled\t{url}")

    polled = cli("poll")
    assert polled.exit_code == 0, polled.output
    assert "added 2 (total 2)" in polled.output and "2 added, 0 updated" in polled.output
    server.entries = [story(7, "ferry timetable"), *server.entries]
    assert "1 added, 0 updated, 2 unchanged" in cli("poll", "1").output
    [feed] = json.loads(cli("list", "--json").output)
    assert (feed["total_added"], feed["last_added"], feed["every"]) == (3, 1, "1h")
    assert feed["last_checked"] and feed["last_error"] == ""
    assert "not modified" in cli("poll", url).output

    removed = cli("remove", url)
    assert removed.exit_code == 0 and removed.output.strip() == f"removed feed 1: {url}"
    assert cli("list", "--json").output.strip() == "[]"
    assert "no feeds" in cli("list").output


def test_a_failed_poll_shows_its_error_and_exits_1(
    cli: Callable[..., Result], server: FeedServer
) -> None:
    cli("add", f"{server.url}/broken.xml")
    result = cli("poll")
    assert result.exit_code == 1
    assert "error: HTTP error 500 Internal Server Error" in result.output
    assert "error: HTTP error 500" in cli("list").output


@pytest.mark.parametrize(
    ("args", "says"),
    [(["add", "ftp://news.example/rss"], "only http:// and https://"),
     (["add", "not a url"], "bad feed URL"),
     (["add", "https://news.example/rss", "--every", "30s"], "too short: at least 1m"),
     (["add", "https://news.example/rss", "--every", "15"], "write it like 30m"),
     (["poll", "42"], "no subscribed feed")],
)  # fmt: skip
def test_bad_input_exits_2_with_the_reason(
    cli: Callable[..., Result], args: list[str], says: str
) -> None:
    result = cli(*args)
    assert result.exit_code == 2
    assert says in result.output


def test_removing_an_unknown_feed_exits_1(cli: Callable[..., Result]) -> None:
    result = cli("remove", "https://news.example/rss")
    assert result.exit_code == 1 and "no subscribed feed" in result.output
