"""The trust boundary: student code runs only in sandboxed worker processes.

:class:`Worker` is one persistent sandboxed Python process per (submission, assignment). It is
started once and serves many scenario calls over a length-prefixed pipe protocol
(:mod:`autograder.sandbox.protocol`); it is killed and restarted after a crash or a timeout.

Isolation, where ``bwrap`` (bubblewrap) exists (``mode() == "bwrap"``):

* new PID, network (loopback only), IPC and UTS namespaces, a new session, ``--die-with-parent``;
* a fresh root holding only read-only binds of ``/usr`` (system libraries), the base interpreter
  and the venv's ``site-packages`` (paths resolved, not hard-coded), the worker's own two files,
  a tmpfs ``/tmp`` and, at ``/sub``, a temporary copy of the submission's allowed files with the
  grader's own ``course_lib/checks`` bound read-only over the student's. No view of the
  repository, the solutions, the hidden suites, the gradebook or any other student;
* an unprivileged uid per worker slot (so ``RLIMIT_NPROC`` counts), rlimits on CPU time, address
  space, processes, file size and open files, and a wall-clock deadline per call enforced here;
* student stdout/stderr go to capped files (the protocol has its own fds), a scrubbed
  environment (one BLAS thread), and ``python -I -S -B`` with an explicit ``sys.path`` so no
  ``.pth`` hook or environment variable can redirect an import.

Without bubblewrap the sandbox is reduced (rlimits, separate uid where possible, temp directory,
scrubbed environment, no filesystem or network isolation) and :func:`notice` says so; every
grading report carries that notice.

Replies are validated (sizes capped, JSON + ``.npy`` with ``allow_pickle=False``); nothing from a
worker is unpickled or imported into the grader.
"""

from __future__ import annotations

import itertools
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import protocol

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
GRADER_CHECKS = REPO / "solutions" / "course_lib" / "checks"
BWRAP = "/usr/bin/bwrap"
SANDBOX_UID_BASE = 62000

NOTICE_REDUCED = (
    "NOTICE: bubblewrap (bwrap) is not available on this machine, so the grader ran student code "
    "in its REDUCED sandbox: resource limits, a separate uid where possible, a temporary working "
    "directory and a scrubbed environment, but NO filesystem or network isolation. Install "
    "bubblewrap (apt-get install bubblewrap) for the full sandbox."
)


def bwrap_path() -> str | None:
    """Path of a working bubblewrap, or None."""
    if os.environ.get("COURSE_SANDBOX") == "reduced":
        return None
    path = shutil.which("bwrap") or (BWRAP if os.path.exists(BWRAP) else None)
    return path


_MODE: dict = {}


def mode() -> str:
    """``"bwrap"`` (full isolation; probed once) or ``"reduced"``."""
    path = bwrap_path()
    if path is None:
        return "reduced"
    if path not in _MODE:
        probe = [path, "--unshare-pid", "--unshare-net", "--die-with-parent",
                 "--ro-bind", "/", "/", "--proc", "/proc", "/bin/true"]
        if os.geteuid() != 0:
            probe[1:1] = ["--unshare-user"]
        try:
            ok = subprocess.run(probe, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, timeout=20).returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            ok = False
        _MODE[path] = "bwrap" if ok else "reduced"
    return _MODE[path]


def notice() -> str | None:
    """The notice every report must carry when the sandbox is reduced, else None."""
    return None if mode() == "bwrap" else NOTICE_REDUCED


@dataclass
class Limits:
    """Resource limits of one sandboxed process."""

    cpu_seconds: int = 60            # RLIMIT_CPU over the worker's life (it serves many calls)
    wall_seconds: float = 10.0       # per call, enforced by the grader
    start_seconds: float = 20.0      # to start and import numpy
    memory_bytes: int = 2 << 30      # RLIMIT_AS
    processes: int = 64              # RLIMIT_NPROC of the sandbox uid (threads count too)
    file_bytes: int = 4 << 20        # RLIMIT_FSIZE: every file, stdout and stderr included
    open_files: int = 256            # RLIMIT_NOFILE
    reply_bytes: int = 64 << 20      # largest reply the grader accepts


