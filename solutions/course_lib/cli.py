"""The student's ``course`` command: ``course check TASK``, ``course status``, ``course submit A``.

``course check 5.2`` runs the public checks of task 5.2 (pytest marker ``task_5_2``);
``course check 05_batchnorm`` runs every task of an assignment; ``course check --list`` lists tasks.
The instructor's ``course`` (the grader's) has the same three commands: it adds these parsers.
"""

from __future__ import annotations

import argparse
import sys


def _selected_tasks(names):
    """Task objects for task ids and assignment folders; ``None`` (after a message) if unknown."""
    from .tasks import ASSIGNMENTS, TASKS_BY_ID, tasks_of_assignment

    selected = []
    for name in names:
        if name in TASKS_BY_ID:
            selected.append(TASKS_BY_ID[name])
        elif name in ASSIGNMENTS:
            selected.extend(tasks_of_assignment(name))
        else:
            print(f"course check: unknown task or assignment {name!r}; "
                  f"try `course check --list`", file=sys.stderr)
            return None
    return list(dict.fromkeys(selected))


def run_checks(tasks, package: str = "course_lib", out=None) -> bool:
    """Run the public checks of ``tasks`` and print one line per check (✓/✗, the named mistake
    or got/expected for a failure) and a one-line total per task; True if every check passed."""
    from .checks.public import load_fixtures, task_report

    out = out or sys.stdout
    fixtures: dict[str, dict] = {}
    all_passed = True
    for task in tasks:
        fixtures.setdefault(task.assignment, load_fixtures(task.assignment))
        ok, report = task_report(task, package, fixtures[task.assignment])
        print(report, file=out)
        all_passed &= ok
    return all_passed


def _check(args: argparse.Namespace) -> int:
    from .tasks import TASKS

    if args.list or not args.tasks:
        for t in TASKS:
            print(f"{t.id:>4}  {t.assignment:<18} {t.title} ({', '.join(t.names)})")
        return 0 if args.list else 2
    tasks = _selected_tasks(args.tasks)
    if tasks is None:
        return 2
    if not args.verbose:
        return 0 if run_checks(tasks) else 1
    import pytest

    markers = " or ".join(t.marker for t in tasks)
    return int(pytest.main(["--pyargs", "course_lib.checks", "-m", markers, "-p",
                            "no:cacheprovider", "-v", "--no-header", "-rN"]))


def _submit(args: argparse.Namespace) -> int:
    from .submit import SubmissionError, make_submission, public_check_warnings

    try:
        path = make_submission(args.assignment, out=args.out)
    except SubmissionError as exc:
        print(f"course submit: {exc}", file=sys.stderr)
        return 2
    print(f"course submit: wrote {path}; upload it as your submission of {args.assignment}")
    if not args.no_checks:
        warnings = public_check_warnings(args.assignment)
        if warnings:
            print(f"course submit: warning: not every public check of {args.assignment} passes "
                  f"(the zip is written; `course check {args.assignment}` shows why):",
                  file=sys.stderr)
            for line in warnings:
                print(f"  {line}", file=sys.stderr)
    return 0


def _status(args: argparse.Namespace) -> int:
    from .status import course_status, experiments_ready, format_status
    from .tasks import ASSIGNMENTS

    if args.assignment is not None:
        if args.assignment not in ASSIGNMENTS:
            print(f"course status: unknown assignment {args.assignment!r}; known: "
                  f"{', '.join(ASSIGNMENTS)}", file=sys.stderr)
            return 2
        return 0 if experiments_ready(args.assignment) else 1
    print(format_status(course_status()))
    return 0


def add_student_commands(commands) -> None:
    """Add ``check``, ``status`` and ``submit`` to ``commands`` (``add_subparsers()``'s result);
    each sets ``func``, which takes the parsed arguments and returns the exit code."""
    p = commands.add_parser("check", help="run the public checks of tasks (e.g. 5.2)",
                            description="Run the public checks of tasks.")
    p.add_argument("tasks", nargs="*", help="task ids (5.2) or assignment folders (05_batchnorm)")
    p.add_argument("--list", action="store_true", help="list the tasks and exit")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="run the checks through pytest and show its output")
    p.set_defaults(func=_check)
    p = commands.add_parser(
        "status", help="every task's state; which notebooks are ready",
        description="Every task's state (not started / failing public checks / passing), and "
                    "per notebook whether the earlier tasks its experiments run are ready.")
    p.add_argument("assignment", nargs="?", help="only this assignment's readiness line")
    p.set_defaults(func=_status)
    p = commands.add_parser(
        "submit", help="zip your notebook and course_lib for submission",
        description="Zip an assignment's notebook and your course_lib for submission.")
    p.add_argument("assignment", help="assignment folder, e.g. 05_batchnorm")
    p.add_argument("-o", "--out", help="where to write the zip (default: ./<assignment>.zip)")
    p.add_argument("--no-checks", action="store_true",
                   help="do not run the public checks after zipping (they only warn)")
    p.set_defaults(func=_submit)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="course", description=__doc__.splitlines()[0])
    add_student_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
