"""Faults (issue 21): kill -9 the indexer, the server and the stores at seeded random moments,
then resume and check that nothing is lost and nothing is there twice.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/faults.py --seed 0 --rounds 10
    HF_HUB_OFFLINE=1 .venv/bin/python bench/faults.py --quick     # 2 rounds per configuration
    HF_HUB_OFFLINE=1 .venv/bin/python bench/faults.py --part serve  # the server part alone

Three configurations: ``embedded`` (embedded Chroma, SQLite catalog in the data dir), ``chroma`` (a
Chroma server, ``chroma run`` on a free loopback port, and the SQLite catalog) and ``servers`` (the
Chroma server and a PostgreSQL server, NEWSDESK_DATABASE_URL: the catalog and the keyword index in
PostgreSQL, indexers taking turns by an advisory lock). Every round has a collection of its own
(and, with PostgreSQL, a database of its own).

The indexer (all three configurations): a JSONL file of 30 short dev articles (4 paragraphs each,
../shared/eval/realtimeqa-dev) is indexed by ``newsdesk index add`` (the real CLI and model, 2
articles per batch). A clean run per configuration gives the reference and the mean length of a
batch. Each round gets SIGKILL at a seeded random point of the indexing (``random.Random``): once a
drawn number of articles is done (0, 2, ... 28; 0 = once the first is in the catalog, the model
loaded), a drawn part of a batch's length later. Points are set by progress, not by the clock,
because the load of the machine stretches runs unevenly (timed from the start, a kill lands in the
model's load or after the end). Then ``newsdesk index add --json`` runs again to completion.
Consistent means: the catalog, the keyword index, Chroma and the sentence vectors hold the same
paragraph ids, each once (tests/conftest.py ``assert_consistent``); the articles marked done (the
article list) are exactly those the resumed run reports (added, updated, unchanged) and those of the
clean run, each with the clean run's paragraph count and as many paragraphs as it records; every
article done at the kill is reported unchanged.

The stores, once each: the Chroma server (``chroma`` and ``servers``) and the PostgreSQL server
(``servers``) get SIGKILL a seeded delay after the first batch of an indexing run is done; they are
started again on the same data and port, the indexer is rerun, and the same is checked.

The server (``embedded`` and ``servers``): ``newsdesk serve`` (the real server and model) over a
fresh collection; a client thread uploads 24 short dev articles through POST /api/articles, in turns
of three sent one by one as JSON and three as an uploaded JSON Lines file, each request re-sent
until it is acknowledged (a refused or dropped connection, a 503 or a 409 is retried after a pause,
as a client of a restarting server would). A clean upload (no kill) gives the reference and the mean
length of a request; each round kills the server at a seeded point of the upload (a drawn part of a
request's length after a drawn request is sent), starts it again on the same port and lets the
client finish. Consistent means the indexes agree as above, and: every request was acknowledged,
nothing was removed; the articles the API reported indexed are those of the clean upload, each
listed once by GET /api/articles, done, with the paragraphs its last acknowledgement gave and those
of the clean upload; /api/health counts them, and as many vectors as paragraphs.
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
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from index.config import IndexSettings  # noqa: E402
from index.storage.postgres import PostgresDatabase  # noqa: E402
from tests.conftest import assert_consistent  # noqa: E402
from tests.index.conftest import BIN, ChromaServer, eval_slice, free_port, write_jsonl  # noqa: E402
from tests.postgres_server import PostgresServer  # noqa: E402

ARTICLES, PARAGRAPHS, PER_BATCH = 30, 4, 2
SERVE_ARTICLES, PER_REQUEST = 24, 3
API_KEY = "faults-key"
RETRY_S = 0.25  # the client's pause before re-sending a request
Problems = list[tuple[str, bool]]


# Where a round's articles go


@dataclass(frozen=True)
class Place:
    """One round's collection: a data dir, a Chroma collection, and where they live (a Chroma
    server's URL, a PostgreSQL database's URL; None: embedded Chroma, SQLite catalog)."""

    data_dir: Path
    collection: str
    chroma_url: str | None = None
    database_url: str | None = None

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a newsdesk process on this collection (no other NEWSDESK_*)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
        env |= {
            "NEWSDESK_DATA_DIR": str(self.data_dir),
            "NEWSDESK_ARTICLES_PER_BATCH": str(PER_BATCH),
            "NEWSDESK_COLLECTION": self.collection,
        }
        if self.chroma_url:
            env["NEWSDESK_CHROMA_URL"] = self.chroma_url
        if self.database_url:
            env["NEWSDESK_DATABASE_URL"] = self.database_url
        return env | extra

    def settings(self) -> IndexSettings:
        """The index settings of this collection."""
        return IndexSettings.model_validate(
            {
                "data_dir": self.data_dir,
                "collection": self.collection,
                "chroma_url": self.chroma_url,
                "database_url": self.database_url,
            }
        )

    def states(self) -> dict[str, str]:
        """Each article's state in the catalog, read while another process may be writing it
        ({} while it cannot be read: not created yet, or its server down)."""
        if self.database_url:
            try:
                rows = postgres(self.database_url).connection().execute(STATES).fetchall()
            except Exception:  # unreachable server, table not created yet
                return {}
            return dict(rows)
        path = self.data_dir / "catalog.sqlite3"
        if not path.exists():
            return {}
        try:  # read-only: never creates the file a starting indexer is about to create
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as conn:
                return dict(conn.execute(STATES).fetchall())
        except sqlite3.OperationalError:
            return {}

    def done_ids(self) -> set[str]:
        """The articles marked done."""
        return {a for a, state in self.states().items() if state == "done"}


STATES = "SELECT id, state FROM articles"


@cache
def postgres(url: str) -> PostgresDatabase:
    """One PostgresDatabase per URL for polling (its connection is opened again when the
    server dropped it)."""
    return PostgresDatabase(url)


@dataclass
class Backend:
    """A configuration: embedded, a Chroma server (SQLite catalog), or both servers."""

    name: str
    chroma: ChromaServer | None = None
    postgres: PostgresServer | None = None

    def place(self, work: Path, name: str) -> Place:
        """A new collection (and database) named ``name``."""
        database = self.postgres.new_database() if self.postgres else None
        chroma = self.chroma.url if self.chroma else None
        return Place(work / name, name, chroma, database)


# What a collection holds


@dataclass(frozen=True)
class Contents:
    """A collection's articles as its catalog records them, once its indexes agree."""

    states: dict[str, str]
    recorded: dict[str, int]  # the paragraph count each article records
    held: dict[str, int]  # the paragraphs each article has in the indexes

    @property
    def done(self) -> set[str]:
        """The articles marked done."""
        return {a for a, state in self.states.items() if state == "done"}

    def done_paragraphs(self) -> dict[str, int]:
        """The paragraphs held by each done article."""
        return {a: self.held.get(a, 0) for a in self.done}


