"""newsdesk inside real LangChain chains: the retriever's Documents carry their citation, and
the answer service runs as a Runnable (fakes for the index and the chat model)."""

from __future__ import annotations

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnablePassthrough

from qa.chains import NewsdeskRetriever, answer_runnable
from qa.config import QASettings
from qa.errors import QuestionRejected
from qa.models import Answer, Passage
from qa.requests import Filters, asking
from qa.service import QAService
from tests.qa.test_service import ConstantEmbedder, RecordingRetriever

PASSAGE = Passage(
    rank=1, article_id="kyiv-1", paragraph_id="kyiv-1#3", title="Front line", url="https://x.test/a",
    published="2026-11-30", source="Wire", paragraph=3, score=0.7,
    text="The fiercest fighting is around Pokrovsk, the general staff said.",
)  # fmt: skip


def service() -> tuple[QAService, RecordingRetriever]:
    retriever = RecordingRetriever([PASSAGE])
    return QAService(retriever, ConstantEmbedder(), QASettings()), retriever


def test_the_retriever_gives_documents_with_their_citation() -> None:
    qa, calls = service()
    filters = Filters(source="Wire")
    docs = NewsdeskRetriever(service=qa, k=3, filters=filters).invoke("Where is the fighting?")
    assert [d.page_content for d in docs] == [PASSAGE.text]
    assert docs[0].id == "kyiv-1#3"
    assert docs[0].metadata == {
        "article_id": "kyiv-1", "paragraph_id": "kyiv-1#3", "paragraph": 3,
        "title": "Front line", "source": "Wire", "published": "2026-11-30",
        "url": "https://x.test/a", "rank": 1, "score": 0.7,
    }  # fmt: skip
    query, k, search_filters, _ = calls.calls[-1]
    assert (query, k) == ("Where is the fighting?", 3)
    assert search_filters == filters.search_filters()


def test_the_retriever_runs_inside_a_chain_with_a_chat_model() -> None:
    qa, _ = service()
    prompt = ChatPromptTemplate.from_template("Passages:\n{context}\n\nQuestion: {question}")
    seen: list[str] = []

    def context(docs: list) -> str:
        text = "\n".join(f"[{d.metadata['title']}] {d.page_content}" for d in docs)
        seen.append(text)
        return text

    chain = (
        {"context": NewsdeskRetriever(service=qa) | context, "question": RunnablePassthrough()}
        | prompt
        | FakeListChatModel(responses=["Around Pokrovsk."])
        | StrOutputParser()
    )
    assert chain.invoke("Where is the fiercest fighting?") == "Around Pokrovsk."
    assert seen == [f"[Front line] {PASSAGE.text}"]


def test_the_answer_service_is_a_runnable_taking_text_mappings_or_queries() -> None:
    qa, _ = service()
    runnable = answer_runnable(qa)
    by_text = runnable.invoke("Where is the fiercest fighting?")
    assert isinstance(by_text, Answer) and by_text.found
    assert by_text.citations[0].article_id == "kyiv-1"
    by_mapping = runnable.invoke({"question": "Where is the fiercest fighting?", "k": 2})
    assert by_mapping.answer == by_text.answer
    batch = runnable.batch([asking("Where is the fiercest fighting?")] * 2)
    assert [a.answer for a in batch] == [by_text.answer] * 2
    with pytest.raises(QuestionRejected):
        runnable.invoke({"question": " "})
