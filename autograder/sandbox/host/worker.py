"""The host side of the persistent sandboxed worker (the guest is ``guest/serve.py``).

:class:`Worker` is one persistent sandboxed Python process per (submission, assignment). It is
started once and serves many scenario calls over a length-prefixed pipe protocol
(:mod:`autograder.sandbox.protocol`); it is killed and restarted after a crash or a timeout.
Replies are validated (sizes capped, JSON + ``.npy`` with ``allow_pickle=False``); nothing from a
worker is unpickled or imported into the grader.

Limits judge the code, not the machine. A call's budget (``Limits.wall_seconds``) is spent in CPU
time: when it runs out on the clock, the call is the student's timeout only if it used that much
CPU (a loop) or was not even trying to run (sleeping, blocked); a call that was runnable but kept
waiting for a CPU (an overloaded machine) gets more time, up to ``Limits.backstop_seconds``.
What is not the student's -- the sandbox not starting, a kill the grader did not send, the
backstop -- is a fault: the worker is restarted and the call redone (``Worker.retries`` times),
then :class:`SandboxFault` is raised, never a lost point.
"""

from __future__ import annotations

import importlib
import itertools
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from ...reference import REFERENCE_NAME, load_reference
from .. import protocol
from .isolation import GUEST_BINDS, Launch, copy_allowed, guest_argv, mode, refuse_if_unsafe
from .leases import Lease, LeaseError, lease_uid
from .limits import Limits, SandboxError, SandboxFault, describe_exit
from .processes import descendants, kill_tree, process_cpu, sweep_leased_uid, tree_usage


class Timeout(Exception):
    """A call ran out of its budget: ``cpu`` seconds used, ``runnable`` if it was computing."""

    def __init__(self, cpu: float, runnable: bool):
        super().__init__(cpu, runnable)
        self.cpu, self.runnable = cpu, runnable


# A slice of waiting on the clock during which a process that is runnable (computing, or ready and
# waiting for a CPU) spends at least this share of the slice is "trying to run".
RUNNABLE_SHARE = 0.5
SLICE_SECONDS = 1.0


def lease_for_root(what: str) -> Lease | None:
    """A leased sandbox uid when the grader is root (it switches uid), else None."""
    if os.geteuid() != 0:
        return None
    try:
        return lease_uid()
    except LeaseError as exc:
        raise SandboxFault("start", f"{what}: {exc}") from None


def private_box(tmp: Path, lease: Lease | None) -> Path:
    """``tmp/box``: the sandbox's own folder (its /tmp in the reduced sandbox), owned by its uid;
    the grader's files (logs) stay outside it, where the sandbox cannot replace them."""
    box = tmp / "box"
    box.mkdir(mode=0o700, exist_ok=True)
    if lease is not None:
        os.chown(box, lease.uid, lease.uid)
    return box


