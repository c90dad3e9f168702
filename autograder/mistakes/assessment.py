"""Known mistakes of assignment 02, model assessment: wrong variants of ``course_ref.assessment``.

The split is random, so its scenarios compare yes/no properties (``stratified_split_summary``):
a student's split matches a variant here when it fails the same properties.
"""

import numpy as np

from autograder.mistakes import mistake
from course_ref.assessment import (  # noqa: F401
    DIAGNOSES,
    BiasVarianceDiagnosis,
    _check_error,
    _check_fractions,
    as_label_array,
    check_rng,
)


# ---- stratified_split (2.1) ----------------------------------------------------------------


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
    check_rng(rng)
    x = np.asarray(x)
    y = as_label_array(y, "y", n=x.shape[0])
    f = _check_fractions(fractions)
    parts = ([], [], [])
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        n_va = int(np.floor(f[1] * idx.size + 1e-9))
        n_te = int(np.floor(f[2] * idx.size + 1e-9))
        n_tr = idx.size - n_va - n_te
        for part, chunk in zip(parts, np.split(idx, [n_tr, n_tr + n_va])):
            part.append(chunk)
    out = []
    for part in parts:
        sel = rng.permutation(np.concatenate(part))
        out += [x[sel], y[sel]]
    return tuple(out)


@mistake("assessment.stratified_split", "sets left grouped by class")
def stratified_split__grouped_by_class(x, y, fractions, rng):
    """After concatenating the classes each set is sorted by class; shuffle each set (mini-batches
    of a sorted set hold a single class)."""
    check_rng(rng)
    x = np.asarray(x)
    y = as_label_array(y, "y", n=x.shape[0])
    f = _check_fractions(fractions)
    parts = ([], [], [])
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        share = f * idx.size
        counts = np.floor(share + 1e-9).astype(np.int64)
        left = idx.size - counts.sum()
        order = np.argsort(-(share - counts), kind="stable")
        counts[order[:left]] += 1
        for part, chunk in zip(parts, np.split(idx, np.cumsum(counts)[:-1])):
            part.append(chunk)
    out = []
    for part in parts:
        sel = np.concatenate(part)
        out += [x[sel], y[sel]]
    return tuple(out)


@mistake("assessment.stratified_split", "global np.random used instead of rng")
def stratified_split__global_random(x, y, fractions, rng):
    """Take every random draw from the rng argument (rng.permutation): with np.random the same seed
    does not give the same split, so results cannot be reproduced."""
    check_rng(rng)
    x = np.asarray(x)
    y = as_label_array(y, "y", n=x.shape[0])
    f = _check_fractions(fractions)
    parts = ([], [], [])
    for c in np.unique(y):
        idx = np.random.permutation(np.flatnonzero(y == c))
        share = f * idx.size
        counts = np.floor(share + 1e-9).astype(np.int64)
        left = idx.size - counts.sum()
        order = np.argsort(-(share - counts), kind="stable")
        counts[order[:left]] += 1
        for part, chunk in zip(parts, np.split(idx, np.cumsum(counts)[:-1])):
            part.append(chunk)
    out = []
    for part in parts:
        sel = np.random.permutation(np.concatenate(part))
        out += [x[sel], y[sel]]
    return tuple(out)


# ---- diagnose_bias_variance (2.2) ----------------------------------------------------------


@mistake("assessment.diagnose_bias_variance", "variance measured from the human error")
def diagnose_bias_variance__variance_from_human(
    human_error, train_error, val_error, *, threshold=0.01, ratio=0.5
):
    """The variance estimate is the gap between validation and TRAINING error (val_error -
    train_error): how much worse the model does on data it did not fit."""
    human_error = _check_error(human_error, "human_error")
    train_error = _check_error(train_error, "train_error")
    val_error = _check_error(val_error, "val_error")
    bias = train_error - human_error
    variance = val_error - human_error
    largest = max(bias, variance)
    high_bias = bool(bias > threshold and bias >= ratio * largest)
    high_variance = bool(variance > threshold and variance >= ratio * largest)
    return BiasVarianceDiagnosis(
        DIAGNOSES[int(high_bias) + 2 * int(high_variance)], bias, variance, high_bias, high_variance
    )


@mistake("assessment.diagnose_bias_variance", "human error ignored")
def diagnose_bias_variance__human_ignored(
    human_error, train_error, val_error, *, threshold=0.01, ratio=0.5
):
    """The avoidable bias is train_error - human_error: 8% training error is a high bias when people
    make 1% errors, but not when they make 7.5%."""
    human_error = _check_error(human_error, "human_error")
    train_error = _check_error(train_error, "train_error")
    val_error = _check_error(val_error, "val_error")
    bias = train_error
    variance = val_error - train_error
    largest = max(bias, variance)
    high_bias = bool(bias > threshold and bias >= ratio * largest)
    high_variance = bool(variance > threshold and variance >= ratio * largest)
    return BiasVarianceDiagnosis(
        DIAGNOSES[int(high_bias) + 2 * int(high_variance)], bias, variance, high_bias, high_variance
    )


@mistake("assessment.diagnose_bias_variance", "threshold alone, the gaps not compared")
def diagnose_bias_variance__no_ratio(
    human_error, train_error, val_error, *, threshold=0.01, ratio=0.5
):
    """With human 1%, train 8%, validation 10% both gaps pass a 1-point threshold, yet the slides
    call it high bias only: a gap below ratio x the other gap is not high."""
    human_error = _check_error(human_error, "human_error")
    train_error = _check_error(train_error, "train_error")
    val_error = _check_error(val_error, "val_error")
    bias = train_error - human_error
    variance = val_error - train_error
    high_bias = bool(bias > threshold)
    high_variance = bool(variance > threshold)
    return BiasVarianceDiagnosis(
        DIAGNOSES[int(high_bias) + 2 * int(high_variance)], bias, variance, high_bias, high_variance
    )


@mistake("assessment.diagnose_bias_variance", "bias and variance swapped")
def diagnose_bias_variance__swapped(
    human_error, train_error, val_error, *, threshold=0.01, ratio=0.5
):
    """Bias is about fitting the training set (train - human); variance is about generalizing from
    it (validation - train)."""
    human_error = _check_error(human_error, "human_error")
    train_error = _check_error(train_error, "train_error")
    val_error = _check_error(val_error, "val_error")
    bias = val_error - train_error
    variance = train_error - human_error
    largest = max(bias, variance)
    high_bias = bool(bias > threshold and bias >= ratio * largest)
    high_variance = bool(variance > threshold and variance >= ratio * largest)
    return BiasVarianceDiagnosis(
        DIAGNOSES[int(high_bias) + 2 * int(high_variance)], bias, variance, high_bias, high_variance
    )
