"""Rosenblatt's perceptron (assignment 01, Task 1.6).

The perceptron is a single linear unit ``f(x) = sign(x @ w + b)`` with labels in ``{-1, +1}``.
It learns by correcting its mistakes: whenever an example is misclassified (or lies on the
boundary), it moves the boundary towards it, ``w <- w + lr * y_i * x_i`` and ``b <- b + lr * y_i``.
On linearly separable data it stops after finitely many mistakes (Novikoff's theorem: at most
``(R / margin)**2``); otherwise it never settles, which is why it gets an epoch limit.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_float_array, check_int, check_positive, check_rng

__all__ = ["perceptron_fit", "perceptron_predict"]


def _check_xy(x, y):
    """Provided: ``x`` as (N, D) floats and ``y`` as (N,) labels in {-1, +1}."""
    x = as_float_array(x, "x", ndim=2)
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != x.shape[0]:
        raise ValueError(f"y must be a 1-D array of {x.shape[0]} labels; got shape {y.shape}")
    if not np.all((y == 1) | (y == -1)):
        raise ValueError(f"perceptron labels must be -1 or +1; got values {np.unique(y)[:5]} "
                         "(for 0/1 labels use 2 * y - 1)")
    return x, y.astype(np.float64)


def perceptron_fit(x, y, *, epochs=100, lr=1.0, rng=None):
    """Train a perceptron with the mistake-driven rule, one example at a time.

    Starting from ``w = 0`` and ``b = 0``, each epoch visits the ``N`` examples in order
    ``0 .. N-1`` (or in the order ``rng.permutation(N)``, drawn anew each epoch, when ``rng`` is
    given). Example ``i`` is a mistake when ``y[i] * (x[i] @ w + b) <= 0``, i.e. it is on the wrong
    side of the boundary or ON it (so the all-zero start counts as a mistake); a mistake updates
    ``w += lr * y[i] * x[i]`` and ``b += lr * y[i]`` immediately, before the next example. Training
    stops after the first epoch without a mistake, or after ``epochs`` epochs.

    Parameters
    ----------
    x : ndarray of shape (N, D)
        Inputs.
    y : ndarray of shape (N,)
        Labels in ``{-1, +1}``.
    epochs : int, default 100
        Maximum number of passes over the data.
    lr : float, default 1.0
        Step size (with ``w`` and ``b`` starting at 0 it only rescales them).
    rng : numpy.random.Generator, optional
        If given, shuffles the visiting order of every epoch.

    Returns
    -------
    w : ndarray of shape (D,)
    b : float
    mistakes_per_epoch : list of int
        Number of updates in each epoch that ran; the last is 0 if training converged.
    """
    x, y = _check_xy(x, y)
    epochs = check_int(epochs, "epochs", minimum=1)
    lr = check_positive(lr, "lr")
    if rng is not None:
        rng = check_rng(rng)
    raise NotImplementedError("Task 1.6 perceptron_fit — see notebooks/01_foundations")


def perceptron_predict(x, w, b):
    """Predicted labels ``sign(x @ w + b)`` in ``{-1, +1}``; a point on the boundary gets ``+1``.

    Parameters
    ----------
    x : ndarray of shape (N, D)
    w : ndarray of shape (D,)
    b : float

    Returns
    -------
    labels : ndarray of shape (N,), dtype int64
    """
    x = as_float_array(x, "x", ndim=2)
    w = as_float_array(w, "w", shape=(x.shape[1],))
    return np.where(x @ w + float(b) >= 0, 1, -1).astype(np.int64)
