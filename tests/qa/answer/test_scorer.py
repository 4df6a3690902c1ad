"""The extractive answerer: verbatim cited quotes, reading order, duplicates, refusals."""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

import numpy as np

from index.split.sentences import quotable_spans
from qa.answer.candidates import evidence, is_question
from qa.answer.draft import NOT_FOUND, AnswerDraft, keep_citations
from qa.answer.scorer import ExtractiveAnswerer
from qa.models import Passage
from tests.conftest import FakeEmbedder

DIM = 512
_WORD = re.compile(r"[a-z0-9]+")


class BagOfWordsEmbedder(FakeEmbedder):
    """Hashed bag of words: texts sharing words get close unit vectors, no model needed."""

    def __init__(self) -> None:
        super().__init__(DIM)

    def vector(self, text: str) -> np.ndarray:
        out = np.zeros(DIM, dtype=np.float32)
        for word in _WORD.findall(text.lower()):
            out[zlib.crc32(word.encode()) % DIM] += 1.0
        norm = float(np.linalg.norm(out))
        return out / norm if norm else out


def passage(rank: int, text: str, article: str = "a1", number: int = 0) -> Passage:
    """A retrieved paragraph of a made-up article."""
    return Passage(
        rank=rank,
        article_id=article,
        paragraph_id=f"{article}#{number}",
        title=f"Title of {article}",
        url=f"https://example.com/{article}",
        published="2024-04-18",
        source="Example",
        paragraph=number,
        text=text,
        score=1.0 / rank,
    )


HARBOUR = passage(
    1,
    "The harbour bridge reopened on Monday after repairs. "
    "Engineers said the harbour bridge repairs cost 12 million dollars. "
    "Traffic was light in the morning.",
    number=3,
)
WEATHER = passage(2, "Rain is expected over the weekend across the coast.", "a2", 1)


def answerer(max_sentences: int = 4) -> ExtractiveAnswerer:
    return ExtractiveAnswerer(BagOfWordsEmbedder(), max_sentences)


def test_answer_quotes_the_matching_sentence_verbatim_with_its_citation() -> None:
    draft = answerer().answer("How much did the harbour bridge repairs cost?", [HARBOUR, WEATHER])
    assert draft.found
    quotes = [c.quote for c in draft.citations]
    assert "Engineers said the harbour bridge repairs cost 12 million dollars." in quotes
    for c in draft.citations:
        start, end = c.span
        assert c.paragraph_text[start:end] == c.quote
        assert f"{c.quote} [{c.n}]" in draft.text
    cited = next(c for c in draft.citations if "12 million" in c.quote)
    assert (cited.article_id, cited.paragraph, cited.url) == ("a1", 3, "https://example.com/a1")
    assert "Rain" not in draft.text


def test_citations_are_numbered_in_reading_order_and_keep_text_order() -> None:
    text = (
        "The harbour bridge reopened on Monday after repairs. "
        "Engineers said the harbour bridge reopened after repairs that cost 12 million dollars."
    )
    question = "harbour bridge reopened after repairs cost"
    best = answerer().candidates(question, [passage(1, text)])[0]
    assert best.text.startswith("Engineers")  # the later sentence scores best...
    draft = answerer().answer(question, [passage(1, text)])
    spans = [c.span for c in draft.citations]
    assert len(spans) == 2 and spans == sorted(spans)  # ...yet one paragraph reads in order
    assert [c.n for c in draft.citations] == [1, 2]
    assert [int(n) for n in re.findall(r"\[(\d+)\]", draft.text)] == [1, 2]
    assert draft.text.startswith(
        "The harbour bridge reopened on Monday after repairs. [1] Engineers"
    )


def test_reprinted_wire_copy_is_quoted_once() -> None:
    copy = passage(2, HARBOUR.text, "a3", 7)
    draft = answerer().answer("How much did the harbour bridge repairs cost?", [HARBOUR, copy])
    quotes = [c.quote for c in draft.citations]
    assert len(quotes) == len(set(quotes))
    assert sum("12 million" in q for q in quotes) == 1


