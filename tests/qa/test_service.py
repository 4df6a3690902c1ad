"""QAService: rewriting, retrieval options, rejections (fakes); answers over the sample article
with the real model and the real retriever (slow)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from index.filters import SearchFilters
from qa.answer.draft import AnswerDraft, answer_text
from qa.config import QASettings
from qa.errors import QuestionRejected
from qa.models import Citation, Passage, Turn
from qa.question.reading import read_question
from qa.requests import MAX_QUESTION_CHARS, asking, searching
from qa.retrieval.base import Retrieval
from qa.service import QAService
from tests.conftest import FakeEmbedder

PARAGRAPH = "Clashes were reported in Kupiansk on Tuesday. Officials said little else."


class ConstantEmbedder(FakeEmbedder):
    """Every text gets the same unit vector: cosine 1.0 everywhere."""

    def __init__(self) -> None:
        super().__init__(4)

    def vector(self, text: str) -> np.ndarray:
        return np.ones(4, dtype=np.float32) / 2.0


class RecordingRetriever:
    """Returns the given passages (by default one fixed passage) for every query, and records
    every search call."""

    def __init__(self, passages: list[Passage] | None = None) -> None:
        self.calls: list[tuple[str, int, SearchFilters | None, date | None]] = []
        self.passages = passages or [
            Passage(rank=1, article_id="a", paragraph_id="a#2", title="Front", paragraph=2,
                    text=PARAGRAPH, score=1.0)
        ]  # fmt: skip

    def search(
        self,
        query: str,
        k: int = 10,
        filters: SearchFilters | None = None,
        as_of: date | None = None,
    ) -> list[Passage]:
        self.calls.append((query, k, filters, as_of))
        return self.passages

    def retrieve(
        self,
        query: str,
        k: int = 10,
        filters: SearchFilters | None = None,
        as_of: date | None = None,
    ) -> Retrieval:
        return Retrieval(self.search(query, k, filters, as_of))


def fake_service(**settings: Any) -> tuple[QAService, RecordingRetriever]:
    retriever = RecordingRetriever()
    return QAService(retriever, ConstantEmbedder(), QASettings(**settings)), retriever


def test_ask_searches_the_rewritten_question_with_the_options() -> None:
    service, retriever = fake_service(top_k=7)
    history = [Turn(question="Where is the fiercest fighting around Pokrovsk?")]
    answer = service.ask(
        asking("And Kupiansk?", history, filters={"source": "Reuters"}, as_of="2025-09-01")
    )
    assert answer.question == "And Kupiansk?"
    assert answer.rewritten == "Where is the fiercest fighting around Kupiansk?"
    assert retriever.calls == [(answer.rewritten, 7, SearchFilters("Reuters"), date(2025, 9, 1))]
    assert answer.found and answer.took_ms > 0
    assert answer.citations[0].quote == "Clashes were reported in Kupiansk on Tuesday."
    assert answer.citations[0].paragraph == 2


def passage(rank: int, article_id: str, text: str) -> Passage:
    return Passage(rank=rank, article_id=article_id, paragraph_id=f"{article_id}#{rank}",
                   title="Front", paragraph=rank, text=text, score=1.0 / rank)  # fmt: skip


ZELENSKIY = Turn(question="What did Zelenskiy say?", answer="Zelenskiy said Kyiv expected it.")
STATEMENT = "Zelenskiy said Kyiv expected Moscow to intensify its offensives."


def test_a_borrowed_subject_that_misses_the_question_is_answered_as_asked_in_its_article() -> None:
    retriever = RecordingRetriever([passage(1, "a", STATEMENT), passage(2, "a", PARAGRAPH)])
    service = QAService(retriever, ConstantEmbedder(), QASettings())
    answer = service.ask(asking("Where were clashes reported?", [ZELENSKIY]))
    searched = "Where were clashes reported regarding Zelenskiy?"
    assert [call[0] for call in retriever.calls] == [searched]  # one search
    assert answer.rewritten == searched
    assert answer.citations[0].quote == "Clashes were reported in Kupiansk on Tuesday."
    assert "Zelenskiy" not in answer.answer


def test_the_question_as_asked_is_not_answered_from_another_article() -> None:
    retriever = RecordingRetriever([passage(1, "a", STATEMENT), passage(2, "b", PARAGRAPH)])
    service = QAService(retriever, ConstantEmbedder(), QASettings())
    answer = service.ask(asking("Where were clashes reported?", [ZELENSKIY]))
    assert {c.article_id for c in answer.citations} == {"a"}
    assert answer.citations[0].quote == STATEMENT


class FirstPassageAnswerer:
    """Quotes the first passage whole (the last one for the question ``last_for``), or
    refuses when the question is ``refuse``."""

    def __init__(self, refuse: str = "", last_for: str = "") -> None:
        self.refuse = refuse
        self.last_for = last_for
        self.asked: list[tuple[str, list[str]]] = []

    def answer(
        self, question: str, passages: Sequence[Passage], vector: Any = None, sentences: Any = None
    ) -> AnswerDraft:
        self.asked.append((question, [p.paragraph_id for p in passages]))
        if question == self.refuse or not passages:
            return AnswerDraft(text="No indexed article answers this question.", found=False)
        first = passages[-1] if question == self.last_for else passages[0]
        citation = Citation(n=1, article_id=first.article_id, title=first.title,
                            paragraph=first.paragraph, quote=first.text,
                            span=(0, len(first.text)), score=1.0)  # fmt: skip
        return AnswerDraft(text=f"{first.text} [1]", found=True, citations=[citation])


def test_an_as_asked_answer_that_fails_keeps_the_borrowed_answer() -> None:
    retriever = RecordingRetriever([passage(1, "a", STATEMENT), passage(2, "a", PARAGRAPH)])
    answerer = FirstPassageAnswerer(refuse="Where were clashes reported?")
    service = QAService(retriever, ConstantEmbedder(), QASettings(), answerer=answerer)
    answer = service.ask(asking("Where were clashes reported?", [ZELENSKIY]))
    assert [question for question, _ in answerer.asked] == [
        "Where were clashes reported regarding Zelenskiy?",
        "Where were clashes reported?",
    ]
    assert answer.found and answer.citations[0].quote == STATEMENT


def test_after_a_refusal_the_question_as_asked_is_answered_in_the_best_passage_s_article() -> None:
    retriever = RecordingRetriever(
        [passage(1, "b", PARAGRAPH), passage(2, "a", STATEMENT), passage(3, "b", "More clashes.")]
    )
    answerer = FirstPassageAnswerer(refuse="Where were clashes reported regarding Zelenskiy?")
    service = QAService(retriever, ConstantEmbedder(), QASettings(), answerer=answerer)
    answer = service.ask(asking("Where were clashes reported?", [ZELENSKIY]))
    assert answerer.asked[1] == ("Where were clashes reported?", ["b#1", "b#3"])
    assert answer.found and answer.citations[0].quote == PARAGRAPH


def test_an_as_asked_answer_off_the_question_keeps_the_borrowed_answer() -> None:
    quiet = "Officials gave no figures on Tuesday."
    retriever = RecordingRetriever([passage(1, "a", STATEMENT), passage(2, "a", quiet)])
    answerer = FirstPassageAnswerer(last_for="Where were clashes reported?")
    service = QAService(retriever, ConstantEmbedder(), QASettings(), answerer=answerer)
    answer = service.ask(asking("Where were clashes reported?", [ZELENSKIY]))
    assert len(answerer.asked) == 2  # the as-asked answer quoted the quiet night: not kept
    assert answer.citations[0].quote == STATEMENT


def test_a_borrowed_subject_whose_answer_fits_is_kept() -> None:
    retriever = RecordingRetriever([passage(1, "a", STATEMENT), passage(2, "a", PARAGRAPH)])
    answerer = FirstPassageAnswerer()
    service = QAService(retriever, ConstantEmbedder(), QASettings(), answerer=answerer)
    answer = service.ask(asking("What was expected?", [ZELENSKIY]))
    assert [call[0] for call in retriever.calls] == ["What was expected regarding Zelenskiy?"]
    assert [question for question, _ in answerer.asked] == [
        "What was expected regarding Zelenskiy?"
    ]  # answered once
    assert answer.citations[0].quote == STATEMENT


class ReadingOrderAnswerer(FirstPassageAnswerer):
    """Quotes every passage, in passage order, scored by the given scores."""

    def __init__(self, scores: list[float]) -> None:
        super().__init__()
        self.scores = scores

    def answer(
        self, question: str, passages: Sequence[Passage], vector: Any = None, sentences: Any = None
    ) -> AnswerDraft:
        self.asked.append((question, [p.paragraph_id for p in passages]))
        citations = [
            Citation(
                n=n,
                article_id=p.article_id,
                title=p.title,
                paragraph=p.paragraph,
                quote=p.text,
                span=(0, len(p.text)),
                score=score,
            )
            for n, (p, score) in enumerate(zip(passages, self.scores, strict=True), start=1)
        ]
        return AnswerDraft(
            text=" ".join(c.quote for c in citations), found=True, citations=citations
        )


def test_the_best_scored_quote_decides_not_the_first_in_reading_order() -> None:
    retriever = RecordingRetriever([passage(1, "a", STATEMENT), passage(2, "a", PARAGRAPH)])
    answerer = ReadingOrderAnswerer(scores=[0.5, 0.9])  # [2], on the clashes, is the best
    service = QAService(retriever, ConstantEmbedder(), QASettings(), answerer=answerer)
    service.ask(asking("Where were clashes reported?", [ZELENSKIY]))
    assert len(answerer.asked) == 1


class QuotingAnswerer(ReadingOrderAnswerer):
    """ReadingOrderAnswerer with the extractive answerer's text: each quote and its marker."""

    def answer(
        self, question: str, passages: Sequence[Passage], vector: Any = None, sentences: Any = None
    ) -> AnswerDraft:
        draft = super().answer(question, passages)
        return AnswerDraft(answer_text(draft.citations), True, draft.citations)


