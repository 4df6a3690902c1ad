"""Refusal on questions whose answer is in no article: answered, or "not found"?

    HF_HUB_OFFLINE=1 .venv/bin/python bench/refusal.py --set ../shared/eval/realtimeqa-dev

shared/eval/README.md: "questions whose answer is in no article must get 'not found', not a
guess". Every dev question has its answer somewhere, so the answer-less case is made by
removing, for each question, every article whose text holds the gold answer: the question
is answered from its first retrieved passages of the other articles (the retriever reads
ARTICLE_DEPTH passages and the answer-holding articles' are dropped before the answerer
sees them, as if they were not indexed). Any answer given then is a guess.

Prints, per half of the set and in all: answer hit and refusal rate with every article (what
bench/quality.py measures), and the guess rate without the answer-holding articles (the
share answered; lower is better). ``--thresholds`` also prints the same for other refusal
thresholds of qa.answer (MIN_COSINE, MIN_COVERAGE, CONFIDENT_COSINE), to show the trade-off.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import metrics, quality

# (MIN_COSINE, MIN_COVERAGE, CONFIDENT_COSINE) tried by --thresholds after the current ones.
OTHER_THRESHOLDS = [
    (0.25, 0.2, 0.5),
    (0.25, 0.3, 0.5),
    (0.25, 0.5, 0.5),
    (0.25, 0.6, 0.5),
    (0.25, 0.4, 0.6),
    (0.35, 0.3, 0.55),
]


def holding_articles(set_dir: Path, questions: list[dict[str, Any]]) -> list[set[str]]:
    """Per question, the ids of the articles whose text (or title) holds its gold answer."""
    holding: list[set[str]] = [set() for _ in questions]
    with (set_dir / "articles.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            article = json.loads(line)
            text = f"{article.get('title') or ''}\n{article.get('text') or ''}"
            normal = f" {metrics.normalise(text)} "
            for n, question in enumerate(questions):
                needle = metrics.normalise(question["answer"])
                if needle and f" {needle} " in normal:
                    holding[n].add(article["id"])
    return holding


def outcomes(service: Any, question: dict[str, Any], holding: set[str]) -> tuple[bool, ...]:
    """(answer hit, refused) with every article, and answered without the holding ones."""
    text, as_of = question["question"], question.get("date")
    k = service.settings.top_k
    passages = service.retriever.search(text, k=quality.ARTICLE_DEPTH, as_of=as_of)
    full = service.answerer.answer(text, passages[:k])
    hit = _hit(full, question["answer"])
    others = [p for p in passages if p.article_id not in holding][:k]
    return hit, not full.found, service.answerer.answer(text, others).found


def _hit(draft: Any, gold: str) -> bool:
    """The answer hit of bench/quality.py, on an answerer's draft."""
    if not draft.found or not metrics.contains_answer(draft.text, gold):
        return False
    return any(metrics.contains_answer(c.quote, gold) for c in draft.citations)


def summary(rows: list[tuple[bool, ...]]) -> str:
    """Answer hit, refusal rate and guess rate of ``rows``."""
    count = len(rows) or 1
    hit, refused, guessed = (sum(column) / count for column in zip(*rows, strict=True))
    return f"hit {hit:.3f} refused {refused:.3f} guessed {guessed:.3f}"


def main(argv: list[str] | None = None) -> None:
    """Print answer hit, refusal rate and guess rate (all | even | odd)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", required=True, type=Path, help="folder of an evaluation set")
    parser.add_argument("--limit", type=int, default=None, help="only the first N questions")
    parser.add_argument("--data-dir", type=Path, default=None, help="index cache folder")
    parser.add_argument("--thresholds", action="store_true", help="also other thresholds")
    args = parser.parse_args(argv)
    import qa.answer
    from qa.components import build_qa
    from qa.config import QASettings

    set_dir = args.set.resolve()
    data_dir = args.data_dir or quality.REPO / "bench" / ".cache" / set_dir.name
    service = build_qa(quality.newsdesk_index(set_dir, data_dir), QASettings())
    questions = quality.load_questions(set_dir, args.limit)
    holding = holding_articles(set_dir, questions)
    current = (qa.answer.MIN_COSINE, qa.answer.MIN_COVERAGE, qa.answer.CONFIDENT_COSINE)
    for thresholds in [current, *(OTHER_THRESHOLDS if args.thresholds else [])]:
        qa.answer.MIN_COSINE, qa.answer.MIN_COVERAGE, qa.answer.CONFIDENT_COSINE = thresholds
        rows = [outcomes(service, q, h) for q, h in zip(questions, holding, strict=True)]
        halves = f"{summary(rows)} | {summary(rows[0::2])} | {summary(rows[1::2])}"
        print(f"thresholds {thresholds}: {halves}", flush=True)


if __name__ == "__main__":
    main()
