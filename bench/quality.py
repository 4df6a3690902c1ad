"""Retrieval and answer quality of newsdesk against a plain LangChain baseline.

    .venv/bin/python bench/quality.py --set ../shared/eval/realtimeqa-dev [--limit N]

Indexes the set's articles once (newsdesk and baseline, cached under --data-dir), asks every
question with its ``date`` as the as-of date, and prints one table of measures (see
shared/eval/README.md and bench/metrics.py).
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from bench import metrics  # noqa: E402
from bench.baseline import Baseline  # noqa: E402

RECALL_KS = (1, 5, 10)
CHAR_BUDGETS = (1000, 5000)
MAX_SET_BYTES = 200_000_000  # the JSONL file holds every article of the set
DEPTH = 30  # passages read per question: enough for 5,000 characters of short paragraphs
# passages (or chunks) read for gold-article MRR@10, which ranks distinct articles: 30 short
# paragraphs often come from fewer than 10 articles (bench/RESULTS.md)
ARTICLE_DEPTH = 200
MAX_SHORT_WORDS = 10
DISTINCT_DEPTH = 10  # distinct articles are counted among this many passages or citations
# The answerers compared side by side: today's sentence scorer and the learned reader.
ANSWERERS = {"scorer": False, "reader": True}  # name: whether the reader reads
CONFIDENCE_BINS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0001)


@dataclass
class Result:
    """What one system returned for one question."""

    texts: list[str]
    article_ids: list[str]
    seconds: float
    answer: Any = None  # qa.models.Answer when the answering service ran
    ranked_articles: list[str] | None = None  # a deeper ranking's article ids, for the MRR


@dataclass
class Scores:
    """Per-question outcomes of one system, summarised by ``rows``."""

    name: str
    chars: dict[int, list[bool]] = field(default_factory=dict)
    at_k: dict[int, list[bool]] = field(default_factory=dict)
    rr: list[float] = field(default_factory=list)
    hits: list[bool] = field(default_factory=list)
    best_hits: list[bool] = field(default_factory=list)
    short_hits: list[bool] = field(default_factory=list)
    confidences: list[tuple[float, bool]] = field(default_factory=list)  # shown answers
    refused: list[bool] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    distinct_passages: list[int] = field(default_factory=list)  # articles among first 10
    distinct_citations: list[int] = field(default_factory=list)  # of a found answer's first 10
    outcomes: dict[str, dict[str, bool]] = field(default_factory=dict)  # question id -> hits

    def add(self, question: dict[str, Any], result: Result) -> None:
        """Score one question's result."""
        gold = question["answer"]
        for budget in CHAR_BUDGETS:
            hit = metrics.recall_at_chars(result.texts, gold, budget)
            self.chars.setdefault(budget, []).append(hit)
        for k in RECALL_KS:
            self.at_k.setdefault(k, []).append(metrics.recall_at_k(result.texts, gold, k))
        self.distinct_passages.append(len(set(result.article_ids[:DISTINCT_DEPTH])))
        if question.get("gold_doc_ids"):
            ranking = result.ranked_articles or result.article_ids
            self.rr.append(metrics.reciprocal_rank(ranking, question["gold_doc_ids"]))
        if result.answer is not None:
            answer = result.answer
            self.hits.append(answer_hit(answer, gold))
            self.best_hits.append(best_quote_hit(answer, gold))
            self.short_hits.append(short_answer_hit(answer, gold))
            self.refused.append(not answer.found)
            if answer.found and answer.citations:
                cited = {c.article_id for c in answer.citations[:DISTINCT_DEPTH]}
                self.distinct_citations.append(len(cited))
            if answer.found and answer.confidence is not None:
                self.confidences.append((answer.confidence, self.hits[-1]))
        if "id" in question:
            self.outcomes[question["id"]] = self.outcome()
        self.seconds.append(result.seconds)

    def outcome(self) -> dict[str, bool]:
        """The last question's hits, by measure (what --per-question writes)."""
        last = {f"recall@{b} chars": self.chars[b][-1] for b in CHAR_BUDGETS}
        if self.hits:
            last |= {"answer hit": self.hits[-1], "best-quote hit": self.best_hits[-1]}
            last["short-answer hit"] = self.short_hits[-1]
        return last

    def rows(self) -> dict[str, str]:
        """The printed figures, by measure name."""
        rows = {"answer hit": _share(self.hits), "best-quote hit": _share(self.best_hits)}
        rows["short-answer hit"] = _share(self.short_hits)
        rows |= {f"recall@{b} chars": _share(self.chars[b]) for b in CHAR_BUDGETS}
        rows |= {f"recall@{k}": _share(self.at_k[k]) for k in RECALL_KS}
        rows[f"gold MRR@10 (n={len(self.rr)})"] = _number(metrics.mean(self.rr))
        rows["refusal rate"] = _share(self.refused)
        rows["distinct articles, first 10 passages"] = _number(
            metrics.mean([float(n) for n in self.distinct_passages])
        )
        rows["distinct articles, citations"] = _number(
            metrics.mean([float(n) for n in self.distinct_citations])
        )
        rows["median ms"] = f"{1000 * statistics.median(self.seconds):.1f}"
        rows["p95 ms"] = f"{1000 * metrics.percentile(self.seconds, 0.95):.1f}"
        return rows


