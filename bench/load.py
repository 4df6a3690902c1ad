"""Load and faults (issue 21): clients asking while another process indexes, then throughput.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/load.py            # 60 s phase 1, 20 s per level
    HF_HUB_OFFLINE=1 .venv/bin/python bench/load.py --quick    # short smoke run
    HF_HUB_OFFLINE=1 .venv/bin/python bench/load.py --servers  # Chroma server + PostgreSQL

Phase 1: a real ``newsdesk serve`` (a separate process) over a fresh data dir holding the sample
article and the first ``--base`` dev articles (indexed before timing). ``--clients`` threads
POST /api/ask with dev questions for ``--seconds`` while a second process runs
``newsdesk index add`` on a JSONL file of ``--new`` other dev articles (the shortest of the rest,
to keep the run short) into the same NEWSDESK_DATA_DIR. Only writers take the data dir's lock
(index/storage/lock.py); the server only reads, so it is never locked out. Reported: failed
requests (non-200 or transport errors), p50/p95/p99, requests/s; once the indexer exits, every
new article must be listed exactly once by GET /api/articles with paragraphs, and /api/health's
``paragraphs`` must equal its ``vectors``.

Phase 2: the same server, no indexer, 2/4/8/16 clients for ``--level-seconds`` each:
answers/s, p50/p95, errors, and the level where throughput stops rising (< 5% gain).

``--servers``: the collection on a Chroma server and a PostgreSQL database started on loopback
(NEWSDESK_CHROMA_URL, NEWSDESK_DATABASE_URL), the server and each indexer with a data folder of
its own, as on separate machines; indexers then take turns by PostgreSQL's advisory lock.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.serve_latency import REPO, SET, free_port, load, questions, start_server

SAMPLES = REPO / "samples"
CLI = [sys.executable, "-c", "from ui.cli.main import main; main()"]


def dev_articles(base: int, new: int) -> tuple[list[str], list[str]]:
    """The first ``base`` dev article lines, and the ``new`` shortest of the rest (unique ids)
    of at least 1,000 characters (shorter ones are stubs, some with no paragraph to index)."""
    lines = (SET / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    first = lines[:base]
    seen = {json.loads(line)["id"] for line in first}
    rest: dict[str, str] = {}
    for line in lines[base:]:
        rid = json.loads(line)["id"]
        if rid not in seen and len(json.loads(line)["text"]) >= 1000:
            rest.setdefault(rid, line)
    return first, sorted(rest.values(), key=len)[:new]


def indexer(folder: Path, inputs: list[Path], quiet: bool = True) -> subprocess.Popen[bytes]:
    """``newsdesk index add`` of ``inputs`` into ``folder``, as its own process."""
    env = {**os.environ, "NEWSDESK_DATA_DIR": str(folder)}
    cmd = [*CLI, "index", "add", "--json", *map(str, inputs)]
    out = subprocess.DEVNULL if quiet else None
    return subprocess.Popen(cmd, env=env, cwd=REPO, stdout=out, stderr=subprocess.PIPE)


def asker(http: httpx.Client) -> Callable[[str], bool]:
    """A ``call`` for ``load``: True only for a 200; transport errors count as failures."""

    def call(question: str) -> bool:
        try:
            return http.post("/api/ask", json={"question": question}).status_code == 200
        except httpx.HTTPError:
            return False

    return call


def run_clients(port: int, qs: list[str], clients: int, seconds: float) -> dict:
    """``clients`` threads asking over HTTP for ``seconds``."""
    limits = httpx.Limits(max_connections=clients)
    url = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=url, timeout=120, limits=limits) as http:
        return load(asker(http), qs, clients, seconds)


def listed(port: int) -> list[dict]:
    """Every article GET /api/articles lists, page by page (duplicates kept)."""
    items: list[dict] = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
        while True:
            page = http.get("/api/articles", params={"offset": len(items), "limit": 500}).json()
            items += page["items"]
            if not page["items"] or len(items) >= page["total"]:
                return items


def check_indexed(port: int, new_ids: list[str]) -> dict:
    """Each new article listed exactly once, and the catalog's paragraphs all have vectors."""
    items = listed(port)
    ids = [item["id"] for item in items]
    counts = {i: ids.count(i) for i in new_ids}
    empty = {item["id"] for item in items if item["paragraphs"] == 0}
    health = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=60).json()
    return {
        "new_listed_once": sum(1 for c in counts.values() if c == 1),
        "new_missing": sum(1 for c in counts.values() if c == 0),
        "new_duplicated": sum(1 for c in counts.values() if c > 1),
        "new_without_paragraphs": len(empty & set(new_ids)),
        "listed": len(ids),
        "distinct": len(set(ids)),
        "paragraphs": health["paragraphs"],
        "vectors": health["vectors"],
    }


