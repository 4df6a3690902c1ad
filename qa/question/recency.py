"""As-of dates: questions asked "as of" a day prefer the articles published in the days before."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from qa.errors import QuestionRejected

_DATE = re.compile(r"^\s*(\d{4})[-/](\d{1,2})[-/](\d{1,2})\s*$")


def parse_as_of(value: str | None) -> date | None:
    """``"2024-04-18"`` or ``"2024/04/18"`` -> that date; None or "" -> None.

    Raises QuestionRejected for anything else, saying which format is expected.
    """
    if value is None or not value.strip():
        return None
    match = _DATE.match(value)
    try:
        if match is None:
            raise ValueError(value)
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise QuestionRejected(
            f"as-of date {value!r} is not a date: use YYYY-MM-DD or YYYY/MM/DD"
        ) from None


@dataclass(frozen=True)
class RecencyWindow:
    """The ``days`` before an as-of day, inclusive of both ends."""

    as_of: date
    days: int

    @cached_property  # placement() runs for every candidate of every ranked list
    def start(self) -> str:
        """First day of the window, YYYY-MM-DD."""
        return (self.as_of - timedelta(days=self.days)).isoformat()

    @cached_property
    def end(self) -> str:
        """The as-of day, YYYY-MM-DD."""
        return self.as_of.isoformat()

    def placement(self, published: str) -> str:
        """Where a YYYY-MM-DD date lies: "inside", "after", "before" or "unknown"."""
        if len(published) < 10:
            return "unknown"
        day = published[:10]
        if day > self.end:
            return "after"
        return "inside" if day >= self.start else "before"
