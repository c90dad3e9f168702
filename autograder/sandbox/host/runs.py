"""What both notebook sandboxes (one of its own per notebook, ``notebook.py``, and the warm one,
``warm.py``) share: the caps on what comes back, the result, reading it back, and waiting for it
under the run's budget."""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from .limits import Limits, SandboxFault, describe_exit
from .processes import tree_usage
from .worker import RUNNABLE_SHARE, SLICE_SECONDS


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
