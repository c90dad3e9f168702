"""The markers of the sources: solution regions (replaced in the stubs) and hidden-test regions
of nbgrader test cells (kept out of everything a student or a student's code sees)."""

from __future__ import annotations

import re

SOLUTION_BEGIN, SOLUTION_END = "### BEGIN SOLUTION", "### END SOLUTION"
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
# Every marker; each must stand alone on its line.
MARKERS = (SOLUTION_BEGIN, SOLUTION_END, HIDDEN_BEGIN, HIDDEN_END)
HIDDEN_REGION = re.compile(rf"^[ \t]*{HIDDEN_BEGIN}.*?^[ \t]*{HIDDEN_END}[^\n]*\n?", re.S | re.M)


def strip_hidden(source: str) -> str:
    """``source`` without its hidden-test regions."""
    return HIDDEN_REGION.sub("", source).rstrip()


def has_hidden(source: str) -> bool:
    """Whether ``source`` holds a hidden-test region (or a stray marker of one)."""
    return HIDDEN_BEGIN in source or HIDDEN_END in source