def _share(values: list[bool]) -> str:
    return _number(sum(values) / len(values)) if values else "n/a"


def _number(value: float) -> str:
    return "n/a" if value != value else f"{value:.3f}"


def answer_hit(answer: Any, gold: str) -> bool:
    """The shown answer contains the gold answer and one of its citations quotes it."""
    return shown_hit(answer.found, answer.answer, answer.citations, gold)


def shown_hit(found: bool, text: str, citations: Sequence[Any], gold: str) -> bool:
    """The answer hit of an answer's parts (also of an answerer's draft, bench/refusal.py):
    found, its text contains the gold answer and one of ``citations`` quotes it."""
    if not found or not metrics.contains_answer(text, gold):
        return False
    return any(metrics.contains_answer(c.quote, gold) for c in citations)


def short_answer_hit(answer: Any, gold: str) -> bool:
    """The answer has a short answer of at most MAX_SHORT_WORDS words holding the gold
    answer."""
    short = getattr(answer, "short_answer", None)
    if not answer.found or short is None or len(short.text.split()) > MAX_SHORT_WORDS:
        return False
    return metrics.contains_answer(short.text, gold)


def best_quote_hit(answer: Any, gold: str) -> bool:
    """The answer's best-scored quote (the one the answerer trusts most; shown first unless
    another quote of its paragraph comes before it) contains the gold answer."""
    if not answer.found or not answer.citations:
        return False
    best = max(answer.citations, key=lambda c: c.score)
    return metrics.contains_answer(best.quote, gold)


# --- data and indexes ---------------------------------------------------------------------


def load_questions(set_dir: Path, limit: int | None) -> list[dict[str, Any]]:
    """The set's questions, in file order, the first ``limit`` only when given."""
    with (set_dir / "questions.jsonl").open(encoding="utf-8") as lines:
        questions = [json.loads(line) for line in lines if line.strip()]
    return questions[:limit] if limit else questions


def newsdesk_index(set_dir: Path, data_dir: Path, wanted: set[str] | None = None) -> Any:
    """The newsdesk index of the set's articles (IndexComponents), built on first use and
    then brought up to date incrementally (a change to how articles are read or split
    re-indexes only the articles it changes); with ``wanted``, only those articles are added,
    and a cache that already holds the whole set is used as it is."""
    from index.components import build_index
    from index.config import IndexSettings
    from index.readers.inputs import read_inputs

    components = build_index(IndexSettings(data_dir=data_dir / "newsdesk"))
    done = data_dir / "newsdesk" / "indexed.ok"
    if wanted is None or not done.exists():
        started = time.perf_counter()
        articles = read_inputs([str(set_dir / "articles.jsonl")], max_bytes=MAX_SET_BYTES)
        if wanted is not None:
            articles = (a for a in articles if getattr(a, "id", None) in wanted)
        report = components.service.add(articles, progress=_progress("newsdesk"))
        took, unchanged = time.perf_counter() - started, len(report.unchanged)
        print(f"  newsdesk: {report.paragraphs} paragraphs indexed in {took:.0f} s", flush=True)
        print(f"  newsdesk: {unchanged} articles were indexed already, unchanged", flush=True)
        if wanted is None and report.ok:
            done.write_text("ok\n")
    return components


