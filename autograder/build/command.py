"""``course build``: regenerate the fixtures, the stubs and the release notebooks from
``solutions/``; ``course build --check`` regenerates into a temporary directory and fails on any
drift from what is committed."""

from __future__ import annotations

import filecmp
import json
import sys
import tempfile
from pathlib import Path

from .. import REFERENCE_DIR, RELEASE_NOTEBOOKS, STUDENT_LIB
from .fixtures import json_trees_close, write_fixtures
from .release import generate_release, source_assignments
from .stubs import BuildError, write_stub_package


def _tree_diff(expected: Path, actual: Path, *, json_close: bool = False) -> list[str]:
    """Paths that differ between two generated trees."""

    def files(root):
        return (
            {
                p.relative_to(root)
                for p in root.rglob("*")
                if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
            }
            if root.exists()
            else set()
        )

    e, a = files(expected), files(actual)
    problems = [f"missing: {actual / p}" for p in sorted(e - a)]
    problems += [f"not generated from solutions/: {actual / p}" for p in sorted(a - e)]
    for p in sorted(e & a):
        if json_close and p.suffix in (".json", ".ipynb"):
            if not json_trees_close(
                json.loads((expected / p).read_text()), json.loads((actual / p).read_text())
            ):
                problems.append(f"differs: {actual / p}")
        elif not filecmp.cmp(expected / p, actual / p, shallow=False):
            problems.append(f"differs: {actual / p}")
    return problems


def build(*, check: bool = False, release: bool = True) -> list[str]:
    """Regenerate fixtures, stubs and release notebooks; with ``check``, only report drift."""
    fixture_dir = REFERENCE_DIR / "checks" / "fixtures"
    if not check:
        write_fixtures(fixture_dir)
        write_stub_package(REFERENCE_DIR, STUDENT_LIB)
        if release:
            generate_release(RELEASE_NOTEBOOKS)
        return []
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="course-check-") as tmp_name:
        tmp = Path(tmp_name)
        write_fixtures(tmp / "fixtures")
        problems += _tree_diff(tmp / "fixtures", fixture_dir, json_close=True)
        # The stubs are made from the committed fixtures so a fixture drift is reported once.
        write_stub_package(REFERENCE_DIR, tmp / "course_lib")
        problems += _tree_diff(tmp / "course_lib", STUDENT_LIB, json_close=True)
        if release:
            generate_release(tmp / "notebooks")
            problems += _tree_diff(tmp / "notebooks", RELEASE_NOTEBOOKS, json_close=True)
    return problems


DESCRIPTION = __doc__


def run_build(*, check: bool = False, release: bool = True) -> int:
    """``course build [--check] [--no-release]``; returns the exit status."""
    try:
        problems = build(check=check, release=release)
    except BuildError as exc:
        print(f"course build: {exc}", file=sys.stderr)
        return 2
    if check:
        if problems:
            print(
                "course build --check: the generated files drifted from solutions/ "
                "(run `course build` and commit):",
                file=sys.stderr,
            )
            for p in problems:
                print(f"  {p}", file=sys.stderr)
            return 1
        print(
            "course build --check: course_lib/, notebooks/ and the public fixtures match solutions/"
        )
        return 0
    what = f" and {RELEASE_NOTEBOOKS.name}/ ({', '.join(source_assignments())})" if release else ""
    print(f"course build: wrote {STUDENT_LIB.name}/, fixtures{what}")
    return 0
