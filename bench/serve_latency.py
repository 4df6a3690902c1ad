"""Serving latency: N concurrent clients POST /api/ask to a real uvicorn server (a separate
process) for a fixed time, then the same questions are answered in-process by N threads; the
ratio of the two shows what the HTTP layer costs.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/serve_latency.py --clients 4 --seconds 30

Uses the eval-set index cached by bench/quality.py (bench/.cache/realtimeqa-dev/newsdesk) when
it is complete, else indexes a slice of the set's articles into a temporary folder.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SET = REPO.parent / "shared" / "eval" / "realtimeqa-dev"
CACHE = REPO / "bench" / ".cache" / "realtimeqa-dev" / "newsdesk"
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def questions(limit: int) -> list[str]:
    """The first ``limit`` questions of the eval set."""
    lines = (SET / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines[:limit]]


def data_dir(slice_size: int) -> Path:
    """The cached full index when complete, else a fresh index of a slice of the articles."""
    if (CACHE / "indexed.ok").exists():
        return CACHE
    from index.components import build_index
    from index.config import IndexSettings
    from index.readers.inputs import article_from_record

    folder = Path(tempfile.mkdtemp(prefix="serve-bench-")) / "data"
    lines = (SET / "articles.jsonl").read_text(encoding="utf-8").splitlines()[:slice_size]
    articles = [article_from_record(json.loads(line), "articles.jsonl") for line in lines]
    build_index(IndexSettings(data_dir=folder)).service.add(articles)
    return folder


def percentiles(latencies: list[float]) -> dict[str, float]:
    """p50/p95/p99 in milliseconds."""
    ordered = sorted(latencies)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99)}


def load(call: Callable[[str], bool], qs: list[str], clients: int, seconds: float) -> dict:
    """Run ``clients`` threads calling ``call`` round-robin over ``qs`` for ``seconds``."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds
    cycle = itertools.cycle(qs)

    def worker() -> None:
        while time.perf_counter() < deadline:
            with lock:
                question = next(cycle)
            started = time.perf_counter()
            ok = call(question)
            took = time.perf_counter() - started
            with lock:
                latencies.append(took)
                errors[0] += 0 if ok else 1

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {"requests": len(latencies), "errors": errors[0], "rps": len(latencies) / elapsed,
            **percentiles(latencies)}  # fmt: skip


def start_server(folder: Path, port: int) -> subprocess.Popen[bytes]:
    """``newsdesk serve`` on loopback over ``folder``; returns once it answers."""
    env = {**os.environ, "NEWSDESK_DATA_DIR": str(folder)}
    code = "from ui.cli.main import main; main()"
    cmd = [sys.executable, "-c", code, "serve", "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=subprocess.DEVNULL)
    import httpx

    for _ in range(600):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("the server did not start")


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    """Measure, print a table and a JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--slice", type=int, default=300, help="articles when no cache")
    args = parser.parse_args()
    import httpx

    from index.components import build_index
    from index.config import IndexSettings
    from qa.components import build_qa
    from qa.config import QASettings
    from qa.requests import AskQuery

    qs = questions(args.questions)
    folder = data_dir(args.slice)
    port = free_port()
    server = start_server(folder, port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60,
                          limits=httpx.Limits(max_connections=args.clients)) as http:  # fmt: skip

            def over_http(q: str) -> bool:
                return http.post("/api/ask", json={"question": q}).status_code == 200

            for q in qs[:3]:
                over_http(q)  # warm-up
            served = load(over_http, qs, args.clients, args.seconds)
            stats = http.get("/api/health").json()
    finally:
        server.terminate()
        server.wait(timeout=30)
    qa = build_qa(build_index(IndexSettings(data_dir=folder)), QASettings())

    def in_process(q: str) -> bool:
        qa.ask(AskQuery(question=q))
        return True

    for q in qs[:3]:
        in_process(q)
    local = load(in_process, qs, args.clients, args.seconds)
    report(args, folder, stats, served, local)


def report(args: argparse.Namespace, folder: Path, stats: dict, served: dict, local: dict) -> None:
    """Print the figures."""
    print(f"index: {folder} ({stats['articles']} articles, {stats['paragraphs']} paragraphs); "
          f"{args.clients} clients, {args.seconds:.0f}s each, {os.cpu_count()} cores")  # fmt: skip
    print(f"{'':12}{'requests':>9}{'errors':>7}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for name, r in (("server", served), ("in-process", local)):
        print(f"{name:12}{r['requests']:>9}{r['errors']:>7}{r['rps']:>8.2f}"
              f"{r['p50']:>9.0f}{r['p95']:>9.0f}{r['p99']:>9.0f}")  # fmt: skip
    overhead = served["p50"] / local["p50"] - 1 if local["p50"] else float("nan")
    print(f"server overhead at p50: {overhead:+.1%}; "
          f"throughput ratio: {served['rps'] / local['rps']:.2f}")  # fmt: skip
    print(json.dumps({"served": served, "in_process": local, "overhead_p50": overhead}))


if __name__ == "__main__":
    main()
