"""The student's ``course`` command: ``course check TASK``, ``course status``, ``course submit A``.

``course check 5.2`` runs the public checks of task 5.2 (pytest marker ``task_5_2``);
``course check 05_batchnorm`` runs every task of an assignment; ``course check --list`` lists tasks.
"""

from __future__ import annotations

import argparse
import sys


def main_check(argv=None) -> int:
    from .tasks import ASSIGNMENTS, TASKS, TASKS_BY_ID, tasks_of_assignment

    parser = argparse.ArgumentParser(prog="course check", description="Run the public checks of tasks.")
    parser.add_argument("tasks", nargs="*", help="task ids (5.2) or assignment folders (05_batchnorm)")
    parser.add_argument("--list", action="store_true", help="list the tasks and exit")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per check")
    args = parser.parse_args(argv)
    if args.list or not args.tasks:
        for t in TASKS:
            print(f"{t.id:>4}  {t.assignment:<18} {t.title} ({', '.join(t.names)})")
        return 0 if args.list else 2
    markers = []
    for name in args.tasks:
        if name in TASKS_BY_ID:
            markers.append(TASKS_BY_ID[name].marker)
        elif name in ASSIGNMENTS:
            markers.extend(t.marker for t in tasks_of_assignment(name))
        else:
            print(f"course check: unknown task or assignment {name!r}; "
                  f"try `course check --list`", file=sys.stderr)
            return 2
    import pytest

    pytest_args = ["--pyargs", "course_lib.checks", "-m", " or ".join(markers), "-p", "no:cacheprovider",
                   "-q" if not args.verbose else "-v", "--no-header", "-rN" if args.verbose else "-rf"]
    return int(pytest.main(pytest_args))


def main_submit(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="course submit",
                                     description="Zip an assignment's notebook and your course_lib for submission.")
    parser.add_argument("assignment", help="assignment folder, e.g. 05_batchnorm")
    parser.add_argument("-o", "--output", help="where to write the zip (default: ./<assignment>.zip)")
    args = parser.parse_args(argv)
    from .submit import SubmissionError, make_submission

    try:
        path = make_submission(args.assignment, out=args.output)
    except SubmissionError as exc:
        print(f"course submit: {exc}", file=sys.stderr)
        return 2
    print(f"course submit: wrote {path}")
    return 0


def main_status(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="course status",
        description="Every task's state (not started / failing public checks / passing), and "
                    "per notebook whether the earlier tasks its experiments run are ready.")
    parser.add_argument("assignment", nargs="?", help="only this assignment's readiness line")
    args = parser.parse_args(argv)
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


COMMANDS = {"check": main_check, "status": main_status, "submit": main_submit}


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS:
        print("usage: course {check,status,submit} ...\n"
              "  course check TASK        run the public checks of a task (e.g. 5.2)\n"
              "  course status            every task's state; which notebooks are ready\n"
              "  course submit ASSIGNMENT zip your notebook and course_lib for submission",
              file=sys.stderr)
        return 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main())
