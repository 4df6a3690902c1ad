"""newsdesk for LangChain users: the search as a retriever, and the answer service as a Runnable.

    retriever = NewsdeskRetriever(service=qa, k=5)
    docs = retriever.invoke("Where is the fiercest fighting?")   # Documents, citation metadata
    answer = answer_runnable(qa).invoke("What did Zelenskiy say?")  # qa.models.Answer

Both call the same QAService as the API and the web UI; each Document's metadata carries its
citation: article, paragraph, title, outlet (source), date (published) and url.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableLambda
from pydantic import ConfigDict

from qa.models import Answer, Passage
from qa.requests import AskQuery, Filters, asking, searching
from qa.service import QAService


def document(passage: Passage) -> Document:
    """A passage as a LangChain Document: its text, and its citation as metadata."""
    return Document(
        id=passage.paragraph_id,
        page_content=passage.text,
        metadata={
            "article_id": passage.article_id,
            "paragraph_id": passage.paragraph_id,
            "paragraph": passage.paragraph,
            "title": passage.title,
            "source": passage.source,
            "published": passage.published,
            "url": passage.url,
            "rank": passage.rank,
            "score": passage.score,
        },
    )


class NewsdeskRetriever(BaseRetriever):
    """The top ``k`` passages of newsdesk's hybrid search, as Documents, best first."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    service: QAService
    k: int = 10
    filters: Filters | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        request = searching(query, k=self.k, filters=self.filters)
        return [document(p) for p in self.service.search(request)]


def answer_runnable(service: QAService) -> Runnable[Any, Answer]:
    """The answer service as a Runnable: its input is a question (str), a mapping of AskQuery's
    fields ({"question": ..., "history": [...], "mode": "llm"}) or an AskQuery; its output
    the Answer, citations included. A rejected question raises qa.errors.QuestionRejected."""
    return RunnableLambda(lambda given: service.ask(_query(given)), name="newsdesk_answer")


def _query(given: Any) -> AskQuery:
    if isinstance(given, AskQuery):
        return given
    if isinstance(given, str):
        return asking(given)
    if isinstance(given, Mapping):
        fields = dict(given)
        return asking(fields.pop("question", ""), fields.pop("history", None), **fields)
    raise TypeError(f"ask with a question, a mapping or an AskQuery, not {type(given).__name__}")
