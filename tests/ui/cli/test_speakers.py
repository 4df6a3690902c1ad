"""``newsdesk speakers`` and ``newsdesk said`` through typer's CliRunner on a tmp data dir
(fake embedder: statements need no model)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from index.components import IndexComponents, build_index
from index.config import IndexSettings
from index.readers.inputs import read_inputs
from tests.ui.conftest import SAMPLE, FakeEmbedder
from ui.cli.main import app

runner = CliRunner()


@pytest.fixture
def indexed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample indexed in NEWSDESK_DATA_DIR; the CLI opens it with the same fake model."""
    data_dir = tmp_path / "data"
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(data_dir))
    embedder = FakeEmbedder()
    settings = IndexSettings(data_dir=data_dir)  # type: ignore[call-arg]
    build_index(settings, embedder=embedder).service.add(read_inputs([str(SAMPLE)]))

    def with_fake_model(settings: IndexSettings, **_: Any) -> IndexComponents:
        return build_index(settings, embedder=embedder)

    monkeypatch.setattr("index.components.build_index", with_fake_model)
    return data_dir


def test_speakers_lists_counts(indexed: Path) -> None:
    result = runner.invoke(app, ["speakers"])
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    assert "5 statements" in first and "Valery Gerasimov (person)" in first
    only = runner.invoke(app, ["speakers", "zelensk", "--json"])
    rows = json.loads(only.stdout)
    assert rows["total"] == 1 and rows["items"][0]["name"] == "Volodymyr Zelenskiy"


def test_said_prints_each_statement_with_its_source(indexed: Path) -> None:
    result = runner.invoke(app, ["said", "Zelenskiy"])
    assert result.exit_code == 0, result.output
    assert "1. Volodymyr Zelenskiy said that while Kyiv expected" in result.stdout
    assert "little meaningful progress" in result.stdout and "paragraph 3" in result.stdout
    assert "Pokrovsk" not in result.stdout


def test_said_about_a_topic_as_json(indexed: Path) -> None:
    result = runner.invoke(app, ["said", "Gerasimov", "--about", "Yampil", "--json"])
    assert result.exit_code == 0, result.output
    page = json.loads(result.stdout)
    assert page["total"] == 1
    citation = page["items"][0]["citation"]
    assert citation["paragraph_text"][slice(*citation["span"])] == citation["quote"]
    assert citation["quote"].startswith("advances near Yampil")


def test_unknown_speaker_exits_1_with_the_passages_that_mention_them(indexed: Path) -> None:
    result = runner.invoke(app, ["said", "Kyiv"])
    assert result.exit_code == 1
    assert "No statements by Kyiv were found" in result.stderr
    assert "Passages that mention Kyiv (not statements)" in result.stdout
    nobody = runner.invoke(app, ["said", "Putin", "--json"])
    assert nobody.exit_code == 1 and json.loads(nobody.stdout) == []


def test_malformed_date_exits_2(indexed: Path) -> None:
    result = runner.invoke(app, ["said", "Gerasimov", "--since", "yesterday"])
    assert result.exit_code == 2 and "--since must be a date" in result.stderr


def test_said_finds_a_speaker_by_role(indexed: Path) -> None:
    # the sample names "General Valery Gerasimov": "the general" is he
    result = runner.invoke(app, ["said", "the general", "--json"])
    assert result.exit_code == 0, result.output
    page = json.loads(result.stdout)
    by_name = json.loads(runner.invoke(app, ["said", "Gerasimov", "--json"]).stdout)
    assert page["total"] == by_name["total"] == 5
    assert page["items"] == by_name["items"]
