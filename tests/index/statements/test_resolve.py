"""Resolving "the company" or "the agency" to the organisation the article named before."""

from __future__ import annotations

from index.models import Article, Paragraph
from index.statements.extract import extract_statements
from index.statements.resolve import ArticleSpeakers
from index.statements.speakers import Speaker


def _speakers(text: str) -> list[str]:
    article = Article(id="a1", title="Title", text=text, source="wire")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    paragraphs = [Paragraph(article.id, i, line, line) for i, line in enumerate(lines)]
    return [s.speaker for s in extract_statements(article, paragraphs)]


def test_the_company_is_the_name_described_as_a_company() -> None:
    text = (
        "Maria Lopez is the chief engineer of Harbour Dynamics, the company that builds the "
        "new ferries.\n"
        "The first ferry will sail in May, the company said."
    )
    assert _speakers(text)[-1] == "Harbour Dynamics"


def test_the_agency_is_the_department_named_before() -> None:
    text = (
        "The Department of Coastal Works announced on Monday that the harbour will close.\n"
        "Repairs will take three weeks, the agency said."
    )
    assert _speakers(text)[-1] == "The Department of Coastal Works"


def test_a_name_with_the_noun_itself_comes_first() -> None:
    text = "The Coastal Agency and the Department of Fisheries met on Monday."
    speakers = ArticleSpeakers.scan(text)
    resolved = speakers.resolve(Speaker("agency", "group"), len(text))
    assert resolved == Speaker("Coastal Agency", "group")


def test_an_unfitting_noun_stays_as_it_is() -> None:
    text = "The Department of Coastal Works announced on Monday that the harbour will close."
    speakers = ArticleSpeakers.scan(text)
    resolved = speakers.resolve(Speaker("university", "group"), len(text))
    assert resolved == Speaker("university", "group")


def test_she_said_skips_the_last_speaker_when_he_is_a_man() -> None:
    text = (
        "Mayor Tom Byrne said the dam held, and he thanked the crews.\n"
        "Rosa Quill, who leads the crews, was on the dam all night.\n"
        "“We never stopped,” she said."
    )
    assert _speakers(text) == ["Tom Byrne", "Rosa Quill"]


def test_he_said_still_goes_to_the_last_speaker_of_unknown_gender() -> None:
    text = "Ortiz Vale said the dam held.\nRosa Quill watched.\n“It held,” he said."
    assert _speakers(text) == ["Ortiz Vale", "Ortiz Vale"]


def test_gender_comes_from_the_pronoun_after_a_mention_not_past_another_name() -> None:
    text = "Sam Okafor met Lee Wren and told her the dam held."
    speakers = ArticleSpeakers.scan(text)
    assert speakers.gender(Speaker("Lee Wren", "person")) == "f"
    assert speakers.gender(Speaker("Sam Okafor", "person")) == "m"  # his given name


def test_titles_and_given_names_give_a_gender_without_pronouns() -> None:
    speakers = ArticleSpeakers.scan("Ms. Dana Pike and Mr. Lou Harte and Emily Stone spoke.")
    assert [
        speakers.gender(Speaker(n, "person")) for n in ("Dana Pike", "Lou Harte", "Emily Stone")
    ] == ["f", "m", "f"]


def test_a_clause_opener_is_no_part_of_a_scanned_name() -> None:
    speakers = ArticleSpeakers.scan("When Ronald Reagan announced his plan, few objected.")
    assert "ronald reagan" in speakers.genders and "when ronald reagan" not in speakers.genders


def test_a_short_organisation_name_is_the_longer_one_named_before() -> None:
    text = (
        "The National Flood Center issued a warning on Monday.\n"
        "Rivers will rise by two metres, the Flood Center said."
    )
    assert _speakers(text)[-1] == "National Flood Center"


def test_a_short_name_with_no_longer_one_before_stays_as_it_is() -> None:
    text = "Rivers will rise by two metres, the Flood Center said."
    assert _speakers(text) == ["Flood Center"]


def test_a_party_word_before_a_surname_is_no_full_name() -> None:
    text = (
        "Nancy Pelosi chose the members. Republican Cheney joined, and Democrat Pelosi praised "
        "her.\nPelosi said in a statement that the panel was ready."
    )
    assert _speakers(text)[-1] == "Nancy Pelosi"


def test_the_study_is_the_qualified_study_that_spoke_before() -> None:
    text = (
        "Floods will double by 2050, according to a new study.\n"
        "Coastal towns face the most risk, the study said."
    )
    assert _speakers(text) == ["a new study", "a new study"]


def test_a_nickname_is_the_person_known_by_it() -> None:
    text = (
        "Dario Vance Jr., affectionately known as DJ, plays shortstop.\n"
        "DJ, 13, said he would love to play in the major leagues."
    )
    assert _speakers(text) == ["Dario Vance Jr"]
