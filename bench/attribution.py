"""Speaker attribution quality and speed of index/statements/extract.py against hand labels.

    .venv/bin/python bench/attribution.py [--gold tests/index/fixtures/statements_gold.jsonl]
        [--dev-gold tests/index/fixtures/statements_gold_dev.jsonl]
        [--speed-set ../shared/eval/realtimeqa-dev/articles.jsonl] [--no-embed]

Two gold sets: "sample" (the bundled sample article and others the rules were tuned on) and
"dev" (298 statements of 62 realtimeqa-dev articles, labelled by reading before any rule was
tuned to them, frozen: tests/index/fixtures/STATEMENTS_GOLD_DEV.md; its texts are read from
../shared by article id and paragraph number, each paragraph with every paragraph before it
in its article as context).

Quality, per statement, on the gold paragraphs (each read with up to four preceding
paragraphs of its article as context, as indexing sees the article):
  speaker precision = predicted statements overlapping a gold statement of the same speaker /
  predicted statements; speaker recall = gold statements overlapped by a prediction of the same
  speaker / gold statements.  Spans "overlap" when they share at least one character; span
  precision/recall ignore speakers, and the strict variant needs an overlap of at least half
  of the shorter span.  Direct quotes verbatim = gold direct quotes (quotation marks included)
  predicted by the same speaker with exactly the gold span.  Speaker type (dev set): of the
  gold statements found with their speaker, the share typed right (person, organisation or
  other), and how many organisations or documents were typed as a person.
  Speakers match when their keys
  (index.statements.speakers.speaker_key) are equal, or when both are people and one is the
  other's surname ("Biden" / "Joe Biden").
Baseline: every quotation of three words or more, and every sentence with a reporting verb
outside quotations, is a statement by the nearest person-like name (two or more capitalised
words, leading titles dropped) before it in the article.
Speed: paragraphs per second of extract_statements over the first articles of --speed-set,
beside MiniLM embedding paragraphs per second on the same machine.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.models import Article, Paragraph
from index.split.sentences import sentence_spans
from index.statements.extract import extract_statements
from index.statements.speakers import speaker_key, strip_titles, surname

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests/index/fixtures/statements_gold.jsonl"
DEV_GOLD = ROOT / "tests/index/fixtures/statements_gold_dev.jsonl"
SPEED_SET = ROOT.parent / "shared/eval/realtimeqa-dev/articles.jsonl"
_NAME = re.compile(r"\b[A-Z][\w'’\-]+(?:\s+[A-Z][\w'’\-]+)+")  # two or more capitalised words
_VERB = re.compile(r"\b(said|says|told|according to|insisted|asserted|added|noted|reported)\b")
_QUOTED = re.compile(r"“([^”]*)”|\"([^\"]*)\"")


@dataclass(frozen=True)
class Labelled:
    """A statement: speaker and span in the paragraph text (with the speaker's type and the
    mode, direct or indirect, where known)."""

    speaker: str
    start: int
    end: int
    kind: str = ""
    mode: str = ""


def labelled(statement: dict) -> Labelled:
    """A gold statement of either set."""
    kind = statement.get("speaker_type", "")
    return Labelled(
        statement["speaker"], statement["start"], statement["end"], kind, statement.get("mode", "")
    )


def load_gold(path: Path) -> list[dict]:
    """The gold rows (see tests/index/fixtures/statements_gold.jsonl)."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def load_dev_gold(path: Path, articles: Path) -> list[dict]:
    """The dev gold rows in the shape of the sample set's: each labelled paragraph's text and
    every paragraph before it in its article (``context``), read from ``articles``."""
    refs = load_gold(path)
    wanted = {r["article_id"] for r in refs}
    found: dict[str, dict] = {}
    with articles.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record["id"] in wanted:
                found[record["id"]] = record
    rows = []
    for ref in refs:
        record = found[ref["article_id"]]
        paragraphs = [p for p in record["text"].split("\n") if p.strip()]
        text = paragraphs[ref["paragraph"]]
        if hashlib.sha1(text.encode("utf-8")).hexdigest() != ref["text_sha1"]:
            raise SystemExit(f"{ref['article_id']} #{ref['paragraph']}: the text has changed")
        rows.append({
            "article_id": ref["article_id"], "title": record.get("title", ""),
            "number": ref["paragraph"], "context": paragraphs[: ref["paragraph"]], "text": text,
            "statements": ref["statements"],
        })  # fmt: skip
    return rows


