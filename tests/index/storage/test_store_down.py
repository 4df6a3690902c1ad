"""A Chroma server that goes away gives StoreUnavailable (503 / a clear message), never a
stray chromadb or httpx exception."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from index.errors import StoreUnavailable
from tests.conftest import MakeIndex
from tests.index.conftest import BIN, free_port, make_article, wait_for_heartbeat


@pytest.mark.slow
def test_a_stopped_chroma_server_is_reported_as_store_unavailable(
    make_index: MakeIndex, tmp_path: Path
) -> None:
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "chroma"), "run", "--path", str(tmp_path / "db"), "--host", "127.0.0.1",
         "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for_heartbeat(url, server)
        index = make_index(articles=[make_article(1)], chroma_url=url)
        assert index.store.count() == 3
    finally:
        server.terminate()
        server.wait(timeout=20)
    with pytest.raises(StoreUnavailable, match="vector store failed"):
        index.service.add([make_article(2)])
    with pytest.raises(StoreUnavailable):
        index.store.query(index.embedder.embed(["story"])[0], 3)
