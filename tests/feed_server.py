"""A real RSS server on loopback for the feed tests: http.server in a thread whose feed
changes when a test edits ``entries``, answering conditional requests with 304."""

from __future__ import annotations

import hashlib
import threading
import time
from contextlib import suppress
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

FILLER = (
    " The council said the figures would be published in full next month, and that residents"
    " could comment on the plans at the town hall until the end of the year."
)


def story(number: int, words: str = "") -> dict[str, str]:
    """An entry of the feed: its own link, title and a text long enough (over 500
    characters) that the reader never fetches its page."""
    topic = words or f"topic{number}"
    return {
        "link": f"https://news.example/story-{number}",
        "title": f"Story {number} about {topic}",
        "text": f"Residents debated {topic} at a meeting on Monday." + FILLER * 3,
        "date": f"Mon, {number + 1:02d} Apr 2024 09:00:00 GMT",
    }


def rss(entries: list[dict[str, str]]) -> bytes:
    """An RSS 2.0 document of ``entries``."""
    items = "".join(
        f"<item><title>{escape(e['title'])}</title><link>{escape(e['link'])}</link>"
        f"<pubDate>{e['date']}</pubDate><description>{escape(e['text'])}</description></item>"
        for e in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>The Loopback Gazette</title>{items}</channel></rss>"
    ).encode()


class FeedServer:
    """Serves ``/feed.xml`` (``entries``, with an ETag and a Last-Modified that change with
    them, unless ``etag`` / ``last_modified`` are switched off), ``/broken.xml`` (500),
    ``/garbage.xml`` (not XML), ``/page.html`` (HTML) and ``/slow.xml`` (the feed after
    ``slow_s`` seconds). ``requests`` records (path, If-None-Match, If-Modified-Since)."""

    def __init__(self, entries: list[dict[str, str]] | None = None) -> None:
        self.entries = entries if entries is not None else [story(1), story(2)]
        self.etag = True
        self.last_modified = True
        self.slow_s = 2.0
        self.requests: list[tuple[str, str, str]] = []
        self._versions: dict[bytes, float] = {}
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def feed_requests(self, path: str = "/feed.xml") -> list[tuple[str, str, str]]:
        """The requests made for ``path``."""
        with self._lock:
            return [r for r in self.requests if r[0] == path]

    def _validators(self, body: bytes) -> tuple[str, str]:
        with self._lock:
            changed = self._versions.setdefault(body, float(int(time.time()) - 60))
        etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"' if self.etag else ""
        return etag, formatdate(changed, usegmt=True) if self.last_modified else ""

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                with server._lock:
                    server.requests.append((
                        self.path, self.headers.get("If-None-Match", ""),
                        self.headers.get("If-Modified-Since", ""),
                    ))  # fmt: skip
                if self.path == "/broken.xml":
                    self._send(500, b"internal error", "text/plain")
                elif self.path == "/garbage.xml":
                    self._send(200, b"\x1f this is not a feed {{{ <<<", "application/rss+xml")
                elif self.path == "/page.html":
                    page = b"<html><body><article><p>" + FILLER.encode() * 3 + b"</p></article>"
                    self._send(200, page + b"</body></html>", "text/html")
                elif self.path in ("/feed.xml", "/slow.xml"):
                    if self.path == "/slow.xml":
                        time.sleep(server.slow_s)
                    self._feed()
                else:
                    self._send(404, b"not found", "text/plain")

            def _feed(self) -> None:
                body = rss(list(server.entries))
                etag, modified = server._validators(body)
                headers = {"ETag": etag, "Last-Modified": modified}
                sent_etag = self.headers.get("If-None-Match")
                sent_date = self.headers.get("If-Modified-Since")
                if (etag and sent_etag == etag) or (
                    not sent_etag and modified and sent_date == modified
                ):
                    self._send(304, b"", "", headers)
                else:
                    self._send(200, body, "application/rss+xml", headers)

            def _send(
                self, status: int, body: bytes, kind: str, headers: dict[str, str] | None = None
            ) -> None:
                self.send_response(status)
                for name, value in {"Content-Type": kind, **(headers or {})}.items():
                    if value:
                        self.send_header(name, value)
                if status != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if status != 304:
                    with suppress(BrokenPipeError, ConnectionResetError):  # the client gave up
                        self.wfile.write(body)

        return Handler
