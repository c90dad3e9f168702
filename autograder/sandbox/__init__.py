"""The trust boundary: student code runs only in sandboxed processes.

Two sides, in two folders:

* ``host/`` runs in the grader: :class:`Worker` (one persistent sandboxed worker per submission,
  serving scenario calls), :func:`run_notebook` (one notebook executed in the sandbox),
  :class:`Limits`, the isolation (:func:`mode`, :func:`notice`), leases and process control;
* ``guest/`` runs inside the sandbox: ``serve.py`` (the worker's main loop) and ``nbexec.py`` with
  ``kernel_boot.py`` (notebook execution); it sees only read-only copies of these files and of
  :mod:`.protocol`, the framing both sides share.

A call fails in one of two ways: :class:`SandboxError` (the student's code crashed, looped, flooded
its output: a lost point with the reason) or :class:`SandboxFault` (the grader or the machine
failed: never a lost point, the job is "not graded, rerun"). The sandbox knows nothing about
scoring: the hidden suites (``autograder.harness``) drive it.
"""

from . import protocol
from .host.isolation import mode, notice
from .host.limits import Limits, SandboxError, SandboxFault
from .host.notebook import NotebookRun, run_notebook
from .host.worker import Worker, error_outcome

__all__ = ["Limits", "NotebookRun", "SandboxError", "SandboxFault", "Worker", "error_outcome",
           "mode", "notice", "protocol", "run_notebook"]
