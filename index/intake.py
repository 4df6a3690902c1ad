"""How IndexService.add takes in its inputs: a window of articles at a time, with the ids
seen so far, so an input of any size (a JSON Lines export of millions of records) is indexed
in bounded memory and reported once per article."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from index.models import FEED_ORIGIN_PREFIX, Article, IndexReport, ReadFailure

# Articles are read, compared and embedded a window at a time, so an input of any size is
# indexed in bounded memory: a window is this many batches, or this many characters of text.
WINDOW_BATCHES = 8
WINDOW_CHARS = 32_000_000


@dataclass
class Run:
    """What one add() call remembers across windows: ids, not texts, so memory stays small."""

    report: IndexReport
    seen: dict[str, str] = field(default_factory=dict)  # id -> "added"/"updated"/"unchanged"
    given: dict[str, set[str]] = field(default_factory=dict)  # origin -> ids it gave
    done: int = 0  # paragraphs written
    total: int = 0  # paragraphs of the windows so far


def windows(
    inputs: Iterable[Article | ReadFailure], run: Run, articles_per_batch: int
) -> Iterator[list[Article]]:
    """The articles of ``inputs`` a window at a time (at least one window, maybe empty);
    failures go to the report. Within a window a later copy of an id wins."""
    limit = articles_per_batch * WINDOW_BATCHES
    by_id: dict[str, Article] = {}
    chars = 0
    yielded = False
    for item in inputs:
        if isinstance(item, ReadFailure):
            run.report.failed.append(item)
            continue
        by_id[item.id] = item
        chars += len(item.text)
        if item.origin and not item.origin.startswith(FEED_ORIGIN_PREFIX):
            run.given.setdefault(item.origin, set()).add(item.id)
        if len(by_id) >= limit or chars >= WINDOW_CHARS:
            yield list(by_id.values())
            by_id, chars, yielded = {}, 0, True
    if by_id or not yielded:
        yield list(by_id.values())


def note(run: Run, article_id: str, kind: str) -> None:
    """List an article in the report once, however many windows give it: a later copy
    that differs from an earlier one (indexed by now) makes an unchanged one updated."""
    before = run.seen.get(article_id)
    report = run.report
    if before is None:
        getattr(report, kind).append(article_id)
        run.seen[article_id] = kind
    elif before == "unchanged" and kind != "unchanged":
        report.unchanged.remove(article_id)  # rare: one id twice, with different texts
        report.updated.append(article_id)
        run.seen[article_id] = "updated"
