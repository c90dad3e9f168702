"""Grading speed: seconds per submission and throughput with 1 and 2 workers on the demo class,
next to stock ``nbgrader autograde`` of the same notebooks and submissions in the same run, and
the sandbox's overhead per call.

    .venv/bin/python -m benchmarks.bench_grading [--assignment 01_foundations] [--mistakes 4]

The class: the reference, the blank stubs and up to ``--mistakes`` catalogued mistakes, each
``--copies`` times (so the 2-worker figure is not dominated by the last straggler; the
hostile students of ``course demo`` are left out: their time is set by the limits, not by the
grader). Stock nbgrader runs exactly as an instructor would (its own ``Execute``, which sets
``NBGRADER_EXECUTION`` too) in a course directory with nbgrader's default configuration.
Each job's report holds its seconds per stage (sanitize, notebook execution, hidden suite,
record); the medians are printed per worker count, and the per-core ratio is stock nbgrader's
wall time over ours with one worker (both a single process).
Results: printed and written to ``benchmarks/results/grading.json``. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder.jobs.report import RECORD, STAGES

RESULTS = Path(__file__).resolve().parent / "results" / "grading.json"


def _class(root: Path, assignment: str, n_mistakes: int, copies: int = 1) -> list[str]:
    from autograder import REFERENCE_DIR
    from autograder.build import write_stub_package
    from autograder.demo import demo_assignments
    from autograder.record.course import init_course, make_submission_dir
    from autograder.mistakes import make_mistaken_package, mistakes_for_task
    from autograder.reference import load_reference
    import importlib

    src, suites = demo_assignments([assignment])[assignment]
    init_course(root, {assignment: src}, suite_dir=suites)
    tmp = Path(tempfile.mkdtemp())
    stubs = tmp / "stubs" / "course_lib"
    write_stub_package(REFERENCE_DIR, stubs)
    students = {"reference": REFERENCE_DIR, "blank_stubs": stubs}
    ref = load_reference()
    for t in importlib.import_module(f"{ref.__name__}.tasks").tasks_of_assignment(assignment):
        for m in mistakes_for_task(t):
            if len(students) >= 2 + n_mistakes:
                break
            students[f"mistake_{m.attr}__{m.slug}"[:50]] = make_mistaken_package(m, tmp / m.slug)
    names = []
    for k in range(copies):
        for name, lib in students.items():
            label = name if k == 0 else f"{name}_{k + 1}"
            make_submission_dir(root, label, assignment, lib)
            names.append(label)
    return names


def _stock_course(root: Path, ours: Path, assignment: str, students: list[str]) -> None:
    """A course directory with nbgrader's stock configuration and the same submissions."""
    root.mkdir(parents=True)
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.root = %r\nc.CourseDirectory.course_id = 'stock'\n"
        % str(root))
    shutil.copytree(ours / "source", root / "source")
    shutil.copytree(ours / "submitted", root / "submitted")


def _run(cmd, cwd) -> float:
    from autograder import nbgrader_env

    t = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=nbgrader_env(), check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def sandbox_overhead(n: int = 2000) -> dict:
    from autograder import REFERENCE_DIR
    from autograder.sandbox import Worker, mode

    tmp = Path(tempfile.mkdtemp())
    shutil.copytree(REFERENCE_DIR, tmp / "course_lib", ignore=shutil.ignore_patterns("__pycache__"))
    with Worker(tmp) as w:
        t = time.perf_counter()
        w.start()
        start = time.perf_counter() - t
        for _ in range(50):
            w.ping()
        times = sorted(w.ping() for _ in range(n))
    shutil.rmtree(tmp, ignore_errors=True)
    return {"mode": mode(), "calls": n, "median_ms": 1e3 * statistics.median(times),
            "p90_ms": 1e3 * times[int(0.9 * n)], "worker_start_s": start}


def cpu_parallelism(loops: int = 20_000_000) -> dict:
    """How much parallel CPU the machine really gives: one CPU-bound process alone, then two at
    once. ``speedup`` near 2 means two usable cores; near 1, the vCPUs share one core's time."""
    code = f"x = 0\nfor i in range({loops}):\n    x += i\n"

    def run(n):
        t = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(n)]
        for pr in procs:
            pr.wait()
        return time.perf_counter() - t

    one, two = run(1), run(2)
    return {"one_process_s": one, "two_processes_s": two, "speedup": 2 * one / two}


def cpu_seconds() -> float:
    """CPU seconds the whole machine has been busy (``/proc/stat``: user, nice, system, irq,
    softirq, steal). Every process counts -- the workers, their sandboxes (which a kill leaves
    out of any rusage), stock nbgrader and its kernels -- so run this on an idle machine."""
    with open("/proc/stat") as fh:
        fields = [int(x) for x in fh.readline().split()[1:]]
    busy = fields[0] + fields[1] + fields[2] + sum(fields[5:8])
    return busy / os.sysconf("SC_CLK_TCK")


