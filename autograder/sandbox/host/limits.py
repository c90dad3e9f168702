"""Resource limits of a sandboxed process, and the two ways a sandboxed call can fail."""

from __future__ import annotations

import signal
from dataclasses import dataclass


@dataclass
class Limits:
    """Resource limits of one sandboxed process."""

    cpu_seconds: int = 60  # RLIMIT_CPU over the worker's life (it serves many calls)
    wall_seconds: float = 5.0  # per call: its budget of CPU time (see host/worker.py)
    start_seconds: float = 20.0  # to start and import numpy, on an idle machine
    backstop_seconds: float = 300.0  # wall clock of a call or a start on an overloaded machine
    memory_bytes: int = 2 << 30  # RLIMIT_AS
    processes: int = 64  # RLIMIT_NPROC of the sandbox uid (threads count too)
    file_bytes: int = 4 << 20  # RLIMIT_FSIZE: every file, stdout and stderr included
    open_files: int = 256  # RLIMIT_NOFILE
    reply_bytes: int = 64 << 20  # largest reply the grader accepts


class SandboxError(RuntimeError):
    """A sandboxed call failed for a reason outside the student's Python code (crash, timeout)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


class SandboxFault(SandboxError):
    """The sandbox failed for a reason that is not the student's: it could not start, it was
    killed from outside, or the machine (not the code) was too slow. Never a lost point: the
    job is retried and, if the fault persists, reported as "not graded, rerun"."""


def describe_exit(code: int | None, limits: Limits) -> str:
    """A student-facing reason for a worker that died."""
    if code is None:
        return "the sandboxed process stopped answering"
    sig = -code if code < 0 else (code - 128 if code > 128 else None)
    names: dict[int, str] = {
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
