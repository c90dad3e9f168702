"""The sandboxed worker: isolation, limits, crash recovery, the wire protocol, overhead.

Each hostile student is the reference package with ``l2_penalty`` redefined (appended to
``penalties.py``); scenario ``l2_penalty_matches`` (task 7.1) is then judged in the grader.
"""

from __future__ import annotations

import os
import shutil
import time

import pytest

from autograder.harness import GradeFailure
from autograder.sandbox import Worker, mode, notice, protocol
from autograder.sandbox.submission import SandboxedSubmission

from sandbox_students import CASE, grade_l2, student


def test_mode_is_full_where_bwrap_exists():
    if shutil.which("bwrap") or os.path.exists("/usr/bin/bwrap"):
        assert mode() == "bwrap" and notice() is None
    else:
        assert "REDUCED" in notice()


def test_reference_passes_and_stub_fails(tmp_path):
    assert grade_l2(student(tmp_path, "ref")) is None
    msg = grade_l2(student(tmp_path, "stub", "def l2_penalty(weights, lam):\n"
                                           "    raise NotImplementedError('Task 7.1')\n"))
    assert "not implemented" in msg


def test_overhead_per_call_is_well_under_a_millisecond(tmp_path):
    with Worker(student(tmp_path, "ref")) as w:
        w.start()
        times = sorted(w.ping() for _ in range(300))
    assert times[150] < 1e-3


def test_worker_restarts_after_a_crash(tmp_path):
    root = student(tmp_path, "flaky", "import os\n_calls = []\ndef l2_penalty(weights, lam):\n"
                                      "    os._exit(1)\n")
    with SandboxedSubmission(root) as sub:
        for _ in range(2):
            with pytest.raises(GradeFailure, match="exit code"):
                sub.check("l2_penalty_matches", **CASE)
        assert sub.worker.starts >= 2
        sub.check("l1_penalty_matches", seed=3, lam=0.2)  # other functions still graded


def test_import_time_crash_is_a_clear_reason(tmp_path):
    root = student(tmp_path, "boom", init="import os\nos._exit(9)\n")
    assert "exit code" in grade_l2(root)


def test_protocol_rejects_oversized_and_malformed_replies():
    r, w = os.pipe()
    os.write(w, (10**12).to_bytes(8, "big"))
    with pytest.raises(protocol.ProtocolError, match="cap"):
        protocol.Reader(r).read(time.monotonic() + 1)
    os.close(r), os.close(w)
    r, w = os.pipe()
    os.write(w, (5).to_bytes(8, "big") + b"[1,2]")
    with pytest.raises(protocol.ProtocolError, match="object"):
        protocol.Reader(r).read(time.monotonic() + 1)
    os.close(r), os.close(w)
    r, w = os.pipe()
    with pytest.raises(protocol.Timeout):
        protocol.Reader(r).read(time.monotonic() + 0.2)
    os.close(r), os.close(w)


def test_reduced_sandbox_still_grades_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_SANDBOX", "reduced")
    assert mode() == "reduced" and "REDUCED" in notice()
    root = student(tmp_path, "ref_reduced")
    with SandboxedSubmission(root) as sub:
        assert "REDUCED" in sub.notice
        sub.check("l2_penalty_matches", **CASE)
    loop = student(tmp_path, "loop_reduced", "def l2_penalty(weights, lam):\n    while True:\n        pass\n")
    assert "wall-clock" in grade_l2(loop)