class SandboxError(RuntimeError):
    """A sandboxed call failed for a reason outside the student's Python code (crash, timeout)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


# ------------------------------------------------------------------------------------------------
# Paths the interpreter needs


def interpreter_paths() -> dict:
    """Resolved paths: the base interpreter binary, its prefix, the stdlib and site-packages."""
    base_prefix = Path(os.path.realpath(sys.base_prefix))
    exe = base_prefix / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    if not exe.exists():
        exe = Path(os.path.realpath(sys.executable))
    site = [Path(os.path.realpath(p)) for p in {sysconfig.get_paths()["purelib"],
                                                 sysconfig.get_paths()["platlib"]}]
    return {"exe": exe, "base_prefix": base_prefix, "site": sorted(set(site))}


def _shadowed_in_site(site: Path) -> list[Path]:
    """Things in site-packages a sandbox must not see: an installed copy of the grader or of
    course_lib (hidden suites, mistakes), editable-install finders that point at the repo."""
    out = []
    for name in ("autograder", "course_lib", "solutions", "tests"):
        if (site / name).is_dir():
            out.append(site / name)
    return out


def _ancestors(path: Path) -> list[str]:
    parts = []
    p = path
    while str(p) not in ("/", ""):
        parts.append(str(p))
        p = p.parent
    return list(reversed(parts))


_uid_counter = itertools.count()


def slot_uid(slot: int | None = None) -> int:
    """An unprivileged uid for a worker slot (``COURSE_GRADER_SLOT`` or derived from the pid)."""
    if slot is None:
        env = os.environ.get("COURSE_GRADER_SLOT")
        slot = int(env) if env and env.isdigit() else (os.getpid() % 997) * 8 + next(_uid_counter) % 8
    return SANDBOX_UID_BASE + int(slot) % 20000


def scrubbed_env(extra: dict | None = None) -> dict:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": "/tmp",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TMPDIR": "/tmp",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "NUMEXPR_NUM_THREADS": "1",
        "VECLIB_MAXIMUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": "/tmp/mpl",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    env.update(extra or {})
    return env


def _world_readable_chain(path: Path) -> bool:
    for a in _ancestors(path):
        try:
            if not os.stat(a).st_mode & stat.S_IXOTH:
                return False
        except OSError:
            return False
    return True


# ------------------------------------------------------------------------------------------------
# Launching one sandboxed process


@dataclass
class Launch:
    """How to start one sandboxed process; :meth:`popen` starts it."""

    workdir: Path                       # becomes /sub inside (a private temp copy)
    argv: list                          # the command inside the sandbox (paths as seen inside)
    limits: Limits = field(default_factory=Limits)
    writable: bool = False              # bind /sub read-write (notebook execution)
    uid: int | None = None
    env: dict = field(default_factory=dict)
    ro_binds: list = field(default_factory=list)   # (host_path, inside_path)
    pass_fds: tuple = ()
    stdout: object = subprocess.DEVNULL
    stderr: object = subprocess.DEVNULL
    stdin: object = subprocess.DEVNULL

    def command(self) -> tuple[list, str]:
        paths = interpreter_paths()
        sub = "/sub"
        mode_ = mode()
        if mode_ != "bwrap":
            return [self._reduce(a) for a in self.argv], mode_
        args = [bwrap_path(), "--die-with-parent", "--new-session",
                "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                "--unshare-cgroup-try",
                "--ro-bind", "/usr", "/usr",
                "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
                "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin",
                "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
        if os.geteuid() != 0:
            args[1:1] = ["--unshare-user", "--uid", "65534", "--gid", "65534"]
        for d in ("/etc",):
            args += ["--perms", "0755", "--dir", d]
        for f in ("/etc/ld.so.cache", "/etc/nsswitch.conf", "/etc/localtime"):
            if os.path.exists(f):
                args += ["--ro-bind", f, f]
        binds = [(paths["base_prefix"], paths["base_prefix"])]
        for s in paths["site"]:
            binds.append((s, s))
        binds += [(Path(h), Path(i)) for h, i in self.ro_binds]
        made = set()
        for _, inside in binds:
            for a in _ancestors(Path(inside).parent):
                if a not in made and not a.startswith("/usr") and a not in ("/tmp",):
                    made.add(a)
                    args += ["--perms", "0755", "--dir", a]
        for host, inside in binds:
            args += ["--ro-bind", str(host), str(inside)]
        for s in paths["site"]:
            for hidden in _shadowed_in_site(s):
                args += ["--tmpfs", str(hidden)]
        args += ["--bind" if self.writable else "--ro-bind", str(self.workdir), sub]
        checks = Path(self.workdir) / "course_lib" / "checks"
        if checks.is_dir():
            args += ["--ro-bind", str(GRADER_CHECKS), f"{sub}/course_lib/checks"]
        args += ["--chdir", sub]
        if os.geteuid() == 0:
            uid = self.uid if self.uid is not None else slot_uid()
            args += ["/usr/bin/setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                     "--inh-caps=-all", "--"]
        return args + list(self.argv), mode_

    def _reduce(self, a):
        """Reduced mode: inside paths that are not the host's are mapped back."""
        a = str(a)
        if a == "/sub" or a.startswith("/sub/"):
            return str(self.workdir) + a[4:]
        for host, inside in self.ro_binds:
            if a == str(inside) or a.startswith(str(inside) + "/"):
                return str(host) + a[len(str(inside)):]
        return a

    def preexec(self):
        limits = self.limits
        reduced_uid = None
        if mode() != "bwrap" and os.geteuid() == 0:
            paths = interpreter_paths()
            if all(_world_readable_chain(p) for p in [paths["exe"], *paths["site"]]):
                reduced_uid = self.uid if self.uid is not None else slot_uid()

        def fn():
            os.umask(0o022)
            for res, val in ((resource.RLIMIT_CPU, limits.cpu_seconds),
                             (resource.RLIMIT_AS, limits.memory_bytes),
                             (resource.RLIMIT_NPROC, limits.processes),
                             (resource.RLIMIT_FSIZE, limits.file_bytes),
                             (resource.RLIMIT_NOFILE, limits.open_files),
                             (resource.RLIMIT_CORE, 0)):
                try:
                    resource.setrlimit(res, (val, val))
                except (ValueError, OSError):
                    pass
            if reduced_uid is not None:
                os.setgroups([])
                os.setgid(reduced_uid)
                os.setuid(reduced_uid)
        return fn

    def popen(self) -> tuple[subprocess.Popen, str]:
        cmd, mode_ = self.command()
        env = scrubbed_env(self.env)
        cwd = str(self.workdir)
        proc = subprocess.Popen(cmd, stdin=self.stdin, stdout=self.stdout, stderr=self.stderr,
                                env=env, cwd=cwd, pass_fds=self.pass_fds,
                                preexec_fn=self.preexec(), start_new_session=True, close_fds=True)
        return proc, mode_


