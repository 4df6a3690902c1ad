"""The reader's own figures on an evaluation set, and its calibration.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/reader.py --set ../shared/eval/realtimeqa-dev \
        [--reads 6,12,24,32] [--weights 0,0.2,0.5,0.75,1,100] [--write-calibration]

1. How answer hit grows with the number of candidate sentences the reader reads (--reads),
   with the time the reader takes per question.
2. The reader's weight beside the scorer (--weights; qa.reader.answerer.READER_WEIGHT): per
   weight, how often the sentence ranked first by scorer + weight x reader logit holds the
   gold answer, then the same cross-validated (each fold's weight chosen on the other four).
3. Calibration: a logistic model of "the shown answer holds the gold answer" over the best-read
   sentence's features (qa.reader.calibration), cross-validated (fit on 4/5 of the questions,
   score the other 1/5, five folds): per confidence bin, how many answers, their mean
   confidence and their hit rate; for the reader's logit alone and with the sentence's
   evidence (the shipped choice, CALIBRATED_ON).
   --write-calibration then fits it on every question and writes it beside the weights
   (qa/reader/weights/calibration.json): the figures to quote are the cross-validated ones.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import quality
from qa.reader.answerer import features, span_filters
from qa.reader.votes import voted_answer

FOLDS = 5
CALIBRATED_ON = ("logit", "sentence_terms", "paragraph_terms", "cosine")
# Also printed: the shipped features and the voted phrase's share of the votes (not shipped:
# bench/RESULTS.md, off-topic questions get confident votes too).
WITH_VOTES = (*CALIBRATED_ON, "vote_share")
TOP_K = 10  # passages retrieved per question, QASettings' default


def reading_answerer(components: Any, reader: Any, read: int) -> Any:
    """A ReaderAnswerer with ``reader`` reading ``read`` sentences, answering at any
    confidence with the raw logit as its score (identity calibration)."""
    from qa.components import build_answerer
    from qa.config import QASettings
    from qa.reader.calibration import Calibration

    settings = QASettings(min_confidence=0.0, reader_candidates=read)
    answerer = build_answerer(components, settings, reader)
    answerer.calibration = Calibration()  # type: ignore[union-attr]
    return answerer


Row = tuple[dict[str, float] | None, bool, float]


def read_all(retriever: Any, answerer: Any, questions: list[dict[str, Any]]) -> list[Row]:
    """Per question: (the best-read sentence's calibration features, None when nothing was
    read; answer hit of the shown answer; seconds reading)."""
    rows = []
    for question in questions:
        text, gold = question["question"], question["answer"]
        passages = retriever.search(text, TOP_K, None, quality.day_of(question))
        started = time.perf_counter()
        read = answerer.read(text, passages)
        took = time.perf_counter() - started
        draft = answerer.compose(text, read, passages)
        hit = quality.shown_hit(draft.found, draft.text, draft.citations, gold)
        vote = voted_answer(read, *span_filters(text), answerer.votes)
        rows.append((features(read[0], vote) if read else None, hit, took))
    return rows


def top_hits(candidates: list[Any], weight: float, gold: str, reader_weight: float) -> bool:
    """Whether the candidate ranked first by scorer + ``weight`` x logit holds ``gold``
    (``candidates``: as read with ``reader_weight``, so the scorer's own score is theirs
    less reader_weight x logit)."""
    if not candidates:
        return False

    def score(c: Any) -> float:
        return c.score + (weight - reader_weight) * c.reading.logit

    return quality.metrics.contains_answer(max(candidates, key=score).text, gold)


def weight_sweep(
    retriever: Any, answerer: Any, questions: list[dict[str, Any]], weights: list[float]
) -> None:
    """Print the top-sentence hit per reader weight, and the five-fold cross-validated hit of
    choosing the weight on the other folds."""
    hits: list[list[bool]] = []  # per question, per weight
    for question in questions:
        passages = retriever.search(question["question"], TOP_K, None, quality.day_of(question))
        read = answerer.read(question["question"], passages)
        gold = question["answer"]
        hits.append([top_hits(read, w, gold, answerer.reader_weight) for w in weights])
    print("reader weight  top sentence holds the answer")
    for n, weight in enumerate(weights):
        print(f"{weight:>13}  {sum(h[n] for h in hits) / len(hits):.3f}")
    by_weight = {weight: [h[n] for h in hits] for n, weight in enumerate(weights)}
    held_out, chosen = quality.metrics.fold_chosen(by_weight, sum, FOLDS)
    share = sum(held_out) / len(held_out)
    print(f"cross-validated ({FOLDS} folds, weights chosen {chosen}): {share:.3f}")


def cross_validated(rows: list[Row], names: tuple[str, ...]) -> list[tuple[float, bool]]:
    """(confidence, hit) per question that read something, each confidence from a fit on
    the other folds."""
    from qa.reader.calibration import fit_calibration

    read = [(f, hit) for f, hit, _ in rows if f is not None]
    out: list[tuple[float, bool]] = [(0.0, False)] * len(read)
    for fold in range(FOLDS):
        train = [r for n, r in enumerate(read) if n % FOLDS != fold]
        calibration = fit_calibration([f for f, _ in train], [h for _, h in train], names)
        for n in range(fold, len(read), FOLDS):
            out[n] = (calibration.confidence(read[n][0]), read[n][1])
    return out


def ranking_auc(pairs: list[tuple[float, bool]]) -> float:
    """How well the confidence ranks hits above misses (0.5: no better than chance)."""
    hits = [c for c, h in pairs if h]
    misses = [c for c, h in pairs if not h]
    wins = sum((a > b) + 0.5 * (a == b) for a in hits for b in misses)
    return wins / max(1, len(hits) * len(misses))


def print_reliability(pairs: list[tuple[float, bool]]) -> None:
    """Per confidence bin: answers, mean confidence, hit rate; then the mean gap."""
    print("confidence   answers  mean conf  hit rate")
    for low, high in itertools.pairwise(quality.CONFIDENCE_BINS):
        inside = [(c, h) for c, h in pairs if low <= c < high]
        if inside:
            mean = statistics.mean(c for c, _ in inside)
            rate = sum(h for _, h in inside) / len(inside)
            print(f"{low:.1f}-{min(high, 1):.1f}   {len(inside):>8}  {mean:>9.3f}  {rate:>8.3f}")
    brier = statistics.mean((c - h) ** 2 for c, h in pairs)
    base = statistics.mean(pairs_hit := [float(h) for _, h in pairs])
    constant = statistics.mean((base - h) ** 2 for h in pairs_hit)
    print(
        f"Brier score {brier:.3f} (a constant {base:.3f}: {constant:.3f}),"
        f" ranking AUC {ranking_auc(pairs):.3f}"
    )


def main(argv: list[str] | None = None) -> None:
    """Print the figures (and write the calibration when asked)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    quality.set_arguments(parser)
    parser.add_argument("--reads", default="", help="comma-separated sentences read, e.g. 6,24")
    parser.add_argument("--weights", default="", help="reader weights to sweep, e.g. 0,0.5,1")
    parser.add_argument("--write-calibration", action="store_true")
    parser.add_argument(
        "--fp32", action="store_true", help="also read with the fp32 model (the int8 check)"
    )
    args = parser.parse_args(argv)
    from index.embedder import default_model_path
    from qa.components import build_retriever
    from qa.config import QASettings
    from qa.reader.calibration import fit_calibration
    from qa.reader.model import DEFAULT_WEIGHTS, ReaderModel

    set_dir = args.set.resolve()
    components = quality.newsdesk_index(set_dir, quality.cache_dir(set_dir, args.data_dir))
    questions = quality.load_questions(set_dir, args.limit)
    retriever = build_retriever(components, QASettings())
    # NEWSDESK_READER_WEIGHTS reads (and --write-calibration writes) a candidate's folder
    weights_dir = QASettings().reader_weights or DEFAULT_WEIGHTS
    reader = ReaderModel(default_model_path(), weights_dir, QASettings().reader_int8)
    default = QASettings().reader_candidates
    reads = sorted({int(r) for r in args.reads.split(",") if r} | {default})
    rows_by_read = {}
    print("sentences read  answer hit  reader ms median / p95")
    for read in reads:
        answerer = reading_answerer(components, reader, read)
        rows = rows_by_read[read] = read_all(retriever, answerer, questions)
        hit = sum(r[1] for r in rows) / len(rows)
        times = [1000 * r[2] for r in rows]
        median, p95 = statistics.median(times), quality.metrics.percentile(times, 0.95)
        print(f"{read:>14}  {hit:>10.3f}  {median:>8.1f} / {p95:.1f}", flush=True)
    if args.fp32:
        full = ReaderModel(default_model_path(), weights_dir, int8=False)
        fp32 = read_all(retriever, reading_answerer(components, full, default), questions)
        int8 = rows_by_read[default]
        same = sum(a[1] == b[1] for a, b in zip(fp32, int8, strict=True))
        hit = sum(r[1] for r in fp32) / len(fp32)
        median = statistics.median(1000 * r[2] for r in fp32)
        print(f"{default:>14}  {hit:>10.3f}  {median:>8.1f} (fp32; same hit as int8: {same})")
    if args.weights:
        print()
        weights = [float(w) for w in args.weights.split(",")]
        weight_sweep(retriever, reading_answerer(components, reader, default), questions, weights)
    rows = rows_by_read[default]
    for names in [("logit",), CALIBRATED_ON, WITH_VOTES]:
        print(f"\ncalibration on {', '.join(names)}, {FOLDS}-fold cross-validated:")
        print_reliability(cross_validated(rows, names))
    if args.write_calibration:
        answered = [(f, hit) for f, hit, _ in rows if f is not None]
        fitted = fit_calibration([f for f, _ in answered], [h for _, h in answered], CALIBRATED_ON)
        note = f"{set_dir.name}, {len(answered)} questions (bench/reader.py)"
        print(f"wrote {fitted.save(weights_dir, fitted_on=note)}: {fitted}")


if __name__ == "__main__":
    main()
