"""Limits of the article and speaker endpoints and commands (a question's are in qa.requests).
They are part of the OpenAPI schema (pydantic Field constraints), so they are fixed rather than
configurable. A module of its own, without pydantic, so the command line starts fast."""

MAX_PAGE = 500
MAX_OFFSET = 1_000_000
MAX_TEXT_CHARS = 2_000_000
