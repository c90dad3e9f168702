"""Stopping sandboxed processes: only what this grader started.

A sandboxed process is started in a session (and process group) of its own; under bubblewrap it
is also PID 1's child in a PID namespace of its own, so killing bubblewrap ends every process
in it. What escaped the process group (a ``setsid`` daemon in the reduced sandbox) is found by
its uid, and only a uid this grader holds the lease of (:class:`~.leases.Lease`) is ever swept:
nobody else's process is ever signalled.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time

from .leases import Lease, uid_processes


def sweep_leased_uid(lease: Lease | None, timeout: float = 10.0) -> None:
    """After a kill: SIGKILL what is left with the leased uid and wait until none is (so the
    next sandbox on this lease starts with ``RLIMIT_NPROC`` at 0). A no-op without a held lease:
    a uid that is not ours is never touched."""
    if lease is None or not lease.held or os.geteuid() != 0:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = uid_processes(lease.uid)
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.05)


def kill_tree(proc: subprocess.Popen | None) -> None:
    """Kill a sandboxed process and its process group (which it leads: ``start_new_session``)."""
    if proc is None:
        return
    if proc.poll() is None:
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


def _stat_fields(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            data = fh.read()
    except OSError:
        return None
    return data[data.rfind(")") + 2 :].split()  # fields from 3 (state) on; comm may hold spaces


def descendants(root: int) -> list[int]:
    """``root`` and every process below it (by parent pid)."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            f = _stat_fields(int(d))
            if f is not None:
                children.setdefault(int(f[1]), []).append(int(d))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


_TICK = os.sysconf("SC_CLK_TCK")


def tree_usage(root: int) -> tuple[float, float]:
    """``(cpu_seconds, runnable_wait_seconds)`` summed over ``root`` and its descendants: the CPU
    time they used, and the time they were ready to run but waited for a CPU (the machine's
    load, from ``/proc/PID/schedstat``)."""
    cpu = wait = 0.0
    for pid in descendants(root):
        f = _stat_fields(pid)
        if f is None:
            continue
        cpu += (int(f[11]) + int(f[12]) + int(f[13]) + int(f[14])) / _TICK  # u, s, cu, cs time
        try:
            with open(f"/proc/{pid}/schedstat") as fh:
                wait += int(fh.read().split()[1]) / 1e9
        except (OSError, IndexError, ValueError):
            pass
    return cpu, wait


def process_cpu(pid: int) -> float:
    """CPU seconds used by one process and its reaped children (0.0 if it is gone)."""
    f = _stat_fields(pid)
    return 0.0 if f is None else sum(int(x) for x in f[11:15]) / _TICK
