"""Follow-up questions rewritten into standalone ones by rules over the history, as read by
qa.question.reading."""

from __future__ import annotations

import pytest

from qa.models import Turn
from qa.question.conversation import entities, last_person, own_words
from qa.question.names import asks_for_person
from qa.question.reading import read_question

POKROVSK = Turn(
    question="Where is the fiercest fighting around Pokrovsk?",
    answer="According to Gerasimov, the fiercest combat is centered around Pokrovsk. [1]",
)
GERASIMOV = Turn(
    question="What did Gerasimov say about the front?",
    answer="Moscow’s forces are making advances across nearly every frontline. [1]",
)


def rewrite(question: str, history: list[Turn] | None) -> str:
    """The standalone question the reading of ``question`` after ``history`` searches."""
    return read_question(question, history).standalone


def test_without_history_the_question_is_unchanged() -> None:
    assert rewrite("  What did he say next?  ", None) == "What did he say next?"
    assert rewrite("What about Kupiansk?", []) == "What about Kupiansk?"


def test_a_standalone_question_is_left_unchanged() -> None:
    question = "What did DeepState report about Kupiansk?"
    assert rewrite(question, [POKROVSK, GERASIMOV]) == question


@pytest.mark.parametrize(
    "follow_up", ["And what about Kupiansk?", "what about Kupiansk", "And Kupiansk?"]
)
def test_elliptic_follow_up_takes_the_previous_question_with_the_new_focus(
    follow_up: str,
) -> None:
    assert rewrite(follow_up, [POKROVSK]) == "Where is the fiercest fighting around Kupiansk?"


def test_elliptic_follow_up_of_a_question_without_names_keeps_both() -> None:
    history = [Turn(question="Where is the fiercest combat?", answer="Around Pokrovsk. [1]")]
    rewritten = rewrite("And what about Kupiansk?", history)
    assert rewritten == "Where is the fiercest combat, regarding Kupiansk?"


def test_the_rewritten_previous_question_is_the_base_of_the_next() -> None:
    history = [
        POKROVSK,
        Turn(question="And what about Kupiansk?", rewritten=rewrite("and Kupiansk?", [POKROVSK])),
    ]
    assert rewrite("And Yampil?", history) == "Where is the fiercest fighting around Yampil?"


def test_pronouns_resolve_to_the_last_person_named() -> None:
    assert rewrite("what did he say next?", [GERASIMOV]) == "What did Gerasimov say next?"
    assert rewrite("Why did they say that?", [GERASIMOV]) == "Why did Gerasimov say that?"
    assert rewrite("What is his rank?", [GERASIMOV]) == "What is Gerasimov’s rank?"


def test_pronouns_resolve_to_a_person_named_in_an_answer() -> None:
    history = [
        Turn(
            question="Who answered Moscow's claims?",
            answer="President Volodymyr Zelenskiy said the assaults delivered little. [1]",
        )
    ]
    assert rewrite("When did he say it?", history) == "When did Volodymyr Zelenskiy say it?"
    assert last_person([GERASIMOV, *history]) == "Volodymyr Zelenskiy"


def test_places_are_not_taken_for_people() -> None:
    history = [Turn(question="Where is the fiercest fighting around Pokrovsk?", answer="")]
    assert last_person(history) is None
    # "he" is not replaced by a place; the short question borrows the place as its subject.
    assert rewrite("What did he say?", history) == "What did he say regarding Pokrovsk?"


def test_a_short_follow_up_without_a_subject_borrows_the_previous_names() -> None:
    rewritten = rewrite("And what happened next?", [POKROVSK])
    assert rewritten == "What happened next regarding Pokrovsk?"


ZELENSKIY = Turn(
    question="What did Zelenskiy say?",
    answer="Volodymyr Zelenskiy said Kyiv expected Moscow to intensify its offensives. [1]",
)


def test_a_name_less_question_with_words_of_its_own_keeps_its_asked_form() -> None:
    reading = read_question("Where is the fiercest fighting?", [ZELENSKIY])
    assert reading.standalone == "Where is the fiercest fighting regarding Zelenskiy?"
    assert reading.as_asked == "Where is the fiercest fighting?"


