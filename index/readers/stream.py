"""JSON Lines read record by record from an open binary file.

A JSON Lines export can be far larger than any one article (2,561 articles in 26 MB, or
gigabytes), so it is never read whole: lines are read one at a time, each at most the
per-article limit plus one byte, and a longer line is skipped in chunks without being kept.
Memory is bounded by the per-article limit, whatever the file's size.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import IO, Any

from index.errors import ArticleReadError
from index.readers.fetch import size_reason

Located = tuple[str, Any]  # ("line 3", record) -- a record, or an ArticleReadError for that spot
OnRead = Callable[[int], None]  # told how many more bytes of the input have been read

_SKIP_CHUNK = 1 << 20  # bytes read at a time while skipping a line over the limit
CHUNK = 1 << 16  # bytes read at a time by the scanners of whole JSON lists and feeds
_HEAD_BYTES = 8192  # bytes looked at to tell a text file from a binary one


def jsonl_records(
    handle: IO[bytes],
    origin: str,
    max_bytes: int,
    on_read: OnRead | None = None,
    what: str = "file",
) -> Iterator[Located]:
    """Yield ``("line N", record)`` for each non-blank line of a JSON Lines input, in order.

    A line that is not one JSON value, not UTF-8, or longer than ``max_bytes`` gives
    ``("line N", ArticleReadError)`` instead and reading goes on with the next line. Raises
    :class:`ArticleReadError` only for the whole input: empty, blank, or binary from the
    start (``handle`` must be seekable, its head is looked at first).
    """
    check_head(handle.read(_HEAD_BYTES), origin)
    handle.seek(0)
    number = 0
    blank = True
    while line := handle.readline(max_bytes + 1):
        number += 1
        skipped = 0
        if len(line) > max_bytes and not line.endswith(b"\n"):
            skipped = _skip_rest_of_line(handle)
        if on_read is not None:
            on_read(len(line) + skipped)
        if number == 1:
            line = line.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 byte order mark
        if not line.strip():
            continue
        blank = False
        where = f"line {number}"
        size = len(line.rstrip(b"\r\n")) + skipped
        if size > max_bytes:
            yield where, ArticleReadError(origin, size_reason(size, max_bytes, "record"))
        else:
            yield where, parse_record(line.rstrip(b"\r\n"), origin)
    if number == 0:
        raise ArticleReadError(origin, f"{what} is empty (0 bytes)")
    if blank:
        raise ArticleReadError(origin, f"{what} contains only whitespace, no text")


class ChunkReader:
    """The bytes of a file read so far and not yet dropped (``data``), read on a chunk at a
    time, each chunk counted to ``on_read``; the base of the JSON-list and feed scanners."""

    def __init__(self, handle: IO[bytes], on_read: OnRead | None) -> None:
        self.handle, self.on_read = handle, on_read
        self.data = bytearray()

    def more(self) -> bool:
        """Append the next chunk; False at the end of the file."""
        chunk = self.handle.read(CHUNK)
        if chunk and self.on_read is not None:
            self.on_read(len(chunk))
        self.data += chunk
        return bool(chunk)


def check_head(head: bytes, origin: str) -> None:
    """Refuse a whole input that is binary from the start (a renamed image would otherwise
    fail line by line); a NUL byte in one record is only that record's failure."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ArticleReadError(origin, "UTF-16 text is not supported; save it as UTF-8")
    controls = sum(1 for b in head if (b < 32 and b not in b"\t\n\r\f") or b == 127)
    if head and controls / len(head) > 0.1:
        raise ArticleReadError(origin, "binary file, not text (mostly control characters)")


def parse_record(line: bytes, origin: str) -> Any:
    """The JSON value of one line, or an ArticleReadError saying what is wrong with it."""
    if b"\x00" in line:
        return ArticleReadError(origin, "binary data, not text (contains NUL bytes)")
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        reason = f"not UTF-8 text (invalid byte 0x{line[exc.start]:02x} at column {exc.start + 1})"
        return ArticleReadError(origin, reason)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        return ArticleReadError(origin, f"malformed JSON ({exc.msg} at column {exc.colno})")
    except RecursionError:  # "[[[[...": deeper than the parser goes
        return ArticleReadError(origin, "malformed JSON (nested too deeply)")


def _skip_rest_of_line(handle: IO[bytes]) -> int:
    """Read up to and including the next newline without keeping it; the bytes skipped."""
    skipped = 0
    while chunk := handle.readline(_SKIP_CHUNK):
        skipped += len(chunk)
        if chunk.endswith(b"\n"):
            break
    return skipped
