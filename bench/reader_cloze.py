"""Self-supervised span pairs for the reader: cloze questions made from article sentences.

    .venv/bin/python bench/reader_cloze.py --set ../shared/eval/realtimeqa-train \
        --out bench/.cache/reader-cloze.jsonl [--count 6000]

News-quiz questions are often a news sentence with its answer taken out ("Which iconic
landmark is reportedly riddled with rust?" from "The Eiffel Tower in Paris is reportedly
riddled with rust"). So each pair here takes a sentence of a training article, picks a
phrase in it (a run of capitalised words, a number, a date), and asks the sentence with that
phrase replaced by a question word (a fifth of its other words dropped, so that matching
takes more than spotting a copy); the phrase is the answer span. With --negatives each such
question also gets negatives: another sentence of the same article, and the sentences of
other articles that BM25 finds for it, labelled positive when they hold the phrase too (wire
copy); trained as relevance pairs they made the reader worse on the dev questions
(bench/RESULTS.md), so by default the pairs teach the span head only. No gold answer of any
set is used. Pairs are marked ``cloze``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.reader_data import answer_span, paragraph_index, top_paragraphs
from index.split.paragraphs import article_paragraph_texts
from index.split.sentences import quotable_spans
from index.words import word_set
from qa.question.terms import coverage, question_terms, stems

MIN_CHARS, MAX_CHARS = 50, 300
DROP_WORDS = 0.2
NEIGHBOURS = 3  # BM25 paragraphs of other articles read for negatives
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
PHRASES = {
    "when": re.compile(rf"\b(?:{_MONTHS})(?: \d{{1,2}}\b)?(?:, \d{{4}})?|\b(?:19|20)\d\d\b"),
    "how many": re.compile(
        r"(?<![\w$])\$?(?!(?:19|20)\d\d\b)\d[\d,.]*"
        r"(?: (?:million|billion|trillion|thousand|percent|%))?"
        r"(?: [a-z]+)?"
    ),
    "who or what": re.compile(
        r"(?<!^)(?<![.!?] )\b[A-Z][\w’'.-]*(?: (?:of |the |de |and )?[A-Z][\w’'.-]*){0,4}"
    ),
}
# Capitalised words that are no answer (they open a clause after a colon or a quote).
_NOT_ANSWERS = word_set("a an the he she it they we i in on at but and or as if this that")


def _answer_end(sentence: str, match: re.Match[str]) -> int:
    """The end of a matched phrase without a possessive "'s"."""
    text = match.group()
    for ending in ("’s", "'s"):
        if text.endswith(ending):
            return match.end() - len(ending)
    return match.end()


def cloze(sentence: str, rng: random.Random) -> dict[str, Any] | None:
    """A cloze question of ``sentence`` with its answer span, or None when it has no phrase
    to ask about."""
    found = [(kind, m) for kind, pattern in PHRASES.items() for m in pattern.finditer(sentence)]
    found = [
        (k, m) for k, m in found
        if m.start() > 0 and len(m.group().split()) <= 5
        and m.group().split()[0].lower() not in _NOT_ANSWERS and len(m.group()) > 1
    ]  # fmt: skip
    if not found:
        return None
    kind, match = rng.choice(found)
    end = _answer_end(sentence, match)
    word = {"when": "when", "how many": "how many"}.get(kind, rng.choice(["who", "what", "which"]))
    before = re.sub(r"\b(?:the|a|an)\s*$", "", sentence[: match.start()], flags=re.IGNORECASE)
    question = f"{before}{word}{sentence[end:]}".strip().rstrip('.!"”’ ') + "?"
    question = question[0].upper() + question[1:]
    return {"question": question, "sentence": sentence, "label": 1, "cloze": True,
            "start": match.start(), "end": end}  # fmt: skip


def _dropped(text: str, rng: random.Random) -> str:
    """``text`` with each word dropped with probability DROP_WORDS (spacing kept simple)."""
    words = text.split(" ")
    kept = [w for w in words if not w.strip() or rng.random() >= DROP_WORDS]
    return " ".join(kept)


def sentences(set_dir: Path) -> Iterator[tuple[str, str]]:
    """(article id, sentence) for every sentence of a sensible length of the set's articles."""
    with (set_dir / "articles.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            article = json.loads(line)
            for paragraph in article_paragraph_texts(article["text"]):
                for start, end in quotable_spans(paragraph):
                    if MIN_CHARS <= end - start <= MAX_CHARS:
                        yield article["id"], paragraph[start:end]


def negatives(
    pair: dict[str, Any], article: str, own: list[str], db: Any, rng: random.Random
) -> Iterator[dict[str, Any]]:
    """Another sentence of the article, and the sentence of each of the BM25 neighbours
    (other articles) that shares most of the question's words; a neighbour holding the
    answer phrase is a positive with its span."""
    answer = pair["sentence"][pair["start"] : pair["end"]]
    others = [s for s in own if s != pair["sentence"] and answer not in s]
    picked = rng.sample(others, min(1, len(others)))
    terms = question_terms(pair["question"])
    for _, paragraph, article_id in top_paragraphs(db, pair["question"])[:NEIGHBOURS]:
        if article_id == article:
            continue
        spans = [(a, b) for a, b in quotable_spans(paragraph) if MIN_CHARS <= b - a <= MAX_CHARS]
        if spans:
            best = max(spans, key=lambda ab: coverage(terms, stems(paragraph[ab[0] : ab[1]])))
            picked.append(paragraph[best[0] : best[1]])
    for sentence in picked:
        span = answer_span(sentence, answer)
        yield {**pair, "sentence": sentence, "label": int(span is not None),
               "start": span[0] if span else -1, "end": span[1] if span else -1}  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    """Write --count cloze pairs from --set's articles to --out."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", required=True, type=Path, help="folder of a training set")
    parser.add_argument("--out", required=True, type=Path, help="JSON Lines file to write")
    parser.add_argument("--count", type=int, default=6000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--negatives", action="store_true", help="also write negative pairs")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    by_article: dict[str, list[str]] = {}
    for article, sentence in sentences(args.set):
        by_article.setdefault(article, []).append(sentence)
    pool = [(a, s) for a, own in by_article.items() for s in dict.fromkeys(own)]
    rng.shuffle(pool)
    db = paragraph_index(args.set) if args.negatives else None  # BM25 for negatives only
    questions, counts = 0, [0, 0]
    with args.out.open("w", encoding="utf-8") as out:
        for n, (article, sentence) in enumerate(pool):
            pair = cloze(sentence, rng)
            if pair is None:
                continue
            pair["qid"] = f"cloze-{n}"
            written = [pair]
            if db is not None:
                written += negatives(pair, article, by_article[article], db, rng)
            for made in written:
                out.write(json.dumps(made, ensure_ascii=False) + "\n")
                counts[made["label"]] += 1
            questions += 1
            if questions >= args.count:
                break
    print(f"{questions} cloze questions: {counts[1]} positive, {counts[0]} negative pairs")


if __name__ == "__main__":
    main()
