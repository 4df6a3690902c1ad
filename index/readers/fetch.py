"""Fetching URLs (httpx) with bounds on everything a server controls.

A fetched page is untrusted: its size, its compression, its redirects and its speed are all
chosen by whoever runs the server. So the body is read raw and decompressed here, in bounded
steps (a 10 kB gzip body can inflate to 10 MB, a brotli one to gigabytes, and httpx would
inflate a whole network chunk at once), only gzip and deflate are asked for and accepted,
redirects are followed one by one without reading their bodies (httpx reads a redirect's
whole body when it follows it itself), and the whole fetch has a deadline besides the
per-operation timeout, so a server trickling one byte every few seconds cannot hold a reader
for hours. Which addresses may be reached at all is :mod:`index.readers.guard`'s business.
"""

from __future__ import annotations

import re
import time
import zlib
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol

import httpx

from index.errors import ArticleReadError, UrlRefused
from index.readers.guard import AddressGuard, GuardedTransport

USER_AGENT = "newsdesk/0.1"
MAX_REDIRECTS = 10
_ENCODINGS = ("identity", "gzip", "x-gzip", "deflate")


@dataclass(frozen=True)
class FetchedPage:
    """A fetched response: final URL (after redirects), Content-Type header value, body."""

    url: str
    content_type: str
    data: bytes

    @property
    def media_type(self) -> str:
        """The content type without parameters, lower-case (``text/html``)."""
        return self.content_type.split(";")[0].strip().lower()

    @property
    def charset(self) -> str:
        """The ``charset`` parameter of the content type, lower-case, or ""."""
        match = re.search(r"charset\s*=\s*\"?([\w.:-]+)", self.content_type, re.IGNORECASE)
        return match.group(1).lower() if match else ""


class PageFetcher(Protocol):
    """Anything that can fetch a URL; :class:`Fetcher` is the real one, tests pass fakes."""

    def get(self, url: str) -> FetchedPage:
        """Fetch ``url``; raise :class:`ArticleReadError` when it cannot be fetched."""
        ...


