"""``newsdesk index``: add (failures one by one, exit codes, --quiet, --json), remove, list,
stats, and watch (a real subprocess)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

import ui.cli.index
from index.components import build_index
from index.config import IndexSettings
from tests.conftest import FakeEmbedder
from tests.index.conftest import BIN, free_port, make_article, write_jsonl

STORY = "Harbour bridge reopens\n\n" + "The harbour bridge reopened on Monday after repairs. " * 4


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Run ``newsdesk index ...`` in-process on ``tmp_path/data`` with a fake embedder."""
    from ui.cli.main import app

    def fake_build(settings: IndexSettings, **_: Any) -> Any:
        return build_index(settings, embedder=FakeEmbedder())

    monkeypatch.setattr("index.components.build_index", fake_build)  # imported by the command
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["index", *map(str, args)])


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """A folder of two good articles and one of each kind of bad input."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(STORY, encoding="utf-8")
    write_jsonl(folder / "more.jsonl", [
        {"id": a.id, "title": a.title, "text": a.text, "published": a.published, "url": a.url}
        for a in [make_article(1)]
    ])  # fmt: skip
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02\x89PNG" * 20)
    (folder / "latin1.txt").write_bytes(
        "Café olé, a story of cafés in the old town.".encode("cp1252")
    )
    (folder / "broken.json").write_text('{"title": "no end", "text": "x"', encoding="utf-8")
    (folder / "huge.txt").write_bytes(b"word " * 1_100_000)  # 5.5 MB
    return folder


def test_add_reports_each_failure_indexes_the_rest_and_exits_1(
    cli: Callable[..., Result], inputs: Path
) -> None:
    url = f"http://127.0.0.1:{free_port()}/story"
    result = cli("add", inputs, url)
    assert result.exit_code == 1
    failed = [line for line in result.stderr.splitlines() if line.startswith("failed: ")]
    assert len(failed) == 6
    reasons = {line.split(": ")[1]: line for line in failed}
    assert "empty" in reasons[str(inputs / "empty.txt")]
    assert "binary" in reasons[str(inputs / "binary.txt")]
    assert "UTF-8" in reasons[str(inputs / "latin1.txt")]
    assert "JSON" in reasons[str(inputs / "broken.json")]
    assert "MB" in reasons[str(inputs / "huge.txt")]
    assert "connect" in reasons[url]
    assert "2 added, 0 updated, 0 unchanged, 0 removed, 6 failed" in result.stdout
    assert "paragraphs in" in result.stdout and "/s)" in result.stdout


def test_add_json_and_quiet(cli: Callable[..., Result], inputs: Path) -> None:
    good = inputs / "good.txt"
    first = json.loads(cli("add", good, "--json").stdout)
    assert len(first["added"]) == 1 and first["failed"] == [] and first["paragraphs"] == 1
    again = cli("add", good, inputs / "empty.txt", "--json")
    assert again.exit_code == 1
    report = json.loads(again.stdout)
    assert report["unchanged"] == first["added"] and report["added"] == []
    assert report["failed"] == [
        {"origin": str(inputs / "empty.txt"), "reason": "file is empty (0 bytes)"}
    ]
    quiet = cli("add", good, "--quiet")
    assert quiet.exit_code == 0 and quiet.stdout == "" and quiet.stderr == ""


def test_list_stats_and_remove(cli: Callable[..., Result], tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "a.jsonl", [
        {"id": a.id, "title": a.title, "text": a.text, "published": a.published, "url": a.url}
        for a in [make_article(1, paragraphs=2, published="2024-01-02"), make_article(2)]
    ])  # fmt: skip
    assert cli("add", source, "-q").exit_code == 0
    lines = cli("list").stdout.splitlines()
    assert lines == [
        f"a2\t2024-05-01\t3\t{make_article(2).title}", f"a1\t2024-01-02\t2\t{make_article(1).title}"
    ]  # fmt: skip
    listed = json.loads(cli("list", "--json").stdout)
    assert [(r["id"], r["paragraphs"], r["published"]) for r in listed] == [
        ("a2", 3, "2024-05-01"), ("a1", 2, "2024-01-02")
    ]  # fmt: skip
    stats = json.loads(cli("stats", "--json").stdout)
    assert stats == {"articles": 2, "pending": 0, "paragraphs": 5, "sources": 1, "vectors": 5}
    assert "paragraphs: 5" in cli("stats").stdout
    assert cli("list", "--offset", 1).stdout.splitlines() == [lines[1]]
    assert cli("list", "--offset", 2**63).exit_code == 2  # out of range, not a traceback
    assert cli("list", "--limit", 1).stdout.splitlines() == [lines[0]]
    assert cli("list", "--limit", 0).exit_code == 2
    removed = cli("remove", "a1")
    assert removed.exit_code == 0 and removed.stdout == "removed a1\n"
    assert json.loads(cli("stats", "--json").stdout)["vectors"] == 3
    missing = cli("remove", "a1")
    assert missing.exit_code == 1 and "no indexed article has id 'a1'" in missing.stderr


def wait_for(check: Callable[[], bool], seconds: float = 180) -> None:
    """Poll ``check`` until it is true, or fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def catalog_rows(data_dir: Path, sql: str) -> list[tuple[Any, ...]]:
    """Rows of a read-only query on the catalog ([] before it exists)."""
    path = data_dir / "catalog.sqlite3"
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as conn:
            return list(conn.execute(sql))
    except sqlite3.OperationalError:
        return []


