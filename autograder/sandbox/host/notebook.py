"""One notebook executed in the sandbox (nbclient and its kernel both inside; the guest side is
``guest/nbexec.py``). The executed notebook is untrusted: only its outputs are ever used."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .isolation import GUEST_BINDS, Launch, copy_allowed, interpreter_paths, mode
from .leases import NOTEBOOK_UID_OFFSET, slot_uid
from .limits import Limits, describe_exit
from .processes import kill_tree, wait_uid_gone


@dataclass
class NotebookRun:
    notebook: object | None      # the executed NotebookNode (untrusted outputs), or None
    status: str                  # "ok" or why not
    seconds: float = 0.0


def run_notebook(nb, submission_dir, *, limits: Limits | None = None, cell_timeout: int = 60,
                 env: dict | None = None, slot: int | None = None) -> NotebookRun:
    """Execute notebook ``nb`` (a NotebookNode) next to the submission's allowed ``course_lib``
    files, inside the sandbox. The result is untrusted: only its outputs are ever used."""
    import nbformat

    limits = limits or Limits(cpu_seconds=300, wall_seconds=120.0, memory_bytes=4 << 30,
                              processes=256, file_bytes=64 << 20, open_files=1024)
    t0 = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="course-nb-"))
    try:
        os.chmod(tmp, 0o711)
        work = tmp / "sub"
        work.mkdir()
        copy_allowed(Path(submission_dir), work)
        (work / "_submitted.ipynb").write_text(nbformat.writes(nb))
        _seed_matplotlib_cache(work / ".mpl")
        uid = slot_uid(slot) + NOTEBOOK_UID_OFFSET  # never the worker's uid: a fork bomb in the
        if os.geteuid() == 0 and mode() == "bwrap":   # kernel must not starve the hidden suite
            for p in [work, *work.rglob("*")]:
                os.lchown(p, uid, uid)
        elif os.geteuid() == 0:
            os.chmod(work, 0o777)
        paths = interpreter_paths()
        log = open(tmp / "log.txt", "wb")
        launch = Launch(
            workdir=work, writable=True, limits=limits, uid=uid,
            argv=[str(paths["exe"]), "-I", "-S", "-B", "/opt/grader/guest/nbexec.py",
                  "/sub/_submitted.ipynb", "/sub/_executed.ipynb", "--timeout", str(cell_timeout),
                  "--sub", "/sub", *sum((["--path", str(s)] for s in paths["site"]), [])],
            ro_binds=GUEST_BINDS, env={"MPLCONFIGDIR": "/sub/.mpl", **(env or {})},
            stdout=log, stderr=log)
        try:
            proc, _ = launch.popen()
        finally:
            log.close()
        try:
            proc.wait(timeout=limits.wall_seconds)
        except subprocess.TimeoutExpired:
            kill_tree(proc)
            wait_uid_gone(uid)
            return NotebookRun(None, f"the notebook did not finish within {limits.wall_seconds:g} s",
                               time.monotonic() - t0)
        kill_tree(proc)
        wait_uid_gone(uid)
        out = work / "_executed.ipynb"
        if out.is_symlink() or not out.is_file():
            tail = (tmp / "log.txt").read_bytes()[-400:].decode("utf-8", "replace").strip()
            return NotebookRun(None, "the notebook could not be executed "
                                     f"({describe_exit(proc.returncode, limits)}): {tail}",
                               time.monotonic() - t0)
        if out.stat().st_size > 50_000_000:
            return NotebookRun(None, "the executed notebook is too large", time.monotonic() - t0)
        try:
            fd = os.open(out, os.O_RDONLY | os.O_NOFOLLOW)
            with os.fdopen(fd, "rb") as fh:
                executed = nbformat.reads(fh.read().decode("utf-8"), as_version=4)
        except Exception as exc:  # noqa: BLE001 - untrusted file
            return NotebookRun(None, f"the executed notebook could not be read ({exc})",
                               time.monotonic() - t0)
        status = executed.metadata.get("course_execution", {}).get("status", "unknown")
        return NotebookRun(executed, str(status)[:300], time.monotonic() - t0)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _seed_matplotlib_cache(dest: Path) -> None:
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