def human_size(n: int) -> str:
    """``7_200_000`` -> ``"7.2 MB"``; small sizes in kB or bytes."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f} MB"
    return f"{n / 1000:.1f} kB" if n >= 1000 else f"{n} bytes"


def size_reason(size: int, max_bytes: int, what: str = "file") -> str:
    """The failure reason for an input over the size limit."""
    return f"{what} is {human_size(size)}, over the {human_size(max_bytes)} limit"


class _TooBig(Exception):
    """The (decompressed) body went over the limit."""


class Fetcher:
    """Fetches URLs with httpx: ``timeout`` per network operation, ``deadline`` for the whole
    fetch, up to MAX_REDIRECTS redirects, bodies capped at ``max_bytes`` once decompressed.

    With a ``guard``, every connection (redirects included) goes only to addresses it allows,
    and proxies from the environment are not used (the guard must see the real destination).
    """

    def __init__(
        self,
        *,
        max_bytes: int = 5_000_000,
        timeout: float = 15.0,
        deadline: float = 60.0,
        transport: httpx.BaseTransport | None = None,
        guard: AddressGuard | None = None,
    ) -> None:
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.deadline = deadline
        if guard is not None and transport is None:
            transport = GuardedTransport(guard)
        self._client = httpx.Client(
            timeout=timeout,
            follow_redirects=False,  # followed in get(), without reading redirect bodies
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
            transport=transport,
        )

    def get(self, url: str) -> FetchedPage:
        """Fetch ``url``; raise :class:`ArticleReadError` with a readable reason on failure."""
        try:
            return self._get(url, time.monotonic() + self.deadline)
        except UrlRefused as exc:  # raised for the host of the hop, named in the reason
            raise UrlRefused(url, exc.reason) from None
        except httpx.TimeoutException as exc:
            raise ArticleReadError(url, f"timed out after {self.timeout:g} s") from exc
        except httpx.ConnectError as exc:
            host = httpx.URL(url).host
            raise ArticleReadError(url, f"cannot connect to {host} ({exc})") from exc
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise ArticleReadError(url, f"invalid URL ({exc})") from exc
        except httpx.HTTPError as exc:
            raise ArticleReadError(url, f"network error ({exc})") from exc
        except (ValueError, UnicodeError) as exc:  # httpx's URL parser on odd input
            raise ArticleReadError(url, f"invalid URL ({exc})") from exc

    def _get(self, url: str, deadline: float) -> FetchedPage:
        response = self._client.send(self._client.build_request("GET", url), stream=True)
        try:
            hops = 0
            while response.next_request is not None:
                hops += 1
                if hops > MAX_REDIRECTS:
                    raise ArticleReadError(url, f"too many redirects (over {MAX_REDIRECTS})")
                following = response.next_request
                response.close()
                self._check_deadline(url, deadline)
                response = self._client.send(following, stream=True)
            return self._read(url, response, deadline)
        finally:
            response.close()

    def _read(self, url: str, response: httpx.Response, deadline: float) -> FetchedPage:
        if response.status_code >= 400:
            reason = f"HTTP error {response.status_code} {response.reason_phrase}"
            raise ArticleReadError(url, reason)
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise ArticleReadError(url, size_reason(int(declared), self.max_bytes, "response"))
        # A response a transport made whole (httpx.MockTransport) is already read and decoded
        encoding = "" if response.is_stream_consumed else response.headers.get("content-encoding")
        inflater = _Inflater(encoding or "", url)
        chunks = [response.content] if response.is_stream_consumed else response.iter_raw()
        body = bytearray()
        try:
            for chunk in chunks:
                body += inflater.feed(chunk, self.max_bytes - len(body))
                self._check_deadline(url, deadline)
            body += inflater.flush(self.max_bytes - len(body))
        except _TooBig:
            reason = f"response is over the {human_size(self.max_bytes)} limit"
            raise ArticleReadError(url, reason + inflater.note) from None
        content_type = response.headers.get("content-type", "")
        return FetchedPage(str(response.url), content_type, bytes(body))

    def _check_deadline(self, url: str, deadline: float) -> None:
        if time.monotonic() > deadline:
            raise ArticleReadError(url, f"took over {self.deadline:g} s in all; gave up")

    def close(self) -> None:
        """Close the underlying HTTP connections."""
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class _Inflater:
    """Decompresses a body in bounded steps: never more than the room left (plus one byte,
    to tell "exactly full" from "over") is produced from any chunk."""

    def __init__(self, encoding: str, url: str) -> None:
        self.encoding = encoding.strip().lower() or "identity"
        if self.encoding not in _ENCODINGS:
            shown = encoding.strip()[:40]
            raise ArticleReadError(url, f"unsupported Content-Encoding '{shown}' (gzip, deflate)")
        self.note = "" if self.encoding == "identity" else " once decompressed"
        self._url = url
        self._first = True
        wbits = zlib.MAX_WBITS | 16 if "gzip" in self.encoding else zlib.MAX_WBITS
        self._zlib = zlib.decompressobj(wbits)

    def feed(self, data: bytes, room: int) -> bytes:
        """The decompressed bytes of ``data``; raises _TooBig past ``room``."""
        if self.encoding == "identity":
            if len(data) > room:
                raise _TooBig
            return data
        first, self._first = self._first, False
        try:
            return self._inflate(data, room)
        except zlib.error as exc:
            if first and self.encoding == "deflate":  # raw deflate, without the zlib header
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                return self.feed(data, room)
            raise ArticleReadError(self._url, f"corrupt {self.encoding} body ({exc})") from exc

    def _inflate(self, data: bytes, room: int) -> bytes:
        out = bytearray()
        while data and not self._zlib.eof:
            out += self._zlib.decompress(data, room + 1 - len(out))
            if len(out) > room:
                raise _TooBig
            data = self._zlib.unconsumed_tail
        return bytes(out)

    def flush(self, room: int) -> bytes:
        """What the decompressor still holds (a truncated body ends here, as read so far)."""
        if self.encoding == "identity":
            return b""
        try:
            rest = self._zlib.flush()
        except zlib.error:
            return b""
        if len(rest) > room:
            raise _TooBig
        return rest


class LazyFetcher:
    """A :class:`Fetcher` made on first use, so reading only files opens no HTTP client."""

    def __init__(self, max_bytes: int, guard: AddressGuard | None = None) -> None:
        self._max_bytes = max_bytes
        self._guard = guard
        self._fetcher: Fetcher | None = None

    def get(self, url: str) -> FetchedPage:
        """Fetch ``url`` with the (possibly new) real fetcher."""
        if self._fetcher is None:
            self._fetcher = Fetcher(max_bytes=self._max_bytes, guard=self._guard)
        return self._fetcher.get(url)

    def close(self) -> None:
        """Close the real fetcher if one was made."""
        if self._fetcher is not None:
            self._fetcher.close()
