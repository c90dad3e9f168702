"""``course demo`` (``make demo``): a demo class, graded end to end through the real nbgrader.

Creates ``demo_class/`` (gitignored): an nbgrader course directory with the assignments whose
source notebook and hidden suite both exist (else the small fixture assignment of the grader's
tests), generates the release, makes example submissions — the reference, the blank stubs, one
student per catalogued mistake (its source spliced into a copy of the reference), and hostile
ones — grades them with ``course grade``, writes the feedback and prints the grade table.
"""

from __future__ import annotations

import argparse
import importlib
import shutil
import tempfile
import time
from pathlib import Path

from . import REFERENCE_DIR, REPO, SOURCE_NOTEBOOKS, SUITES_DIR

FIXTURE = REPO / "tests" / "fixtures" / "grading"

# Hostile students: code appended to the module of the assignment's first graded function,
# redefining it. {fn} is that function's name.
HOSTILE = {
    "hostile_infinite_loop": "def {fn}(*args, **kwargs):\n    while True:\n        pass\n",
    "hostile_fork_bomb": (
        "import os as _os\ndef {fn}(*args, **kwargs):\n    while True:\n"
        "        try:\n            _os.fork()\n        except OSError:\n"
        "            pass\n"
    ),
    "hostile_memory_bomb": (
        "def {fn}(*args, **kwargs):\n    hog = []\n    while True:\n"
        "        hog.append(bytearray(100_000_000))\n"
    ),
    "hostile_exit": "import os as _os\ndef {fn}(*args, **kwargs):\n    _os._exit(0)\n",
    "hostile_reads_solutions": (
        "def {fn}(*args, **kwargs):\n    import glob\n"
        "    found = glob.glob('/work/**/solutions/**/*.py', recursive=True) + "
        "glob.glob('/**/autograder/suites/*.py', recursive=True)\n"
        "    raise RuntimeError('found: ' + repr(found[:3]))\n"
    ),
    "hostile_patches_numpy": (
        "import numpy as _np\n_np.allclose = lambda *a, **k: True\n_np.isclose = "
        "lambda a, b, *x, **k: _np.ones(_np.broadcast(a, b).shape, bool)\n"
        "def {fn}(*args, **kwargs):\n    return 0.0, []\n"
    ),
}


DEFAULT_ASSIGNMENTS = ("01_foundations",)


def demo_assignments(names=None) -> dict[str, tuple[Path, Path]]:
    """{assignment: (source notebook folder, suite folder)} for the demo: ``names`` (default
    assignment 01) among those whose source notebook and hidden suite both exist; the grader's
    fixture assignment if there is none."""
    out = {}
    wanted = set(names or DEFAULT_ASSIGNMENTS)
    for folder in sorted(SOURCE_NOTEBOOKS.glob("*")) if SOURCE_NOTEBOOKS.is_dir() else []:
        if folder.name not in wanted and "all" not in wanted:
            continue
        if (folder / f"{folder.name}.ipynb").exists() and (
            SUITES_DIR / f"test_{folder.name}.py"
        ).exists():
            out[folder.name] = (folder, SUITES_DIR)
    if not out:
        out["07_penalties"] = (FIXTURE / "source" / "07_penalties", FIXTURE / "suites")
    return out


def _first_function(assignment: str) -> tuple[str, str]:
    from .reference import load_reference

    ref = load_reference()
    tasks = importlib.import_module(f"{ref.__name__}.tasks").tasks_of_assignment(assignment)
    return tasks[0].module, tasks[0].names[0]


def build_class(root: Path, assignments: dict, max_mistakes: int = 6) -> None:
    # imported here: nbgrader takes seconds to import, and every `course` command (`course check`
    # too) builds the parser, which reads this module's arguments
    from .examples import example_packages
    from .record.course import init_course, make_submission_dir

    suite_dirs = {s for _, s in assignments.values()}
    if len(suite_dirs) != 1:
        raise RuntimeError("demo assignments must share one suite folder")
    init_course(root, {a: src for a, (src, _) in assignments.items()}, suite_dir=suite_dirs.pop())
    tmp = Path(tempfile.mkdtemp(prefix="course-demo-"))
    try:
        stubs = tmp / "stubs" / "course_lib"
        for a in assignments:
            for ex in example_packages(a, tmp, max_mistakes):
                make_submission_dir(root, ex.name, a, ex.package)
            module, fn = _first_function(a)
            for name, code in HOSTILE.items():
                pkg = tmp / name / "course_lib"
                if pkg.exists():
                    shutil.rmtree(pkg)
                shutil.copytree(REFERENCE_DIR, pkg, ignore=shutil.ignore_patterns("__pycache__"))
                path = pkg / f"{module}.py"
                path.write_text(path.read_text() + "\n\n" + code.format(fn=fn))
                make_submission_dir(root, name, a, pkg)
            # A submission with a symlink to the solutions and a malformed notebook.
            d = make_submission_dir(root, "hostile_symlink_bad_notebook", a, stubs)
            (d / "course_lib" / f"{module}.py").unlink()
            (d / "course_lib" / f"{module}.py").symlink_to(REFERENCE_DIR / f"{module}.py")
            for nb in d.glob("*.ipynb"):
                nb.write_text("{ this is not json")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dir", default=str(REPO / "demo_class"))
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--keep", action="store_true", help="keep an existing demo_class (resume)")
    p.add_argument("--assignments", nargs="*", help="default: 01_foundations; 'all' for every one")


def main(args: argparse.Namespace) -> int:
    from . import sandbox
    from .coordinator import grade
    from .export import format_table, grade_rows
    from .feedback import generate_feedback

    root = Path(args.dir).resolve()
    if root.exists() and not args.keep:
        shutil.rmtree(root)
    t0 = time.monotonic()
    assignments = demo_assignments(args.assignments)
    print(f"demo class in {root}: assignments {', '.join(assignments)}")
    if not (root / "gradebook.db").exists():
        build_class(root, assignments)
    if sandbox.notice():
        print(sandbox.notice())
    else:
        print(
            "sandbox: bubblewrap (no network, private filesystem view, rlimits, unprivileged uid)"
        )
    run = grade(root, workers=args.workers)
    failed = generate_feedback(root)
    if failed:
        print(f"course demo: {failed}")
    else:
        from .export import feedback_notes

        feedback_notes(root, list(assignments))
    print(f"feedback HTML: {root / 'feedback'}/<student>/<assignment>/<notebook>.html")
    print()
    print(format_table(grade_rows(root), width=90))
    print(f"\n{len(run.reports)} submissions graded in {time.monotonic() - t0:.1f} s")
    print(f"feedback HTML: {root / 'feedback'}/<student>/<assignment>/<notebook>.html")
    print(f"grade CSV: course export --course-dir {root}")
    from .class_report import write_class_report

    for a in assignments:
        print(f"class report of {a}: {write_class_report(root, a)}")
    return 0
