"""The warm notebook sandbox (host side; the guest is ``guest/warm.py``).

A fresh sandbox per notebook spends most of a short notebook's time starting: a new interpreter,
nbclient, ipykernel, numpy, matplotlib, scikit-learn (``benchmarks/profile_job.py`` measures
it). :class:`WarmSandbox` is one bubblewrap sandbox per grading process, started once: its
first process imports those modules and then forks a fresh kernel and client for each notebook,
so a run costs its cells. Isolation between runs, in the order a run ends:

* the guest kills every other process of the sandbox's PID namespace and empties its /tmp and
  /dev/shm; the grader empties /sub, which it fills for the next run itself;
* the guest's first process runs no student code, keeps no file a run could change and is not
  dumpable (no ptrace, no ``/proc/PID/mem`` for the runs' processes of the same uid);
* a run that spends its budget, or anything unexpected from the guest, kills the whole sandbox;
  the next run starts a new one.

Only where bubblewrap is (the PID namespace is what makes the sweep safe); a run the warm
sandbox cannot do (it does not start, it dies) is redone in a fresh one-shot sandbox, so a
failure here costs time, never a point. ``COURSE_WARM_SANDBOX=0`` turns it off.
"""

from __future__ import annotations

import atexit
import itertools
import multiprocessing.util
import os
import select
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from .. import protocol
from . import datasets
from .isolation import GUEST_BINDS, Launch, copy_allowed, guest_argv, mode
from .leases import Lease
from .limits import Limits, SandboxFault
from .processes import kill_tree, sweep_leased_uid, tree_usage
from .runs import (
    NOTEBOOK_OUTPUT_BYTES,
    NotebookRun,
    load_factor,
    read_executed,
    seed_matplotlib_cache,
    wait_judged,
)
from .worker import lease_for_root, private_box

# Imported once by the guest before its first fork: what the course's notebooks and course_lib
# import (a module that is not installed is skipped). Importing earlier changes no result:
# none of these reads anything at import that a run could set.
PRELOAD = (
    "numpy",
    "threadpoolctl",
    "scipy.optimize",
    "scipy.interpolate",
    "sklearn.datasets",
    "sklearn.svm",
    "matplotlib",
    "matplotlib.pyplot",
    "mnist1d.data",
)
START_SECONDS = 60.0  # to start and import PRELOAD, on an idle machine (scaled by the load)


def enabled() -> bool:
    """Whether notebooks run in the warm sandbox here (bubblewrap, and not turned off)."""
    return os.environ.get("COURSE_WARM_SANDBOX", "1") != "0" and mode() == "bwrap"