@pytest.mark.slow
def test_watch_indexes_files_as_they_appear_and_change(tmp_path: Path) -> None:
    folder, data_dir = tmp_path / "watched", tmp_path / "data"
    folder.mkdir()
    (folder / "first.txt").write_text(STORY, encoding="utf-8")
    process = subprocess.Popen(
        [str(BIN / "newsdesk"), "index", "watch", str(folder), "--quiet"],
        env={**os.environ, "NEWSDESK_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    titles = "SELECT title, paragraphs, state FROM articles ORDER BY title"
    try:
        wait_for(lambda: catalog_rows(data_dir, titles) == [("Harbour bridge reopens", 1, "done")])
        (folder / "second.md").write_text("Storm closes schools\n\n" + "Schools shut. " * 12)
        wait_for(lambda: len(catalog_rows(data_dir, titles)) == 2)
        (folder / "first.txt").write_text(
            STORY + "\n\nA second paragraph, added later, says a good deal more."
        )
        wait_for(lambda: ("Harbour bridge reopens", 2, "done") in catalog_rows(data_dir, titles))
        (folder / "empty.txt").write_text("")
        time.sleep(1)
        assert process.poll() is None, "watch stopped on a bad file"
        (folder / "second.md").unlink()
        wait_for(lambda: len(catalog_rows(data_dir, titles)) == 1)
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=30)
    assert "empty.txt: file is empty" in stderr
    texts = catalog_rows(data_dir, "SELECT text FROM paragraphs ORDER BY id")
    assert [t for (t,) in texts if "added later" in t]
    assert len(catalog_rows(data_dir, "SELECT id FROM paragraphs")) == 2  # second.md's is gone


class ArrivesDuringFirstPass:
    """An index service that, while its first ``add`` runs, sees a new file land in the folder."""

    def __init__(self, service: Any, arriving: Path) -> None:
        self.service, self.arriving, self.calls = service, arriving, 0

    def add(self, articles: Any, **options: Any) -> Any:
        self.calls += 1
        articles = list(articles)  # the folder has been read
        if self.calls == 1:
            self.arriving.write_text("Late story\n\n" + "It arrived late. " * 12, encoding="utf-8")
            time.sleep(0.5)
        return self.service.add(articles, **options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.service, name)


def test_watch_indexes_a_file_written_during_the_first_pass(tmp_path: Path) -> None:
    folder = tmp_path / "watched"
    folder.mkdir()
    (folder / "first.txt").write_text(STORY, encoding="utf-8")
    components = build_index(IndexSettings(data_dir=tmp_path / "data"), embedder=FakeEmbedder())
    service = ArrivesDuringFirstPass(components.service, folder / "late.txt")
    components.service = service
    stop = threading.Event()
    watcher = threading.Thread(
        target=ui.cli.index.watch_folder, args=(components, folder, True, stop)
    )
    watcher.start()
    try:
        titles = "SELECT title FROM articles ORDER BY title"
        wait_for(lambda: catalog_rows(tmp_path / "data", titles) == [
            ("Harbour bridge reopens",), ("Late story",)
        ], seconds=30)  # fmt: skip
    finally:
        stop.set()
        watcher.join(timeout=30)
    assert not watcher.is_alive()


def test_the_report_line_counts_and_rates_readably() -> None:
    assert ui.cli.index.paragraph_rate(1, 4.8) == "1 paragraph in 4.8s (0.2/s)"
    assert ui.cli.index.paragraph_rate(250, 2.5) == "250 paragraphs in 2.5s (100/s)"
    assert ui.cli.index.paragraph_rate(0, 0.0) == "0 paragraphs in 0.0s (0.0/s)"


def test_add_a_jsonl_larger_than_the_article_limit_skips_its_bad_line_by_number(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSDESK_MAX_ARTICLE_BYTES", "1000")  # the file is 3 kB: still read
    records = [
        {"id": a.id, "title": a.title, "text": a.text, "url": a.url}
        for a in map(make_article, range(5))
    ]
    path = write_jsonl(tmp_path / "export.jsonl", records)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(2, '{"id": "broken", "text": ')
    lines.insert(4, json.dumps({"id": "huge", "title": "Huge", "text": "word " * 300}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size > 1000
    result = cli("add", path)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-2:] == [
        f"failed: {path}: line 3: malformed JSON (Expecting value at column 26)",
        f"failed: {path}: line 5: record is 1.5 kB, over the 1.0 kB limit",
    ]
    assert "5 added, 0 updated, 0 unchanged, 0 removed, 2 failed" in result.stdout
    assert "indexing: 100%" in result.stderr  # the bar counts the file's bytes
    listed = cli("list").stdout
    assert all(f"a{n}\t" in listed for n in range(5))
