"""The citation check: each sentence of an LLM answer against the passages it cites."""

from __future__ import annotations

from qa.llm.check import (
    MISQUOTED,
    NO_CITATION,
    NOT_SUPPORTED,
    NUMBER_MISSING,
    SUPPORTED,
    UNKNOWN_PASSAGE,
    check,
    claims,
)
from qa.models import Passage


def passage(n: int, text: str, title: str = "Front") -> Passage:
    return Passage(rank=n, article_id=f"a{n}", paragraph_id=f"a{n}#0", title=title,
                   paragraph=0, text=text, score=1.0)  # fmt: skip


PASSAGES = [
    passage(1, "The mayor, Jane Ortiz, opened the new bridge on Monday. It cost $42 million."),
    passage(2, 'Ortiz said: "This bridge joins two halves of one city." Traffic starts today.'),
    passage(3, "Rain is expected across the region for the rest of the week."),
]


def verdicts(answer: str) -> list[str]:
    return [c.verdict for c in check(answer, PASSAGES)]


def test_sentences_keep_their_markers_even_after_the_full_stop() -> None:
    found = claims("Ortiz opened the bridge [1]. It cost $42 million. [1][2] Rain [3] is due.")
    assert found == [
        ("Ortiz opened the bridge.", (1,)),
        ("It cost $42 million.", (1, 2)),
        ("Rain is due.", (3,)),
    ]


def test_a_claim_its_passage_states_is_supported_with_its_best_sentence() -> None:
    [claim] = check("Jane Ortiz opened the new bridge on Monday [1].", PASSAGES)
    assert claim.verdict == SUPPORTED and claim.supported
    start, end = claim.evidence[1]
    assert PASSAGES[0].text[start:end] == "The mayor, Jane Ortiz, opened the new bridge on Monday."


def test_a_claim_cited_to_the_wrong_passage_is_not_supported() -> None:
    assert verdicts("Jane Ortiz opened the new bridge on Monday [3].") == [NOT_SUPPORTED]


def test_an_uncited_claim_is_cited_by_the_check_to_the_passage_that_supports_it() -> None:
    [claim] = check("Jane Ortiz opened the new bridge.", PASSAGES)
    assert claim.supported and claim.attributed and claim.cited == (1,)
    [cited] = check("Jane Ortiz opened the new bridge [1].", PASSAGES)
    assert not cited.attributed
    assert verdicts("Ortiz resigned after the opening.") == [NO_CITATION]
    assert verdicts("It cost $45 million.") == [NO_CITATION]  # no passage holds the number


def test_a_claim_with_an_unknown_citation_fails() -> None:
    assert verdicts("Jane Ortiz opened the new bridge [4].") == [UNKNOWN_PASSAGE]
    assert verdicts("Jane Ortiz opened the new bridge [0].") == [UNKNOWN_PASSAGE]


def test_an_invented_number_fails_even_among_supported_words() -> None:
    assert verdicts("The bridge cost $45 million [1].") == [NUMBER_MISSING]
    assert verdicts("The bridge cost $42 million [1].") == [SUPPORTED]


def test_quotations_must_be_verbatim_in_the_cited_passage() -> None:
    right = 'Ortiz said the bridge "joins two halves of one city" [2].'
    wrong = 'Ortiz said the bridge "unites the two halves of our city" [2].'
    assert verdicts(right) == [SUPPORTED]
    assert verdicts(wrong) == [MISQUOTED]
    # Curly quotation marks and spacing do not matter; the words do.
    assert verdicts("Ortiz said the bridge “joins  two halves of one city” [2].") == [SUPPORTED]


def test_a_claim_may_take_its_facts_from_two_cited_passages() -> None:
    answer = "Ortiz opened the bridge, which cost $42 million; traffic starts today [1][2]."
    assert verdicts(answer) == [SUPPORTED]
    assert verdicts(answer.replace("[1][2]", "[2]")) != [SUPPORTED]


def test_a_number_must_stand_beside_the_same_word_as_in_its_passage() -> None:
    fees = [passage(1, "Of $10 spent, $6 went to lawyers. The largest payment was $3 million.")]
    assert [c.verdict for c in check("The largest payment was $10 million [1].", fees)] == [
        NUMBER_MISSING
    ]
    assert [c.verdict for c in check("The largest payment was $3 million [1].", fees)] == [
        SUPPORTED
    ]
    # A stopword after a number is no unit: "in 2024 the ..." may be written any way.
    year = [passage(1, "The bridge opened in 2024, after years of delays.")]
    assert [c.verdict for c in check("In 2024 the bridge opened after delays [1].", year)] == [
        SUPPORTED
    ]