def phase1(args: argparse.Namespace, folder: Path, port: int, qs: list[str], new: Path) -> dict:
    """Clients asking while another process indexes ``new``."""
    proc = indexer(folder, [new])
    started = time.perf_counter()
    served = run_clients(port, qs, args.clients, args.seconds)
    overlapped = proc.poll() is None  # the indexer was still running when the clients stopped
    _, err = proc.communicate()
    took = time.perf_counter() - started
    if proc.returncode != 0:
        print(err.decode(errors="replace")[-2000:], file=sys.stderr)
    return {**served, "indexer_rc": proc.returncode, "indexer_s": took,
            "indexer_overlapped": overlapped}  # fmt: skip


def phase2(args: argparse.Namespace, port: int, qs: list[str]) -> list[dict]:
    """Throughput at each client count."""
    rows = []
    for clients in args.levels:
        rows.append({"clients": clients, **run_clients(port, qs, clients, args.level_seconds)})
    return rows


def saturation(rows: list[dict]) -> int | None:
    """The first client count whose throughput rises less than 5% over the previous one."""
    for before, after in itertools.pairwise(rows):
        if after["rps"] < before["rps"] * 1.05:
            return int(before["clients"])
    return None


def main() -> None:
    """Prepare the data dir, run both phases, print markdown tables and a JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60, help="phase 1 duration")
    parser.add_argument("--level-seconds", type=float, default=20, help="phase 2, per level")
    parser.add_argument("--levels", type=int, nargs="+", default=[2, 4, 8, 16])
    parser.add_argument("--base", type=int, default=100, help="dev articles indexed first")
    parser.add_argument("--new", type=int, default=200, help="dev articles indexed under load")
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="smoke run: 20 + 20 articles, 10 s")
    parser.add_argument(
        "--servers", action="store_true", help="a Chroma server and PostgreSQL, not embedded"
    )
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.level_seconds, args.base, args.new = 10, 5, 20, 20
        args.levels = [2, 8]

    qs = questions(args.questions)
    tmp = Path(tempfile.mkdtemp(prefix="load-bench-"))
    with contextlib.ExitStack() as stack:
        if args.servers:
            start_servers(stack, tmp)
        run(args, qs, tmp)


def start_servers(stack: contextlib.ExitStack, tmp: Path) -> None:
    """A Chroma server and a PostgreSQL database for the run, named in os.environ (so every
    process started after sees them), stopped when ``stack`` closes."""
    from tests.index.conftest import ChromaServer
    from tests.postgres_server import PostgresServer

    chroma, postgres = ChromaServer(tmp / "chroma"), PostgresServer()
    stack.callback(chroma.stop)
    stack.callback(postgres.remove)
    chroma.start()
    postgres.start()
    os.environ["NEWSDESK_CHROMA_URL"] = chroma.url
    os.environ["NEWSDESK_DATABASE_URL"] = postgres.new_database()


def run(args: argparse.Namespace, qs: list[str], tmp: Path) -> None:
    """Prepare the collection, run both phases, print the report."""
    servers = "NEWSDESK_DATABASE_URL" in os.environ
    folder = tmp / "data"
    base_lines, new_lines = dev_articles(args.base, args.new)
    (tmp / "base.jsonl").write_text("\n".join(base_lines) + "\n", encoding="utf-8")
    (tmp / "new.jsonl").write_text("\n".join(new_lines) + "\n", encoding="utf-8")
    new_ids = [json.loads(line)["id"] for line in new_lines]

    t0 = time.perf_counter()
    pre = indexer(folder, [SAMPLES, tmp / "base.jsonl"])
    if pre.wait() != 0:
        raise SystemExit(f"pre-indexing failed: {pre.stderr.read().decode() if pre.stderr else ''}")
    pre_s = time.perf_counter() - t0
    port = free_port()
    server = start_server(folder, port)
    try:
        run_clients(port, qs[:4], 2, 0.1)  # warm-up: model, reader, connections
        before = check_indexed(port, [])
        first = phase1(args, tmp / "indexer" if servers else folder, port, qs, tmp / "new.jsonl")
        checked = check_indexed(port, new_ids)
        levels = phase2(args, port, qs)
    finally:
        server.terminate()
        server.wait(timeout=30)
    report(args, pre_s, before, first, checked, levels)


def report(args: argparse.Namespace, pre_s: float, before: dict, first: dict, checked: dict,
           levels: list[dict]) -> None:  # fmt: skip
    """Print the figures as markdown."""
    where = "Chroma server + PostgreSQL" if "NEWSDESK_DATABASE_URL" in os.environ else "embedded"
    print(f"\ncollection: {where}; {os.cpu_count()} cores; before: {before['listed']} articles, "
          f"{before['paragraphs']} paragraphs (indexed in {pre_s:.0f}s)\n")  # fmt: skip
    print(f"### Phase 1: {args.clients} clients for {args.seconds:.0f}s while another process "
          f"indexes {args.new} articles\n")  # fmt: skip
    print("| requests | failed | req/s | p50 ms | p95 ms | p99 ms | indexer rc | indexer s |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    f = first
    cells = [f["requests"], f["errors"], f"{f['rps']:.2f}", f"{f['p50']:.0f}", f"{f['p95']:.0f}"]
    cells += [f"{f['p99']:.0f}", f["indexer_rc"], f"{f['indexer_s']:.0f}"]
    print("| " + " | ".join(map(str, cells)) + " |")
    c = checked
    once = c["new_listed_once"] == args.new and c["distinct"] == c["listed"]
    once = once and c["new_without_paragraphs"] == 0
    ok = once and c["paragraphs"] == c["vectors"] and f["errors"] == 0 and f["indexer_rc"] == 0
    print(f"\nnew articles listed once: {c['new_listed_once']}/{args.new} (missing "
          f"{c['new_missing']}, duplicated {c['new_duplicated']}, without paragraphs "
          f"{c['new_without_paragraphs']}); catalog {c['listed']} listed, "
          f"{c['distinct']} distinct; paragraphs {c['paragraphs']}, vectors {c['vectors']}; "
          f"indexer still running when clients stopped: {f['indexer_overlapped']}; "
          f"**{'PASS' if ok else 'FAIL'}**\n")  # fmt: skip
    print(f"### Phase 2: throughput, {args.level_seconds:.0f}s per level, no indexer\n")
    print("| clients | answers | errors | answers/s | p50 ms | p95 ms |")
    print("|---:|---:|---:|---:|---:|---:|")
    for r in levels:
        print(f"| {r['clients']} | {r['requests']} | {r['errors']} | {r['rps']:.2f} | "
              f"{r['p50']:.0f} | {r['p95']:.0f} |")  # fmt: skip
    knee = saturation(levels)
    print(f"\nthroughput stops rising (<5% gain) after {knee} clients" if knee else
          "\nthroughput still rising at the last level")  # fmt: skip
    print(json.dumps({"phase1": first, "checked": checked, "levels": levels, "pass": ok}))


if __name__ == "__main__":
    main()
