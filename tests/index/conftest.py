"""Fixtures of the index tests: article factories, a Chroma server, eval-set slices."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.models import Article
from tests.conftest import EVAL_ARTICLES

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


WORDS = (  # noqa: SIM905
    "council harbour bridge budget minister river storm election court vaccine school train "
    "museum festival market drought factory strike league mayor hospital airport wildfire"
).split()


def make_article(
    n: int,
    paragraphs: int = 3,
    source: str = "example.com",
    published: str = "2024-05-01",
    extra: list[str] | None = None,
) -> Article:
    """A deterministic article ``a{n}`` whose paragraphs are distinct sentences of 10+ words."""
    lines = [f"Paragraph {k} of story {n}: {_words(n * 7 + k * 3)}." for k in range(paragraphs)]
    return Article(
        id=f"a{n}",
        title=f"Story {n} {WORDS[n % len(WORDS)]}",
        text="\n".join(lines + (extra or [])),
        url=f"https://{source}/story-{n}",
        published=published,
        source=source,
    )


def _words(start: int) -> str:
    """Ten words of WORDS from ``start`` on (cycling)."""
    return " ".join(WORDS[(start + i) % len(WORDS)] for i in range(10))


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_heartbeat(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    """Wait until the Chroma server at ``url`` answers, or fail."""
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"chroma server exited with code {process.returncode}")
        try:
            if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"chroma server at {url} did not answer in {seconds}s")


class ChromaServer:
    """``chroma run`` over ``path`` (its database in path/db, its log in path/server.log) on
    one free loopback port, which a test or a bench can stop, kill -9 and start again."""

    def __init__(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self.path, self.port = path, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the server and wait until it answers (or fail)."""
        with (self.path / "server.log").open("ab") as log:
            self.process = subprocess.Popen(
                [str(BIN / "chroma"), "run", "--path", str(self.path / "db"), "--host",
                 "127.0.0.1", "--port", str(self.port)],
                stdout=log, stderr=subprocess.STDOUT,
                env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
            )  # fmt: skip
        wait_for_heartbeat(self.url, self.process)

    def kill_9(self) -> None:
        """SIGKILL the server (if running) and reap it."""
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait()
            self.process = None

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 20 s)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=20)
        self.kill_9()


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Chroma server (``chroma run``) on a free loopback port for the session; its URL."""
    server = ChromaServer(tmp_path_factory.mktemp("chroma-server"))
    try:
        server.start()
        yield server.url
    finally:
        server.stop()


def eval_slice(count: int, paragraphs: int | None = None) -> list[dict[str, object]]:
    """The first ``count`` records of the eval articles (skips the test when absent), each cut
    to its first ``paragraphs`` non-empty lines when given."""
    if not EVAL_ARTICLES.exists():
        pytest.skip(f"{EVAL_ARTICLES} not available")
    records = []
    with EVAL_ARTICLES.open(encoding="utf-8") as lines:
        for line, _ in zip(lines, range(count), strict=False):
            record = json.loads(line)
            if paragraphs is not None:
                kept = [p for p in str(record["text"]).splitlines() if p.strip()][:paragraphs]
                record["text"] = "\n".join(kept)
            records.append(record)
    return records


def write_jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    """Write records as JSON Lines; returns ``path``."""
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path