@pytest.mark.parametrize(
    "question",
    ["What happened next?", "Why is it important?", "Who said that?", "And how many died?"],
)
def test_a_follow_up_that_points_back_only_borrows(question: str) -> None:
    reading = read_question(question, [ZELENSKIY])
    assert reading.as_asked is None
    assert reading.standalone.endswith("regarding Zelenskiy?")


@pytest.mark.parametrize(
    "question",
    [
        "Author Cormac McCarthy died this week at 89. He won the Pulitzer Prize for which novel?",
        "In which city did Vladimir Putin confirm that he will run for re-election next year?",
    ],
)
def test_a_question_that_names_a_person_before_its_pronoun_keeps_it(question: str) -> None:
    assert rewrite(question, [GERASIMOV]) == question


@pytest.mark.parametrize(
    ("question", "standalone"),
    [
        ("Who is his deputy?", "Who is Gerasimov’s deputy?"),
        ("Which general did he dismiss?", "Which general did Gerasimov dismiss?"),
        ("Who replaced him?", "Who replaced Gerasimov?"),
        ("Who took his job?", "Who took Gerasimov’s job?"),
        ("Which member of his staff resigned?", "Which member of Gerasimov’s staff resigned?"),
    ],
)
def test_pronouns_of_a_question_asking_who_are_the_conversation_s_person(
    question: str, standalone: str
) -> None:
    assert rewrite(question, [GERASIMOV]) == standalone


@pytest.mark.parametrize(
    ("question", "standalone"),
    [
        ("Who is her husband?", "Who is Nikki Haley’s husband?"),
        ("Who beat her in the primary?", "Who beat Nikki Haley in the primary?"),
        ("Who replaced her?", "Who replaced Nikki Haley?"),
    ],
)
def test_her_is_possessive_only_before_a_word_of_its_own(question: str, standalone: str) -> None:
    haley = Turn(question="What did Nikki Haley say in New Hampshire?", answer="")
    assert rewrite(question, [haley]) == standalone


def test_the_person_asked_about_comes_before_people_named_in_the_answer() -> None:
    truss = Turn(
        question="What is the latest news about Liz Truss?",
        answer="Liz Truss will succeed Boris Johnson as prime minister. [1]",
    )
    assert rewrite("When did she take office?", [truss]) == "When did Liz Truss take office?"


@pytest.mark.parametrize(
    ("question", "standalone"),
    [
        ("Which country did he visit?", "Which country did Gerasimov visit?"),
        ("Which of his aides resigned?", "Which of Gerasimov’s aides resigned?"),
        ("Did he meet Zelenskiy?", "Did Gerasimov meet Zelenskiy?"),
        (
            "Which country did he and Queen Camilla visit?",
            "Which country did Gerasimov and Queen Camilla visit?",
        ),
        ("Why did this happen to him?", "Why did this happen to Gerasimov?"),
        ("Which company hired her?", "Which company hired Gerasimov?"),
        ("Did Zelenskiy respond to him?", "Did Zelenskiy respond to Gerasimov?"),
    ],
)
def test_a_pronoun_without_a_subject_in_the_question_is_resolved(
    question: str, standalone: str
) -> None:
    assert rewrite(question, [GERASIMOV]) == standalone


@pytest.mark.parametrize(
    ("turn", "follow_up", "standalone"),
    [
        (
            Turn(
                question="Who replaced Liz Truss as prime minister?",
                answer="Rishi Sunak replaced Liz Truss as prime minister on Tuesday. [1]",
            ),
            "What did he promise?",
            "What did Rishi Sunak promise?",
        ),
        (
            Turn(
                question="Which professional dancer will replace Tyra Banks as host?",
                answer="Julianne Hough will replace Tyra Banks as host. [1]",
            ),
            "What else do we know about her?",
            "What else do we know about Julianne Hough?",
        ),
    ],
)
def test_after_a_question_asking_who_a_pronoun_is_the_person_answered(
    turn: Turn, follow_up: str, standalone: str
) -> None:
    assert rewrite(follow_up, [turn]) == standalone