def articles_for(set_dir: Path, limit: int | None) -> set[str] | None:
    """The articles that the first ``limit`` questions were asked over, None for all.

    The set lists each question's articles together, in question order, so these are the
    articles up to the first evidence article of the next question.
    """
    questions = load_questions(set_dir, None)
    if not limit or limit >= len(questions):
        return None
    with (set_dir / "articles.jsonl").open(encoding="utf-8") as lines:
        ids = [json.loads(line)["id"] for line in lines if line.strip()]
    position = {article_id: n for n, article_id in enumerate(ids)}

    def evidence(question: dict[str, Any]) -> list[int]:
        found = question["silver_doc_ids"] + question["gold_doc_ids"]
        return [position[i] for i in found if i in position]

    last = max((p for q in questions[:limit] for p in evidence(q)), default=0)
    later = [p for q in questions[limit:] for p in evidence(q) if p > last]
    end = min(later) if later else len(ids)
    return set(ids[:end])


def _progress(name: str) -> Callable[[int, int], None]:
    def report(done: int, total: int) -> None:
        print(f"  {name}: {done}/{total} paragraphs", flush=True)

    return report


# --- systems ------------------------------------------------------------------------------


def answering_service(components: Any, qa_settings: Any, retriever: Any) -> Any:
    """A QAService over ``retriever`` answering as ``qa_settings`` say (the reader or the
    sentence scorer alone). Speaker questions take the ordinary path here, as they always
    have in this bench, so its figures measure the answerer."""
    from qa.components import build_answerer
    from qa.service import QAService

    answerer = build_answerer(components, qa_settings)
    return QAService(retriever, components.embedder, qa_settings, answerer=answerer)


def _sentence_vectors(components: Any) -> Any:
    """The stored sentence vectors of the index."""
    from index.storage.sentence_vectors import SentenceVectorStore

    return SentenceVectorStore(components.catalog)


def ask_newsdesk(
    retriever: Any, service: Any, question: dict[str, Any], depth: int
) -> tuple[Result, float]:
    """Answer one question (when the service exists) and retrieve its ranked passages (and,
    untimed, ARTICLE_DEPTH of them for a question with gold articles); the result's time is
    the whole question path (the answer's when answered), then the search's."""
    as_of = day_of(question)
    answer, asked = None, 0.0
    if service is not None:
        started = time.perf_counter()
        answer = _ask(service, question["question"], as_of)
        asked = time.perf_counter() - started
    started = time.perf_counter()
    passages = retriever.search(question["question"], k=depth, as_of=as_of)
    searched = time.perf_counter() - started
    texts, ids = [p.text for p in passages], [p.article_id for p in passages]
    result = Result(texts, ids, asked if service is not None else searched, answer)
    if question.get("gold_doc_ids"):  # untimed: only the measure needs the deeper list
        deeper = retriever.search(question["question"], k=ARTICLE_DEPTH, as_of=as_of)
        result.ranked_articles = [p.article_id for p in deeper]
    return result, searched


def day_of(question: dict[str, Any]) -> Any:
    """The day a question was asked (its ``date``), as retrieval takes it (a date or None)."""
    from qa.question.recency import parse_day

    return parse_day(question.get("date"))


def _ask(service: Any, question: str, as_of: object) -> Any:
    """The service's answer to ``question`` as of a day (a date, YYYY-MM-DD text or None)."""
    from qa.requests import asking

    return service.ask(asking(question, as_of=as_of))


def ask_baseline(baseline: Baseline, question: dict[str, Any], depth: int) -> Result:
    """The baseline's chunks for one question (it has no answerer and no dates), and, untimed,
    ARTICLE_DEPTH of them for a question with gold articles."""
    started = time.perf_counter()
    chunks = baseline.search(question["question"], depth)
    took = time.perf_counter() - started
    result = Result([c.text for c in chunks], [c.article_id for c in chunks], took)
    if question.get("gold_doc_ids"):
        deeper = baseline.search(question["question"], ARTICLE_DEPTH)
        result.ranked_articles = [c.article_id for c in deeper]
    return result


# --- main ---------------------------------------------------------------------------------


def cache_dir(set_dir: Path, data_dir: Path | None) -> Path:
    """The index cache folder of an evaluation set: ``data_dir``, else bench/.cache/SET."""
    return data_dir or REPO / "bench" / ".cache" / set_dir.name


