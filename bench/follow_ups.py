"""Follow-up rules on the dev questions: standalone questions mid-conversation, and pronoun
follow-ups made from the questions that name a person.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/follow_ups.py --set ../shared/eval/realtimeqa-dev

1. Standalone: every question is asked alone, and as the next turn after the set's previous
   question and its answer. The questions name their own subject, so a rewrite is a mistake
   (a pronoun given a name from the earlier answer). Prints each rewritten question, the count
   and the answer hit both ways.
2. Pronouns: a question that names a person ("Liz Truss became the new prime minister of which
   country this week?") is asked after "What is the latest news about Liz Truss?" (with its
   answer), with the name replaced by "they" ("They became ..."). Prints how many rewrites
   name the person again, and the answer hit of the follow-ups against the original questions.
   The names come from the rule-based entity finder, so a few are not people ("Mega
   Millions"); the rule measured is the same: a pronoun refers to what was asked about.

Over bench/quality.py's index cache, with the full service (build_qa: speaker answers too).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import quality


def ask_both_ways(service: Any, questions: list[dict[str, Any]]) -> list[tuple[bool, bool, str]]:
    """Per question: answer hit alone, answer hit after the previous question, and the
    rewritten question mid-conversation."""
    from qa.models import Turn

    rows, previous = [], None
    for question in questions:
        text, as_of = question["question"], question.get("date")
        alone = service.ask(text, as_of=as_of)
        chatted = service.ask(text, [previous] if previous else None, as_of=as_of)
        hits = quality.answer_hit(alone, question["answer"])
        rows.append((hits, quality.answer_hit(chatted, question["answer"]), chatted.rewritten))
        previous = Turn(question=text, rewritten=alone.rewritten, answer=alone.answer)
    return rows


# A person named after "the", "St.", a number or a possessive, or by an institution's word, is
# most likely not a person ("the Smithsonian's National Zoo", "St. Patrick", "World Cup").
_PRONOUN = re.compile(r"\b(he|she|they|him|her|them|his|their|hers|theirs)\b", re.IGNORECASE)
_NOT_AFTER = re.compile(r"(\bthe|\bSt\.|\d|’s|'s)\s*$")
_INSTITUTION = re.compile(
    r"\b(Report|Zoo|Globes|Court|Street|Party|Cup|Awards?|Festival|Day|Games|Olympics|Series|"
    r"Bowl|Prize|Board|Belt|House|Department|Army|Tour)\b"
)


def pronoun_follow_up(question: str) -> tuple[str, str] | None:
    """(the person, the question with that person replaced by "they"/"their"), or None for a
    question that names no person or already holds a pronoun."""
    from qa.conversation import TITLES, entities

    if _PRONOUN.search(question):
        return None
    people = [
        e.text
        for e in entities(question)
        if e.person and 2 <= len(e.text.split()) <= 3
        if not _NOT_AFTER.search(question[: e.start]) and not _INSTITUTION.search(e.text)
    ]
    if not people:
        return None
    titles = "|".join(re.escape(title) for title in TITLES)
    named = rf"(?:\b(?:{titles})\s+)*{re.escape(people[0])}(?P<possessive>['’]s)?"
    match = re.search(named, question, re.IGNORECASE)
    if match is None:
        return None
    pronoun = "their" if match.group("possessive") else "they"
    text = question[: match.start()] + pronoun + question[match.end() :]
    return people[0], text[:1].upper() + text[1:]


def ask_pronoun_follow_ups(service: Any, questions: list[dict[str, Any]]) -> list[tuple]:
    """Per question naming a person: the follow-up's rewrite names the person again, and the
    answer hit of the original question and of the follow-up."""
    from qa.models import Turn

    rows = []
    for question in questions:
        made = pronoun_follow_up(question["question"])
        if made is None:
            continue
        person, text = made
        as_of, gold = question.get("date"), question["answer"]
        first = f"What is the latest news about {person}?"
        opening = service.ask(first, as_of=as_of)
        history = [Turn(question=first, rewritten=opening.rewritten, answer=opening.answer)]
        follow_up = service.ask(text, history, as_of=as_of)
        original = service.ask(question["question"], as_of=as_of)
        hits = (quality.answer_hit(original, gold), quality.answer_hit(follow_up, gold))
        rows.append((person in follow_up.rewritten, *hits))
    return rows


def main(argv: list[str] | None = None) -> None:
    """Print both measures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", required=True, type=Path, help="folder of an evaluation set")
    parser.add_argument("--limit", type=int, default=None, help="only the first N questions")
    parser.add_argument("--data-dir", type=Path, default=None, help="index cache folder")
    args = parser.parse_args(argv)
    from qa.components import build_qa
    from qa.config import QASettings

    set_dir = args.set.resolve()
    data_dir = args.data_dir or quality.REPO / "bench" / ".cache" / set_dir.name
    components = quality.newsdesk_index(set_dir, data_dir)
    questions = quality.load_questions(set_dir, args.limit)
    service = build_qa(components, QASettings())
    rows = ask_both_ways(service, questions)
    rewritten = [(q["question"], row[2]) for q, row in zip(questions, rows, strict=True)]
    rewritten = [(asked, new) for asked, new in rewritten if new != asked.strip()]
    for asked, new in rewritten:
        print(f"rewritten: {asked}\n       as: {new}")
    count = len(rows)
    print(f"questions: {count}, rewritten mid-conversation: {len(rewritten)}")
    print(f"answer hit alone {sum(r[0] for r in rows) / count:.3f}, ", end="")
    print(f"mid-conversation {sum(r[1] for r in rows) / count:.3f}")
    follow_ups = ask_pronoun_follow_ups(service, questions)
    made = len(follow_ups) or 1
    print(f"pronoun follow-ups: {len(follow_ups)}, naming the person again: ", end="")
    print(f"{sum(r[0] for r in follow_ups)}; answer hit of the original questions ", end="")
    print(f"{sum(r[1] for r in follow_ups) / made:.3f}, of the follow-ups ", end="")
    print(f"{sum(r[2] for r in follow_ups) / made:.3f}")


if __name__ == "__main__":
    main()
