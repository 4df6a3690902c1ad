"""Fits the extractive answerer's score weights (qa.answer.WEIGHTS) and checks them on held-out
questions.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/answer_weights.py --set ../shared/eval/realtimeqa-dev

Every candidate sentence of every question's top passages (bench/quality.py's cache, each
question asked with its date as as-of) is described by qa.answer.evidence and labelled by
whether it holds the gold answer. A class-balanced logistic regression with an L2 penalty
(C = 0.3, no library: Newton's method in numpy) is fitted on the even questions, on the odd
ones and on all. Printed:
- the three weight vectors (the shipped WEIGHTS are the "all" fit, rounded);
- best-sentence hit: the share of questions whose top-scored candidate holds the gold answer,
  on each half with weights fitted on the other half, against the shipped and the earlier
  hand-set weights;
- the same weights in the whole answering service (answer hit, best-quote hit, refusals and
  sentences per answer, as bench/quality.py counts them).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import metrics, quality, variants

C = 0.3  # inverse strength of the L2 penalty, as in scikit-learn's LogisticRegression
# The hand-set weights used before the fit, for comparison, with their KEEP_MARGIN.
EARLIER_MARGIN = 0.3
EARLIER = {
    "cosine": 1.0,
    "sentence_terms": 0.5,
    "paragraph_terms": 0.2,
    "kind_asked": 0.1,
    "rank": 0.1,
    "lead_paragraph": 0.0,
    "opens_paragraph": 0.0,
}


def candidate_table(service: Any, question: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """One row of evidence per candidate sentence of the question's top passages (all of
    them: no keyword pre-selection), and whether each holds the gold answer."""
    from qa import answer
    from qa.scoring import question_terms

    passages = service.retriever.search(
        question["question"], k=service.settings.top_k, as_of=question.get("date")
    )
    pool = answer.keyword_candidates(
        question_terms(question["question"]), passages[: answer.ANSWER_PASSAGES]
    )
    if not pool:
        return np.zeros((0, len(answer.WEIGHTS))), np.zeros(0, dtype=bool)
    asked = service.answerer.embedder.embed_query(question["question"])
    for candidate, vector in zip(pool, service.answerer.vectors(pool), strict=True):
        candidate.cosine = float(np.dot(asked, vector))
    rows = [[answer.evidence(c)[name] for name in answer.WEIGHTS] for c in pool]
    labels = [metrics.contains_answer(c.text, question["answer"]) for c in pool]
    return np.array(rows), np.array(labels, dtype=bool)


def fit(tables: list[tuple[np.ndarray, np.ndarray]], c: float = C) -> np.ndarray:
    """Class-balanced L2 logistic regression by Newton's method: the weights (the intercept,
    last, is fitted but not returned, nor penalised)."""
    x = np.vstack([t[0] for t in tables])
    y = np.concatenate([t[1] for t in tables]).astype(float)
    x = np.hstack([x, np.ones((len(x), 1))])
    share = y.mean()
    sample = np.where(y > 0, 0.5 / share, 0.5 / (1 - share)) * c
    penalty = np.eye(x.shape[1])
    penalty[-1, -1] = 0.0
    w = np.zeros(x.shape[1])
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        gradient = x.T @ (sample * (p - y)) + penalty @ w
        hessian = (x * (sample * p * (1 - p))[:, None]).T @ x + penalty
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1]


def best_sentence_hits(tables: list[tuple[np.ndarray, np.ndarray]], w: np.ndarray) -> int:
    """Questions whose top-scored candidate holds the gold answer."""
    return sum(bool(len(y)) and bool(y[int(np.argmax(x @ w))]) for x, y in tables)


def service_row(
    service: Any, questions: list[dict[str, Any]], weights: Mapping[str, float], margin: float
) -> tuple[int, int, int, float]:
    """Answer hit, best-quote hit, refusals and mean sentences per answer of the service with
    ``weights`` and qa.answer.KEEP_MARGIN ``margin``."""
    from qa import answer

    service.answerer.weights, shipped_margin = weights, answer.KEEP_MARGIN
    answer.KEEP_MARGIN = margin
    try:
        answers = [quality._ask(service, q["question"], q.get("date")) for q in questions]
    finally:
        answer.KEEP_MARGIN = shipped_margin
    golds = [q["answer"] for q in questions]
    lengths = [len(a.citations) for a in answers if a.found]
    return (
        sum(quality.answer_hit(a, g) for a, g in zip(answers, golds, strict=True)),
        sum(quality.best_quote_hit(a, g) for a, g in zip(answers, golds, strict=True)),
        sum(not a.found for a in answers),
        round(statistics.mean(lengths), 2) if lengths else 0.0,
    )


def as_weights(w: np.ndarray) -> dict[str, float]:
    """A fitted vector as a WEIGHTS mapping."""
    from qa.answer import WEIGHTS

    return {name: float(value) for name, value in zip(WEIGHTS, w, strict=True)}


def main(argv: list[str] | None = None) -> None:
    """Fit, print the weights, and compare them on held-out halves."""
    from qa.answer import KEEP_MARGIN, WEIGHTS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", required=True, type=Path, help="folder of an evaluation set")
    parser.add_argument("--data-dir", type=Path, default=None, help="index cache folder")
    args = parser.parse_args(argv)
    set_dir = args.set.resolve()
    components = quality.newsdesk_index(set_dir, quality.cache_dir(set_dir, args.data_dir))
    questions = quality.load_questions(set_dir, None)
    service = variants.services(components, [""])["defaults"]
    tables = [candidate_table(service, q) for q in questions]
    halves = {"even": (tables[0::2], questions[0::2]), "odd": (tables[1::2], questions[1::2])}
    fitted = {name: fit(part[0]) for name, part in halves.items()} | {"all": fit(tables)}
    print("weights:", " ".join(WEIGHTS))
    for name, w in fitted.items():
        print(f"  fitted on {name}: " + " ".join(f"{v:.2f}" for v in w))
    other = {"even": fitted["odd"], "odd": fitted["even"]}
    shipped, earlier = np.array(list(WEIGHTS.values())), np.array(list(EARLIER.values()))
    print("best-sentence hit (of the half's questions): even | odd")
    for label, pick in [("earlier", lambda h: earlier), ("shipped", lambda h: shipped)]:
        print(
            f"  {label}: "
            + " | ".join(str(best_sentence_hits(halves[h][0], pick(h))) for h in halves)
        )
    print(
        "  fitted on the other half: "
        + " | ".join(str(best_sentence_hits(halves[h][0], other[h])) for h in halves)
    )
    print("whole service (answer hit, best-quote hit, refused, sentences): even | odd")
    for label, pick, margin in [
        ("earlier", lambda h: EARLIER, EARLIER_MARGIN),
        ("shipped", lambda h: WEIGHTS, KEEP_MARGIN),
        ("fitted on the other half", lambda h: as_weights(other[h]), KEEP_MARGIN),
    ]:
        rows = [service_row(service, halves[h][1], pick(h), margin) for h in halves]
        print(f"  {label}: {rows[0]} | {rows[1]}", flush=True)


if __name__ == "__main__":
    main()
