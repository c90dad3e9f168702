"""``SandboxedSubmission``: the hidden suites' view of a submission, run in a sandboxed worker."""

from __future__ import annotations

from pathlib import Path

from ..harness import Submission
from . import Limits, Worker, error_outcome, notice


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
        self.timeouts: dict[str, int] = {}

    max_timeouts_per_task = 2

    def _run_student(self, scenario_name: str, case: dict):
        from ..harness import get_scenario

        self.calls += 1
        task = get_scenario(scenario_name).task
        if self.timeouts.get(task, 0) >= self.max_timeouts_per_task:
            return error_outcome("SandboxTimeout", "not run: this task's code already exceeded the "
                                 f"time limit {self.max_timeouts_per_task} times")
        outcome = self.worker.run_scenario(scenario_name, case)
        if outcome.error is not None and outcome.error.type == "SandboxTimeout":
            self.timeouts[task] = self.timeouts.get(task, 0) + 1
        return outcome

    def close(self) -> None:
        self.worker.close()