def read_contents(place: Place) -> Contents:
    """Open the collection through the project's own API (build_index, the Catalog) and read
    it; raises AssertionError unless the catalog, the keyword index, Chroma and the sentence
    vectors hold the same paragraph ids, once each."""
    from index.components import build_index

    index = build_index(place.settings(), warm_up=False)
    try:
        paragraphs = assert_consistent(index)
        conn = index.catalog.connection()
        states = dict(conn.execute(STATES).fetchall())
        recorded = dict(conn.execute("SELECT id, paragraphs FROM articles").fetchall())
        owners = dict(conn.execute("SELECT id, article_id FROM paragraphs").fetchall())
    finally:
        index.catalog.close()
    held: dict[str, int] = {}
    for paragraph in paragraphs:
        held[owners[paragraph]] = held.get(owners[paragraph], 0) + 1
    return Contents(states, recorded, held)


def article_problems(
    contents: Contents, indexed: set[str], clean: dict[str, int] | None
) -> Problems:
    """What must hold of the articles ``indexed`` (as reported), against a clean run's
    paragraphs per article (unless None)."""
    done = contents.done
    return [
        ("done != reported", done != indexed),
        ("articles not done", set(contents.states) != done),
        ("paragraph of an unreported article", not set(contents.held) <= indexed),
        ("paragraph counts", any(contents.held.get(a, 0) != contents.recorded[a] for a in done)),
        ("reported != clean run", clean is not None and indexed != set(clean)),
        ("paragraphs != clean run", clean is not None and contents.done_paragraphs() != clean),
    ]