def row_article(row: dict) -> tuple[Article, list[Paragraph]]:
    """The row's paragraph with its context as an article; the labelled paragraph is last."""
    texts = [*row["context"], row["text"]]
    article = Article(id=row["article_id"], title=row["title"], text="\n".join(texts))
    return article, [Paragraph(article.id, i, t, t) for i, t in enumerate(texts)]


def predict(row: dict) -> list[Labelled]:
    """Our extractor's statements in the labelled paragraph."""
    article, paragraphs = row_article(row)
    last = paragraphs[-1].number
    return [
        Labelled(s.speaker, s.start, s.end, s.kind, s.mode)
        for s in extract_statements(article, paragraphs)
        if s.paragraph_number == last
    ]


def baseline(row: dict) -> list[Labelled]:
    """Quotations and reporting sentences, each given to the nearest preceding name."""
    prefix = "\n".join(row["context"]) + "\n"
    text = row["text"]
    spans = [
        (m.start() + 1, m.end() - 1) for m in _QUOTED.finditer(text) if len(m.group().split()) >= 3
    ]
    for start, end in sentence_spans(text):
        if _VERB.search(text, start, end) and not any(start <= s < end for s, _ in spans):
            spans.append((start, end))
    found = []
    for start, end in spans:
        names = [strip_titles(n)[0] for n in _NAME.findall(prefix + text[:start])]
        if names:
            found.append(Labelled(names[-1], start, end))
    return found


def same_speaker(gold: str, predicted: str) -> bool:
    """Equal keys, or one a person's surname and the other the full name."""
    a, b = speaker_key(gold), speaker_key(predicted)
    if a == b:
        return True
    short, full = sorted((a, b), key=len)
    return (
        " " not in short
        and short[:1].isalpha()
        and surname(full) == short
        and (gold[:1].isupper() and predicted[:1].isupper())
    )


def overlap(a: Labelled, b: Labelled, strict: bool) -> bool:
    """Shared characters (strict: at least half of the shorter span)."""
    shared = min(a.end, b.end) - max(a.start, b.start)
    if not strict:
        return shared > 0
    return shared * 2 >= min(a.end - a.start, b.end - b.start)


def score(rows: list[dict], predictions: list[list[Labelled]]) -> dict[str, float]:
    """Speaker and span precision/recall over all rows."""
    names = ("pred", "gold", "sp_p", "sp_r", "span_p", "span_r", "st_p", "st_r")
    counts = dict.fromkeys((*names, "direct", "verbatim", "typed", "typed_right", "org_person"), 0)
    for row, predicted in zip(rows, predictions, strict=True):
        gold = [labelled(s) for s in row["statements"]]
        _count_kinds(counts, gold, predicted)
        counts["pred"] += len(predicted)
        counts["gold"] += len(gold)
        for p in predicted:
            counts["sp_p"] += any(
                overlap(p, g, False) and same_speaker(g.speaker, p.speaker) for g in gold
            )
            counts["span_p"] += any(overlap(p, g, False) for g in gold)
            counts["st_p"] += any(overlap(p, g, True) for g in gold)
        for g in gold:
            counts["sp_r"] += any(
                overlap(p, g, False) and same_speaker(g.speaker, p.speaker) for p in predicted
            )
            counts["span_r"] += any(overlap(p, g, False) for p in predicted)
            counts["st_r"] += any(overlap(p, g, True) for p in predicted)
    predicted_n, gold_n = max(counts["pred"], 1), max(counts["gold"], 1)
    return {
        "statements_predicted": counts["pred"],
        "statements_gold": counts["gold"],
        "speaker_precision": counts["sp_p"] / predicted_n,
        "speaker_recall": counts["sp_r"] / gold_n,
        "span_precision": counts["span_p"] / predicted_n,
        "span_recall": counts["span_r"] / gold_n,
        "span_precision_strict": counts["st_p"] / predicted_n,
        "span_recall_strict": counts["st_r"] / gold_n,
        "direct_quotes": counts["direct"],
        "direct_verbatim": counts["verbatim"] / max(counts["direct"], 1),
        "speaker_type_accuracy": counts["typed_right"] / max(counts["typed"], 1),
        "organisations_typed_person": counts["org_person"],
    }


