"""Cost as the collection grows: indexing and answering at 10/30/100% of the dev set, embedded
vs servers side by side, then the vector store and keyword index alone at 100k, 300k and 1M
paragraphs.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/scale.py                  # both parts
    HF_HUB_OFFLINE=1 .venv/bin/python bench/scale.py --quick          # tiny sizes, minutes
    HF_HUB_OFFLINE=1 .venv/bin/python bench/scale.py --part 2 --sizes 100000,300000

Part 1 (growth). Seeded, nested subsets of the dev articles (one ``random.Random(seed)``
shuffle of the article list; 10% is a prefix of 30%, which is a prefix of 100%) are indexed
from scratch by IndexService.add, each in its own child process (so its peak RSS is its own),
in two configurations: "embedded" (SQLite catalog + embedded Chroma, the default) and
"servers" (``chroma run`` + PostgreSQL on loopback, a fresh pair per run, started here; their
memory is sampled as PSS of their process trees, their size on disk is Chroma's folder plus
pg_database_size). Then a fixed seeded sample of dev questions is answered by the real QA
service (qa.components.build_qa, default settings, each question's date as the as-of day)
against that index: answer p50/p95.

The embedding model would be most of each run (about 15 minutes for the whole set on two
cores, far more on a shared machine) and is the same in both configurations, so the runs do
not run it: an embedding cache is filled from what the model gave the dev index cached by
bench/quality.py (bench/.cache/realtimeqa-dev: paragraph vectors from Chroma, sentence vectors
from the catalog), keyed by the text and spans IndexService asks ``embed_spans`` for, and the
runs take their vectors from it. A text the cache lacks gets a seeded random stand-in vector,
and is counted: a paragraph split otherwise than in the full index (boilerplate is counted
over the articles indexed so far, so a subset, or an early window, keeps lines the full set
drops). **The runs' paragraphs/s and peak RSS exclude
the model's forward passes** (the model is still loaded: splitting counts word pieces,
answering embeds the questions). The model is measured once, on a sample of the same shuffle
(--model-articles), indexed in one process from the cache and then with the model embedding
everything: the model's own paragraphs/s and both runs' rates, so a reader can add the model
back (1 / (1/indexing + 1/model) paragraphs/s; the sample shows how close that comes).

Part 2 (store alone). The vectors (Chroma) and texts (catalog paragraphs and their keyword
bodies) of the dev index cached by bench/quality.py (bench/.cache/realtimeqa-dev) are
replicated with new ids up to each size: copy c >= 1 of paragraph ``A#n`` is ``A~c#n`` of
article ``A~c``, with the same texts, and its vector is the original plus Gaussian noise of
norm --noise (0.3: cosine about 0.96 to the original), renormalised, so the HNSW graph is not
fed exact duplicates (zero distances, ties) while copies stay as close to their originals as
wire copies of one story are. One store per engine (SQLite FTS5, PostgreSQL, embedded Chroma)
is grown size by size (each step's insert rate is that step's), and after each step a fresh
process opens it and runs the dev questions: keyword_search (with the retriever's pruning of
common terms) or ChromaStore.query, k=200 as the retriever reads with an as-of day; p50/p95,
the process's RSS (and the PostgreSQL server's PSS), size on disk. A step whose estimated
time (from the previous step's rate) would overrun --budget-minutes is skipped, and said so.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import math
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from bench.metrics import percentile  # noqa: E402

SET = REPO.parent / "shared" / "eval" / "realtimeqa-dev"
DEV_INDEX = REPO / "bench" / ".cache" / "realtimeqa-dev" / "newsdesk"
COLLECTION = "scale"
DEV_COLLECTION = "newsdesk"  # the collection bench/quality.py builds (IndexSettings' default)
K = 200  # candidates the retriever reads per list with an as-of day (50 x window_pool 4)
BLOCK = 4096  # rows per insert batch and per noise draw (under Chroma's max batch, 5461)
SAMPLE_S = 0.5  # how often the servers' memory is sampled
ESTIMATE_MARGIN = 1.3  # insert rates fall as a store grows: estimates are padded by this
QUICK: dict[str, Any] = {
    "fractions": "0.01,0.03",
    "questions": 5,
    "sizes": "2000,6000",
    "source_limit": 2500,
    "model_articles": 10,
}


# --- memory and disk ----------------------------------------------------------------------


def peak_mib() -> float:
    """This process's peak resident memory so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _proc_field(path: str, name: str) -> float:
    """A ``name: N kB`` field of a /proc file, in MiB; 0 when the process is gone."""
    try:
        text = Path(path).read_text()
    except OSError:
        return 0.0
    for line in text.splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def rss_mib(pid: int | str = "self") -> float:
    """A process's resident memory now, in MiB (0 when it is gone)."""
    return _proc_field(f"/proc/{pid}/status", "VmRSS")


