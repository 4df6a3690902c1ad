"""The chat's sources panel: each answer's own cited passages (or, for a refusal, the closest
passages, marked as related), all kept in the page; the browser shows the ones of the answer
the reader clicks (see script.py). Pure HTML helpers, escaped throughout."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from qa.models import TITLE_ONLY, AlsoIn, Answer, Citation, Passage

EMPTY = (
    '<p class="nd-empty">The sources of each answer appear here: click an answer to see its'
    " sources, or a number [n] in it to go to that passage.</p>"
)
REFUSED = "No article answers this"


def sources_html(answer: Answer, k: int) -> str:
    """The sources of answer number ``k`` of a conversation (1-based): its cited passages,
    each with the id ``nd-s{k}-{n}`` that the answer's [n] links go to; or, when nothing
    answers, the closest passages, marked as related rather than sources."""
    if answer.found and answer.citations:
        short = answer.short_answer
        body = "".join(
            _citation_html(
                c, (short.start, short.end) if short and short.citation == c.n else None, k
            )
            for c in answer.citations
        )
        n = len(answer.citations)
        head = f"<h3>Cited passages</h3>{_asked_html(answer, k)}"
        return f'{head}<p class="nd-count">{n} source{"s" if n != 1 else ""}</p>{body}'
    head = f'<h3 class="nd-refused">{REFUSED}</h3>{_asked_html(answer, k)}'
    if not answer.related:
        return f"{head}<p>Nothing found: no indexed article is close to this question.</p>"
    note = (
        '<p class="nd-note">These closest passages are <b>related, not sources</b>: none of'
        " them answers the question.</p>"
    )
    body = "".join(_passage_html(p, k) for p in answer.related)
    return f"{head}{note}{body}"


def passages_html(answer: Answer) -> str:
    """The sources of one answer on its own (the first of a conversation)."""
    return sources_html(answer, 1)


def sources_panel(turns: Sequence[dict[str, Any]]) -> str:
    """The panel of a conversation's turns: every answer's sources (each turn's ``sources``),
    those of the latest answer shown and the others hidden until their answer is clicked."""
    sections = [(k, t["sources"]) for k, t in enumerate(turns, 1) if t.get("sources")]
    if not sections:
        return EMPTY
    last = sections[-1][0]
    return "".join(
        f'<div class="nd-sources" id="nd-answer-{k}" data-answer="{k}"'
        f"{'' if k == last else ' hidden'}>{body}</div>"
        for k, body in sections
    )


def _asked_html(answer: Answer, k: int) -> str:
    """Which answer the section belongs to: its number and the question searched."""
    asked = html.escape(answer.rewritten or answer.question)
    return f'<p class="nd-asked">Answer {k}: “{asked}”</p>'


def _citation_html(c: Citation, short: tuple[int, int] | None = None, k: int = 1) -> str:
    text = c.paragraph_text or c.quote
    start, end = c.span if c.paragraph_text else (0, len(text))
    quote = html.escape(text[start:end])
    if short is not None and c.paragraph_text and start <= short[0] < short[1] <= end:
        quote = (
            html.escape(text[start : short[0]])
            + f'<mark class="nd-short">{html.escape(text[short[0] : short[1]])}</mark>'
            + html.escape(text[short[1] : end])
        )
    marked = html.escape(text[:start]) + f"<mark>{quote}</mark>" + html.escape(text[end:])
    head = f'<b class="nd-n">[{c.n}]</b> ' + _title_html(c.title, c.url)
    meta = _meta_html(c.published, c.source, c.paragraph, c.url)
    return (
        f'<div class="nd-passage" id="nd-s{k}-{c.n}" data-n="{c.n}">{head}{meta}'
        f"<p>{marked}</p>{_also_in_html(c.also_in, c.source)}</div>"
    )


def _passage_html(p: Passage, k: int = 1) -> str:
    badge = '<span class="nd-badge">related, not a source</span>'
    head = f"{badge}<b>{p.rank}.</b> " + _title_html(p.title, p.url)
    body = f"<i>{TITLE_ONLY}</i>" if p.is_title else html.escape(p.text)
    meta = _meta_html(p.published, p.source, p.paragraph, p.url)
    also = _also_in_html(p.also_in, p.source)
    return (
        f'<div class="nd-passage nd-related" id="nd-r{k}-{p.rank}">{head}{meta}<p>{body}</p>'
        f"{also}</div>"
    )


def _also_in_html(articles: Sequence[AlsoIn], source: str) -> str:
    """ "Also in: Outlet A, “A title”", each linked to its article when it has a URL; "" when
    no other article carried the passage."""
    if not articles:
        return ""
    links: dict[str, str] = {}
    for a in articles:
        name = html.escape(a.label(source))
        if _linkable(a.url):
            href = html.escape(a.url, quote=True)
            name = f'<a href="{href}" target="_blank" rel="noopener">{name}</a>'
        links.setdefault(a.label(source), name)
    return f'<div class="nd-meta nd-also">Also in: {", ".join(links.values())}</div>'


def _title_html(title: str, url: str) -> str:
    if _linkable(url):
        href = html.escape(url, quote=True)
        return (
            f'<a class="nd-title" href="{href}" target="_blank" rel="noopener">'
            f"{html.escape(title)}</a>"
        )
    return f'<b class="nd-title">{html.escape(title)}</b>'


def _meta_html(published: str, source: str, paragraph: int, url: str = "") -> str:
    """The passage's date, outlet and paragraph, and a link to the original when it has one."""
    parts = [html.escape(x) for x in (published, source) if x]
    parts.append(f"paragraph {paragraph}")
    if _linkable(url):
        href = html.escape(url, quote=True)
        parts.append(f'<a href="{href}" target="_blank" rel="noopener">original ↗</a>')
    return f'<div class="nd-meta">{" · ".join(parts)}</div>'


def _linkable(url: str) -> bool:
    return url.startswith(("http://", "https://"))
