"""Fits the extractive answerer's score weights (qa.answer.candidates.WEIGHTS) and checks them
on held-out questions.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/answer_weights.py --set ../shared/eval/realtimeqa-dev

Every candidate sentence of every question's top passages (bench/quality.py's cache, each
question asked with its date as as-of) is described by its cosine to the question and
qa.answer.candidates.evidence, and labelled by whether it holds the gold answer. A class-balanced
logistic regression with an L2 penalty (C = 0.3, scikit-learn's objective; Newton's method in
numpy) is fitted on the even questions, on the odd ones and on all. Printed:
- the three weight vectors (the shipped WEIGHTS are the "all" fit, rounded);
- best-sentence hit: the questions whose top-scored candidate holds the gold answer, on each
  half with weights fitted on the other half, against the shipped and the earlier hand-set
  weights;
- the same weights in the whole answering service: answer hit, best-quote hit, refusals, and
  the median answer length in characters (answers are longer with a wider KEEP_MARGIN, and
  the answer hit grows with length: compare rows of about the same length).
The held-out rows are the honest figures: the shipped row is measured on the questions it
was fitted on, and KEEP_MARGIN and the kinds of evidence were chosen on all of them.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import metrics, quality, variants

C = 0.3  # inverse strength of the L2 penalty, as in scikit-learn's LogisticRegression
NEWTON_STEPS = 50
# The hand-set weights used before the fit, for comparison, and their KEEP_MARGIN.
EARLIER = {
    "cosine": 1.0,
    "sentence_terms": 0.5,
    "paragraph_terms": 0.2,
    "kind_asked": 0.1,
    "rank": 0.1,
    "lead_paragraph": 0.0,
}
EARLIER_MARGIN = 0.3

Table = tuple[np.ndarray, np.ndarray]  # evidence rows (columns in WEIGHTS order), labels


def names() -> list[str]:
    """The kinds of evidence, in the order of qa.answer.candidates.WEIGHTS (the table's columns)."""
    from qa.answer.candidates import WEIGHTS

    return list(WEIGHTS)


def candidate_table(service: Any, question: dict[str, Any]) -> Table:
    """One row of evidence per candidate sentence of the question's top passages (all of
    them: no keyword pre-selection), and whether each holds the gold answer."""
    from qa.answer.candidates import evidence

    passages = service.retriever.search(
        question["question"], k=service.settings.top_k, as_of=quality.day_of(question)
    )
    pool = service.answerer.candidates(question["question"], passages, limit=None)
    columns = names()
    rows = [[{"cosine": c.cosine, **evidence(c)}[name] for name in columns] for c in pool]
    labels = [metrics.contains_answer(c.text, question["answer"]) for c in pool]
    return np.array(rows).reshape(len(pool), len(columns)), np.array(labels, dtype=bool)


def fit(tables: list[Table], c: float = C) -> np.ndarray:
    """Weights minimising c x (class-balanced log-loss) + 0.5 x |weights|^2, with an
    unpenalised intercept that is fitted but not returned (scikit-learn's
    LogisticRegression(C=c, class_weight="balanced")). Raises ValueError when the labels
    are all of one class; warns when Newton's method has not converged."""
    x = np.vstack([t[0] for t in tables])
    y = np.concatenate([t[1] for t in tables]).astype(float)
    share = y.mean() if len(y) else 0.0
    if not 0.0 < share < 1.0:
        raise ValueError("the labels must hold both classes")
    x = np.hstack([x, np.ones((len(x), 1))])
    sample = np.where(y > 0, 0.5 / share, 0.5 / (1 - share)) * c
    penalty = np.eye(x.shape[1])
    penalty[-1, -1] = 0.0
    w = np.zeros(x.shape[1])
    for _ in range(NEWTON_STEPS):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        gradient = x.T @ (sample * (p - y)) + penalty @ w
        hessian = (x * (sample * p * (1 - p))[:, None]).T @ x + penalty
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            return w[:-1]
    warnings.warn("the logistic regression did not converge", RuntimeWarning, stacklevel=2)
    return w[:-1]


def best_sentence_hits(tables: list[Table], w: np.ndarray) -> int:
    """Questions whose top-scored candidate holds the gold answer."""
    return sum(bool(len(y)) and bool(y[int(np.argmax(x @ w))]) for x, y in tables)


def as_weights(w: np.ndarray | Mapping[str, float]) -> dict[str, float]:
    """A fitted vector (in WEIGHTS order) or a mapping, as a WEIGHTS mapping."""
    if isinstance(w, Mapping):
        return {name: float(w[name]) for name in names()}
    return {name: float(value) for name, value in zip(names(), w, strict=True)}


def service_row(
    service: Any, questions: list[dict[str, Any]], weights: Mapping[str, float], margin: float
) -> str:
    """Answer hit, best-quote hit, refusals and median answer characters of the service with
    an answerer of ``weights`` and KEEP_MARGIN ``margin``."""
    from qa.answer.scorer import ExtractiveAnswerer

    shipped = service.answerer
    service.answerer = ExtractiveAnswerer(
        shipped.embedder, shipped.max_sentences, shipped.sentences, weights, margin
    )
    try:
        answers = [quality._ask(service, q["question"], q.get("date")) for q in questions]
    finally:
        service.answerer = shipped
    pairs = list(zip(answers, [q["answer"] for q in questions], strict=True))
    hits = sum(quality.answer_hit(a, gold) for a, gold in pairs)
    best = sum(quality.best_quote_hit(a, gold) for a, gold in pairs)
    lengths = [len(a.answer) for a in answers if a.found]
    chars = statistics.median(lengths) if lengths else 0
    return f"{hits}, {best}, {sum(not a.found for a in answers)}, {chars:.0f}"


def print_fits(fitted: dict[str, np.ndarray]) -> None:
    """The weight vectors, one line each."""
    print("weights:", " ".join(names()))
    for name, w in fitted.items():
        print(f"  fitted on {name}: " + " ".join(f"{v:.2f}" for v in w))


def print_held_out(
    halves: dict[str, tuple[list[Table], list[dict[str, Any]]]],
    service: Any,
    fitted: dict[str, np.ndarray],
) -> None:
    """Best-sentence and whole-service figures per half, for the earlier, the shipped and
    the other half's weights."""
    from qa.answer.candidates import WEIGHTS
    from qa.answer.scorer import KEEP_MARGIN

    other = {"even": fitted["odd"], "odd": fitted["even"]}
    choices = {
        "earlier": ({h: as_weights(EARLIER) for h in halves}, EARLIER_MARGIN),
        "shipped (in-sample)": ({h: as_weights(WEIGHTS) for h in halves}, KEEP_MARGIN),
        "fitted on the other half": ({h: as_weights(other[h]) for h in halves}, KEEP_MARGIN),
    }
    print("best-sentence hit (of the half's questions): even | odd")
    for label, (weights, _) in choices.items():
        hits = [
            best_sentence_hits(halves[h][0], np.array(list(weights[h].values()))) for h in halves
        ]
        print(f"  {label}: {hits[0]} | {hits[1]}")
    print("whole service (answer hit, best-quote hit, refused, median chars): even | odd")
    for label, (weights, margin) in choices.items():
        rows = [service_row(service, halves[h][1], weights[h], margin) for h in halves]
        print(f"  {label}: {rows[0]} | {rows[1]}", flush=True)


def main(argv: list[str] | None = None) -> None:
    """Fit, print the weights, and compare them on held-out halves."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    quality.set_arguments(parser, limit=False)
    args = parser.parse_args(argv)
    set_dir = args.set.resolve()
    components = quality.newsdesk_index(set_dir, quality.cache_dir(set_dir, args.data_dir))
    questions = quality.load_questions(set_dir, None)
    service = variants.services(components, [""])["defaults"]
    tables = [candidate_table(service, q) for q in questions]
    halves = {"even": (tables[0::2], questions[0::2]), "odd": (tables[1::2], questions[1::2])}
    fitted = {name: fit(part[0]) for name, part in halves.items()} | {"all": fit(tables)}
    print_fits(fitted)
    print_held_out(halves, service, fitted)


if __name__ == "__main__":
    main()
