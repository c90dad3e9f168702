"""The development table: the reference, the blank stubs and each catalogued mistake of one
assignment (the example class, :mod:`.examples`), graded in-process by the score stage (trusted
code only)::

    python -m autograder.dev_table 05_batchnorm [--verbose]

A tool on top of the stages, not one of them: it builds the stubs (``build``), which make the
public fixtures from the score stage, so it cannot live inside ``score``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from .examples import example_packages
from .score.submission import InProcessSubmission
from .score.suite import SuiteReport, run_suite
from .table import format_table


def dev_table(assignment: str) -> list[tuple[str, SuiteReport]]:
    """Grade the reference, the blank stubs and each catalogued mistake of ``assignment``: the
    example class (:func:`autograder.examples.example_packages`), in-process."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for ex in example_packages(assignment, Path(tmp)):
            label = {"reference": "reference", "blank_stubs": "blank stubs"}.get(ex.name)
            if label is None and ex.mistake is not None:
                label = f"{ex.task} {ex.mistake.name}"
            with InProcessSubmission(ex.package, label or ex.name) as sub:
                rows.append((label or ex.name, run_suite(assignment, sub)))
    return rows


def format_dev_table(assignment: str, rows) -> str:
    """The development table, in the grade table's format (:func:`.table.format_table`)."""
    table = []
    for label, rep in rows:
        scores = rep.task_scores()
        table.append(
            {
                "student": label,
                "assignment": assignment,
                "tasks": {f"task_{t.replace('.', '_')}": e for t, (e, _) in scores.items()},
                "total": sum(e for e, _ in scores.values()),
                "max": sum(p for _, p in scores.values()),
                "mistakes": [f"{t} {m}" for t in scores for m in rep.mistakes(t)],
                "errors": [],
                "reasons": [],
                "failure": None,
            }
        )
    return f"Hidden suite of {assignment}\n" + format_table(table, label="submission")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autograder.dev_table",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("assignment", help="e.g. 05_batchnorm")
    parser.add_argument("--verbose", action="store_true", help="print every failure's feedback")
    args = parser.parse_args(argv)
    rows = dev_table(args.assignment)
    print(format_dev_table(args.assignment, rows))
    if args.verbose:
        for label, rep in rows:
            print(f"\n== {label}")
            for task in rep.task_scores():
                print(rep.feedback(task))
    return 0


if __name__ == "__main__":
    sys.exit(main())