class Worker:
    """One persistent sandboxed worker serving scenario calls for one submission.

    Parameters
    ----------
    submission_dir : path
        Folder holding the submission's ``course_lib/`` (only its allowed files are copied).
    limits : Limits, optional
    slot : int, optional
        Accepted for older callers and ignored: sandbox uids are leased machine-wide.
    """

    retries = 2  # restarts after a fault before SandboxFault is raised

    def __init__(self, submission_dir, limits: Limits | None = None, slot: int | None = None):
        self.submission_dir = Path(submission_dir)
        self.limits = limits or Limits()
        self.lease: Lease | None = None
        self.proc: subprocess.Popen | None = None
        self.mode = mode()
        self._ids = itertools.count(1)
        self._guest_pid: int | None = None
        self._tmp = Path(tempfile.mkdtemp(prefix="course-sbx-"))
        os.chmod(self._tmp, 0o711)
        self.workdir = self._tmp / "box" / "sub"
        self.workdir.mkdir(mode=0o755, parents=True)
        self.files = copy_allowed(self.submission_dir, self.workdir)
        for p in self.workdir.rglob("*"):
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
        self.out_path = self._tmp / "stdout.txt"
        self.err_path = self._tmp / "stderr.txt"
        self.starts = 0
        self.faults: list[str] = []  # faults that were retried
        self.last_start_error: str | None = None

    @property
    def uid(self) -> int | None:
        """The leased sandbox uid (root graders), else None."""
        return self.lease.uid if self.lease is not None else None

    # -- lifecycle

    def start(self) -> None:
        """Start the guest; :class:`SandboxFault` if it does not come up (never the student's:
        the guest imports no student code before it greets)."""
        self.stop()
        refuse_if_unsafe()
        if self.lease is None:
            self.lease = lease_for_root("the sandbox cannot start")
        private_box(self._tmp, self.lease)
        self.starts += 1
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        out = open(self.out_path, "ab")
        err = open(self.err_path, "ab")
        launch = Launch(
            workdir=self.workdir,
            argv=guest_argv(
                "serve.py", *("--in", str(req_r), "--out", str(rep_w), "--sub", "/sub")
            ),
            limits=self.limits,
            uid=self.uid,
            private_tmp=self._tmp / "box",
            ro_binds=GUEST_BINDS,
            pass_fds=(req_r, rep_w),
            stdout=out,
            stderr=err,
        )
        try:
            self.proc, self.mode = launch.popen()
        except (OSError, subprocess.SubprocessError) as exc:
            os.close(req_w)
            os.close(rep_r)
            raise SandboxFault("start", f"the sandbox could not be started ({exc})") from None
        finally:
            os.close(req_r)
            os.close(rep_w)
            out.close()
            err.close()
        self._w = req_w
        self._reader = protocol.Reader(rep_r, self.limits.reply_bytes)
        self._r = rep_r
        try:
            hello, _ = self._read(None, self.limits.start_seconds, starting=True)
            if not hello.get("ready"):
                raise protocol.ProtocolError("bad greeting")
        except protocol.ProtocolError as exc:
            code = self._reap()
            reason = (
                describe_exit(code, self.limits).replace("the student's code", "the sandbox")
                if isinstance(exc, protocol.Closed)
                else f"the sandboxed worker did not start ({exc})"
            )
            self.last_start_error = reason + self._stderr_tail()
            raise SandboxFault("start", self.last_start_error) from None
        leaves = [p for p in descendants(self.proc.pid) if p != self.proc.pid]
        self._guest_pid = leaves[-1] if leaves else self.proc.pid

    def _reap(self) -> int | None:
        proc = self.proc
        if proc is None:
            return None
        try:
            code = proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            code = None
        kill_tree(proc)
        sweep_leased_uid(self.lease)
        self._close_fds()
        self.proc = None
        return code

    def _close_fds(self):
        for name in ("_w", "_r"):
            fd = getattr(self, name, None)
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
                setattr(self, name, None)

    def stop(self) -> None:
        if self.proc is not None:
            try:
                protocol.write_message(self._w, {"op": "exit"})
            except OSError:
                pass
            kill_tree(self.proc)
            sweep_leased_uid(self.lease)
            self.proc = None
        self._close_fds()

    def close(self) -> None:
        self.stop()
        if self.lease is not None:
            self.lease.release()
            self.lease = None
        shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001
            pass

    # -- calls

    def _stderr_tail(self, n: int = 600) -> str:
        try:
            data = self.err_path.read_bytes()[-n:].decode("utf-8", "replace").strip()
        except OSError:
            return ""
        return f"\nLast lines of stderr:\n{data}" if data else ""

    def output_capped(self) -> bool:
        return any(
            p.exists() and p.stat().st_size >= self.limits.file_bytes
            for p in (self.out_path, self.err_path)
        )

    def _read(self, rid, budget: float, *, starting: bool = False) -> tuple[dict, list]:
        """The reply to request ``rid`` (or the greeting). On the clock ``budget`` seconds, then
        slice by slice while the guest is runnable and has used less than ``budget`` s of CPU,
        up to the backstop. Raises :class:`Timeout` (the student's: used its CPU budget, or was
        not trying to run) or :class:`SandboxFault` (overloaded machine, or a start that hangs)."""
        t0 = time.monotonic()
        cpu0 = process_cpu(self._guest_pid) if self._guest_pid else 0.0
        deadline = t0 + budget
        last = None
        while True:
            try:
                while True:
                    reply, blobs = self._reader.read(deadline)
                    if starting or reply.get("id") == rid:
                        return reply, blobs
            except protocol.Timeout:
                pass
            now = time.monotonic()
            assert self.proc is not None
            cpu, wait = tree_usage(self._guest_pid or self.proc.pid)
            used = cpu - cpu0
            if last is not None:
                t_prev, cpu_prev, wait_prev = last
                runnable = (cpu - cpu_prev) + (wait - wait_prev) >= RUNNABLE_SHARE * (now - t_prev)
                if not starting and (used >= budget or not runnable):
                    raise Timeout(used, runnable)
                if starting and not runnable:
                    raise SandboxFault("start", "the sandbox hung while starting")
            if now - t0 >= self.limits.backstop_seconds:
                what = "starting the sandbox" if starting else "the call"
                raise SandboxFault(
                    "overload",
                    f"the machine is overloaded: {what} got only "
                    f"{used:.1f} s of CPU in {now - t0:.0f} s",
                )
            last = (now, cpu, wait)
            deadline = now + SLICE_SECONDS

    def _request_once(self, header: dict, blobs, budget: float) -> tuple[dict, list]:
        if self.proc is None:
            self.start()
        rid = next(self._ids)
        header = dict(header, id=rid)
        try:
            protocol.write_message(self._w, header, blobs)
            return self._read(rid, budget)
        except Timeout as exc:
            kill_tree(self.proc)
            self._reap()
            how = (
                f"{exc.cpu:.1f} s of CPU time used: an infinite loop, or far too slow"
                if exc.runnable
                else "it was waiting, not computing: sleeping or blocked"
            )
            raise SandboxError(
                "timeout",
                f"the call did not finish within the {budget:g} s wall-clock limit ({how})",
            ) from None
        except (protocol.Closed, BrokenPipeError, OSError):
            code = self._reap()
            if code in (-signal.SIGKILL, 128 + signal.SIGKILL):
                # The grader sends SIGKILL only after it gave up on a call (above); the limits
                # raise errors (memory, processes) or SIGXCPU/SIGXFSZ. Someone else killed it.
                raise SandboxFault(
                    "killed",
                    "the sandbox was killed from outside the grader "
                    "(another program, or the out-of-memory killer)",
                ) from None
            reason = describe_exit(code, self.limits)
            if self.output_capped():
                reason += f"; its output reached the {self.limits.file_bytes}-byte limit"
            raise SandboxError("crash", reason) from None
        except protocol.ProtocolError as exc:
            kill_tree(self.proc)
            self._reap()
            raise SandboxError("protocol", f"the worker sent an invalid reply ({exc})") from None

    def request(self, header: dict, blobs=(), timeout: float | None = None) -> tuple[dict, list]:
        """Send one request and return the validated reply.

        Raises :class:`SandboxError` for what the student's code did (crash, timeout, invalid
        reply) and :class:`SandboxFault` for what it did not, once ``retries`` restarts failed."""
        budget = self.limits.wall_seconds if timeout is None else timeout
        last: SandboxFault | None = None
        for _ in range(self.retries + 1):
            try:
                return self._request_once(header, blobs, budget)
            except SandboxFault as exc:
                if exc.kind == "refused":
                    raise
                last = exc
                self.faults.append(exc.message)
                self.stop()
        assert last is not None
        raise SandboxFault(
            last.kind, f"not graded, rerun: {last.message} ({self.retries + 1} attempts)"
        )

    def ping(self) -> float:
        t = time.perf_counter()
        self.request({"op": "ping"})
        return time.perf_counter() - t

    def record_scenario(self, name: str, case: dict):
        """Run scenario ``name`` on the student's code and return its ``Record`` (what the
        student's functions returned, for the score stage to replay with trusted code), or an
        ``Outcome`` whose error says why there is none: crashes, timeouts, invalid replies and
        a package that fails to import (never the exception a case expects). A
        :class:`SandboxFault` (not the student's) is raised, after retries.
        """
        fw = _framework()
        try:
            reply, blobs = self.request({"op": "scenario", "name": name, "case": _jsonable(case)})
        except SandboxFault:
            raise
        except SandboxError as exc:
            return error_outcome(f"Sandbox{exc.kind.capitalize()}", exc.message)
        if "fatal" in reply:
            return error_outcome("GraderError", str(reply["fatal"])[:500])
        if "import_error" in reply:
            err = reply["import_error"] if isinstance(reply["import_error"], dict) else {}
            return self.with_output_note(
                error_outcome(
                    str(err.get("type", "ImportError"))[:200],
                    str(err.get("message", ""))[:2000],
                    "importing the package",
                )
            )
        record = reply.get("record")
        if not isinstance(record, dict) or not isinstance(record.get("events"), list):
            return error_outcome("InvalidResult", "the worker's record could not be read back")
        return fw.Record(events=record["events"], blobs=list(blobs))

    def run_scenario(self, name: str, case: dict):
        """The ``Outcome`` of scenario ``name`` on the student's code: its record
        (:meth:`record_scenario`) replayed by the grader's own copy of the scenario, so every
        number judged is computed here from what the student's functions returned."""
        fw = _framework()
        result = self.record_scenario(name, case)
        if isinstance(result, fw.Outcome):
            return result
        if not _SCENARIOS:
            _SCENARIOS.update(fw.load_scenarios(REFERENCE_NAME))
        return self.with_output_note(fw.replay_scenario(_SCENARIOS[name], case, result))

    def with_output_note(self, outcome):
        """``outcome``, its error saying so when the student's output reached its cap."""
        if outcome.error is not None and self.output_capped():
            e = outcome.error
            outcome = error_outcome(
                e.type,
                f"{e.message} (output limit of {self.limits.file_bytes} "
                "bytes reached: too much printing)",
                e.where,
            )
        return outcome


_SCENARIOS: dict = {}


def _framework():
    """The grader's trusted copy of the outcome wire format (the reference package's
    ``checks.framework``, the module the guest encodes with)."""
    load_reference()
    return importlib.import_module(f"{REFERENCE_NAME}.checks.framework")


def error_outcome(type_: str, message: str, where: str = ""):
    """An ``Outcome`` carrying an error the grader made or reports (a crash, a timeout, a package
    that fails to import): its ``builtin`` is '', so it never counts as the exception a case
    expects."""
    fw = _framework()
    return fw.Outcome(error=fw.ErrorInfo(type=type_, builtin="", message=message, where=where))


def _jsonable(case: dict) -> dict:
    out = {}
    for k, v in case.items():
        if hasattr(v, "item") and getattr(v, "ndim", 1) == 0:
            v = v.item()
        out[str(k)] = v
    return out