def kill_tree(proc: subprocess.Popen) -> None:
    """Kill a sandboxed process and everything it started."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.kill()
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def describe_exit(code: int | None, limits: Limits) -> str:
    """A student-facing reason for a worker that died."""
    if code is None:
        return "the sandboxed process stopped answering"
    sig = -code if code < 0 else (code - 128 if code > 128 else None)
    names = {
        signal.SIGSEGV: "crashed with a segmentation fault",
        signal.SIGXCPU: f"used more than its CPU-time limit ({limits.cpu_seconds} s)",
        signal.SIGKILL: "was killed (limit exceeded)",
        signal.SIGABRT: "aborted",
        signal.SIGBUS: "crashed (bus error)",
        signal.SIGFPE: "crashed (floating-point exception)",
        signal.SIGXFSZ: f"wrote more than the file-size limit ({limits.file_bytes} bytes)",
    }
    if sig is not None and sig in names:
        return f"the student's code {names[sig]}"
    return f"the student's code ended the worker process (exit code {code}; os._exit or sys.exit?)"


# ------------------------------------------------------------------------------------------------
# The persistent worker


def _copy_allowed(src: Path, dest: Path) -> list[str]:
    """Copy the submission's allowed files (course_lib/**/*.py except checks/) into ``dest``."""
    from ..sanitize import course_lib_files

    copied = []
    for rel in course_lib_files(src):
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / rel, target)
        copied.append(rel)
    (dest / "course_lib" / "checks").mkdir(parents=True, exist_ok=True)
    return copied


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
        self.files = _copy_allowed(self.submission_dir, self.workdir)
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
        if self.mode == "bwrap" and os.geteuid() == 0:
            # Opened by root in a private dir; the sandbox uid writes through the inherited fd.
            pass
        launch = Launch(
            workdir=self.workdir,
            argv=[str(interpreter_paths()["exe"]), "-I", "-S", "-B", "/opt/grader/worker.py",
                  "--in", str(req_r), "--out", str(rep_w), "--grader", "/opt/grader",
                  "--sub", "/sub", *sum((["--path", str(s)] for s in interpreter_paths()["site"]), [])],
            limits=self.limits, uid=self.uid,
            ro_binds=[(HERE / "worker.py", "/opt/grader/worker.py"),
                      (HERE / "protocol.py", "/opt/grader/protocol.py")],
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
            return fw.Outcome(error=fw.ErrorInfo(type=f"Sandbox{exc.kind.capitalize()}",
                                                 mro=(f"Sandbox{exc.kind.capitalize()}", "SandboxError"),
                                                 message=exc.message, where=""))
        if "fatal" in reply:
            return fw.Outcome(error=fw.ErrorInfo(type="GraderError", mro=("GraderError",),
                                                 message=str(reply["fatal"])[:500]))
        try:
            outcome = fw.decode_outcome(reply.get("outcome"), blobs)
        except fw.WireError as exc:
            return fw.Outcome(error=fw.ErrorInfo(type="InvalidResult", mro=("InvalidResult",),
                                                 message=f"the result could not be read back ({exc})"))
        if outcome.error is not None and self.output_capped():
            e = outcome.error
            outcome = fw.Outcome(error=fw.ErrorInfo(
                type=e.type, mro=e.mro, where=e.where,
                message=f"{e.message} (output limit of {self.limits.file_bytes} bytes reached: "
                        "too much printing)"))
        return outcome


def _framework():
    """The grader's trusted copy of the scenario framework (the reference package's)."""
    from ..harness import framework
    return framework()


def _jsonable(case: dict) -> dict:
    out = {}
    for k, v in case.items():
        if hasattr(v, "item") and getattr(v, "ndim", 1) == 0:
            v = v.item()
        out[str(k)] = v
    return out
