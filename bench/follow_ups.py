"""Follow-up rules on the dev questions, in three made-up conversations per question.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/follow_ups.py --set ../shared/eval/realtimeqa-dev

There is no evaluation set of conversations, so the turns are made from the dev questions:
1. Standalone: every question is asked alone, and as the next turn after the set's previous
   question and its answer. The questions name their own subject, so a rewrite is a mistake
   (a pronoun given a name from the earlier answer). Prints each rewritten question, the count
   and the answer hit both ways.
2. Asked about: a question that names a person ("Liz Truss became the new prime minister of
   which country this week?") is asked after "What is the latest news about Liz Truss?" (with
   its answer), with the name replaced by "they". Prints how many rewrites name the person
   again, and the answer hit of the follow-ups against the original questions. The names come
   from the rule-based entity finder, so a few are not people ("Mega Millions").
3. Answered: a question asking for a person ("Which professional dancer ...?") whose shown
   answer holds its gold answer is followed by "What else do we know about them?". Prints how
   many rewrites name the gold answer (its last word, a surname).
2 favours the rule "a pronoun is the person the previous question named", 3 the rule "after a
question asking who, it is the person answered": together they check that both hold.

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
from qa.requests import asking

# A name after "the", "St.", a number or a possessive, or with an institution's word, is most
# likely not a person ("the Smithsonian's National Zoo", "St. Patrick", "World Cup").
_NOT_AFTER = re.compile(r"(\bthe|\bSt\.|\d|’s|'s)\s*$")
_INSTITUTION = re.compile(
    r"\b(Report|Zoo|Globes|Court|Street|Party|Cup|Awards?|Festival|Day|Games|Olympics|Series|"
    r"Bowl|Prize|Board|Belt|House|Department|Army|Tour)\b"
)


def ask_alone(service: Any, questions: list[dict[str, Any]]) -> list[Any]:
    """Each question's Answer, asked alone (no history)."""
    return [service.ask(asking(q["question"], as_of=q.get("date"))) for q in questions]


def ask_both_ways(
    service: Any, questions: list[dict[str, Any]], alone: list[Any]
) -> list[tuple[bool, bool, str]]:
    """Per question: answer hit alone, answer hit after the previous question, and the
    rewritten question mid-conversation (``alone``: each question's Answer alone)."""
    rows, previous = [], None
    for question, answer in zip(questions, alone, strict=True):
        text, gold = question["question"], question["answer"]
        chatted = service.ask(
            asking(text, [previous] if previous else None, as_of=question.get("date"))
        )
        hits = (quality.answer_hit(answer, gold), quality.answer_hit(chatted, gold))
        rows.append((*hits, chatted.rewritten))
        previous = _as_turn(text, answer)
    return rows


def named_person(question: str) -> str | None:
    """The first person the question names (by qa.question.names, without the likely
    institutions), or None; also None for a question that already holds a pronoun."""
    from qa.question.conversation import PRONOUN
    from qa.question.names import entities

    if PRONOUN.search(question):
        return None
    for e in entities(question):
        plausible = 2 <= len(e.text.split()) <= 3 and not _INSTITUTION.search(e.text)
        if e.person and plausible and not _NOT_AFTER.search(question[: e.start]):
            return e.text
    return None


def with_pronoun(question: str, person: str) -> str | None:
    """``question`` with ``person`` (and a title before it) replaced by "they" or "their"."""
    from index.words import TITLES

    titles = "|".join(rf"{re.escape(title)}\.?" for title in TITLES)
    named = rf"(?:\b(?:{titles})\s+)*{re.escape(person)}(?P<possessive>['’]s)?"
    match = re.search(named, question, re.IGNORECASE)
    if match is None:
        return None
    pronoun = "their" if match.group("possessive") else "they"
    text = question[: match.start()] + pronoun + question[match.end() :]
    return text[:1].upper() + text[1:]


def ask_about_named(
    service: Any, questions: list[dict[str, Any]], alone: list[Any]
) -> list[tuple[bool, ...]]:
    """Per question naming a person: the follow-up's rewrite names the person again, and the
    answer hit of the original question (its Answer in ``alone``) and of the follow-up."""
    rows: list[tuple[bool, ...]] = []
    for question, original in zip(questions, alone, strict=True):
        person = named_person(question["question"])
        follow_up = with_pronoun(question["question"], person) if person else None
        if person is None or follow_up is None:
            continue
        as_of, gold = question.get("date"), question["answer"]
        opening = f"What is the latest news about {person}?"
        history = [_as_turn(opening, service.ask(asking(opening, as_of=as_of)))]
        asked = service.ask(asking(follow_up, history, as_of=as_of))
        hits = (quality.answer_hit(original, gold), quality.answer_hit(asked, gold))
        rows.append((person in asked.rewritten, *hits))
    return rows


def ask_about_answered(
    service: Any, questions: list[dict[str, Any]], alone: list[Any]
) -> list[bool]:
    """Per question asking for a person and answered (``alone``) with its gold answer:
    whether "What else do we know about them?" is rewritten with the gold answer's last word."""
    from qa.question.names import asks_for_person

    rows = []
    for question, answer in zip(questions, alone, strict=True):
        gold = question["answer"]
        if not asks_for_person(question["question"]) or not quality.answer_hit(answer, gold):
            continue
        turn = _as_turn(question["question"], answer)
        rewritten = service.ask(asking("What else do we know about them?", [turn])).rewritten
        rows.append(gold.split()[-1] in rewritten)
    return rows


def _as_turn(question: str, answer: Any) -> Any:
    """``question`` and its Answer as a chat turn (with the rewritten form and answer text)."""
    from qa.models import Turn

    return Turn(question=question, rewritten=answer.rewritten, answer=answer.answer)


def report(questions: list[dict[str, Any]], service: Any) -> None:
    """Run the three conversations and print their figures."""
    alone = ask_alone(service, questions)
    rows = ask_both_ways(service, questions, alone)
    changed = [(q["question"], row[2]) for q, row in zip(questions, rows, strict=True)]
    changed = [(asked, new) for asked, new in changed if new != asked.strip()]
    for asked, new in changed:
        print(f"rewritten: {asked}\n       as: {new}")
    print(
        f"standalone: {len(rows)} questions, rewritten mid-conversation: {len(changed)}; ", end=""
    )
    print(f"answer hit alone {_share([r[0] for r in rows])}, mid-conversation ", end="")
    print(_share([r[1] for r in rows]))
    named = ask_about_named(service, questions, alone)
    print(f"asked about: {len(named)} follow-ups, naming the person again: ", end="")
    print(f"{sum(r[0] for r in named)}; answer hit of the original questions ", end="")
    print(f"{_share([r[1] for r in named])}, of the follow-ups {_share([r[2] for r in named])}")
    answered = ask_about_answered(service, questions, alone)
    print(f"answered: {len(answered)} follow-ups, naming the answer: {sum(answered)}")


def _share(values: list[bool]) -> str:
    return f"{sum(values) / (len(values) or 1):.3f}"


def main(argv: list[str] | None = None) -> None:
    """Print the figures of the three made-up conversations."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    quality.set_arguments(parser)
    args = parser.parse_args(argv)
    from qa.components import build_qa
    from qa.config import QASettings

    set_dir = args.set.resolve()
    components = quality.newsdesk_index(set_dir, quality.cache_dir(set_dir, args.data_dir))
    service = build_qa(components, QASettings())
    report(quality.load_questions(set_dir, args.limit), service)


if __name__ == "__main__":
    main()