def verdict(problems: Problems) -> str:
    """'yes', or the names of the problems found."""
    bad = [name for name, failed in problems if failed]
    return "no: " + ", ".join(bad) if bad else "yes"


def checked(place: Place, problems: Callable[[Contents], Problems]) -> str:
    """The verdict on ``place``: its indexes agree, and none of ``problems(contents)``."""
    try:
        contents = read_contents(place)
    except AssertionError as error:
        return f"no: the indexes disagree {error}".rstrip()
    return verdict(problems(contents))


# The indexer


def start_indexer(source: Path, place: Place) -> subprocess.Popen[bytes]:
    """``newsdesk index add --quiet`` as its own process."""
    return subprocess.Popen(
        [str(BIN / "newsdesk"), "index", "add", str(source), "--quiet"],
        env=place.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def kill_9(process: subprocess.Popen[Any]) -> bool:
    """SIGKILL ``process`` and reap it; False when it had already ended."""
    running = process.poll() is None
    if running:
        process.send_signal(signal.SIGKILL)
    process.wait()
    return running


def wait_while_running(
    process: subprocess.Popen[bytes], condition: Callable[[], bool], timeout_s: float = 300
) -> None:
    """Poll ``condition`` every 20 ms until it holds, ``process`` ends or ``timeout_s`` pass."""
    deadline = time.monotonic() + timeout_s
    while not condition() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)


def run_to_end(source: Path, place: Place) -> dict[str, Any]:
    """``newsdesk index add --json`` to completion; its report (exit code 0 required)."""
    result = subprocess.run(
        [str(BIN / "newsdesk"), "index", "add", str(source), "--json"],
        env=place.env(), capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"index add failed ({result.returncode}): {result.stderr[-2000:]}")
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def reported(report: dict[str, Any]) -> set[str]:
    """The articles a run reports indexed."""
    return {*report["added"], *report["updated"], *report["unchanged"]}


@dataclass(frozen=True)
class CleanRun:
    """The reference of a configuration: paragraphs per article, and when the indexing ran."""

    paragraphs: dict[str, int]
    first_s: float  # from the start to the first article in the catalog (the model loaded)
    total_s: float

    def batch_s(self) -> float:
        """The mean seconds of a batch."""
        return (self.total_s - self.first_s) / (len(self.paragraphs) / PER_BATCH)


def clean_index(source: Path, place: Place) -> CleanRun:
    """Index ``source`` into ``place`` with no fault, timing the first article and the end."""
    log = place.data_dir.parent / f"{place.collection}.log"
    started = time.monotonic()
    with log.open("wb") as errors:
        process = subprocess.Popen(
            [str(BIN / "newsdesk"), "index", "add", str(source), "--quiet"],
            env=place.env(), stdout=subprocess.DEVNULL, stderr=errors,
        )  # fmt: skip
    first = None
    while process.poll() is None:
        if first is None and place.states():
            first = time.monotonic() - started
        time.sleep(0.05)
    total = time.monotonic() - started
    if process.returncode != 0:
        raise RuntimeError(f"clean run failed: {log.read_text()[-2000:]}")
    return CleanRun(read_contents(place).done_paragraphs(), first or 0.0, total)


