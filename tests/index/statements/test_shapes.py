"""Reporting shapes beyond the plain "X said ...": quotations after a short lead or closing
reported speech, and speakers named nearest their verb (one test per shape)."""

from __future__ import annotations

from index.models import Article, Paragraph
from index.statements.extract import Statement, extract_statements


def _extract(text: str) -> list[Statement]:
    article = Article(id="a1", title="Title", text=text, source="wire")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return extract_statements(article, [Paragraph("a1", i, t, t) for i, t in enumerate(lines)])


def _said(text: str) -> list[tuple[str, str, str]]:
    return [(s.speaker, s.content, s.mode) for s in _extract(text)]


def test_a_quotation_after_a_short_lead_is_taken_whole_with_its_marks() -> None:
    assert _said("Jane Ortiz said simply: “We stay open.”") == [
        ("Jane Ortiz", "“We stay open.”", "direct")
    ]
    assert _said("Jane Ortiz wrote via Twitter “Thanks to all. See you soon.”") == [
        ("Jane Ortiz", "“Thanks to all. See you soon.”", "direct")
    ]


def test_a_quotation_opened_straight_and_closed_curly_is_still_a_quote() -> None:
    text = '"The levee held up,” Jane Ortiz said on Tuesday.'
    assert _said(text) == [("Jane Ortiz", '"The levee held up,”', "direct")]


def test_reported_speech_ending_in_a_quotation_is_two_statements() -> None:
    text = "Jane Ortiz said the roads were clear, but “we expect more rain tonight.”"
    assert _said(text) == [
        ("Jane Ortiz", "the roads were clear", "reported"),
        ("Jane Ortiz", "“we expect more rain tonight.”", "direct"),
    ]


def test_a_quoted_phrase_opening_reported_speech_keeps_the_rest() -> None:
    text = "Jane Ortiz said that “old pipes,” rusted valves and pumps were replaced last year."
    assert [content for _, content, _ in _said(text)] == [
        "old pipes,” rusted valves and pumps were replaced last year"
    ]


def test_the_speaker_is_the_name_nearest_the_verb_after_a_clause_opener() -> None:
    text = "The launch slipped to May after NASA announced that the crew needed more training."
    assert _said(text) == [("NASA", "the crew needed more training", "reported")]


def test_a_name_inside_the_description_of_the_speaker_is_not_the_speaker() -> None:
    text = "“We got a fair deal,” Ann Lee, president of the Union of Bus Drivers told reporters."
    assert _said(text) == [("Ann Lee", "“We got a fair deal,”", "direct")]


def test_a_name_after_a_description_is_the_speaker() -> None:
    text = "The singer’s lawyer, Tom Ruiz, said the case was closed."
    assert _said(text) == [("Tom Ruiz", "the case was closed", "reported")]


def test_the_subject_of_a_coordinated_cue_is_the_name_heading_it() -> None:
    text = (
        "Ann Lee, chair of the board of the Springfield Museum, has praised the plan and said "
        "it would cost nothing."
    )
    assert _said(text) == [("Ann Lee", "it would cost nothing", "reported")]


def test_an_acronym_is_the_organisation_whose_initials_it_spells() -> None:
    text = (
        "The U.S. Department of Agriculture opened an inquiry.\n"
        "The Centers for Disease Control and Prevention issued a warning.\n"
        "The rules will change next year, USDA said.\n"
        "“Wash your hands,” the CDC said."
    )
    assert [speaker for speaker, _, _ in _said(text)] == [
        "U.S. Department of Agriculture",
        "Centers for Disease Control and Prevention",
    ]


def test_a_mc_surname_is_a_person_and_a_church_an_organisation() -> None:
    text = (
        "Tom Cole leads Grace Street Baptist Church.\n"
        "“We will feed everyone,” he said.\n"
        "Senator Ann McAllister visited the pantry.\n"
        "“This is what a town does,” McAllister said."
    )
    assert [(s.speaker, s.kind) for s in _extract(text)] == [
        ("Tom Cole", "person"),
        ("Ann McAllister", "person"),
    ]


def test_a_described_office_holder_is_a_person() -> None:
    text = "All the miners are safe, Chile's mining minister said."
    assert [(s.speaker, s.kind) for s in _extract(text)] == [("Chile's mining minister", "person")]


def test_says_after_a_name_is_a_verb_and_capitalised_states_a_noun() -> None:
    text = (
        "“We need more buses,” Jane Ortiz says in the video. Across the United States on "
        "Monday, fares rose."
    )
    assert _said(text) == [("Jane Ortiz", "“We need more buses,”", "direct")]
