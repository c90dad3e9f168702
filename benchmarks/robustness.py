"""Robustness run: every asserted finding of the solution notebooks at several seeds.

Each notebook is executed once per seed shift. A shift ``s`` changes every generator the
notebook itself creates (``np.random.default_rng(k)`` in a notebook cell, or in a function a cell
defines, becomes ``default_rng([s, k])``): splits, initial weights, batch order, masks. The data
sets that ``course_lib.data`` generates keep their own seeds. Shift 0 is the notebook as shipped.
Every ``course_lib.findings.finding`` call records its value instead of raising, and the run prints,
for each claim, its threshold, the value at every seed and the smallest margin (relative to the
threshold, negative when the claim fails somewhere).

Usage::

    python -m benchmarks.robustness                      # all notebooks, 5 seeds, 2 at a time
    python -m benchmarks.robustness 05 07 --seeds 3
    make robustness                                      # the same, writes benchmarks/results/
    python -m benchmarks.robustness --merge benchmarks/results/robustness_0*.json

``--merge`` builds one table from the JSON files of earlier runs (a notebook's newest run wins),
so that notebooks measured at different times still appear side by side.

The table is written to ``benchmarks/results/robustness.md`` (and ``.json``) when every notebook
was run; a partial run writes ``robustness_partial.*``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "solutions" / "notebooks"
RESULTS = REPO / "benchmarks" / "results"
SHIFTS = (0, 1000, 2000, 3000, 4000, 5000, 6000, 7000)

# Runs before the notebook's first cell. Only calls made from notebook code (globals named
# __main__) are shifted, so course_lib's own generators (the data sets) stay as they are.
SHIFT_CELL = """\
import sys as _sys, numpy as _np
_orig_default_rng = _np.random.default_rng
def _shifted_default_rng(seed=None, *_a, **_k):
    if _sys._getframe(1).f_globals.get("__name__") == "__main__" and {shift} and (
            seed is None or isinstance(seed, (int, list, tuple)) or hasattr(seed, "__index__")):
        entropy = list(seed) if isinstance(seed, (list, tuple)) else [0 if seed is None else int(seed)]
        seed = [{shift}, *entropy]
    return _orig_default_rng(seed, *_a, **_k)
_np.random.default_rng = _shifted_default_rng
"""


def notebook_paths(selected: list[str]) -> list[Path]:
    paths = sorted(NOTEBOOKS.glob("*/*.ipynb"))
    if selected:
        paths = [p for p in paths if any(p.stem.startswith(s) for s in selected)]
        if not paths:
            raise SystemExit(f"no solution notebook matches {selected}; have "
                             f"{[p.stem for p in sorted(NOTEBOOKS.glob('*/*.ipynb'))]}")
    return paths


def run_one(path: Path, shift: int, timeout: int) -> dict:
    """Execute one notebook at one seed shift; return its findings, time and error, if any."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(SHIFT_CELL.format(shift=shift)))
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "findings.jsonl"
        env = {k: v for k, v in os.environ.items() if k not in ("NBGRADER_EXECUTION", "MPLBACKEND")}
        env.update(COURSE_FINDINGS_LOG=str(log), PYTHONPATH=str(REPO / "solutions"),
                   OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
        t0 = time.monotonic()
        error = None
        try:
            # the kernel gets env (start_kernel's argument); this process's environment is untouched
            NotebookClient(nb, timeout=timeout, kernel_name="python3",
                           resources={"metadata": {"path": str(path.parent)}}).execute(env=env)
        except Exception as exc:  # a notebook that raises is a result, not a crash of the run
            error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1] if str(exc).strip() else ''}"
        seconds = time.monotonic() - t0
        records = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return {"notebook": path.stem, "shift": shift, "seconds": seconds, "error": error,
            "findings": records}


def summarize(runs: list[dict], shifts: list[int]) -> list[dict]:
    """One row per (notebook, claim): threshold, value per shift, smallest margin."""
    rows: dict[tuple[str, str], dict] = {}
    for run in runs:
        seen: dict[str, int] = {}
        for rec in run["findings"]:
            # The same claim twice in one notebook (a loop) gets its occurrence number.
            n = seen.get(rec["claim"], 0)
            seen[rec["claim"]] = n + 1
            claim = rec["claim"] if n == 0 else f"{rec['claim']} [{n + 1}]"
            row = rows.setdefault((run["notebook"], claim), {
                "notebook": run["notebook"], "claim": claim, "op": rec["op"],
                "threshold": rec["threshold"], "values": {}, "margins": {}})
            row["values"][run["shift"]] = rec["value"]
            row["margins"][run["shift"]] = rec["margin"]
    out = []
    for row in rows.values():
        margins = [row["margins"].get(s, math.nan) for s in shifts]
        missing = [s for s in shifts if s not in row["margins"]]
        row["smallest_margin"] = (math.nan if missing or any(math.isnan(m) for m in margins)
                                  else min(margins))
        row["missing_at"] = missing
        out.append(row)
    return out


def _fmt(v: float) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    return f"{v:.3g}"


