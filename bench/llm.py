"""LLM answers against extractive ones, and the citation check against seeded mistakes (issue 19).

    .venv/bin/python bench/llm.py --set ../shared/eval/realtimeqa-dev --limit 50 --seeded
    .venv/bin/python bench/llm.py --set ../shared/eval/realtimeqa-dev --limit 50 \\
        --llm-url http://127.0.0.1:8080/v1 --llm-name "Gemma 3 270M Q4_K_M" --model-bytes 253000000

--seeded (no LLM needed): over the first --limit questions' extractive answers, every quote
becomes an LLM-style sentence citing its passage (should be kept), and mistakes are seeded
from it: the sentence cited to a passage of another article that does not say it, a number
changed, and a quotation with a word changed (all should be removed). Prints, per support
threshold, the share kept and the share caught.

--llm-url: the same questions answered by the reader (extractive) and by the LLM through the
answerer the service uses (qa.llm), over the same retrieval: answer hit, share of the LLM's
sentences supported, removed, answers that fell back, time to first token and total time,
and prompt and generation tokens per second against the machine's limit (estimated from
memory bandwidth and matrix-multiply speed measured in the same run; see ``machine_limits``).
``--variants plain,guided`` asks the LLM both without and with the reader's short answer as
a hint (qa.llm.answerer ``guided``). Runs over bench/quality.py's index cache.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import quality  # noqa: E402

THRESHOLDS = (0.5, 0.6, 0.7, 0.75, 0.8, 0.9)
PASSAGES = 8  # as qa.llm.answerer.LLM_PASSAGES
_NUMBER = re.compile(r"\b\d+\b")
_WORD = re.compile(r"\b[a-z]{4,}\b")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    quality.set_arguments(parser, default_limit=50)
    parser.add_argument("--seeded", action="store_true", help="check seeded mistakes")
    parser.add_argument("--llm-url", default=None, help="an OpenAI-compatible base URL")
    parser.add_argument("--llm-model", default="default", help="model name sent to the URL")
    parser.add_argument("--llm-name", default="LLM", help="the model's name in the table")
    parser.add_argument("--model-bytes", type=int, default=0, help="GGUF size, for the limit")
    parser.add_argument(
        "--llm-threads", type=int, default=1, help="the LLM server's threads, for the limit"
    )
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per answer")
    parser.add_argument(
        "--variants",
        default="plain",
        help="comma-separated: plain (the passages only), guided (with the reader's short"
        " answer as a hint)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Run the parts asked for."""
    args = parse_args(argv)
    set_dir = args.set.resolve()
    data_dir = quality.cache_dir(set_dir, args.data_dir)
    components = quality.newsdesk_index(set_dir, data_dir, quality.articles_for(set_dir, None))
    questions = quality.load_questions(set_dir, args.limit)
    from qa.components import build_answerer, build_retriever
    from qa.config import QASettings

    settings = QASettings()
    retriever = build_retriever(components, settings)
    extractive = build_answerer(components, settings)
    retrieved = [_retrieve(retriever, q) for q in questions]
    if args.seeded:
        seeded(questions, retrieved, extractive)
    if args.llm_url:
        compare(args, questions, retrieved, extractive)


def _retrieve(retriever: Any, question: dict[str, Any]) -> Any:
    return retriever.retrieve(question["question"], 10, None, quality.day_of(question))


# --- seeded mistakes ----------------------------------------------------------------------


def seeded(questions: list[dict[str, Any]], retrieved: list[Any], extractive: Any) -> None:
    """Print the share of good sentences kept and of seeded mistakes caught per threshold."""
    from qa.llm.check import check

    cases = [c for q, r in zip(questions, retrieved, strict=True) for c in _cases(q, r, extractive)]
    kinds = sorted({kind for kind, _, _ in cases})
    print(f"\nSeeded cases from {len(questions)} questions: " + ", ".join(
        f"{kind} {sum(k == kind for k, _, _ in cases)}" for kind in kinds))  # fmt: skip
    print("| min support | " + " | ".join(kinds) + " |")
    print("|---" * (len(kinds) + 1) + "|")
    for threshold in THRESHOLDS:
        cells = []
        for kind in kinds:
            verdicts = [check(t, p, threshold)[0].supported for k, t, p in cases if k == kind]
            share = sum(verdicts) / len(verdicts)
            cells.append(f"kept {share:.3f}" if kind == "good" else f"caught {1 - share:.3f}")
        print(f"| {threshold} | " + " | ".join(cells) + " |")


