"""The ``course`` command.

    course build [--check]                 generate course_lib/ and notebooks/ from solutions/
    course bundle [--out DIR]              the zip students receive (no solutions, no hidden suites)
    course check TASK                      a task's public checks (student side)
    course status [A]                      every task's state, which notebooks are ready (student side)
    course submit A [--out ZIP]            zip a submission of assignment A (student side)
    course grade [A ...] [--student S] [--workers N] [--course-dir D] [--force]
    course feedback [A ...] [--student S] [--course-dir D]   stock nbgrader generate_feedback
    course export [--course-dir D] [--out grades.csv]        CSV: points per task, named mistakes
    course demo                            build, grade and show the demo class
    course report [A ...] [--course-dir D] [--similarity-threshold T]   class report (HTML, CSV, JSON)
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path


def _course_dir(args) -> Path:
    return Path(args.course_dir or ".").resolve()


def cmd_grade(argv) -> int:
    from . import sandbox
    from .grading import format_table, grade

    p = argparse.ArgumentParser(prog="course grade")
    p.add_argument("assignments", nargs="*")
    p.add_argument("--student")
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--course-dir")
    p.add_argument("--force", action="store_true", help="regrade even unchanged submissions")
    args = p.parse_args(argv)
    root = _course_dir(args)
    if sandbox.notice():
        print(sandbox.notice(), file=sys.stderr)
    states = grade(root, args.assignments or None, args.student, args.workers, args.force)
    skipped = sum(1 for s in states if s.get("skipped"))
    failed = [s for s in states if s["status"] != "done"]
    print(f"graded {len(states) - skipped} submission(s), {skipped} unchanged and skipped, "
          f"{len(failed)} with errors")
    for s in states:
        for e in s.get("errors", []):
            print(f"  {s['student']}/{s['assignment']}: {e.splitlines()[0]}")
    print(format_table(root))
    return 0


def cmd_feedback(argv) -> int:
    from .grading import nbgrader_env

    p = argparse.ArgumentParser(prog="course feedback")
    p.add_argument("assignments", nargs="*")
    p.add_argument("--student")
    p.add_argument("--course-dir")
    args = p.parse_args(argv)
    root = _course_dir(args)
    targets = args.assignments or sorted({d.name for d in (root / "autograded").glob("*/*")
                                          if d.is_dir()}) or [None]
    rc = 0
    for a in targets:
        cmd = [sys.executable, "-m", "nbgrader", "generate_feedback", "--force"]
        cmd += [a] if a else []
        cmd += ["--student", args.student] if args.student else []
        proc = subprocess.run(cmd, cwd=root, env=nbgrader_env(), capture_output=True, text=True)
        if proc.returncode:
            print(proc.stdout[-3000:], proc.stderr[-3000:], file=sys.stderr)
        rc |= proc.returncode
    print(f"feedback HTML: {root / 'feedback'}/<student>/<assignment>/<notebook>.html")
    return rc


def cmd_export(argv) -> int:
    from .grading import export_csv

    p = argparse.ArgumentParser(prog="course export")
    p.add_argument("--course-dir")
    p.add_argument("--out", default="-")
    p.add_argument("--db-url")
    args = p.parse_args(argv)
    root = _course_dir(args)
    if args.out == "-":
        export_csv(root, sys.stdout, args.db_url)
    else:
        with open(args.out, "w", newline="") as fh:
            n = export_csv(root, fh, args.db_url)
        print(f"wrote {n} row(s) to {args.out}")
    return 0


def cmd_submit(argv) -> int:
    sys.path.insert(0, str(Path.cwd()))
    from course_lib.submit import main as submit_main

    return submit_main(argv)


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    cmd, rest = argv[0], argv[1:]
    if cmd == "build":
        from .build import main_build

        return main_build(rest)
    if cmd == "bundle":
        from .bundle import main_bundle

        return main_bundle(rest)
    if cmd == "check":
        from course_lib.cli import main_check

        return main_check(rest)
    if cmd == "status":
        from course_lib.cli import main_status

        return main_status(rest)
    if cmd == "submit":
        return cmd_submit(rest)
    if cmd == "grade":
        return cmd_grade(rest)
    if cmd == "feedback":
        return cmd_feedback(rest)
    if cmd == "export":
        return cmd_export(rest)
    if cmd == "report":
        from .class_report import main as report_main

        return report_main(rest)
    if cmd == "demo":
        from .demo import main as demo_main

        return demo_main(rest)
    print(f"unknown command {cmd!r}\n{__doc__}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
