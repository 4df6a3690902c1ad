"""Refusal on questions whose answer is in no article: answered, or "not found"?

    HF_HUB_OFFLINE=1 .venv/bin/python bench/refusal.py --set ../shared/eval/realtimeqa-dev

shared/eval/README.md: "questions whose answer is in no article must get 'not found', not a
guess". Every dev question has its answer somewhere, so two answer-less cases are made:
- off topic: each question is answered from the passages retrieved for the next question;
- missing detail: each question is answered from its own retrieved passages minus those of
  every article whose text holds its gold answer, as if those articles were not indexed.
  The retriever returns its fused candidate pools (up to ARTICLE_DEPTH passages, often about
  100), so after the removal some questions have fewer than the answerer's k passages left;
  they are left out of this figure (a real answer-less index would refill the pools), as are
  the questions no article answers in the set's own text.

Prints, all | even | odd: answer hit and refusal rate with every article (as bench/quality.py
measures them), the share refused off topic (higher is better), and the share answered with
a missing detail (a guess; lower is better) with the number of questions it counts.
The sentence scorer (qa.answer.scorer, its refusal thresholds MIN_COSINE, MIN_COVERAGE,
CONFIDENT_COSINE) and the reader (qa.reader, its calibrated confidence against
min_confidence) are measured side by side. ``--thresholds`` repeats it for other
thresholds of each, to show the trade-off; the reader's answers are read once and each
confidence threshold applied to them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import metrics, quality

# Reader confidence thresholds tried by --thresholds after the current one.
OTHER_CONFIDENCES = [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6]
# (MIN_COSINE, MIN_COVERAGE, CONFIDENT_COSINE) tried by --thresholds after the current ones.
OTHER_THRESHOLDS = [
    (0.25, 0.2, 0.5),
    (0.25, 0.3, 0.5),
    (0.25, 0.5, 0.5),
    (0.25, 0.6, 0.5),
    (0.25, 0.4, 0.6),
    (0.3, 0.4, 0.5),
    (0.35, 0.3, 0.55),
]


def holding_articles(set_dir: Path, questions: list[dict[str, Any]]) -> list[set[str]]:
    """Per question, the ids of the articles whose text (or title) holds its gold answer."""
    needles = [f" {metrics.normalise(q['answer'])} " for q in questions]
    holding: list[set[str]] = [set() for _ in questions]
    with (set_dir / "articles.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            article = json.loads(line)
            words = metrics.normalise(f"{article.get('title') or ''} {article.get('text') or ''}")
            text = f" {words} "
            for n, needle in enumerate(needles):
                if needle.strip() and needle in text:
                    holding[n].add(article["id"])
    return holding


def retrieved(service: Any, questions: list[dict[str, Any]]) -> list[list[Any]]:
    """Per question, the passages the retriever returns for it (up to ARTICLE_DEPTH)."""
    return [
        service.retriever.search(q["question"], k=quality.ARTICLE_DEPTH, as_of=quality.day_of(q))
        for q in questions
    ]


def outcomes(service: Any, question: dict[str, Any], mine: list[Any], others: list[Any],
             holding: set[str]) -> tuple[Any, ...]:  # fmt: skip
    """(answer hit, refused) with every article, refused over ``others`` (another
    question's passages), and answered without the holding articles (None when not
    counted)."""
    text, k, gold = question["question"], service.settings.top_k, question["answer"]
    full = service.answerer.answer(text, mine[:k])
    off_topic = service.answerer.answer(text, others[:k])
    rest = [p for p in mine if p.article_id not in holding]
    guessed = service.answerer.answer(text, rest[:k]).found if holding and len(rest) >= k else None
    hit = quality.shown_hit(full.found, full.text, full.citations, gold)
    return hit, not full.found, not off_topic.found, guessed


def confidences(
    service: Any, question: dict[str, Any], mine: list[Any], others: list[Any], holding: set[str]
) -> tuple[Any, ...]:
    """The reader's (confidence, answer hit if shown) with every article, its confidence
    over another question's passages, and without the holding articles (None when not
    counted): ``service`` must answer at min_confidence 0, so every draft is an answer."""
    text, k, gold = question["question"], service.settings.top_k, question["answer"]
    full = service.answerer.answer(text, mine[:k])
    off_topic = service.answerer.answer(text, others[:k])
    rest = [p for p in mine if p.article_id not in holding]
    guess = (
        service.answerer.answer(text, rest[:k]).confidence if holding and len(rest) >= k else None
    )
    hit = quality.shown_hit(full.found, full.text, full.citations, gold)
    return full.confidence or 0.0, hit, off_topic.confidence or 0.0, guess


def at_threshold(read: list[tuple[Any, ...]], threshold: float) -> list[tuple[Any, ...]]:
    """The rows of ``outcomes`` for the reader's readings at one confidence threshold."""
    return [
        (hit and full >= threshold, full < threshold, off < threshold,
         None if guess is None else guess >= threshold)
        for full, hit, off, guess in read
    ]  # fmt: skip


