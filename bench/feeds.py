"""Feed polling cost: the time from a new entry appearing on a feed to it being answerable
(the server's poller, a short interval, then the real search finds it), and the CPU of one
poll when the feed is unchanged (304) and when it gained an entry (fetch, parse, embed one
article, write).

A real RSS server on loopback (tests.feed_server) serves a feed of ``--entries`` entries; the
index is a fresh one in a temporary folder, with the real MiniLM model unless ``--fake``.

    .venv/bin/python -m bench.feeds [--fake] [--entries 20] [--every 2] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from index.components import build_index
from index.config import IndexSettings
from index.feeds.poll import FeedFetcher, poll_feed
from index.feeds.store import FeedStore
from qa.components import build_qa
from qa.config import QASettings
from qa.requests import SearchQuery
from tests.feed_server import FeedServer, story
from ui.config import UISettings
from ui.feeds import FeedPoller
from ui.services import Services


def build(data_dir: Path, fake: bool) -> Services:
    """Services over a fresh index (real or fake embedder) with the real retrieval."""
    embedder: Any = None
    if fake:
        from tests.conftest import FakeEmbedder

        embedder = FakeEmbedder()
    settings = IndexSettings(data_dir=data_dir, url_allowed_networks="127.0.0.1/32")
    components = build_index(settings, embedder=embedder)
    qa = build_qa(components, QASettings(reader=False))
    return Services(components, qa, UISettings())


def cpu_per_poll(svc: Services, server: FeedServer, url: str, rounds: int) -> dict[str, float]:
    """Mean CPU and wall milliseconds of unchanged (304) and changed (one new entry) polls."""
    store = FeedStore(svc.index.catalog)
    feed, _ = store.add(url, 60)
    fetcher = FeedFetcher(max_bytes=svc.index.settings.max_article_bytes)
    index = svc.add_articles
    poll_feed(store, store.find(feed.id), fetcher, index)  # the first: every entry
    figures: dict[str, list[tuple[float, float]]] = {"unchanged": [], "changed": []}
    for number in range(rounds * 4):
        cpu, wall = time.process_time(), time.perf_counter()
        outcome = poll_feed(store, store.find(feed.id), fetcher, index)
        assert outcome.status == "not modified", outcome
        figures["unchanged"].append((time.process_time() - cpu, time.perf_counter() - wall))
        if number % 4 == 3:
            server.entries = [story(1000 + number, f"cpu{number}"), *server.entries]
            cpu, wall = time.process_time(), time.perf_counter()
            outcome = poll_feed(store, store.find(feed.id), fetcher, index)
            assert outcome.added == 1, outcome
            figures["changed"].append((time.process_time() - cpu, time.perf_counter() - wall))
    fetcher.close()
    store.remove(feed.id)
    return {
        f"{kind} {what} ms": 1000 * statistics.mean(row[i] for row in rows)
        for kind, rows in figures.items()
        for i, what in enumerate(("cpu", "wall"))
    }


def time_to_answerable(
    svc: Services, server: FeedServer, url: str, every_s: int, rounds: int
) -> list[float]:
    """Seconds from a new entry on the feed to the search finding it, with the server's
    poller polling the feed every ``every_s`` seconds."""
    store = FeedStore(svc.index.catalog)
    feed, _ = store.add(url, every_s)  # under the 1m minimum of the CLI/API: the store allows it
    poller = FeedPoller(svc, guard=svc.index.settings.url_guard()).start()
    seconds = []
    try:
        while store.find(feed.id).last_success is None:
            time.sleep(0.05)
        for number in range(rounds):
            time.sleep(every_s * ((0.3 + 0.37 * number) % 1))  # land at varied phases
            word = f"zanzibarquokka{number}"
            started = time.perf_counter()
            server.entries = [story(2000 + number, word), *server.entries]
            wanted = f"https://news.example/story-{2000 + number}"
            while True:
                passages = svc.qa.search(SearchQuery(query=f"Residents debated {word}", k=5))
                if any(p.article_id == wanted for p in passages):
                    break
                time.sleep(0.02)
            seconds.append(time.perf_counter() - started)
    finally:
        poller.stop()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fake", action="store_true", help="a fake embedder, not MiniLM")
    parser.add_argument("--entries", type=int, default=20, help="entries on the feed")
    parser.add_argument("--every", type=int, default=2, help="poll interval (s) for latency")
    parser.add_argument("--rounds", type=int, default=5, help="new entries measured")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, FeedServer() as server:
        server.entries = [story(n) for n in range(1, args.entries + 1)]
        svc = build(Path(folder) / "data", args.fake)
        svc.index.embedder.warm_up()
        model = "fake embedder" if args.fake else "MiniLM (CPU)"
        print(f"feed: {args.entries} entries on loopback; {model}; {os.cpu_count()} CPUs")
        for name, value in cpu_per_poll(svc, server, f"{server.url}/feed.xml", args.rounds).items():
            print(f"{name:>22}: {value:8.1f}")
        latency = time_to_answerable(svc, server, f"{server.url}/feed.xml", args.every, args.rounds)
        shown = ", ".join(f"{s:.2f}" for s in latency)
        print(
            f"new entry -> answerable (poll every {args.every} s): mean"
            f" {statistics.mean(latency):.2f} s, max {max(latency):.2f} s ({shown})"
        )


if __name__ == "__main__":
    main()