@dataclass(frozen=True)
class KillPoint:
    """A seeded moment of a run, by its progress rather than the clock (which the machine's
    load stretches): ``offset`` s after ``after`` steps (articles done, requests sent)."""

    after: int
    offset: float

    @classmethod
    def draw(cls, rng: random.Random, steps: int, step_s: float, stride: int = 1) -> KillPoint:
        """A step of ``range(0, steps, stride)`` and an offset within a step's mean length."""
        return cls(rng.randrange(0, steps, stride), rng.uniform(0.0, step_s))

    def __str__(self) -> str:
        return f"{self.after} + {self.offset:.2f} s"


def indexer_round(
    source: Path, place: Place, point: KillPoint, clean: CleanRun
) -> tuple[int, str, str]:
    """Kill -9 the indexer ``point.offset`` s after ``point.after`` articles are done (0: once
    the first is in the catalog, the model loaded), resume, check; (articles done at the kill,
    whether it was still running, verdict)."""
    process = start_indexer(source, place)
    try:
        if point.after:
            wait_while_running(process, lambda: len(place.done_ids()) >= point.after)
        else:
            wait_while_running(process, lambda: bool(place.states()))
        time.sleep(point.offset)
    finally:
        running = kill_9(process)
    at_kill = place.done_ids()
    report = run_to_end(source, place)

    def problems(contents: Contents) -> Problems:
        unchanged = set(report["unchanged"])
        return [
            *article_problems(contents, reported(report), clean.paragraphs),
            ("done at kill not unchanged", not at_kill <= unchanged),
        ]

    return len(at_kill), "running" if running else "finished", checked(place, problems)


@dataclass(frozen=True)
class StoreKill:
    """A store server killed mid-indexing: which, in which configuration, and how."""

    what: str
    backend: Backend
    kill: Callable[[], None]
    restart: Callable[[], None]


def store_kill_round(source: Path, place: Place, fault: StoreKill, delay: float,
                     clean: CleanRun) -> tuple[float, int, str, str]:  # fmt: skip
    """Kill -9 the store ``delay`` s after the first batch of an indexing run is done, restart
    it, rerun the indexer; (seconds from the start to the kill, articles done at the kill, how
    the indexer ended, verdict)."""
    process = start_indexer(source, place)
    started = time.monotonic()
    wait_while_running(process, lambda: bool(place.done_ids()))  # into the indexing itself
    time.sleep(delay)
    at_kill = place.done_ids()
    fault.kill()
    delay = time.monotonic() - started
    try:
        ended = f"exit {process.wait(timeout=120)}"
    except subprocess.TimeoutExpired:
        kill_9(process)
        ended = "hung 120 s, killed"
    fault.restart()
    still_done = at_kill & place.done_ids()
    report = run_to_end(source, place)

    def problems(contents: Contents) -> Problems:
        unchanged = set(report["unchanged"])
        return [
            *article_problems(contents, reported(report), clean.paragraphs),
            ("done at kill not unchanged", not still_done <= unchanged),
            ("done at kill lost", still_done != at_kill),
        ]

    return delay, len(at_kill), ended, checked(place, problems)


def restart_postgres(server: PostgresServer, tries: int = 60) -> None:
    """Start a killed PostgreSQL again: pg_ctl refuses while the dead postmaster's backends
    are still exiting (about a second), so it is tried again meanwhile."""
    for _ in range(tries - 1):
        try:
            server.start()
            return
        except subprocess.CalledProcessError:
            time.sleep(0.5)
    server.start()


# The server and its client


@dataclass(frozen=True)
class Request:
    """One POST /api/articles: an article as JSON, or several as an uploaded JSONL file."""

    records: tuple[dict[str, Any], ...]
    file_name: str | None = None

    def post(self, http: httpx.Client) -> httpx.Response:
        """Send it."""
        if self.file_name is None:
            return http.post("/api/articles", json=self.records[0])
        body = "".join(json.dumps(r) + "\n" for r in self.records).encode()
        return http.post("/api/articles", files={"file": (self.file_name, body)})

    @property
    def ids(self) -> set[str]:
        """The ids of its articles."""
        return {str(r["id"]) for r in self.records}


