"""A Chroma server that goes away gives StoreUnavailable (503 / a clear message), never a
stray chromadb or httpx exception."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.errors import StoreUnavailable
from tests.conftest import MakeIndex
from tests.index.conftest import ChromaServer, make_article


@pytest.mark.slow
def test_a_stopped_chroma_server_is_reported_as_store_unavailable(
    make_index: MakeIndex, tmp_path: Path
) -> None:
    server = ChromaServer(tmp_path / "chroma")
    server.start()
    try:
        index = make_index(articles=[make_article(1)], chroma_url=server.url)
        assert index.store.count() == 3
    finally:
        server.stop()
    with pytest.raises(StoreUnavailable, match="vector store failed"):
        index.service.add([make_article(2)])
    with pytest.raises(StoreUnavailable):
        index.store.query(index.embedder.embed(["story"])[0], 3)
