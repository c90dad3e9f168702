"""The trust boundary: student code runs only in sandboxed processes.

Two sides, in two folders:

* ``host/`` runs in the grader: :class:`Worker` (one persistent sandboxed worker per submission,
  serving scenario calls), :func:`run_notebook` (one notebook executed in the sandbox: in the
  grading process's warm sandbox, ``host/warm.py``, where bubblewrap is, else in a sandbox of its
  own),
  :class:`Limits`, the isolation (:func:`mode`, :func:`notice`), leases and process control;
* ``guest/`` runs inside the sandbox: ``serve.py`` (the worker's main loop), ``nbexec.py`` with
  ``kernel_boot.py`` (notebook execution) and ``warm.py`` with ``attached.py`` (the warm
  sandbox, which forks a kernel and an nbclient per notebook); it sees only read-only copies of
  these files and of :mod:`.protocol`, the framing both sides share.

A call fails in one of two ways: :class:`SandboxError` (the student's code crashed, looped, flooded
its output: a lost point with the reason) or :class:`SandboxFault` (the grader or the machine
failed, or the reduced sandbox refuses to run here: never a lost point, the job is "not graded,
rerun"). The sandbox knows nothing about scoring: the score stage (``autograder.score``)
drives it.

Without bubblewrap, :func:`sandbox_mode_line` says how student code would run, and the grader
refuses unsafe runs unless :func:`allow_unsafe` (``COURSE_SANDBOX_ALLOW_UNSAFE=1``, the CLI's
``--unsafe-sandbox``) accepts the risk.
"""

from . import protocol
from .host.isolation import mode, notice, refuse_if_unsafe, sandbox_mode_line
from .host.limits import Limits, SandboxError, SandboxFault
from .host.notebook import NotebookRun, run_notebook
from .host.reduced import allow_unsafe
from .host.worker import Worker, error_outcome

__all__ = [
    "Limits",
    "NotebookRun",
    "SandboxError",
    "SandboxFault",
    "Worker",
    "allow_unsafe",
    "error_outcome",
    "mode",
    "notice",
    "protocol",
    "refuse_if_unsafe",
    "run_notebook",
    "sandbox_mode_line",
]
