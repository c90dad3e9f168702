"""Two ``course grade`` runs on two course folders at once, with a CPU hog on every core: every
grade equals the one a serial run on the idle machine gave, and the reference has full marks in
both. (Before leases, concurrent graders shared sandbox uids and killed each other's sandboxes,
and the wall-clock limits fired because the machine, not the code, was slow.)

The timings are printed (``pytest -s``), never asserted; ``benchmarks`` measure speed."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder import REFERENCE_DIR, REPO
from autograder.export import grade_rows
from autograder.record.course import init_course, make_submission_dir

from sandbox_students import needs_safe_sandbox

pytestmark = [pytest.mark.slow, needs_safe_sandbox]

A = "07_penalties"
FIX = REPO / "tests" / "fixtures" / "grading"
EXTRA = "c.SandboxedExecute.cell_timeout = 8\nc.SandboxedExecute.total_timeout = 40\n"


def _class(root: Path, tmp: Path) -> Path:
    """The fixture assignment with a reference, blank stubs and one catalogued mistake."""
    from autograder.build import write_stub_package
    from autograder.mistakes import load_catalogue, make_mistaken_package

    root = init_course(root, {A: FIX / "source" / A}, suite_dir=FIX / "suites", extra_config=EXTRA)
    stubs = tmp / f"stubs_{root.name}" / "course_lib"
    write_stub_package(REFERENCE_DIR, stubs)
    mistake = next(m for m in load_catalogue() if m.target == "penalties.l2_penalty")
    make_submission_dir(root, "reference", A, REFERENCE_DIR)
    make_submission_dir(root, "stubs", A, stubs)
    make_submission_dir(root, "mistake", A, make_mistaken_package(mistake, tmp / f"m_{root.name}"))
    return root


def _grade(root: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "autograder.cli", "grade", "--course-dir",
                             str(root), "--workers", "2"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def _grades(root: Path) -> dict:
    return {r["student"]: (r["tasks"], r["total"], r["max"], r["failure"])
            for r in grade_rows(root)}


def test_two_graders_beside_a_cpu_hog_give_the_idle_serial_grades(tmp_path):
    roots = [_class(tmp_path / f"course{i}", tmp_path) for i in range(3)]
    t0 = time.monotonic()
    out = _grade(roots[0]).communicate()[0]
    serial = time.monotonic() - t0
    idle = _grades(roots[0])
    assert set(idle) == {"reference", "stubs", "mistake"}, out
    tasks, total, top, failure = idle["reference"]
    # Full marks on the auto-graded cells; the written answer (1 point) waits for a human.
    assert failure is None and tasks["task_7_1"] == 3 and tasks["task_7_2"] == 3, (tasks, out)
    assert total == top - 1, (total, top, out)

    hog = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
           for _ in range(os.cpu_count() or 1)]
    try:
        t0 = time.monotonic()
        runs = [_grade(r) for r in roots[1:]]
        outs = [p.communicate()[0] for p in runs]
        concurrent = time.monotonic() - t0
    finally:
        for h in hog:
            h.kill()
            h.wait()
    for root, text in zip(roots[1:], outs):
        assert _grades(root) == idle, text
    print(f"\nserial idle run: {serial:.1f} s; two concurrent runs beside {len(hog)} CPU hogs: "
          f"{concurrent:.1f} s (3 submissions each, 2 workers each)")