def test_a_borrowed_answer_keeps_only_the_quotes_on_the_question_s_own_words() -> None:
    retriever = RecordingRetriever([passage(1, "a", STATEMENT), passage(2, "a", PARAGRAPH)])
    answerer = QuotingAnswerer(scores=[0.5, 0.9])  # [2], on the clashes, is the best
    service = QAService(retriever, ConstantEmbedder(), QASettings(), answerer=answerer)
    answer = service.ask(asking("Where were clashes reported?", [ZELENSKIY]))
    assert [c.quote for c in answer.citations] == [PARAGRAPH]  # Zelenskiy's words left out
    assert answer.citations[0].n == 1 and answer.answer == f"{PARAGRAPH} [1]"


def test_a_name_less_follow_up_whose_borrowed_form_is_too_long_is_searched_as_asked() -> None:
    service, retriever = fake_service()
    names = ", ".join(f"Kov{a}{b}enko" for a in "abcdefghijklm" for b in "abcdefghijklm")
    previous = Turn(question=f"What did {names} say about Kupiansk and Pokrovsk?")
    assert len(read_question("Any casualties?", [previous]).standalone) > MAX_QUESTION_CHARS
    answer = service.ask(asking("Any casualties?", [previous]))
    assert answer.rewritten == "Any casualties?"
    assert [call[0] for call in retriever.calls] == ["Any casualties?"]


