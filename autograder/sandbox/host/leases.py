"""Sandbox uids leased machine-wide.

A root grader runs each sandboxed process under an unprivileged uid of its own, so that
``RLIMIT_NPROC`` counts only that sandbox's processes and, after it stops, every process left
with that uid is one of its own (a double fork, a daemon). Two graders on one host (two courses,
two instructors, the test suite beside a demo) must therefore never share a uid: a uid is held
through an exclusive ``flock`` on ``<LEASE_DIR>/<uid>`` for the lifetime of the sandbox, taken
from a large range that no account uses, and only when no process of that uid exists. The kernel
drops the lock when its holder dies, so a crashed grader never leaks a uid.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

# Far above every account and every /etc/subuid range that tools hand out (100000 + 65536 * k
# for a few k), and below 2**31 (some tools read uids as signed).
UID_BASE = 1_600_000_000
UID_RANGE = 1_000_000
LEASE_DIR = Path(os.environ.get("COURSE_SANDBOX_LEASE_DIR", "/run/lock/course-sandbox-leases"))


class LeaseError(RuntimeError):
    """No sandbox uid could be leased."""


def uid_processes(uid: int) -> list[int]:
    """Pids of the processes whose real, effective or saved uid is ``uid``."""
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/status") as fh:
                for line in fh:
                    if line.startswith("Uid:"):
                        if str(uid) in line.split()[1:4]:
                            pids.append(int(d))
                        break
        except OSError:
            continue
    return pids


class Lease:
    """An exclusive hold on one sandbox uid; :meth:`release` (or process exit) gives it back."""

    def __init__(self, uid: int, fd: int):
        self.uid = uid
        self._fd: int | None = fd

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the only descriptor drops the flock
            self._fd = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()

    def __del__(self):
        self.release()


def _lease_dir() -> Path:
    path = Path(os.environ.get("COURSE_SANDBOX_LEASE_DIR", LEASE_DIR))
    path.mkdir(mode=0o755, parents=True, exist_ok=True)
    return path


def lease_uid(max_tries: int = 4096) -> Lease:
    """Lease the first free sandbox uid (lock free and no process of it alive).

    Raises
    ------
    LeaseError
        If the lease directory cannot be used or ``max_tries`` uids are all taken.
    """
    try:
        base = _lease_dir()
    except OSError as exc:
        raise LeaseError(f"the sandbox lease directory cannot be created: {exc}") from None
    for i in range(min(max_tries, UID_RANGE)):
        uid = UID_BASE + i
        try:
            fd = os.open(base / str(uid), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise LeaseError(
                f"the sandbox lease {base / str(uid)} cannot be opened: {exc}"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        if uid_processes(uid):  # left by a grader that died, or not ours: never touch it
            os.close(fd)
            continue
        return Lease(uid, fd)
    raise LeaseError(f"all {max_tries} sandbox uids from {UID_BASE} are leased or in use")
