"""Indexing speed: newsdesk end to end vs the raw model (the ceiling) vs plain LangChain.

    .venv/bin/python bench/index_speed.py [--articles 300] [--rounds 3] [--profile]
        [--writers overlap,serial,nice] [--engine openvino|openvino-f32|torch]

Indexes the first N articles of the eval set through IndexService.add (split, embed, Chroma,
keyword index, statements, sentence vectors, stories) with the embedding engine of --engine
(index.encoders; default the shipped one), embeds exactly the same embed texts with that engine
alone (``ceiling``: tokenise, encode, mean-pool, as SentenceTransformer.encode does) and with
SentenceTransformer.encode in torch (``torch``: the model as sentence-transformers runs it), and
indexes them with langchain_chroma.Chroma.from_documents + HuggingFaceEmbeddings (torch); in
rotating order over several rounds, after one untimed run of ours that warms every step. Prints
paragraphs/second of each per round, the per-round ratios and their medians, and peak memory
(max RSS). ``--profile`` first prints the CPU seconds of each indexing step; ``--writers``
compares ways of meeting the writes with the embedding (see WRITERS).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from index.config import ENGINES  # noqa: E402  (pydantic only; the path is set above)

ARTICLES = Path(__file__).resolve().parents[2] / "shared/eval/realtimeqa-dev/articles.jsonl"


def peak_mib() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load(count: int) -> list[object]:
    """The first ``count`` eval articles as Article objects."""
    from index.readers.inputs import article_from_record

    with ARTICLES.open(encoding="utf-8") as lines:
        return [
            article_from_record(json.loads(line), "eval")
            for line, _ in zip(lines, range(count), strict=False)
        ]


class RecordingEmbedder:
    """Our embedder, noting every text IndexService embeds (the keyword index holds other
    texts, so they cannot be read back from it)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.texts: list[str] = []

    def embed_spans(self, texts: Sequence[str], spans: Any) -> Any:
        """The inner embedder's embed_spans, after noting ``texts``."""
        self.texts.extend(texts)
        return self.inner.embed_spans(texts, spans)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def ours(
    articles: list[Any], embedder: object, data_dir: Path, writer: str = "overlap"
) -> tuple[float, list[str]]:
    """Seconds for IndexService.add, and the embed texts it embedded; ``writer`` picks how
    the writes meet the embedding (WRITERS)."""
    from index.components import build_index
    from index.config import IndexSettings

    recording = RecordingEmbedder(embedder)
    index = build_index(IndexSettings(data_dir=data_dir), embedder=recording)
    WRITERS[writer](index.service)
    started = time.perf_counter()
    index.service.add(articles)
    seconds = time.perf_counter() - started
    return seconds, recording.texts


def _overlap(service: Any) -> None:
    """As shipped: batch i is written on a writer thread while batch i+1 is embedded."""


def _serial(service: Any) -> None:
    """Each batch written as soon as it is embedded, on the same thread (no overlap)."""

    def run(batches: list[Any], run: Any, progress: Any) -> None:
        for batch in batches:
            vectors, sentences = service._embed(batch.flat)
            service._write(batch, vectors, sentences)
            run.done += len(batch.flat)

    service._run = run


def _nice(service: Any) -> None:
    """Overlapped, the writer thread at nice 10: torch's threads get the cores first."""
    write = service._write

    def niced(*args: Any) -> None:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)  # this thread only
        write(*args)

    service._write = niced


WRITERS = {"overlap": _overlap, "serial": _serial, "nice": _nice}


def ceiling(embedder: Any, texts: list[str]) -> float:
    """Seconds for the embedder's engine alone on ``texts`` (no span vectors, no writes)."""
    started = time.perf_counter()
    embedder.embed(texts)
    return time.perf_counter() - started


def torch_encode(model: object, texts: list[str], batch_size: int) -> float:
    """Seconds for SentenceTransformer.encode (torch) on ``texts`` alone."""
    started = time.perf_counter()
    model.encode(texts, batch_size=batch_size, normalize_embeddings=True)  # type: ignore[attr-defined]
    return time.perf_counter() - started


def langchain(texts: list[str], model_path: Path, data_dir: Path) -> float:
    """Seconds for a plain LangChain Chroma.from_documents on ``texts`` (model loaded before)."""
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_huggingface import HuggingFaceEmbeddings

    embeddings = HuggingFaceEmbeddings(model_name=str(model_path))
    embeddings.embed_documents(["warm up"])
    documents = [Document(page_content=t) for t in texts]
    started = time.perf_counter()
    Chroma.from_documents(documents, embeddings, persist_directory=str(data_dir))
    return time.perf_counter() - started


