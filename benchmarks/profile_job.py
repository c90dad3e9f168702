"""Where one grading job's seconds go: a breakdown of ``execute`` and ``hidden_suite`` for one
submission of the demo class (the reference), every part measured in the real sandbox.

    .venv/bin/python -m benchmarks.profile_job [--assignment 01_foundations] [--repeats 3]

Parts (medians over ``--repeats``):

* sandbox start-up: ``bwrap`` + ``python -I -S -B`` doing nothing, then importing numpy, numpy and
  matplotlib.pyplot, nbclient (the notebook runner's imports) and ipykernel (the kernel's);
* the notebook: the whole sandboxed run (``run_notebook``), split by the executed notebook's own
  timestamps into start-up (sandbox, runner, kernel: up to the first cell), the cells (the
  notebook's own code, slowest cells named) and after the last cell (shutdown, writing back);
  in a sandbox of its own (``notebook_one_shot``) and in the warm sandbox (``notebook_warm``,
  after a first run that starts it: ``warm_first_run_s``);
* the hidden suite: the sandboxed worker's start (greeting), each scenario call, and the rest
  (pytest collecting and running the suite in the grader, replaying and judging);

Printed and written to ``benchmarks/results/profile_job.json``. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "profile_job.json"

IMPORTS = {
    "python_nothing": "pass",
    "import_numpy": "import numpy",
    "import_numpy_matplotlib": "import numpy, matplotlib; matplotlib.use('Agg'); "
    "import matplotlib.pyplot",
    # As the runner does (guest/nbexec.py): rfc3987_syntax blocked, seconds of unused grammar.
    "import_nbclient": "import sys\n"
    "class B:\n"
    "    def find_spec(self, name, path=None, target=None):\n"
    "        if name.split('.')[0] == 'rfc3987_syntax': raise ImportError(name)\n"
    "sys.meta_path.insert(0, B())\n"
    "import nbformat, nbclient",
    "import_ipykernel": "import ipykernel.kernelapp, ipykernel.ipkernel",
}


def sandboxed_seconds(code: str, workdir: Path) -> float:
    """Wall seconds of ``python -I -S -B -c code`` in the notebook sandbox (bwrap, leased uid)."""
    from autograder.sandbox import Limits
    from autograder.sandbox.host.isolation import GUEST_BINDS, Launch, interpreter_paths
    from autograder.sandbox.host.worker import lease_for_root, private_box

    paths = interpreter_paths()
    lease = lease_for_root("profile")
    tmp = Path(tempfile.mkdtemp(prefix="course-prof-"))
    try:
        tmp.chmod(0o711)
        box = private_box(tmp, lease)
        work = box / "sub"
        shutil.copytree(workdir, work)
        setup = "import sys; sys.path.extend(%r)\n" % [str(s) for s in paths["site"]]
        launch = Launch(
            workdir=work,
            argv=[str(paths["exe"]), "-I", "-S", "-B", "-c", setup + code],
            limits=Limits(cpu_seconds=60, memory_bytes=4 << 30, processes=256),
            uid=lease.uid if lease else None,
            private_tmp=box,
            ro_binds=GUEST_BINDS,
            stderr=subprocess.PIPE,
        )
        t = time.perf_counter()
        proc, _ = launch.popen()
        _, err = proc.communicate(timeout=120)
        seconds = time.perf_counter() - t
        if proc.returncode != 0:
            raise RuntimeError(f"{code!r} failed in the sandbox: {err.decode()[-500:]}")
        return seconds
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if lease is not None:
            lease.release()


def _stamp(s: str) -> float:
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def notebook_parts(nb_path: Path, folder: Path) -> dict:
    """The sandboxed notebook run, split by the executed notebook's cell timestamps."""
    import nbformat

    from autograder.execute import execute_notebook

    nb = nbformat.read(nb_path, as_version=4)
    t0 = time.time()
    executed, execution = execute_notebook(nb, folder)
    t1 = time.time()
    if executed is None:
        raise RuntimeError(f"the notebook did not run: {execution}")
    cells = []
    for i, cell in enumerate(executed.cells):
        ex = cell.get("metadata", {}).get("execution", {})
        if cell.cell_type == "code" and "iopub.execute_input" in ex:
            start = _stamp(ex["iopub.execute_input"])
            end = _stamp(ex.get("shell.execute_reply", ex["iopub.execute_input"]))
            cells.append((i, start, end, cell.source.splitlines()[0][:60] if cell.source else ""))
    first, last = cells[0][1], max(c[2] for c in cells)
    per_cell = sorted(((c[2] - c[1], c[0], c[3]) for c in cells), reverse=True)
    return {
        "total_s": t1 - t0,
        "startup_to_first_cell_s": first - t0,
        "cells_s": sum(c[0] for c in per_cell),
        "after_last_cell_s": t1 - last,
        "code_cells": len(cells),
        "slowest_cells": [
            {"cell": i, "s": round(s, 3), "first_line": line} for s, i, line in per_cell[:6]
        ],
    }