def test_k_overrides_the_setting_for_ask_and_search() -> None:
    service, retriever = fake_service()
    service.ask(asking("Where were clashes reported?", k=3))
    passages = service.search(searching("  Kupiansk clashes ", k=2))
    assert [call[1] for call in retriever.calls] == [3, 2]
    assert retriever.calls[1][0] == "Kupiansk clashes"
    assert passages[0].paragraph_id == "a#2"


@pytest.mark.parametrize("question", ["", "   ", "x" * (MAX_QUESTION_CHARS + 1)])
def test_empty_or_too_long_questions_are_rejected(question: str) -> None:
    with pytest.raises(QuestionRejected, match=r"The question is (empty|longer than 2000)"):
        asking(question)
    with pytest.raises(QuestionRejected, match=r"The question is (empty|longer than 2000)"):
        searching(question)


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"k": 0}, "k: Input should be greater than or equal to 1"),
        ({"as_of": "soon"}, "as_of must be a date YYYY-MM-DD, not 'soon'"),
        ({"filters": {"published_to": "May"}}, "filters.published_to must be a date"),
    ],
)
def test_a_malformed_option_is_rejected_saying_which(fields: dict[str, Any], problem: str) -> None:
    with pytest.raises(QuestionRejected, match=problem):
        asking("Where?", **fields)


def test_a_day_can_be_written_with_slashes_or_given_as_a_date() -> None:
    assert asking("Where?", as_of="2024/01/10").as_of == date(2024, 1, 10)
    assert asking("Where?", as_of=date(2024, 1, 10)).as_of == date(2024, 1, 10)


