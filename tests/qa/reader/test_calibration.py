"""Platt calibration: fitted confidences match observed hit rates."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from qa.reader.calibration import Calibration, fit_platt


def test_fit_recovers_the_scale_and_shift_that_made_the_data() -> None:
    rng = np.random.default_rng(0)
    logits = rng.normal(0.0, 3.0, 20_000)
    truth = Calibration(scale=0.6, shift=-0.8)
    hits = rng.random(len(logits)) < [truth.confidence(x) for x in logits]
    fitted = fit_platt(logits.tolist(), hits.tolist())
    assert fitted.scale == pytest.approx(0.6, abs=0.03)
    assert fitted.shift == pytest.approx(-0.8, abs=0.05)


def test_of_answers_shown_at_confidence_c_about_c_hold_the_answer() -> None:
    """A fixture of over-confident logits (the reader's raw sigmoid says 0.95 where 0.7
    hold): after calibration, each confidence bin's hit rate is within 0.05 of its mean
    confidence."""
    rng = np.random.default_rng(1)
    logits = rng.uniform(-4.0, 4.0, 30_000)
    hits = rng.random(len(logits)) < 1 / (1 + np.exp(-(0.4 * logits - 0.3)))
    calibration = fit_platt(logits.tolist(), hits.tolist())
    confidence = np.array([calibration.confidence(x) for x in logits])
    for low in np.arange(0.0, 1.0, 0.2):
        inside = (confidence >= low) & (confidence < low + 0.2)
        if inside.sum() > 500:
            assert abs(hits[inside].mean() - confidence[inside].mean()) < 0.05


def test_confidence_is_a_probability_even_for_extreme_logits() -> None:
    calibration = Calibration(scale=2.0, shift=0.0)
    assert calibration.confidence(1e6) == 1.0
    assert calibration.confidence(-1e6) == 0.0
    assert calibration.confidence(0.0) == 0.5
    assert not math.isnan(calibration.confidence(-800.0))


def test_one_class_cannot_be_calibrated() -> None:
    with pytest.raises(ValueError, match="both"):
        fit_platt([0.1, 0.2], [True, True])


def test_saved_calibration_loads_back_and_a_folder_without_one_is_the_identity(
    tmp_path: Path,
) -> None:
    Calibration(scale=0.5, shift=0.25).save(tmp_path, fitted_on="a test")
    assert Calibration.load(tmp_path) == Calibration(scale=0.5, shift=0.25)
    assert Calibration.load(tmp_path / "missing") == Calibration()