def _cases(question: dict[str, Any], found: Any, extractive: Any) -> list[tuple[str, str, Any]]:
    """(kind, answer sentence, passages) for one question: its extractive quotes, cited right
    ("good"), and the mistakes seeded from them."""
    from qa.question.terms import word_overlap

    passages = found.passages[:PASSAGES]
    draft = extractive.answer(question["question"], passages, found.vector, found.sentences)
    cases: list[tuple[str, str, Any]] = []
    for citation in draft.citations if draft.found else []:
        number = next(
            (n for n, p in enumerate(passages, 1) if p.article_id == citation.article_id
             and p.paragraph == citation.paragraph), None)  # fmt: skip
        if number is None:
            continue
        quote = citation.quote.rstrip(".")
        cases.append(("good", f"{quote} [{number}].", passages))
        other = next(
            (n for n, p in enumerate(passages, 1) if p.article_id != citation.article_id
             and word_overlap(p.text, citation.quote) < 0.3), None)  # fmt: skip
        if other is not None:
            cases.append(("wrong citation", f"{quote} [{other}].", passages))
        if (digits := _NUMBER.search(quote)) is not None:
            changed = str(int(digits.group()) + 7)
            text = quote[: digits.start()] + changed + quote[digits.end() :]
            cases.append(("changed number", f"{text} [{number}].", passages))
        words = quote.split()
        quoted = " ".join(words[2:6])
        if len(words) >= 8 and (word := _WORD.search(quoted)):
            swap = "allegedly" if word.group() == "reportedly" else "reportedly"
            inner = quoted[: word.start()] + swap + quoted[word.end() :]
            invented = f'It was said that "{inner}" [{number}].'
            cases.append(("invented quotation", invented, passages))
    return cases


# --- LLM against extractive ------------------------------------------------------------


def compare(
    args: argparse.Namespace, questions: list[dict[str, Any]], retrieved: list[Any], extractive: Any
) -> None:
    """Answer every question both ways and print the table."""
    from qa.llm.answerer import LLMAnswerer
    from qa.llm.models import openai_compatible

    chat = openai_compatible(args.llm_url, args.llm_model, None, 256, args.timeout)
    llms = {
        f"{args.llm_name}, {variant}": LLMAnswerer(
            chat, extractive, args.timeout, passages=PASSAGES, guided=variant == "guided"
        )
        for variant in args.variants.split(",")
    }
    rows: dict[str, list[Any]] = {"extractive": [], **{name: [] for name in llms}}
    for n, (question, found) in enumerate(zip(questions, retrieved, strict=True), start=1):
        gold = question["answer"]
        started = time.perf_counter()
        draft = extractive.answer(question["question"], found.passages, found.vector,
                                  found.sentences)  # fmt: skip
        took = time.perf_counter() - started
        rows["extractive"].append(_row(draft, gold, took, took))
        for name, llm in llms.items():
            rows[name].append(_llm_row(llm, question, found, gold))
        print(f"  {n}/{len(questions)}", flush=True)
    limits = machine_limits(args.model_bytes, args.llm_threads) if args.model_bytes else None
    _print_comparison(rows, limits)


def _llm_row(llm: Any, question: dict[str, Any], found: Any, gold: str) -> dict[str, Any]:
    from qa.answer.draft import AnswerDraft
    from qa.llm.prompt import messages

    started = time.perf_counter()
    first: float | None = None
    written: list[str] = []
    draft = None
    for piece in llm.stream(question["question"], found.passages, found.vector, found.sentences):
        if isinstance(piece, AnswerDraft):
            draft = piece
        else:
            first = first or time.perf_counter() - started
            written.append(piece)
    took = time.perf_counter() - started
    row = _row(draft, gold, first or took, took)
    # The prompt again, untimed, for its length (the reader reads the same way twice).
    reading = llm.reading(question["question"], found.passages, found.vector, found.sentences)
    given, hint = llm.prompt_passages(found.passages, reading)
    prompt = messages(question["question"], given, llm.max_sentences, hint)
    # A llama.cpp server streams one token a chunk; the prompt's tokens are estimated at 4
    # characters each (the server's tokenizer is not at hand here).
    row["prompt_tokens"] = sum(len(m.text) for m in prompt) / 4
    row["tokens"] = len(written)
    return row


