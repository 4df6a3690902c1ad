"""Faults (issue 21): kill -9 the indexer at seeded random moments, then resume and check.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/faults.py --seed 0 --rounds 10
    HF_HUB_OFFLINE=1 .venv/bin/python bench/faults.py --quick     # 2 rounds

A JSONL file of 30 short dev articles (4 paragraphs each, ../shared/eval/realtimeqa-dev) is
indexed by ``newsdesk index add`` (the real CLI and model, 2 articles per batch) in a fresh
data dir; after a seeded random delay (``random.Random(seed)``, up to the length of a clean
run) the process gets SIGKILL, then ``newsdesk index add --json`` runs again to completion.
Consistent means: the catalog, the FTS keyword index, Chroma and the sentence vectors hold the
same paragraph ids, each once (tests/conftest.py ``assert_consistent``); the articles marked
done (the article list) are exactly those the resumed run reports (added, updated, unchanged)
and exactly those of a clean run; every paragraph belongs to one of them, each article has as
many paragraphs as it records; every article done at the kill is reported unchanged.

Run twice: with the embedded store, and with a Chroma server (``chroma run`` on a free loopback
port, NEWSDESK_CHROMA_URL, one collection per round). With the server, one more run kills the
Chroma server itself (kill -9) a seeded delay after the first batch of a run is done, restarts
it on the same path and port, reruns the indexer and checks the same. Not covered: killing
``newsdesk serve`` (it only reads the data dir; bench/load.py covers reads during indexing).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from tests.conftest import assert_consistent  # noqa: E402
from tests.index.conftest import BIN, ChromaServer, eval_slice, write_jsonl  # noqa: E402

ARTICLES, PARAGRAPHS, PER_BATCH = 30, 4, 2


def cli_env(data_dir: Path, url: str | None, collection: str) -> dict[str, str]:
    """The environment of a CLI run on ``data_dir`` (and the Chroma server at ``url``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    env |= {
        "NEWSDESK_DATA_DIR": str(data_dir),
        "NEWSDESK_ARTICLES_PER_BATCH": str(PER_BATCH),
        "NEWSDESK_COLLECTION": collection,
    }
    if url:
        env["NEWSDESK_CHROMA_URL"] = url
    return env


def done_ids(data_dir: Path) -> set[str]:
    """The articles marked done in the catalog ({} while it cannot be read)."""
    path = data_dir / "catalog.sqlite3"
    if not path.exists():
        return set()
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as conn:
            return {r[0] for r in conn.execute("SELECT id FROM articles WHERE state='done'")}
    except sqlite3.OperationalError:
        return set()


def start_indexer(source: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """``newsdesk index add --quiet`` as its own process."""
    return subprocess.Popen(
        [str(BIN / "newsdesk"), "index", "add", str(source), "--quiet"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def kill_9(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL ``process`` (if still running) and reap it."""
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait()


def run_to_end(source: Path, env: dict[str, str]) -> dict[str, Any]:
    """``newsdesk index add --json`` to completion; its report (exit code 0 required)."""
    result = subprocess.run(
        [str(BIN / "newsdesk"), "index", "add", str(source), "--json"],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"index add failed ({result.returncode}): {result.stderr[-2000:]}")
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def reported(report: dict[str, Any]) -> set[str]:
    """The articles a run reports indexed."""
    return {*report["added"], *report["updated"], *report["unchanged"]}


def check(data_dir: Path, url: str | None, collection: str, report: dict[str, Any],
          clean: set[str], done_at_kill: set[str]) -> str:  # fmt: skip
    """'yes', or what is inconsistent."""
    from index.components import build_index
    from index.config import IndexSettings

    settings = IndexSettings(data_dir=data_dir, chroma_url=url, collection=collection)
    index = build_index(settings, warm_up=False)
    try:
        paragraphs = assert_consistent(index)
    except AssertionError as error:
        return f"no: {error}"
    finally:
        index.catalog.close()
    indexed = reported(report)
    with sqlite3.connect(data_dir / "catalog.sqlite3") as conn:
        states = dict(conn.execute("SELECT id, state FROM articles").fetchall())
        recorded = dict(conn.execute("SELECT id, paragraphs FROM articles").fetchall())
        owners = dict(conn.execute("SELECT id, article_id FROM paragraphs").fetchall())
    done = {a for a, s in states.items() if s == "done"}
    per_article: dict[str, int] = {}
    for pid in paragraphs:
        per_article[owners[pid]] = per_article.get(owners[pid], 0) + 1
    problems = [
        ("done != reported", done != indexed),
        ("reported != clean run", indexed != clean),
        ("articles not done", set(states) != done),
        ("paragraph of an unreported article", not set(per_article) <= indexed),
        ("paragraph counts", any(per_article.get(a, 0) != recorded[a] for a in done)),
        ("done at kill not unchanged", not done_at_kill <= set(report["unchanged"])),
    ]
    bad = [name for name, failed in problems if failed]
    return "no: " + ", ".join(bad) if bad else "yes"


def one_round(work: Path, source: Path, name: str, delay: float, url: str | None,
              clean: set[str]) -> tuple[int, str]:  # fmt: skip
    """Kill -9 the indexer after ``delay`` s, resume, check; (articles done at kill, verdict)."""
    data_dir = work / name
    env = cli_env(data_dir, url, name)
    process = start_indexer(source, env)
    try:
        time.sleep(delay)
    finally:
        kill_9(process)
    at_kill = done_ids(data_dir)
    report = run_to_end(source, env)
    return len(at_kill), check(data_dir, url, name, report, clean, at_kill)


def server_kill_round(work: Path, source: Path, server: ChromaServer, delay: float,
                      clean: set[str]) -> tuple[float, int, str, str]:  # fmt: skip
    """Kill -9 the Chroma server ``delay`` s after the first batch of an indexing run is done,
    restart it, rerun the indexer; (seconds from the start to the kill, articles done at the
    kill, how the indexer ended, verdict)."""
    data_dir, name = work / "server-kill", "server-kill"
    env = cli_env(data_dir, server.url, name)
    process = start_indexer(source, env)
    started = time.monotonic()
    while not done_ids(data_dir) and process.poll() is None:  # into the indexing itself
        time.sleep(0.02)
    time.sleep(delay)
    server.kill_9()
    delay = time.monotonic() - started
    at_kill = done_ids(data_dir)
    try:
        code = process.wait(timeout=120)
        ended = f"exit {code}"
    except subprocess.TimeoutExpired:
        kill_9(process)
        ended = "hung 120 s, killed"
    server.start()
    report = run_to_end(source, env)
    verdict = check(data_dir, server.url, name, report, clean, at_kill & done_ids(data_dir))
    return delay, len(at_kill), ended, verdict


def table(title: str, rows: list[tuple[int, float, int, str]]) -> None:
    print(f"\n{title}\n| round | kill after (s) | articles done before kill | consistent |")
    print("|---:|---:|---:|---|")
    for n, delay, done, verdict in rows:
        print(f"| {n} | {delay:.2f} | {done} | {verdict} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="2 rounds")
    args = parser.parse_args()
    rounds = 2 if args.quick else args.rounds
    rng = random.Random(args.seed)
    failures = 0
    with tempfile.TemporaryDirectory(prefix="faults-") as tmp:
        work = Path(tmp)
        source = write_jsonl(work / "articles.jsonl", eval_slice(ARTICLES, PARAGRAPHS))
        started = time.monotonic()
        clean_report = run_to_end(source, cli_env(work / "clean", None, "clean"))
        clean_s = time.monotonic() - started
        clean = reported(clean_report)
        print(f"clean run: {len(clean)} articles, {clean_report['paragraphs']} paragraphs, "
              f"{clean_s:.1f} s; seed {args.seed}, {rounds} rounds")  # fmt: skip
        delays = [rng.uniform(0.5, 0.9 * clean_s) for _ in range(rounds)]
        rows = []
        for n, delay in enumerate(delays, 1):
            rows.append((n, delay, *one_round(work, source, f"embedded-{n}", delay, None, clean)))
        table("embedded store (kill -9 of newsdesk index add)", rows)
        failures += sum(r[3] != "yes" for r in rows)

        server = ChromaServer(work / "server")
        server.start()
        try:
            delays = [rng.uniform(0.5, 0.9 * clean_s) for _ in range(rounds)]
            rows = []
            for n, delay in enumerate(delays, 1):
                rows.append(
                    (n, delay, *one_round(work, source, f"server-{n}", delay, server.url, clean))
                )
            table(f"Chroma server {server.url} (kill -9 of newsdesk index add)", rows)
            failures += sum(r[3] != "yes" for r in rows)
            delay = rng.uniform(0.0, clean_s / 4)
            delay, done, ended, verdict = server_kill_round(work, source, server, delay, clean)
            print(f"\nkill -9 of the Chroma server after {delay:.2f} s: {done} articles done, "
                  f"indexer {ended}; after restart and rerun consistent: {verdict}")  # fmt: skip
            failures += verdict != "yes"
        finally:
            server.stop()
    print(f"\n{failures} inconsistent")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
