"""Indexing speed: newsdesk end to end vs the raw model (the ceiling) vs plain LangChain.

    .venv/bin/python bench/index_speed.py [--articles 300]

Indexes the first N articles of the eval set through IndexService.add (split, embed, Chroma,
FTS), then embeds exactly the same embed texts with SentenceTransformer.encode alone, then
indexes them with langchain_chroma.Chroma.from_documents + HuggingFaceEmbeddings. Prints
paragraphs/second of each, the ratios, and peak memory (max RSS) after each phase.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

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


def ours(articles: list[Any], embedder: object, data_dir: Path) -> tuple[float, list[str]]:
    """Seconds for IndexService.add, and the embed texts it embedded."""
    from index.components import build_index
    from index.config import IndexSettings

    recording = RecordingEmbedder(embedder)
    index = build_index(IndexSettings(data_dir=data_dir), embedder=recording)
    started = time.perf_counter()
    index.service.add(articles)
    seconds = time.perf_counter() - started
    return seconds, recording.texts


def ceiling(model: object, texts: list[str], batch_size: int) -> float:
    """Seconds for SentenceTransformer.encode on ``texts`` alone."""
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


def main() -> None:
    """Run the three pipelines on the same paragraphs and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    args = parser.parse_args()
    from index.embedder import SentenceTransformersEmbedder

    print(f"load average at start: {os.getloadavg()}; cpus: {os.cpu_count()}")
    articles = load(args.articles)
    embedder = SentenceTransformersEmbedder()
    embedder.warm_up()
    embedder.embed(["warm up"] * 8)
    print(f"model loaded; peak RSS {peak_mib():.0f} MiB")
    with tempfile.TemporaryDirectory() as tmp:
        ours_s, texts = ours(articles, embedder, Path(tmp) / "ours")
        n = len(texts)
        print(f"ours      : {n} paragraphs in {ours_s:.1f}s = {n / ours_s:.1f} para/s; "
              f"peak RSS {peak_mib():.0f} MiB")  # fmt: skip
        ceil_s = ceiling(embedder.model, texts, embedder.batch_size)
        print(f"ceiling   : encode only {ceil_s:.1f}s = {n / ceil_s:.1f} para/s; "
              f"peak RSS {peak_mib():.0f} MiB")  # fmt: skip
        lc_s = langchain(texts, embedder.model_path, Path(tmp) / "langchain")
        print(f"langchain : {lc_s:.1f}s = {n / lc_s:.1f} para/s; peak RSS {peak_mib():.0f} MiB")
    print(f"ours / ceiling = {ceil_s / ours_s:.2f}; ours / langchain = {lc_s / ours_s:.2f}")
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
