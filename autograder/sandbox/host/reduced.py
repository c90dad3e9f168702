"""The reduced sandbox, for machines without bubblewrap, and when it must refuse to run.

What it does, from a root grader: each sandboxed process gets a leased unprivileged uid (see
:mod:`.leases`) and, where the kernel allows ``unshare(2)``, new mount, network, IPC and UTS
namespaces: no network at all (the new namespace's loopback is down), a private ``/tmp`` (the
sandbox's own temporary folder bound over it), and the course's secrets (the solutions, the hidden
suites, the mistake catalogue, the current course folder and every folder named in
``COURSE_SANDBOX_PROTECT``) hidden under empty read-only mounts. From any other grader it can only
add rlimits, a scrubbed environment and, where unprivileged user namespaces exist, no network.

It refuses (:func:`risks` is not empty) to run student code as root, as the grader's own uid, or
as a uid that can read the course, unless ``COURSE_SANDBOX_ALLOW_UNSAFE=1`` (the CLI's
``--unsafe-sandbox``) names the risk; :func:`describe` then says exactly what runs how.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import signal
import socket
import stat
import struct
import subprocess
import sys
from pathlib import Path

from ... import REFERENCE_DIR, SUITES_DIR

ALLOW_UNSAFE_ENV = "COURSE_SANDBOX_ALLOW_UNSAFE"
PROTECT_ENV = "COURSE_SANDBOX_PROTECT"

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWNET = 0x10000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 4096, 16384, 1 << 18
PR_SET_PDEATHSIG = 1
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1

_libc = ctypes.CDLL(None, use_errno=True)


def allow_unsafe(enable: bool | None = None) -> bool:
    """Whether the operator accepted an unsafe reduced sandbox (``COURSE_SANDBOX_ALLOW_UNSAFE``);
    ``allow_unsafe(True)`` sets it for this process and the graders it starts."""
    if enable is not None:
        if enable:
            os.environ[ALLOW_UNSAFE_ENV] = "1"
        else:
            os.environ.pop(ALLOW_UNSAFE_ENV, None)
    return os.environ.get(ALLOW_UNSAFE_ENV, "") not in ("", "0")


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(src: str, target: str, fstype: str | None, flags: int, data: str | None = None):
    _check(
        _libc.mount(
            src.encode(),
            target.encode(),
            fstype.encode() if fstype else None,
            ctypes.c_ulong(flags),
            data.encode() if data else None,
        ),
        f"mount {target}",
    )


def enter_namespaces(
    private_tmp: str | None, hide: list[tuple[str, str]], as_root: bool, keep: tuple[str, ...] = ()
) -> None:
    """In the child, before exec: new namespaces, private /tmp, hidden paths. Raises OSError.

    ``keep``: paths under /tmp the sandbox needs (the grader's own files when the course was
    cloned into /tmp): each is bound at its place inside the private /tmp, nothing else of it."""
    if not as_root:
        _check(_libc.unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS), "unshare")
        _loopback_up()
        return
    _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS), "unshare")
    _loopback_up()
    _mount("none", "/", None, MS_REC | MS_PRIVATE)
    for kind, path in hide:
        if kind == "dir":
            _mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k,mode=0755")
        else:
            _mount("/dev/null", path, None, MS_BIND)
    if private_tmp is not None:
        for path in keep:
            target = os.path.join(private_tmp, os.path.relpath(path, "/tmp"))
            if os.path.isdir(path):
                os.makedirs(target, exist_ok=True)
            else:
                os.makedirs(os.path.dirname(target), exist_ok=True)
                open(target, "a").close()
            _mount(path, target, None, MS_BIND | MS_REC)
        _mount(private_tmp, "/tmp", None, MS_BIND | MS_REC)


def _loopback_up() -> None:
    """Bring up the new network namespace's loopback, which starts down (bubblewrap does the
    same): a notebook's kernel and its client talk over 127.0.0.1. Raises OSError."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        request = struct.pack("16sh", b"lo", 0)
        flags = struct.unpack("16sh", fcntl.ioctl(s, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sh", b"lo", flags | IFF_UP))


def set_parent_death_signal() -> None:
    """The process dies with the grader (Ctrl-C, a crash): SIGKILL when its parent exits."""
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


_PROBE: dict = {}


def namespaces_available() -> bool:
    """Whether this kernel lets this grader create the namespaces above (probed once)."""
    key = os.geteuid()
    if key not in _PROBE:
        code = (
            "import sys; sys.path.insert(0, sys.argv[1]); "
            "from autograder.sandbox.host.reduced import enter_namespaces as e; "
            "e(None, [], sys.argv[2] == '1')"
        )
        repo = str(Path(__file__).resolve().parents[3])
        _PROBE[key] = succeeds([sys.executable, "-c", code, repo, "1" if key == 0 else "0"])
    return _PROBE[key]


def succeeds(probe: list[str], timeout: float = 60) -> bool:
    """Whether the command ``probe`` exits 0 (quietly; False if it cannot run or hangs)."""
    try:
        return (
            subprocess.run(
                probe,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=timeout,
            ).returncode
            == 0
        )
    except (OSError, subprocess.TimeoutExpired):
        return False


def others_can_reach(path: Path, need=stat.S_IXOTH) -> bool:
    """Whether a uid that owns nothing (the sandbox's) can traverse to ``path`` and has the
    ``need`` permission on it (execute for folders and programs, read for files)."""
    try:
        for a in Path(path).parents:
            if not os.stat(a).st_mode & stat.S_IXOTH:
                return False
        return bool(os.stat(path).st_mode & need)
    except OSError:
        return False


def protected_paths() -> list[Path]:
    """What student code must never read: the solutions, the hidden suites and the mistake
    catalogue, the folder the grader runs in (the course: gradebook, submissions) and every
    folder in ``COURSE_SANDBOX_PROTECT`` (``os.pathsep``-separated)."""
    grader = Path(__file__).resolve().parents[2]
    paths = [REFERENCE_DIR.parent, SUITES_DIR, grader / "mistakes", Path.cwd()]
    paths += [Path(p) for p in os.environ.get(PROTECT_ENV, "").split(os.pathsep) if p]
    out: list[Path] = []
    for p in paths:
        p = Path(os.path.realpath(p))
        if p.exists() and p not in out and p != Path("/"):
            out.append(p)
    return out


def hide_plan(protect: list[Path], needed: list[Path]) -> list[tuple[str, str]]:
    """Mounts that hide every protected path but keep every needed one visible: a protected
    folder holding something needed is hidden child by child instead of as a whole.

    Returns ``[(kind, path)]`` with kind ``"dir"`` (an empty tmpfs over it) or ``"file"``
    (``/dev/null`` over it)."""
    needed = [Path(os.path.realpath(n)) for n in needed]
    plan: list[tuple[str, str]] = []

    def hide(p: Path) -> None:
        if any(p == n or p in n.parents for n in needed):
            if p in needed or not p.is_dir() or p.is_symlink():
                return
            for child in sorted(p.iterdir()):
                hide(child)
        elif p.is_symlink():
            return  # a link is resolved where it points, which is hidden or harmless
        elif p.is_dir():
            plan.append(("dir", str(p)))
        elif p.is_file():
            plan.append(("file", str(p)))

    for p in protect:
        hide(p)
    return plan


def risks(exe: Path, site: list[Path]) -> list[str]:
    """Why the reduced sandbox would be unsafe here (empty: it is not)."""
    if os.geteuid() != 0:
        return [
            "student code would run as your own uid, which can read and change the course "
            "folder, the gradebook and every other submission"
        ]
    out = []
    if not all(others_can_reach(p) for p in [exe, *site]):
        out.append(
            f"student code would run as ROOT: the interpreter ({exe}) is not reachable by "
            "an unprivileged uid (a 0700 home folder?)"
        )
    if not namespaces_available():
        readable = [str(p) for p in protected_paths() if others_can_reach(p, stat.S_IROTH)]
        if readable:
            out.append(
                "the kernel refuses new mount namespaces, so the sandbox uid could read "
                + ", ".join(readable)
            )
    return out