def markdown(rows: list[dict], runs: list[dict], shifts: list[int]) -> str:
    lines = ["# Robustness of the notebooks' asserted findings", "",
             f"Seed shifts {', '.join(map(str, shifts))} (0 is the notebook as shipped); "
             "margin = distance to the threshold relative to it (absolute when the threshold is 0); "
             "a negative margin fails. Command: `python -m benchmarks.robustness`.", "",
             "| notebook | claim | bound | " + " | ".join(f"s={s}" for s in shifts)
             + " | smallest margin |",
             "|---|---|---|" + "---|" * len(shifts) + "---|"]
    for r in sorted(rows, key=lambda r: (r["notebook"], r["smallest_margin"]
                                          if not math.isnan(r["smallest_margin"]) else -1e9)):
        vals = " | ".join(_fmt(r["values"].get(s)) for s in shifts)
        lines.append(f"| {r['notebook']} | {r['claim']} | {r['op']} {_fmt(r['threshold'])} | "
                     f"{vals} | {_fmt(r['smallest_margin'])} |")
    lines += ["", "| notebook | shift | seconds | error |", "|---|---|---|---|"]
    for run in sorted(runs, key=lambda r: (r["notebook"], r["shift"])):
        lines.append(f"| {run['notebook']} | {run['shift']} | {run['seconds']:.1f} | "
                     f"{run['error'] or ''} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("notebooks", nargs="*", help="notebook prefixes (default: all), e.g. 05 07")
    ap.add_argument("--seeds", type=int, default=5, help="number of seed shifts (default 5, max 8)")
    ap.add_argument("--jobs", type=int, default=2, help="notebooks executed at once (default 2)")
    ap.add_argument("--timeout", type=int, default=600, help="seconds per cell (default 600)")
    ap.add_argument("--out", type=Path, default=None, help="output stem (default benchmarks/results/)")
    ap.add_argument("--merge", type=Path, nargs="+", metavar="JSON", default=None,
                    help="no run: one table from earlier runs' JSON files (newest notebook wins)")
    args = ap.parse_args(argv)
    if args.merge:
        return merge(args.merge, args.out)
    if not 1 <= args.seeds <= len(SHIFTS):
        ap.error(f"--seeds must be between 1 and {len(SHIFTS)}; got {args.seeds}")
    paths = notebook_paths(args.notebooks)
    shifts = list(SHIFTS[:args.seeds])
    jobs = [(p, s) for p in paths for s in shifts]
    print(f"robustness: {len(paths)} notebook(s) x {len(shifts)} seed(s), {args.jobs} at a time",
          flush=True)
    runs = []
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(run_one, p, s, args.timeout) for p, s in jobs]
        for fut in futures:
            run = fut.result()
            runs.append(run)
            print(f"  {run['notebook']} shift {run['shift']}: {run['seconds']:.1f} s, "
                  f"{len(run['findings'])} finding(s){', ' + run['error'] if run['error'] else ''}",
                  flush=True)
    rows = summarize(runs, shifts)
    text = markdown(rows, runs, shifts)
    print(text)
    full = not args.notebooks and args.seeds >= 5
    stem = args.out or RESULTS / ("robustness" if full else "robustness_partial")
    return _write(stem, text, shifts, rows, runs)


def merge(files: list[Path], out: Path | None) -> int:
    """One table from earlier runs: for each notebook, the runs of the last file that has it."""
    by_notebook: dict[str, list[dict]] = {}
    shift_sets = []
    for f in files:
        try:
            data = json.loads(Path(f).read_text(encoding="utf-8"))
            runs, shifts = data["runs"], [int(s) for s in data["shifts"]]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise SystemExit(f"--merge: {f} is not a robustness run's JSON ({exc})") from None
        shift_sets.append(set(shifts))
        for nb in {r["notebook"] for r in runs}:
            by_notebook[nb] = [r for r in runs if r["notebook"] == nb]
    shifts = sorted(set.intersection(*shift_sets))
    runs = [r for nb in sorted(by_notebook) for r in by_notebook[nb] if int(r["shift"]) in shifts]
    for r in runs:
        r["shift"] = int(r["shift"])
    rows = summarize(runs, shifts)
    sources = ", ".join(f"`{Path(f).name}`" for f in files)
    text = markdown(rows, runs, shifts).replace(
        "Command: `python -m benchmarks.robustness`.",
        f"Merged with `python -m benchmarks.robustness --merge` from {sources}; each notebook's "
        f"rows come from its own run (`python -m benchmarks.robustness NN --seeds {len(shifts)}`).")
    everything = {p.parent.name for p in NOTEBOOKS.glob("*/*.ipynb")} <= set(by_notebook)
    stem = out or RESULTS / ("robustness" if everything else "robustness_partial")
    return _write(stem, text, shifts, rows, runs)


def _write(stem: Path, text: str, shifts: list[int], rows: list[dict], runs: list[dict]) -> int:
    print(text)
    stem.parent.mkdir(parents=True, exist_ok=True)
    Path(f"{stem}.md").write_text(text, encoding="utf-8")
    Path(f"{stem}.json").write_text(json.dumps({"shifts": shifts, "rows": rows, "runs": runs},
                                               indent=1, default=str), encoding="utf-8")
    print(f"written: {stem}.md, {stem}.json")
    failing = [r for r in rows if math.isnan(r["smallest_margin"]) or r["smallest_margin"] < 0]
    errors = [r for r in runs if r["error"]]
    return 1 if failing or errors else 0


if __name__ == "__main__":
    sys.exit(main())
