"""``course grade --cluster ADDRESS``: the same jobs on a Dask distributed cluster.

The coordinator (``course grade``'s process: :func:`run_on_cluster`, driven by
:mod:`autograder.coordinator`) packs each job — the submitted folder's bytes, the assignment's
release notebooks and hidden suite, the grader's fingerprint — and submits it to the scheduler
at ``ADDRESS`` (``distributed.Client``). A Dask worker unpacks it
into a temporary folder, runs it (:func:`.job.run_attempts`: sanitize, execute, score, again
while "not graded") and returns the report with its sanitized and executed copies as bytes.
No filesystem is shared and workers never see the gradebook: the coordinator writes the copies
under ``.grading/``, records the job in the gradebook (any ``db_url``) and writes the report,
exactly as the local pool does; so resuming, idempotence and the grade table are the same.

A worker needs the course installed at the same commit as the coordinator (its grader code and
reference: each job carries their fingerprint, and a worker whose own differs refuses the job,
"not graded") and bubblewrap. A worker that dies mid-job (killed, lost, out of memory) is the
machine's failure: Dask's scheduler reruns its jobs on another worker (up to its
``distributed.scheduler.allowed-failures``); a job that keeps killing workers, or that the
cluster fails otherwise, is "not graded, rerun", never the student's error.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
import tempfile
import uuid
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .fingerprint import code_fingerprint, submission_hash
from .job import JobSpec, run_attempts
from .report import NOT_GRADED, JobReport

# Entries of a packed folder: (path relative to it as bytes, kind, data). Kinds: "dir"; "file"
# (data: its bytes); "large" (data: its size — no cap of the sanitize stage admits it, so only
# its size is sent and the worker recreates it as a sparse file of that size, which the sanitize
# stage rejects with the same reason); "link" (data: the target, bytes); "special" (a FIFO, a
# device: recreated as a FIFO, which the sanitize stage rejects as not a regular file).
Entry = tuple[bytes, str, "bytes | int | None"]

Finished = tuple[JobSpec, JobReport]  # what run_on_cluster yields
WINDOW_PER_THREAD = 2  # jobs in flight per worker thread: workers never wait, memory stays small


class ClusterError(RuntimeError):
    """The Dask scheduler cannot be used (unreachable, or `distributed` is not installed)."""


def _largest_cap() -> int:
    from ..sanitize import MAX_FILE_BYTES, MAX_NOTEBOOK_BYTES, MAX_TIMESTAMP_BYTES

    return max(MAX_FILE_BYTES, MAX_NOTEBOOK_BYTES, MAX_TIMESTAMP_BYTES)


def pack_folder(folder: Path) -> list[Entry]:
    """The entries of ``folder``, without following links (see :data:`Entry`)."""
    folder = Path(folder)
    cap = _largest_cap()
    out: list[Entry] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames.sort()
        for name in dirnames + sorted(filenames):
            full = Path(dirpath) / name
            rel = os.fsencode(full.relative_to(folder).as_posix())
            st = os.lstat(full)
            if stat.S_ISLNK(st.st_mode):
                out.append((rel, "link", os.fsencode(os.readlink(full))))
            elif stat.S_ISDIR(st.st_mode):
                out.append((rel, "dir", None))
            elif not stat.S_ISREG(st.st_mode):
                out.append((rel, "special", None))
            elif st.st_size > cap:
                out.append((rel, "large", st.st_size))
            else:
                out.append((rel, "file", full.read_bytes()))
    return out


def unpack_folder(entries: Iterable[Entry], folder: Path) -> None:
    """Recreate packed ``entries`` under ``folder`` (created); an entry whose path would leave
    it raises ``ValueError``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for rel, kind, data in entries:
        parts = os.fsdecode(rel).split("/")
        if rel.startswith(b"/") or not parts or any(p in ("", ".", "..") for p in parts):
            raise ValueError(f"packed path {rel!r} leaves its folder")
        target = folder.joinpath(*parts)
        if kind == "dir":
            target.mkdir(exist_ok=True)
        elif kind == "file":
            assert isinstance(data, bytes)
            target.write_bytes(data)
        elif kind == "large":
            assert isinstance(data, int)
            with open(target, "wb") as fh:
                fh.truncate(data)
        elif kind == "link":
            assert isinstance(data, bytes)
            os.symlink(data, target)
        else:
            os.mkfifo(target)


@dataclass(frozen=True)
class PackedJob:
    """A job as it travels to a worker: everything :func:`run_packed` reads, as bytes."""

    student: str
    assignment: str
    submitted: list[Entry]
    release: dict[str, bytes]  # notebook name -> release notebook
    suite: bytes  # the assignment's hidden suite, test_<A>.py
    grader: str  # the coordinator's grader fingerprint (the report's key)
    code: str  # the coordinator's code fingerprint (the worker must match it)


def pack_job(spec: JobSpec) -> PackedJob:
    return PackedJob(
        student=spec.student,
        assignment=spec.assignment,
        submitted=pack_folder(spec.submitted) if Path(spec.submitted).is_dir() else [],
        release={name: Path(p).read_bytes() for name, p in spec.release.items()},
        suite=Path(spec.suite).read_bytes(),
        grader=spec.grader,
        code=code_fingerprint(),
    )