def upload_requests(records: Sequence[dict[str, Any]]) -> list[Request]:
    """The requests of an upload, in turns of PER_REQUEST articles: one turn sent one article
    at a time as JSON, the next as one JSON Lines file (named after its turn), and so on."""
    requests = []
    for turn, start in enumerate(range(0, len(records), PER_REQUEST)):
        group = tuple(records[start : start + PER_REQUEST])
        if turn % 2:
            requests.append(Request(group, f"turn-{turn}.jsonl"))
        else:
            requests += [Request((record,)) for record in group]
    return requests


class Client(threading.Thread):
    """Sends the requests in order, each until the server acknowledges it with a 200: a
    refused or dropped connection, a 503 (starting, a store away) or a 409 (the index lock
    not yet free) is re-sent after RETRY_S, as a client of a restarting server would; any
    other answer is an error, and the client stops there."""

    def __init__(self, url: str, requests: list[Request], deadline_s: float = 600) -> None:
        super().__init__(daemon=True)
        self.url, self.requests, self.deadline_s = url, requests, deadline_s
        self.answers: list[dict[str, Any]] = []  # the acknowledgements, in order
        self.attempts = [0] * len(requests)
        self.errors: list[str] = []
        self.sending = -1  # the request being sent
        self.started = self.finished = 0.0

    def run(self) -> None:
        """Send every request (until one fails)."""
        self.started = time.monotonic()
        headers = {"Authorization": f"Bearer {API_KEY}"}
        with httpx.Client(base_url=self.url, headers=headers, timeout=120) as http:
            for number, request in enumerate(self.requests):
                self.sending = number
                if not self._send(http, number, request):
                    break
        self.finished = time.monotonic()

    def _send(self, http: httpx.Client, number: int, request: Request) -> bool:
        """Send one request until acknowledged; False on an error or past the deadline."""
        while time.monotonic() - self.started < self.deadline_s:
            self.attempts[number] += 1
            try:
                response = request.post(http)
            except httpx.TransportError:
                time.sleep(RETRY_S)
                continue
            if response.status_code == 200:
                self.answers.append(response.json())
                return True
            if response.status_code not in (409, 503):
                self.errors.append(f"{response.status_code} {response.text[:300]}")
                return False
            time.sleep(RETRY_S)
        self.errors.append(f"request {number} not acknowledged in {self.deadline_s} s")
        return False

    def sent_ids(self) -> set[str]:
        """The ids of every article the client has to send."""
        return {i for request in self.requests for i in request.ids}

    def reported(self) -> set[str]:
        """The articles the API reported indexed (added, updated or unchanged)."""
        return {i for a in self.answers for k in ("added", "updated", "unchanged") for i in a[k]}

    def removed(self) -> set[str]:
        """The articles the API reported removed (an upload must never remove any here)."""
        return {i for answer in self.answers for i in answer["removed"]}

    def acknowledged_paragraphs(self) -> dict[str, int]:
        """Each acknowledged article's paragraph count, as its last acknowledgement gave it."""
        return {a["id"]: a["paragraphs"] for answer in self.answers for a in answer["articles"]}

    def resent(self) -> int:
        """How many requests had to be sent more than once."""
        return sum(n > 1 for n in self.attempts)


