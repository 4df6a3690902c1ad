"""The one reader of a question in its conversation (qa.question.reading)."""

from __future__ import annotations

from qa.models import Turn
from qa.question.reading import SpeakerReading, read_question
from qa.question.speakers import SpeakerQuestion

GERASIMOV = Turn(
    question="What did Gerasimov say?",
    answer="Valery Gerasimov asserted that Moscow's forces are advancing. [1]",
)


def test_a_plain_question_is_read_as_asked() -> None:
    reading = read_question("  How many drones were shot down?  ")
    assert reading.question == reading.standalone == "How many drones were shot down?"
    assert reading.as_asked is None and reading.speaker is None


def test_a_speaker_question_is_read_with_its_speaker_and_topic() -> None:
    reading = read_question("What did Zelenskiy say about Pokrovsk?")
    assert reading.speaker == SpeakerReading(
        SpeakerQuestion("Zelenskiy", "Pokrovsk"), "What did Zelenskiy say about Pokrovsk?"
    )


def test_a_pronoun_speaker_follow_up_takes_the_previous_speaker() -> None:
    reading = read_question("What did he say about Kupiansk?", [GERASIMOV])
    assert reading.speaker is not None
    assert reading.speaker.asked == SpeakerQuestion("Gerasimov", "Kupiansk")
    assert reading.speaker.text == "What did Gerasimov say about Kupiansk?"


def test_an_elliptic_follow_up_offers_its_focus_as_topic_or_as_speaker() -> None:
    reading = read_question("And what about Syrskyi?", [GERASIMOV])
    assert reading.speaker is not None
    assert reading.speaker.asked == SpeakerQuestion("Gerasimov", "Syrskyi")
    assert reading.speaker.focus_as_speaker == SpeakerQuestion("Syrskyi", None)


def test_a_rewrite_over_the_length_limit_is_not_used() -> None:
    previous = Turn(question="Where is the fiercest fighting around Pokrovsk " + "x " * 60 + "?")
    reading = read_question("And Kupiansk?", [previous], max_chars=80)
    assert reading.standalone == "And Kupiansk?" and reading.as_asked is None


def test_a_question_that_only_borrowed_names_speaks_to_its_own_words() -> None:
    reading = read_question("Where is the fiercest fighting?", [GERASIMOV])
    assert reading.as_asked == "Where is the fiercest fighting?"
    assert reading.speaks_to("The fiercest fighting is near Pokrovsk.")
    assert not reading.speaks_to("Gerasimov spoke on Sunday.")
