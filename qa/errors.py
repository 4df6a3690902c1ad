"""The question-answering layer's exception family; the edges (CLI, API, UI) translate these."""


class QAError(Exception):
    """Base class of every error the qa package raises on purpose."""


class QuestionRejected(QAError):
    """The question cannot be asked as given (empty, too long, or a malformed option such as
    an as-of date); the message says why, in words fit to show the user."""


class RetrievalUnavailable(QAError):
    """The indexes cannot be searched right now (vector store or catalog unreachable)."""


class LLMNotConfigured(QAError):
    """The LLM mode is the default (NEWSDESK_ANSWER_MODE=llm) but no LLM is configured."""