def set_arguments(
    parser: argparse.ArgumentParser, limit: bool = True, default_limit: int | None = None
) -> None:
    """Add the options every evaluation-set bench takes: --set, --limit (unless ``limit`` is
    False) and --data-dir (the index cache, see cache_dir)."""
    parser.add_argument("--set", required=True, type=Path, help="folder of an evaluation set")
    if limit:
        shown = f" (default {default_limit})" if default_limit else ""
        parser.add_argument(
            "--limit", type=int, default=default_limit, help=f"first N questions only{shown}"
        )
    parser.add_argument("--data-dir", type=Path, default=None, help="index cache folder")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    set_arguments(parser)
    parser.add_argument("--no-baseline", action="store_true", help="skip the LangChain baseline")
    parser.add_argument("--index-only", action="store_true", help="build the caches and stop")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument(
        "--per-question",
        type=Path,
        default=None,
        help="also write each question's hits here (JSON), for --against in a later run",
    )
    parser.add_argument(
        "--against",
        type=Path,
        default=None,
        help="a --per-question file of an earlier run: print the questions gained and lost",
    )
    parser.add_argument(
        "--answerer", action="append", choices=tuple(ANSWERERS), help="only these (repeatable)"
    )
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="keep the catalog and keyword index in PostgreSQL: a server started on loopback,"
        " the cached SQLite catalog copied into it (same vectors), to compare the engines",
    )
    return parser.parse_args(argv)


def print_table(columns: list[Scores]) -> None:
    """One row per measure, one column per system."""
    rows = [c.rows() for c in columns]
    width = max(len(name) for name in rows[0])
    print(f"{'measure':<{width}}  " + "  ".join(f"{c.name:>10}" for c in columns))
    for name in rows[0]:
        print(f"{name:<{width}}  " + "  ".join(f"{r[name]:>10}" for r in rows))


def on_postgres(components: Any, stack: contextlib.ExitStack) -> Any:
    """The same index with its catalog copied into a PostgreSQL server started for the run
    (stopped when ``stack`` closes): only the keyword search's engine differs."""
    from index.components import build_index
    from index.storage.catalog import Catalog
    from index.storage.migrate import copy_catalog
    from index.storage.postgres import PostgresDatabase
    from tests.postgres_server import PostgresServer

    server = PostgresServer()
    stack.callback(server.remove)
    server.start()
    url = server.new_database()
    copied = copy_catalog(components.catalog, Catalog(PostgresDatabase(url)))
    print(f"  catalog copied into PostgreSQL: {copied} rows", flush=True)
    from pydantic import SecretStr

    settings = components.settings.model_copy(update={"database_url": SecretStr(url)})
    return build_index(settings, embedder=components.embedder)


def main(argv: list[str] | None = None) -> None:
    """Index (once), ask every question, print the measures."""
    with contextlib.ExitStack() as stack:
        run(parse_args(argv), stack)


