"""``SandboxedSubmission``: the hidden suites' view of a submission, run in a sandboxed worker."""

from __future__ import annotations

from pathlib import Path

from ..harness import Submission
from . import Limits, Worker, notice


class SandboxedSubmission(Submission):
    """A submission's ``course_lib`` run in one persistent sandboxed :class:`Worker`.

    Parameters
    ----------
    submission_dir : path
        Folder holding the (sanitized) submission's ``course_lib/``.
    label : str, optional
    limits : Limits, optional
    slot : int, optional
        Worker slot (picks the sandbox uid).
    """

    def __init__(self, submission_dir, label: str | None = None, limits: Limits | None = None,
                 slot: int | None = None):
        self.submission_dir = Path(submission_dir)
        self.label = label or self.submission_dir.name
        self.worker = Worker(self.submission_dir, limits=limits, slot=slot)
        self.notice = notice() or ""
        self.calls = 0

    def _run_student(self, scenario_name: str, case: dict):
        self.calls += 1
        return self.worker.run_scenario(scenario_name, case)

    def close(self) -> None:
        self.worker.close()
