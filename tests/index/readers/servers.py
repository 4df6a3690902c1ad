"""A scripted HTTP server on a loopback address for the fetcher's tests: each path answers a
fixed status, headers and body (bytes, or pieces sent with a pause between them)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PAGE = (
    b"<html><head><title>Harbour ferry returns</title></head><body><article>"
    b"<h1>Harbour ferry returns</h1><p>The harbour ferry returned to service on Monday after "
    b"a three-month overhaul, the port authority said.</p><p>Passengers crowded the quay at "
    b"dawn to board the first crossing, which left on time.</p></article></body></html>"
)


@dataclass
class Reply:
    """What a path answers; ``pieces`` are sent one by one, ``pause`` seconds apart."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html"})
    body: bytes = PAGE
    pieces: Iterable[bytes] | None = None
    pause: float = 0.0


class ScriptedServer:
    """``ThreadingHTTPServer`` on ``host`` answering ``routes`` (404 elsewhere); records the
    paths asked for in ``hits``."""

    def __init__(self, routes: dict[str, Reply], host: str = "127.0.0.1") -> None:
        self.routes = routes
        self.hits: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits.append(self.path)
                reply = server.routes.get(self.path, Reply(404, {}, b"missing"))
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if reply.pieces is None:
                    self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                try:
                    for piece in reply.pieces if reply.pieces is not None else [reply.body]:
                        self.wfile.write(piece)
                        self.wfile.flush()
                        time.sleep(reply.pause)
                except OSError:  # the client stopped reading: what some tests want
                    pass

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://{host}:{self.httpd.server_port}"
        self.port = self.httpd.server_port

    def __enter__(self) -> ScriptedServer:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def pieces(total: int, size: int = 65536) -> Iterator[bytes]:
    """``total`` bytes of text in ``size`` pieces (a body too big to keep)."""
    while total > 0:
        yield b"x" * min(size, total)
        total -= size