def run(args: argparse.Namespace, stack: contextlib.ExitStack) -> None:
    """Index (once), ask every question, print the measures."""
    set_dir = args.set.resolve()
    data_dir = cache_dir(set_dir, args.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    components = newsdesk_index(set_dir, data_dir, articles_for(set_dir, args.limit))
    if args.postgres:
        components = on_postgres(components, stack)
    stats = components.catalog.stats()
    print(f"newsdesk index: {stats['articles']} articles, {stats['paragraphs']} paragraphs")
    baseline = None
    if not args.no_baseline:
        indexed = {record.id for record in components.catalog.list_articles()}
        baseline = Baseline(set_dir / "articles.jsonl", data_dir / "baseline", indexed)
        print(f"baseline index: the same {len(indexed)} articles, {baseline.count()} chunks")
    if args.index_only:
        return
    questions = load_questions(set_dir, args.limit)
    columns = evaluate(components, baseline, questions, args.answerer or tuple(ANSWERERS))
    print_table(columns)
    for column in columns:
        print_calibration(column)
    print_gpt3(set_dir, columns, questions)
    if args.json:
        args.json.write_text(json.dumps({c.name: c.rows() for c in columns}, indent=2) + "\n")
    outcomes = {c.name: c.outcomes for c in columns}
    if args.per_question:
        args.per_question.write_text(json.dumps(outcomes, indent=1) + "\n")
    if args.against:
        print_paired(json.loads(args.against.read_text()), outcomes)


def print_paired(
    before: dict[str, dict[str, dict[str, bool]]], after: dict[str, dict[str, dict[str, bool]]]
) -> None:
    """Per system and measure, the questions this run gained and lost against ``before``,
    with the two-sided sign test's p (are the changes more one-sided than chance?)."""
    print("\nagainst the earlier run (questions gained / lost, sign test p):")
    for system, now in after.items():
        then = before.get(system, {})
        shared = [q for q in now if q in then]
        for measure in next(iter(now.values()), {}):
            pairs = [(then[q].get(measure), now[q][measure]) for q in shared]
            gained = sum(1 for a, b in pairs if b and a is False)
            lost = sum(1 for a, b in pairs if a and not b)
            p = metrics.sign_test(gained, lost)
            print(f"  {system:8s} {measure:20s} +{gained} / -{lost}  p {p:.2f}  ({len(shared)} q)")


def evaluate(
    components: Any,
    baseline: Baseline | None,
    questions: list[dict[str, Any]],
    answerers: Sequence[str] = tuple(ANSWERERS),
) -> list[Scores]:
    """Ask every question of each answerer (same retrieval) and of the baseline, and score
    the results."""
    from qa.components import build_retriever
    from qa.config import QASettings

    columns = []
    retriever = build_retriever(components, QASettings())
    retriever.search("warm up", k=DEPTH)
    for name in answerers:
        settings = QASettings(reader=ANSWERERS[name])
        service = answering_service(components, settings, retriever)
        _ask(service, "warm up", None)
        ours, searches = Scores(name), []
        for question in questions:
            result, searched = ask_newsdesk(retriever, service, question, DEPTH)
            ours.add(question, result)
            searches.append(searched)
        print(
            f"{name}: retrieval alone median {1000 * statistics.median(searches):.1f} ms,"
            f" p95 {1000 * metrics.percentile(searches, 0.95):.1f} ms ({DEPTH} passages)"
        )
        columns.append(ours)
    if baseline is not None:
        theirs = Scores("baseline")
        baseline.search("warm up", DEPTH)
        for question in questions:
            theirs.add(question, ask_baseline(baseline, question, DEPTH))
        columns.append(theirs)
    return columns


def print_calibration(scores: Scores) -> None:
    """Shown answers by confidence: how many, their mean confidence, and how many hit."""
    if not scores.confidences:
        return
    print(f"\n{scores.name}: calibration of shown answers (confidence vs answer hit)")
    print("confidence   answers  mean conf  hit rate")
    for low, high in itertools.pairwise(CONFIDENCE_BINS):
        inside = [(c, h) for c, h in scores.confidences if low <= c < high]
        if inside:
            mean_conf = statistics.mean(c for c, _ in inside)
            rate = sum(h for _, h in inside) / len(inside)
            print(
                f"{low:.1f}-{min(high, 1):.1f}   {len(inside):>8}  {mean_conf:>9.3f}  {rate:>8.3f}"
            )
    error = sum(abs(c - h) for c, h in scores.confidences) / len(scores.confidences)
    gap = statistics.mean(c for c, _ in scores.confidences) - statistics.mean(
        float(h) for _, h in scores.confidences
    )
    print(f"mean |confidence - hit| {error:.3f}; mean confidence - hit rate {gap:+.3f}")


def print_gpt3(set_dir: Path, columns: list[Scores], questions: list[dict[str, Any]]) -> None:
    """GPT-3's published predictions against ours, on the questions it answered."""
    path = set_dir / "baseline_gpt3_gcs.jsonl"
    if not path.exists():
        return
    gold = {q["id"]: q["answer"] for q in questions}
    predictions = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    predictions = [p for p in predictions if p["id"] in gold]
    if not predictions:
        return
    hits = sum(metrics.contains_answer(p["prediction"], gold[p["id"]]) for p in predictions)
    print(f"\nthe {len(predictions)} questions GPT-3 (175B, Google results) answered:")
    print(f"  GPT-3 prediction holds the gold answer: {hits / len(predictions):.3f}")
    for scores in columns:
        outcomes = [scores.outcomes.get(p["id"], {}) for p in predictions]
        rows = [(o["answer hit"], o["short-answer hit"]) for o in outcomes if "answer hit" in o]
        if rows:
            answer, short = (sum(column) / len(rows) for column in zip(*rows, strict=True))
            print(f"  {scores.name}: answer hit {answer:.3f}, short-answer hit {short:.3f}")


if __name__ == "__main__":
    main()
