"""Host side of the sandbox: everything that runs in the grader's process.

* :mod:`.limits` -- resource limits, the two errors (student vs machine), exit reasons;
* :mod:`.isolation` -- which sandbox this machine gives (bubblewrap or reduced) and the command
  and ``preexec`` that start one sandboxed process;
* :mod:`.leases` -- sandbox uids leased machine-wide;
* :mod:`.processes` -- killing what the grader started, and only that;
* :mod:`.worker` -- :class:`~.worker.Worker`, the client of one persistent guest worker;
* :mod:`.notebook` -- :func:`~.notebook.run_notebook`, one notebook executed in the sandbox.

The code that runs inside the sandbox is in ``autograder/sandbox/guest/``.
"""
