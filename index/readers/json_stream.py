"""A JSON list of records read item by item from an open binary file.

An export saved as one JSON list (``[{...}, {...}, ...]``) can be as large as a JSON Lines
one, so it is not parsed whole: the bytes are scanned for the end of each item (strings,
escapes and nesting followed by regular expressions, so the scan runs at C speed), and each
item is parsed alone. The size limit applies to each item; an item over it is skipped
without being kept. Memory is bounded by the per-article limit, whatever the file's size.
A file that is not a list (one object) is small, and is read whole by the caller.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO

from index.errors import ArticleReadError
from index.readers.fetch import size_reason
from index.readers.stream import ChunkReader, Located, OnRead, check_head, parse_record

_WHITESPACE = b" \t\r\n"
_STRUCTURE = re.compile(rb'["\[\]{},]')  # outside strings: what can start or end a value
# Inside a string: the longest run of plain bytes and escape pairs (the unrolled loop, one
# C-level match however long the string); what follows it is the closing quote, or the end
# of what has been read.
_STRING_BODY = re.compile(rb'[^"\\]*(?:\\.[^"\\]*)*', re.DOTALL)


class _Buffer(ChunkReader):
    """The unread bytes of the file; ``pos`` is where scanning stands."""

    def __init__(self, handle: IO[bytes], on_read: OnRead | None) -> None:
        super().__init__(handle, on_read)
        self.pos = 0

    def drop(self, upto: int) -> None:
        """Forget the bytes before ``upto`` (already handled)."""
        del self.data[:upto]
        self.pos -= upto

    def next_byte(self) -> bytes:
        """The next byte that is not whitespace (b"" at the end of the file), not consumed."""
        while True:
            while self.pos < len(self.data) and self.data[self.pos] in _WHITESPACE:
                self.pos += 1
            if self.pos < len(self.data):
                return bytes(self.data[self.pos : self.pos + 1])
            self.drop(self.pos)
            if not self.more():
                return b""


def starts_list(head: bytes) -> bool:
    """Whether JSON text starting with ``head`` is a list (read by json_list_records)."""
    return head.removeprefix(b"\xef\xbb\xbf").lstrip(_WHITESPACE).startswith(b"[")


def json_list_records(
    handle: IO[bytes], origin: str, max_bytes: int, on_read: OnRead | None = None
) -> Iterator[Located]:
    """Yield ``("item N", record)`` for each item of the JSON list in ``handle``, in order; an
    item that is malformed or over ``max_bytes`` gives ``("item N", ArticleReadError)`` and
    reading goes on. ``handle`` must start (after whitespace and a byte order mark) with
    ``[``. Raises ArticleReadError for the whole input: binary, an empty list, or a list
    broken in a way no item boundary can be found past (it then stops there)."""
    check_head(handle.read(8192), origin)
    handle.seek(0)
    buffer = _Buffer(handle, on_read)
    while len(buffer.data) < 3 and buffer.more():
        pass  # enough to see a byte order mark
    if buffer.data.startswith(b"\xef\xbb\xbf"):
        buffer.pos = 3
    if buffer.next_byte() != b"[":
        raise ArticleReadError(origin, "a JSON list must start with '['")
    buffer.pos += 1
    number = 0
    while True:
        first = buffer.next_byte()
        if first == b"]" and number == 0:
            raise ArticleReadError(origin, "JSON must be a non-empty list of objects (got [])")
        if first in (b"", b"]", b","):
            raise _broken(origin, number + 1, "expected a value")
        number += 1
        yield f"item {number}", _item(buffer, origin, max_bytes)
        after = buffer.next_byte()  # the ',' or ']' that ended the item
        buffer.pos += 1
        if after == b"]":
            break
    if buffer.next_byte():
        raise ArticleReadError(origin, "malformed JSON (extra data after the list)")


def _item(buffer: _Buffer, origin: str, max_bytes: int) -> object:
    """Scan one item from ``buffer.pos`` to just before the ',' or ']' that ends it; its
    JSON value, or an ArticleReadError."""
    buffer.drop(buffer.pos)  # the item starts the buffer
    depth, in_string, skipped = 0, False, 0
    while True:
        # At least two unread bytes, so an escape and the character it escapes are together.
        unread = len(buffer.data) - buffer.pos
        if unread < 2 and not buffer.more() and (unread <= 0 or in_string):
            raise ArticleReadError(origin, "malformed JSON (the file ends inside a list item)")
        if buffer.pos > max_bytes + 1:  # too long already: keep scanning, not keeping
            skipped += buffer.pos
            buffer.drop(buffer.pos)
        if in_string:
            body = _STRING_BODY.match(buffer.data, buffer.pos)
            buffer.pos = body.end() if body else buffer.pos  # it always matches, maybe empty
            if buffer.data[buffer.pos : buffer.pos + 1] == b'"':
                buffer.pos += 1
                in_string = False
            continue
        found = _STRUCTURE.search(buffer.data, buffer.pos)
        if found is None:
            buffer.pos = len(buffer.data)
            continue
        mark, buffer.pos = found.group(), found.end()
        if mark == b'"':
            in_string = True
        elif mark in (b"[", b"{"):
            depth += 1
        elif mark in (b"]", b"}") and depth > 0:
            depth -= 1
        elif depth == 0:  # a ',' or ']' closing this item: not part of it
            buffer.pos = found.start()
            size = skipped + buffer.pos
            if size > max_bytes:
                return ArticleReadError(origin, size_reason(size, max_bytes, "record"))
            return parse_record(bytes(buffer.data[: buffer.pos]).rstrip(), origin)


def _broken(origin: str, number: int, what: str) -> ArticleReadError:
    return ArticleReadError(origin, f"malformed JSON list at item {number} ({what})")
