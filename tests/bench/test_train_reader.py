"""The within-question groups of bench/train_reader.py's listwise training."""

from __future__ import annotations

import math
import random
from typing import Any

import torch

from bench.train_reader import group_loss, listwise_batches, question_groups


def pair(qid: str, label: int, name: str, cloze: bool = False) -> dict[str, Any]:
    return {"qid": qid, "label": label, "sentence": name, "cloze": cloze}


PAIRS = [
    pair("a", 1, "a+1"),
    pair("a", 1, "a+2"),
    *[pair("a", 0, f"a-{i}") for i in range(5)],
    pair("b", 1, "b+1"),
    pair("b", 0, "b-1"),  # too few negatives for a group of 4
    pair("c", 1, "cloze+", cloze=True),
]


def test_each_positive_leads_a_group_of_its_own_questions_negatives() -> None:
    groups = question_groups(PAIRS, 4, random.Random(0))
    assert [g[0]["sentence"] for g in groups] == ["a+1", "a+2"]
    for group in groups:
        assert len(group) == 4
        assert all(p["qid"] == "a" and p["label"] == 0 for p in group[1:])
        assert len({p["sentence"] for p in group[1:]}) == 3


def test_grouped_batches_hold_whole_groups_and_cloze_batches_stay_apart() -> None:
    out = listwise_batches(PAIRS, 8, 4, random.Random(0))
    grouped = [b for b in out if b[0].get("grouped")]
    cloze = [b for b in out if not b[0].get("grouped")]
    assert [len(b) for b in grouped] == [8]
    assert [b[0]["label"] for b in grouped] == [1] and grouped[0][4]["label"] == 1
    assert [[p["sentence"] for p in b] for b in cloze] == [["cloze+"]]


def test_group_loss_is_low_when_the_positive_leads_and_high_when_it_trails() -> None:
    leading = torch.tensor([5.0, 0.0, 0.0, 0.0])
    trailing = torch.tensor([0.0, 5.0, 0.0, 0.0])
    assert float(group_loss(leading, 4)) < 0.05
    assert math.isclose(
        float(group_loss(trailing, 4)), -math.log(1 / (math.exp(5) + 3)), rel_tol=1e-4
    )
