"""The sandboxed worker: isolation, limits, crash recovery, the wire protocol, leases, faults.

Each hostile student is the reference package with ``l2_penalty`` redefined (appended to
``penalties.py``); scenario ``l2_penalty_matches`` (task 7.1) is then judged in the grader.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time

import pytest

from autograder.score import GradeFailure
from autograder.sandbox import Limits, SandboxFault, Worker, mode, notice, protocol
from autograder.sandbox.host import leases, reduced
from autograder.sandbox.host import worker as worker_mod
from autograder.sandbox.host.isolation import bwrap_path, sandbox_mode_line
from autograder.sandbox.host.leases import uid_processes
from autograder.score.sandboxed import SandboxedSubmission

from sandbox_students import CASE, grade_l2, needs_safe_sandbox, student

root_only = pytest.mark.skipif(os.geteuid() != 0, reason="sandbox uids are switched by root only")


def test_mode_is_full_where_bwrap_exists():
    if bwrap_path() is not None and mode() == "bwrap":
        assert notice() is None and "bubblewrap" in sandbox_mode_line()
    else:
        assert "REDUCED" in notice() and "REDUCED" in sandbox_mode_line()


@needs_safe_sandbox
def test_reference_passes_and_stub_fails(tmp_path):
    assert grade_l2(student(tmp_path, "ref")) is None
    msg = grade_l2(student(tmp_path, "stub", "def l2_penalty(weights, lam):\n"
                                           "    raise NotImplementedError('Task 7.1')\n"))
    assert "not implemented" in msg


@needs_safe_sandbox
def test_worker_restarts_after_a_crash(tmp_path):
    root = student(tmp_path, "flaky", "import os\n_calls = []\ndef l2_penalty(weights, lam):\n"
                                      "    os._exit(1)\n")
    with SandboxedSubmission(root) as sub:
        for _ in range(2):
            with pytest.raises(GradeFailure, match="exit code"):
                sub.check("l2_penalty_matches", **CASE)
        assert sub.worker.starts >= 2
        sub.check("l1_penalty_matches", seed=3, lam=0.2)  # other functions still graded


@needs_safe_sandbox
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


# ------------------------------------------------------------------------------------------------
# Without bubblewrap


def test_reduced_sandbox_refuses_root_or_own_uid(tmp_path, monkeypatch):
    """The interpreter under a 0700 home (or a grader that is not root): student code would run
    as root (or as the grader), so nothing runs, loudly, unless the risk is accepted."""
    monkeypatch.setenv("COURSE_SANDBOX", "reduced")
    monkeypatch.delenv(reduced.ALLOW_UNSAFE_ENV, raising=False)
    monkeypatch.setattr(reduced, "others_can_reach", lambda path, need=0: False)
    who = "ROOT" if os.geteuid() == 0 else "your own uid"
    assert who in notice() and "REFUSED" in notice() and "REFUSED" in sandbox_mode_line()
    root = student(tmp_path, "ref_refused")
    with Worker(root) as w:
        with pytest.raises(SandboxFault, match="refuses") as exc:
            w.run_scenario("l2_penalty_matches", CASE)
        assert exc.value.kind == "refused" and w.starts == 0  # nothing was started
    monkeypatch.setenv(reduced.ALLOW_UNSAFE_ENV, "1")
    assert "UNSAFE" in notice() and who in notice()


def test_reduced_sandbox_grades_when_the_risk_is_accepted(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_SANDBOX", "reduced")
    monkeypatch.setenv(reduced.ALLOW_UNSAFE_ENV, "1")
    assert mode() == "reduced" and "REDUCED" in notice()
    root = student(tmp_path, "ref_reduced")
    with SandboxedSubmission(root) as sub:
        assert "REDUCED" in sub.notice
        sub.check("l2_penalty_matches", **CASE)
    loop = student(tmp_path, "loop_reduced", "def l2_penalty(weights, lam):\n    while True:\n        pass\n")
    assert "wall-clock" in grade_l2(loop)


# ------------------------------------------------------------------------------------------------
# Leases: uids unique machine-wide; only what the grader started is killed

_HOLD = ("import sys, time\nsys.path.insert(0, sys.argv[1])\n"
         "from autograder.sandbox.host.leases import lease_uid\n"
         "held = [lease_uid() for _ in range(int(sys.argv[2]))]\n"
         "print(' '.join(str(h.uid) for h in held), flush=True)\nsys.stdin.read()\n")


def test_leases_are_unique_across_processes(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_SANDBOX_LEASE_DIR", str(tmp_path / "leases"))
    repo = str(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    mine = [leases.lease_uid() for _ in range(3)]
    procs = [subprocess.Popen([sys.executable, "-c", _HOLD, repo, "5"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True) for _ in range(4)]
    try:
        theirs = [int(u) for p in procs for u in p.stdout.readline().split()]
    finally:
        for p in procs:
            p.stdin.close()
            p.wait(timeout=30)
    uids = [m.uid for m in mine] + theirs
    assert len(uids) == 23 and len(set(uids)) == 23, uids
    assert all(leases.UID_BASE <= u < leases.UID_BASE + leases.UID_RANGE for u in uids)
    mine[0].release()  # a released lease (and a dead holder's: the kernel drops it) is free again
    for uid in (mine[0].uid, *theirs):
        with open(tmp_path / "leases" / str(uid), "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    again = leases.lease_uid()
    assert again.uid not in [m.uid for m in mine[1:]]


@root_only
@needs_safe_sandbox
def test_a_uid_someone_else_runs_as_is_never_leased_nor_killed(tmp_path):
    """A process with a sandbox-range uid the grader did not start (the sandbox of a grader that
    crashed: its lease is gone, its process is not) is skipped by the lease and survives a fork
    bomb's clean-up. (The machine's real lease folder: other graders may be running.)"""
    crashed = leases.lease_uid()
    foreign_uid = crashed.uid
    foreign = subprocess.Popen(["/usr/bin/setpriv", f"--reuid={foreign_uid}",
                                f"--regid={foreign_uid}", "--clear-groups", "sleep", "300"],
                               start_new_session=True)
    try:
        for _ in range(100):
            if uid_processes(foreign_uid):
                break
            time.sleep(0.05)
        crashed.release()
        bomb = student(tmp_path, "bomb", "import os, time\ndef l2_penalty(weights, lam):\n"
                                         "    while True:\n        try:\n"
                                         "            if os.fork() == 0:\n                time.sleep(60)\n"
                                         "        except OSError:\n            raise RuntimeError('refused')\n")
        with Worker(bomb, limits=Limits(wall_seconds=3.0)) as w:
            w.run_scenario("l2_penalty_matches", CASE)
            assert w.uid != foreign_uid
            ours = w.uid
        assert uid_processes(ours) == []          # every process of our lease is gone
        assert foreign.poll() is None             # the foreign one lives
    finally:
        crashed.release()
        foreign.kill()
        foreign.wait()


# ------------------------------------------------------------------------------------------------
# Faults: not the student's, retried, then SandboxFault (never a lost point)


@needs_safe_sandbox
@pytest.mark.parametrize("target", ["guest", "sandbox"])
def test_a_sandbox_killed_from_outside_is_retried_and_graded_right(tmp_path, target):
    with Worker(student(tmp_path, "ref")) as w:
        w.start()
        pid = w._guest_pid if target == "guest" else w.proc.pid
        os.kill(pid, signal.SIGKILL)
        outcome = w.run_scenario("l2_penalty_matches", CASE)
        assert outcome.error is None, outcome.error
        assert w.faults and "killed from outside" in w.faults[0]
        assert w.starts == 2


@needs_safe_sandbox
def test_a_kill_on_every_attempt_is_a_fault_not_a_score(tmp_path):
    root = student(tmp_path, "selfkill", "import os, signal\ndef l2_penalty(weights, lam):\n"
                                         "    os.kill(os.getpid(), signal.SIGKILL)\n")
    with SandboxedSubmission(root) as sub:
        with pytest.raises(SandboxFault, match="not graded, rerun"):
            sub.check("l2_penalty_matches", **CASE)
        assert sub.worker.starts == Worker.retries + 1
        with pytest.raises(SandboxFault):  # the rest of the job is not scored either
            sub.check("l1_penalty_matches", seed=3, lam=0.2)
        sub.fault = None  # (so that leaving the block does not raise again)


@needs_safe_sandbox
def test_a_starved_call_is_an_overload_fault_and_a_sleeping_one_a_timeout(tmp_path, monkeypatch):
    """The judgement at the clock limit: a call that was runnable but got no CPU (what an
    overloaded machine looks like, simulated) is the machine's fault; one that slept is the
    student's timeout."""
    sleeper = student(tmp_path, "sleeper", "import time\ndef l2_penalty(weights, lam):\n"
                                           "    time.sleep(60)\n")
    assert "sleeping or blocked" in grade_l2(sleeper, Limits(wall_seconds=1.0))
    clock = iter(range(10**6))
    monkeypatch.setattr(worker_mod, "tree_usage", lambda pid: (0.0, float(next(clock))))
    with Worker(sleeper, limits=Limits(wall_seconds=1.0, backstop_seconds=3.0)) as w:
        w.retries = 0
        with pytest.raises(SandboxFault, match="overloaded") as exc:
            w.run_scenario("l2_penalty_matches", CASE)
        assert exc.value.kind == "overload"


