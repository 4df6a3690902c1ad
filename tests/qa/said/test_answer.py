"""Speaker questions: detection and routing, statements across dated articles, filters and
as-of, follow-ups (fake embedder); the sample article with the real model (slow)."""

from __future__ import annotations

from typing import Any

import pytest

from index.components import IndexComponents
from index.models import Article
from index.readers.inputs import read_inputs
from qa.components import build_qa, build_speakers
from qa.config import QASettings
from qa.errors import QuestionRejected
from qa.models import Answer, Turn
from qa.question.speakers import SpeakerQuestion, parse_speaker_question
from qa.requests import asking
from qa.service import QAService
from tests.conftest import SAMPLE, MakeIndex, build_test_index

ARTICLES = [
    Article(
        id="k1",
        title="Front line",
        text="Volodymyr Zelensky said the front held near Pokrovsk.\n\n"
        "Defence Minister Sergei Shoigu visited the port on Tuesday.",
        published="2024-03-01",
        source="Wire",
    ),
    Article(
        id="k2",
        title="Grain talks",
        text="President Volodymyr Zelenskiy said talks on grain exports would resume.",
        published="2024-05-01",
        source="Daily",
    ),
    Article(
        id="k3",
        title="Winter",
        text="Zelenskyy said winter would be hard for the grid.",
        published="2024-01-15",
        source="Wire",
    ),
]


def statements(answer: Answer) -> str:
    """The answer's statement lines: its text below the short answer that leads it, checked
    to lie inside its cited quote."""
    short = answer.short_answer
    if short is None:
        return answer.answer
    cited = answer.citations[short.citation - 1]
    assert cited.span[0] <= short.start < short.end <= cited.span[1]
    assert cited.paragraph_text[short.start : short.end] == short.text
    head, _, lines = answer.answer.partition("\n\n")
    assert head == f"{short.text} [{short.citation}]"
    return lines


def assert_verbatim(answer: Answer) -> None:
    """Every citation quotes its paragraph exactly, and every answer line is one statement:
    what was said, verbatim, followed by its marker."""
    lines = statements(answer).splitlines()
    assert len(lines) == len(answer.citations)
    for line, c in zip(lines, answer.citations, strict=True):
        assert c.paragraph_text[c.span[0] : c.span[1]] == c.quote
        assert line.endswith(f"{c.quote} [{c.n}]") or line.endswith(f"“{c.quote}” [{c.n}]")


@pytest.fixture
def index(make_index: MakeIndex) -> IndexComponents:
    return make_index(articles=ARTICLES)


@pytest.fixture
def service(index: IndexComponents) -> QAService:
    """The said path with the sentence scorer (no model; the reader's lead on speaker
    answers is tested over the sample below, slow)."""
    return build_qa(index, QASettings(reader=False))


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What did Zelenskiy say?", SpeakerQuestion("Zelenskiy")),
        ("what has President Zelensky said about grain exports?", SpeakerQuestion(
            "President Zelensky", "grain exports")),
        ("What did the Ukrainian officials say on the front line?", SpeakerQuestion(
            "the Ukrainian officials", "the front line")),
        ("What did he say about Kupiansk?", SpeakerQuestion("he", "Kupiansk")),
        ("What is Gerasimov's view?", None),
        ("Who said Russian gains are overstated?", SpeakerQuestion(
            None, "Russian gains are overstated")),
        ("Who claimed that the bridge was safe", SpeakerQuestion(None, "the bridge was safe")),
        ("Where is the fiercest combat?", None),
        ("What did he say next?", None),
        ("What did DeepState report?", None),
    ],
)  # fmt: skip
def test_parse_speaker_question(question: str, expected: SpeakerQuestion | None) -> None:
    assert parse_speaker_question(question) == expected


def test_statements_across_articles_are_dated_newest_first(service: QAService) -> None:
    answer = service.ask(asking("What did Zelensky say?"))
    assert answer.found and answer.rewritten == "What did Zelensky say?"
    assert_verbatim(answer)
    assert [c.published for c in answer.citations] == ["2024-05-01", "2024-03-01", "2024-01-15"]
    assert statements(answer).splitlines() == [
        "2024-05-01: Volodymyr Zelenskiy said talks on grain exports would resume [1]",
        "2024-03-01: Zelensky said the front held near Pokrovsk [2]",
        "2024-01-15: Zelenskyy said winter would be hard for the grid [3]",
    ]


def test_topic_keeps_the_statements_about_it(service: QAService) -> None:
    answer = service.ask(asking("What did Zelenskiy say about grain?"))
    assert [c.article_id for c in answer.citations] == ["k2"]
    assert statements(answer) == "Volodymyr Zelenskiy said talks on grain exports would resume [1]"


@pytest.mark.slow
def test_the_readers_gist_of_the_statement_leads(index: IndexComponents, real_reader: Any) -> None:
    answer = build_qa(index, QASettings(), real_reader).ask(
        asking("What did Zelenskiy say about grain?")
    )
    assert statements(answer) == "Volodymyr Zelenskiy said talks on grain exports would resume [1]"
    # the gist leads, never the question's own "grain" alone
    short = answer.short_answer
    assert short is not None and short.text in "talks on grain exports would resume"
    assert short.text != "grain"