class Serve:
    """``newsdesk serve`` over a Place on one loopback port; kill -9 it and start it again
    (on the same port). Its output is appended to ``log``."""

    def __init__(self, place: Place, log: Path) -> None:
        self.place, self.log, self.port = place, log, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 300) -> float:
        """Start the server and wait until /api/health says ok; the seconds it took."""
        started = time.monotonic()
        env = self.place.env(NEWSDESK_API_KEY=API_KEY, NEWSDESK_POLL_FEEDS="false")
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(BIN / "newsdesk"), "serve", "--port", str(self.port)],
                env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        while time.monotonic() - started < timeout_s:
            if self.process.poll() is not None:
                raise RuntimeError(f"newsdesk serve exited {self.process.returncode}: {self.log}")
            if self._healthy():
                return time.monotonic() - started
            time.sleep(0.25)
        raise RuntimeError(f"newsdesk serve was not ready in {timeout_s} s: {self.log}")

    def _healthy(self) -> bool:
        try:
            return bool(httpx.get(f"{self.url}/api/health", timeout=5).json()["status"] == "ok")
        except (httpx.HTTPError, ValueError, KeyError):
            return False

    def get(self, path: str, **params: Any) -> Any:
        """The JSON body of a GET (200 required)."""
        response = httpx.get(f"{self.url}{path}", params=params, timeout=60)
        response.raise_for_status()
        return response.json()

    def listed(self) -> list[str]:
        """The ids GET /api/articles lists (every page), duplicates kept."""
        ids: list[str] = []
        while True:
            page = self.get("/api/articles", offset=len(ids), limit=500)
            ids += [item["id"] for item in page["items"]]
            if not page["items"] or len(ids) >= page["total"]:
                return ids

    def kill_9(self) -> None:
        """SIGKILL the server (if running) and reap it."""
        if self.process is not None:
            kill_9(self.process)

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 30 s)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                kill_9(self.process)


@dataclass(frozen=True)
class Finished:
    """What the server answered once the client was done: its list and its health."""

    listed: list[str]
    health: dict[str, Any]


def serve_problems(client: Client, finished: Finished, contents: Contents,
                   clean: dict[str, int] | None) -> Problems:  # fmt: skip
    """What must hold after an upload through the API (against a clean upload's paragraphs
    per article, unless None): see the module's docstring."""
    indexed, listed, health = client.reported(), finished.listed, finished.health
    acknowledged = client.acknowledged_paragraphs()
    return [
        *article_problems(contents, indexed, clean),
        ("client errors", bool(client.errors)),
        ("an article not acknowledged", indexed != client.sent_ids()),
        ("removed by an upload", bool(client.removed())),
        ("an article listed twice", len(listed) != len(set(listed))),
        ("list != reported", set(listed) != indexed),
        ("paragraphs != acknowledged", contents.done_paragraphs() != acknowledged),
        ("health counts", (health["articles"], health["paragraphs"], health["vectors"])
            != (len(indexed), sum(contents.held.values()), sum(contents.held.values()))),
    ]  # fmt: skip


def finish(server: Serve, client: Client) -> Finished:
    """Wait for the client, then read the server's list and health."""
    client.join(timeout=client.deadline_s + 60)
    return Finished(server.listed(), server.get("/api/health"))


@dataclass
class ServeRound:
    """One kill of ``newsdesk serve``: when, how far the upload was, what it took after."""

    point: KillPoint = KillPoint(0, 0.0)
    acknowledged_at_kill: int = 0
    restart_s: float = 0.0
    resent: int = 0
    verdict: str = ""


def serve_round(place: Place, requests: list[Request], point: KillPoint,
                clean: dict[str, int]) -> ServeRound:  # fmt: skip
    """Start a server on a fresh collection, upload through it, kill -9 it ``point.offset`` s
    after request ``point.after`` (from 0) is sent, start it again and let the client finish;
    check."""
    server = Serve(place, place.data_dir.parent / f"{place.collection}.log")
    row = ServeRound(point=point)
    with ExitStack() as stack:
        server.start()
        stack.callback(server.stop)
        client = Client(server.url, requests)
        client.start()
        while client.sending < point.after and client.is_alive():
            time.sleep(0.01)
        time.sleep(point.offset)
        row.acknowledged_at_kill = len(client.reported())
        server.kill_9()
        row.restart_s = server.start()
        finished = finish(server, client)
    row.resent = client.resent()
    row.verdict = checked(place, lambda c: serve_problems(client, finished, c, clean))
    return row