def _row(draft: Any, gold: str, first: float, took: float) -> dict[str, Any]:
    kept = len(re.findall(r"\[\d+\]", draft.text)) if draft.mode == "llm" else 0
    return {
        "hit": quality.shown_hit(draft.found, draft.text, draft.citations, gold),
        "llm": draft.mode == "llm",
        "fell_back": draft.notice is not None,
        "sentences": kept + len(draft.removed),
        "removed": len(draft.removed),
        "first": first,
        "took": took,
        "prompt_tokens": 0.0,
        "tokens": 0,
    }


def _print_comparison(rows: dict[str, list[dict[str, Any]]], limits: Any) -> None:
    print("\n| answerer | answer hit | LLM answers | fell back | sentences removed"
          " | first token p50 | total p50 / p95 |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for name, got in rows.items():
        n = len(got)
        sentences = sum(r["sentences"] for r in got)
        removed = sum(r["removed"] for r in got)
        took = sorted(r["took"] for r in got)
        print(
            f"| {name} | {sum(r['hit'] for r in got) / n:.3f} | {sum(r['llm'] for r in got)}/{n}"
            f" | {sum(r['fell_back'] for r in got)} | {removed}/{sentences}"
            f" | {statistics.median(r['first'] for r in got):.2f} s"
            f" | {statistics.median(took):.2f} / {took[int(0.95 * (n - 1))]:.2f} s |"
        )
    for name, got in rows.items():
        generating = [r for r in got if r["tokens"] > 1 and r["took"] > r["first"]]
        if not generating:
            continue
        prompt = sum(r["prompt_tokens"] for r in generating) / sum(r["first"] for r in generating)
        tokens = sum(r["tokens"] - 1 for r in generating)
        generation = tokens / sum(r["took"] - r["first"] for r in generating)
        print(f"\n{name}: prompt ~{prompt:.0f} tokens/s (to the first token),"
              f" generation {generation:.1f} tokens/s")  # fmt: skip
    if limits is not None:
        print(f"Machine limit estimates: {limits}")


def machine_limits(model_bytes: int, threads: int = 1) -> str:
    """Generation is bounded by reading every weight once per token: tokens/s <= memory
    bandwidth / model bytes, the bandwidth measured now by ``threads`` threads (the LLM
    server's) each copying its own 64 MB array into a preallocated one (a fresh copy's page
    faults would be measured instead: 2.9 against 13.9 GB/s on one core here). Prompt
    processing is bounded by arithmetic: 2 x parameters FLOPs a token, parameters ~ bytes x 2
    for 4-bit weights (matmul GFLOP/s: float32 numpy, measured now; llama.cpp's integer
    kernels can beat it)."""
    import numpy as np

    bandwidth = copy_bandwidth(threads)
    a = np.ones((1024, 1024), dtype=np.float32)
    started = time.perf_counter()
    for _ in range(10):
        a @ a
    flops = 10 * 2 * 1024**3 / (time.perf_counter() - started)
    generation = bandwidth / model_bytes
    prompt = flops / (2 * 2 * model_bytes)
    return (
        f"memory {bandwidth / 1e9:.1f} GB/s on {threads} thread(s) -> at most {generation:.0f}"
        f" generated tokens/s; matmul {flops / 1e9:.0f} GFLOP/s -> at most {prompt:.0f} prompt"
        " tokens/s"
    )


def copy_bandwidth(threads: int, megabytes: int = 64, repeats: int = 10) -> float:
    """Bytes/s read and written by ``threads`` threads copying arrays (numpy releases the
    GIL while it copies)."""
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np

    sources = [np.ones(megabytes * 1_000_000 // 8) for _ in range(threads)]
    targets = [np.empty_like(source) for source in sources]
    for source, target in zip(sources, targets, strict=True):
        np.copyto(target, source)  # touch every page first

    def copy(i: int) -> None:
        for _ in range(repeats):
            np.copyto(targets[i], sources[i])

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(copy, range(threads)))
    return 2 * repeats * threads * sources[0].nbytes / (time.perf_counter() - started)


if __name__ == "__main__":
    main()
