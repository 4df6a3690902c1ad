"""Turns what is known of the best-read sentence into a calibrated confidence: of answers
shown at confidence c, about c hold the answer.

A logistic model (generalised Platt scaling) over the reader's logit and the sentence's
evidence that the logit alone misses: on realtimeqa-dev the top logit ranks questions no
better than chance (it ranks sentences within a question well), while the share of the
question's words in the sentence does (bench/RESULTS.md). Fitted by bench/reader.py,
cross-validated.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import numpy as np

CALIBRATION_FILE = "calibration.json"
NEWTON_STEPS = 50
# The features a calibration may weigh (see qa.reader.answerer.features).
FEATURES = ("logit", "sentence_terms", "paragraph_terms", "cosine", "vote_share")


@dataclass(frozen=True)
class Calibration:
    """confidence = sigmoid(sum of weights[f] * features[f] + shift); by default the
    sigmoid of the logit."""

    weights: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({"logit": 1.0}))
    shift: float = 0.0

    def confidence(self, features: Mapping[str, float]) -> float:
        """The calibrated probability in [0, 1] that an answer with these features holds
        the answer."""
        z = sum(w * features[name] for name, w in self.weights.items()) + self.shift
        return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))

    @classmethod
    def load(cls, folder: Path) -> Calibration:
        """The calibration stored beside the reader's weights (the default when none is).
        Raises ValueError for a weight on an unknown feature."""
        path = folder / CALIBRATION_FILE
        if not path.exists():
            return cls()
        data = json.loads(path.read_text(encoding="utf-8"))
        weights = {str(k): float(v) for k, v in data["weights"].items()}
        if unknown := set(weights) - set(FEATURES):
            raise ValueError(f"{path}: unknown calibration features {sorted(unknown)}")
        return cls(MappingProxyType(weights), float(data["shift"]))

    def save(self, folder: Path, **notes: object) -> Path:
        """Write this calibration (and ``notes``, e.g. what it was fitted on) to ``folder``."""
        path = folder / CALIBRATION_FILE
        data = {"weights": dict(self.weights), "shift": self.shift} | notes
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        return path


def fit_calibration(
    rows: Sequence[Mapping[str, float]],
    hits: Sequence[bool],
    names: Sequence[str] = ("logit",),
    prior: float = 1e-3,
) -> Calibration:
    """The weights over ``names`` and the shift minimising the log-loss of the confidence
    against ``hits`` (Newton's method; ``prior`` is a small L2 penalty that keeps the fit
    finite when the classes separate). Raises ValueError when ``hits`` are all one value."""
    x = np.array([[row[name] for name in names] + [1.0] for row in rows], dtype=float)
    y = np.asarray(hits, dtype=float)
    if not len(y) or not 0.0 < y.mean() < 1.0:
        raise ValueError("calibration needs both hits and misses")
    w = np.zeros(x.shape[1])
    for _ in range(NEWTON_STEPS):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        gradient = x.T @ (p - y) + prior * w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + prior * np.eye(x.shape[1])
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    weights = {name: float(value) for name, value in zip(names, w[:-1], strict=True)}
    return Calibration(MappingProxyType(weights), float(w[-1]))
