"""Similarity check on the evaluation set: precision and recall on the planted copies, false
positives on the independent solutions (``python -m benchmarks.bench_similarity``).

The set is ``tests/similarity_corpus/`` (see :mod:`autograder.class_report.evaluation`): six
authors' independent solutions of six graded functions and seven planted copies. Printed at the
default threshold, for a sweep of thresholds, and without the reference solution's discount.
Also times scoring a whole class (medians of repeats; printed, never asserted). Writes
``benchmarks/results/similarity.json``.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from autograder.class_report import evaluation, similarity
from autograder.class_report.load import reference_sources

RESULTS = Path(__file__).resolve().parent / "results" / "similarity.json"
SWEEP = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
REPEATS = 3


def _line(r: dict) -> str:
    return (f"threshold {r['threshold']:.2f}: precision {r['precision']:.3f}  recall {r['recall']:.3f}  "
            f"false-positive rate {r['false_positive_rate']:.3f}  "
            f"({r['true_positives']}/{r['planted_pairs']} planted found, "
            f"{r['false_positives']}/{r['independent_pairs']} independent flagged)")


def time_compare(corpus, copies=(1, 4)) -> list[dict]:
    """Seconds to score a whole class: the set's units repeated ``k`` times under new names."""
    units = {s: similarity.extract_units(s, src, corpus.graded, corpus.stubs)
             for s, src in corpus.sources.items()}
    rows = []
    for k in copies:
        cls = {f"{s}_{i}": u for i in range(k) for s, u in units.items()}
        times = []
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            similarity.compare_class(cls)
            times.append(time.perf_counter() - t0)
        n = len(cls)
        rows.append({"students": n, "pairs": n * (n - 1) // 2, "median_s": statistics.median(times),
                     "min_s": min(times), "max_s": max(times)})
    return rows


def main() -> int:
    corpus = evaluation.load_corpus()
    reference = reference_sources(corpus.graded)
    default = evaluation.evaluate(corpus, reference=reference)
    print(f"evaluation set: {default['students']} submissions, {default['planted_pairs']} planted "
          f"pairs, {default['independent_pairs']} independent pairs; functions: "
          + ", ".join(n for ns in corpus.graded.values() for n in ns))
    print("default " + _line(default))
    print(f"  lowest planted pair score {default['lowest_planted_score']:.3f}, highest independent "
          f"pair score {default['highest_independent_score']:.3f}")
    if default["missed"] or default["wrongly_flagged"]:
        print(f"  missed: {default['missed']}  wrongly flagged: {default['wrongly_flagged']}")
    print("one function alone (why pairs are judged on all their functions together):")
    for name, e in default["per_function"].items():
        print(f"  {name:<22} lowest planted {e['lowest_planted']:.3f}  highest independent "
              f"{e['highest_independent']:.3f}  independent pairs at the threshold "
              f"{e['independent_at_threshold']}/{e['independent_pairs']}")
    print("sweep:")
    sweep = [evaluation.evaluate(corpus, t, reference=reference) for t in SWEEP]
    for r in sweep:
        print("  " + _line(r))
    plain = evaluation.evaluate(corpus)
    print("without the reference discount: " + _line(plain))
    scaling = time_compare(corpus)
    for row in scaling:
        print(f"time: {row['students']} students ({row['pairs']} pairs, 6 functions): median "
              f"{row['median_s']:.2f} s over {REPEATS} runs ({1e3 * row['median_s'] / row['pairs']:.2f} ms a pair)")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({
        "default": default, "sweep": [{k: v for k, v in r.items() if k != "scores"} for r in sweep],
        "without_reference": {k: v for k, v in plain.items() if k != "scores"},
        "k": similarity.K, "reference_weight": similarity.REFERENCE_WEIGHT, "scaling": scaling}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