def clean_upload(place: Place, requests: list[Request]) -> tuple[dict[str, int], float]:
    """Upload with no fault: the paragraphs per article, and the upload's seconds."""
    server = Serve(place, place.data_dir.parent / f"{place.collection}.log")
    with ExitStack() as stack:
        server.start()
        stack.callback(server.stop)
        client = Client(server.url, requests)
        client.start()
        finished = finish(server, client)
    found = checked(place, lambda c: serve_problems(client, finished, c, None))
    if found != "yes":
        raise RuntimeError(f"the clean upload is not consistent: {found}")
    return read_contents(place).done_paragraphs(), client.finished - client.started


# The bench


def indexer_part(work: Path, source: Path, backends: list[Backend], seed: int,
                 rounds: int) -> tuple[int, dict[str, CleanRun]]:  # fmt: skip
    """Kill -9 the indexer at ``rounds`` moments per configuration; the inconsistent rounds,
    and the clean run of each configuration."""
    failures, cleans = 0, {}
    for backend in backends:
        clean = clean_index(source, backend.place(work, f"clean-{backend.name}"))
        print(f"\nclean run, {backend.name}: {len(clean.paragraphs)} articles, "
              f"{sum(clean.paragraphs.values())} paragraphs, first article after "
              f"{clean.first_s:.1f} s, done after {clean.total_s:.1f} s")  # fmt: skip
        rng = random.Random(f"{seed}:indexer:{backend.name}")
        rows = []
        for n in range(1, rounds + 1):
            point = KillPoint.draw(rng, ARTICLES, clean.batch_s(), PER_BATCH)
            place = backend.place(work, f"index-{backend.name}-{n}")
            rows.append((n, point, *indexer_round(source, place, point, clean)))
        table(f"{backend.name}: kill -9 of newsdesk index add", INDEXER_COLUMNS, rows)
        failures += sum(row[-1] != "yes" for row in rows)
        cleans[backend.name] = clean
    return failures, cleans


def store_part(work: Path, source: Path, faults: list[StoreKill], seed: int,
               cleans: dict[str, CleanRun]) -> int:  # fmt: skip
    """Kill -9 each store server once mid-indexing (``cleans``: the clean run of each
    configuration); the inconsistent rounds."""
    failures = 0
    for fault in faults:
        backend = fault.backend
        clean = cleans[backend.name]
        rng = random.Random(f"{seed}:store:{fault.what}:{backend.name}")
        delay = rng.uniform(0.0, (clean.total_s - clean.first_s) / 4)
        slug = fault.what.split()[0].lower()
        place = backend.place(work, f"store-{backend.name}-{slug}")
        delay, done, ended, found = store_kill_round(source, place, fault, delay, clean)
        print(f"\nkill -9 of the {fault.what} ({backend.name}) {delay:.2f} s after the "
              f"indexer started: {done} articles done, indexer {ended}; after restart and "
              f"rerun consistent: {found}")  # fmt: skip
        failures += found != "yes"
    return failures


def serve_part(work: Path, backends: list[Backend], seed: int, rounds: int) -> int:
    """Kill -9 ``newsdesk serve`` at ``rounds`` moments per configuration; the inconsistent
    rounds."""
    requests = upload_requests(eval_slice(SERVE_ARTICLES, PARAGRAPHS))
    failures = 0
    for backend in backends:
        clean, upload_s = clean_upload(backend.place(work, f"upload-{backend.name}"), requests)
        print(f"\nclean upload, {backend.name}: {len(clean)} articles, "
              f"{sum(clean.values())} paragraphs, {len(requests)} requests, "
              f"{upload_s:.1f} s")  # fmt: skip
        rng = random.Random(f"{seed}:serve:{backend.name}")
        rows = []
        for n in range(1, rounds + 1):
            point = KillPoint.draw(rng, len(requests), upload_s / len(requests))
            place = backend.place(work, f"serve-{backend.name}-{n}")
            row = serve_round(place, requests, point, clean)
            rows.append((n, row.point, row.acknowledged_at_kill, row.resent,
                         f"{row.restart_s:.1f}", row.verdict))  # fmt: skip
        table(f"{backend.name}: kill -9 of newsdesk serve mid-upload", SERVE_COLUMNS, rows)
        failures += sum(row[-1] != "yes" for row in rows)
    return failures


