"""Retrieval variants compared in one run: quality per half of the dev set, and latency of the
whole question path, interleaved question by question so machine drift hits every variant alike.

    .venv/bin/python bench/variants.py --set ../shared/eval/realtimeqa-dev \\
        --variant common_share=1.0 --variant common_share=0.1

Each ``--variant`` overrides fields of qa.retrieval.fusion.FusionParams or qa.config.QASettings
(``name=value,name=value``; no override: the defaults). The index is bench/quality.py's
cache (built by it). For every variant it prints answer-recall at 1,000 and 5,000
characters, @10 passages and gold-article MRR@10 over all questions and over the even and
odd halves (to show what is noise: one question is 0.01 of a half), then the median and p95
milliseconds of ``QAService.ask`` (each ask embeds its question: nothing is cached, so each
variant pays for its model call).
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import metrics, quality

DEPTH = quality.DEPTH


def parse_variant(text: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """``"rrf_k=30,recency_days=7"`` -> (FusionParams overrides, QASettings overrides), each
    value typed like its default."""
    from qa.config import QASettings
    from qa.retrieval.fusion import FusionParams

    fusion_fields = {f.name for f in dataclasses.fields(FusionParams)}
    defaults = FusionParams()
    overrides: tuple[dict[str, Any], dict[str, Any]] = ({}, {})
    for item in filter(None, text.split(",")):
        name, _, value = item.partition("=")
        if name in fusion_fields and isinstance(getattr(defaults, name), bool):
            overrides[0][name] = value.lower() in ("1", "true", "yes")  # one_per_story=false
        elif name in fusion_fields:
            overrides[0][name] = type(getattr(defaults, name))(value)
        elif name in QASettings.model_fields:
            overrides[1][name] = value  # validated and typed by QASettings
        else:
            raise SystemExit(f"unknown FusionParams or QASettings field: {name}")
    return overrides


def services(components: Any, variants: list[str]) -> dict[str, Any]:
    """One answering service per variant, over the same index and model."""
    from index.storage.stories import StoryStore
    from qa.config import QASettings
    from qa.retrieval.fusion import FusionParams
    from qa.retrieval.search import Retriever

    sentences = quality._sentence_vectors(components)
    stories = StoryStore(components.catalog)
    made = {}
    for variant in variants:
        fusion, overrides = parse_variant(variant)
        params = dataclasses.replace(FusionParams(), **fusion)
        settings = QASettings.model_validate({**QASettings().model_dump(), **overrides})
        retriever = Retriever(
            components.catalog, components.store, components.embedder, settings, params,
            sentences, stories,
        )  # fmt: skip
        made[variant or "defaults"] = quality.answering_service(components, settings, retriever)
    return made


def retrieval_row(retriever: Any, question: dict[str, Any]) -> tuple[float, ...]:
    """@1000 chars, @5000 chars, @10 and reciprocal rank (NaN without gold articles)."""
    passages = retriever.search(question["question"], k=DEPTH, as_of=quality.day_of(question))
    texts, answer = [p.text for p in passages], question["answer"]
    gold = question.get("gold_doc_ids") or []
    rank = None
    if gold:
        deeper = retriever.search(
            question["question"], k=quality.ARTICLE_DEPTH, as_of=quality.day_of(question)
        )
        rank = metrics.reciprocal_rank([p.article_id for p in deeper], gold)
    return (
        float(metrics.recall_at_chars(texts, answer, 1000)),
        float(metrics.recall_at_chars(texts, answer, 5000)),
        float(metrics.recall_at_k(texts, answer, 10)),
        float("nan") if rank is None else rank,
    )


def summary(rows: list[tuple[float, ...]]) -> str:
    """The four measures' means (MRR over the rows that have gold articles)."""
    columns = list(zip(*rows, strict=True))
    ranks = [r for r in columns[3] if r == r]
    return " ".join(f"{metrics.mean(c):.3f}" for c in [*columns[:3], ranks])


def timings(made: dict[str, Any], questions: list[dict[str, Any]]) -> dict:
    """Seconds of each ask, per variant, variants taking turns on every question (term counts
    and SQLite pages are warm by then: the quality pass has read them)."""
    took: dict[str, list[float]] = {name: [] for name in made}
    names = list(made)
    for n, question in enumerate(questions):
        for name in names[n % len(names) :] + names[: n % len(names)]:  # each goes first in turn
            service = made[name]
            started = time.perf_counter()
            quality._ask(service, question["question"], question.get("date"))
            took[name].append(time.perf_counter() - started)
    return took


def main(argv: list[str] | None = None) -> None:
    """Print quality and latency of every variant."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    quality.set_arguments(parser, limit=False)
    parser.add_argument("--variant", action="append", default=[], help="name=value,...")
    args = parser.parse_args(argv)
    set_dir = args.set.resolve()
    components = quality.newsdesk_index(set_dir, quality.cache_dir(set_dir, args.data_dir))
    questions = quality.load_questions(set_dir, None)
    made = services(components, args.variant or [""])
    print("variant: all | even | odd  (@1000 chars, @5000 chars, @10, MRR@10)")
    for name, service in made.items():
        rows = [retrieval_row(service.retriever, q) for q in questions]
        halves = f"{summary(rows)} | {summary(rows[0::2])} | {summary(rows[1::2])}"
        print(f"{name}: {halves}", flush=True)
    for name, took in timings(made, questions).items():
        p95 = metrics.percentile(took, 0.95)
        print(f"{name}: ask median {1000 * statistics.median(took):.1f} ms, p95 {1000 * p95:.1f}")


if __name__ == "__main__":
    main()
