"""Hostile submissions against the sandboxed worker: every one gets no undeserved point and a
clear reason. (Notebook-level attacks -- rewriting cells from the kernel, deleted or edited test
cells, malformed notebooks, writing the gradebook or another student's folder, symlinks, module
shadowing, a fork bomb next to other students -- are graded through the real nbgrader in
tests/test_grading_e2e.py.)

Each hostile student is the reference package with ``l2_penalty`` redefined (appended to
``penalties.py``); scenario ``l2_penalty_matches`` (task 7.1) is then judged in the grader.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from autograder import REFERENCE_DIR
from autograder.harness import GradeFailure, StudentError
from autograder.sandbox import Limits
from autograder.sandbox.submission import SandboxedSubmission

CASE = dict(seed=7, lam=0.4)


def student(tmp_path: Path, name: str, code: str = "", init: str = "") -> Path:
    root = tmp_path / name
    shutil.copytree(REFERENCE_DIR, root / "course_lib",
                    ignore=shutil.ignore_patterns("__pycache__", "checks"))
    if code:
        p = root / "course_lib" / "penalties.py"
        p.write_text(p.read_text() + "\n\n" + code)
    if init:
        p = root / "course_lib" / "__init__.py"
        p.write_text(p.read_text() + "\n" + init)
    return root


def grade_l2(root: Path, limits: Limits | None = None):
    """None if the student's l2_penalty passes, else the failure message."""
    with SandboxedSubmission(root, limits=limits or Limits(wall_seconds=3.0,
                                                          memory_bytes=1 << 30)) as sub:
        try:
            sub.check("l2_penalty_matches", **CASE)
            return None
        except (GradeFailure, StudentError) as exc:
            return str(exc)


@pytest.mark.parametrize("name,code,reason", [
    ("loop", "def l2_penalty(weights, lam):\n    while True:\n        pass\n", "wall-clock limit"),
    ("sleep", "import time\ndef l2_penalty(weights, lam):\n    time.sleep(60)\n", "wall-clock limit"),
    ("memory", "def l2_penalty(weights, lam):\n    hog = []\n    while True:\n"
               "        hog.append(bytearray(50_000_000))\n", "MemoryError|wall-clock limit"),
    ("fork", "import os\ndef l2_penalty(weights, lam):\n    n = 0\n    while n < 100000:\n"
             "        try:\n            if os.fork() == 0:\n                import time; time.sleep(30)\n"
             "        except OSError as exc:\n            raise RuntimeError(f'fork refused after {n}') from exc\n"
             "        n += 1\n", "fork refused"),
    ("os_exit", "import os\ndef l2_penalty(weights, lam):\n    os._exit(3)\n", "exit code"),
    ("sys_exit", "import sys\ndef l2_penalty(weights, lam):\n    sys.exit(0)\n", "SystemExit"),
    ("segfault", "import ctypes\ndef l2_penalty(weights, lam):\n    ctypes.string_at(0)\n",
     "segmentation fault"),
    ("flood", "def l2_penalty(weights, lam):\n    while True:\n        print('x' * 100000)\n",
     "output limit"),
    ("network", "import socket\ndef l2_penalty(weights, lam):\n"
                "    socket.create_connection(('1.1.1.1', 80), timeout=2)\n", "Error"),
    ("nan", "import numpy as np\ndef l2_penalty(weights, lam):\n"
            "    return float('nan'), [np.full(np.shape(w), np.nan) for w in weights]\n", "got nan"),
    ("shape", "import numpy as np\ndef l2_penalty(weights, lam):\n"
              "    v = 0.5 * lam * sum(float((np.asarray(w) ** 2).sum()) for w in weights)\n"
              "    return v, [np.zeros(3) for w in weights]\n", "shape"),
    ("dtype", "import numpy as np\ndef l2_penalty(weights, lam):\n"
              "    v = 0.5 * lam * sum(float((np.asarray(w) ** 2).sum()) for w in weights)\n"
              "    return v, [(lam * np.asarray(w)).astype(np.float32) for w in weights]\n", "float32"),
    ("nonarray", "def l2_penalty(weights, lam):\n    return 'done', object()\n", "TypeError"),
    ("nonarray2", "import numpy as np\ndef l2_penalty(weights, lam):\n"
                  "    return 'done', [w.tolist() for w in map(np.asarray, weights)]\n", "expected"),
    ("syntax", "def l2_penalty(weights, lam:\n    return 0\n", "SyntaxError"),
    ("missing", "del l2_penalty\n", "AttributeError"),
])
def test_hostile_function_gets_no_point_and_a_reason(tmp_path, name, code, reason):
    msg = grade_l2(student(tmp_path, name, code))
    assert msg is not None, f"{name} passed"
    assert any(r in msg for r in reason.split("|")), msg


def test_monkeypatching_numpy_and_checks_does_not_help(tmp_path):
    code = ("import numpy as _np\n_np.allclose = lambda *a, **k: True\n"
            "_np.isclose = lambda a, b, *x, **k: _np.ones(_np.broadcast(a, b).shape, bool)\n"
            "from .checks import framework as _fw\n"
            "_fw.compare_values = lambda *a, **k: None\n"
            "def l2_penalty(weights, lam):\n    return 0.0, [_np.zeros_like(w) for w in weights]\n")
    msg = grade_l2(student(tmp_path, "patch", code))
    assert msg is not None and "got 0.0" in msg, msg


def test_filesystem_is_private(tmp_path):
    """No view of the repo, solutions, hidden suites, gradebook or other students; no writes."""
    secret = tmp_path / "other_student" / "course_lib"
    secret.mkdir(parents=True)
    code = ("import os, glob\ndef l2_penalty(weights, lam):\n    seen = []\n"
            f"    for p in ['{REFERENCE_DIR}/penalties.py', '/work/main/autograder/suites',"
            f" '{secret}', '/etc/shadow', '/work/main/gradebook.db']:\n"
            "        if os.path.exists(p):\n            seen.append(p)\n"
            "    try:\n        open('/sub/course_lib/penalties.py', 'a').write('# x')\n"
            "        seen.append('wrote own files')\n    except OSError:\n        pass\n"
            "    raise RuntimeError('SEEN ' + repr(seen))\n")
    msg = grade_l2(student(tmp_path, "snoop", code))
    assert "SEEN []" in msg, msg


def test_shadowing_a_module_does_not_reach_the_grader(tmp_path):
    """A numpy.py or checks/ in the submission is never imported by the grader or the worker."""
    root = student(tmp_path, "shadow")
    (root / "numpy.py").write_text("raise SystemExit('shadowed')\n")
    (root / "course_lib" / "checks").mkdir()
    (root / "course_lib" / "checks" / "framework.py").write_text("raise SystemExit('fake')\n")
    assert grade_l2(root) is None


def test_in_place_mutation_of_inputs_is_caught(tmp_path, ref):
    from autograder.harness import get_scenario

    code = ("import numpy as np\n_orig = l2_penalty\ndef l2_penalty(weights, lam):\n"
            "    v, g = _orig(weights, lam)\n    for w in weights:\n        w *= 0\n    return v, g\n")
    root = student(tmp_path, "mutate", code)
    msg = grade_l2(root)
    # Mutation is caught where a scenario checks its inputs; otherwise the outputs still count.
    assert msg is None or "input" in msg.lower() or "differ" in msg