def test_a_title_passage_is_never_quoted() -> None:
    title = HARBOUR.model_copy(update={"text": "Harbour bridge repairs cost 12 million dollars"})
    title = title.model_copy(update={"title": title.text, "is_title": True, "rank": 1})
    draft = answerer().answer("How much did the harbour bridge repairs cost?", [title, WEATHER])
    assert "12 million" not in draft.text and not draft.found
    assert draft.related[0].is_title  # still shown among the closest passages


def test_a_question_is_never_quoted() -> None:
    quiz = passage(1, "Quiz: how much did the harbour bridge repairs cost in the end?", "q", 0)
    faq = passage(
        2,
        "How much did the harbour bridge repairs cost? "
        "The city said the repairs cost 12 million dollars.",
        number=4,
    )
    draft = answerer().answer("How much did the harbour bridge repairs cost?", [quiz, faq])
    assert draft.found
    assert [c.quote for c in draft.citations] == [
        "The city said the repairs cost 12 million dollars."
    ]
    assert is_question("Is it over?”") and not is_question("He asked why.")
    assert is_question("“Why now?”") and is_question('Why now?"]')
    assert not is_question('He asked: "Why now?"')  # a statement quoting a question
    assert not is_question("He asked: ‘Why now?’") and is_question("‘Why now?’")


def test_an_articles_lead_paragraph_is_preferred_to_a_later_one_saying_the_same() -> None:
    said = "The harbour bridge repairs cost 12 million dollars, engineers said on Monday."
    later = passage(1, said, "a1", 6)
    lead = passage(2, said.replace("engineers", "city engineers"), "a2", 0)
    draft = answerer(max_sentences=1).answer("How much did the harbour bridge cost?", [later, lead])
    assert [(c.article_id, c.paragraph) for c in draft.citations] == [("a2", 0)]


def test_a_lead_sentence_that_does_not_match_the_question_gets_no_lead_bonus() -> None:
    lead = passage(
        1,
        "Officials met in the capital on Monday. "
        "The harbour bridge repairs cost the city 12 million dollars, they said.",
        "a1",
        0,
    )
    later = passage(2, "Harbour bridge repairs cost 12 million dollars in all.", "a2", 5)
    question = "How much did the harbour bridge repairs cost?"
    scored = {c.text: c for c in answerer().candidates(question, [lead, later])}
    assert evidence(scored["Officials met in the capital on Monday."])["lead_paragraph"] == 0.0
    matching = scored["The harbour bridge repairs cost the city 12 million dollars, they said."]
    assert evidence(matching)["lead_paragraph"] == 1.0


def test_a_sentence_holding_the_kind_asked_for_outranks_one_without_it() -> None:
    text = "The bridge repairs cost the council a lot, officials said. The repairs cost 12 million."
    best = answerer().candidates("How much did the bridge repairs cost?", [passage(1, text)])[0]
    assert best.expected and "12 million" in best.text


def test_max_sentences_bounds_the_answer() -> None:
    draft = answerer(max_sentences=1).answer("harbour bridge repairs Monday", [HARBOUR])
    assert draft.found and len(draft.citations) == 1


def test_unrelated_passages_are_refused_and_shown_as_related() -> None:
    draft = answerer().answer("Who won the 2022 World Cup final?", [HARBOUR, WEATHER])
    assert not draft.found
    assert draft.text == NOT_FOUND and draft.citations == []
    assert [p.paragraph_id for p in draft.related] == ["a1#3", "a2#1"]


def test_no_passages_is_a_refusal_without_related() -> None:
    draft = answerer().answer("How much did the repairs cost?", [])
    assert not draft.found and draft.related == []