def stage_medians(reports) -> dict:
    """Median seconds of each stage over the jobs that ran it (:data:`STAGES`), and of the
    rest of a job (set-up, hashing, copying): what a faster grader must cut."""
    out = {}
    for stage in STAGES:
        vals = [r.stages[stage] for r in reports if stage in r.stages]
        out[stage] = statistics.median(vals) if vals else float("nan")
    rest = [r.seconds - sum(v for k, v in r.stages.items() if k != RECORD) for r in reports]
    out["other"] = statistics.median(rest) if rest else float("nan")
    return out


def main(argv=None) -> int:
    from autograder.coordinator import grade

    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_grading")
    p.add_argument("--assignment", default="01_foundations")
    p.add_argument("--mistakes", type=int, default=4)
    p.add_argument("--copies", type=int, default=2, help="each student this many times (a class)")
    p.add_argument("--no-stock", action="store_true")
    args = p.parse_args(argv)
    base = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    out: dict = {"assignment": args.assignment, "machine": platform.platform(),
                 "cpus": os.cpu_count()}
    try:
        root = base / "ours"
        students = _class(root, args.assignment, args.mistakes, args.copies)
        n = len(students)
        out["submissions"] = n
        out["students"] = students
        ours = {}
        for workers in (1, 2):
            t, cpu = time.perf_counter(), cpu_seconds()
            states = grade(root, workers=workers, force=True, progress=False).reports
            wall, cpu = time.perf_counter() - t, cpu_seconds() - cpu
            per_job = [s.seconds + s.stages.get(RECORD, 0.0) for s in states]
            ours[f"workers_{workers}"] = {
                "wall_s": wall, "throughput_per_min": 60 * n / wall,
                "cpu_s_per_submission": cpu / n,
                "median_job_s": statistics.median(per_job),
                "notebook_exec_median_s": statistics.median(
                    nb.get("execution", {}).get("seconds", float("nan"))
                    for s in states for nb in s.notebooks.values()),
                "stages_median_s": stage_medians(states),
                "all_done": all(s.failure is None for s in states)}
            row = ours[f"workers_{workers}"]
            print(f"ours, {workers} worker(s): {wall:.1f} s for {n} submissions "
                  f"({wall / n:.2f} s/submission wall, {cpu / n:.2f} CPU s/submission, "
                  f"median job {row['median_job_s']:.2f} s)")
            print("  median seconds per stage: " + ", ".join(
                f"{k} {v:.2f}" for k, v in row["stages_median_s"].items()))
        ours["speedup_2_vs_1"] = ours["workers_1"]["wall_s"] / ours["workers_2"]["wall_s"]
        print(f"throughput 2 vs 1 worker: x{ours['speedup_2_vs_1']:.2f}")
        out["ours"] = ours
        if not args.no_stock:
            stock = base / "stock"
            _stock_course(stock, root, args.assignment, students)
            gen = _run([sys.executable, "-m", "nbgrader", "generate_assignment", args.assignment,
                        "--force"], stock)
            cpu = cpu_seconds()
            wall = _run([sys.executable, "-m", "nbgrader", "autograde", args.assignment, "--force"],
                        stock)
            cpu = cpu_seconds() - cpu
            out["stock_nbgrader"] = {"wall_s": wall, "per_submission_s": wall / n,
                                     "cpu_s_per_submission": cpu / n,
                                     "throughput_per_min": 60 * n / wall,
                                     "generate_assignment_s": gen}
            print(f"stock nbgrader autograde: {wall:.1f} s for {n} submissions "
                  f"({wall / n:.2f} s/submission wall, {cpu / n:.2f} CPU s/submission; "
                  "unsandboxed, trusts the kernel)")
            # One process each: stock nbgrader autograde is serial, ours with one worker.
            ratio = wall / ours["workers_1"]["wall_s"]
            out["per_core_ratio_ours_vs_stock"] = ratio
            print(f"per core: ours (1 worker) grades x{ratio:.2f} the submissions per second of "
                  "stock nbgrader autograde (above 1: faster)")
            cpu_ratio = out["stock_nbgrader"]["cpu_s_per_submission"] / ours["workers_1"][
                "cpu_s_per_submission"]
            out["per_cpu_second_ratio_ours_vs_stock"] = cpu_ratio
            print(f"per CPU second (the machine's busy time: every process, sandboxes and kernels): "
                  f"x{cpu_ratio:.2f}")
        out["cpu_parallelism"] = cpu_parallelism()
        cp = out["cpu_parallelism"]
        print(f"machine: 2 CPU-bound processes run x{cp['speedup']:.2f} faster than 1 "
              "(the ceiling for 2 grading workers)")
        out["sandbox_overhead"] = sandbox_overhead()
        so = out["sandbox_overhead"]
        print(f"sandbox ({so['mode']}) overhead per call: median {so['median_ms']:.3f} ms, "
              f"p90 {so['p90_ms']:.3f} ms over {so['calls']} no-op calls; worker start {so['worker_start_s']:.2f} s")
    finally:
        shutil.rmtree(base, ignore_errors=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=1))
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
