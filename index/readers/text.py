"""Text helpers of the readers: titles, front matter and dates of plain-text articles."""

from __future__ import annotations

import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

_TITLE_WORDS = 12  # derived titles are cut to this many words (plus an ellipsis)
_TITLE_LINE_WORDS = 15  # a first line this short (without a final period) is the title
# a derived title does not end on these words; a period after these does not end a sentence
_STOPWORDS = {
    "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "for", "by", "with",
    "that", "which", "who", "as", "from", "has", "have", "had", "is", "was",
}  # fmt: skip
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "st", "gen", "sen", "rep", "gov", "col", "lt", "sgt", "jr", "sr",
    "prof", "no", "vs", "inc", "corp", "co", "ltd", "u.s", "u.k",
}  # fmt: skip
_WORD_WINDOW = 64  # characters looked back at for the word before a sentence end
_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*\s+")
_DATELINE = re.compile(
    r"^(?:[A-Z][\w’'.-]*,? ){0,3}[A-Z][\w’'.-]*(?: \([A-Za-z ]+\))?(?:\s*[:—–]| --?)\s+"
)
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_FRONT_KEYS = {"title": "title", "url": "url", "link": "url", "published": "published",
               "date": "published", "source": "source", "id": "id"}  # fmt: skip
_YMD = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_URL_EXTENSION = re.compile(r"\.(?:s?html?|php|aspx?)$", re.IGNORECASE)
_URL_WORD_BREAK = re.compile(r"[-_+.]+")
_DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%Y%m%d")


def normalize_date(value: str) -> str:
    """``YYYY-MM-DD`` from ISO dates/datetimes, ``2024/04/18``, RFC-822 and "April 18, 2024"
    style dates; "" when the value is empty or not understood."""
    value = value.strip()
    match = _YMD.match(value)
    if match:
        try:
            return date(*(int(part) for part in match.groups())).isoformat()
        except ValueError:
            return ""
    try:
        return parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    return ""


def normalize_text(text: str) -> str:
    """Normalise line endings to ``\\n`` (form feeds, vertical tabs and Unicode line and
    paragraph separators included), drop invisible characters (zero-width spaces, byte order
    marks, soft hyphens), turn other control characters into spaces, and strip trailing
    whitespace and blank edge lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_INVISIBLE)
    text = _LINE_BREAKS.sub("\n", text)
    lines = _CONTROL.sub(" ", text).split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def has_words(text: str) -> bool:
    """Whether ``text`` holds at least one letter or digit."""
    return any(char.isalnum() for char in text)


_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff\u00ad"))
# what str.splitlines (and so the paragraph splitter) also reads as line breaks
_LINE_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]")


def derive_title(text: str) -> str:
    """A title from the first sentence of the text, without a leading dateline ("Moscow:"),
    cut to about 12 words with an ellipsis; "" when the text has no words."""
    first = next(
        (line.strip().lstrip("#").strip() for line in text.splitlines() if line.strip()), ""
    )
    sentence = _first_sentence(first)
    undated = _DATELINE.sub("", sentence, count=1)
    if len(undated.split()) >= 4:
        sentence = undated
    return _short_title(sentence.split())


def _short_title(words: list[str]) -> str:
    """The words joined, or cut to _TITLE_WORDS (not ending on a stopword) with an ellipsis."""
    if len(words) <= _TITLE_WORDS + 2:
        return " ".join(words).rstrip(".")
    cut = words[:_TITLE_WORDS]
    while len(cut) > 1 and cut[-1].lower().strip(",;:") in _STOPWORDS:
        cut.pop()
    return " ".join(cut).rstrip(",;:-—–") + "…"


def _first_sentence(paragraph: str) -> str:
    for match in _SENTENCE_END.finditer(paragraph):
        # only the word before the mark matters: a window, not the whole prefix (split at each
        # "x. " of a 1 MB line made this quadratic); a longer word is no abbreviation anyway
        before = paragraph[max(0, match.start() - _WORD_WINDOW) : match.start()].split()
        last = before[-1].lower() if before else ""
        if last in _ABBREVIATIONS or len(last) == 1:
            continue  # "Mr. Smith", "J. Doe": not the end of the sentence
        return paragraph[: match.start() + 1]
    return paragraph


def text_record(raw: str, url: str) -> dict[str, Any]:
    """A plain-text article: front matter keys, else a short first line as the title."""
    text = normalize_text(raw)
    record: dict[str, Any] = {"url": url}
    match = _FRONT_MATTER.match(text)
    meta = _front_matter(match.group(1)) if match else {}
    if match and meta:
        record.update(meta)
        text = text[match.end() :].strip("\n")
    if not record.get("title"):
        record["title"], text = _split_title_line(text)
    record["text"] = text
    return record


def _front_matter(block: str) -> dict[str, str]:
    meta: dict[str, str] = {}
    for line in block.splitlines():
        key, sep, value = line.partition(":")
        field = _FRONT_KEYS.get(key.strip().lower())
        if sep and field and not meta.get(field):
            meta[field] = value.strip().strip("\"'")
    return meta


def _split_title_line(text: str) -> tuple[str, str]:
    """("Title", rest) when the first line is a short headline followed by more text."""
    first, _, rest = text.partition("\n")
    heading = first.strip().lstrip("#").strip()
    words = heading.split()
    if (
        rest.strip()
        and 0 < len(words) <= _TITLE_LINE_WORDS
        and not heading.endswith((".", ":", ",", ";"))
    ):
        return heading, rest.strip("\n")
    return "", text


def title_from_url(url: str) -> str:
    """A title from the URL's slug, where publishers write their headline
    (``.../taco-bell-mexican-pizza-return-date/index.html`` -> "Taco bell mexican pizza return
    date"): the last path segment that is not an id or an index page, without trailing
    numbers, when that leaves three words or more (fewer is a section: "world-news"); else "".
    """
    for segment in reversed(unquote(urlsplit(url).path).split("/")):
        words = [w for w in _URL_WORD_BREAK.split(_URL_EXTENSION.sub("", segment)) if w]
        if not words or _is_url_id(words):
            continue
        while words and words[-1].isdigit():  # a date or a number after the slug
            words.pop()
        return _short_title(words).capitalize() if len(words) >= 3 else ""
    return ""


def _is_url_id(words: list[str]) -> bool:
    """Whether a path segment's words are an id, a date or an index page, not a slug."""
    if [w.lower() for w in words] in (["index"], ["default"], ["amp"]):
        return True
    mixed = any(not w.isalpha() and not (w.isdigit() and len(w) <= 4) for w in words)
    return mixed or not any(w.isalpha() for w in words)


def title_from_name(origin: str) -> str:
    stem = Path(urlsplit(origin).path or origin).stem
    return " ".join(re.split(r"[-_\s]+", stem)).strip().capitalize() or "Untitled"
