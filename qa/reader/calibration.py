"""Turns the reader's logit into a calibrated confidence: of answers shown at confidence c,
about c hold the answer (Platt scaling, fitted by bench/reader_calibration.py)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

CALIBRATION_FILE = "calibration.json"
NEWTON_STEPS = 50


@dataclass(frozen=True)
class Calibration:
    """confidence = sigmoid(scale * logit + shift)."""

    scale: float = 1.0
    shift: float = 0.0

    def confidence(self, logit: float) -> float:
        """The calibrated probability in [0, 1] that an answer read with ``logit`` holds the
        answer."""
        z = self.scale * logit + self.shift
        return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))

    @classmethod
    def load(cls, folder: Path) -> Calibration:
        """The calibration stored beside the reader's weights (identity when none is)."""
        path = folder / CALIBRATION_FILE
        if not path.exists():
            return cls()
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(scale=float(data["scale"]), shift=float(data["shift"]))

    def save(self, folder: Path, **notes: object) -> Path:
        """Write this calibration (and ``notes``, e.g. what it was fitted on) to ``folder``."""
        path = folder / CALIBRATION_FILE
        path.write_text(json.dumps(asdict(self) | notes, indent=2) + "\n", encoding="utf-8")
        return path


def fit_platt(logits: Sequence[float], hits: Sequence[bool], prior: float = 1e-3) -> Calibration:
    """The scale and shift minimising the log-loss of sigmoid(scale * logit + shift) against
    ``hits`` (Newton's method; ``prior`` is a small L2 penalty that keeps the fit finite when
    the classes separate). Raises ValueError when ``hits`` are all one value."""
    x = np.column_stack([np.asarray(logits, dtype=float), np.ones(len(logits))])
    y = np.asarray(hits, dtype=float)
    if not 0.0 < y.mean() < 1.0:
        raise ValueError("calibration needs both hits and misses")
    w = np.array([1.0, 0.0])
    for _ in range(NEWTON_STEPS):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        gradient = x.T @ (p - y) + prior * w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + prior * np.eye(2)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    return Calibration(scale=float(w[0]), shift=float(w[1]))
