"""One training step of the reference MLP against PyTorch CPU on the same shapes.

A step is forward + backward + SGD update of a 784-512-512-10 ReLU MLP with softmax
cross-entropy on a batch of 256, in float32 and float64. Both frameworks start from the same
weights and data, use the same number of threads, and are timed in alternation (numpy, torch,
numpy, ...) so that load from other processes hits both alike. Medians, quartiles and minima
are reported; the ratio column is numpy's time over PyTorch's (below 1: numpy is faster).

Run::

    .venv/bin/python -m benchmarks.bench_mlp_step [--repeats 50] [--threads N]

(by default once with 1 thread and once with all CPUs; the same count for numpy's BLAS, set with
threadpoolctl, and for torch.set_num_threads).

PyTorch is optional (``pip install torch==2.13.0``, the CPU build); without it only numpy is
timed. Results are printed as a table and written to ``benchmarks/results/mlp_step.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "solutions") not in sys.path:
    sys.path.insert(0, str(ROOT / "solutions"))  # the reference course_lib

from course_lib.model import MLP  # noqa: E402
from course_lib.optim import SGD  # noqa: E402

SIZES = (784, 512, 512, 10)
RESULTS = ROOT / "benchmarks" / "results" / "mlp_step.json"


def _numpy_step(dtype, x, y, lr, seed):
    model = MLP(SIZES, rng=np.random.default_rng(seed), dtype=dtype)
    opt = SGD(lr)
    xd = x.astype(dtype)

    def step():
        _, grads = model.loss_and_grads(xd, y)
        opt.step(model.params, grads)

    return model, step


def _torch_step(torch, dtype, model_np, x, y, lr):
    tdtype = {np.float32: torch.float32, np.float64: torch.float64}[dtype]
    layers = []
    n = len(SIZES) - 1
    for l in range(1, n + 1):
        lin = torch.nn.Linear(SIZES[l - 1], SIZES[l]).to(tdtype)
        with torch.no_grad():  # same initial weights; torch stores W as (fan_out, fan_in)
            lin.weight.copy_(torch.from_numpy(np.ascontiguousarray(model_np.params[f"W{l}"].T)))
            lin.bias.copy_(torch.from_numpy(model_np.params[f"b{l}"]))
        layers.append(lin)
        if l < n:
            layers.append(torch.nn.ReLU())
    net = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(net.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    xt = torch.from_numpy(x.astype(dtype))
    yt = torch.from_numpy(y.astype(np.int64))

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(xt), yt)
        loss.backward()
        opt.step()

    return step


def _stats(times):
    t = np.asarray(times) * 1e3
    q25, med, q75 = np.percentile(t, [25, 50, 75])
    return {"median_ms": float(med), "q25_ms": float(q25), "q75_ms": float(q75),
            "min_ms": float(t.min()), "max_ms": float(t.max()), "n": int(t.size)}


def _time_one(torch, dtype, threads, x, y, lr, args):
    """Time numpy's and torch's step for one dtype, alternating; return the table row."""
    model_np, np_step = _numpy_step(dtype, x, y, lr, seed=1)
    steps = {"numpy": np_step}
    if torch is not None:
        steps["torch"] = _torch_step(torch, dtype, model_np, x, y, lr)
    for f in steps.values():
        for _ in range(args.warmup):
            f()
    times = {k: [] for k in steps}
    names = list(steps)
    for r in range(args.repeats):
        order = names if r % 2 == 0 else names[::-1]  # alternate who goes first
        for name in order:
            t0 = time.perf_counter()
            steps[name]()
            times[name].append(time.perf_counter() - t0)
    row = {"threads": threads, "dtype": np.dtype(dtype).name}
    for name in names:
        row[name] = _stats(times[name])
    if torch is not None:
        row["ratio_median"] = row["numpy"]["median_ms"] / row["torch"]["median_ms"]
        row["ratio_min"] = row["numpy"]["min_ms"] / row["torch"]["min_ms"]
    return row


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50, help="timed steps per framework and dtype")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--threads", type=int, default=None,
                        help="threads for both frameworks (default: 1, then the number of CPUs)")
    parser.add_argument("--no-save", action="store_true", help="do not write the JSON file")
    # parse_known_args: `python -m benchmarks bench_mlp_step` leaves the benchmark's name in argv
    args, _ = parser.parse_known_args(argv)

    ncpu = os.cpu_count() or 1
    thread_counts = [args.threads] if args.threads else sorted({1, ncpu})
    try:
        import torch
    except ImportError:
        torch = None
        print("PyTorch is not installed (.venv/bin/pip install torch==2.13.0): timing numpy only.")
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl ships with scikit-learn
        threadpool_limits = None

    rng = np.random.default_rng(0)
    x = rng.normal(size=(args.batch, SIZES[0]))
    y = rng.integers(0, SIZES[-1], size=args.batch)
    lr = 1e-3
    load_before = os.getloadavg() if hasattr(os, "getloadavg") else None

    rows = []
    for threads in thread_counts:
        # the same number of threads for numpy's BLAS and for PyTorch
        limiter = threadpool_limits(limits=threads, user_api="blas") if threadpool_limits else None
        if torch is not None:
            torch.set_num_threads(threads)
        for dtype in (np.float32, np.float64):
            rows.append(_time_one(torch, dtype, threads, x, y, lr, args))
        if limiter is not None:
            limiter.restore_original_limits()
    load_after = os.getloadavg() if hasattr(os, "getloadavg") else None

    print(f"MLP {'-'.join(map(str, SIZES))}, batch {args.batch}, ReLU, softmax cross-entropy, SGD; "
          f"{args.repeats} timed steps each (after {args.warmup} warm-up), numpy and torch alternating")
    head = f"{'threads':>7} {'dtype':8} {'numpy median [q25-q75] (min) ms':>36}"
    if torch is not None:
        head += f" {'torch median [q25-q75] (min) ms':>36} {'numpy/torch':>11} {'(min/min)':>9}"
    print(head)
    for row in rows:
        s = row["numpy"]
        line = (f"{row['threads']:>7} {row['dtype']:8} {s['median_ms']:10.2f} "
                f"[{s['q25_ms']:7.2f}-{s['q75_ms']:7.2f}] ({s['min_ms']:7.2f})")
        if torch is not None:
            t = row["torch"]
            line += (f" {t['median_ms']:10.2f} [{t['q25_ms']:7.2f}-{t['q75_ms']:7.2f}]"
                     f" ({t['min_ms']:7.2f}) {row['ratio_median']:11.2f} {row['ratio_min']:9.2f}")
        print(line)
    if load_before is not None:
        print(f"load average before/after: {load_before[0]:.2f} / {load_after[0]:.2f} on {ncpu} CPUs "
              "(other processes add noise, worst with several threads; compare the ratios, rerun "
              "if in doubt)")

    result = {
        "benchmark": "mlp_step",
        "layer_sizes": list(SIZES), "batch": args.batch, "threads": thread_counts,
        "repeats": args.repeats, "warmup": args.warmup,
        "numpy": np.__version__, "torch": getattr(torch, "__version__", None),
        "python": platform.python_version(), "machine": platform.machine(),
        "cpu_count": os.cpu_count(), "loadavg_before": load_before, "loadavg_after": load_after,
        "time_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "results": rows,
    }
    if not args.no_save:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=2) + "\n")
        print(f"written {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    main()
