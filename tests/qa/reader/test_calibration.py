"""Calibration: fitted confidences match observed hit rates."""

from __future__ import annotations

import math
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pytest

from qa.reader.calibration import Calibration, fit_calibration


def calibration(**weights: float) -> Calibration:
    shift = weights.pop("shift", 0.0)
    return Calibration(MappingProxyType(weights), shift)


def test_fit_recovers_the_weights_that_made_the_data() -> None:
    rng = np.random.default_rng(0)
    logits, cosines = rng.normal(0, 3, 20_000), rng.uniform(0, 1, 20_000)
    rows = [{"logit": x, "cosine": c} for x, c in zip(logits, cosines, strict=True)]
    truth = calibration(logit=0.6, cosine=2.0, shift=-1.5)
    hits = rng.random(len(rows)) < [truth.confidence(r) for r in rows]
    fitted = fit_calibration(rows, hits.tolist(), ("logit", "cosine"))
    assert fitted.weights["logit"] == pytest.approx(0.6, abs=0.04)
    assert fitted.weights["cosine"] == pytest.approx(2.0, abs=0.2)
    assert fitted.shift == pytest.approx(-1.5, abs=0.15)


def test_of_answers_shown_at_confidence_c_about_c_hold_the_answer() -> None:
    """A fixture of over-confident logits (their raw sigmoid says 0.95 where about 0.7
    hold): after calibration, each confidence bin's hit rate is within 0.05 of its mean
    confidence."""
    rng = np.random.default_rng(1)
    rows = [{"logit": x} for x in rng.uniform(-4.0, 4.0, 30_000)]
    logits = np.array([r["logit"] for r in rows])
    hits = rng.random(len(rows)) < 1 / (1 + np.exp(-(0.4 * logits - 0.3)))
    fitted = fit_calibration(rows, hits.tolist())
    confidence = np.array([fitted.confidence(r) for r in rows])
    checked = 0
    for low in np.arange(0.0, 1.0, 0.2):
        inside = (confidence >= low) & (confidence < low + 0.2)
        if inside.sum() > 500:
            assert abs(hits[inside].mean() - confidence[inside].mean()) < 0.05
            checked += 1
    assert checked >= 3


def test_confidence_is_a_probability_even_for_extreme_logits() -> None:
    doubled = calibration(logit=2.0)
    assert doubled.confidence({"logit": 1e6}) == 1.0
    assert doubled.confidence({"logit": -1e6}) == 0.0
    assert doubled.confidence({"logit": 0.0}) == 0.5
    assert not math.isnan(doubled.confidence({"logit": -800.0}))


def test_one_class_cannot_be_calibrated() -> None:
    with pytest.raises(ValueError, match="both"):
        fit_calibration([{"logit": 0.1}, {"logit": 0.2}], [True, True])


def test_saved_calibration_loads_back_and_a_folder_without_one_is_the_default(
    tmp_path: Path,
) -> None:
    saved = calibration(logit=0.5, sentence_terms=1.5, shift=0.25)
    saved.save(tmp_path, fitted_on="a test")
    assert Calibration.load(tmp_path) == saved
    assert Calibration.load(tmp_path / "missing") == Calibration()


def test_a_weight_on_an_unknown_feature_is_refused(tmp_path: Path) -> None:
    calibration(logit=1.0, mood=2.0).save(tmp_path)
    with pytest.raises(ValueError, match="mood"):
        Calibration.load(tmp_path)