def halves(rows: list[tuple[Any, ...]]) -> str:
    """The summary of every question, then of the even and odd halves."""
    return f"{summary(rows)} | {summary(rows[0::2])} | {summary(rows[1::2])}"


def summary(rows: list[tuple[Any, ...]]) -> str:
    """Answer hit, refusal rate, off-topic refusals and guesses (with their count)."""
    share = [sum(column) / (len(rows) or 1) for column in list(zip(*rows, strict=True))[:3]]
    counted = [row[3] for row in rows if row[3] is not None]
    guessed = sum(counted) / (len(counted) or 1)
    return (
        f"hit {share[0]:.3f} refused {share[1]:.3f} off-topic refused {share[2]:.3f} "
        f"guessed {guessed:.3f} (of {len(counted)})"
    )


def measure(
    service: Any,
    questions: list[dict[str, Any]],
    passages: list[list[Any]],
    holding: list[set[str]],
) -> str:
    """The summary line of every question, then of the even and odd halves."""
    rows = [
        outcomes(service, q, passages[n], passages[(n + 1) % len(questions)], holding[n])
        for n, q in enumerate(questions)
    ]
    return halves(rows)


def main(argv: list[str] | None = None) -> None:
    """Print the refusal figures for the current thresholds (and others with --thresholds)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    quality.set_arguments(parser)
    parser.add_argument("--thresholds", action="store_true", help="also other thresholds")
    args = parser.parse_args(argv)
    import qa.answer.scorer as thresholds_of
    from qa.components import build_qa
    from qa.config import QASettings

    set_dir = args.set.resolve()
    components = quality.newsdesk_index(set_dir, quality.cache_dir(set_dir, args.data_dir))
    scorer = build_qa(components, QASettings(reader=False))
    questions = quality.load_questions(set_dir, args.limit)
    holding = holding_articles(set_dir, questions)
    passages = retrieved(scorer, questions)
    current = (thresholds_of.MIN_COSINE, thresholds_of.MIN_COVERAGE, thresholds_of.CONFIDENT_COSINE)
    for thresholds in [current, *(OTHER_THRESHOLDS if args.thresholds else [])]:
        thresholds_of.MIN_COSINE, thresholds_of.MIN_COVERAGE, thresholds_of.CONFIDENT_COSINE = (
            thresholds
        )
        line = measure(scorer, questions, passages, holding)
        print(f"scorer {thresholds}: {line}", flush=True)
    thresholds_of.MIN_COSINE, thresholds_of.MIN_COVERAGE, thresholds_of.CONFIDENT_COSINE = current
    chosen = QASettings().min_confidence
    reader = build_qa(components, QASettings(min_confidence=0.0))
    read = [
        confidences(reader, q, passages[n], passages[(n + 1) % len(questions)], holding[n])
        for n, q in enumerate(questions)
    ]
    for threshold in [chosen, *(OTHER_CONFIDENCES if args.thresholds else [])]:
        print(f"reader {threshold:.2f}: {halves(at_threshold(read, threshold))}", flush=True)


if __name__ == "__main__":
    main()
