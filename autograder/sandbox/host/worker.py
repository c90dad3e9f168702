"""The host side of the persistent sandboxed worker (the guest is ``guest/serve.py``).

:class:`Worker` is one persistent sandboxed Python process per (submission, assignment). It is
started once and serves many scenario calls over a length-prefixed pipe protocol
(:mod:`autograder.sandbox.protocol`); it is killed and restarted after a crash or a timeout.
Replies are validated (sizes capped, JSON + ``.npy`` with ``allow_pickle=False``); nothing from a
worker is unpickled or imported into the grader.
"""

from __future__ import annotations

import importlib
import itertools
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from ...reference import REFERENCE_NAME, load_reference
from .. import protocol
from .isolation import GUEST_BINDS, Launch, copy_allowed, interpreter_paths, mode
from .leases import slot_uid
from .limits import Limits, SandboxError, describe_exit
from .processes import kill_tree, wait_uid_gone


class Worker:
    """One persistent sandboxed worker serving scenario calls for one submission.

    Parameters
    ----------
    submission_dir : path
        Folder holding the submission's ``course_lib/`` (only its allowed files are copied).
    limits : Limits, optional
    slot : int, optional
        Worker slot; picks the unprivileged uid.
    """

    def __init__(self, submission_dir, limits: Limits | None = None, slot: int | None = None):
        self.submission_dir = Path(submission_dir)
        self.limits = limits or Limits()
        self.uid = slot_uid(slot)
        self.proc: subprocess.Popen | None = None
        self.mode = mode()
        self._ids = itertools.count(1)
        self._tmp = Path(tempfile.mkdtemp(prefix="course-sbx-"))
        os.chmod(self._tmp, 0o711)
        self.workdir = self._tmp / "sub"
        self.workdir.mkdir(mode=0o755)
        self.files = copy_allowed(self.submission_dir, self.workdir)
        for p in self.workdir.rglob("*"):
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
        self.out_path = self._tmp / "stdout.txt"
        self.err_path = self._tmp / "stderr.txt"
        self.starts = 0
        self.last_start_error: str | None = None

    # -- lifecycle

    def start(self) -> None:
        self.stop()
        self.starts += 1
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        out = open(self.out_path, "ab")
        err = open(self.err_path, "ab")
        launch = Launch(
            workdir=self.workdir,
            argv=[str(interpreter_paths()["exe"]), "-I", "-S", "-B", "/opt/grader/guest/serve.py",
                  "--in", str(req_r), "--out", str(rep_w),
                  "--sub", "/sub", *sum((["--path", str(s)] for s in interpreter_paths()["site"]), [])],
            limits=self.limits, uid=self.uid,
            ro_binds=GUEST_BINDS,
            pass_fds=(req_r, rep_w), stdout=out, stderr=err)
        try:
            self.proc, self.mode = launch.popen()
        finally:
            os.close(req_r)
            os.close(rep_w)
            out.close()
            err.close()
        self._w = req_w
        self._reader = protocol.Reader(rep_r, self.limits.reply_bytes)
        self._r = rep_r
        try:
            hello, _ = self._reader.read(time.monotonic() + self.limits.start_seconds)
            if not hello.get("ready"):
                raise protocol.ProtocolError("bad greeting")
        except protocol.ProtocolError as exc:
            code = self._reap()
            reason = (describe_exit(code, self.limits) if isinstance(exc, protocol.Closed)
                      else f"the sandboxed worker did not start ({exc})")
            self.last_start_error = reason + self._stderr_tail()
            raise SandboxError("start", self.last_start_error) from None

    def _reap(self) -> int | None:
        proc = self.proc
        if proc is None:
            return None
        try:
            code = proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            code = None
        kill_tree(proc)
        wait_uid_gone(self.uid)
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
            wait_uid_gone(self.uid)
            self.proc = None
        self._close_fds()

    def close(self) -> None:
        self.stop()
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
        return any(p.exists() and p.stat().st_size >= self.limits.file_bytes
                   for p in (self.out_path, self.err_path))

    def request(self, header: dict, blobs=(), timeout: float | None = None) -> tuple[dict, list]:
        """Send one request and return the validated reply; raises :class:`SandboxError`."""
        if self.proc is None:
            self.start()
        rid = next(self._ids)
        header = dict(header, id=rid)
        deadline = time.monotonic() + (self.limits.wall_seconds if timeout is None else timeout)
        try:
            protocol.write_message(self._w, header, blobs)
            while True:
                reply, rblobs = self._reader.read(deadline)
                if reply.get("id") == rid:
                    return reply, rblobs
        except protocol.Timeout:
            kill_tree(self.proc)
            self._reap()
            limit = self.limits.wall_seconds if timeout is None else timeout
            raise SandboxError("timeout", f"the call did not finish within the {limit:g} s "
                                          "wall-clock limit (an infinite loop, or far too slow)")
        except (protocol.Closed, BrokenPipeError, OSError) as exc:
            code = self._reap()
            reason = describe_exit(code, self.limits)
            if self.output_capped():
                reason += f"; its output reached the {self.limits.file_bytes}-byte limit"
            raise SandboxError("crash", reason) from None
        except protocol.ProtocolError as exc:
            kill_tree(self.proc)
            self._reap()
            raise SandboxError("protocol", f"the worker sent an invalid reply ({exc})") from None

    def ping(self) -> float:
        t = time.perf_counter()
        self.request({"op": "ping"})
        return time.perf_counter() - t

    def run_scenario(self, name: str, case: dict):
        """Run scenario ``name`` on the student's code; returns a decoded ``Outcome``.

        Crashes, timeouts and invalid replies become an ``Outcome`` whose error says why.
        """
        fw = _framework()
        try:
            reply, blobs = self.request({"op": "scenario", "name": name, "case": _jsonable(case)})
        except SandboxError as exc:
            return error_outcome(f"Sandbox{exc.kind.capitalize()}", exc.message)
        if "fatal" in reply:
            return error_outcome("GraderError", str(reply["fatal"])[:500])
        try:
            outcome = fw.decode_outcome(reply.get("outcome"), blobs)
        except fw.WireError as exc:
            return error_outcome("InvalidResult", f"the result could not be read back ({exc})")
        if outcome.error is not None and self.output_capped():
            e = outcome.error
            outcome = error_outcome(e.type, f"{e.message} (output limit of {self.limits.file_bytes} "
                                            "bytes reached: too much printing)", e.where)
        return outcome


def _framework():
    """The grader's trusted copy of the outcome wire format (the reference package's
    ``checks.framework``, the module the guest encodes with)."""
    load_reference()
    return importlib.import_module(f"{REFERENCE_NAME}.checks.framework")


def error_outcome(type_: str, message: str, where: str = ""):
    """An ``Outcome`` carrying an error made by the grader (built through the wire format)."""
    return _framework().decode_outcome({"outputs": None, "error": {
        "type": type_, "mro": [type_, "SandboxError", "Exception"], "message": message,
        "where": where}})


def _jsonable(case: dict) -> dict:
    out = {}
    for k, v in case.items():
        if hasattr(v, "item") and getattr(v, "ndim", 1) == 0:
            v = v.item()
        out[str(k)] = v
    return out
