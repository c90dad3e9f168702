"""Losses and the output layer (assignment 01).

Averaging conventions, stated once and used everywhere in the course:

- every loss is an AVERAGE OVER THE BATCH (the ``N`` rows) of a per-example loss, so its value
  does not grow with the batch size and its gradient carries a factor ``1 / N``;
- the per-example loss SUMS over the outputs of that example: over the ``C`` classes for the
  cross-entropy, over the ``K`` output units for MSE and MAE. For a single output (``pred`` of
  shape ``(N,)`` or ``(N, 1)``) this is the usual mean of squared (absolute) errors.

These are the conventions that reproduce the lecture's loss-comparison example (MSE 0.81 vs 0.34,
average cross-entropy 1.38 vs 0.64 with natural logarithms). Note that ``np.mean((pred - t)**2)``
on a ``(N, K)`` array divides by ``N * K`` instead, which is ``K`` times smaller.

The output layer of a classifier is the softmax; ``softmax_cross_entropy`` fuses it with the
cross-entropy, which is both cheaper and numerically safer than composing them: its gradient
with respect to the scores is simply ``(softmax(scores) - onehot(y)) / N``.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_float_array, as_label_array

__all__ = ["softmax", "softmax_cross_entropy", "mse_loss", "mae_loss", "zero_one_error",
           "one_hot", "cross_entropy"]


def _check_labels(y, n, n_classes, name="y"):
    """Provided: ``y`` as an int array of ``n`` labels in ``[0, n_classes)``."""
    y = as_label_array(y, name, n=n)
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(f"{name} must hold class indices in [0, {n_classes}); "
                         f"got values from {y.min()} to {y.max()}")
    return y


def _check_pair(pred, target):
    """Provided: ``pred`` and ``target`` as float arrays of the same shape, (N,) or (N, K)."""
    pred = as_float_array(pred, "pred", ndim=(1, 2))
    target = as_float_array(target, "target", ndim=(1, 2))
    if pred.shape != target.shape:
        raise ValueError(f"pred and target must have the same shape; got {pred.shape} and {target.shape}")
    if pred.shape[0] == 0:
        raise ValueError("pred and target must hold at least one example; got an empty batch")
    return pred, target


# ----------------------------------------------------------------------------------------------
# Task 1.3: softmax and cross-entropy
# ----------------------------------------------------------------------------------------------

def softmax(scores):
    """Row-wise softmax ``p[n, c] = exp(s[n, c]) / sum_k exp(s[n, k])``, stable for any finite scores.

    Subtracting each row's maximum first changes nothing mathematically (the factor
    ``exp(-max)`` cancels) but keeps every exponent ``<= 0``, so nothing overflows: ``exp(1000)``
    would be ``inf`` and ``inf / inf`` is ``nan``.

    Parameters
    ----------
    scores : ndarray of shape (N, C)
        Unnormalized class scores (logits).

    Returns
    -------
    probs : ndarray of shape (N, C)
        Each row is positive and sums to 1.
    """
    scores = as_float_array(scores, "scores", ndim=2)
    raise NotImplementedError("Task 1.3 softmax — see notebooks/01_foundations")


def softmax_cross_entropy(scores, y):
    """Average cross-entropy of the softmax of ``scores`` against integer labels, and its gradient.

    ``loss = -(1/N) sum_n log softmax(scores)[n, y[n]]`` (natural logarithm), computed through the
    log-sum-exp ``log softmax(s)[c] = s[c] - max(s) - log sum_k exp(s[k] - max(s))`` so that it
    stays finite for huge scores (no ``log(0)``).

    Parameters
    ----------
    scores : ndarray of shape (N, C)
        Class scores of ``N`` examples.
    y : ndarray of shape (N,)
        Integer labels in ``[0, C)``.

    Returns
    -------
    loss : float
        Mean over the batch of the per-example cross-entropy.
    dscores : ndarray of shape (N, C)
        ``dloss/dscores = (softmax(scores) - onehot(y)) / N``.
    """
    scores = as_float_array(scores, "scores", ndim=2)
    if scores.shape[0] == 0:
        raise ValueError("scores must hold at least one example; got an empty batch")
    y = _check_labels(y, scores.shape[0], scores.shape[1])
    raise NotImplementedError("Task 1.3 softmax_cross_entropy — see notebooks/01_foundations")


# ----------------------------------------------------------------------------------------------
# Task 1.4: regression losses and the 0-1 error
# ----------------------------------------------------------------------------------------------

def mse_loss(pred, target):
    """Mean squared error: the batch mean of each example's SUM of squared errors.

    ``loss = (1/N) sum_n sum_k (pred[n, k] - target[n, k])**2``; for a 1-D ``pred`` (one output)
    it is the familiar ``mean((pred - target)**2)``.

    Parameters
    ----------
    pred : ndarray of shape (N,) or (N, K)
    target : ndarray, shape of ``pred``

    Returns
    -------
    loss : float
    dpred : ndarray, shape of ``pred``
        ``2 * (pred - target) / N``.
    """
    pred, target = _check_pair(pred, target)
    raise NotImplementedError("Task 1.4 mse_loss — see notebooks/01_foundations")


def mae_loss(pred, target):
    """Mean absolute error: the batch mean of each example's SUM of absolute errors.

    ``loss = (1/N) sum_n sum_k |pred[n, k] - target[n, k]|``.

    Parameters
    ----------
    pred : ndarray of shape (N,) or (N, K)
    target : ndarray, shape of ``pred``

    Returns
    -------
    loss : float
    dpred : ndarray, shape of ``pred``
        ``sign(pred - target) / N``, with the subgradient 0 where ``pred == target``.
    """
    pred, target = _check_pair(pred, target)
    raise NotImplementedError("Task 1.4 mae_loss — see notebooks/01_foundations")


def zero_one_error(pred_labels, y):
    """Fraction of misclassified examples (the 0-1 loss averaged over the batch).

    Parameters
    ----------
    pred_labels : ndarray of shape (N,)
        Predicted labels (e.g. ``scores.argmax(axis=1)``), not scores.
    y : ndarray of shape (N,)
        True labels.

    Returns
    -------
    error : float
        In ``[0, 1]``; ``1 - accuracy``. It is piecewise constant in the parameters, so it has no
        useful gradient: it measures a classifier, it cannot train one.
    """
    pred_labels = np.asarray(pred_labels)
    if pred_labels.ndim == 2:
        raise ValueError(f"pred_labels must be a 1-D array of labels; got shape {pred_labels.shape} "
                         "(from scores, use scores.argmax(axis=1))")
    pred_labels = as_label_array(pred_labels, "pred_labels")
    y = as_label_array(y, "y", n=pred_labels.shape[0])
    if y.shape[0] == 0:
        raise ValueError("pred_labels and y must hold at least one example; got an empty batch")
    raise NotImplementedError("Task 1.4 zero_one_error — see notebooks/01_foundations")


# ----------------------------------------------------------------------------------------------
# Provided helpers (not graded)
# ----------------------------------------------------------------------------------------------

def one_hot(y, n_classes):
    """One-hot encoding: ``(N,)`` integer labels to an ``(N, n_classes)`` float array of 0/1."""
    y = as_label_array(y, "y")
    y = _check_labels(y, y.shape[0], n_classes)
    out = np.zeros((y.shape[0], n_classes))
    out[np.arange(y.shape[0]), y] = 1.0
    return out


def cross_entropy(probs, y):
    """Average cross-entropy of given probabilities: ``-(1/N) sum_n log probs[n, y[n]]``.

    For tables of predicted probabilities such as the lecture's example. ``probs`` is ``(N, C)``
    with rows summing to 1; ``y`` is ``(N,)`` labels. Natural logarithm. A zero probability on the
    true class gives ``inf``.
    """
    probs = as_float_array(probs, "probs", ndim=2)
    if np.any(probs < 0) or not np.allclose(probs.sum(axis=1), 1.0, atol=1e-6):
        raise ValueError("probs must be non-negative with rows summing to 1")
    y = _check_labels(y, probs.shape[0], probs.shape[1])
    with np.errstate(divide="ignore"):
        return float(-np.mean(np.log(probs[np.arange(len(y)), y])))
