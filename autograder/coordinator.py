"""``course grade``'s coordinator: a local pool of worker processes (or a Dask cluster,
:mod:`.jobs.cluster`) runs the jobs, the record stage applies each finished one; only the
coordinator writes job reports. It sits above both: the jobs (:mod:`.jobs`) never touch the
gradebook, and the record stage (:mod:`.record`) applies the reports the jobs make.

For each (student, assignment) under ``submitted/``:

1. its idempotency key is the submission's hash and the grader's fingerprint
   (:mod:`.fingerprint`); if its stored report holds that key and was recorded, it is skipped;
   otherwise it is *stale* (the submission or the grader changed) or new;
2. a worker runs the job (:func:`.job.run_job`: sanitize, execute, score), retrying a job that
   came back "not graded" (a failure of the grader or the machine), then records a finished job
   in the gradebook (:mod:`autograder.record.autograde`);
3. the coordinator writes the report (temporary name, then rename).

A crash or Ctrl-C at any point loses nothing: the jobs in flight write no report and the next
run redoes exactly them. Workers are processes (one nbgrader instance and sandbox slot each).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sys
import time
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from .jobs.fingerprint import grader_fingerprint, submission_hash
from .jobs.job import JobSpec, run_attempts
from .jobs.report import DONE, NOT_GRADED, RECORD, JobReport, read_report, write_report
from .record.course import cluster_address, release_dir, release_notebooks, suite_dir

SANITIZED = ".grading/sanitized"


class Interrupted(Exception):
    """Ctrl-C: the jobs in flight were stopped and left ungraded."""

    def __init__(self, done: list[JobReport]):
        super().__init__("interrupted: rerun `course grade` to resume")
        self.done = done


@dataclass
class Job:
    student: str
    assignment: str


@dataclass
class GradeRun:
    """What one ``course grade`` did: the report of every matching job, and which were redone."""

    reports: list[JobReport] = field(default_factory=list)
    graded: int = 0  # jobs run in this run
    stale: int = 0  # of those, jobs graded before by another submission or grader
    skipped: int = 0  # current, not rerun

    @property
    def failed(self) -> list[JobReport]:
        return [r for r in self.reports if r.failure is not None]

    @property
    def not_graded(self) -> list[JobReport]:
        return [r for r in self.reports if r.status == NOT_GRADED]


def discover(root: Path, assignments: Iterable[str] | None = None, student=None) -> list[Job]:
    sub = Path(root) / "submitted"
    jobs: list[Job] = []
    if not sub.is_dir():
        return jobs
    wanted = set(assignments or ())
    for sdir in sorted(sub.iterdir()):
        if not sdir.is_dir() or sdir.is_symlink() or (student and sdir.name != student):
            continue
        for adir in sorted(sdir.iterdir()):
            if adir.is_dir() and (not wanted or adir.name in wanted):
                jobs.append(Job(sdir.name, adir.name))
    return jobs


def job_spec(root: Path, job: Job, grader: str, suites: Path) -> JobSpec:
    return JobSpec(
        student=job.student,
        assignment=job.assignment,
        submitted=root / "submitted" / job.student / job.assignment,
        sanitized=root / SANITIZED / job.student / job.assignment,
        executed=root / ".grading" / "executed" / job.student / job.assignment,
        release=release_notebooks(root, job.assignment),
        suite=suites / f"test_{job.assignment}.py",
        grader=grader,
    )


def record_report(root: Path, report: JobReport, release: dict[str, Path]) -> None:
    """The record stage of a finished job: apply it to the gradebook, setting
    ``report.recorded`` and the stage's seconds. Never raises."""
    from .record.autograde import record

    t = time.monotonic()
    try:
        report.recorded = record(root, report, release)
    except Exception as exc:  # noqa: BLE001 - one bad record never stops the batch
        report.recorded = {"ok": False, "error": f"recording failed: {exc}", "note": None}
    report.stages[RECORD] = round(time.monotonic() - t, 3)


def grade_and_record(root: Path, spec: JobSpec) -> JobReport:
    """In a local worker: run the job (:func:`run_attempts`), then record a finished one in the
    course's gradebook (the workers share the coordinator's machine and course folder). Never
    raises."""
    report = run_attempts(spec)
    if report.status == DONE:
        record_report(root, report, spec.release)
    return report


