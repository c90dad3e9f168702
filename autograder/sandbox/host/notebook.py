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
from pathlib import Path

from . import datasets, warm
from .isolation import GUEST_BINDS, Launch, copy_allowed, guest_argv, refuse_if_unsafe
from .limits import Limits, SandboxFault
from .processes import kill_tree, sweep_leased_uid
from .runs import (
    CELL_OUTPUT_CHARS,
    DEFAULT_LIMITS,
    NOTEBOOK_OUTPUT_BYTES,
    NotebookRun,
    load_factor,
    read_executed,
    seed_matplotlib_cache,
    wait_judged,
)
from .worker import lease_for_root, private_box

__all__ = [
    "CELL_OUTPUT_CHARS",
    "DEFAULT_LIMITS",
    "NOTEBOOK_OUTPUT_BYTES",
    "NotebookRun",
    "run_notebook",
]


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
        data_binds, data_env = datasets.lent()
        log = open(tmp / "log.txt", "wb")
        cell_seconds = int(cell_timeout * load_factor())
        launch = Launch(
            workdir=work,
            writable=True,
            limits=limits,
            uid=lease.uid if lease else None,
            private_tmp=box,
            argv=guest_argv(
                "nbexec.py",
                *("/sub/_submitted.ipynb", "/sub/_executed.ipynb", "--sub", "/sub"),
                *("--timeout", str(cell_seconds), "--cell-output", str(cell_chars)),
                *("--notebook-bytes", str(NOTEBOOK_OUTPUT_BYTES)),
            ),
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