def _count_kinds(counts: dict[str, int], gold: list[Labelled], predicted: list[Labelled]) -> None:
    """Direct quotes found verbatim, and speaker types, of one paragraph."""
    for g in gold:
        same = [p for p in predicted if same_speaker(g.speaker, p.speaker)]
        if g.mode == "direct":
            counts["direct"] += 1
            counts["verbatim"] += any((p.start, p.end) == (g.start, g.end) for p in same)
        found = [p for p in same if overlap(p, g, False)]
        if g.kind and found:
            counts["typed"] += 1
            counts["typed_right"] += g.kind == found[0].kind
            counts["org_person"] += g.kind != "person" and found[0].kind == "person"


def speed(path: Path, articles: int, embed: bool) -> dict[str, float]:
    """Extraction (and optionally MiniLM embedding) paragraphs per second."""
    pairs = []
    with path.open(encoding="utf-8") as lines:
        for _, line in zip(range(articles), lines, strict=False):
            record = json.loads(line)
            texts = [t.strip() for t in record["text"].splitlines() if t.strip()]
            article = Article(id=record["id"], title=record.get("title", ""), text=record["text"])
            pairs.append((article, [Paragraph(article.id, i, t, t) for i, t in enumerate(texts)]))
    count = sum(len(ps) for _, ps in pairs)
    started = time.perf_counter()
    statements = sum(len(extract_statements(a, ps)) for a, ps in pairs)
    seconds = time.perf_counter() - started
    result = {
        "paragraphs": count,
        "statements": statements,
        "extract_per_s": count / seconds,
        "extract_ms_per_paragraph": 1000 * seconds / count,
    }
    if embed:
        result["embed_per_s"] = _embed_speed([p.text for _, ps in pairs for p in ps][:512])
    return result


def _embed_speed(texts: list[str]) -> float:
    from index.embedder import SentenceTransformersEmbedder

    embedder = SentenceTransformersEmbedder()
    embedder.warm_up()
    embedder.embed(texts[:32])  # warm up
    started = time.perf_counter()
    embedder.embed(texts)
    return len(texts) / (time.perf_counter() - started)


def main() -> None:
    """Print quality (ours and baseline) and speed as JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--dev-gold", type=Path, default=DEV_GOLD)
    parser.add_argument("--speed-set", type=Path, default=SPEED_SET)
    parser.add_argument("--speed-articles", type=int, default=300)
    parser.add_argument("--no-embed", action="store_true")
    parser.add_argument("--show", action="store_true", help="print every disagreement")
    args = parser.parse_args()
    sets = {"sample": load_gold(args.gold)}
    if args.speed_set.exists():
        sets["dev"] = load_dev_gold(args.dev_gold, args.speed_set)
    for name, rows in sets.items():
        ours = [predict(row) for row in rows]
        if args.show:
            _show(rows, ours)
        print(json.dumps({"set": name, "system": "rules", **score(rows, ours)}))
        theirs = [baseline(r) for r in rows]
        print(json.dumps({"set": name, "system": "baseline", **score(rows, theirs)}))
    if args.speed_set.exists():
        print(json.dumps({"speed": speed(args.speed_set, args.speed_articles, not args.no_embed)}))


def _show(rows: list[dict], predictions: list[list[Labelled]]) -> None:
    for row, predicted in zip(rows, predictions, strict=True):
        gold = [labelled(s) for s in row["statements"]]
        text = row["text"]
        g_set = {(g.speaker, text[g.start : g.end][:50]) for g in gold}
        p_set = {(p.speaker, text[p.start : p.end][:50]) for p in predicted}
        if _matched(gold, predicted):
            continue
        print(f"--- {row['article_id']} #{row['number']}: {text[:100]}")
        print("  gold:", sorted(g_set))
        print("  pred:", sorted(p_set))


def _matched(gold: list[Labelled], predicted: list[Labelled]) -> bool:
    ok_r = all(
        any(overlap(p, g, False) and same_speaker(g.speaker, p.speaker) for p in predicted)
        for g in gold
    )
    ok_p = all(
        any(overlap(p, g, False) and same_speaker(g.speaker, p.speaker) for g in gold)
        for p in predicted
    )
    return ok_r and ok_p


if __name__ == "__main__":
    main()
