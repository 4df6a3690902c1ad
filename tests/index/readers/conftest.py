"""Prints how many fuzz cases each reader was given (tests/index/readers/test_fuzz.py)."""

from __future__ import annotations

import sys
from typing import Any


def pytest_terminal_summary(terminalreporter: Any) -> None:
    fuzz = sys.modules.get("tests.index.readers.test_fuzz")
    cases = getattr(fuzz, "CASES", None)
    if not cases:
        return
    terminalreporter.section("fuzz cases tried per reader")
    for reader, count in sorted(cases.items()):
        terminalreporter.write_line(f"{reader:28} {count:6}")
    terminalreporter.write_line(f"{'total':28} {sum(cases.values()):6}")