def test_a_follow_up_whose_rewrite_would_pass_the_limit_is_searched_as_asked() -> None:
    service, retriever = fake_service()
    long_question = "Where is the fiercest fighting around Pokrovsk " + "today " * 325 + "?"
    assert MAX_QUESTION_CHARS - 10 < len(long_question) <= MAX_QUESTION_CHARS
    answer = service.ask(asking("And what about Kupiansk and the villages north of it?", [
        Turn(question=long_question)
    ]))  # fmt: skip
    assert answer.rewritten == "And what about Kupiansk and the villages north of it?"
    assert retriever.calls[0][0] == answer.rewritten
    short = service.ask(asking("And Kupiansk?", [Turn(question=long_question)]))
    assert short.rewritten == long_question.replace("Pokrovsk", "Kupiansk")


# --- the real model (tests/conftest.py: real_embedder, once per session) over the sample -----


def quoted(answer: Any) -> dict[int, str]:
    return {c.paragraph: c.quote for c in answer.citations}


@pytest.mark.slow
def test_zelenskiy_statement_is_quoted_and_cited(sample_service: QAService) -> None:
    answer = sample_service.ask(asking("What did Zelenskiy say?"))
    assert answer.found
    assert "Kyiv expected Moscow to intensify its offensives" in quoted(answer)[3]
    assert "delivered little meaningful progress" in quoted(answer)[3]
    first = answer.citations[0]
    assert first.paragraph == 3 and first.paragraph_text[slice(*first.span)] == first.quote
    # speaker questions answer "<speaker> <cue> <verbatim statement> [n]" (qa/said/answer.py)
    statement = f"Volodymyr Zelenskiy said that {first.quote} [{first.n}]"
    short = answer.short_answer  # the gist, inside his quote, leads the answer
    assert short is not None and first.span[0] <= short.start < short.end <= first.span[1]
    assert answer.answer == f"{short.text} [{short.citation}]\n\n{statement}"
    assert answer.parts == [f"{short.text} [{short.citation}]\n\n", statement]


@pytest.mark.slow
@pytest.mark.parametrize(
    "question",
    ["Where is the fiercest combat?", "What did Gerasimov say?", "Who won the 2022 World Cup?"],
)
def test_the_parts_of_an_answer_make_up_its_text(sample_service: QAService, question: str) -> None:
    answer = sample_service.ask(asking(question))
    assert answer.parts and "".join(answer.parts) == answer.answer


@pytest.mark.slow
def test_fiercest_combat_is_pokrovsk(sample_service: QAService) -> None:
    answer = sample_service.ask(asking("Where is the fiercest combat?"))
    assert answer.found
    first = answer.citations[0]
    assert first.paragraph == 1
    assert first.quote.startswith("According to Gerasimov, the fiercest combat")
    assert "Pokrovsk" in first.quote and f"{first.quote} [1]" in answer.answer


@pytest.mark.slow
def test_deepstate_reported_clashes_in_kupiansk(sample_service: QAService) -> None:
    answer = sample_service.ask(asking("What did DeepState report?"))
    assert answer.found
    assert quoted(answer)[4].startswith("The well-known military monitoring group DeepState")
    assert "reported clashes in Kupiansk" in answer.answer


@pytest.mark.slow
def test_world_cup_is_refused_with_related_passages(sample_service: QAService) -> None:
    answer = sample_service.ask(asking("Who won the 2022 World Cup?"))
    assert not answer.found
    assert answer.citations == []
    assert "No indexed article answers" in answer.answer
    assert answer.related and all("Gerasimov" in p.title for p in answer.related)


@pytest.mark.slow
def test_follow_up_about_kupiansk_is_rewritten_and_answered(sample_service: QAService) -> None:
    first = sample_service.ask(asking("Where is the fiercest fighting around Pokrovsk?"))
    history = [Turn(question=first.question, rewritten=first.rewritten, answer=first.answer)]
    answer = sample_service.ask(asking("And what about Kupiansk?", history))
    assert answer.rewritten == "Where is the fiercest fighting around Kupiansk?"
    assert answer.found
    kupiansk = [c for c in answer.citations if "Kupiansk" in c.quote]
    assert kupiansk and {c.paragraph for c in kupiansk} <= {2, 4}
    assert answer.citations[0] in kupiansk  # the best-supported sentence names Kupiansk


