"""The Articles tab's words and list: counts with correct plurals, indexing reports, and the
article table searched and sorted. Pure helpers, no Gradio."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from index.models import IndexReport
from index.storage.records import ArticleRecord

COLUMNS = ["id", "published", "source", "paragraphs", "title"]
_Row = list[Any]


def _newest(rows: list[_Row]) -> list[_Row]:
    by_title = sorted(rows, key=lambda r: r[4].casefold())
    dated = sorted((r for r in by_title if r[1]), key=lambda r: r[1], reverse=True)  # stable
    return dated + [r for r in by_title if not r[1]]


def _oldest(rows: list[_Row]) -> list[_Row]:
    dated = sorted((r for r in rows if r[1]), key=lambda r: (r[1], r[4].casefold()))
    return dated + sorted((r for r in rows if not r[1]), key=lambda r: r[4].casefold())


# The table's orders, by the name the sort menu shows; undated articles come last by date.
ORDERS: dict[str, Callable[[list[_Row]], list[_Row]]] = {
    "Newest first": _newest,
    "Oldest first": _oldest,
    "Title A–Z": lambda rows: sorted(rows, key=lambda r: (r[4].casefold(), r[0])),
    "Source A–Z": lambda rows: sorted(
        rows, key=lambda r: (not r[2], r[2].casefold(), r[4].casefold())
    ),
    "Most paragraphs": lambda rows: sorted(rows, key=lambda r: (-r[3], r[4].casefold())),
}
DEFAULT_ORDER = "Newest first"


def article_rows(records: Iterable[ArticleRecord], search: str = "", order: str = "") -> list[_Row]:
    """The table's rows (``COLUMNS``) of the articles whose title, source, id or date holds
    every word of ``search`` (any case), in ``order`` (one of ``ORDERS``)."""
    words = (search or "").casefold().split()
    rows = [[r.id, r.published, r.source, r.paragraphs, r.title] for r in records]
    if words:
        rows = [
            r for r in rows if all(w in f"{r[4]} {r[2]} {r[0]} {r[1]}".casefold() for w in words)
        ]
    return ORDERS.get(order or DEFAULT_ORDER, _newest)(rows)


def counted(n: int, noun: str) -> str:
    """``n`` with its noun, singular for one: "1 source", "2 sources", "1 pending"."""
    return f"{n} {_noun(n, noun)}"


def _noun(n: object, noun: str) -> str:
    return noun[:-1] if n == 1 and noun.endswith("s") else noun


def stats_markdown(figures: Mapping[str, Any]) -> str:
    """The index's counts for people: "**2** articles · **1** source · ..."."""
    return " · ".join(f"**{v}** {_noun(v, k)}" for k, v in figures.items())


def listed_markdown(shown: int, total: int, search: str) -> str:
    """How many articles the table shows, of how many."""
    if (search or "").strip():
        return f"{counted(shown, 'articles')} of {total} match “{search.strip()}”."
    return f"{counted(total, 'articles')}."


def report_markdown(report: IndexReport) -> str:
    """What an indexing run did, for people."""
    lines = [
        f"**{len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged, {len(report.failed)} failed** "
        f"({counted(report.paragraphs, 'paragraphs')} embedded in {report.seconds:.1f}s)"
    ]
    lines += [f"- added {code(i)}" for i in report.added]
    lines += [f"- updated {code(i)}" for i in report.updated]
    lines += [f"- unchanged {code(i)}" for i in report.unchanged]
    lines += [f"- removed {code(i)} (no longer in its file)" for i in report.removed]
    lines += [f"- failed: {f.origin}: {f.reason}" for f in report.failed]
    return "\n".join(lines)


def code(text: str) -> str:
    """``text`` as Markdown inline code, fenced with more backticks than it holds."""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    return f"{fence} {text} {fence}" if "`" in text else f"`{text}`"
