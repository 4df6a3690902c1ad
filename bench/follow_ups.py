"""Standalone questions asked mid-conversation: does the follow-up rewriter leave them alone?

    HF_HUB_OFFLINE=1 .venv/bin/python bench/follow_ups.py --set ../shared/eval/realtimeqa-dev

Every question of the set is asked twice over bench/quality.py's index cache: alone, and as
the next turn of a chat whose previous turn is the set's previous question with its answer.
The questions are standalone (each names its own subject), so a rewrite is a mistake: a
pronoun given a name from the earlier answer, or names borrowed for a question that had its
own. Prints how many questions were rewritten (each with its rewritten form) and the answer
hit both ways. The service is the full one (build_qa: speaker answers included).
"""

from __future__ import annotations

import argparse
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


def main(argv: list[str] | None = None) -> None:
    """Print the rewritten questions and the answer hit alone and mid-conversation."""
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
    rows = ask_both_ways(build_qa(components, QASettings()), questions)
    rewritten = [(q["question"], row[2]) for q, row in zip(questions, rows, strict=True)]
    rewritten = [(asked, new) for asked, new in rewritten if new != asked.strip()]
    for asked, new in rewritten:
        print(f"rewritten: {asked}\n       as: {new}")
    count = len(rows)
    print(f"questions: {count}, rewritten mid-conversation: {len(rewritten)}")
    print(f"answer hit alone {sum(r[0] for r in rows) / count:.3f}, ", end="")
    print(f"mid-conversation {sum(r[1] for r in rows) / count:.3f}")


if __name__ == "__main__":
    main()