def suite_parts(folder: Path, assignment: str, suite: Path) -> dict:
    """The hidden suite: worker start, each scenario call, the rest (pytest and judging)."""
    from autograder.score import run_suite
    from autograder.score.sandboxed import SandboxedSubmission

    calls: list[float] = []
    with SandboxedSubmission(folder, label="profile") as sub:
        t = time.perf_counter()
        sub.worker.start()
        start = time.perf_counter() - t
        original = sub.worker.request

        def timed(*a, **k):
            t = time.perf_counter()
            try:
                return original(*a, **k)
            finally:
                calls.append(time.perf_counter() - t)

        sub.worker.request = timed  # type: ignore[method-assign]
        t = time.perf_counter()
        run_suite(assignment, sub, suite=suite)
        total = time.perf_counter() - t
    return {
        "worker_start_s": start,
        "scenario_calls": len(calls),
        "first_call_s": calls[0] if calls else 0.0,
        "other_calls_s": sum(calls[1:]),
        "pytest_and_judging_s": total - sum(calls),
    }


def main(argv=None) -> int:
    from autograder.coordinator import SANITIZED
    from autograder.record.course import release_notebooks, suite_dir
    from autograder.sanitize import sanitize

    from .bench_grading import _class

    p = argparse.ArgumentParser(prog="python -m benchmarks.profile_job")
    p.add_argument("--assignment", default="01_foundations")
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args(argv)
    base = Path(tempfile.mkdtemp(prefix="profile-job-"))
    out: dict = {"assignment": args.assignment, "repeats": args.repeats}
    try:
        root = base / "course"
        _class(root, args.assignment, 0, 1)
        release = release_notebooks(root, args.assignment)
        folder = root / SANITIZED / "reference" / args.assignment
        sanitize(
            root / "submitted" / "reference" / args.assignment,
            folder,
            args.assignment,
            set(release),
        )
        suite = suite_dir(root) / f"test_{args.assignment}.py"
        startup = {
            k: statistics.median(sandboxed_seconds(code, folder) for _ in range(args.repeats))
            for k, code in IMPORTS.items()
        }
        out["sandbox_startup_s"] = startup
        nb_path = folder / f"{next(iter(release))}.ipynb"
        for key, warm in (("notebook_one_shot", "0"), ("notebook_warm", "1")):
            os.environ["COURSE_WARM_SANDBOX"] = warm
            if warm == "1":  # the first run starts the warm sandbox (once per grading process)
                out["warm_first_run_s"] = notebook_parts(nb_path, folder)["total_s"]
            runs = [notebook_parts(nb_path, folder) for _ in range(args.repeats)]
            out[key] = {
                k: statistics.median(r[k] for r in runs) for k in runs[0] if k.endswith("_s")
            }
            out[key]["code_cells"] = runs[0]["code_cells"]
            out[key]["slowest_cells"] = runs[-1]["slowest_cells"]
        suites = [suite_parts(folder, args.assignment, suite) for _ in range(args.repeats)]
        out["hidden_suite"] = {k: statistics.median(r[k] for r in suites) for k in suites[0]}
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print(json.dumps(out, indent=1))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=1))
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