# ------------------------------------------------------------------------------------------------
# Ctrl-C: the sandbox dies with the grader

_GRADER = (
    "import sys\nsys.path[:0] = [sys.argv[1], sys.argv[1] + '/tests']\n"
    "from autograder.sandbox import Worker\nfrom sandbox_students import CASE\n"
    "w = Worker(sys.argv[2])\nw.start()\nprint(w.proc.pid, w._guest_pid, flush=True)\n"
    "w.run_scenario('l2_penalty_matches', CASE)\n"
)


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] == "Z"
    except OSError:
        return True


@needs_safe_sandbox
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_the_sandbox_dies_with_its_grader(tmp_path, sig):
    sleeper = student(
        tmp_path, "sleeper", "import time\ndef l2_penalty(weights, lam):\n    time.sleep(600)\n"
    )
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    grader = subprocess.Popen(
        [sys.executable, "-c", _GRADER, repo, str(sleeper)], stdout=subprocess.PIPE, text=True
    )
    pids = [int(p) for p in grader.stdout.readline().split()]
    assert len(pids) == 2 and not any(_gone(p) for p in pids)
    grader.send_signal(sig)
    grader.wait(timeout=60)
    for _ in range(600):  # a bounded wait for the condition, not a timing assertion
        if all(_gone(p) for p in pids):
            break
        time.sleep(0.05)
    assert all(_gone(p) for p in pids)


