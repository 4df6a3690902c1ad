"""kill -9 in the middle of ``newsdesk index add`` loses nothing already done, and the next run
completes the rest: no duplicate and no missing paragraph in the catalog, FTS or Chroma.

Real subprocesses with the real model, on a small slice of the eval articles: the CLI, and
for the kill inside a batch's write, a process made to hang there.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from index.models import Article
from index.readers.inputs import read_inputs
from tests.conftest import assert_consistent, build_test_index
from tests.index.conftest import BIN, ROOT, eval_slice, write_jsonl

pytestmark = pytest.mark.slow

ARTICLES, PARAGRAPHS, PER_BATCH = 24, 5, 2
Counts = dict[str, int]


def env(data_dir: Path) -> dict[str, str]:
    """The environment of a CLI run on ``data_dir``."""
    return {
        **os.environ,
        "NEWSDESK_DATA_DIR": str(data_dir),
        "NEWSDESK_ARTICLES_PER_BATCH": str(PER_BATCH),
        "HF_HUB_OFFLINE": "1",
    }


def catalog_state(data_dir: Path) -> tuple[Counts, dict[str, float]]:
    """Article counts by state and the ``indexed_at`` of done articles ({} while unreadable)."""
    path = data_dir / "catalog.sqlite3"
    if not path.exists():
        return {}, {}
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as conn:
            counts = dict(conn.execute("SELECT state, count(*) FROM articles GROUP BY state"))
            done = dict(conn.execute("SELECT id, indexed_at FROM articles WHERE state='done'"))
        return counts, done
    except sqlite3.OperationalError:  # schema not created yet
        return {}, {}


def kill_when(data_dir: Path, source: Path, ready: Callable[[Counts], bool]) -> dict[str, float]:
    """Start ``newsdesk index add``, kill -9 it once ``ready(counts)``; return the articles
    that were done (with their ``indexed_at``) at the moment of the kill."""
    process = subprocess.Popen(
        [str(BIN / "newsdesk"), "index", "add", str(source), "--quiet"],
        env=env(data_dir), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip

    def at_kill_point() -> None:
        deadline = time.monotonic() + 300
        while process.poll() is None and time.monotonic() < deadline:
            if ready(catalog_state(data_dir)[0]):
                break
            time.sleep(0.02)
        assert process.poll() is None, "the run finished before the kill point"

    return kill_9(process, at_kill_point, data_dir)


def kill_9(
    process: subprocess.Popen[Any], at_kill_point: Callable[[], None], data_dir: Path
) -> dict[str, float]:
    """Wait with ``at_kill_point`` until ``process`` is where it must die, kill -9 it there,
    and return the articles done at that moment; the process never outlives this."""
    try:
        at_kill_point()
        process.send_signal(signal.SIGKILL)
        process.wait()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return catalog_state(data_dir)[1]


HANG_AFTER_UPSERT = """
import sys, time
from pathlib import Path
from index.components import build_index
from index.config import IndexSettings
from index.readers.inputs import read_inputs
components = build_index(IndexSettings())
upsert = components.store.upsert
def upsert_then_hang(*args, **kwargs):
    upsert(*args, **kwargs)
    print("upserted", flush=True)
    time.sleep(600)
components.store.upsert = upsert_then_hang
components.service.add(read_inputs([sys.argv[1]]))
"""


def kill_after_first_upsert(data_dir: Path, source: Path) -> dict[str, float]:
    """Index in a process that hangs once its first batch is in Chroma, its articles marked
    pending and not yet committed (a window of milliseconds, too short to hit by polling);
    kill -9 it there; return the articles done at the kill."""
    process = subprocess.Popen(
        [sys.executable, "-c", HANG_AFTER_UPSERT, str(source)],
        cwd=ROOT, env=env(data_dir), stdout=subprocess.PIPE, text=True,
    )  # fmt: skip

    def at_kill_point() -> None:
        assert process.stdout is not None and process.stdout.readline().strip() == "upserted"
        assert catalog_state(data_dir)[0] == {"pending": PER_BATCH}

    return kill_9(process, at_kill_point, data_dir)


def run_to_end(data_dir: Path, source: Path) -> dict[str, Any]:
    """Run ``newsdesk index add --json`` to completion; its report."""
    result = subprocess.run(
        [str(BIN / "newsdesk"), "index", "add", str(source), "--json"],
        env=env(data_dir), capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_kill_9_at_several_points_then_resume_matches_a_clean_run(
    tmp_path: Path, real_embedder: Any
) -> None:
    source = write_jsonl(tmp_path / "slice.jsonl", eval_slice(ARTICLES, PARAGRAPHS))
    articles = [a for a in read_inputs([str(source)]) if isinstance(a, Article)]
    clean = build_test_index(tmp_path / "clean", real_embedder, articles)
    clean_ids = assert_consistent(clean)
    clean_texts = {i: p.text for i, p in clean.catalog.paragraphs(sorted(clean_ids)).items()}

    data_dir = tmp_path / "crashed"
    assert kill_after_first_upsert(data_dir, source) == {}
    kill_points = [
        lambda c: c.get("done", 0) >= 4,
        lambda c: c.get("done", 0) >= ARTICLES // 2,
    ]
    done_before: dict[str, float] = {}
    for ready in kill_points:
        done_at_kill = kill_when(data_dir, source, ready)
        assert done_before.items() <= done_at_kill.items()  # done articles were not redone
        done_before = done_at_kill
    assert 0 < len(done_before) < ARTICLES

    report = run_to_end(data_dir, source)
    assert set(done_before) <= set(report["unchanged"])
    assert len(report["unchanged"]) + len(report["updated"]) + len(report["added"]) == ARTICLES
    assert catalog_state(data_dir)[1].keys() >= done_before.keys()

    resumed = build_test_index(data_dir, real_embedder)
    assert assert_consistent(resumed) == clean_ids
    assert resumed.service.stats() == clean.service.stats()
    texts = {i: p.text for i, p in resumed.catalog.paragraphs(sorted(clean_ids)).items()}
    assert texts == clean_texts
    assert run_to_end(data_dir, source)["paragraphs"] == 0
