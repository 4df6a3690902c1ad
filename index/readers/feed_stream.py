"""An RSS or Atom feed file read entry by entry from an open binary file.

A feed archive can be far larger than any one article, so a feed file is not parsed whole:
the bytes are scanned for each ``<item>`` or ``<entry>`` element (CDATA sections and comments
passed over, so a "</item>" inside them does not end one), and each entry is parsed alone by
feedparser, inside the feed's opening (its root element, namespaces and metadata up to the
first entry) and the closing tags that opening leaves open. The size limit applies to each
entry; an entry over it is skipped without being kept. Memory is bounded by the per-article
limit and the opening (at most MAX_HEAD_BYTES), whatever the file's size.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO

from index.errors import ArticleReadError
from index.readers.fetch import PageFetcher, size_reason
from index.readers.stream import ChunkReader, Located, OnRead, check_head
from index.readers.web import feed_records, feed_title, single_entry_record

MAX_HEAD_BYTES = 1 << 20  # the feed's metadata before its first entry
_ENTRY = rb"(?:[\w.-]+:)?(?:item|entry)"
# Where the scan stops: a CDATA section or a comment (passed over whole), an entry's start tag
# (group 1) or its end tag.
_MARK = re.compile(rb"<!\[CDATA\[|<!--|(<" + _ENTRY + rb"[\s/>])|</" + _ENTRY + rb"\s*>")
_SKIP_TO = {b"<![CDATA[": b"]]>", b"<!--": b"-->"}
_TAG = re.compile(rb"<(/?)([\w.:-]+)(?:\s[^>]*?)?(/?)>")
_NOT_TAGS = re.compile(rb"<!\[CDATA\[.*?\]\]>|<!--.*?-->|<\?.*?\?>|<!DOCTYPE[^>]*>", re.S)
_CUT = 32  # bytes kept before the scan position when dropping: a mark may be cut off there


class _Scanner(ChunkReader):
    """The unread part of the file. ``offset`` is the file position of ``data[0]``; bytes
    from ``anchor`` (a file position) are kept while they fit in ``limit`` bytes."""

    def __init__(self, handle: IO[bytes], on_read: OnRead | None) -> None:
        super().__init__(handle, on_read)
        self.pos = self.offset = 0
        self.anchor: int | None = 0
        self.limit = MAX_HEAD_BYTES

    def keep_from(self, anchor: int | None, limit: int) -> None:
        """Keep the bytes from file position ``anchor`` (None: none) while within ``limit``."""
        self.anchor, self.limit = anchor, limit
        self._drop()

    @property
    def kept(self) -> bool:
        """Whether every byte from the anchor is still held."""
        return self.anchor is not None

    def next_mark(self) -> re.Match[bytes] | None:
        """The next entry start or end tag from the scan position, reading on as needed; None
        at the end of the file."""
        while True:
            match = _MARK.search(self.data, self.pos)
            if match is None or len(self.data) - match.end() < _CUT:
                # nothing complete ahead: scanned up to the last few bytes, which a mark may
                # start in
                ahead = len(self.data) - _CUT if match is None else match.start()
                self.pos = max(self.pos, min(ahead, len(self.data) - _CUT))
                self._drop()
                if self.more():
                    continue
                match = _MARK.search(self.data, self.pos)
                if match is None:
                    return None
            if match.group() in _SKIP_TO:
                if not self._pass(match.end(), _SKIP_TO[match.group()]):
                    return None
                continue
            self.pos = match.end()
            return match

    def _pass(self, start: int, end: bytes) -> bool:
        """Move past the CDATA section or comment that starts at ``start``."""
        self.pos = start
        while (found := self.data.find(end, self.pos)) < 0:
            self.pos = max(self.pos, len(self.data) - len(end))
            self._drop()
            if not self.more():
                return False
        self.pos = found + len(end)
        return True

    def _drop(self) -> None:
        """Forget what is no longer needed: what is before the anchor, or, once the bytes
        scanned from the anchor outgrow the limit, all but the last few before the scan
        position."""
        if self.anchor is not None and self.offset + self.pos - self.anchor > self.limit:
            self.anchor = None
        upto = self.anchor - self.offset if self.anchor is not None else self.pos - _CUT
        upto = max(0, min(upto, self.pos))
        del self.data[:upto]
        self.pos -= upto
        self.offset += upto


def feed_file_records(
    handle: IO[bytes],
    origin: str,
    max_bytes: int,
    on_read: OnRead | None = None,
    fetcher: PageFetcher | None = None,
) -> Iterator[Located]:
    """Yield ``("entry N", record)`` per entry of an RSS/Atom feed file, in order; an entry
    over ``max_bytes``, or one feedparser cannot read, gives ``("entry N",
    ArticleReadError)`` and reading goes on. Raises :class:`ArticleReadError` for the whole
    file: binary, an opening over MAX_HEAD_BYTES, not a feed, or no entries. ``fetcher``
    fetches the page of an entry that has only a short summary and a link."""
    check_head(handle.read(8192), origin)
    handle.seek(0)
    scan = _Scanner(handle, on_read)
    start = scan.next_mark()
    while start is not None and start.group(1) is None:  # an end tag before any start
        start = scan.next_mark()
    if not scan.kept:
        limit = MAX_HEAD_BYTES >> 20
        raise ArticleReadError(origin, f"over {limit} MB of feed before its first entry")
    if start is None:  # no entry: feed_records says why (not a feed, or no entries)
        yield from feed_records(bytes(scan.data), origin, fetcher)
        return
    head = bytes(scan.data[: start.start()])  # all kept from the file's start
    closing = closing_tags(head)
    title = feed_title(head + closing)
    number = 0
    while start is not None:
        number += 1
        body = _entry_bytes(scan, start, origin, max_bytes)
        if isinstance(body, ArticleReadError):
            yield f"entry {number}", body
        else:
            yield f"entry {number}", _record(head + body + closing, origin, title, fetcher)
        start = scan.next_mark()
        while start is not None and start.group(1) is None:  # a stray end tag
            start = scan.next_mark()


def _record(feed: bytes, origin: str, title: str, fetcher: PageFetcher | None) -> object:
    try:
        return single_entry_record(feed, origin, title, fetcher)
    except ArticleReadError as exc:
        return exc


def _entry_bytes(
    scan: _Scanner, start: re.Match[bytes], origin: str, max_bytes: int
) -> bytes | ArticleReadError:
    """The bytes of the entry whose start tag is ``start``, or why it cannot be read."""
    begin = scan.offset + start.start()
    scan.keep_from(begin, max_bytes)
    end = scan.next_mark()
    while end is not None and end.group(1) is not None:  # another start inside: broken markup
        end = scan.next_mark()
    kept, stop = scan.kept, scan.offset + scan.pos
    body = bytes(scan.data[begin - scan.offset : scan.pos]) if kept else b""
    scan.keep_from(None, 0)
    if end is None:
        return ArticleReadError(origin, "the feed ends inside this entry")
    if not kept or len(body) > max_bytes:
        return ArticleReadError(origin, size_reason(stop - begin, max_bytes, "entry"))
    return body


def closing_tags(head: bytes) -> bytes:
    """The end tags of the elements ``head`` (a feed's opening) leaves open, innermost
    first: ``</channel></rss>`` for RSS, ``</feed>`` for Atom."""
    open_tags: list[bytes] = []
    for closing, name, empty in _TAG.findall(_without_text(head)):
        if empty:
            continue
        if not closing:
            open_tags.append(name)
        elif name in open_tags:
            del open_tags[len(open_tags) - 1 - open_tags[::-1].index(name) :]
    return b"".join(b"</" + name + b">" for name in reversed(open_tags))


def _without_text(head: bytes) -> bytes:
    """``head`` without CDATA sections, comments and processing instructions, whose contents
    are not tags."""
    return _NOT_TAGS.sub(b"", head)
