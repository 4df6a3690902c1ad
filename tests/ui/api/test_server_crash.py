"""kill -9 of ``newsdesk serve`` in the middle of an upload: started again on the same data, it
takes the client's re-sent request and ends with every article once, nothing lost, and the
catalog, the keyword index and Chroma agreeing (bench/faults.py kills it at seeded moments).

A real server with the real model over the embedded store; the client of bench/faults.py,
which re-sends each request until it is acknowledged.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bench.faults import (
    Client,
    Place,
    Serve,
    finish,
    read_contents,
    serve_problems,
    upload_requests,
    verdict,
)
from tests.index.conftest import eval_slice

pytestmark = pytest.mark.slow

ARTICLES, PARAGRAPHS = 9, 4
FILE = 3  # the requests: 3 articles as JSON, then this one, a JSON Lines file of 3, then 3 JSON


def wait_until(condition: Callable[[], bool], seconds: float = 120) -> None:
    """Poll ``condition`` every 10 ms until it holds, or fail."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_server_killed_mid_upload_resumes_with_no_duplicate_and_no_loss(tmp_path: Path) -> None:
    requests = upload_requests(eval_slice(ARTICLES, PARAGRAPHS))
    file_ids = requests[FILE].ids
    assert requests[FILE].file_name and len(file_ids) == 3
    place = Place(tmp_path / "data", "crash")
    server = Serve(place, tmp_path / "serve.log")
    server.start()
    try:
        client = Client(server.url, requests)
        client.start()
        # The file's first batch (2 of its 3 articles) is committed, its request not answered.
        wait_until(lambda: bool(place.done_ids() & file_ids))
        server.kill_9()
        done_at_kill, acknowledged_at_kill = place.done_ids(), len(client.answers)
        server.start()
        finished = finish(server, client)
    finally:
        server.stop()

    assert acknowledged_at_kill == FILE and client.resent() >= 1 and not client.errors
    resent_file = client.answers[FILE]
    assert done_at_kill & file_ids <= set(resent_file["unchanged"])  # not indexed twice
    assert sorted(finished.listed) == sorted(client.sent_ids())  # each article listed once
    contents = read_contents(place)  # the catalog, keyword index, Chroma and sentences agree
    assert verdict(serve_problems(client, finished, contents, None)) == "yes"
    assert sum(contents.held.values()) == finished.health["vectors"] >= ARTICLES