def test_filters_and_as_of_are_respected(service: QAService) -> None:
    wire = service.ask(asking("What did Zelensky say?", filters={"source": "Wire"}))
    assert [c.article_id for c in wire.citations] == ["k1", "k3"]
    early = service.ask(asking("What did Zelensky say?", filters={"published_to": "2024-02-01"}))
    assert [c.article_id for c in early.citations] == ["k3"]
    as_of = service.ask(asking("What did Zelensky say?", as_of="2024-03-15"))
    assert [c.article_id for c in as_of.citations] == ["k1", "k3", "k2"]
    with pytest.raises(QuestionRejected):
        service.ask(asking("What did Zelensky say?", as_of="soon"))


def test_speaker_without_statements_gets_the_passages_that_mention_them(
    service: QAService,
) -> None:
    answer = service.ask(asking("What did Shoigu say?"))
    assert not answer.found and answer.citations == []
    assert "No statements by Shoigu" in answer.answer
    assert answer.related and all("Shoigu" in p.text for p in answer.related)
    nobody = service.ask(asking("What did Angela Merkel say about grain?"))
    assert not nobody.found and nobody.related == [] and nobody.citations == []


def test_a_known_speaker_off_topic_is_not_found(service: QAService) -> None:
    answer = service.ask(asking("What did Zelensky say about submarines?"))
    assert not answer.found and answer.citations == []
    assert "No statements by Zelensky about submarines" in answer.answer


def test_follow_ups_resolve_the_speaker_and_the_topic(service: QAService) -> None:
    history = [Turn(question="What did Zelensky say?", answer="Zelensky said ... [1]")]
    topic = service.ask(asking("And what about grain?", history))
    assert topic.rewritten == "What did Zelensky say about grain?"
    assert [c.article_id for c in topic.citations] == ["k2"]
    pronoun = service.ask(asking("What did he say about winter?", history))
    assert pronoun.rewritten == "What did Zelensky say about winter?"
    assert [c.article_id for c in pronoun.citations] == ["k3"]


@pytest.mark.slow
def test_non_speaker_questions_take_the_ordinary_path(
    index: IndexComponents, real_reader: Any
) -> None:
    routed = build_qa(index, QASettings(), real_reader)
    plain = QAService(*_parts(routed), answerer=routed.answerer)
    for question in ("Where did the front hold?", "What did the report say about grain?"):
        a, b = plain.ask(asking(question)), routed.ask(asking(question))
        assert (a.answer, a.citations, a.rewritten) == (b.answer, b.citations, b.rewritten)
    with pytest.raises(QuestionRejected):
        routed.ask(asking("What did Zelensky say?", k=0))


def _parts(service: QAService) -> tuple[Any, Any, QASettings]:
    """A service's retriever, embedder and settings (to build one without speakers)."""
    return service.retriever, service.answerer.scorer.embedder, service.settings  # type: ignore[attr-defined]


def test_statements_page_and_speaker_list(index: IndexComponents) -> None:
    speakers = build_speakers(index)
    total, found = speakers.speakers()
    assert total == len(found) and found[0].key == "volodymyr zelensky"
    assert found[0].statements == 3 and found[0].articles == 3
    page = speakers.statements_page("Zelenskyy", limit=1, offset=1)
    assert page is not None and page.total == 3 and page.key == "volodymyr zelensky"
    assert [i.citation.article_id for i in page.items] == ["k1"]
    # a page names the speaker in full on its first line
    assert page.items[0].text == "2024-03-01: Volodymyr Zelensky said the front held near Pokrovsk"
    assert speakers.statements_page("Shoigu") is None


# --- the sample article with the real model -------------------------------------------------


@pytest.fixture(scope="module")
def sample_service(
    tmp_path_factory: pytest.TempPathFactory, real_embedder: Any, real_reader: Any
) -> QAService:
    """The sample and one short article that mentions Andrei Belousov without quoting him."""
    extra = Article(
        id="belousov",
        title="Minister visits",
        text="Defence Minister Andrei Belousov visited a tank factory in the Urals on Friday.",
    )
    data_dir = tmp_path_factory.mktemp("said") / "data"
    index = build_test_index(data_dir, real_embedder, [*read_inputs([str(SAMPLE)]), extra])
    return build_qa(index, QASettings(), real_reader)


@pytest.mark.slow
def test_zelenskiy_answer_is_his_words_only(sample_service: QAService) -> None:
    answer = sample_service.ask(asking("What did Zelenskiy say?"))
    assert answer.found and len(answer.citations) == 1
    assert_verbatim(answer)
    assert "Kyiv expected Moscow to intensify its offensives" in answer.answer
    assert "little meaningful progress" in answer.answer
    for elsewhere in ("Pokrovsk", "defensive lines remain intact", "active on all fronts"):
        assert elsewhere not in answer.answer
    assert statements(answer).startswith("Volodymyr Zelenskiy said that while Kyiv expected")


