"""``newsdesk ask`` and ``newsdesk search`` through typer's CliRunner on a tmp data dir."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from index.components import IndexComponents, build_index
from index.config import IndexSettings
from index.readers.inputs import read_inputs
from qa.models import TITLE_ONLY, Answer, Passage
from tests.conftest import SAMPLE, FakeEmbedder
from ui.cli.main import app
from ui.cli.qa import format_passage

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data dir named by NEWSDESK_DATA_DIR."""
    path = tmp_path / "data"
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(path))
    return path


@pytest.fixture
def indexed(data_dir: Path, real_embedder: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample indexed in the data dir; the CLI reuses the session's loaded model."""
    settings = IndexSettings(data_dir=data_dir)  # type: ignore[call-arg]
    build_index(settings, embedder=real_embedder).service.add(read_inputs([str(SAMPLE)]))

    def with_loaded_model(settings: IndexSettings, **_: Any) -> IndexComponents:
        return build_index(settings, embedder=real_embedder)

    monkeypatch.setattr("index.components.build_index", with_loaded_model)
    return data_dir


def test_empty_question_exits_2_with_a_message(data_dir: Path) -> None:
    result = runner.invoke(app, ["ask", "   "])
    assert result.exit_code == 2
    assert "error: The question is empty." in result.stderr
    assert result.stdout == ""


def test_malformed_date_exits_2(data_dir: Path) -> None:
    result = runner.invoke(app, ["search", "Pokrovsk", "--since", "last week"])
    assert result.exit_code == 2
    assert "--since must be a date YYYY-MM-DD" in result.stderr


def test_an_empty_index_is_told(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def with_fake_model(settings: IndexSettings, **_: Any) -> IndexComponents:
        return build_index(settings, embedder=FakeEmbedder())

    monkeypatch.setattr("index.components.build_index", with_fake_model)
    result = runner.invoke(app, ["search", "Pokrovsk"])
    assert result.exit_code == 0
    assert f"note: the index in {data_dir.resolve()} holds no article" in result.stderr
    build_index(IndexSettings(data_dir=data_dir), embedder=FakeEmbedder()).service.add(
        read_inputs([str(SAMPLE)])
    )
    assert "note:" not in runner.invoke(app, ["search", "Pokrovsk"]).stderr


@pytest.mark.slow
def test_ask_prints_the_answer_and_numbered_sources(indexed: Path) -> None:
    result = runner.invoke(app, ["ask", "Where is the fiercest combat?"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].endswith(" [1]") and lines[1] == ""  # the short answer leads
    assert lines[2].startswith("According to Gerasimov, the fiercest combat")
    assert "Pokrovsk" in lines[2] and "[1]" in lines[2]
    assert lines[3].startswith("(confidence ")
    assert "Sources:" in lines
    source = lines[lines.index("Sources:") + 1]
    assert source.startswith("[1] Russia’s top military commander") and "paragraph 1" in source
    assert "“According to Gerasimov, the fiercest combat" in result.stdout


@pytest.mark.slow
def test_ask_json_is_the_structured_answer(indexed: Path) -> None:
    result = runner.invoke(app, ["ask", "What did DeepState report?", "--json", "--k", "3"])
    assert result.exit_code == 0, result.output
    answer = Answer.model_validate_json(result.stdout)
    assert answer.found and answer.citations[0].paragraph == 4
    assert "reported clashes in Kupiansk" in answer.citations[0].quote


@pytest.mark.slow
def test_ask_refuses_with_closest_passages(indexed: Path) -> None:
    result = runner.invoke(app, ["ask", "Who won the 2022 World Cup?"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("No indexed article answers this question.")
    assert "Closest passages (not an answer):" in result.stdout
    assert "Sources:" not in result.stdout


@pytest.mark.slow
def test_search_json_ranks_passages_and_filters_apply(indexed: Path) -> None:
    result = runner.invoke(app, ["search", "DeepState clashes Kupiansk", "--json", "--k", "2"])
    assert result.exit_code == 0, result.output
    passages = json.loads(result.stdout)
    assert len(passages) == 2 and passages[0]["paragraph"] == 4
    assert [p["rank"] for p in passages] == [1, 2]
    filtered = runner.invoke(app, ["search", "Kupiansk", "--source", "nowhere"])
    assert filtered.exit_code == 0 and filtered.stdout.strip() == "No indexed paragraph matches."


@pytest.mark.slow
def test_search_prints_ranked_passages(indexed: Path) -> None:
    result = runner.invoke(app, ["search", "Zelenskiy", "--until", "2100-01-01"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("1. Russia’s top military commander")
    assert "President Volodymyr Zelenskiy" in result.stdout.split("\n\n")[0]


def test_a_title_passage_is_printed_as_a_title_only() -> None:
    fields: dict[str, Any] = {"article_id": "a1", "title": "Lava nears the highway", "score": 0.5}
    body = Passage(rank=1, paragraph_id="a1#0", paragraph=0, text="Lava crept on.", **fields)
    title = Passage(rank=2, paragraph_id="a1#0", paragraph=0, text=fields["title"], **fields)
    assert format_passage(body).endswith("paragraph 0, score 0.500\n    Lava crept on.")
    shown = format_passage(title.model_copy(update={"is_title": True}))
    assert shown == f"2. Lava nears the highway (date unknown), score 0.500\n    {TITLE_ONLY}"


def test_a_setting_out_of_range_exits_2_naming_it(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ui.cli.main import main

    monkeypatch.setenv("NEWSDESK_BOILERPLATE_MIN_ARTICLES", "1")
    monkeypatch.setattr("sys.argv", ["newsdesk", "index", "stats"])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 2
    assert capsys.readouterr().err == (
        "error: NEWSDESK_BOILERPLATE_MIN_ARTICLES=1: Input should be greater than or equal to 2\n"
    )


def test_help_text_is_reflowed_to_the_terminal() -> None:
    result = runner.invoke(app, ["ask", "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    assert "Exit code 2 on a rejected question or an unavailable index." in result.stdout


def test_ask_llm_without_an_llm_answers_with_quotes_saying_what_to_set(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def with_fake_model(settings: IndexSettings, **_: Any) -> IndexComponents:
        return build_index(settings, embedder=FakeEmbedder())

    monkeypatch.setattr("index.components.build_index", with_fake_model)
    monkeypatch.setenv("NEWSDESK_READER", "false")
    build_index(IndexSettings(data_dir=data_dir), embedder=FakeEmbedder()).service.add(
        read_inputs([str(SAMPLE)])
    )
    result = runner.invoke(app, ["ask", "Where is the fiercest combat?", "--llm"])
    assert result.exit_code == 0, result.output
    assert result.stdout.rstrip().endswith(
        "Answered without the LLM: none is configured (NEWSDESK_LLM_URL or NEWSDESK_LLM_GGUF)."
    )
    assert "Answer with the LLM" in runner.invoke(app, ["ask", "--help"]).stdout


def test_an_llm_answer_lists_what_the_check_left_out_and_any_notice() -> None:
    from qa.models import RemovedSentence
    from ui.cli.qa import format_answer

    removed = RemovedSentence(text="It rained.", cited=[2], reason="no citation")
    notice = "Answered without the LLM: the LLM failed (ConnectTimeout)."
    answer = Answer(question="q", rewritten="q", answer="No indexed article answers this.",
                    found=False, mode="llm", removed=[removed], notice=notice)  # fmt: skip
    lines = format_answer(answer).splitlines()
    assert lines[-5:] == [
        "",
        "Left out of the LLM's answer (its citations do not support them):",
        "  - It rained. (no citation)",
        "",
        "Answered without the LLM: the LLM failed (ConnectTimeout).",
    ]


def test_a_source_that_other_outlets_carried_lists_them_under_it() -> None:
    from qa.models import AlsoIn, Citation
    from ui.cli.qa import format_answer

    also = [
        AlsoIn(article_id="b", title="Rates up", source="Outlet A", published="2024-04-12"),
        AlsoIn(article_id="c", title="Rates up again", source="Outlet B"),
        AlsoIn(article_id="d", title="Rates up, more", source="Outlet A"),
        AlsoIn(article_id="e", title="Sourceless copy"),
        AlsoIn(article_id="f", title="The wire's own update", source="Wire"),
    ]
    citation = Citation(n=1, article_id="a", title="Bank lifts rates", url="https://x/a",
                        source="Wire", paragraph=0, quote="Rates rose.", span=(0, 11),
                        score=1.0, also_in=also)  # fmt: skip
    answer = Answer(question="q", rewritten="q", answer="Rates rose. [1]", found=True,
                    citations=[citation])  # fmt: skip
    lines = format_answer(answer).splitlines()
    assert lines[-4:] == [
        "[1] Bank lifts rates (date unknown, Wire), paragraph 0",
        "    “Rates rose.”",
        "    https://x/a",
        "    also in: Outlet A, Outlet B, “Sourceless copy”, “The wire's own update”",
    ]
    passage = Passage(rank=1, article_id="a", paragraph_id="a#0", title="Bank lifts rates",
                      paragraph=0, text="Rates rose.", score=0.5, also_in=also[:2])  # fmt: skip
    assert format_passage(passage).endswith("\n    also in: Outlet A, Outlet B")
