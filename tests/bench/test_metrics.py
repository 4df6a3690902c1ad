"""The quality measures of bench/metrics.py, as defined in shared/eval/README.md."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bench.answer_weights import fit
from bench.metrics import (
    contains_answer,
    cut_at_chars,
    fold_chosen,
    normalise,
    percentile,
    recall_at_chars,
    recall_at_k,
    reciprocal_rank,
    sign_test,
)
from bench.quality import Result, Scores, best_quote_hit
from qa.models import Answer, Citation


def test_normalise_lowercases_strips_accents_and_punctuation() -> None:
    assert normalise("  Zelenskiy’s “Café” costs $5 (50%)! ") == "zelenskiy s cafe costs $5 50%"


@pytest.mark.parametrize(
    ("text", "answer", "found"),
    [
        ("The trial is in New York City, on Monday.", "New York City", True),
        (
            "Oscar: “Everything Everywhere All at Once” leads",
            "“Everything Everywhere All at Once”",
            True,
        ),
        ("It happened in Yorkshire.", "York", False),  # whole words only
        ("He paid $500 for it.", "$5", False),
        ("He paid $5 for it.", "$5", True),
        ("Pelé scored", "pele", True),
        ("anything at all", "“”", False),  # an answer with no words is never found
    ],
)
def test_contains_answer_matches_whole_normalised_words(
    text: str, answer: str, found: bool
) -> None:
    assert contains_answer(text, answer) is found


def test_recall_at_k_looks_at_the_first_k_texts_only() -> None:
    texts = ["nothing here", "still nothing", "the answer is Kupiansk"]
    assert not recall_at_k(texts, "Kupiansk", 2)
    assert recall_at_k(texts, "Kupiansk", 3)


def test_cut_at_chars_reads_in_order_and_cuts_the_last_text() -> None:
    assert cut_at_chars(["abcd", "efgh", "ijkl"], 6) == ["abcd", "ef"]
    assert cut_at_chars(["abcd"], 0) == []


def test_recall_at_chars_misses_an_answer_past_the_budget() -> None:
    texts = ["x" * 990, "the answer is Pokrovsk"]
    assert not recall_at_chars(texts, "Pokrovsk", 1000)
    assert recall_at_chars(texts, "Pokrovsk", 1020)


def test_recall_at_chars_does_not_match_across_two_passages() -> None:
    assert not recall_at_chars(["ends with New", "York City starts"], "New York", 1000)


def test_reciprocal_rank_counts_distinct_articles() -> None:
    ranked = ["a", "a", "b", "a", "c", "gold"]
    assert reciprocal_rank(ranked, {"gold"}) == pytest.approx(1 / 4)
    assert reciprocal_rank(ranked, {"gold"}, k=3) == 0.0
    assert reciprocal_rank(ranked, {"a", "gold"}) == 1.0
    assert reciprocal_rank([], {"gold"}) == 0.0


def test_percentile_uses_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.95) == 95.0
    assert percentile(values, 0.5) == 50.0
    assert percentile([3.0], 0.95) == 3.0
    assert math.isnan(percentile([], 0.5))


def test_gold_article_mrr_reads_the_deeper_ranking_when_there_is_one() -> None:
    question = {"answer": "Pokrovsk", "gold_doc_ids": ["gold"]}
    scores = Scores("newsdesk")
    scores.add(question, Result(["Kyiv", "Kyiv again"], ["x", "x"], 0.1))
    deeper = ["x", "x", "y", "gold"]  # the 3rd distinct article, past the passages read
    scores.add(question, Result(["Kyiv", "Kyiv again"], ["x", "x"], 0.1, ranked_articles=deeper))
    assert scores.rr == [0.0, pytest.approx(1 / 3)]


def test_best_quote_hit_reads_the_highest_scored_citation_only() -> None:
    def cited(quote: str, score: float) -> Citation:
        return Citation(
            n=1,
            article_id="a",
            title="t",
            url="",
            paragraph=0,
            quote=quote,
            span=(0, 1),
            score=score,
        )

    right, wrong = cited("Fighting is fiercest near Pokrovsk.", 2.0), cited("Kyiv said so.", 3.0)
    answer = Answer(question="q", rewritten="q", answer="...", found=True, citations=[right, wrong])
    assert not best_quote_hit(answer, "Pokrovsk")
    assert best_quote_hit(answer.model_copy(update={"citations": [right]}), "Pokrovsk")
    refused = answer.model_copy(update={"found": False, "citations": []})
    assert not best_quote_hit(refused, "Pokrovsk")


def test_answer_weights_fit_is_scikit_learns_balanced_logistic_regression() -> None:
    sklearn = pytest.importorskip("sklearn.linear_model")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, 3))
    labels = x @ [2.0, -1.0, 0.0] + rng.normal(size=600) > 2.5  # about 1 in 8 positive
    assert 0.05 < labels.mean() < 0.2
    for c in (0.3, 5.0):
        expected = sklearn.LogisticRegression(C=c, class_weight="balanced", tol=1e-10)
        expected.fit(x, labels)
        np.testing.assert_allclose(fit([(x, labels)], c), expected.coef_[0], atol=1e-4)


def test_answer_weights_fit_refuses_labels_of_one_class() -> None:
    with pytest.raises(ValueError, match="both classes"):
        fit([(np.ones((4, 2)), np.zeros(4, dtype=bool))])


def test_fold_chosen_scores_each_fold_with_the_setting_best_on_the_others() -> None:
    # question n is in fold n % 2; "a" wins on fold 0's questions, "b" on fold 1's
    by_setting = {"a": [1, 0, 1, 0], "b": [0, 1, 0, 1], "c": [0, 0, 0, 0]}
    held_out, chosen = fold_chosen(by_setting, sum, folds=2)
    assert chosen == ["b", "a"]  # each fold chooses on the other fold's questions
    assert held_out == [0, 0, 0, 0]  # and is scored on its own: an honest zero
    tied = {"x": [1, 1], "y": [1, 1]}
    assert fold_chosen(tied, sum, folds=2)[1] == ["x", "x"]  # the first of equals


def test_sign_test_gives_the_exact_two_sided_p() -> None:
    assert sign_test(0, 0) == 1.0
    assert sign_test(1, 3) == pytest.approx(0.625)  # 2 x (1 + 4) / 16
    assert sign_test(0, 5) == pytest.approx(0.0625)
    assert sign_test(10, 0) == pytest.approx(2 / 1024)
    assert sign_test(4, 4) == 1.0


def test_paired_comparison_counts_the_questions_gained_and_lost(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bench.quality import print_paired

    before = {"reader": {"q1": {"answer hit": True}, "q2": {"answer hit": False},
                         "q3": {"answer hit": True}, "gone": {"answer hit": True}}}  # fmt: skip
    after = {"reader": {"q1": {"answer hit": False}, "q2": {"answer hit": True},
                        "q3": {"answer hit": False}, "new": {"answer hit": True}}}  # fmt: skip
    print_paired(before, after)
    assert "reader   answer hit           +1 / -2  p 1.00  (3 q)" in capsys.readouterr().out