def test_titles_are_dropped_wherever_they_stand_in_a_name() -> None:
    found = entities("Former Vice President Mike Pence met Maryland Gov. Wes Moore.")
    assert [(e.text, e.person) for e in found] == [
        ("Mike Pence", True),
        ("Maryland", False),
        ("Wes Moore", True),
    ]


def test_what_a_person_is_is_no_person() -> None:
    found = entities("Former South Carolina Gov. Nikki Haley met the Underground Railroad leader.")
    assert [(e.text, e.person) for e in found] == [
        ("South Carolina", False),
        ("Nikki Haley", True),
        ("Underground Railroad", False),
    ]
    found = entities("Tesla chief executive Elon Musk said so.")
    assert [(e.text, e.person) for e in found] == [("Tesla", False), ("Elon Musk", True)]


@pytest.mark.parametrize(
    ("text", "people"),
    [
        ("New Jersey Gov. Phil Murphy spoke.", ["Phil Murphy"]),
        ("Senate Majority Leader Chuck Schumer said so.", ["Chuck Schumer"]),
        ("House Speaker Mike Johnson said so.", ["Mike Johnson"]),
        ("Secretary of State Antony Blinken said so.", ["Antony Blinken"]),
        ("OpenAI named Sam Altman chief executive again.", ["Sam Altman"]),
        ("Labour leader Keir Starmer won.", ["Keir Starmer"]),
    ],
)
def test_people_are_told_from_the_offices_and_roles_around_them(
    text: str, people: list[str]
) -> None:
    assert [e.text for e in entities(text) if e.person] == people


def test_a_role_noun_after_a_name_does_not_make_a_question_ask_for_a_person() -> None:
    assert not asks_for_person("Which member states voted against it?")


def test_place_words_starting_or_ending_in_s_are_still_places() -> None:
    assert [(e.text, e.person) for e in entities("But South Africa announced it.")] == [
        ("South Africa", False)
    ]
    assert [(e.text, e.person) for e in entities("The United States said no.")] == [
        ("United States", False)
    ]


def test_an_answered_person_is_never_joined_across_citation_markers() -> None:
    turn = Turn(
        question="Who won the Democratic primary for US Senate in Texas?",
        answer="Updated 10:56 a.m. ET [1] James Talarico won the primary, officials said. [2]",
    )
    assert rewrite("What else do we know about him?", [turn]) == (
        "What else do we know about James Talarico?"
    )


def test_asks_for_person() -> None:
    assert asks_for_person("Who replaced Liz Truss?") and asks_for_person("And whose idea was it?")
    assert asks_for_person("Which baseball veteran did the Angels hire?")
    assert not asks_for_person("Which country did he visit?")
    assert not asks_for_person("What did the man who shot him say?")


def test_contractions_of_question_words_are_neither_names_nor_own_words() -> None:
    assert entities("What's next?") == [] and entities("What’s next?") == []
    assert own_words("What’s the score in Kyiv's match?") == ["score", "kyiv's", "match"]
    assert own_words("Where were clashes reported this week?") == ["clashes"]


def test_speaks_to_compares_the_question_s_own_words_by_stem() -> None:
    assert read_question("Where are the clashes?").speaks_to("Clashes were reported. [1]")
    fiercest = read_question("Where is the fiercest fighting?")
    assert not fiercest.speaks_to("Zelenskiy said Kyiv expected more. [1]")
    assert not read_question("What happened next?").speaks_to("Anything.")  # no own words


def test_entities_flag_people_by_titles_and_speech_verbs() -> None:
    found = entities("President Volodymyr Zelenskiy said Kyiv expected Moscow to push.")
    assert [(e.text, e.person) for e in found] == [
        ("Volodymyr Zelenskiy", True),
        ("Kyiv", False),
        ("Moscow", False),
    ]
    assert [(e.text, e.person) for e in entities("What did Gerasimov say?")] == [
        ("Gerasimov", True)
    ]
