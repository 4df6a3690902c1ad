"""AnswerDraft: the text of an answer and the parts it was built from, which a stream sends."""

from __future__ import annotations

import pytest

from qa.answer.draft import NOT_FOUND, AnswerDraft, keep_citations
from qa.models import Citation, ShortAnswer


def citation(n: int, quote: str) -> Citation:
    return Citation(n=n, article_id="a", title="T", paragraph=0, paragraph_text=quote,
                    quote=quote, span=(0, len(quote)), score=1.0)  # fmt: skip


QUOTES = [citation(1, "Kupiansk held."), citation(2, "Pokrovsk is under fire.")]
SHORT = ShortAnswer(text="Kupiansk", citation=1, start=0, end=8)


def test_quotes_are_the_parts_of_the_text_each_with_its_marker() -> None:
    draft = AnswerDraft.compose(QUOTES)
    assert draft.text == "Kupiansk held. [1] Pokrovsk is under fire. [2]"
    assert draft.parts == ("Kupiansk held. [1]", " Pokrovsk is under fire. [2]")


def test_the_short_answer_line_is_the_first_part() -> None:
    draft = AnswerDraft.compose(QUOTES, SHORT)
    assert draft.parts[0] == "Kupiansk [1]\n\n"
    assert "".join(draft.parts) == draft.text
    assert AnswerDraft.compose(QUOTES).led(SHORT) == draft


def test_a_draft_led_by_a_short_answer_keeps_its_own_parts() -> None:
    lines = ("Zelenskiy: Kupiansk held. [1]", "\nZelenskiy: Pokrovsk is under fire. [2]")
    statements = AnswerDraft("".join(lines), True, QUOTES, parts=lines)
    led = statements.led(SHORT)
    assert led.parts == ("Kupiansk [1]\n\n", *lines) and "".join(led.parts) == led.text


def test_kept_quotes_are_renumbered_parts_and_all() -> None:
    kept = keep_citations(AnswerDraft.compose(QUOTES, SHORT), lambda c: c.n == 2)
    assert kept.parts == ("Pokrovsk is under fire. [1]",) and kept.short_answer is None


def test_a_text_made_in_one_piece_is_its_own_part() -> None:
    assert AnswerDraft.refusal([]).pieces() == (NOT_FOUND,)


def test_parts_must_make_up_the_text() -> None:
    with pytest.raises(ValueError, match="parts"):
        AnswerDraft("Kupiansk held. [1]", True, QUOTES[:1], parts=("Kupiansk [1]",))