def test_a_course_cloned_into_tmp_stays_visible_in_the_private_tmp(tmp_path):
    """The reduced sandbox binds a private /tmp over /tmp; the grader's own files under /tmp
    (a clone in /tmp/course) are bound back inside it, outermost paths only, never the private
    /tmp itself. (Without this, every job from a /tmp clone was 'not graded'.)"""
    from pathlib import Path

    from autograder.sandbox.host.isolation import tmp_paths_to_keep

    private = Path("/tmp/sbx-1")
    needed = [Path("/usr/bin/python3"), Path("/tmp/course/.venv/lib/site-packages"),
              Path("/tmp/course/autograder/sandbox/guest"), Path("/tmp/course/.venv"),
              private / "work", private]
    assert tmp_paths_to_keep(needed, private) == ("/tmp/course/.venv",
                                                   "/tmp/course/autograder/sandbox/guest")


@pytest.mark.skipif(not reduced.namespaces_available(), reason="this kernel refuses namespaces")
def test_a_notebook_runs_in_the_reduced_sandbox(tmp_path, monkeypatch):
    """Without bubblewrap the notebook's kernel and client still reach each other over the
    loopback of the sandbox's own network namespace (which starts down)."""
    import shutil

    from nbformat.v4 import new_code_cell, new_notebook

    from autograder import REFERENCE_DIR
    from autograder.sandbox import run_notebook

    monkeypatch.setenv("COURSE_SANDBOX", "reduced")
    monkeypatch.setenv(reduced.ALLOW_UNSAFE_ENV, "1")
    shutil.copytree(REFERENCE_DIR, tmp_path / "course_lib", ignore=shutil.ignore_patterns("__pycache__"))
    run = run_notebook(new_notebook(cells=[new_code_cell("print(6 * 7)")]), tmp_path, cell_timeout=20)
    assert run.status == "ok", run.status
    assert "42" in "".join(o.get("text", "") for o in run.notebook.cells[0].outputs)