def _init_worker(slots) -> None:
    # Ctrl-C is the coordinator's: it stops the workers itself, so a worker never dies halfway
    # through a job with a traceback of its own (see _run_pool).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ["COURSE_GRADER_SLOT"] = str(slots.get())
    # One BLAS thread per worker process: N workers use N cores, not N x all of them.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    import warnings

    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's session noise
    import nbgrader.apps  # noqa: F401  (warm: seconds of imports, once per worker)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop every worker now: SIGTERM (their sandboxes die with them), SIGKILL after 3 s."""
    procs = list(getattr(pool, "_processes", {}).values())  # the executor has no public handle
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        if p.is_alive():
            p.terminate()
    deadline = time.monotonic() + 3
    for p in procs:
        p.join(max(0.0, deadline - time.monotonic()))
        if p.is_alive():
            p.kill()
            p.join(1)
    # Let the executor's manager thread finish now: at exit, Python 3.11 wakes it through a pipe
    # the thread may be closing at that moment ("Bad file descriptor", a traceback after Ctrl-C).
    manager = getattr(pool, "_executor_manager_thread", None)
    if manager is not None:
        manager.join(10)


def grade(
    root: Path,
    assignments=None,
    student=None,
    workers: int = 1,
    force: bool = False,
    progress: bool = True,
    cluster: str | None = None,
) -> GradeRun:
    """Grade every matching submission of the course in ``root`` that is not current, with
    ``workers`` local processes or, given a Dask scheduler's address (``cluster``, else the
    course's ``c.CourseGrade.cluster``), on that cluster (:mod:`.cluster`).

    Raises :class:`Interrupted` on Ctrl-C (after stopping the workers) and
    :class:`~.cluster.ClusterError` when the scheduler cannot be reached."""
    root = Path(root).resolve()
    cluster = cluster or cluster_address(root)
    suites = suite_dir(root)
    grader = grader_fingerprint(suites, release_dir(root))
    run = GradeRun()
    todo: list[Job] = []
    for job in discover(root, assignments, student):
        old = read_report(root, job.student, job.assignment)
        try:
            digest = submission_hash(root / "submitted" / job.student / job.assignment)
        except OSError:
            digest = ""  # the job reports why
        if not force and old is not None and old.current and old.key == (digest, grader):
            run.reports.append(old)
            run.skipped += 1
            continue
        run.stale += old is not None
        todo.append(job)
    run.graded = len(todo)
    if todo and cluster:
        run.reports += _run_cluster(root, todo, grader, suites, cluster, progress)
    elif todo:
        run.reports += _run_pool(root, todo, grader, suites, workers, progress)
    run.reports.sort(key=lambda r: (r.assignment, r.student))
    return run


def _run_pool(root, todo, grader, suites, workers, progress) -> list[JobReport]:
    workers = max(1, min(workers, len(todo)))
    ctx = mp.get_context("spawn")
    slots = ctx.Queue()
    for i in range(workers):
        slots.put(i + 1)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(todo), desc="grading", unit="submission", file=sys.stderr)
    done: list[JobReport] = []
    futures: dict[Future, Job] = {}
    # The workers start with Ctrl-C ignored (a spawned Python keeps an ignored SIGINT), so one
    # still importing never dies of it with a traceback; submit() starts them, so ignore it here.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=ctx, initializer=_init_worker, initargs=(slots,)
        )
        for j in todo:
            futures[pool.submit(grade_and_record, root, job_spec(root, j, grader, suites))] = j
    finally:
        signal.signal(signal.SIGINT, previous)
    try:
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in finished:
                done.append(_result(f, futures[f], grader))
                write_report(root, done[-1])
                if bar:
                    bar.update(1)
    except KeyboardInterrupt:
        _stop(pool)
        if bar:
            bar.close()
        raise Interrupted(done) from None
    pool.shutdown()
    if bar:
        bar.close()
    return done


def _run_cluster(root, todo, grader, suites, address, progress) -> list[JobReport]:
    """The jobs on the Dask cluster at ``address`` (:mod:`.cluster`); here, in the coordinator,
    each finished one is recorded and its report written, as the local pool does."""
    from .jobs.cluster import run_on_cluster

    results = run_on_cluster(address, [job_spec(root, j, grader, suites) for j in todo])
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(todo), desc=f"grading on {address}", unit="submission",
                   file=sys.stderr)  # fmt: skip
    done: list[JobReport] = []
    try:
        for spec, report in results:
            if report.status == DONE:
                record_report(root, report, spec.release)
            write_report(root, report)
            done.append(report)
            if bar:
                bar.update(1)
    except KeyboardInterrupt:
        raise Interrupted(done) from None
    finally:
        results.close()  # cancels the jobs in flight, disconnects
        if bar:
            bar.close()
    return done


def _result(f: Future, job: Job, grader: str) -> JobReport:
    try:
        return f.result()
    except BrokenProcessPool as exc:
        why = f"grader worker died: {exc}; run `course grade` again to resume"
    except Exception as exc:  # noqa: BLE001 - one bad job never stops the batch
        why = f"grader error: {type(exc).__name__}: {exc}"
    return JobReport(job.student, job.assignment, "", grader, status=NOT_GRADED, errors=[why])
