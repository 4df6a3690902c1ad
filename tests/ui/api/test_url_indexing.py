"""URL indexing through the API (POST /api/articles/fetch) against real servers on loopback:
refused by default (422 with the reason, never 5xx), read with the setting on, refused after
a redirect to an address not allowed; uploaded file names are labels, never paths."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from index.components import build_index
from index.config import IndexSettings
from tests.index.readers.servers import Reply, ScriptedServer
from tests.ui.conftest import FakeEmbedder, FakeQA
from ui.api.articles import upload_name
from ui.config import UISettings
from ui.server import create_api
from ui.services import ServiceRef, Services


def api(tmp_path: Path, **settings: object) -> TestClient:
    """The API over an empty index whose settings are ``settings``."""
    index = IndexSettings(data_dir=tmp_path / "data", **settings)  # type: ignore[arg-type]
    components = build_index(index, embedder=FakeEmbedder())
    svc = Services(components, FakeQA(components), UISettings())  # type: ignore[arg-type]
    return TestClient(create_api(ServiceRef(svc), svc.settings))


@pytest.fixture
def site() -> Iterator[ScriptedServer]:
    with ScriptedServer({"/ferry.html": Reply()}) as server:
        yield server


def test_a_loopback_page_is_refused_by_default(tmp_path: Path, site: ScriptedServer) -> None:
    with api(tmp_path) as client:
        response = client.post("/api/articles/fetch", json={"url": f"{site.base}/ferry.html"})
        assert response.status_code == 422
        detail = response.json()["detail"]
        assert "refused: 127.0.0.1 is a loopback address" in detail
        assert "NEWSDESK_ALLOW_PRIVATE_URLS" in detail
        assert site.hits == []
        assert client.get("/api/articles").json()["total"] == 0


def test_the_setting_lets_it_be_indexed_and_answered(tmp_path: Path, site: ScriptedServer) -> None:
    with api(tmp_path, allow_private_urls=True) as client:
        response = client.post("/api/articles/fetch", json={"url": f"{site.base}/ferry.html"})
        assert response.status_code == 200, response.text
        assert response.json()["added"] == [f"{site.base}/ferry.html"]
        answer = client.post("/api/ask", json={"question": "When did the harbour ferry return?"})
        assert "Monday" in answer.json()["answer"]


@pytest.mark.parametrize(
    "host",
    ["localhost", "2130706433", "0177.1", "0x7f.1", "[::ffff:127.0.0.1]", "[::1]", "0",
     "169.254.169.254", "[fd00:ec2::254]", "0177.0.0.1"],
)  # fmt: skip
def test_other_spellings_and_private_hosts_are_4xx(tmp_path: Path, host: str) -> None:
    with api(tmp_path) as client:
        response = client.post("/api/articles/fetch", json={"url": f"http://{host}:9/a.html"})
    assert response.status_code == 422
    assert "refused" in response.json()["detail"] or "invalid URL" in response.json()["detail"]


def test_a_redirect_from_an_allowed_host_to_a_private_one_is_refused(tmp_path: Path) -> None:
    with ScriptedServer({"/secret.html": Reply()}, host="127.0.0.2") as private:
        moved = Reply(302, {"Location": f"{private.base}/secret.html"}, b"")
        with (
            ScriptedServer({"/news.html": moved}) as allowed,
            api(tmp_path, url_allowed_networks="127.0.0.1/32") as client,
        ):
            url = f"{allowed.base}/news.html"
            response = client.post("/api/articles/fetch", json={"url": url})
    assert response.status_code == 422
    assert "127.0.0.2 is a loopback address" in response.json()["detail"]
    assert allowed.hits == ["/news.html"] and private.hits == []


def test_bad_urls_and_keys_are_4xx(tmp_path: Path) -> None:
    with api(tmp_path) as client:
        for body in ({"url": "file:///etc/passwd"}, {"url": "gopher://x"}, {}, {"url": 3}):
            assert client.post("/api/articles/fetch", json=body).status_code == 422
        unknown = client.post("/api/articles/fetch", json={"url": "http://no-such-host.invalid/"})
        assert unknown.status_code == 422 and "cannot connect" in unknown.json()["detail"]


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/cron.d/x.txt", "x.txt"),
        ("..\\..\\windows\\x.md", "x.md"),
        ("/abs/path/a.jsonl", "a.jsonl"),
        ("a\x00b\n.txt", "ab.txt"),
        ("..", "upload"),
        ("", "upload"),
        ("notes.txt", "notes.txt"),
    ],
)
def test_upload_names_lose_their_folders(name: str, safe: str) -> None:
    assert upload_name(name) == safe


def test_an_uploaded_name_with_folders_is_only_a_label(tmp_path: Path) -> None:
    with api(tmp_path) as client:
        text = b"Ferry back\nThe harbour ferry is back in service after repairs.\n"
        files = {"file": ("../../../outside.txt", text, "text/plain")}
        response = client.post("/api/articles", files=files)
        assert response.status_code == 200, response.text
        svc: Services = client.app.state.ref.get()  # type: ignore[attr-defined]
        (article_id,) = response.json()["added"]
        assert svc.index.catalog.origin_articles("upload:outside.txt") == {article_id}
    assert not (tmp_path.parent / "outside.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]
