"""Throughput of ``course grade`` on a Dask cluster with 1 and 2 workers, next to the local pool
with 1 and 2 workers, on the same class in the same run.

    .venv/bin/python -m benchmarks.bench_cluster [--assignment 01_foundations] [--mistakes 2]
                                                 [--copies 1] [--repeats 3]

The class is ``bench_grading``'s (the reference, the blank stubs, ``--mistakes`` catalogued
mistakes, each ``--copies`` times). The Dask cluster is a real ``dask scheduler`` and N
single-threaded ``dask worker`` processes on loopback, started once per N (so its repeats after
the first run on warm workers, as a standing cluster would); the local pool starts its worker
processes in every run, as ``course grade --workers N`` does. Each repeat regrades the whole
class (``--force``) and records it into the course's gradebook (SQLite; on a cluster only the
coordinator writes it). Results: the median wall time and throughput per configuration,
printed and written to ``benchmarks/results/cluster.json``. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "cluster.json"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def dask_cluster(n_workers: int, logs: Path):
    """A ``dask scheduler`` and ``n_workers`` one-thread ``dask worker`` processes on loopback;
    yields the scheduler's address."""
    from distributed import Client

    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = dict(os.environ)  # the workers exactly as the README starts them
    procs = [subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
         "--port", str(port), "--no-dashboard"],
        stdout=subprocess.DEVNULL, stderr=open(logs / "scheduler.log", "wb"), env=env,
        start_new_session=True)]  # fmt: skip
    try:
        for i in range(n_workers):
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
                 "--no-dashboard", "--name", f"worker-{i}",
                 "--local-directory", str(logs / f"worker-{i}")],
                stdout=subprocess.DEVNULL, stderr=open(logs / f"worker-{i}.log", "wb"), env=env,
                start_new_session=True))  # fmt: skip
        with Client(address, timeout=60) as client:
            client.wait_for_workers(n_workers, timeout=120)
        yield address
    finally:
        for p in reversed(procs):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, 15)
        for p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, 9)
                p.wait()


def _runs(root: Path, n: int, repeats: int, **how) -> dict:
    from autograder.coordinator import grade

    walls, ok = [], True
    for _ in range(repeats):
        t = time.perf_counter()
        run = grade(root, force=True, progress=False, **how)
        walls.append(time.perf_counter() - t)
        ok = ok and not run.failed and len(run.reports) == n
    wall = statistics.median(walls)
    return {"wall_s": walls, "median_wall_s": wall, "throughput_per_min": 60 * n / wall,
            "all_done": ok}  # fmt: skip


def main(argv=None) -> int:
    from benchmarks.bench_grading import _class, cpu_parallelism

    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_cluster")
    p.add_argument("--assignment", default="01_foundations")
    p.add_argument("--mistakes", type=int, default=2)
    p.add_argument("--copies", type=int, default=1)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args(argv)
    base = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    out: dict = {"assignment": args.assignment, "machine": platform.platform(),
                 "cpus": os.cpu_count(), "repeats": args.repeats}  # fmt: skip
    try:
        root = base / "course"
        students = _class(root, args.assignment, args.mistakes, args.copies)
        n = out["submissions"] = len(students)
        for workers in (1, 2):
            row = _runs(root, n, args.repeats, workers=workers)
            out[f"local_{workers}"] = row
            print(f"local pool, {workers} worker(s): median {row['median_wall_s']:.1f} s for {n} "
                  f"submissions ({row['throughput_per_min']:.1f}/min)")  # fmt: skip
        for workers in (1, 2):
            logs = base / f"dask-{workers}"
            logs.mkdir()
            with dask_cluster(workers, logs) as address:
                row = _runs(root, n, args.repeats, cluster=address)
            out[f"dask_{workers}"] = row
            print(f"dask, {workers} worker(s): median {row['median_wall_s']:.1f} s for {n} "
                  f"submissions ({row['throughput_per_min']:.1f}/min)")  # fmt: skip
        for kind in ("local", "dask"):
            ratio = out[f"{kind}_1"]["median_wall_s"] / out[f"{kind}_2"]["median_wall_s"]
            out[f"{kind}_speedup_2_vs_1"] = ratio
            print(f"{kind}: 2 workers x{ratio:.2f} the throughput of 1")
        cp = out["cpu_parallelism"] = cpu_parallelism()
        print(f"machine: 2 CPU-bound processes run x{cp['speedup']:.2f} faster than 1 "
              "(the ceiling for 2 workers on this machine now)")
    finally:
        shutil.rmtree(base, ignore_errors=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=1))
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
