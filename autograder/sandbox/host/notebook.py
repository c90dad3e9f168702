"""One notebook executed in the sandbox (nbclient and its kernel both inside; the guest side is
``guest/nbexec.py``). The executed notebook is untrusted: only its outputs are ever used.

:func:`run_notebook` uses the grading process's warm sandbox (``warm.py``) where there is one,
and a sandbox of the notebook's own otherwise, or when the warm one fails."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from . import datasets
from .isolation import GUEST_BINDS, Launch, copy_allowed, interpreter_paths, refuse_if_unsafe
from .limits import Limits, SandboxFault, describe_exit
from .processes import kill_tree, sweep_leased_uid, tree_usage
from .worker import RUNNABLE_SHARE, SLICE_SECONDS, lease_for_root, private_box


def load_factor() -> float:
    """How much slower than idle this machine runs now (1 to 10): the run queue per CPU."""
    return min(10.0, max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1)))


# The executed notebook the grader reads back: the guest leaves out the largest outputs until
# the notebook is under NOTEBOOK_OUTPUT_BYTES (and any one cell's over ``cell_output_chars``);
# a file over MAX_EXECUTED_BYTES anyway is not read at all.
NOTEBOOK_OUTPUT_BYTES = 40_000_000
CELL_OUTPUT_CHARS = 5_000_000  # one cell's outputs, as JSON
MAX_EXECUTED_BYTES = 50_000_000


DEFAULT_LIMITS = Limits(
    cpu_seconds=300,
    wall_seconds=120.0,
    memory_bytes=4 << 30,
    processes=256,
    file_bytes=64 << 20,
    open_files=1024,
)


@dataclass
class NotebookRun:
    notebook: object | None  # the executed NotebookNode (untrusted outputs), or None
    status: str  # "ok" or why not
    seconds: float = 0.0


def run_notebook(
    nb,
    submission_dir,
    *,
    limits: Limits | None = None,
    cell_timeout: int = 60,
    env: dict | None = None,
    slot: int | None = None,
    cell_output_chars: int = CELL_OUTPUT_CHARS,
) -> NotebookRun:
    """Execute notebook ``nb`` (a NotebookNode) next to the submission's allowed ``course_lib``
    files, inside the sandbox. The result is untrusted: only its outputs are ever used.

    ``limits.wall_seconds`` is the run's budget of CPU time; on the clock it is extended while the
    notebook is runnable but starved (up to ``limits.backstop_seconds``), and each cell's timeout
    is scaled by the machine's load. ``slot`` is ignored (uids are leased). A cell's outputs over
    ``cell_output_chars`` (as JSON), and the largest ones while the notebook is over
    :data:`NOTEBOOK_OUTPUT_BYTES`, are left out by the guest (``course_execution.left_out``).
    :class:`SandboxFault` if the sandbox cannot start or the machine stays overloaded."""
    kw = dict(limits=limits, cell_timeout=cell_timeout, env=env, cell_chars=cell_output_chars)
    from . import warm

    if warm.enabled():
        try:
            run = warm.run_warm(
                nb,
                submission_dir,
                limits=limits or DEFAULT_LIMITS,
                cell_timeout=cell_timeout,
                env=env,
                cell_chars=cell_output_chars,
            )
            if run is not None:
                return run
        except SandboxFault as exc:
            if exc.kind == "refused":
                raise
            # The warm sandbox failed (not the notebook): the one-shot sandbox runs it anew.
    try:
        return _run_notebook_once(nb, submission_dir, **kw)
    except SandboxFault as exc:
        if exc.kind == "refused":
            raise
    # One retry: a fault is the machine's, and a second one is reported as it is.
    return _run_notebook_once(nb, submission_dir, **kw)


def _run_notebook_once(nb, submission_dir, *, limits, cell_timeout, env, cell_chars) -> NotebookRun:
    import nbformat

    limits = limits or DEFAULT_LIMITS
    refuse_if_unsafe()
    t0 = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="course-nb-"))
    # Its own leased uid, never a worker's: a fork bomb in the kernel must not starve a suite.
    lease = lease_for_root("the notebook sandbox cannot start")
    try:
        os.chmod(tmp, 0o711)
        box = private_box(tmp, lease)
        work = box / "sub"
        work.mkdir()
        copy_allowed(Path(submission_dir), work)
        (work / "_submitted.ipynb").write_text(nbformat.writes(nb))
        seed_matplotlib_cache(work / ".mpl")
        if lease is not None:
            for p in [work, *work.rglob("*")]:
                os.lchown(p, lease.uid, lease.uid)
        paths = interpreter_paths()
        data_binds, data_env = datasets.lent()
        log = open(tmp / "log.txt", "wb")
        cell_seconds = int(cell_timeout * load_factor())
        launch = Launch(
            workdir=work,
            writable=True,
            limits=limits,
            uid=lease.uid if lease else None,
            private_tmp=box,
            argv=[
                str(paths["exe"]),
                "-I",
                "-S",
                "-B",
                "/opt/grader/guest/nbexec.py",
                "/sub/_submitted.ipynb",
                "/sub/_executed.ipynb",
                "--timeout",
                str(cell_seconds),
                "--sub",
                "/sub",
                "--cell-output",
                str(cell_chars),
                "--notebook-bytes",
                str(NOTEBOOK_OUTPUT_BYTES),
                *sum((["--path", str(s)] for s in paths["site"]), []),
            ],
            ro_binds=GUEST_BINDS + data_binds,
            env={"MPLCONFIGDIR": "/sub/.mpl", **data_env, **(env or {})},
            stdout=log,
            stderr=log,
        )
        try:
            proc, _ = launch.popen()
        except (OSError, subprocess.SubprocessError) as exc:
            raise SandboxFault(
                "start", f"the notebook sandbox could not be started ({exc})"
            ) from None
        finally:
            log.close()
        try:
            if not _wait_judged(proc, limits):
                return NotebookRun(
                    None,
                    f"the notebook did not finish within {limits.wall_seconds:g} s",
                    time.monotonic() - t0,
                )
        finally:
            kill_tree(proc)
            sweep_leased_uid(lease)
        return read_executed(work, tmp / "log.txt", proc.returncode, limits, t0)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if lease is not None:
            lease.release()


def read_executed(
    work: Path, log: Path, code: int | None, limits: Limits, t0: float
) -> NotebookRun:
    """The run's result from ``work/_executed.ipynb`` (untrusted: a symlink, an oversized or
    unreadable file is a failed run, with the log's tail)."""
    import nbformat

    out = work / "_executed.ipynb"
    if out.is_symlink() or not out.is_file():
        try:
            tail = log.read_bytes()[-400:].decode("utf-8", "replace").strip()
        except OSError:
            tail = ""
        return NotebookRun(
            None,
            f"the notebook could not be executed ({describe_exit(code, limits)}): {tail}",
            time.monotonic() - t0,
        )
    if out.stat().st_size > MAX_EXECUTED_BYTES:
        size = out.stat().st_size
        return NotebookRun(
            None,
            f"the executed notebook is too large ({size} bytes, over the grader's "
            f"{MAX_EXECUTED_BYTES}-byte cap)",
            time.monotonic() - t0,
        )
    try:
        fd = os.open(out, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as fh:
            executed = nbformat.reads(fh.read().decode("utf-8"), as_version=4)
    except Exception as exc:  # noqa: BLE001 - untrusted file
        return NotebookRun(
            None, f"the executed notebook could not be read ({exc})", time.monotonic() - t0
        )
    status = executed.metadata.get("course_execution", {}).get("status", "unknown")
    return NotebookRun(executed, str(status)[:300], time.monotonic() - t0)


def _wait_judged(proc: subprocess.Popen, limits: Limits) -> bool:
    """Wait for the notebook run: True when it ended, False when it spent its budget (CPU, or
    clock while not even runnable). :class:`SandboxFault` at the backstop of a starved run."""

    def ended(timeout: float) -> bool:
        try:
            proc.wait(timeout=timeout)
            return True
        except subprocess.TimeoutExpired:
            return False

    return wait_judged(proc.pid, limits, ended)


def wait_judged(root: int, limits: Limits, ended, cpu0: float = 0.0) -> bool:
    """Wait until ``ended(timeout)`` (it waits at most ``timeout`` s) says the run is over:
    True then, False when the process tree under ``root`` spent the run's budget (CPU seconds
    over ``cpu0``, or clock while not even runnable). :class:`SandboxFault` at the backstop of
    a starved run."""
    t0 = time.monotonic()
    budget = limits.wall_seconds
    last = None
    timeout = budget
    while True:
        if ended(timeout):
            return True
        now = time.monotonic()
        cpu, wait = tree_usage(root)
        cpu -= cpu0
        if last is not None:
            runnable = (cpu - last[1]) + (wait - last[2]) >= RUNNABLE_SHARE * (now - last[0])
            if cpu >= budget or not runnable:
                return False
        if now - t0 >= limits.backstop_seconds:
            raise SandboxFault(
                "overload",
                f"the machine is overloaded: the notebook got only "
                f"{cpu:.1f} s of CPU in {now - t0:.0f} s",
            )
        last = (now, cpu, wait)
        timeout = SLICE_SECONDS


def seed_matplotlib_cache(dest: Path) -> None:
    """Copy the grader's matplotlib font cache so each sandbox need not rebuild it (seconds)."""
    dest.mkdir(exist_ok=True)
    try:
        import matplotlib

        src = Path(matplotlib.get_cachedir())
        if not any(src.glob("fontlist-*.json")):
            from matplotlib import font_manager  # noqa: F401  (builds the cache once)
        for f in src.glob("fontlist-*.json"):
            shutil.copyfile(f, dest / f.name)
    except Exception:  # noqa: BLE001 - only a speed-up
        pass