def profile(articles: list[Any], embedder: Any, data_dir: Path) -> dict[str, float]:
    """CPU seconds of each indexing step (time.thread_time of the thread running it; torch's
    own worker threads are not counted, so ``embed`` is its calling thread's share)."""
    import index.service as service_module
    from index.storage.catalog import Catalog
    from index.storage.vectors import ChromaStore

    cpu: dict[str, float] = {}
    targets = [
        (service_module, "split_article", "split"),
        (service_module, "extract_statements", "statements: extract"),
        (service_module, "replace_statements", "statements: store"),
        (service_module, "replace_sentence_vectors", "sentence vectors: store"),
        (service_module, "replace_story_paragraphs", "stories"),
        (service_module.IndexService, "_embed", "embed (calling thread)"),
        (Catalog, "_insert_paragraphs", "catalog: paragraphs + keyword index"),
        (Catalog, "mark_pending", "catalog: mark pending"),
        (ChromaStore, "upsert", "chroma: upsert"),
    ]
    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in targets]
    for owner, name, label in targets:
        setattr(owner, name, _cpu_timed(getattr(owner, name), label, cpu))
    try:
        started = time.process_time()
        ours(articles, embedder, data_dir)
        cpu["whole process"] = time.process_time() - started
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)
    return cpu


def _cpu_timed(function: Any, label: str, cpu: dict[str, float]) -> Any:
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.thread_time()
        try:
            return function(*args, **kwargs)
        finally:
            cpu[label] = cpu.get(label, 0.0) + time.thread_time() - started

    return timed


def main() -> None:
    """Run the pipelines on the same paragraphs in rotating order and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3, help="rounds, each phase once per round")
    parser.add_argument(
        "--writers", default="overlap", help=f"comma-separated, of {', '.join(WRITERS)}"
    )
    parser.add_argument("--no-langchain", action="store_true", help="skip the LangChain phase")
    parser.add_argument(
        "--engine",
        default=None,
        choices=ENGINES,
        help="embedding engine (index.encoders); default the setting's",
    )
    parser.add_argument("--profile", action="store_true", help="first, CPU seconds per step")
    args = parser.parse_args()
    from index.config import IndexSettings
    from index.embedder import SentenceTransformersEmbedder

    print(f"load average at start: {os.getloadavg()}; cpus: {os.cpu_count()}")
    articles = load(args.articles)
    engine = args.engine or IndexSettings().embed_engine
    embedder = SentenceTransformersEmbedder(engine=engine)
    embedder.warm_up()
    embedder.embed(["warm up"] * 8)
    embedder.model.encode(["warm up"] * 8)
    print(f"engine {engine}")
    print(f"model loaded; peak RSS {peak_mib():.0f} MiB")
    with tempfile.TemporaryDirectory() as tmp:
        if args.profile:
            for label, seconds in sorted(profile(articles, embedder, Path(tmp) / "p").items(),
                                         key=lambda kv: -kv[1]):  # fmt: skip
                print(f"  cpu {seconds:7.2f} s  {label}")
        _, texts = ours(articles, embedder, Path(tmp) / "texts")  # also warms every phase
        phases = [f"ours:{w}" for w in args.writers.split(",")] + ["ceiling", "torch"]
        phases += [] if args.no_langchain else ["langchain"]
        rates = rotate(phases, args.rounds, articles, embedder, texts, Path(tmp))
    report(rates, len(texts))
    print(f"load average at end: {os.getloadavg()}")


def rotate(
    phases: list[str], rounds: int, articles: list[Any], embedder: Any, texts: list[str], tmp: Path
) -> dict[str, list[float]]:
    """Paragraphs/s of each phase per round; round r starts at phase r, so no phase always
    pays for (or profits from) the one before it."""
    rates: dict[str, list[float]] = {p: [] for p in phases}
    for r in range(rounds):
        for phase in phases[r % len(phases) :] + phases[: r % len(phases)]:
            folder = tmp / f"{phase.replace(':', '-')}-{r}"
            if phase == "ceiling":
                seconds = ceiling(embedder, texts)
            elif phase == "torch":
                seconds = torch_encode(embedder.model, texts, embedder.batch_size)
            elif phase == "langchain":
                seconds = langchain(texts, embedder.model_path, folder)
            else:
                seconds, _ = ours(articles, embedder, folder, phase.split(":")[1])
            rates[phase].append(len(texts) / seconds)
            print(f"round {r + 1} {phase:14s} {rates[phase][-1]:6.1f} para/s; "
                  f"peak RSS {peak_mib():.0f} MiB", flush=True)  # fmt: skip
    return rates


def report(rates: dict[str, list[float]], paragraphs: int) -> None:
    """Each phase's median rate, and each ours / ceiling and ours / LangChain per round."""
    print(f"\n{paragraphs} paragraphs; median para/s:")
    for phase, values in rates.items():
        print(f"  {phase:14s} {statistics.median(values):6.1f}  (rounds: "
              + ", ".join(f"{v:.1f}" for v in values) + ")")  # fmt: skip
    for phase in [p for p in rates if p.startswith("ours")]:
        for base in [b for b in ("ceiling", "torch", "langchain") if b in rates]:
            ratios = [o / b for o, b in zip(rates[phase], rates[base], strict=True)]
            print(f"  {phase} / {base}: median {statistics.median(ratios):.3f} (rounds: "
                  + ", ".join(f"{x:.3f}" for x in ratios) + ")")  # fmt: skip


if __name__ == "__main__":
    main()
