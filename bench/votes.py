"""Answer votes (qa.reader.votes): their constants chosen by five-fold cross-validation.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/votes.py --set ../shared/eval/realtimeqa-dev

Each question is retrieved and read once, as the shipped answerer does; then every setting of
the grid composes every answer from the same readings. Printed: answer hit, best-quote hit and
short-answer hit (bench/quality.py's measures) without votes, with the shipped constants, with
them counted per sentence instead of per article, and cross-validated: in each of five folds
the setting of the best short-answer hit (then best-quote hit) on the other four is scored on
the fold. The cross-validated figures are the ones to quote; the others are fitted to the set.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import quality

FOLDS = 5
TOP_K = 10  # passages retrieved per question, QASettings' default
GRID = {
    "temperature": (1.0, 2.0, 4.0),
    "weight": (0.25, 0.5, 1.0, 2.0),
    "contained_share": (0.0, 0.5, 1.0),
    "word_cost": (0.0, 0.02, 0.05),
}
Hits = tuple[bool, bool, bool]  # answer hit, best-quote hit, short-answer hit


def readings(retriever: Any, answerer: Any, questions: list[dict[str, Any]]) -> list[Any]:
    """Per question: (question, gold, read candidates, passages)."""
    out = []
    for number, question in enumerate(questions, start=1):
        text = question["question"]
        passages = retriever.search(text, TOP_K, None, quality.day_of(question))
        out.append((text, question["answer"], answerer.read(text, passages), passages))
        print(f"\rread {number}/{len(questions)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return out


def scored(answerer: Any, read: list[Any], params: Any) -> list[Hits]:
    """Each question's hits, its answer composed with vote ``params``."""
    answerer.votes = params
    hits = []
    for question, gold, candidates, passages in read:
        draft = answerer.compose(question, candidates, passages)
        hits.append(
            (
                quality.shown_hit(draft.found, draft.text, draft.citations, gold),
                quality.best_quote_hit(draft, gold),
                quality.short_answer_hit(draft, gold),
            )
        )
    return hits


def shares(hits: list[Hits]) -> str:
    """The three hit rates, printed."""
    rates = [sum(h[k] for h in hits) / len(hits) for k in range(3)]
    return "  ".join(f"{rate:.3f}" for rate in rates)


def short_then_best_quote(hits: list[Hits]) -> tuple[int, int]:
    """What a fold chooses a setting by: short-answer hits, then best-quote hits."""
    return sum(h[2] for h in hits), sum(h[1] for h in hits)


def main(argv: list[str] | None = None) -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    quality.set_arguments(parser)
    args = parser.parse_args(argv)
    from qa.components import build_answerer, build_retriever
    from qa.config import QASettings
    from qa.reader.votes import VOTES, VoteParams

    set_dir = args.set.resolve()
    components = quality.newsdesk_index(set_dir, quality.cache_dir(set_dir, args.data_dir))
    questions = quality.load_questions(set_dir, args.limit)
    settings = QASettings()
    answerer = build_answerer(components, settings)
    read = readings(build_retriever(components, settings), answerer, questions)
    grid = [
        VoteParams(temperature, weight, contained, cost)
        for temperature, weight, contained, cost in itertools.product(*GRID.values())
    ]
    by_setting = {params: scored(answerer, read, params) for params in grid}
    rows = {
        "no votes (best sentence with a span, its best)": VoteParams(weight=0.0, word_cost=0.0),
        "shipped (below)": VOTES,
        "the same, counted per sentence": replace(VOTES, per_article=False),
    }
    print(f"{'setting':<48}answer  best quote  short")
    for name, params in rows.items():
        print(f"{name:<48}{shares(scored(answerer, read, params))}")
    print(f"  shipped = {VOTES}")
    held_out, chosen = quality.metrics.fold_chosen(by_setting, short_then_best_quote, FOLDS)
    print(f"{f'cross-validated, {FOLDS} folds':<48}{shares(held_out)}")
    for fold, params in enumerate(chosen):
        print(f"  fold {fold} chose {params}")


if __name__ == "__main__":
    main()
