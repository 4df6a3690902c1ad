"""Two indexers on one data directory: the second is refused with a clear message, nothing is
corrupted, a killed holder never leaves a stale lock, and a holder whose PostgreSQL lock went
with a database restart stops writing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from index.errors import IndexLocked, IndexLockLost
from index.storage.lock import IndexLock
from tests.conftest import FakeEmbedder, MakeIndex, assert_consistent
from tests.index.conftest import BIN, ROOT, make_article
from tests.postgres_server import PostgresServer

HOLDER = """
import sys, time
from pathlib import Path
from index.storage.lock import IndexLock
with IndexLock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(120)
"""


def hold_lock(data_dir: Path) -> subprocess.Popen[str]:
    """A child process that takes the lock on ``data_dir`` and sleeps."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(data_dir)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "locked"
    return process


def test_a_second_lock_in_the_same_process_is_refused(tmp_path: Path) -> None:
    with IndexLock(tmp_path), pytest.raises(IndexLocked, match=f"pid {os.getpid()}"):
        IndexLock(tmp_path).acquire()
    with IndexLock(tmp_path):  # released on exit
        pass


def test_indexing_while_another_process_indexes_is_refused(
    make_index: MakeIndex, tmp_path: Path
) -> None:
    index = make_index(articles=[make_article(1)])
    holder = hold_lock(tmp_path / "index")
    try:
        with pytest.raises(IndexLocked, match=f"another newsdesk process \\(pid {holder.pid}\\)"):
            index.service.add([make_article(2)])
        with pytest.raises(IndexLocked):
            index.service.remove("a1")
    finally:
        holder.terminate()
        holder.wait()
    assert index.service.add([make_article(2)]).added == ["a2"]
    assert len(assert_consistent(index)) == 6


def test_the_cli_tells_the_second_process_and_exits_2(tmp_path: Path) -> None:
    article = tmp_path / "story.txt"
    article.write_text("Council approves budget\n\n" + "The council approved it today. " * 5)
    holder = hold_lock(tmp_path / "data")
    try:
        result = subprocess.run(
            [str(BIN / "newsdesk"), "index", "add", str(article)],
            env={**os.environ, "NEWSDESK_DATA_DIR": str(tmp_path / "data")},
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    finally:
        holder.terminate()
        holder.wait()
    assert result.returncode == 2
    assert f"another newsdesk process (pid {holder.pid}) is indexing" in result.stderr
    assert "wait for it to finish" in result.stderr


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    holder = hold_lock(tmp_path)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    deadline = time.monotonic() + 5
    while True:
        try:
            with IndexLock(tmp_path):
                break
        except IndexLocked:
            assert time.monotonic() < deadline, "lock still held after its holder died"
            time.sleep(0.05)


LONG_LIVED = """
import sys, time
from pathlib import Path
from tests.conftest import build_test_index
from tests.index.conftest import make_article
data_dir, go = Path(sys.argv[1]), Path(sys.argv[2])
index = build_test_index(data_dir, None, [make_article(n) for n in range(3)])
print("ready", flush=True)
while not go.exists():
    time.sleep(0.05)
index.service.add([make_article(n) for n in range(10, 13)])
print("done", flush=True)
"""


def test_a_long_lived_indexer_and_another_process_share_the_index(
    make_index: MakeIndex, tmp_path: Path
) -> None:
    """Like ``index watch`` (open for hours) while ``index add`` runs in another process."""
    go = tmp_path / "go"
    process = subprocess.Popen(
        [sys.executable, "-c", LONG_LIVED, str(tmp_path / "index"), str(go)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    make_index(articles=[make_article(n) for n in range(20, 23)])
    go.touch()
    assert process.stdout.readline().strip() == "done" and process.wait(timeout=60) == 0
    assert len(assert_consistent(make_index())) == 27


class RestartingEmbedder(FakeEmbedder):
    """Restarts the PostgreSQL server while embedding its ``at``-th batch, as a database
    restart in the middle of an indexing run would."""

    def __init__(self, server: PostgresServer, at: int) -> None:
        super().__init__()
        self.server, self.at, self.calls = server, at, 0

    def embed_spans(self, texts: Sequence[str], spans: Sequence[Any]) -> Any:
        self.calls += 1
        if self.calls == self.at:
            self.server.stop()
            self.server.start()
        return super().embed_spans(texts, spans)


@pytest.mark.slow
def test_a_database_restart_mid_run_stops_the_run_and_the_next_finishes_it(
    make_index: MakeIndex,
) -> None:
    server = PostgresServer()  # its own: the restart must not touch the session's server
    try:
        server.start()
        url = server.new_database()
        articles = [make_article(n) for n in range(12)]
        embedder = RestartingEmbedder(server, at=1)
        index = make_index(embedder, database_url=url, articles_per_batch=2, embed_batch_size=6)
        # The restart dropped the lock's session, so another indexer could hold the lock now:
        # the run stops at its next write instead of writing beside it.
        with pytest.raises(IndexLockLost, match=r"indexing lock .* was lost"):
            index.service.add(articles)
        again = make_index(FakeEmbedder(), database_url=url)
        report = again.service.add(articles)
        assert not report.failed
        ids = assert_consistent(again)
        assert {p.split("#")[0] for p in ids} == {a.id for a in articles}
    finally:
        server.remove()
