"""``/api/speakers`` in-process (TestClient) over the sample article, fake embedder."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from qa.models import SpeakerStatements
from ui.limits import MAX_PAGE


def test_speakers_are_listed_most_statements_first(client: TestClient) -> None:
    page = client.get("/api/speakers").json()
    assert page["total"] == len(page["items"]) > 5
    first = page["items"][0]
    assert (first["name"], first["kind"], first["statements"], first["articles"]) == (
        "Valery Gerasimov",
        "person",
        5,
        1,
    )
    counts = [s["statements"] for s in page["items"]]
    assert counts == sorted(counts, reverse=True)


def test_speakers_are_searchable_and_paged(client: TestClient) -> None:
    found = client.get("/api/speakers", params={"q": "ukrainian"}).json()
    names = [s["name"] for s in found["items"]]
    assert "Ukrainian officials" in names and all("Ukrainian" in n for n in names)
    everyone = client.get("/api/speakers").json()["items"]
    second = client.get("/api/speakers", params={"limit": 2, "offset": 1}).json()
    assert [s["key"] for s in second["items"]] == [s["key"] for s in everyone[1:3]]
    assert second["total"] == len(everyone) and second["limit"] == 2
    assert client.get("/api/speakers", params={"q": "nobody"}).json()["items"] == []


def test_statements_are_cited_verbatim(client: TestClient) -> None:
    response = client.get("/api/speakers/Gerasimov/statements")
    assert response.status_code == 200
    page = SpeakerStatements.model_validate(response.json())
    assert (page.speaker, page.total, len(page.items)) == ("Valery Gerasimov", 5, 5)
    for item in page.items:
        c = item.citation
        assert c.paragraph_text[c.span[0] : c.span[1]] == c.quote
        assert item.text.endswith(c.quote) or item.text.endswith(f"“{c.quote}”")
    assert any("active on all fronts" in i.citation.quote for i in page.items)


def test_a_role_finds_the_person_who_holds_it(client: TestClient) -> None:
    by_role = client.get("/api/speakers/the general/statements")
    assert by_role.status_code == 200
    page = SpeakerStatements.model_validate(by_role.json())
    assert (page.speaker, page.total) == ("Valery Gerasimov", 5)
    assert (
        by_role.json()["items"] == client.get("/api/speakers/Gerasimov/statements").json()["items"]
    )


def test_statements_about_a_topic_and_pages(client: TestClient) -> None:
    about = client.get("/api/speakers/Gerasimov/statements", params={"about": "Kupiansk"})
    items = about.json()["items"]
    assert len(items) == 1 and "particularly around Kupiansk" in items[0]["citation"]["quote"]
    paged = client.get("/api/speakers/valery gerasimov/statements?limit=2&offset=3").json()
    assert (paged["total"], paged["offset"], len(paged["items"])) == (5, 3, 2)
    zelenskyy = client.get("/api/speakers/Volodymyr Zelenskyy/statements").json()
    assert "little meaningful progress" in zelenskyy["items"][0]["citation"]["quote"]


def test_unknown_speaker_is_404_with_a_message(client: TestClient) -> None:
    response = client.get("/api/speakers/Putin/statements")
    assert response.status_code == 404
    assert "no statements by 'Putin'" in response.json()["detail"]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/speakers", {"limit": 0}),
        ("/api/speakers", {"limit": MAX_PAGE + 1}),
        ("/api/speakers", {"offset": -1}),
        ("/api/speakers", {"q": "x" * 201}),
        ("/api/speakers", {"published_from": "last week"}),
        ("/api/speakers/Gerasimov/statements", {"limit": "many"}),
        ("/api/speakers/Gerasimov/statements", {"about": "x" * 201}),
        ("/api/speakers/" + "x" * 201 + "/statements", {}),
    ],
)
def test_invalid_parameters_are_422(client: TestClient, path: str, params: dict[str, Any]) -> None:
    response = client.get(path, params=params)
    assert response.status_code == 422
    assert response.json()["detail"]


def test_filters_restrict_the_articles(client: TestClient) -> None:
    other = client.get("/api/speakers", params={"source": "nowhere"}).json()
    assert other == {"total": 0, "offset": 0, "limit": 50, "items": []}
    gone = client.get("/api/speakers/Gerasimov/statements", params={"source": "nowhere"})
    assert gone.status_code == 404


def test_openapi_documents_the_speaker_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    listing = paths["/api/speakers"]["get"]
    limit = next(p for p in listing["parameters"] if p["name"] == "limit")
    assert limit["schema"]["maximum"] == MAX_PAGE and limit["schema"]["minimum"] == 1
    statements = paths["/api/speakers/{name}/statements"]["get"]
    assert {"404", "422"} <= set(statements["responses"])
    assert {p["name"] for p in statements["parameters"]} >= {"name", "about", "limit", "offset"}
