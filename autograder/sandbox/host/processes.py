"""Stopping sandboxed processes."""

from __future__ import annotations

import os
import signal
import subprocess
import time


def uid_processes(uid: int) -> list[int]:
    """Pids of the processes whose real uid is ``uid``."""
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/status") as fh:
                for line in fh:
                    if line.startswith("Uid:"):
                        if int(line.split()[1]) == uid:
                            pids.append(int(d))
                        break
        except OSError:
            continue
    return pids


def wait_uid_gone(uid: int | None, timeout: float = 10.0) -> None:
    """After a kill: wait until the sandbox uid owns no process (so RLIMIT_NPROC starts from 0
    for the next sandbox of this slot); SIGKILL stragglers."""
    if uid is None or os.geteuid() != 0:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = uid_processes(uid)
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.05)


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
