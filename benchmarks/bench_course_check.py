"""How long a student waits for ``course check TASK``: the direct runner against pytest's.

Each repeat is a whole ``course check 5.2`` process (interpreter start, imports, the task's public
checks), on the blank release and on the reference, alternating the runners so that load from
other processes hits all alike: ``.venv/bin/course check`` as the README tells students to type
it (the course's command, which also serves the instructor's subcommands), the student package's
own ``python -m course_lib.cli check`` (the same direct runner), and ``--verbose`` (pytest). Medians and quartiles in seconds;
the ratio is pytest's median over the direct runner's.

Run::

    .venv/bin/python -m benchmarks.bench_course_check [--repeats 9] [--task 5.2]

Results are printed and written to ``benchmarks/results/course_check.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "course_check.json"
PACKAGES = {"blank release": (ROOT, None), "reference": (ROOT / "solutions", ROOT / "solutions")}


COURSE = Path(sys.executable).parent / "course"  # the console script `make install` creates


def _once(task: str, runner: str, cwd: Path, pythonpath: Path | None) -> float:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    cmd = ([str(COURSE)] if runner == "course" else [sys.executable, "-m", "course_lib.cli"])
    cmd += ["check", task] + (["--verbose"] if runner == "pytest" else [])
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=False)
    return time.perf_counter() - t0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--task", default="5.2")
    args = parser.parse_args(argv)
    rows = []
    for label, (cwd, pythonpath) in PACKAGES.items():
        times: dict[str, list[float]] = {"course": [], "direct": [], "pytest": []}
        for _ in range(args.repeats):
            for runner in times:
                times[runner].append(_once(args.task, runner, cwd, pythonpath))
        stats = {k: {"median": float(np.median(v)), "q1": float(np.percentile(v, 25)),
                     "q3": float(np.percentile(v, 75))} for k, v in times.items()}
        rows.append({"package": label, **stats,
                     "ratio": stats["pytest"]["median"] / stats["direct"]["median"]})
    print(f"course check {args.task}: {args.repeats} runs each, seconds (median [q1, q3])")
    print(f"{'package':<14} {'.venv/bin/course':>22} {'python -m course_lib':>22} "
          f"{'pytest (--verbose)':>22} {'pytest/direct':>14}")
    for r in rows:
        cells = "".join(f"{r[k]['median']:>7.2f} [{r[k]['q1']:.2f}, {r[k]['q3']:.2f}]     "
                        for k in ("course", "direct", "pytest"))
        print(f"{r['package']:<14} {cells}{r['ratio']:>10.1f}x")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"task": args.task, "repeats": args.repeats, "rows": rows,
                                   "machine": platform.processor() or platform.machine(),
                                   "cpus": os.cpu_count(), "load": os.getloadavg()},
                                  indent=2) + "\n")
    print(f"written {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
