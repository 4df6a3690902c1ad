"""The lines every face says beside an LLM answer, worded once (the chat, the OpenAI-compatible
endpoint)."""

from __future__ import annotations


def removed_note(n: int) -> str:
    """That ``n`` (at least 1) of the LLM's sentences were left out by the citation check."""
    return (
        f"{n} sentence{'s' if n > 1 else ''} of the LLM's answer left out: the passages cited"
        f" do not support {'them' if n > 1 else 'it'}."
    )
