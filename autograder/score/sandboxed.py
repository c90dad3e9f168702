"""``SandboxedSubmission``: the hidden suites' view of a submission, run in a sandboxed worker."""

from __future__ import annotations

from pathlib import Path

from ..sandbox import Limits, SandboxFault, Worker, error_outcome, notice
from .scenarios import get_scenario
from .submission import Submission


class SandboxedSubmission(Submission):
    """A submission's ``course_lib`` run in one persistent sandboxed :class:`Worker`.

    Parameters
    ----------
    submission_dir : path
        Folder holding the (sanitized) submission's ``course_lib/``.
    label : str, optional
    limits : Limits, optional
    slot : int, optional
        Ignored (sandbox uids are leased machine-wide).

    A :class:`SandboxFault` (the machine's or the grader's failure, after the worker's retries)
    propagates out of the call, and once one happened every later call raises it again and
    leaving the ``with`` block raises it: the submission is "not graded, rerun" as a whole,
    never scored on the calls that did run.
    """

    def __init__(
        self,
        submission_dir,
        label: str | None = None,
        limits: Limits | None = None,
        slot: int | None = None,
    ):
        self.submission_dir = Path(submission_dir)
        self.label = label or self.submission_dir.name
        self.worker = Worker(self.submission_dir, limits=limits, slot=slot)
        self.notice = notice() or ""
        self.timeouts: dict[str, int] = {}
        self.fault: SandboxFault | None = None

    max_timeouts_per_task = 2

    def _run_student(self, scenario_name: str, case: dict):
        task = get_scenario(scenario_name).task
        if self.timeouts.get(task, 0) >= self.max_timeouts_per_task:
            return error_outcome(
                "SandboxTimeout",
                "not run: this task's code already exceeded the "
                f"time limit {self.max_timeouts_per_task} times",
            )
        if self.fault is not None:
            raise self.fault
        try:
            outcome = self.worker.run_scenario(scenario_name, case)
        except SandboxFault as exc:
            self.fault = exc
            raise
        if outcome.error is not None and outcome.error.type == "SandboxTimeout":
            self.timeouts[task] = self.timeouts.get(task, 0) + 1
        return outcome

    def close(self) -> None:
        self.worker.close()

    def __exit__(self, exc_type, exc, tb):
        self.close()
        if self.fault is not None and exc_type is None:
            raise self.fault
