"""The ``course`` command (argparse subcommands; ``course COMMAND --help`` for each).

course build [--check]                 generate course_lib/ and notebooks/ from solutions/
course bundle [--out DIR]              the zip students receive (no solutions, no hidden suites)
course check TASK                      a task's public checks (student side)
course status [A]                      every task's state, which notebooks are ready (student)
course submit A [--out ZIP]            zip a submission of assignment A (student side)
course grade [A ...] [--student S] [--workers N] [--course-dir D] [--force]
course feedback [A ...] [--student S] [--course-dir D]   stock nbgrader generate_feedback
course export [--course-dir D] [--out grades.csv]        CSV: points per task, mistakes, error
course demo                            build, grade and show the demo class
course report [A ...] [--course-dir D] [--similarity-threshold T]   class report
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import REPO, __version__


def _course_dir(args: argparse.Namespace) -> Path:
    return Path(args.course_dir or ".").resolve()


def cmd_build(args: argparse.Namespace) -> int:
    from .build.command import run_build

    return run_build(check=args.check, release=not args.no_release)


def cmd_bundle(args: argparse.Namespace) -> int:
    from .build.bundle import BundleError, make_bundle

    try:
        path = make_bundle(Path(args.out))
    except BundleError as exc:
        print(f"course bundle: refused: {exc}", file=sys.stderr)
        return 1
    print(f"course bundle: wrote {path}")
    return 0


def cmd_grade(args: argparse.Namespace) -> int:
    """Exit status: 0 when every grade is current; 1 when some submission failed; 3 when some
    were not graded (the grader's or the machine's failure: rerun); 130 on Ctrl-C."""
    from . import sandbox
    from .export import format_table, grade_rows
    from .jobs.pool import Interrupted, grade

    root = _course_dir(args)
    if sandbox.notice():
        print(sandbox.notice(), file=sys.stderr)
    try:
        run = grade(root, args.assignments or None, args.student, args.workers, args.force)
    except Interrupted as exc:
        print(f"\n{exc} ({len(exc.done)} job(s) finished before)", file=sys.stderr)
        return 130
    except KeyboardInterrupt:  # before any job started
        print(f"\n{Interrupted([])}", file=sys.stderr)
        return 130
    failed, not_graded = run.failed, run.not_graded
    print(
        f"graded {run.graded} submission(s) ({run.stale} stale: the submission or the grader "
        f"changed), {run.skipped} current and skipped, {len(failed) - len(not_graded)} with "
        f"errors, {len(not_graded)} not graded"
    )
    for r in run.reports:
        for e in r.messages():
            print(f"  {r.student}/{r.assignment}: {e.splitlines()[0]}")
    print(format_table(grade_rows(root)))
    if not_graded:
        print(f"{len(not_graded)} submission(s) not graded: rerun `course grade`", file=sys.stderr)
        return 3
    return 1 if failed else 0


def cmd_feedback(args: argparse.Namespace) -> int:
    from .feedback import generate_feedback

    root = _course_dir(args)
    rc = generate_feedback(root, args.assignments, args.student)
    print(f"feedback HTML: {root / 'feedback'}/<student>/<assignment>/<notebook>.html")
    return rc


def cmd_export(args: argparse.Namespace) -> int:
    from .export import export_csv

    root = _course_dir(args)
    if args.out == "-":
        export_csv(root, sys.stdout, args.db_url)
    else:
        with open(args.out, "w", newline="") as fh:
            n = export_csv(root, fh, args.db_url)
        print(f"wrote {n} row(s) to {args.out}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import main as demo_main

    return demo_main(args)


def cmd_report(args: argparse.Namespace) -> int:
    from .class_report import main as report_main

    return int(report_main(args.report_args))


def parser() -> argparse.ArgumentParser:
    from course_lib.cli import add_student_commands

    from .build.command import DESCRIPTION as BUILD_DESCRIPTION
    from .demo import __doc__ as demo_doc
    from .demo import add_arguments as add_demo_arguments

    top = argparse.ArgumentParser(
        prog="course", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    top.add_argument("--version", action="version", version=f"course {__version__}")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("build", help="generate course_lib/ and notebooks/ from solutions/",
                       description=BUILD_DESCRIPTION,
                       formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument(
        "--check",
        action="store_true",
        help="regenerate into a temporary directory and fail if anything drifted",
    )
    p.add_argument(
        "--no-release",
        action="store_true",
        help="skip the release notebooks (nbgrader), build only fixtures and stubs",
    )
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("bundle", help="the zip students receive")
    p.add_argument("--out", default=str(REPO / "dist"), help="output directory (default: dist/)")
    p.set_defaults(func=cmd_bundle)

    add_student_commands(sub)

    def course_dir(p: argparse.ArgumentParser) -> None:
        p.add_argument("--course-dir", help="the nbgrader course directory (default: .)")

    p = sub.add_parser("grade", help="grade the submissions that are not current")
    p.add_argument("assignments", nargs="*")
    p.add_argument("--student")
    p.add_argument("--workers", type=int, default=1)
    course_dir(p)
    p.add_argument("--force", action="store_true", help="regrade even current submissions")
    p.set_defaults(func=cmd_grade)

    p = sub.add_parser("feedback", help="feedback HTML (stock nbgrader generate_feedback)")
    p.add_argument("assignments", nargs="*")
    p.add_argument("--student")
    course_dir(p)
    p.set_defaults(func=cmd_feedback)

    p = sub.add_parser("export", help="CSV: points per task, named mistakes, error")
    course_dir(p)
    p.add_argument("--out", default="-")
    p.add_argument("--db-url")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("demo", help="build, grade and show the demo class",
                       description=demo_doc)  # fmt: skip
    add_demo_arguments(p)
    p.set_defaults(func=cmd_demo)

    # The class report parses its own options (``course report --help``).
    p = sub.add_parser("report", add_help=False, help="class report (HTML, CSV, JSON)")
    p.add_argument("report_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_report)
    return top


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    if not argv:
        parser().print_help()
        return 0
    args = parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
