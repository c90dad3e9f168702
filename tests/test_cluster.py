"""``course grade --cluster``: jobs packed as bytes for Dask workers, and the example class of one
assignment graded through a real ``dask scheduler`` and two ``dask worker`` processes into a
PostgreSQL gradebook, one worker killed mid-run, every grade equal to a local run's."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from autograder import REPO
from autograder.jobs.cluster import pack_folder, pack_job, run_packed, unpack_folder
from autograder.jobs.report import DONE, NOT_GRADED, JobReport
from autograder.sanitize import MAX_FILE_BYTES, sanitize

A = "07_penalties"  # the grader's fixture assignment: a short notebook, a real hidden suite
FIX = REPO / "tests" / "fixtures" / "grading"


def _odd_submission(folder: Path) -> None:
    """A submission with everything the sanitize stage must judge the same on a worker."""
    (folder / "course_lib" / "sub").mkdir(parents=True)
    (folder / "course_lib" / "penalties.py").write_text("def l2_penalty(W, lam):\n    return 0\n")
    (folder / "course_lib" / "sub" / "x.py").write_text("X = 1\n")
    (folder / f"{A}.ipynb").write_text('{"cells": "not a list"}')
    (folder / "timestamp.txt").write_text("2026-01-01 12:00:00 UTC")
    (folder / "notes.txt").write_text("not on the allowlist")
    with open(folder / "course_lib" / "huge.py", "wb") as fh:
        fh.truncate(50 * MAX_FILE_BYTES)  # over every cap: only its size travels
    os.symlink("/etc/passwd", folder / "course_lib" / "link.py")
    os.symlink("/etc", folder / "course_lib" / "linkdir")
    os.mkfifo(folder / "course_lib" / "fifo.py")
    (folder / os.fsdecode(b"bad\xffname.py")).write_text("x")


def test_a_packed_submission_sanitizes_as_the_original(tmp_path):
    src = tmp_path / "src"
    _odd_submission(src)
    entries = pack_folder(src)
    assert not any(kind == "file" and len(data) > MAX_FILE_BYTES for _, kind, data in entries)
    unpack_folder(entries, tmp_path / "copy")
    here = sanitize(src, tmp_path / "s1", A, {A})
    there = sanitize(tmp_path / "copy", tmp_path / "s2", A, {A})
    assert (here.kept, sorted(here.rejected), here.notebook_errors) == (
        there.kept, sorted(there.rejected), there.notebook_errors)  # fmt: skip
    assert here.kept and here.rejected and here.notebook_errors
    for rel in here.kept:
        assert (tmp_path / "s1" / rel).read_bytes() == (tmp_path / "s2" / rel).read_bytes()


@pytest.mark.parametrize("rel", [b"../escape.py", b"/abs.py", b"a/../../b.py", b"a//b"])
def test_unpacking_refuses_a_path_out_of_its_folder(tmp_path, rel):
    with pytest.raises(ValueError, match="leaves its folder"):
        unpack_folder([(rel, "file", b"x")], tmp_path / "dest")
    assert not (tmp_path / "escape.py").exists() and not Path("/abs.py").exists()


def test_a_worker_with_another_grader_refuses_the_job(tmp_path):
    from autograder.coordinator import Job, job_spec
    from autograder.record.course import init_course, make_submission_dir

    root = init_course(tmp_path / "course", {A: FIX / "source" / A}, suite_dir=FIX / "suites")
    make_submission_dir(root, "alice", A, None)
    packed = pack_job(job_spec(root, Job("alice", A), "g" * 64, FIX / "suites"))
    packed = type(packed)(**{**packed.__dict__, "code": "0" * 64})
    report = JobReport.from_dict(run_packed(packed)[0])
    assert report.status == NOT_GRADED
    assert "another grader than the coordinator" in report.errors[0]
    assert report.failure.startswith("not graded, rerun")


def _grades(root: Path) -> dict:
    from autograder.export import grade_rows

    return {
        r["student"]: (r["tasks"], r["total"], r["mistakes"], r["failure"])
        for r in grade_rows(root)
    }


@pytest.mark.slow
def test_a_class_graded_on_dask_into_postgresql_equals_the_local_run(tmp_path):
    from services import dask_cluster, postgres

    from autograder import sandbox
    from autograder.examples import example_packages
    from autograder.coordinator import grade
    from autograder.record.course import init_course, make_submission_dir

    if sandbox.mode() != "bwrap":
        pytest.skip(f"bubblewrap is not installed (sandbox mode {sandbox.mode()}); "
                    "apt-get install bubblewrap (.ci/run does it)")  # fmt: skip
    examples = example_packages(A, tmp_path / "packages", max_mistakes=3)
    local = init_course(tmp_path / "local", {A: FIX / "source" / A}, suite_dir=FIX / "suites")
    for ex in examples:
        make_submission_dir(local, ex.name, A, ex.package)
    ran = grade(local, workers=2, progress=False)
    assert [r.status for r in ran.reports] == [DONE] * len(examples), [
        (r.student, r.messages()) for r in ran.failed]
    expected = _grades(local)
    assert expected["reference"][1] == max(t for _, t, _, _ in expected.values())
    assert any(mistakes for _, _, mistakes, _ in expected.values())

    with postgres() as url, dask_cluster(2) as (address, workers):
        root = init_course(
            tmp_path / "cluster",
            {A: FIX / "source" / A},
            suite_dir=FIX / "suites",
            extra_config=(f"c.CourseDirectory.db_url = {url!r}\n"
                          f"c.CourseGrade.cluster = {address!r}\n"),
        )
        for ex in examples:
            make_submission_dir(root, ex.name, A, ex.package)
        result: dict = {}
        coordinator = threading.Thread(  # course grade, its address from the course's config
            target=lambda: result.update(run=grade(root, progress=False)), daemon=True)
        coordinator.start()
        killed = _kill_a_busy_worker(address, workers[0], timeout=300)
        coordinator.join(600)
        assert not coordinator.is_alive(), "course grade on the cluster did not finish"
        run = result["run"]
        assert killed, "worker-0 never ran a job"
        assert [r.status for r in run.reports] == [DONE] * len(examples), [
            (r.student, r.messages()) for r in run.failed]
        assert all(r.current and r.stages.get("record") is not None for r in run.reports)
        assert not (root / "gradebook.db").exists()  # recorded into PostgreSQL only
        assert _grades(root) == expected

        again = grade(root, cluster=address, progress=False)  # idempotent: nothing to redo
        assert (again.graded, again.skipped) == (0, len(examples))
        assert _grades(root) == expected


def _kill_a_busy_worker(address: str, worker, timeout: float) -> bool:
    """SIGKILL ``worker``'s process group (its nanny, its worker process, their sandboxes) once
    it is running a grading job; ``False`` if it never did within ``timeout``."""
    from distributed import Client

    with Client(address, timeout=60) as client:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            names = {a: w.get("name") for a, w in client.scheduler_info()["workers"].items()}
            busy = client.processing()
            if any(names.get(a) == "worker-0" and keys for a, keys in busy.items()):
                time.sleep(1.0)  # well inside the job: sanitized, executing
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
                return True
            time.sleep(0.2)
    return False
