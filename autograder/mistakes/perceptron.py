"""Known mistakes of assignment 01, the perceptron (task 1.6)."""

from __future__ import annotations

import numpy as np

from autograder.mistakes import mistake
from course_ref.perceptron import _check_xy, check_int, check_positive, check_rng  # noqa: F401


@mistake("perceptron.perceptron_fit", "updates on correctly classified points")
def perceptron_fit__updates_correct(x, y, *, epochs=100, lr=1.0, rng=None):
    """The perceptron learns from its MISTAKES only: update when y_i (w.x_i + b) <= 0 and leave w
    and b alone otherwise."""
    x, y = _check_xy(x, y)
    epochs = check_int(epochs, "epochs", minimum=1)
    lr = check_positive(lr, "lr")
    if rng is not None:
        rng = check_rng(rng)
    n, d = x.shape
    w, b, hist = np.zeros(d), 0.0, []
    for _ in range(epochs):
        order = rng.permutation(n) if rng is not None else range(n)
        mistakes = 0
        for i in order:
            if y[i] * (x[i] @ w + b) <= 0:
                mistakes += 1
            w = w + lr * y[i] * x[i]
            b = b + lr * y[i]
        hist.append(mistakes)
        if mistakes == 0:
            break
    return w, float(b), hist


@mistake("perceptron.perceptron_fit", "strict test y (w.x + b) < 0: never leaves w = 0")
def perceptron_fit__strict(x, y, *, epochs=100, lr=1.0, rng=None):
    """A point ON the boundary (y (w.x + b) = 0) is a mistake too; with w = 0 and b = 0 every point
    is on it, so a strict '< 0' test never makes the first update."""
    x, y = _check_xy(x, y)
    epochs = check_int(epochs, "epochs", minimum=1)
    lr = check_positive(lr, "lr")
    if rng is not None:
        rng = check_rng(rng)
    n, d = x.shape
    w, b, hist = np.zeros(d), 0.0, []
    for _ in range(epochs):
        order = rng.permutation(n) if rng is not None else range(n)
        mistakes = 0
        for i in order:
            if y[i] * (x[i] @ w + b) < 0:
                w = w + lr * y[i] * x[i]
                b = b + lr * y[i]
                mistakes += 1
        hist.append(mistakes)
        if mistakes == 0:
            break
    return w, float(b), hist


@mistake("perceptron.perceptron_fit", "bias never updated")
def perceptron_fit__no_bias(x, y, *, epochs=100, lr=1.0, rng=None):
    """The bias moves with every mistake too: b <- b + lr * y_i (the boundary need not pass through
    the origin)."""
    x, y = _check_xy(x, y)
    epochs = check_int(epochs, "epochs", minimum=1)
    lr = check_positive(lr, "lr")
    if rng is not None:
        rng = check_rng(rng)
    n, d = x.shape
    w, b, hist = np.zeros(d), 0.0, []
    for _ in range(epochs):
        order = rng.permutation(n) if rng is not None else range(n)
        mistakes = 0
        for i in order:
            if y[i] * (x[i] @ w + b) <= 0:
                w = w + lr * y[i] * x[i]
                mistakes += 1
        hist.append(mistakes)
        if mistakes == 0:
            break
    return w, float(b), hist


@mistake("perceptron.perceptron_fit", "no early stop after an epoch without mistakes")
def perceptron_fit__no_stop(x, y, *, epochs=100, lr=1.0, rng=None):
    """Stop after the first epoch with no mistake: mistakes_per_epoch then ends with a single 0."""
    x, y = _check_xy(x, y)
    epochs = check_int(epochs, "epochs", minimum=1)
    lr = check_positive(lr, "lr")
    if rng is not None:
        rng = check_rng(rng)
    n, d = x.shape
    w, b, hist = np.zeros(d), 0.0, []
    for _ in range(epochs):
        order = rng.permutation(n) if rng is not None else range(n)
        mistakes = 0
        for i in order:
            if y[i] * (x[i] @ w + b) <= 0:
                w = w + lr * y[i] * x[i]
                b = b + lr * y[i]
                mistakes += 1
        hist.append(mistakes)
    return w, float(b), hist


@mistake("perceptron.perceptron_fit", "whole-epoch (batch) update instead of one point at a time")
def perceptron_fit__batch_update(x, y, *, epochs=100, lr=1.0, rng=None):
    """The perceptron updates IMMEDIATELY after each mistake, so the next point is tested with the
    new w and b; do not accumulate the corrections over the epoch."""
    x, y = _check_xy(x, y)
    epochs = check_int(epochs, "epochs", minimum=1)
    lr = check_positive(lr, "lr")
    if rng is not None:
        rng = check_rng(rng)
    n, d = x.shape
    w, b, hist = np.zeros(d), 0.0, []
    for _ in range(epochs):
        order = rng.permutation(n) if rng is not None else np.arange(n)
        wrong = [i for i in order if y[i] * (x[i] @ w + b) <= 0]
        for i in wrong:
            w = w + lr * y[i] * x[i]
            b = b + lr * y[i]
        hist.append(len(wrong))
        if not wrong:
            break
    return w, float(b), hist
