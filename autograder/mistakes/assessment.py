"""Known mistakes of assignment 02, model assessment: wrong variants of ``course_ref.assessment``.

The split is random, so its scenarios compare yes/no properties (``stratified_split_summary``):
a student's split matches a variant here when it fails the same properties. A split variant is the
reference's split with one step done wrong (``_split``); a diagnosis variant is its wrong gaps
given to the reference's rule (``_diagnosis``).
"""

import numpy as np
from course_ref.assessment import (
    DIAGNOSES,
    BiasVarianceDiagnosis,
    _check_error,
    _check_fractions,
    as_label_array,
    check_rng,
)

from autograder.mistakes import mistake

# ---- stratified_split (2.1) ----------------------------------------------------------------


def _largest_remainder(f, n):
    """The reference's counts of ``n`` samples for the fractions ``f``: floors first, then the
    leftovers to the largest fractional parts."""
    share = f * n
    counts = np.floor(share + 1e-9).astype(np.int64)
    order = np.argsort(-(share - counts), kind="stable")
    counts[order[: n - counts.sum()]] += 1
    return counts


def _split(x, y, fractions, rng, *, counts=None, permutation=None, shuffle=True):
    """The reference's stratified split with one step done wrong: other ``counts(f, n)`` per
    class, another ``permutation`` than ``rng.permutation``, or the sets left unshuffled."""
    check_rng(rng)
    x = np.asarray(x)
    y = as_label_array(y, "y", n=x.shape[0])
    f = _check_fractions(fractions)
    counts, permutation = counts or _largest_remainder, permutation or rng.permutation
    parts: tuple[list, list, list] = ([], [], [])
    for c in np.unique(y):
        idx = permutation(np.flatnonzero(y == c))
        bounds = np.cumsum(counts(f, idx.size))[:-1]
        for part, chunk in zip(parts, np.split(idx, bounds), strict=True):
            part.append(chunk)
    out = []
    for part in parts:
        sel = np.concatenate(part)
        sel = permutation(sel) if shuffle else sel
        out += [x[sel], y[sel]]
    return tuple(out)


@mistake("assessment.stratified_split", "split not stratified")
def stratified_split__not_stratified(x, y, fractions, rng):
    """Shuffling all samples and cutting at 60/20/20 gets each class's share right only on average:
    split every class separately, then put the classes together."""
    check_rng(rng)
    x = np.asarray(x)
    y = as_label_array(y, "y", n=x.shape[0])
    f = _check_fractions(fractions)
    idx = rng.permutation(y.size)
    n_tr = int(round(f[0] * y.size))
    n_va = int(round(f[1] * y.size))
    tr, va, te = np.split(idx, [n_tr, n_tr + n_va])
    return x[tr], y[tr], x[va], y[va], x[te], y[te]


@mistake("assessment.stratified_split", "rounding leftovers all given to the training set")
def stratified_split__leftovers_to_train(x, y, fractions, rng):
    """Rounding the validation and test counts (down, or to the nearest: 4.5 and 4.5) and giving the
    rest to training can put training a whole sample or more off its share; round every set down,
    then give each leftover sample to the set whose share was rounded down the most."""

    def counts(f, n):
        n_va = int(np.floor(f[1] * n + 1e-9))
        n_te = int(np.floor(f[2] * n + 1e-9))
        return [n - n_va - n_te, n_va, n_te]

    return _split(x, y, fractions, rng, counts=counts)


@mistake("assessment.stratified_split", "sets left grouped by class")
def stratified_split__grouped_by_class(x, y, fractions, rng):
    """After concatenating the classes each set is sorted by class; shuffle each set (mini-batches
    of a sorted set hold a single class)."""
    return _split(x, y, fractions, rng, shuffle=False)


@mistake("assessment.stratified_split", "global np.random used instead of rng")
def stratified_split__global_random(x, y, fractions, rng):
    """Take every random draw from the rng argument (rng.permutation): with np.random the same seed
    does not give the same split, so results cannot be reproduced."""
    return _split(x, y, fractions, rng, permutation=np.random.permutation)


# ---- diagnose_bias_variance (2.2) ----------------------------------------------------------


def _errors(human_error, train_error, val_error):
    """The reference's checks of the three error rates."""
    return (
        _check_error(human_error, "human_error"),
        _check_error(train_error, "train_error"),
        _check_error(val_error, "val_error"),
    )


def _diagnosis(bias, variance, threshold, ratio, *, compare_gaps=True):
    """The reference's rule on a variant's gaps (without comparing them if not ``compare_gaps``)."""
    largest = max(bias, variance)
    high_bias = bool(bias > threshold and (not compare_gaps or bias >= ratio * largest))
    high_variance = bool(variance > threshold and (not compare_gaps or variance >= ratio * largest))
    diagnosis = DIAGNOSES[int(high_bias) + 2 * int(high_variance)]
    return BiasVarianceDiagnosis(diagnosis, bias, variance, high_bias, high_variance)


@mistake("assessment.diagnose_bias_variance", "variance measured from the human error")
def diagnose_bias_variance__variance_from_human(
    human_error, train_error, val_error, *, threshold=0.01, ratio=0.5
):
    """The variance estimate is the gap between validation and TRAINING error (val_error -
    train_error): how much worse the model does on data it did not fit."""
    human, train, val = _errors(human_error, train_error, val_error)
    return _diagnosis(train - human, val - human, threshold, ratio)


@mistake("assessment.diagnose_bias_variance", "human error ignored")
def diagnose_bias_variance__human_ignored(
    human_error, train_error, val_error, *, threshold=0.01, ratio=0.5
):
    """The avoidable bias is train_error - human_error: 8% training error is a high bias when people
    make 1% errors, but not when they make 7.5%."""
    _human, train, val = _errors(human_error, train_error, val_error)
    return _diagnosis(train, val - train, threshold, ratio)


@mistake("assessment.diagnose_bias_variance", "threshold alone, the gaps not compared")
def diagnose_bias_variance__no_ratio(
    human_error, train_error, val_error, *, threshold=0.01, ratio=0.5
):
    """With human 1%, train 8%, validation 10% both gaps pass a 1-point threshold, yet the slides
    call it high bias only: a gap below ratio x the other gap is not high."""
    human, train, val = _errors(human_error, train_error, val_error)
    return _diagnosis(train - human, val - train, threshold, ratio, compare_gaps=False)


@mistake("assessment.diagnose_bias_variance", "bias and variance swapped")
def diagnose_bias_variance__swapped(
    human_error, train_error, val_error, *, threshold=0.01, ratio=0.5
):
    """Bias is about fitting the training set (train - human); variance is about generalizing from
    it (validation - train)."""
    human, train, val = _errors(human_error, train_error, val_error)
    return _diagnosis(val - train, train - human, threshold, ratio)