def run_packed(job: PackedJob) -> tuple[dict, list[Entry], list[Entry]]:
    """On a Dask worker: run a packed job in a temporary folder. Returns the report (as a dict)
    and the packed sanitized and executed copies. Never raises."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    mine = code_fingerprint()
    if mine != job.code:
        report = JobReport(job.student, job.assignment, "", job.grader, status=NOT_GRADED)
        report.errors.append(
            f"the Dask worker on {os.uname().nodename} runs another grader than the "
            f"coordinator (code fingerprint {mine[:12]}, expected {job.code[:12]}): install "
            "the same commit of the course on every worker"
        )
        return report.to_dict(), [], []
    with tempfile.TemporaryDirectory(prefix="course-job-") as tmp:
        base = Path(tmp)
        submitted = base / "submitted" / job.student / job.assignment
        try:
            unpack_folder(job.submitted, submitted)
        except (OSError, ValueError) as exc:
            report = JobReport(job.student, job.assignment, "", job.grader)
            report.errors.append(f"the submission could not be unpacked on the worker: {exc}")
            return report.to_dict(), [], []
        release = {}
        for name, data in job.release.items():
            release[name] = base / "release" / f"{name}.ipynb"
            release[name].parent.mkdir(parents=True, exist_ok=True)
            release[name].write_bytes(data)
        suite = _place_suite(job.assignment, job.suite)
        spec = JobSpec(
            student=job.student,
            assignment=job.assignment,
            submitted=submitted,
            sanitized=base / "sanitized",
            executed=base / "executed",
            release=release,
            suite=suite,
            grader=job.grader,
        )
        report = run_attempts(spec)
        copies = [pack_folder(p) if p.is_dir() else [] for p in (spec.sanitized, spec.executed)]
    return report.to_dict(), copies[0], copies[1]


_SUITES: list[Path] = []  # this worker process's folder of hidden suites


def _place_suite(assignment: str, data: bytes) -> Path:
    """Write a job's hidden suite where this worker process always keeps that assignment's
    suite: pytest imports it by its name, ``test_<A>``, and refuses one module name from two
    paths; the module is dropped first, so a changed suite is imported afresh."""
    if not _SUITES:
        _SUITES.append(Path(tempfile.mkdtemp(prefix="course-suites-")))
    path = _SUITES[0] / f"test_{assignment}.py"
    if not path.is_file() or path.read_bytes() != data:
        shutil.rmtree(path.parent / "__pycache__", ignore_errors=True)  # no stale bytecode
        path.write_bytes(data)
    sys.modules.pop(path.stem, None)
    return path


def _place(entries: list[Entry], folder: Path) -> None:
    """Replace ``folder`` by the packed copy a worker returned."""
    if folder.exists():
        shutil.rmtree(folder)
    unpack_folder(entries, folder)


def _connect(address: str):
    try:
        from distributed import Client
    except ImportError as exc:
        raise ClusterError(
            "`course grade --cluster` needs dask distributed: install the `cluster` extra "
            "(pip install -e '.[cluster]'; `make install` does)"
        ) from exc
    try:
        return Client(address, timeout="30s")
    except (OSError, TimeoutError) as exc:
        raise ClusterError(
            f"could not reach the Dask scheduler at {address}: {exc} (is `dask scheduler` "
            "running there, and this machine allowed to connect?)"
        ) from exc


def run_on_cluster(address: str, specs: list[JobSpec]) -> Generator[Finished, None, None]:
    """Connect to the Dask scheduler at ``address`` (:class:`ClusterError` if it cannot be
    reached) and return the generator of the jobs ``specs`` run there (:func:`_results`)."""
    return _results(_connect(address), specs)


def _results(client, specs: list[JobSpec]) -> Generator[Finished, None, None]:
    """Run the jobs ``specs`` through ``client``; yield each ``(spec, report)`` as it
    finishes, its sanitized and executed copies placed at the spec's folders. At most
    ``WINDOW_PER_THREAD`` jobs per worker thread are in flight (a large class never sits in
    memory at once). Closing the generator cancels the jobs in flight and disconnects."""
    from distributed import as_completed

    queue = list(reversed(specs))
    in_flight: dict = {}
    finished = as_completed()

    def window() -> int:
        threads = sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values())
        return WINDOW_PER_THREAD * max(1, threads)

    def submit_more() -> Iterator[Finished]:
        while queue and len(in_flight) < window():
            spec = queue.pop()
            try:
                digest = submission_hash(spec.submitted)
                packed = pack_job(spec)
            except OSError as exc:  # an unreadable submission: that student's error, as locally
                report = JobReport(spec.student, spec.assignment, "", spec.grader)
                report.errors.append(f"the submission could not be read: {exc}")
                yield spec, report
                continue
            key = f"grade-{spec.student}-{spec.assignment}-{uuid.uuid4().hex[:8]}"
            future = client.submit(run_packed, packed, key=key, pure=False)
            in_flight[future] = (spec, digest)
            finished.add(future)

    try:
        yield from submit_more()
        for future in finished:
            spec, digest = in_flight.pop(future)
            report = _collect(future, spec)
            report.submission = digest  # the coordinator's hash of the folder is the key
            yield spec, report
            yield from submit_more()
    finally:
        for future in in_flight:
            future.cancel()
        client.close()


def _collect(future, spec: JobSpec) -> JobReport:
    """The finished future's report, with its sanitized and executed copies placed where the
    local pool leaves them (``spec``'s folders under the course's ``.grading/``); a failure of
    the cluster (a job that kept killing workers, a lost scheduler) is "not graded"."""
    try:
        report_dict, sanitized, executed = future.result()
        report = JobReport.from_dict(report_dict)
        _place(sanitized, Path(spec.sanitized))
        _place(executed, Path(spec.executed))
    except Exception as exc:  # noqa: BLE001 - KilledWorker, CancelledError, a lost scheduler
        why = (
            f"the Dask cluster failed this job ({type(exc).__name__}: {exc}); run `course grade` "
            "again to resume"
        )
        return JobReport(spec.student, spec.assignment, "", spec.grader, status=NOT_GRADED,
                         errors=[why])  # fmt: skip
    return report
