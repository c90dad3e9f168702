"""Run every benchmark: ``python -m benchmarks`` (``make bench``), or one: ``python -m benchmarks.bench_mlp_step``.

Benchmarks measure with repeats and report medians and spreads side by side; they never assert
timings. Results are printed and written to ``benchmarks/results/*.json``.
"""

import importlib
import pkgutil
import sys
from pathlib import Path


def main(argv=None) -> int:
    names = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)])
                   if m.name.startswith("bench_"))
    wanted = (argv if argv is not None else sys.argv[1:]) or names
    status = 0
    for name in wanted:
        print(f"\n=== {name}")
        mod = importlib.import_module(f"benchmarks.{name}")
        status |= int(mod.main() or 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