def test_a_long_sentence_is_quoted_by_its_relevant_clause() -> None:
    text = (
        "The council met on Monday to discuss the new harbour budget with residents and many "
        "officials from several towns nearby, as it does every spring; the mayor said the new "
        "harbour bridge would cost 40 million dollars — a figure disputed by the opposition, "
        "who argued that the estimates were inflated and that the timeline was far too long "
        "for the residents who depend on the crossing every day of the year."
    )
    draft = answerer().answer("How much will the harbour bridge cost?", [passage(1, text)])
    assert draft.found
    first = draft.citations[0]
    assert first.quote == "the mayor said the new harbour bridge would cost 40 million dollars"
    assert text[first.span[0] : first.span[1]] == first.quote


class StoredSentences:
    """Sentence vectors 'stored at indexing time' for some paragraphs, computed here."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        model = BagOfWordsEmbedder()
        self.vectors = {
            p.paragraph_id: {
                s: model.embed([p.text[s[0] : s[1]]])[0] for s in quotable_spans(p.text)
            }
            for p in passages
        }
        self.asked: list[list[str]] = []

    def sentence_vectors(
        self, paragraph_ids: Sequence[str]
    ) -> dict[str, dict[tuple[int, int], np.ndarray]]:
        self.asked.append(list(paragraph_ids))
        return {i: self.vectors[i] for i in paragraph_ids if i in self.vectors}


def test_stored_sentence_vectors_are_used_instead_of_the_model() -> None:
    embedder = BagOfWordsEmbedder()
    stored = StoredSentences([HARBOUR, WEATHER])
    draft = ExtractiveAnswerer(embedder, 4, stored).answer(
        "How much did the harbour bridge repairs cost?", [HARBOUR, WEATHER]
    )
    assert "Engineers said the harbour bridge repairs cost 12 million dollars." in draft.text
    assert embedder.embedded == [] and stored.asked


def test_sentences_without_stored_vectors_are_embedded_on_the_spot() -> None:
    embedder = BagOfWordsEmbedder()
    stored = StoredSentences([WEATHER])  # the harbour paragraph predates stored vectors
    draft = ExtractiveAnswerer(embedder, 4, stored).answer(
        "How much did the harbour bridge repairs cost?", [HARBOUR, WEATHER]
    )
    assert "Engineers said the harbour bridge repairs cost 12 million dollars." in draft.text
    assert embedder.embedded and all(s in HARBOUR.text for s in embedder.embedded)


def test_what_retrieval_computed_is_used_instead_of_embedding_or_reading_again() -> None:
    question = "How much did the harbour bridge repairs cost?"
    embedder, store = BagOfWordsEmbedder(), StoredSentences([])
    read = StoredSentences([HARBOUR, WEATHER])  # what the retrieval read, handed on
    vector = BagOfWordsEmbedder().vector(question)
    answerer = ExtractiveAnswerer(embedder, 4, store)
    draft = answerer.answer(question, [HARBOUR, WEATHER], vector, read)
    assert embedder.queries == [] and embedder.embedded == []  # no model call at all
    assert store.asked == [] and len(read.asked) == 1  # the store is not read again
    assert draft == ExtractiveAnswerer(BagOfWordsEmbedder(), 4, read).answer(
        question, [HARBOUR, WEATHER]
    )
    answerer.answer(question, [HARBOUR, WEATHER])
    assert embedder.queries == [question] and len(store.asked) == 1  # else it does both


def test_keep_citations_renumbers_the_kept_quotes_and_leaves_prose_alone() -> None:
    draft = answerer().answer("harbour bridge repairs Monday", [HARBOUR])
    assert len(draft.citations) >= 2
    kept = keep_citations(draft, lambda c: "12 million" in c.quote)
    assert [c.n for c in kept.citations] == [1] and "12 million" in kept.citations[0].quote
    assert kept.text == f"{kept.citations[0].quote} [1]"
    assert keep_citations(draft, lambda c: False) is draft  # never an answer without quotes
    prose = AnswerDraft("The repairs cost 12 million dollars [1].", True, draft.citations)
    assert keep_citations(prose, lambda c: "12 million" in c.quote) is prose
