"""Known mistakes of assignment 01, the perceptron (task 1.6): the reference's training loop with
one step done wrong (``_perceptron``)."""

from __future__ import annotations

import numpy as np
from course_ref.perceptron import _check_xy, check_int, check_positive, check_rng

from autograder.mistakes import mistake


def _perceptron(
    x, y, epochs, lr, rng, *, strict=False, update_all=False, bias=True, stop=True, batch=False
):
    """The reference's checks and training loop with one step done wrong: a strict ``< 0``
    mistake test, an update on every point, the bias never updated, no stop after an epoch
    without mistakes, or (``batch``) the epoch's mistakes all found first and updated after."""
    x, y = _check_xy(x, y)
    epochs = check_int(epochs, "epochs", minimum=1)
    lr = check_positive(lr, "lr")
    if rng is not None:
        rng = check_rng(rng)
    n, d = x.shape
    w, b, hist = np.zeros(d), 0.0, []
    for _ in range(epochs):
        order = rng.permutation(n) if rng is not None else range(n)
        if batch:  # every point tested with the epoch's first w and b, the mistakes updated after
            order = [i for i in order if y[i] * (x[i] @ w + b) <= 0]
        mistakes = 0
        for i in order:
            margin = y[i] * (x[i] @ w + b)
            wrong = batch or (margin < 0 if strict else margin <= 0)
            mistakes += 1 if wrong else 0
            if wrong or update_all:
                w = w + lr * y[i] * x[i]
                b = b + lr * y[i] if bias else b
        hist.append(mistakes)
        if stop and mistakes == 0:
            break
    return w, float(b), hist


@mistake("perceptron.perceptron_fit", "updates on correctly classified points")
def perceptron_fit__updates_correct(x, y, *, epochs=100, lr=1.0, rng=None):
    """The perceptron learns from its MISTAKES only: update when y_i (w.x_i + b) <= 0 and leave w
    and b alone otherwise."""
    return _perceptron(x, y, epochs, lr, rng, update_all=True)


@mistake("perceptron.perceptron_fit", "strict test y (w.x + b) < 0: never leaves w = 0")
def perceptron_fit__strict(x, y, *, epochs=100, lr=1.0, rng=None):
    """A point ON the boundary (y (w.x + b) = 0) is a mistake too; with w = 0 and b = 0 every point
    is on it, so a strict '< 0' test never makes the first update."""
    return _perceptron(x, y, epochs, lr, rng, strict=True)


@mistake("perceptron.perceptron_fit", "bias never updated")
def perceptron_fit__no_bias(x, y, *, epochs=100, lr=1.0, rng=None):
    """The bias moves with every mistake too: b <- b + lr * y_i (the boundary need not pass through
    the origin)."""
    return _perceptron(x, y, epochs, lr, rng, bias=False)


@mistake("perceptron.perceptron_fit", "no early stop after an epoch without mistakes")
def perceptron_fit__no_stop(x, y, *, epochs=100, lr=1.0, rng=None):
    """Stop after the first epoch with no mistake: mistakes_per_epoch then ends with a single 0."""
    return _perceptron(x, y, epochs, lr, rng, stop=False)


@mistake("perceptron.perceptron_fit", "whole-epoch (batch) update instead of one point at a time")
def perceptron_fit__batch_update(x, y, *, epochs=100, lr=1.0, rng=None):
    """The perceptron updates IMMEDIATELY after each mistake, so the next point is tested with the
    new w and b; do not accumulate the corrections over the epoch."""
    return _perceptron(x, y, epochs, lr, rng, batch=True)
