"""``course report A``: what the class got wrong, and who copied — a report for instructors.

:mod:`.load` reads the grading results (the only module that knows where they are),
:mod:`.summary` turns them into the report's data, :mod:`.similarity` finds near-identical
graded functions, :mod:`.render` writes the HTML page, ``report.json`` and the CSVs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from . import similarity


def write_class_report(
    course_dir: Path,
    assignment: str,
    out: Path | None = None,
    threshold: float = similarity.DEFAULT_THRESHOLD,
    min_shared: float = similarity.DEFAULT_MIN_SHARED,
) -> Path:
    """Report of one assignment of the course in ``course_dir``; returns the HTML page's path
    (default ``<course_dir>/reports/<assignment>/index.html``)."""
    from .load import graded_names, load_class, reference_sources, stub_sources, task_titles
    from .render import write_report
    from .summary import build_report

    course_dir = Path(course_dir).resolve()
    results = load_class(course_dir, assignment)
    graded = graded_names(assignment)
    data = build_report(
        results,
        task_titles(assignment),
        graded,
        stub_sources(graded),
        reference_sources(graded),
        threshold,
        min_shared,
    )
    data["assignment"] = assignment
    return write_report(data, out or course_dir / "reports" / assignment, str(course_dir))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(
        prog="course report",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("assignments", nargs="*", help="default: every graded assignment")
    p.add_argument("--course-dir", default=".")
    p.add_argument(
        "--out",
        help="output folder (one assignment only); default <course-dir>/reports/<assignment>/",
    )
    p.add_argument(
        "--similarity-threshold",
        type=float,
        default=similarity.DEFAULT_THRESHOLD,
        help="pair score from which two submissions are flagged (default %(default)s)",
    )
    p.add_argument(
        "--min-shared",
        type=float,
        default=similarity.DEFAULT_MIN_SHARED,
        help="weighted fingerprints a flagged pair must share (default %(default)s)",
    )
    args = p.parse_args(argv)
    from .load import graded_assignments

    root = Path(args.course_dir).resolve()
    assignments = args.assignments or graded_assignments(root)
    if not assignments:
        p.error(f"no graded assignment in {root} (run `course grade` first)")
    if args.out and len(assignments) > 1:
        p.error("--out takes one assignment")
    for a in assignments:
        page = write_class_report(
            root,
            a,
            Path(args.out) if args.out else None,
            args.similarity_threshold,
            args.min_shared,
        )
        print(f"class report of {a}: {page} (+ report.json, *.csv)")
    return 0
