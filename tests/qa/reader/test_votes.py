"""Answer votes over made-up readings: which span becomes the short answer, and which quote
leads the answer."""

from __future__ import annotations

from qa.answer.candidates import Candidate
from qa.reader.answerer import ReaderAnswerer, features, span_filters
from qa.reader.base import SentenceReading
from qa.reader.calibration import Calibration
from qa.reader.votes import VOTES, VoteParams, phrase_key, voted_answer
from tests.qa.answer.test_scorer import passage

WHERE = "Where was the treaty signed?"


def read_sentence(
    text: str, phrases: list[str], score: float, article: str, rank: int = 1
) -> Candidate:
    """A read candidate: ``text`` as one passage's sentence, the reader's spans at each of
    ``phrases`` (best first, logits 2, 1, 0, ...)."""
    spans = tuple((text.index(p), text.index(p) + len(p)) for p in phrases)
    logits = tuple(2.0 - i for i in range(len(phrases)))
    candidate = Candidate(passage(rank, text, article), rank - 1, (0, len(text)), score=score)
    candidate.reading = SentenceReading(1.0, spans, logits)
    return candidate


def lyon_reports() -> list[Candidate]:
    """Three articles' sentences saying Lyon, each scored below the best sentence."""
    text = "The treaty was signed in Lyon, report {} said."
    return [read_sentence(text.format(n), ["Lyon"], 1.6, f"b{n}") for n in range(3)]


def short_text(read: list[Candidate], question: str, params: VoteParams = VOTES) -> str | None:
    vote = voted_answer(read, *span_filters(question), params)
    return None if vote is None else vote.candidate.text[vote.span[0] : vote.span[1]]


def test_a_phrase_several_articles_hold_beats_the_best_sentence_s_own() -> None:
    read = [
        read_sentence("Officials met in Paris before the signing.", ["Paris"], 2.0, "a1"),
        *lyon_reports(),
    ]
    assert short_text(read, WHERE) == "Lyon"


def test_one_article_repeating_a_phrase_does_not_outvote_the_best_sentence() -> None:
    best = read_sentence("The treaty was signed in Geneva by both sides.", ["Geneva"], 2.0, "a1")
    repeats = [
        read_sentence(f"Officials in Kyiv spoke again, for the {n}th time.", ["Kyiv"], 1.6, "a1")
        for n in range(5)
    ]
    assert short_text([best, *repeats], WHERE) == "Geneva"
    # counted per sentence instead, the repeats win: why votes are counted per article
    per_sentence = VoteParams(VOTES.temperature, VOTES.weight, VOTES.contained_share, 0.0, False)
    assert short_text([best, *repeats], WHERE, per_sentence) == "Kyiv"


def test_a_name_gains_the_votes_of_the_names_inside_it() -> None:
    question = "Which quarterback came back for another season?"
    read = [
        read_sentence("Brady said he would play again.", ["Brady"], 2.0, "a1"),
        read_sentence("Tom Brady is returning next season.", ["Tom Brady"], 1.9, "a2"),
        read_sentence("Fans cheered as Brady returned.", ["Brady"], 1.8, "a3"),
        read_sentence("Aaron Rodgers also came back.", ["Aaron Rodgers"], 2.1, "a4"),
    ]
    assert short_text(read, question) == "Tom Brady"


def test_a_phrase_of_the_kind_asked_is_preferred_to_a_better_voted_one() -> None:
    question = "How many people attended the ceremony?"
    read = [
        read_sentence("The ceremony in Paris drew crowds.", ["Paris"], 2.0, "a1"),
        read_sentence("Paris was packed for the ceremony.", ["Paris"], 2.0, "a2"),
        read_sentence("About 1 million people attended the ceremony.", ["1 million"], 1.0, "a3"),
    ]
    assert short_text(read, question) == "1 million"


def test_no_usable_span_gives_no_vote() -> None:
    text = "The treaty was signed."
    only_question_words = read_sentence(text, ["treaty was signed"], 2.0, "a1")
    whole = read_sentence(text, [text], 2.0, "a2")
    assert short_text([only_question_words, whole], WHERE) is None
    assert short_text([], WHERE) is None


def test_phrases_are_the_same_whatever_their_case_punctuation_and_article() -> None:
    assert phrase_key("U.S.") == phrase_key("u.s") == "u s"
    assert phrase_key("The Lyrids") == phrase_key("lyrids") == "lyrids"
    assert phrase_key("São Paulo") == "sao paulo"
    assert phrase_key("...") == ""


def test_the_quote_holding_the_voted_answer_leads_and_is_trusted_most() -> None:
    read = [
        read_sentence("Officials met in Paris before the signing.", ["Paris"], 2.0, "a1"),
        read_sentence("Leaders arrived in Paris on Monday.", ["Paris"], 1.95, "a1"),
        *lyon_reports(),
    ]
    answerer = ReaderAnswerer(None, None, Calibration(), 0.0, max_sentences=2)  # type: ignore[arg-type]
    draft = answerer.compose(WHERE, read, [c.passage for c in read])
    assert draft.short_answer is not None and draft.short_answer.text == "Lyon"
    assert len(draft.citations) == 2 and "Lyon" in draft.citations[0].quote
    assert draft.citations[1].quote == read[0].text  # the best-scored sentence still quoted
    assert draft.citations[0].score == max(c.score for c in draft.citations)
    assert draft.text.startswith("Lyon [1]\n\n")


def test_the_voted_phrase_s_share_is_a_feature_the_calibration_may_weigh() -> None:
    agreeing = [read_sentence("Officials met in Paris before the signing.", ["Paris"], 2.0, "a1")]
    agreeing += lyon_reports()
    alone = [
        read_sentence("Officials met in Paris before the signing.", ["Paris"], 2.0, "a1"),
        read_sentence("The treaty was signed in Lyon, a report said.", ["Lyon"], 1.6, "b1"),
        read_sentence("Rome was also named as the treaty's home.", ["Rome"], 1.6, "b2"),
    ]
    shares = []
    for read in (agreeing, alone):
        vote = voted_answer(read, *span_filters(WHERE))
        assert vote is not None
        assert features(read[0], vote)["vote_share"] == vote.share
        shares.append(vote.share)
    assert shares[0] > shares[1]  # three articles agreeing on Lyon
    assert features(agreeing[0])["vote_share"] == 0.0  # no vote: no agreement


def test_a_kept_quote_saying_the_same_as_the_voted_one_is_not_quoted_twice() -> None:
    copy = read_sentence("The treaty was signed in Lyon, report 0 said.", [], 1.99, "c1")
    read = [
        read_sentence("Officials met in Paris before the signing.", ["Paris"], 2.0, "a1"),
        copy,  # kept by score, but the reader marked no span in it
        *lyon_reports(),
    ]
    answerer = ReaderAnswerer(None, None, Calibration(), 0.0, max_sentences=3)  # type: ignore[arg-type]
    draft = answerer.compose(WHERE, read, [c.passage for c in read])
    quotes = [c.quote for c in draft.citations]
    assert quotes[0] == copy.text and draft.citations[0].article_id == "b0"
    assert quotes.count(copy.text) == 1