@pytest.mark.slow
def test_gerasimov_claims_are_listed_and_cited(sample_service: QAService) -> None:
    answer = sample_service.ask(asking("What did Gerasimov say?"))
    assert answer.found
    assert_verbatim(answer)
    for claim in (
        "nearly every frontline",
        "Pokrovsk",
        "active on all fronts",
        "Kupiansk",
        "Yampil",
    ):
        assert sum(claim in c.quote for c in answer.citations) == 1, claim
    for other in ("little meaningful progress", "redeployed", "defensive lines"):
        assert other not in answer.answer
    assert statements(answer).splitlines()[0].startswith("Valery Gerasimov asserted that Moscow’s")


@pytest.mark.slow
def test_follow_up_about_kupiansk_cites_the_kupiansk_sentence(sample_service: QAService) -> None:
    first = sample_service.ask(asking("What did Gerasimov say?"))
    history = [Turn(question=first.question, rewritten=first.rewritten, answer=first.answer)]
    answer = sample_service.ask(asking("What did he say about Kupiansk?", history))
    assert answer.rewritten == "What did Gerasimov say about Kupiansk?"
    assert answer.found and len(answer.citations) == 1
    cited = answer.citations[0]
    assert cited.paragraph == 2 and "particularly around Kupiansk" in cited.quote
    assert "Yampil" not in answer.answer


@pytest.mark.slow
def test_who_said_names_ukrainian_officials(sample_service: QAService) -> None:
    answer = sample_service.ask(asking("Who said Russian gains are overstated?"))
    assert answer.found and len(answer.citations) == 1
    assert_verbatim(answer)
    assert answer.short_answer is None  # the answer is the speaker, outside the quote
    assert answer.answer.startswith("Ukrainian officials insist that")
    assert "Russian gains are overstated" in answer.citations[0].quote


@pytest.mark.slow
def test_unknown_speaker_is_not_found_with_mentions(sample_service: QAService) -> None:
    answer = sample_service.ask(asking("What did Belousov say?"))
    assert not answer.found and answer.citations == []
    assert answer.answer == "No statements by Belousov were found in the indexed articles."
    assert [p.article_id for p in answer.related] == ["belousov"]


@pytest.mark.slow
def test_ordinary_questions_are_unchanged(sample_service: QAService) -> None:
    answer = sample_service.ask(asking("Where is the fiercest combat?"))
    assert answer.found and answer.citations[0].quote.startswith("According to Gerasimov")


def test_what_did_the_mayor_say_is_answered_by_the_mayor_named_in_the_article(
    make_index: MakeIndex,
) -> None:
    article = Article(
        id="dam",
        title="The dam holds",
        text="Mayor Jane Ortiz said the dam would hold through the storm.\n"
        "“We are ready for the rain,” the mayor said on Monday.",
        published="2024-05-02",
    )
    service = build_qa(make_index(articles=[*ARTICLES, article]), QASettings(reader=False))
    answer = service.ask(asking("What did the mayor say?"))
    assert answer.found
    assert [c.quote for c in answer.citations] == [
        "the dam would hold through the storm",
        "“We are ready for the rain,”",
    ]
    assert statements(answer).startswith("Jane Ortiz said")


def test_a_speaker_silent_on_a_topic_is_told_then_the_topic_is_answered(
    service: QAService,
) -> None:
    history = [Turn(question="What did Zelensky say?", answer="Zelensky said ... [1]")]
    answer = service.ask(asking("And what about the port?", history))
    assert answer.rewritten == "What did Zelensky say about the port?"
    head, _, body = answer.answer.partition("\n\n")
    assert head == (
        "No statements by Zelensky about the port were found in the indexed articles."
        " What the articles say about the port:"
    )
    assert answer.found and "".join(answer.parts) == answer.answer
    port = "Defence Minister Sergei Shoigu visited the port on Tuesday."
    assert answer.citations[0].quote == port
    assert body == f"{answer.citations[0].quote} [1]"
    # Nothing indexed about the topic either: the refusal alone.
    assert not service.ask(asking("What did Zelensky say about submarines?")).found


@pytest.mark.slow
def test_zelenskiy_then_kupiansk_says_he_did_not_and_answers_kupiansk(
    sample_service: QAService,
) -> None:
    first = sample_service.ask(asking("What did Zelenskiy say?"))
    turn = Turn(question=first.question, rewritten=first.rewritten, answer=first.answer)
    answer = sample_service.ask(asking("And what about Kupiansk?", [turn]))
    head, _, body = answer.answer.partition("\n\n")
    assert head.startswith("No statements by Zelenskiy about Kupiansk were found")
    assert answer.found and answer.citations
    assert all("Kupiansk" in c.quote for c in answer.citations)
    assert any("DeepState" in c.quote for c in answer.citations)
    assert all(f"[{c.n}]" in body for c in answer.citations)
