"""Elliptic follow-ups: "And what about Kupiansk?" asks the previous question again, about a
new focus. One reader of them for the conversation rewrite and for speaker questions."""

from __future__ import annotations

import re

from index.words import word_set

_ELLIPSIS = re.compile(
    r"^(?:and|but|also)?[\s,]*(?:(?:what|how)\s+about|and|about)\s+"
    r"(?:(?:in|at|on|for|with|near)\s+)?(?P<focus>[^?]{1,60}?)\s*[?.!]*$",
    re.IGNORECASE,
)
# Words that open a question of its own ("And what about why ...?" is not a focus).
QUESTION_OPENERS = word_set(
    "what whats where who whom whose when why how which is are was were did does do can could will "
    "would has have had should"
)
# A focus with a pronoun points back instead of naming something new.
_PRONOUNS = word_set("he she they him her them his their hers theirs it its")
MAX_FOCUS_WORDS = 5


def elliptic_focus(question: str) -> str | None:
    """The new focus of an elliptic follow-up ("And what about Kupiansk?" -> "Kupiansk"), a
    place before it dropped ("And what about in Kupiansk?" -> "Kupiansk"); None for any
    other question, and for a focus that is a question or holds a pronoun."""
    match = _ELLIPSIS.match(" ".join(question.split()))
    if match is None:
        return None
    focus = match.group("focus").strip(" ,.")
    words = focus.lower().split()
    if not words or len(words) > MAX_FOCUS_WORDS or words[0] in QUESTION_OPENERS:
        return None
    if any(word.strip(".,;:!") in _PRONOUNS for word in words):
        return None
    return focus