INDEXER_COLUMNS = [
    "round",
    "kill after articles done + s",
    "articles done before kill",
    "indexer at kill",
    "consistent",
]
SERVE_COLUMNS = [
    "round",
    "kill after request (from 0) sent + s",
    "articles acknowledged before kill",
    "requests re-sent",
    "restart (s)",
    "consistent",
]


def table(title: str, header: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Print a markdown table."""
    print(f"\n{title}\n| {' | '.join(header)} |")
    print("|" + "---:|" * (len(header) - 1) + "---|")
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |")


@dataclass
class Servers:
    """The store servers of the bench: one Chroma server and one PostgreSQL server."""

    chroma: ChromaServer
    postgres: PostgresServer

    def backends(self) -> list[Backend]:
        """The three configurations: embedded, chroma, servers."""
        return [
            Backend("embedded"),
            Backend("chroma", self.chroma),
            Backend("servers", self.chroma, self.postgres),
        ]

    def store_kills(self, backends: list[Backend]) -> list[StoreKill]:
        """Kill the Chroma server (SQLite catalog, then PostgreSQL), then PostgreSQL."""
        chroma, servers = backends[1], backends[2]
        kill_chroma = [StoreKill("Chroma server", b, self.chroma.kill_9, self.chroma.start)
                       for b in (chroma, servers)]  # fmt: skip
        restart = lambda: restart_postgres(self.postgres)  # noqa: E731
        return [
            *kill_chroma,
            StoreKill("PostgreSQL server", servers, self.postgres.kill_9, restart),
        ]


def started_servers(work: Path, stack: ExitStack) -> Servers:
    """Start the Chroma and PostgreSQL servers; ``stack`` stops them."""
    chroma = ChromaServer(work / "chroma-server")
    chroma.start()
    stack.callback(chroma.stop)
    postgres_server = PostgresServer()
    stack.callback(postgres_server.remove)
    postgres_server.start()
    return Servers(chroma, postgres_server)


def arguments() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=10, help="kill moments per configuration")
    parser.add_argument("--quick", action="store_true", help="2 rounds")
    parts = "indexer: the indexer and store kills; serve: the server kills; all: both"
    parser.add_argument("--part", choices=["all", "indexer", "serve"], default="all", help=parts)
    return parser.parse_args()


def main() -> None:
    args = arguments()
    rounds = 2 if args.quick else args.rounds
    failures = 0
    print(f"seed {args.seed}, {rounds} rounds per configuration")
    with tempfile.TemporaryDirectory(prefix="faults-") as tmp, ExitStack() as stack:
        work = Path(tmp)
        servers = started_servers(work, stack)
        backends = servers.backends()
        if args.part in ("all", "indexer"):
            started = time.monotonic()
            source = write_jsonl(work / "articles.jsonl", eval_slice(ARTICLES, PARAGRAPHS))
            found, cleans = indexer_part(work, source, backends, args.seed, rounds)
            kills = servers.store_kills(backends)
            failures += found + store_part(work, source, kills, args.seed, cleans)
            print(f"\n(indexer and stores: {time.monotonic() - started:.0f} s)")
        if args.part in ("all", "serve"):
            started = time.monotonic()
            failures += serve_part(work, [backends[0], backends[2]], args.seed, rounds)
            print(f"\n(server: {time.monotonic() - started:.0f} s)")
    print(f"\n{failures} inconsistent")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