class WarmSandbox:
    """One warm sandbox: :meth:`run` executes a notebook in it (one run at a time)."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.proc: subprocess.Popen | None = None
        self.lease: Lease | None = None
        self.preloaded: list[str] = []
        self._ids = itertools.count(1)
        self._tmp: Path | None = None
        self._w: int | None = None
        self._reader: protocol.Reader | None = None

    # -- lifecycle

    def start(self) -> None:
        """Start the guest and wait for its greeting; :class:`SandboxFault` if it does not come."""
        self.stop()
        self._tmp = Path(tempfile.mkdtemp(prefix="course-warm-"))
        os.chmod(self._tmp, 0o711)
        self.lease = lease_for_root("the warm notebook sandbox cannot start")
        box = private_box(self._tmp, self.lease)
        work = box / "sub"
        work.mkdir()
        self._fill(work, None, None)
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        data_binds, data_env = datasets.lent()
        log = open(self._tmp / "log.txt", "ab")
        launch = Launch(
            workdir=work,
            writable=True,
            limits=self.limits,
            uid=self.lease.uid if self.lease else None,
            private_tmp=box,
            argv=guest_argv(
                "warm.py",
                *("--in", str(req_r), "--out", str(rep_w), "--sub", "/sub"),
                *sum((["--preload", m] for m in PRELOAD), []),
            ),
            ro_binds=GUEST_BINDS + data_binds,
            env={"MPLCONFIGDIR": "/sub/.mpl", **data_env},
            pass_fds=(req_r, rep_w),
            stdout=log,
            stderr=log,
        )
        try:
            self.proc, _ = launch.popen()
        except (OSError, subprocess.SubprocessError) as exc:
            os.close(req_w)
            os.close(rep_r)
            self.stop()
            raise SandboxFault("start", f"the warm sandbox could not be started ({exc})") from None
        finally:
            os.close(req_r)
            os.close(rep_w)
            log.close()
        self._w = req_w
        self._reader = protocol.Reader(rep_r, 1 << 20)
        try:
            hello, _ = self._reader.read(time.monotonic() + START_SECONDS * load_factor())
        except protocol.ProtocolError as exc:
            tail = self._log_tail()
            self.stop()
            raise SandboxFault("start", f"the warm sandbox did not start ({exc}): {tail}") from None
        if not hello.get("ready"):
            self.stop()
            raise SandboxFault("start", "the warm sandbox did not greet")
        self.preloaded = list(hello.get("preloaded") or [])

    def stop(self) -> None:
        """Kill the sandbox and everything in it; its folder and uid lease are given back."""
        if self.proc is not None:
            kill_tree(self.proc)
            sweep_leased_uid(self.lease)
            self.proc = None
        for fd in (self._w, self._reader.fd if self._reader else None):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._w, self._reader = None, None
        if self.lease is not None:
            self.lease.release()
            self.lease = None
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # -- one run

    def _work(self) -> Path:
        assert self._tmp is not None
        return self._tmp / "box" / "sub"

    @staticmethod
    def _empty(work: Path) -> None:
        """Remove everything in /sub (it stays). OSError if something cannot be removed."""
        for entry in work.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, onerror=_writable_then_retry)
            else:
                entry.unlink()

    def _fill(self, work: Path, nb, submission_dir) -> None:
        """Empty /sub and put this run's files in it (the grader's checks copied, read-only)."""
        self._empty(work)
        seed_matplotlib_cache(work / ".mpl")
        if nb is not None:
            import nbformat

            copy_allowed(Path(submission_dir), work, copy_checks=True)
            (work / "_submitted.ipynb").write_text(nbformat.writes(nb))
        if self.lease is not None:
            checks = work / "course_lib" / "checks"
            for p in [work, *work.rglob("*")]:
                if checks != p and checks not in p.parents:
                    os.lchown(p, self.lease.uid, self.lease.uid)

    def _log_tail(self) -> str:
        try:
            assert self._tmp is not None
            return (self._tmp / "log.txt").read_bytes()[-400:].decode("utf-8", "replace").strip()
        except (OSError, AssertionError):
            return ""

    def run(
        self,
        nb,
        submission_dir,
        *,
        cell_timeout: int,
        env: dict | None,
        cell_chars: int,
    ) -> NotebookRun:
        """Execute ``nb`` next to ``submission_dir``'s allowed files, as
        :func:`~.notebook.run_notebook` does. :class:`SandboxFault` when the warm sandbox fails
        (the caller runs the notebook in a one-shot sandbox instead)."""
        if not self.alive:
            self.start()
        assert self.proc is not None and self._reader is not None and self._w is not None
        t0 = time.monotonic()
        work = self._work()
        try:
            self._fill(work, nb, submission_dir)
            assert self._tmp is not None
            os.truncate(self._tmp / "log.txt", 0)
        except OSError as exc:
            self.stop()
            raise SandboxFault(
                "start", f"the warm sandbox's folder could not be filled ({exc})"
            ) from None
        rid = next(self._ids)
        request = {
            "op": "run",
            "id": rid,
            "timeout": int(cell_timeout * load_factor()),
            "cell_chars": cell_chars,
            "notebook_bytes": NOTEBOOK_OUTPUT_BYTES,
            "env": dict(env or {}),
        }
        cpu0, _ = tree_usage(self.proc.pid)
        reply: dict = {}
        reader = self._reader
        fd = reader.fd

        def ended(timeout: float) -> bool:
            if not select.select([fd], [], [], timeout)[0]:
                return False
            try:
                reply.update(reader.read(time.monotonic() + 5.0)[0])
            except protocol.ProtocolError as exc:
                reply["broken"] = str(exc)
            return True

        try:
            protocol.write_message(self._w, request)
            finished = wait_judged(self.proc.pid, self.limits, ended, cpu0)
        except OSError as exc:
            self.stop()
            raise SandboxFault("start", f"the warm sandbox stopped answering ({exc})") from None
        except SandboxFault:
            self.stop()
            raise
        if not finished:
            self.stop()  # the run is still going: only killing the sandbox ends it for sure
            return NotebookRun(
                None,
                f"the notebook did not finish within {self.limits.wall_seconds:g} s",
                time.monotonic() - t0,
            )
        if "broken" in reply or reply.get("id") != rid or type(reply.get("exit")) is not int:
            why = reply.get("broken") or reply.get("fatal") or "an unexpected reply"
            self.stop()
            raise SandboxFault("start", f"the warm sandbox failed ({why}): {self._log_tail()}")
        assert self._tmp is not None
        result = read_executed(work, self._tmp / "log.txt", reply["exit"], self.limits, t0)
        try:
            self._empty(work)
        except OSError:
            self.stop()  # what the run left in /sub cannot be removed: never reuse it
        if reply.get("left"):
            self.stop()  # a process of this run outlived the sweep: never reuse the sandbox
        return result


def _writable_then_retry(func, path, _exc) -> None:
    """rmtree's error handler: a folder a run made unwritable or unreadable (without root the
    grader is only its owner) is made usable again, then removed."""
    for p in {os.path.dirname(path), path}:
        if os.path.isdir(p) and not os.path.islink(p):
            os.chmod(p, 0o700)
    if func is os.rmdir or func is os.unlink:
        func(path)
    else:
        shutil.rmtree(path)


_SANDBOXES: dict[tuple[int, tuple], WarmSandbox] = {}
_LOCK = threading.Lock()


def _after_fork_in_child() -> None:
    global _LOCK
    _LOCK = threading.Lock()  # a pool worker forked while its parent ran a notebook


os.register_at_fork(after_in_child=_after_fork_in_child)


def _limits_key(limits: Limits) -> tuple:
    return tuple(sorted(vars(limits).items()))


def run_warm(nb, submission_dir, *, limits: Limits, cell_timeout: int, env, cell_chars):
    """Run ``nb`` in this process's warm sandbox for ``limits`` (started on first use).
    ``None`` when it is busy (another thread's run): the caller uses a one-shot sandbox.
    :class:`SandboxFault` when it fails."""
    if not _LOCK.acquire(blocking=False):
        return None
    try:
        key = (os.getpid(), _limits_key(limits))
        box = _SANDBOXES.get(key)
        if box is None:
            for other in [k for k in _SANDBOXES if k[0] == os.getpid()]:
                _SANDBOXES.pop(other).stop()  # one warm sandbox per process
            box = _SANDBOXES[key] = WarmSandbox(limits)
        return box.run(
            nb, submission_dir, cell_timeout=cell_timeout, env=env, cell_chars=cell_chars
        )
    finally:
        _LOCK.release()


def stop_all() -> None:
    """Stop this process's warm sandboxes (at exit; a forked child leaves its parent's alone)."""
    for key in [k for k in _SANDBOXES if k[0] == os.getpid()]:
        _SANDBOXES.pop(key).stop()


atexit.register(stop_all)
# A pool worker (multiprocessing) ends with os._exit, after its finalizers but without atexit.
multiprocessing.util.Finalize(None, stop_all, exitpriority=100)
