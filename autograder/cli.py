"""The ``course`` command (argparse subcommands; ``course COMMAND --help`` for each).

course build [--check]                 generate course_lib/ and notebooks/ from solutions/
course bundle [--out DIR]              the zip students receive (no solutions, no hidden suites)
course check TASK                      a task's public checks (student side)
course status [A]                      every task's state, which notebooks are ready (student)
course submit A [--out ZIP]            zip a submission of assignment A (student side)
course collect SOURCE... [--assignment A] [--student S] [--course-dir D]
                                       zips or folders (LMS downloads) into submitted/
course grade [A ...] [--student S] [--workers N | --cluster ADDRESS] [--course-dir D] [--force]
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


class CommandError(Exception):
    """A ``course`` command cannot run: the message is the one line the user sees."""


def _course_dir(args: argparse.Namespace) -> Path:
    """The course directory (``--course-dir``, default ``.``), after checking it is one: an
    nbgrader course holds ``nbgrader_config.py``. Nothing is created before this check (a typo
    in the wrong folder must not leave a stray ``gradebook.db``)."""
    given = getattr(args, "course_dir", None)
    root = Path(given or ".").resolve()
    if given and not root.exists():
        raise CommandError(f"--course-dir {given}: no such folder")
    if not root.is_dir():
        raise CommandError(f"--course-dir {given}: not a folder")
    if not (root / "nbgrader_config.py").is_file():
        where = f"--course-dir {given}" if given else f"the current folder ({root})"
        raise CommandError(
            f"{where} is not a course folder (no nbgrader_config.py): run in the course "
            "directory or pass --course-dir"
        )
    return root


def course_assignments(root: Path) -> list[str]:
    """The assignments of the course in ``root``: its release folders that hold a notebook."""
    from .record.course import release_dir

    rel = release_dir(root)
    return sorted(d.name for d in rel.glob("*") if d.is_dir() and any(d.glob("*.ipynb")))


def _check_assignments(root: Path, names: list[str] | None) -> list[str]:
    """``names`` if each is an assignment of the course, else :class:`CommandError`."""
    known = course_assignments(root)
    for name in names or []:
        if name not in known:
            raise CommandError(
                f"unknown assignment {name!r}; this course has: {', '.join(known) or 'none'}"
            )
    return list(names or [])


def _listing(names: list[str], most: int = 8) -> str:
    shown = ", ".join(names[:most])
    return shown + (f", … ({len(names)} in all)" if len(names) > most else "") if names else "none"


def _students(root: Path, folder: str, assignments: list[str]) -> list[str]:
    """Students with a folder in ``root/folder`` (``submitted``, ``autograded``) holding one of
    ``assignments`` (any assignment if empty)."""
    base = root / folder
    if not base.is_dir():
        return []
    return sorted(
        s.name
        for s in base.iterdir()
        if s.is_dir()
        and not s.is_symlink()
        and any((s / a).is_dir() for a in assignments or [d.name for d in s.iterdir()])
    )


def _check_student(root: Path, folder: str, student: str | None, assignments: list[str]) -> None:
    """:class:`CommandError` unless ``folder`` (``submitted``/``autograded``) holds something of
    ``student`` (or of anyone, without ``--student``) for ``assignments``."""
    what = " of " + ", ".join(assignments) if assignments else ""
    students = _students(root, folder, assignments)
    verb = "collected (course collect)" if folder == "submitted" else "graded (course grade)"
    if student is None:
        if not students:
            raise CommandError(f"no submission{what} in {root / folder} yet: none {verb}")
        return
    if student not in students:
        anywhere = _students(root, folder, [])
        detail = (
            f"{student!r} has a folder in {folder}/ but nothing{what}"
            if student in anywhere
            else f"unknown student {student!r}"
        )
        raise CommandError(f"{detail}; students with a submission{what}: {_listing(students)}")


def cmd_build(args: argparse.Namespace) -> int:
    from .build.command import run_build

    return run_build(check=args.check, release=not args.no_release, force=args.force)


def cmd_bundle(args: argparse.Namespace) -> int:
    from .build.bundle import BundleError, make_bundle

    try:
        path = make_bundle(Path(args.out))
    except BundleError as exc:
        print(f"course bundle: refused: {exc}", file=sys.stderr)
        return 1
    print(f"course bundle: wrote {path}")
    return 0


def cmd_release_solutions(args: argparse.Namespace) -> int:
    from .build.closed_solutions import ClosedSolutionsError, release_closed_solutions

    try:
        path = release_closed_solutions(args.assignments, Path(args.out))
    except ClosedSolutionsError as exc:
        raise CommandError(str(exc)) from None
    print(f"course release-solutions: wrote {path} (give it to students once these are closed)")
    return 0


def cmd_grade(args: argparse.Namespace) -> int:
    """Exit status: 0 when every grade is current; 1 when some submission failed; 3 when some
    were not graded (the grader's or the machine's failure: rerun); 130 on Ctrl-C."""
    from . import sandbox
    from .coordinator import Interrupted, grade
    from .export import format_table, grade_rows
    from .jobs.cluster import ClusterError

    root = _course_dir(args)
    assignments = _check_assignments(root, args.assignments)
    _check_student(root, "submitted", args.student, assignments)
    if sandbox.notice():
        print(sandbox.notice(), file=sys.stderr)
    try:
        run = grade(root, assignments or None, args.student, args.workers, args.force,
                    cluster=args.cluster)  # fmt: skip
    except ClusterError as exc:
        raise CommandError(str(exc)) from None
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


def cmd_collect(args: argparse.Namespace) -> int:
    """Exit status: 0 when every source was collected, 1 when some were not."""
    from .collect import CollectError, collect, format_results
    from .record.course import release_notebooks

    root = _course_dir(args)
    if args.assignment:
        _check_assignments(root, [args.assignment])
    assignments = {a: set(release_notebooks(root, a)) for a in course_assignments(root)}
    try:
        results = collect(root, [Path(s) for s in args.sources], assignments, args.assignment,
                          args.student, args.student_regex)  # fmt: skip
    except CollectError as exc:
        raise CommandError(str(exc)) from None
    print(format_results(results))
    failed = [r for r in results if r.error]
    print(f"collected {len(results) - len(failed)} submission(s) into {root / 'submitted'}"
          + (f"; {len(failed)} source(s) not collected" if failed else ""))  # fmt: skip
    return 1 if failed else 0


def cmd_feedback(args: argparse.Namespace) -> int:
    from .feedback import generate_feedback

    root = _course_dir(args)
    assignments = _check_assignments(root, args.assignments)
    _check_student(root, "autograded", args.student, assignments)
    failed = generate_feedback(root, assignments, args.student)
    if failed:
        raise CommandError(failed)
    from .export import feedback_notes

    feedback_notes(root, assignments, args.student)
    print(f"feedback HTML: {root / 'feedback'}/<student>/<assignment>/<notebook>.html")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    import io

    from sqlalchemy.exc import SQLAlchemyError

    from .export import export_csv

    root = _course_dir(args)
    if not args.db_url and not (root / "gradebook.db").is_file():
        raise CommandError(f"no gradebook in {root} (gradebook.db): nothing graded yet")
    buf = io.StringIO()  # nothing is written unless the gradebook could be read
    try:
        n = export_csv(root, buf, args.db_url)
    except SQLAlchemyError as exc:
        where = args.db_url or str(root / "gradebook.db")
        why = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise CommandError(f"cannot read the gradebook {where}: {why}") from None
    if args.out == "-":
        sys.stdout.write(buf.getvalue())
    else:
        with open(args.out, "w", newline="") as fh:
            fh.write(buf.getvalue())
        print(f"wrote {n} row(s) to {args.out}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import main as demo_main

    return demo_main(args)


def cmd_report(args: argparse.Namespace) -> int:
    from .class_report import main as report_main
    from .class_report.load import graded_assignments

    if not {"-h", "--help"} & set(args.report_args):
        # The class report parses its own options; the course and its assignments are checked
        # here, like every command's.
        pre = argparse.ArgumentParser(add_help=False)
        pre.add_argument("assignments", nargs="*")
        pre.add_argument("--course-dir")
        known, _ = pre.parse_known_args(args.report_args)
        root = _course_dir(known)
        assignments = _check_assignments(root, known.assignments)
        graded = graded_assignments(root)
        if not graded:
            raise CommandError(f"no graded assignment in {root}: run `course grade` first")
        for a in assignments:
            if a not in graded:
                raise CommandError(f"no graded submission of {a} in {root}: run `course grade {a}`")
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
        "--force",
        action="store_true",
        help="overwrite files of course_lib/ and notebooks/ that were edited by hand",
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

    p = sub.add_parser(
        "release-solutions",
        help="the reference modules of closed assignments, for students (a zip)",
        description="Zip the solved course_lib modules of closed assignments, so that students "
        "who failed them run later notebooks on correct code. Open assignments never ship.",
    )
    p.add_argument("assignments", nargs="+", help="closed assignments, e.g. 01 or 01_foundations")
    p.add_argument("--out", default=str(REPO / "dist"), help="output directory (default: dist/)")
    p.set_defaults(func=cmd_release_solutions)

    add_student_commands(sub)

    def course_dir(p: argparse.ArgumentParser) -> None:
        p.add_argument("--course-dir", help="the nbgrader course directory (default: .)")

    from .collect import DEFAULT_STUDENT_REGEX
    from .collect import __doc__ as collect_doc

    p = sub.add_parser("collect", help="take zips or folders into submitted/<student>/<A>/",
                       description=collect_doc,
                       formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("sources", nargs="+", metavar="SOURCE", help="zips or folders")
    p.add_argument("--assignment", help="default: the assignment whose notebook each source holds")
    p.add_argument("--student", help="the student of a single source (default: its name)")
    p.add_argument(
        "--student-regex",
        default=DEFAULT_STUDENT_REGEX,
        help="regex with a (?P<student>...) group, matched against each source's name without "
        ".zip (default: the whole name without a browser's ' (1)'; Canvas-style "
        "'doe_12345_...': '^(?P<student>[^_]+)_')",
    )
    course_dir(p)
    p.set_defaults(func=cmd_collect)

    p = sub.add_parser("grade", help="grade the submissions that are not current")
    p.add_argument("assignments", nargs="*")
    p.add_argument("--student")
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--cluster", metavar="ADDRESS",
                   help="send the jobs to this Dask scheduler (tcp://host:8786; default: the "
                   "course's c.CourseGrade.cluster, else local worker processes)")  # fmt: skip
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
    if argv[0] == "report":  # its options are the class report's (REMAINDER drops a leading --x)
        args = argparse.Namespace(command="report", report_args=argv[1:], func=cmd_report)
    else:
        args = parser().parse_args(argv)
    _tools_on_path()
    try:
        return int(args.func(args))
    except CommandError as exc:
        print(f"course {args.command}: {exc}", file=sys.stderr)
        return 2


def _tools_on_path() -> None:
    """nbgrader runs ``alembic`` (in this process when it opens a new gradebook, and in its
    subprocesses): find it beside this interpreter even when the venv is not activated."""
    import os

    bindir = os.path.dirname(sys.executable)
    path = os.environ.get("PATH", "")
    if bindir not in path.split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + path


if __name__ == "__main__":
    sys.exit(main())
