"""Which sandbox this machine gives, and how one sandboxed process is started.

Where ``bwrap`` (bubblewrap) exists (``mode() == "bwrap"``):

* new PID, network (loopback only), IPC and UTS namespaces, a new session, ``--die-with-parent``;
* a fresh root holding only read-only binds of ``/usr`` (system libraries), the base interpreter
  and the venv's ``site-packages`` (paths resolved, not hard-coded), the guest folder
  (``autograder/sandbox/guest``) and the framing module, a tmpfs ``/tmp`` and, at ``/sub``, a
  temporary copy of the submission's allowed files with the grader's own ``course_lib/checks``
  bound read-only over the student's. No view of the repository, the solutions, the hidden
  suites, the gradebook or any other student;
* an unprivileged uid (so ``RLIMIT_NPROC`` counts), rlimits on CPU time, address space,
  processes, file size and open files;
* a scrubbed environment (one BLAS thread), and ``python -I -S -B`` with an explicit
  ``sys.path`` so no ``.pth`` hook or environment variable can redirect an import.

Without bubblewrap the sandbox is reduced and :func:`notice` says so.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ... import PUBLIC_FIXTURES, REFERENCE_DIR
from ...sanitize import course_lib_files
from . import reduced
from .limits import Limits, SandboxFault

GRADER_CHECKS = REFERENCE_DIR / "checks"
BWRAP = "/usr/bin/bwrap"
SANDBOX_DIR = Path(__file__).resolve().parents[1]
# What the guest sees of the grader: its own folder and the framing module, read-only.
GUEST_BINDS = [
    (SANDBOX_DIR / "guest", "/opt/grader/guest"),
    (SANDBOX_DIR / "protocol.py", "/opt/grader/protocol.py"),
]


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
        probe = [
            path,
            "--unshare-pid",
            "--unshare-net",
            "--die-with-parent",
            "--ro-bind",
            "/",
            "/",
            "--proc",
            "/proc",
            "/bin/true",
        ]
        if os.geteuid() != 0:
            probe[1:1] = ["--unshare-user"]
        _MODE[path] = "bwrap" if reduced.succeeds(probe) else "reduced"
    return _MODE[path]


def reduced_description() -> str:
    """What the reduced sandbox does on this machine, in one sentence (root is never hidden)."""
    paths = interpreter_paths()
    if os.geteuid() != 0:
        who = "as the grader's OWN uid (it can read and change the course folder)"
        iso = (
            "no network (user namespace)"
            if reduced.namespaces_available()
            else "NO network isolation"
        )
        return f"{who}, with resource limits and a scrubbed environment, {iso}, no private /tmp"
    if not all(reduced.others_can_reach(p) for p in [paths["exe"], *paths["site"]]):
        who = "AS ROOT (the interpreter is not reachable by an unprivileged uid)"
    else:
        who = "as a leased unprivileged uid"
    if reduced.namespaces_available():
        iso = (
            "no network, a private /tmp, the solutions, hidden suites and course folder "
            "hidden (mount namespace)"
        )
    else:
        iso = "NO network or filesystem isolation (the kernel refuses namespaces)"
    return f"{who}, with resource limits and a scrubbed environment, {iso}"


def tmp_paths_to_keep(needed: list[Path], private_tmp: Path) -> tuple[str, ...]:
    """The needed paths that live under /tmp (a course cloned there), outermost only, without
    the private /tmp itself: the reduced sandbox binds them inside its private /tmp."""
    out: list[Path] = []
    for p in sorted({Path(os.path.realpath(n)) for n in needed}):
        inside_tmp = Path("/tmp") in p.parents
        own = p == private_tmp or private_tmp in p.parents
        if inside_tmp and not own and not any(o in p.parents for o in out):
            out.append(p)
    return tuple(map(str, out))


def notice() -> str | None:
    """The notice every report must carry when the sandbox is reduced, else None."""
    if mode() == "bwrap":
        return None
    paths = interpreter_paths()
    risky = reduced.risks(paths["exe"], paths["site"])
    text = (
        "NOTICE: bubblewrap (bwrap) is not available on this machine, so student code runs in "
        f"the REDUCED sandbox: {reduced_description()}."
    )
    if risky:
        text += (
            " UNSAFE, accepted with COURSE_SANDBOX_ALLOW_UNSAFE=1: " + "; ".join(risky) + "."
            if reduced.allow_unsafe()
            else " Grading is REFUSED: " + "; ".join(risky) + "."
        )
    return text + " Install bubblewrap (apt-get install bubblewrap) for the full sandbox."


def sandbox_mode_line() -> str:
    """One line saying how student code runs here (printed first by ``make demo``/``make test``)."""
    if mode() == "bwrap":
        who = "a leased unprivileged uid" if os.geteuid() == 0 else "uid nobody in a user namespace"
        return (
            "sandbox: bubblewrap (no network, private filesystem view, rlimits, "
            f"{who}, PID namespace)"
        )
    paths = interpreter_paths()
    risky = reduced.risks(paths["exe"], paths["site"])
    state = (
        ""
        if not risky
        else " [UNSAFE, allowed by COURSE_SANDBOX_ALLOW_UNSAFE]"
        if reduced.allow_unsafe()
        else " [REFUSED: " + "; ".join(risky) + "; set COURSE_SANDBOX_ALLOW_UNSAFE=1 to accept]"
    )
    return f"sandbox: REDUCED (no bubblewrap): student code runs {reduced_description()}{state}"


def refuse_if_unsafe() -> None:
    """Raise :class:`SandboxFault` when the reduced sandbox is unsafe and nobody accepted it."""
    if mode() == "bwrap" or reduced.allow_unsafe():
        return
    paths = interpreter_paths()
    risky = reduced.risks(paths["exe"], paths["site"])
    if risky:
        raise SandboxFault(
            "refused",
            "not graded: the grader refuses to run student code here ("
            + "; ".join(risky)
            + "). Install bubblewrap, or accept the risk with "
            "COURSE_SANDBOX_ALLOW_UNSAFE=1 (course grade --unsafe-sandbox).",
        )


def interpreter_paths() -> dict:
    """Resolved paths: the base interpreter binary, its prefix, the stdlib and site-packages."""
    base_prefix = Path(os.path.realpath(sys.base_prefix))
    exe = base_prefix / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    if not exe.exists():
        exe = Path(os.path.realpath(sys.executable))
    site = [
        Path(os.path.realpath(p))
        for p in {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    ]
    return {"exe": exe, "base_prefix": base_prefix, "site": sorted(set(site))}


def guest_argv(script: str, *args: str) -> list[str]:
    """The command that runs ``guest/<script>`` inside the sandbox: the base interpreter with
    ``-I -S -B`` (no environment, no ``site``, no bytecode), ``args``, then ``--path`` and each
    site-packages folder (the guest puts them on ``sys.path`` itself)."""
    paths = interpreter_paths()
    return [
        str(paths["exe"]),
        "-I",
        "-S",
        "-B",
        f"/opt/grader/guest/{script}",
        *args,
        *sum((["--path", str(s)] for s in paths["site"]), []),
    ]


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


def copy_allowed(src: Path, dest: Path, *, copy_checks: bool = False) -> list[str]:
    """Copy the submission's allowed files (course_lib/**/*.py except checks/) into ``dest``;
    the grader's own ``checks/`` is bound over them at start, or copied in where no bind can be
    made (the reduced sandbox; ``copy_checks``: a sandbox that is already running)."""
    copied = []
    for rel in course_lib_files(src):
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / rel, target)
        copied.append(rel)
    checks = dest / "course_lib" / "checks"
    checks.mkdir(parents=True, exist_ok=True)
    if copy_checks or mode() != "bwrap":
        shutil.copytree(
            GRADER_CHECKS, checks, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__")
        )
        if PUBLIC_FIXTURES.is_dir():
            shutil.copytree(PUBLIC_FIXTURES, checks / "fixtures", dirs_exist_ok=True)
    return copied


@dataclass
class Launch:
    """How to start one sandboxed process; :meth:`popen` starts it."""

    workdir: Path  # becomes /sub inside (a private temp copy)
    argv: list  # the command inside the sandbox (paths as seen inside)
    limits: Limits = field(default_factory=Limits)
    writable: bool = False  # bind /sub read-write (notebook execution)
    uid: int | None = None  # the leased uid (required when the grader is root)
    private_tmp: Path | None = None  # reduced mode: bound over /tmp; holds ``workdir``
    env: dict = field(default_factory=dict)
    ro_binds: list = field(default_factory=list)  # (host_path, inside_path)
    pass_fds: tuple = ()
    stdout: Any = subprocess.DEVNULL  # a file, a pipe fd or DEVNULL, as subprocess takes them
    stderr: Any = subprocess.DEVNULL
    stdin: Any = subprocess.DEVNULL

    def command(self) -> tuple[list, str]:
        paths = interpreter_paths()
        sub = "/sub"
        mode_ = mode()
        if mode_ != "bwrap":
            return [self._reduce(a) for a in self.argv], mode_
        if os.geteuid() == 0 and self.uid is None:
            raise SandboxFault("start", "no sandbox uid was leased for a root grader")
        args = [
            bwrap_path(),
            "--die-with-parent",
            "--new-session",
            "--unshare-ipc",
            "--unshare-pid",
            "--unshare-net",
            "--unshare-uts",
            "--unshare-cgroup-try",
            "--ro-bind",
            "/usr",
            "/usr",
            "--symlink",
            "usr/lib",
            "/lib",
            "--symlink",
            "usr/lib64",
            "/lib64",
            "--symlink",
            "usr/bin",
            "/bin",
            "--symlink",
            "usr/sbin",
            "/sbin",
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            "--perms",
            "1777",
            "--tmpfs",
            "/tmp",
        ]
        if os.geteuid() != 0:
            args[1:1] = ["--unshare-user", "--uid", "65534", "--gid", "65534"]
        for d in ("/etc",):
            args += ["--perms", "0755", "--dir", d]
        for f in ("/etc/ld.so.cache", "/etc/nsswitch.conf", "/etc/localtime", "/etc/fonts"):
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
            # The grader's checks with the release's fixtures beside them, read-only: a tmpfs
            # holds the mount points (a bind inside a read-only bind could not make one).
            inside = f"{sub}/course_lib/checks"
            args += ["--tmpfs", inside]
            for entry in sorted(GRADER_CHECKS.iterdir()):
                if entry.name not in ("__pycache__", "fixtures"):
                    args += ["--ro-bind", str(entry), f"{inside}/{entry.name}"]
            if PUBLIC_FIXTURES.is_dir():
                args += ["--ro-bind", str(PUBLIC_FIXTURES), f"{inside}/fixtures"]
            args += ["--remount-ro", inside]
        args += ["--chdir", sub]
        if os.geteuid() == 0:
            args += [
                "/usr/bin/setpriv",
                f"--reuid={self.uid}",
                f"--regid={self.uid}",
                "--clear-groups",
                "--inh-caps=-all",
                "--",
            ]
        return args + list(self.argv), mode_

    def _private_tmp(self) -> Path | None:
        """The folder bound over /tmp in the reduced sandbox, if it gets one."""
        if self.private_tmp is None or os.geteuid() != 0 or not reduced.namespaces_available():
            return None
        return Path(self.private_tmp)

    def _reduce(self, a):
        """Reduced mode: inside paths that are not the host's are mapped back."""
        a = str(a)
        if a == "/sub" or a.startswith("/sub/"):
            tmp = self._private_tmp()
            sub = (
                "/tmp/" + str(Path(self.workdir).relative_to(tmp))
                if tmp is not None
                else str(self.workdir)
            )
            return sub + a[4:]
        for host, inside in self.ro_binds:
            if a == str(inside) or a.startswith(str(inside) + "/"):
                return str(host) + a[len(str(inside)) :]
        return a

    def preexec(self):
        limits = self.limits
        is_reduced = mode() != "bwrap"
        as_root = os.geteuid() == 0
        reduced_uid = namespaces = None
        private_tmp = hide = None
        keep: tuple[str, ...] = ()
        if is_reduced:
            paths = interpreter_paths()
            if as_root and all(reduced.others_can_reach(p) for p in [paths["exe"], *paths["site"]]):
                if self.uid is None:
                    raise SandboxFault("start", "no sandbox uid was leased for a root grader")
                reduced_uid = self.uid
            namespaces = reduced.namespaces_available()
            tmp = self._private_tmp()
            private_tmp = str(tmp) if tmp is not None else None
            needed = [
                paths["base_prefix"],
                paths["exe"],
                *paths["site"],
                *(Path(h) for h, _ in self.ro_binds),
                Path(self.workdir),
            ]
            hide = reduced.hide_plan(reduced.protected_paths(), needed) if as_root else []
            if tmp is not None:
                keep = tmp_paths_to_keep(needed, Path(os.path.realpath(tmp)))

        def fn():
            os.umask(0o022)
            for res, val in (
                (resource.RLIMIT_CPU, limits.cpu_seconds),
                (resource.RLIMIT_AS, limits.memory_bytes),
                (resource.RLIMIT_NPROC, limits.processes),
                (resource.RLIMIT_FSIZE, limits.file_bytes),
                (resource.RLIMIT_NOFILE, limits.open_files),
                (resource.RLIMIT_CORE, 0),
            ):
                # CPU: the soft limit's SIGXCPU says "CPU-time limit"; at an equal hard limit the
                # kernel would SIGKILL instead, which reads as a kill from outside (a fault).
                hard = val + 5 if res == resource.RLIMIT_CPU else val
                try:
                    resource.setrlimit(res, (val, hard))
                except (ValueError, OSError):
                    pass
            if namespaces:
                reduced.enter_namespaces(private_tmp, hide or [], as_root, keep)
            if reduced_uid is not None:
                os.setgroups([])
                os.setgid(reduced_uid)
                os.setuid(reduced_uid)
            if is_reduced:  # bwrap has --die-with-parent
                reduced.set_parent_death_signal()

        return fn

    def popen(self) -> tuple[subprocess.Popen, str]:
        cmd, mode_ = self.command()
        env = scrubbed_env(self.env)
        cwd = str(self.workdir)
        proc = subprocess.Popen(
            cmd,
            stdin=self.stdin,
            stdout=self.stdout,
            stderr=self.stderr,
            env=env,
            cwd=cwd,
            pass_fds=self.pass_fds,
            preexec_fn=self.preexec(),
            start_new_session=True,
            close_fds=True,
        )
        return proc, mode_
