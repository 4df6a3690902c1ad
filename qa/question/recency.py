"""As-of dates: questions asked "as of" a day prefer the articles published in the days before."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

_DATE = re.compile(r"^\s*(\d{4})[-/](\d{1,2})[-/](\d{1,2})\s*$")


def parse_day(value: object) -> date | None:
    """A calendar day: a date as it is, ``"2024-04-18"`` or ``"2024/04/18"`` as that date, None
    or blank text as None. Raises ValueError for anything else, saying which format is
    expected (it is the validator of qa.requests.Day)."""
    if value is None or isinstance(value, date):
        return value
    if isinstance(value, str) and not value.strip():
        return None
    match = _DATE.match(value) if isinstance(value, str) else None
    try:
        if match is not None:
            return date(*(int(part) for part in match.groups()))
    except ValueError:
        pass  # a day that does not exist (2024-02-30)
    raise ValueError(f"must be a date YYYY-MM-DD, not {value!r}")


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
