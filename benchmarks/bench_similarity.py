"""Similarity check on the evaluation set: precision and recall on the planted copies, false
positives on the independent solutions (``python -m benchmarks.bench_similarity``).

The set is ``tests/similarity_corpus/`` (see :mod:`autograder.class_report.evaluation`): six
authors' independent solutions of six graded functions and seven planted copies. Printed at the
default threshold, for a sweep of thresholds, and without the reference solution's discount.
Writes ``benchmarks/results/similarity.json``. No timing is measured.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from autograder.class_report import evaluation, similarity
from autograder.class_report.load import reference_sources

RESULTS = Path(__file__).resolve().parent / "results" / "similarity.json"
SWEEP = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


def _line(r: dict) -> str:
    return (f"threshold {r['threshold']:.2f}: precision {r['precision']:.3f}  recall {r['recall']:.3f}  "
            f"false-positive rate {r['false_positive_rate']:.3f}  "
            f"({r['true_positives']}/{r['planted_pairs']} planted found, "
            f"{r['false_positives']}/{r['independent_pairs']} independent flagged)")


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
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({
        "default": default, "sweep": [{k: v for k, v in r.items() if k != "scores"} for r in sweep],
        "without_reference": {k: v for k, v in plain.items() if k != "scores"},
        "k": similarity.K, "reference_weight": similarity.REFERENCE_WEIGHT}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