@pytest.mark.slow
def test_the_guide_s_conversation_zelenskiy_then_fighting_then_kupiansk(
    sample_service: QAService,
) -> None:
    history: list[Turn] = []
    answers = []
    for question in [
        "What did Zelenskiy say?",
        "Where is the fiercest fighting?",
        "And what about Kupiansk?",
    ]:
        answer = sample_service.ask(asking(question, history))
        answers.append(answer)
        history.append(Turn(question=question, rewritten=answer.rewritten, answer=answer.answer))
    zelenskiy, fighting, kupiansk = answers
    assert "Kyiv expected Moscow to intensify its offensives" in zelenskiy.answer
    # searched in Zelenskiy's context, answered as asked: the fighting is not about him
    assert fighting.rewritten == "Where is the fiercest fighting regarding Zelenskiy?"
    assert fighting.found and "Pokrovsk" in fighting.citations[0].quote
    assert "Zelenskiy" not in fighting.answer
    assert "Kupiansk" in kupiansk.rewritten
    assert kupiansk.found and "Kupiansk" in kupiansk.citations[0].quote


@pytest.mark.slow
def test_pronoun_follow_up_names_gerasimov(sample_service: QAService) -> None:
    first = sample_service.ask(asking("What did Gerasimov say?"))
    history = [Turn(question=first.question, rewritten=first.rewritten, answer=first.answer)]
    answer = sample_service.ask(asking("what did he say next?", history))
    assert answer.rewritten == "What did Gerasimov say next?"
    assert answer.found and "Gerasimov" in answer.citations[0].paragraph_text


def test_the_llm_mode_without_an_llm_answers_with_quotes_saying_what_to_set() -> None:
    service, _ = fake_service()
    answer = service.ask(asking("Where were clashes reported?", mode="llm"))
    assert answer.found and answer.mode == "extractive"
    assert answer.notice is not None and "NEWSDESK_LLM_URL" in answer.notice
    assert service.ask(asking("Where were clashes reported?")).notice is None


def test_the_llm_mode_streams_the_text_then_the_checked_answer() -> None:
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    from qa.answer.scorer import ExtractiveAnswerer
    from qa.llm.answerer import LLMAnswerer

    reply = "Clashes were reported in Kupiansk on Tuesday [1]."
    retriever = RecordingRetriever()
    scorer = ExtractiveAnswerer(ConstantEmbedder())
    llm = LLMAnswerer(FakeListChatModel(responses=[reply, reply]), scorer)
    service = QAService(retriever, ConstantEmbedder(), QASettings(), answerer=scorer, llm=llm)
    pieces = list(service.ask_stream(asking("Where were clashes reported?", mode="llm")))
    answer = pieces[-1]
    assert "".join(p for p in pieces[:-1] if isinstance(p, str)) == reply
    assert answer.mode == "llm" and answer.answer == f"{reply[:-5]}. [1]"
    assert answer.citations[0].quote == "Clashes were reported in Kupiansk on Tuesday."
    # The server's default mode is extractive: the same service quotes without the LLM.
    assert service.ask(asking("Where were clashes reported?")).mode == "extractive"
    default_llm = QAService(
        retriever, ConstantEmbedder(), QASettings(answer_mode="llm"), answerer=scorer, llm=llm
    )
    assert default_llm.ask(asking("Where were clashes reported?")).mode == "llm"


@pytest.mark.slow
def test_the_openvino_engine_answers_the_guide_questions_as_torch_does(
    tmp_path: Path, sample_service: QAService, real_reader: Any
) -> None:
    from index.components import build_index
    from index.config import IndexSettings
    from index.readers.inputs import read_inputs
    from qa.components import build_qa
    from qa.config import QASettings
    from tests.conftest import SAMPLE

    settings = IndexSettings(data_dir=tmp_path / "data", embed_engine="openvino")
    components = build_index(settings)  # the engine made from the settings, as at startup
    assert components.embedder.engine == "openvino"  # type: ignore[attr-defined]
    assert components.service.add(read_inputs([str(SAMPLE)])).added
    service = build_qa(components, QASettings(), real_reader)
    guide = ["Where is the fiercest combat?", "What did Zelenskiy say?",
             "And what about Kupiansk?", "Who is Russia's top military commander?"]  # fmt: skip
    for question in guide:
        ours, theirs = service.ask(asking(question)), sample_service.ask(asking(question))
        assert ours.found == theirs.found, question
        assert [(c.paragraph, c.quote) for c in ours.citations[:1]] == [
            (c.paragraph, c.quote) for c in theirs.citations[:1]
        ], question
