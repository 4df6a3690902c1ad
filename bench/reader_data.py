"""Training pairs for the reader: (question, candidate sentence, holds the answer?, where).

    .venv/bin/python bench/reader_data.py --set ../shared/eval/realtimeqa-train --out PAIRS.jsonl

For each question of the set, its paragraphs are found by BM25 (SQLite FTS5) over every
article of the set, as a keyword retriever would find them; each sentence of the best
paragraphs becomes a pair. A pair is positive when the sentence holds the gold answer (the
measure of shared/eval/README.md), and then carries the answer's character span in the
sentence, so the reader learns both which sentence answers and which words are the answer.
Negatives are the sentences that share most of the question's words (the hard ones a reader
must tell apart) and a few others. No evaluation answer of the dev set is used: run this on
realtimeqa-train only.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sqlite3
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import metrics
from index.split.paragraphs import article_paragraph_texts
from index.split.sentences import quotable_spans
from index.storage.fulltext import fts_query
from index.storage.keyword import query_terms
from qa.question.terms import coverage, question_terms, stems

PARAGRAPHS = 40  # paragraphs read per question (about the answerer's 10 fused passages x 4)
MAX_POSITIVES = 8
HARD_NEGATIVES = 16
OTHER_NEGATIVES = 8
MIN_CHARS, MAX_CHARS = 20, 600  # the answerer's sentence lengths


def plain(text: str) -> str:
    """``text`` with accents stripped character by character, so offsets stay the same."""
    out = []
    for char in text:
        base = unicodedata.normalize("NFKD", char)
        kept = [c for c in base if not unicodedata.combining(c)]
        out.append(kept[0] if len(kept) == 1 else char)
    return "".join(out)


def answer_span(sentence: str, answer: str) -> tuple[int, int] | None:
    """The character span of ``answer`` in ``sentence`` as the README's measure matches it
    (case, accents and punctuation ignored, whole words), or None."""
    words = metrics.normalise(answer).split()
    if not words:
        return None
    gap = r"[^a-z0-9$%]+"
    pattern = r"(?<![a-z0-9$%])" + gap.join(map(re.escape, words)) + r"(?![a-z0-9$%])"
    found = re.search(pattern, plain(sentence).lower())
    return (found.start(), found.end()) if found else None


def paragraph_index(set_dir: Path) -> sqlite3.Connection:
    """An in-memory FTS5 table of every paragraph (with its article's title) of the set."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE p USING fts5(title, text, article UNINDEXED)")
    with (set_dir / "articles.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            article = json.loads(line)
            title = article.get("title") or ""
            rows = [(title, t, article["id"]) for t in article_paragraph_texts(article["text"])]
            db.executemany("INSERT INTO p VALUES (?, ?, ?)", rows)
    return db


def top_paragraphs(
    db: sqlite3.Connection, question: str, count: int = PARAGRAPHS
) -> list[tuple[str, str, str]]:
    """(title, paragraph, article id) of the ``count`` best paragraphs by BM25."""
    terms = query_terms(question)
    if not terms:
        return []
    sql = "SELECT title, text, article FROM p WHERE p MATCH ? ORDER BY bm25(p) LIMIT ?"
    return list(db.execute(sql, (fts_query(terms), count)))


def question_pairs(
    db: sqlite3.Connection, question: dict[str, Any], rng: random.Random, scale: int = 1
) -> Iterator[dict[str, Any]]:
    """The labelled pairs of one question (``scale`` times as many paragraphs read, and
    positives and negatives kept, as the constants say)."""
    terms = question_terms(question["question"])
    positives, negatives = [], []
    seen: set[str] = set()
    for title, paragraph, _ in top_paragraphs(db, question["question"], PARAGRAPHS * scale):
        for start, end in quotable_spans(paragraph):
            sentence = paragraph[start:end]
            if not MIN_CHARS <= len(sentence) <= MAX_CHARS or sentence in seen:
                continue
            seen.add(sentence)
            span = answer_span(sentence, question["answer"])
            pair = {
                "qid": question["id"],
                "question": question["question"],
                "title": title,
                "sentence": sentence,
                "label": int(span is not None),
                "start": span[0] if span else -1,
                "end": span[1] if span else -1,
            }
            if span:
                positives.append(pair)
            else:
                pair["overlap"] = coverage(terms, stems(sentence))
                negatives.append(pair)
    negatives.sort(key=lambda p: p.pop("overlap"), reverse=True)
    hard, rest = negatives[: HARD_NEGATIVES * scale], negatives[HARD_NEGATIVES * scale :]
    others = rng.sample(rest, min(OTHER_NEGATIVES * scale, len(rest)))
    yield from positives[: MAX_POSITIVES * scale]
    yield from hard + others


def main(argv: list[str] | None = None) -> None:
    """Write the pairs of every question of --set to --out, one JSON object a line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", required=True, type=Path, help="folder of a training set")
    parser.add_argument("--out", required=True, type=Path, help="JSON Lines file to write")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--scale", type=int, default=1, help="read and keep N times as many per question"
    )
    args = parser.parse_args(argv)
    db = paragraph_index(args.set)
    rng = random.Random(args.seed)
    with (args.set / "questions.jsonl").open(encoding="utf-8") as lines:
        questions = [json.loads(line) for line in lines if line.strip()]
    counts = [0, 0]
    with args.out.open("w", encoding="utf-8") as out:
        for question in questions:
            for pair in question_pairs(db, question, rng, args.scale):
                counts[pair["label"]] += 1
                out.write(json.dumps(pair, ensure_ascii=False) + "\n")
    print(f"{len(questions)} questions: {counts[1]} positive, {counts[0]} negative pairs")


if __name__ == "__main__":
    main()
