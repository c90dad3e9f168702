"""Grading jobs, where they run, and their reports (the coordinator that runs them and has the
record stage apply each, :mod:`autograder.coordinator`, sits above this package and ``record``).

* :mod:`.job` — a job (sanitize → execute → score) as a pure function of the submission and
  the grader: :func:`~.job.run_job`, returning a :class:`~.report.JobReport`;
* :mod:`.report` — the job report, one JSON per (student, assignment);
* :mod:`.fingerprint` — the idempotency key (submission hash, grader fingerprint);
* :mod:`.cluster` — ``course grade --cluster ADDRESS``: the same jobs, packed as bytes, on a Dask
  distributed cluster; the coordinator records each report.
"""