def process_tree(root: int) -> list[int]:
    """``root`` and every process descended from it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])  # the name may hold spaces
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def tree_pss_mib(root: int) -> float:
    """Proportional set size of a process tree, in MiB: shared pages (PostgreSQL's shared
    buffers) are split between the processes that map them, so the sum counts them once."""
    return sum(_proc_field(f"/proc/{pid}/smaps_rollup", "Pss") for pid in process_tree(root))


class MemorySampler:
    """Samples the PSS of named process trees every SAMPLE_S seconds on a thread while
    entered; ``peaks`` holds each tree's highest sample."""

    def __init__(self, roots: dict[str, int]) -> None:
        self.roots = roots
        self.peaks = dict.fromkeys(roots, 0.0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while True:
            for name, root in self.roots.items():
                self.peaks[name] = max(self.peaks[name], tree_pss_mib(root))
            if self._stop.wait(SAMPLE_S):
                return

    def __enter__(self) -> MemorySampler:
        if self.roots:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self.roots:
            self._thread.join()


def du_mib(*paths: Path) -> float:
    """Disk space the files at ``paths`` (files or folders) take, in MiB (allocated blocks)."""
    total = 0
    for path in paths:
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        for file in files:
            with contextlib.suppress(OSError):
                total += file.stat().st_blocks * 512
    return total / 2**20


# --- the embedding cache --------------------------------------------------------------------


class EmbeddingCache:
    """``embed_spans`` results by (text, spans): float32 rows appended to one file (the text's
    vector, then one row per span), found through an index of row ranges saved as JSON. Rows
    are read with pread, so a run holds in memory only the batch it asked for."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        saved = json.loads(self._index.read_text()) if self._index.exists() else {}
        self.dimension: int = saved.get("dimension", 0)
        self.model: str = saved.get("model", "")
        self.rows: dict[str, list[int]] = saved.get("rows", {})
        self._file = (folder / "vectors.f32").open("ab")
        end = self._file.seek(0, os.SEEK_END)
        self._next = end // (4 * self.dimension) if self.dimension else 0
        self._reader = os.open(folder / "vectors.f32", os.O_RDONLY)

    @property
    def _index(self) -> Path:
        return self.folder / "index.json"

    @staticmethod
    def key(text: str, spans: Sequence[tuple[int, int]]) -> str:
        """The cache key of one text and its spans."""
        data = text + "\x00" + json.dumps([list(s) for s in spans])
        return hashlib.blake2b(data.encode("utf-8"), digest_size=16).hexdigest()

    def get(self, key: str) -> tuple[np.ndarray, np.ndarray] | None:
        """The text's vector and its spans' vectors, or None when not cached."""
        where = self.rows.get(key)
        if where is None:
            return None
        row, count = where
        size = 4 * self.dimension
        data = os.pread(self._reader, count * size, row * size)
        block = np.frombuffer(data, dtype=np.float32).reshape(count, self.dimension)
        return block[0], block[1:]

    def put(self, key: str, vector: np.ndarray, spans: np.ndarray) -> None:
        """Record one result (kept as it is when the key is cached already)."""
        if key in self.rows:
            return
        self.dimension = self.dimension or int(vector.shape[0])
        block = np.vstack([vector[None, :], spans.reshape(-1, self.dimension)])
        self._file.write(np.ascontiguousarray(block, dtype=np.float32).tobytes())
        self._file.flush()  # a later get in this process reads it back through _reader
        self.rows[key] = [self._next, len(block)]
        self._next += len(block)

    def save(self, model: str) -> None:
        """Write the index (atomically), naming the model the vectors came from."""
        self.model = model
        temporary = self._index.with_suffix(".tmp")
        index = {"dimension": self.dimension, "model": model, "rows": self.rows}
        temporary.write_text(json.dumps(index))
        temporary.replace(self._index)


class CachingEmbedder:
    """The real embedder (index.embedding.Embedder), except that ``embed_spans`` results come
    from an EmbeddingCache when there. With ``embed_all`` the model embeds everything
    (counting how long it took); otherwise a text the cache lacks gets a stand-in, so the
    model never runs during a measured run: a unit vector drawn from the text's key, for the
    text and each of its spans. Misses are counted."""

    def __init__(self, inner: Any, cache: EmbeddingCache, *, embed_all: bool = False) -> None:
        self.inner, self.cache, self.embed_all = inner, cache, embed_all
        self.hits = self.misses = 0
        self.model_seconds = 0.0

    def warm_up(self) -> None:
        """Load the model (its tokenizer counts word pieces, and questions are embedded)."""
        self.inner.warm_up()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """The model's vectors (never cached)."""
        return np.asarray(self.inner.embed(texts))

    def submit_query(self, text: str) -> Future[np.ndarray]:
        """The model's question vector (never cached)."""
        future: Future[np.ndarray] = self.inner.submit_query(text)
        return future

    def count_tokens(self, text: str) -> int:
        """The model's word-piece count."""
        return int(self.inner.count_tokens(text))

    def embed_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """What the model's embed_spans would return, from the cache where possible."""
        if not texts:
            return self.inner.embed_spans(texts, spans)
        keys = [self.cache.key(t, s) for t, s in zip(texts, spans, strict=True)]
        found: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        if not self.embed_all:
            for i, key in enumerate(keys):
                hit = self.cache.get(key)
                if hit is not None:
                    found[i] = hit
        missing = [i for i in range(len(texts)) if i not in found]
        if missing and not self.embed_all:
            found |= {i: self._stand_in(keys[i], len(spans[i])) for i in missing}
        elif missing:
            started = time.perf_counter()
            vectors, pooled = self.inner.embed_spans(
                [texts[i] for i in missing], [spans[i] for i in missing]
            )
            self.model_seconds += time.perf_counter() - started
            found |= {i: (vectors[j], pooled[j]) for j, i in enumerate(missing)}
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        ordered = [found[i] for i in range(len(texts))]
        return np.stack([v for v, _ in ordered]), [np.asarray(p) for _, p in ordered]

    def _stand_in(self, key: str, spans: int) -> tuple[np.ndarray, np.ndarray]:
        """A text's stand-in: a unit vector seeded by its key, also for each of its spans
        (non-zero, so its sentences are stored as the model's would be)."""
        rng = np.random.default_rng(int(key[:16], 16))
        vector = rng.standard_normal(self.cache.dimension).astype(np.float32)
        vector /= np.linalg.norm(vector)
        return vector, np.tile(vector, (spans, 1))


# --- child processes ------------------------------------------------------------------------


def child_env() -> dict[str, str]:
    """The environment of a child: no NEWSDESK_* setting of the caller leaks into the
    settings the child builds (each is given explicitly)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    return env | {
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
    }


def child(
    task: str, spec: dict[str, Any], work: Path, roots: dict[str, int] | None = None
) -> dict[str, Any]:
    """Run ``task`` (a name in TASKS) with ``spec`` in a fresh Python process and return its
    result; with ``roots``, also the peak PSS of those process trees while it ran
    (``server_peaks``). Raises RuntimeError when the child fails."""
    spec_path = work / f"spec-{task}-{time.monotonic_ns()}.json"
    out = spec_path.with_suffix(".out.json")
    spec_path.write_text(json.dumps({**spec, "task": task, "out": str(out)}))
    command = [sys.executable, str(Path(__file__).resolve()), "--child", str(spec_path)]
    with MemorySampler(roots or {}) as sampler:
        code = subprocess.run(command, env=child_env(), cwd=REPO, check=False).returncode
    if code != 0:
        raise RuntimeError(f"child {task} failed with exit code {code}")
    result: dict[str, Any] = json.loads(out.read_text())
    if roots:
        result["server_peaks"] = sampler.peaks
    return result


def run_child(spec_path: Path) -> None:
    """The child side of ``child``: run the task and write its result as JSON."""
    spec = json.loads(spec_path.read_text())
    result = TASKS[spec["task"]](spec)
    Path(spec["out"]).write_text(json.dumps(result))


def progress_bar(name: str) -> tuple[Any, Callable[[int, int], None]]:
    """A tqdm bar on stderr and an IndexService progress callback that moves it."""
    from tqdm import tqdm

    bar = tqdm(desc=name, unit=" para", mininterval=10, file=sys.stderr)

    def report(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    return bar, report


# --- part 1: growth ------------------------------------------------------------------------


def dev_subsets(
    set_dir: Path, fractions: Sequence[float], seed: int, model_articles: int, folder: Path
) -> dict[float, tuple[Path, list[str]]]:
    """For each fraction, a JSON Lines file of the first round(fraction x n) articles (at least
    one) of one seeded shuffle of the set's articles, so smaller subsets are prefixes of
    larger ones, and its article ids; under the key 0.0, the first ``model_articles`` (the
    model sample)."""
    text = (set_dir / "articles.jsonl").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip()]
    order = list(range(len(lines)))
    random.Random(seed).shuffle(order)
    counts = {f: max(1, round(f * len(lines))) for f in fractions} | {0.0: model_articles}
    subsets = {}
    for fraction, count in counts.items():
        path = folder / f"articles-{fraction:g}.jsonl"
        path.write_text("".join(lines[i] + "\n" for i in order[:count]), encoding="utf-8")
        subsets[fraction] = (path, [json.loads(lines[i])["id"] for i in order[:count]])
    return subsets


def sample_questions(set_dir: Path, count: int, seed: int) -> list[dict[str, Any]]:
    """A seeded sample of ``count`` + 2 dev questions (question, date): the first two warm
    the service up, the rest are timed."""
    text = (set_dir / "questions.jsonl").read_text(encoding="utf-8")
    questions = [json.loads(line) for line in text.splitlines() if line.strip()]
    chosen = random.Random(seed).sample(questions, min(len(questions), count + 2))
    return [{"question": q["question"], "date": q.get("date")} for q in chosen]


def dev_vectors(dev_index: Path, folder: Path) -> dict[str, np.ndarray]:
    """Every paragraph vector of the dev index cached by bench/quality.py, by paragraph id,
    read from a copy of its Chroma folder (the cache itself is never opened for writing)."""
    from index.storage.vectors import chroma_client

    copy = folder / "dev-chroma"
    shutil.copytree(dev_index / "chroma", copy)
    try:
        collection = chroma_client(None, copy).get_collection(DEV_COLLECTION)
        vectors: dict[str, np.ndarray] = {}
        for offset in range(0, collection.count(), 5000):
            page = collection.get(include=["embeddings"], limit=5000, offset=offset)
            found = np.asarray(page["embeddings"], np.float32)
            vectors |= dict(zip(page["ids"], found, strict=True))
        return vectors
    finally:
        shutil.rmtree(copy, ignore_errors=True)


def task_prefill(spec: dict[str, Any]) -> dict[str, Any]:
    """Fill the embedding cache with what the model gave the dev index cached by
    bench/quality.py, for the paragraphs of the ``articles`` named (all when None): each
    paragraph's vector (Chroma) and its sentences' vectors (the catalog's float16
    sentence_vectors; a span without one gets the zero row the model gives a span past its
    window), under the key IndexService would ask for: the embed text (the article's title
    shortened as split_article does, a newline, the text) and the quotable spans shifted
    into it. A paragraph split otherwise now simply misses (CachingEmbedder)."""
    from index.config import IndexSettings
    from index.embedder import SentenceTransformersEmbedder
    from index.split.paragraphs import _context_title, is_title_passage  # the split's own rule
    from index.split.sentences import quotable_spans

    dev, cache = Path(spec["dev_index"]), EmbeddingCache(Path(spec["cache"]))
    wanted = None if spec["articles"] is None else set(spec["articles"])
    vectors = dev_vectors(dev, Path(spec["work"]))
    model = SentenceTransformersEmbedder()  # its tokenizer shortens titles as the split does
    budget = IndexSettings().max_paragraph_tokens
    catalog = sqlite3.connect(f"file:{dev / 'catalog.sqlite3'}?mode=ro", uri=True)
    sentences = {
        row[0]: (row[1], row[2])
        for row in catalog.execute("SELECT paragraph_id, spans, vectors FROM sentence_vectors")
    }
    rows = catalog.execute(
        "SELECT p.id, p.article_id, p.text, coalesce(p.title, ''), a.paragraphs"
        " FROM paragraphs p JOIN articles a ON a.id = p.article_id ORDER BY p.rowid"
    )
    titles: dict[str, str] = {}
    for pid, article, text, title, count in rows:
        if (wanted is not None and article not in wanted) or pid not in vectors:
            continue
        if article not in titles:
            titles[article] = _context_title(title, model.count_tokens, budget)
        spans = quotable_spans(text)
        pooled = _pooled(spans, sentences.get(pid), vectors[pid].shape[0])
        context = titles[article]
        embed_texts = [f"{context}\n{text}" if context else text]
        if count == 1 and is_title_passage(text, title):  # an all-boilerplate article
            embed_texts.append(text)
        for embed_text in embed_texts:
            shift = len(embed_text) - len(text)
            key = cache.key(embed_text, [(a + shift, b + shift) for a, b in spans])
            cache.put(key, vectors[pid], pooled)
    cache.save(str(model.model_path))
    return {"entries": len(cache.rows)}


def _pooled(
    spans: list[tuple[int, int]], stored: tuple[bytes, bytes] | None, dimension: int
) -> np.ndarray:
    """One row per span: its stored sentence vector, else zeros."""
    pooled = np.zeros((len(spans), dimension), dtype=np.float32)
    if stored is None:
        return pooled
    pairs = np.frombuffer(stored[0], dtype=np.int32).reshape(-1, 2)
    rows = np.frombuffer(stored[1], dtype=np.float16).reshape(len(pairs), -1)
    by_span = {(int(a), int(b)): row for (a, b), row in zip(pairs, rows, strict=True)}
    for n, span in enumerate(spans):
        if span in by_span:
            pooled[n] = by_span[span]
    return pooled


def task_model_pass(spec: dict[str, Any]) -> dict[str, Any]:
    """Index the model sample twice, each time into a fresh embedded index: first with the
    cached vectors, then with the model embedding every paragraph; paragraphs/s, the
    model's seconds and peak RSS of each (the first run's peak is the smaller one)."""
    from index.components import build_index
    from index.config import IndexSettings
    from index.embedder import SentenceTransformersEmbedder
    from index.readers.inputs import read_inputs

    cache = EmbeddingCache(Path(spec["cache"]))
    model = SentenceTransformersEmbedder()
    model.warm_up()
    loaded, runs = rss_mib(), {}
    for name, embed_all in (("cached", False), ("model", True)):
        embedder = CachingEmbedder(model, cache, embed_all=embed_all)
        settings = IndexSettings(data_dir=Path(spec["work"]) / f"model-pass-{name}")
        components = build_index(settings, embedder=embedder)
        bar, report_progress = progress_bar(f"model sample, {name}")
        started = time.perf_counter()
        inputs = read_inputs([spec["subset"]], max_bytes=settings.max_article_bytes)
        report = components.service.add(inputs, progress=report_progress)
        seconds = time.perf_counter() - started
        bar.close()
        runs[name] = {
            "paragraphs": report.paragraphs,
            "seconds": seconds,
            "model_seconds": embedder.model_seconds,
            "misses": embedder.misses,
            "peak_mib": peak_mib(),
        }
        components.catalog.close()
    return {"loaded_mib": loaded, "runs": runs}


def task_cell(spec: dict[str, Any]) -> dict[str, Any]:
    """Index one subset from scratch with cached vectors (model loaded, not run), then answer
    the sample questions through the real QA service; times, memory and counts."""
    from index.components import build_index
    from index.config import IndexSettings
    from index.embedder import SentenceTransformersEmbedder
    from index.readers.inputs import read_inputs

    embedder = CachingEmbedder(SentenceTransformersEmbedder(), EmbeddingCache(Path(spec["cache"])))
    settings = IndexSettings(
        data_dir=Path(spec["data_dir"]),
        chroma_url=spec["chroma_url"],
        database_url=spec["database_url"],
        collection=COLLECTION,
    )
    components = build_index(settings, embedder=embedder)
    loaded = rss_mib()
    bar, report_progress = progress_bar(f"{spec['config']} {spec['fraction']:.0%}")
    started = time.perf_counter()
    inputs = read_inputs([spec["subset"]], max_bytes=settings.max_article_bytes)
    report = components.service.add(inputs, progress=report_progress)
    seconds = time.perf_counter() - started
    bar.close()
    result = {
        "paragraphs": report.paragraphs,
        "seconds": seconds,
        "hits": embedder.hits,
        "misses": embedder.misses,
        "loaded_mib": loaded,
        "index_peak_mib": peak_mib(),
        "vectors": components.store.count(),
    }
    return result | answer_latencies(components, spec["questions"])


def answer_latencies(components: Any, questions: list[dict[str, Any]]) -> dict[str, Any]:
    """Answer the questions (the first two untimed, to warm up) through build_qa with default
    settings, each as of its date: p50/p95 ms, share found, RSS after."""
    from qa.components import build_qa
    from qa.config import QASettings
    from qa.question.recency import parse_day
    from qa.requests import asking

    service = build_qa(components, QASettings())
    seconds, found = [], 0
    for n, question in enumerate(questions):
        query = asking(question["question"], as_of=parse_day(question["date"]))
        started = time.perf_counter()
        answer = service.ask(query)
        if n >= 2:
            seconds.append(time.perf_counter() - started)
            found += bool(answer.found)
    return {
        "answer_p50_ms": 1000 * percentile(seconds, 0.5),
        "answer_p95_ms": 1000 * percentile(seconds, 0.95),
        "answered": len(seconds),
        "found": found,
        "answer_rss_mib": rss_mib(),
        "answer_peak_mib": peak_mib(),
    }


@contextlib.contextmanager
def servers(folder: Path) -> Iterator[tuple[str, str, dict[str, int], Callable[[], float]]]:
    """A fresh Chroma server and PostgreSQL cluster (a new database) on loopback, stopped and
    removed on exit: (Chroma URL, database URL, their root processes, a function giving
    their size on disk in MiB: Chroma's folder plus pg_database_size)."""
    import psycopg

    from tests.index.conftest import ChromaServer
    from tests.postgres_server import PostgresServer

    chroma = ChromaServer(folder / "chroma-server")
    postgres = PostgresServer()
    try:
        chroma.start()
        postgres.start()
        url = postgres.new_database()
        assert chroma.process is not None
        pid_file = postgres.folder / "data" / "postmaster.pid"
        roots = {"chroma": chroma.process.pid, "postgres": int(pid_file.read_text().split()[0])}

        def disk() -> float:
            with psycopg.connect(url) as conn:
                row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
            return du_mib(chroma.path / "db") + (row[0] if row else 0) / 2**20

        yield chroma.url, url, roots, disk
    finally:
        chroma.stop()
        postgres.remove()


def run_cell(
    config: str,
    fraction: float,
    subset: Path,
    cache: Path,
    questions: list[dict[str, Any]],
    work: Path,
) -> dict[str, Any]:
    """Index ``subset`` and answer in a child, in ``config`` ("embedded" or "servers");
    the child's figures, the servers' peak memory and the size on disk."""
    folder = work / f"{config}-{fraction:g}"
    data_dir = folder / "data"
    spec = {
        "config": config,
        "fraction": fraction,
        "subset": str(subset),
        "cache": str(cache),
        "data_dir": str(data_dir),
        "questions": questions,
        "chroma_url": None,
        "database_url": None,
    }
    if config == "embedded":
        result = child("cell", spec, work)
        result["disk_mib"] = du_mib(data_dir)
        result["server_peaks"] = {}
    else:
        with servers(folder) as (chroma_url, database_url, roots, disk):
            spec |= {"chroma_url": chroma_url, "database_url": database_url}
            result = child("cell", spec, work, roots)
            result["disk_mib"] = disk() + du_mib(data_dir)
    shutil.rmtree(folder, ignore_errors=True)
    return {"config": config, "fraction": fraction} | result


def part1(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Growth: fill the embedding cache, measure the model on its sample, then every
    configuration at every fraction; prints the tables and returns the figures."""
    subsets = dev_subsets(args.set, args.fractions, args.seed, args.model_articles, work)
    cache = work / "embeddings"
    every = {i for _, ids in subsets.values() for i in ids}
    wanted = None if max(args.fractions) >= 1 else sorted(every)  # all: no need to filter
    print("\n[part 1] filling the embedding cache from the cached dev index", flush=True)
    spec = {"dev_index": str(args.dev_index), "cache": str(cache), "articles": wanted}
    spec["work"] = str(work)
    prefilled = child("prefill", spec, work)
    print(f"\n[part 1] the model on its sample ({args.model_articles} articles)", flush=True)
    spec = {"subset": str(subsets[0.0][0]), "cache": str(cache), "work": str(work)}
    model = child("model_pass", spec, work)
    questions = sample_questions(args.set, args.questions, args.seed)
    cells = []
    for config in args.configs:
        for fraction in args.fractions:
            print(f"\n[part 1] {config}, {fraction:.0%} of the articles", flush=True)
            path, _ = subsets[fraction]
            cells.append(run_cell(config, fraction, path, cache, questions, work))
    articles = {f: len(ids) for f, (_, ids) in subsets.items()}
    print_part1(model, cells, articles)
    return {"prefilled": prefilled, "model": model, "cells": cells, "articles": articles}


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "n/a"


def print_part1(
    model: dict[str, Any], cells: list[dict[str, Any]], articles: dict[float, int]
) -> None:
    """The model's figures, one row per run, and servers / embedded ratios."""
    cached, full = model["runs"]["cached"], model["runs"]["model"]
    model_rate = full["paragraphs"] / full["model_seconds"]
    with_model = full["paragraphs"] / full["seconds"]
    without = cached["paragraphs"] / cached["seconds"]
    print("\n### Part 1: growth (machine shared by other work, 2 cores)\n")
    print(
        f"The model on its sample ({articles[0.0]} articles, {full['paragraphs']} paragraphs,"
        f" embedded config, one process):\n\n"
        f"- model alone (embed_spans inside IndexService.add): **{model_rate:.1f} paragraphs/s**"
        f"\n- indexing with the model: {with_model:.1f} paragraphs/s, peak RSS "
        f"{full['peak_mib']:.0f} MiB (model loaded: {model['loaded_mib']:.0f} MiB)\n"
        f"- indexing from the cache: {without:.1f} paragraphs/s ({cached['misses']} stand-ins),"
        f" peak RSS {cached['peak_mib']:.0f} MiB; with the model added back by "
        f"1 / (1/p + 1/model): {1 / (1 / without + 1 / model_rate):.1f} paragraphs/s"
    )
    print(
        "\nIndexing figures below EXCLUDE the model's forward passes (vectors from the cache;"
        " the model is loaded). Add it back: 1 / (1/p + 1/model) paragraphs/s.\n"
    )
    print(
        "| config | articles | paragraphs written | stored | stand-ins | para/s (no model) | "
        "index s | index peak RSS MiB | servers peak PSS MiB | disk MiB | answer p50 ms | "
        "answer p95 ms | found |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for c in cells:
        servers_mib = sum(c["server_peaks"].values())
        print(
            f"| {c['config']} {c['fraction']:.0%} | {articles[c['fraction']]} | "
            f"{c['paragraphs']} | {c['vectors']} | {c['misses']} | "
            f"{c['paragraphs'] / c['seconds']:.0f} | {c['seconds']:.0f} | "
            f"{c['index_peak_mib']:.0f} | {servers_mib:.0f} | {c['disk_mib']:.0f} | "
            f"{c['answer_p50_ms']:.0f} | {c['answer_p95_ms']:.0f} | {c['found']}/{c['answered']} |"
        )
    print(
        "\n(paragraphs written: as IndexService.add reports them, counting again the paragraphs"
        " of articles re-split when a later window marks a line boilerplate; stored: vectors at"
        " the end; stand-ins: texts the cache lacked)"
    )
    by_key = {(c["config"], c["fraction"]): c for c in cells}
    fractions = sorted({c["fraction"] for c in cells})
    if not all(("embedded", f) in by_key and ("servers", f) in by_key for f in fractions):
        return
    print("\nservers / embedded, same run (memory: indexer peak + servers' peak PSS):\n")
    print("| fraction | para/s | memory | disk | answer p50 | answer p95 |")
    print("|---:|---:|---:|---:|---:|---:|")
    for f in fractions:
        e, s = by_key[("embedded", f)], by_key[("servers", f)]
        rates = [c["paragraphs"] / c["seconds"] for c in (s, e)]
        memory = [c["index_peak_mib"] + sum(c["server_peaks"].values()) for c in (s, e)]
        print(
            f"| {f:.0%} | {_ratio(*rates)} | {_ratio(*memory)} | "
            f"{_ratio(s['disk_mib'], e['disk_mib'])} | "
            f"{_ratio(s['answer_p50_ms'], e['answer_p50_ms'])} | "
            f"{_ratio(s['answer_p95_ms'], e['answer_p95_ms'])} |"
        )


# --- part 2: the stores alone --------------------------------------------------------------


def task_prepare(spec: dict[str, Any]) -> dict[str, Any]:
    """Write the source of the replicas: the cached dev index's paragraphs (catalog row and
    keyword body, JSON Lines, with byte offsets) and vectors (float32), in catalog order, at
    most ``limit``; and the dev questions with their vectors (embedded as retrieval does)."""
    from index.embedder import SentenceTransformersEmbedder

    folder, dev = Path(spec["folder"]), Path(spec["dev_index"])
    vectors = dev_vectors(dev, folder)
    catalog = sqlite3.connect(f"file:{dev / 'catalog.sqlite3'}?mode=ro", uri=True)
    rows = catalog.execute(
        "SELECT p.id, p.article_id, p.number, p.text, p.title, p.url, p.published,"
        " p.published_int, p.source, f.body FROM paragraphs p"
        " JOIN paragraphs_fts f ON f.rowid = p.rowid ORDER BY p.rowid"
    )
    offsets: list[int] = []
    kept: list[np.ndarray] = []
    with (folder / "rows.jsonl").open("wb") as out:
        for row in rows:
            if row[0] in vectors and len(kept) < spec["limit"]:
                offsets.append(out.tell())
                out.write(json.dumps(list(row)).encode("utf-8") + b"\n")
                kept.append(vectors[row[0]])
    np.save(folder / "offsets.npy", np.asarray(offsets, dtype=np.int64))
    np.stack(kept).astype(np.float32).tofile(folder / "vectors.f32")
    questions = [
        json.loads(line)["question"]
        for line in (Path(spec["set"]) / "questions.jsonl").read_text().splitlines()
        if line.strip()
    ]
    model = SentenceTransformersEmbedder()
    asked = np.stack([model.submit_query(q).result() for q in questions]).astype(np.float32)
    asked.tofile(folder / "questions.f32")
    (folder / "questions.json").write_text(json.dumps(questions))
    return {
        "paragraphs": len(kept),
        "dimension": int(kept[0].shape[0]),
        "questions": len(questions),
    }


@dataclass
class Batch:
    """Consecutive rows of the replicated collection, ready for either store."""

    first: int  # the row number of the first (rowids are row + 1)
    ids: list[str]
    vectors: np.ndarray
    metadatas: list[dict[str, Any]]
    texts: list[str]
    catalog_rows: list[tuple[Any, ...]]  # the paragraphs table's columns, rowid first
    bodies: list[str]  # the keyword index's text


def replicated(
    source: Path, dimension: int, start: int, stop: int, noise: float, seed: int
) -> Iterator[Batch]:
    """Rows ``start`` .. ``stop`` - 1 of the source replicated as the module says, at most
    BLOCK at a time: row k is copy k // n of source paragraph k % n. The noise of a copy is
    drawn per BLOCK of source rows from a generator seeded by (seed, copy, block), so a row is
    the same whichever step inserts it."""
    offsets = np.load(source / "offsets.npy")
    n = len(offsets)
    vectors = np.memmap(source / "vectors.f32", dtype=np.float32, mode="r").reshape(n, dimension)
    with (source / "rows.jsonl").open("rb") as rows:
        row = start
        while row < stop:
            copy, i = divmod(row, n)
            block = i // BLOCK
            end = min(stop - copy * n, (block + 1) * BLOCK, n)
            rows.seek(int(offsets[i]))
            records = [json.loads(rows.readline()) for _ in range(end - i)]
            moved = np.array(vectors[i:end])
            if copy:
                draws = np.random.default_rng([seed, copy, block]).standard_normal(
                    (BLOCK, dimension), dtype=np.float32
                )
                moved += draws[i - block * BLOCK : end - block * BLOCK] * (noise / dimension**0.5)
                moved /= np.linalg.norm(moved, axis=1, keepdims=True)
            yield _batch(row, records, moved, copy)
            row += end - i


def _batch(first: int, records: list[list[Any]], vectors: np.ndarray, copy: int) -> Batch:
    """A Batch of source records renamed as copy ``copy`` (copy 0 keeps the original ids)."""
    ids, metadatas, catalog_rows = [], [], []
    for k, (_, article, number, text, title, url, published, day, source, _) in enumerate(records):
        article_id = f"{article}~{copy}" if copy else article
        paragraph_id = f"{article_id}#{number}"
        ids.append(paragraph_id)
        metadatas.append(
            {
                "article_id": article_id,
                "number": number,
                "title": title,
                "url": url,
                "published": published,
                "published_int": day,
                "source": source,
            }
        )
        catalog_rows.append(
            (
                first + k + 1,
                paragraph_id,
                article_id,
                number,
                text,
                title,
                url,
                published,
                day,
                source,
            )
        )
    texts = [r[3] for r in records]
    return Batch(first, ids, vectors, metadatas, texts, catalog_rows, [r[9] for r in records])


def open_engine(engine: str, target: str) -> Any:
    """The ChromaStore (engine "chroma", ``target`` a folder) or the Catalog (a SQLite file,
    or a PostgreSQL URL) of a grown store, made when missing."""
    if engine == "chroma":
        from index.storage.vectors import ChromaStore, chroma_client

        return ChromaStore(chroma_client(None, target), COLLECTION)
    from index.storage.catalog import Catalog
    from index.storage.database import open_database

    return Catalog(open_database(Path(target), target if engine == "postgres" else None))


def insert(engine: str, store: Any, batch: Batch) -> None:
    """Write one batch: into Chroma as the indexer does (upsert with metadata and texts), or
    into the catalog's paragraphs and keyword index in one transaction."""
    if engine == "chroma":
        store.upsert(batch.ids, batch.vectors, batch.metadatas, batch.texts)
        return
    with store.transaction() as conn:
        conn.executemany(
            "INSERT INTO paragraphs (rowid, id, article_id, number, text, title, url, published,"
            " published_int, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            batch.catalog_rows,
        )
        conn.executemany(
            "INSERT INTO paragraphs_fts (rowid, body) VALUES (?, ?)",
            [(row[0], body) for row, body in zip(batch.catalog_rows, batch.bodies, strict=True)],
        )


def task_grow(spec: dict[str, Any]) -> dict[str, Any]:
    """Insert rows ``start`` .. ``stop`` - 1 into one engine's store; seconds and peak RSS."""
    from tqdm import tqdm

    engine = spec["engine"]
    store = open_engine(engine, spec["target"])
    source = Path(spec["source"])
    batches = replicated(
        source, spec["dimension"], spec["start"], spec["stop"], spec["noise"], spec["seed"]
    )
    bar = tqdm(
        total=spec["stop"] - spec["start"],
        desc=f"insert {engine}",
        unit=" para",
        mininterval=10,
        file=sys.stderr,
    )
    seconds = 0.0
    for batch in batches:
        started = time.perf_counter()  # reading and replicating the source is not timed
        insert(engine, store, batch)
        seconds += time.perf_counter() - started
        bar.update(len(batch.ids))
    if engine == "postgres":  # as autovacuum would, before anyone queries
        started = time.perf_counter()
        store.connection().execute("ANALYZE")
        seconds += time.perf_counter() - started
    bar.close()
    return {"seconds": seconds, "peak_mib": peak_mib()}


def task_query(spec: dict[str, Any]) -> dict[str, Any]:
    """Open one engine's store in this fresh process and search it with every dev question
    (vector search for Chroma, keyword search for the catalogs), k=K: the time to open and
    answer the first query, p50/p95 of the rest, RSS after."""
    from index.storage.keyword import TermCounts, keyword_search
    from qa.retrieval.fusion import FusionParams

    folder = Path(spec["questions"])
    questions = json.loads((folder / "questions.json").read_text())
    vectors = np.fromfile(folder / "questions.f32", dtype=np.float32).reshape(len(questions), -1)
    engine = spec["engine"]
    started = time.perf_counter()
    store = open_engine(engine, spec["target"])
    counts = None if engine == "chroma" else TermCounts(store, FusionParams().common_share)

    def search(n: int) -> int:
        if engine == "chroma":
            return len(store.query(vectors[n], K, metadata=False))
        return len(keyword_search(store, questions[n], K, counts=counts))

    search(0)
    first = time.perf_counter() - started
    seconds, found = [], 0
    for n in range(1, len(questions)):
        started = time.perf_counter()
        found += search(n)
        seconds.append(time.perf_counter() - started)
    return {
        "open_s": first,
        "p50_ms": 1000 * percentile(seconds, 0.5),
        "p95_ms": 1000 * percentile(seconds, 0.95),
        "mean_hits": found / len(seconds),
        "rss_mib": rss_mib(),
        "peak_mib": peak_mib(),
    }


def engine_disk(engine: str, target: str) -> float:
    """Size on disk of a grown store, in MiB (PostgreSQL: pg_database_size)."""
    if engine == "postgres":
        import psycopg

        with psycopg.connect(target) as conn:
            row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
        return (row[0] if row else 0) / 2**20
    path = Path(target)
    if engine == "chroma":
        return du_mib(path)
    return du_mib(*[p for p in path.parent.glob(path.name + "*") if p.is_file()])


@contextlib.contextmanager
def engines(names: Sequence[str], folder: Path) -> Iterator[dict[str, tuple[str, dict[str, int]]]]:
    """Where each engine's store lives (a folder, a file or a database URL) and the server
    processes to sample while it is used; a PostgreSQL cluster is started when named, and
    removed on exit."""
    targets: dict[str, tuple[str, dict[str, int]]] = {}
    server = None
    try:
        for name in names:
            if name == "postgres":
                from tests.postgres_server import PostgresServer

                server = PostgresServer()
                server.start()
                pid = int((server.folder / "data" / "postmaster.pid").read_text().split()[0])
                targets[name] = (server.new_database(), {"postgres": pid})
            elif name == "sqlite":
                targets[name] = (str(folder / "sqlite" / "catalog.sqlite3"), {})
            else:
                targets[name] = (str(folder / "chroma"), {})
        yield targets
    finally:
        if server is not None:
            server.remove()


def part2(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """The stores alone: grow each engine size by size within the time budget, query it
    after each step; prints the table and returns the figures."""
    folder = work / "part2"
    source = folder / "source"
    source.mkdir(parents=True, exist_ok=True)
    print("\n[part 2] preparing the source paragraphs and question vectors", flush=True)
    prepared = child(
        "prepare",
        {
            "folder": str(source),
            "dev_index": str(args.dev_index),
            "set": str(args.set),
            "limit": args.source_limit,
        },
        work,
    )
    deadline = time.monotonic() + 60 * args.budget_minutes
    rows: list[dict[str, Any]] = []
    skipped: list[str] = []
    with engines(args.engines, folder) as targets:
        held = dict.fromkeys(targets, 0)
        rates: dict[str, float] = {}
        stopped: set[str] = set()
        for size in args.sizes:
            for engine, (target, roots) in targets.items():
                if engine in stopped or held[engine] >= size:
                    continue
                start = held[engine]
                estimate = (
                    (size - start) / rates[engine] * ESTIMATE_MARGIN if engine in rates else 0
                )
                if time.monotonic() + estimate > deadline:
                    skipped.append(
                        f"{engine} at {size:,}: estimated {estimate / 60:.0f} min of "
                        f"inserts at {rates[engine]:.0f}/s, past the budget"
                    )
                    print(f"[part 2] skipped: {skipped[-1]}", flush=True)
                    stopped.add(engine)
                    continue
                print(f"\n[part 2] {engine}: growing to {size:,} paragraphs", flush=True)
                spec = {
                    "engine": engine,
                    "target": target,
                    "source": str(source),
                    "dimension": prepared["dimension"],
                    "start": start,
                    "stop": size,
                    "noise": args.noise,
                    "seed": args.seed,
                }
                grown = child("grow", spec, work, roots)
                rates[engine] = (size - start) / grown["seconds"]
                held[engine] = size
                queried = child(
                    "query",
                    {"engine": engine, "target": target, "questions": str(source)},
                    work,
                    roots,
                )
                rows.append(
                    {
                        "engine": engine,
                        "size": size,
                        "insert_rate": rates[engine],
                        "insert_s": grown["seconds"],
                        "insert_peak_mib": grown["peak_mib"],
                        "disk_mib": engine_disk(engine, target),
                    }
                    | queried
                )
                print_part2_row(rows[-1], flush=True)
    print_part2(prepared, rows, skipped, args)
    return {"source": prepared, "rows": rows, "skipped": skipped}


def print_part2_row(row: dict[str, Any], flush: bool = False) -> None:
    """One engine at one size, as a line of progress."""
    print(
        f"  {row['engine']} {row['size']:,}: insert {row['insert_rate']:.0f}/s, open "
        f"{row['open_s']:.1f} s, p50 {row['p50_ms']:.1f} ms, p95 {row['p95_ms']:.1f} ms, "
        f"RSS {row['rss_mib']:.0f} MiB, disk {row['disk_mib']:.0f} MiB",
        flush=flush,
    )


def print_part2(
    prepared: dict[str, Any],
    rows: list[dict[str, Any]],
    skipped: list[str],
    args: argparse.Namespace,
) -> None:
    """The table: one row per engine and size; growth exponents against the engine's
    previous size (0: flat, 1: grows as the collection does)."""
    print(
        f"\n### Part 2: the stores alone ({prepared['paragraphs']:,} real paragraphs replicated,"
        f" noise {args.noise}; {prepared['questions'] - 1} timed queries each, k={K};"
        " machine shared, 2 cores)\n"
    )
    print(
        "| engine | paragraphs | insert/s (step) | insert peak RSS MiB | open + 1st query s | "
        "p50 ms | p95 ms | p50 exponent | query RSS MiB | server PSS MiB | disk MiB | "
        "disk B/para |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    previous: dict[str, dict[str, Any]] = {}
    for r in rows:
        before = previous.get(r["engine"])
        exponent = "" if before is None else f"{growth_exponent(before, r, 'p50_ms'):.2f}"
        server = sum(r.get("server_peaks", {}).values())
        print(
            f"| {r['engine']} | {r['size']:,} | {r['insert_rate']:.0f} | "
            f"{r['insert_peak_mib']:.0f} | {r['open_s']:.2f} | "
            f"{r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {exponent} | {r['rss_mib']:.0f} | "
            f"{server:.0f} | {r['disk_mib']:.0f} | "
            f"{r['disk_mib'] * 2**20 / r['size']:.0f} |"
        )
        previous[r["engine"]] = r
    for line in skipped:
        print(f"\nskipped: {line}")


def growth_exponent(before: dict[str, Any], after: dict[str, Any], measure: str) -> float:
    """How ``measure`` grows with the collection between two sizes: the exponent e of
    measure ~ size^e (0: flat, 1: proportional)."""
    ratio = after[measure] / before[measure]
    return math.log(ratio) / math.log(after["size"] / before["size"])


TASKS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "prefill": task_prefill,
    "model_pass": task_model_pass,
    "cell": task_cell,
    "prepare": task_prepare,
    "grow": task_grow,
    "query": task_query,
}


# --- main ----------------------------------------------------------------------------------


def _numbers(kind: Callable[[str], Any]) -> Callable[[str], list[Any]]:
    def parse(text: str) -> list[Any]:
        return [kind(part) for part in text.split(",") if part.strip()]

    return parse


def _names(choices: Sequence[str]) -> Callable[[str], list[str]]:
    def parse(text: str) -> list[str]:
        names = [part.strip() for part in text.split(",") if part.strip()]
        for name in names:
            if name not in choices:
                raise argparse.ArgumentTypeError(f"{name!r} is not one of {', '.join(choices)}")
        return names

    return parse


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options (--quick replaces the sizes with tiny ones)."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 2)[2],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--part",
        choices=("1", "2", "all"),
        default="all",
        help="growth (1), the stores alone (2), or both (default)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"a check that it works: fractions {QUICK['fractions']}, "
        f"{QUICK['questions']} questions, sizes {QUICK['sizes']} from "
        f"{QUICK['source_limit']} source paragraphs",
    )
    parser.add_argument("--set", type=Path, default=SET, help="the evaluation set's folder")
    parser.add_argument("--seed", type=int, default=0, help="subsets, questions and noise")
    parser.add_argument(
        "--dev-index",
        type=Path,
        default=DEV_INDEX,
        help="the dev index cached by bench/quality.py: the source of both parts' vectors "
        "(read from a copy, never written)",
    )
    group = parser.add_argument_group("part 1: growth")
    group.add_argument(
        "--fractions",
        type=_numbers(float),
        default=[0.1, 0.3, 1.0],
        help="shares of the articles, comma-separated (default 0.1,0.3,1)",
    )
    group.add_argument(
        "--configs",
        type=_names(("embedded", "servers")),
        default=["embedded", "servers"],
        help="embedded,servers (default both)",
    )
    group.add_argument("--questions", type=int, default=30, help="questions timed per run")
    group.add_argument(
        "--model-articles",
        type=int,
        default=40,
        help="articles of the model sample, indexed with and without the model (default 40)",
    )
    group = parser.add_argument_group("part 2: the stores alone")
    group.add_argument(
        "--sizes",
        type=_numbers(int),
        default=[100_000, 300_000, 1_000_000],
        help="paragraphs, comma-separated (default 100000,300000,1000000)",
    )
    group.add_argument(
        "--engines",
        type=_names(("sqlite", "postgres", "chroma")),
        default=["sqlite", "postgres", "chroma"],
        help="sqlite,postgres,chroma (default all three, in that order)",
    )
    group.add_argument(
        "--noise",
        type=float,
        default=0.3,
        help="norm of the noise added to a copy's vector (default 0.3)",
    )
    group.add_argument(
        "--budget-minutes",
        type=float,
        default=50,
        help="skip a step whose estimated inserts would end past this (default 50)",
    )
    group.add_argument("--source-limit", type=int, default=10**9, help=argparse.SUPPRESS)
    parser.add_argument(
        "--work",
        type=Path,
        default=None,
        help="working folder (default: a new one under /tmp, removed at the end)",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.fractions = _numbers(float)(QUICK["fractions"])
        args.questions = QUICK["questions"]
        args.sizes = _numbers(int)(QUICK["sizes"])
        args.source_limit = QUICK["source_limit"]
        args.model_articles = QUICK["model_articles"]
    args.set = args.set.resolve()
    return args


def main(argv: list[str] | None = None) -> None:
    """Run the parts asked for, print their tables, and write the JSON when asked."""
    args = parse_args(argv)
    if args.child is not None:
        run_child(args.child)
        return
    work = args.work or Path(tempfile.mkdtemp(prefix="newsdesk-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    print(
        f"bench/scale.py: {os.cpu_count()} cores, load {os.getloadavg()}, work {work}", flush=True
    )
    figures: dict[str, Any] = {"args": {k: str(v) for k, v in vars(args).items()}}
    try:
        if args.part in ("1", "all"):
            figures["part1"] = part1(args, work)
        if args.part in ("2", "all"):
            figures["part2"] = part2(args, work)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\ntook {(time.monotonic() - started) / 60:.1f} min; load at the end {os.getloadavg()}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1, default=str) + "\n")


if __name__ == "__main__":
    main()
