"""Classification metrics from the confusion matrix (assignment 01, Task 1.5).

A metric judges a trained classifier; unlike a loss it is not used to train it.

Conventions
-----------
- Labels are integers ``0 .. n_classes - 1``. ``n_classes`` defaults to
  ``max(y_true.max(), y_pred.max()) + 1`` (at least ``positive + 1`` for binary scores).
- ``confusion_matrix(...)[i, j]`` counts the examples whose TRUE class is ``i`` and whose
  PREDICTED class is ``j``: rows are true classes, columns predicted classes (scikit-learn's
  layout; the lecture slide draws the transpose, with predictions in rows).
- For class ``c`` treated one-vs-rest: ``TP = C[c, c]``, ``FP`` = the rest of column ``c``,
  ``FN`` = the rest of row ``c``, ``TN`` = everything else.
  ``precision = TP / (TP + FP)``, ``recall = TP / (TP + FN)`` (sensitivity),
  ``specificity = TN / (TN + FP)``.
- ``average="binary"`` (default) returns the score of the class ``positive`` (default 1) against
  all others; ``average=None`` returns the per-class array of shape ``(n_classes,)``;
  ``average="macro"`` returns the unweighted mean of that array.
- The 0/0 rule: when a denominator is 0 (no predicted positives for precision, no actual
  positives for recall, no actual negatives for specificity) the score is defined as 0.0, without
  a warning. Such a class also counts as 0.0 in the macro average.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_label_array, check_int

__all__ = ["confusion_matrix", "accuracy", "precision", "recall", "specificity"]

_AVERAGES = ("binary", None, "macro")


def _check_pair(y_true, y_pred):
    """Provided: both label arrays as 1-D non-negative int arrays of the same length."""
    y_true = as_label_array(y_true, "y_true")
    y_pred = as_label_array(y_pred, "y_pred", n=y_true.shape[0])
    if y_true.shape[0] == 0:
        raise ValueError("y_true and y_pred must hold at least one example; got empty arrays")
    for name, a in (("y_true", y_true), ("y_pred", y_pred)):
        if a.min() < 0:
            raise ValueError(f"{name} must hold class indices >= 0; got {a.min()}")
    return y_true, y_pred


def _n_classes(y_true, y_pred, n_classes, positive=0):
    """Provided: the number of classes, inferred from the labels if ``n_classes`` is None."""
    needed = int(max(y_true.max(), y_pred.max())) + 1
    if n_classes is None:
        return max(needed, positive + 1)
    n_classes = check_int(n_classes, "n_classes", minimum=1)
    if needed > n_classes:
        raise ValueError(f"labels go up to {needed - 1} but n_classes = {n_classes}")
    if positive >= n_classes:
        raise ValueError(f"positive = {positive} is not a class when n_classes = {n_classes}")
    return n_classes


def _check_average(average, positive):
    """Provided: validate ``average`` and ``positive``."""
    if average not in _AVERAGES:
        raise ValueError(f"average must be one of 'binary', None, 'macro'; got {average!r}")
    return check_int(positive, "positive", minimum=0)


def _reduce(per_class, average, positive):
    """Provided: pick the ``positive`` entry, return the array, or average it."""
    if average == "binary":
        return float(per_class[positive])
    if average == "macro":
        return float(per_class.mean())
    return per_class


def confusion_matrix(y_true, y_pred, n_classes=None):
    """Count matrix ``C[i, j]`` = number of examples of true class ``i`` predicted as class ``j``.

    Parameters
    ----------
    y_true : ndarray of shape (N,)
        True labels, integers ``>= 0``.
    y_pred : ndarray of shape (N,)
        Predicted labels, integers ``>= 0``.
    n_classes : int, optional
        Number of classes; inferred as ``max(labels) + 1`` when omitted.

    Returns
    -------
    C : ndarray of shape (n_classes, n_classes), dtype int64
        Rows are true classes, columns predicted classes; ``C.sum() == N`` and the diagonal holds
        the correct predictions.
    """
    y_true, y_pred = _check_pair(y_true, y_pred)
    n = _n_classes(y_true, y_pred, n_classes)
    raise NotImplementedError("Task 1.5 confusion_matrix — see notebooks/01_foundations")


def accuracy(y_true, y_pred):
    """Fraction of correct predictions, ``(TP + TN) / N`` in the binary case.

    Parameters
    ----------
    y_true, y_pred : ndarray of shape (N,)
        Integer labels.

    Returns
    -------
    acc : float
        In ``[0, 1]``.
    """
    y_true, y_pred = _check_pair(y_true, y_pred)
    raise NotImplementedError("Task 1.5 accuracy — see notebooks/01_foundations")


def precision(y_true, y_pred, *, average="binary", positive=1, n_classes=None):
    """Precision ``TP / (TP + FP)``: of the examples predicted as a class, the share that are.

    Parameters
    ----------
    y_true, y_pred : ndarray of shape (N,)
        Integer labels.
    average : {"binary", None, "macro"}, default "binary"
        See the module docstring.
    positive : int, default 1
        The positive class for ``average="binary"``.
    n_classes : int, optional
        Number of classes (inferred if omitted).

    Returns
    -------
    float, or ndarray of shape (n_classes,) when ``average is None``
        0.0 for a class that is never predicted (the 0/0 rule).
    """
    y_true, y_pred = _check_pair(y_true, y_pred)
    positive = _check_average(average, positive)
    n = _n_classes(y_true, y_pred, n_classes, positive if average == "binary" else 0)
    # Compute per_class, an array of shape (n,) with the score of every class c = 0 .. n-1 against
    # the rest (0/0 -> 0.0, without a warning); _reduce then applies `average`.
    raise NotImplementedError("Task 1.5 precision — see notebooks/01_foundations")
    return _reduce(per_class, average, positive)


def recall(y_true, y_pred, *, average="binary", positive=1, n_classes=None):
    """Recall (sensitivity) ``TP / (TP + FN)``: of the examples of a class, the share found.

    Parameters
    ----------
    y_true, y_pred : ndarray of shape (N,)
        Integer labels.
    average : {"binary", None, "macro"}, default "binary"
    positive : int, default 1
    n_classes : int, optional

    Returns
    -------
    float, or ndarray of shape (n_classes,) when ``average is None``
        0.0 for a class absent from ``y_true`` (the 0/0 rule).
    """
    y_true, y_pred = _check_pair(y_true, y_pred)
    positive = _check_average(average, positive)
    n = _n_classes(y_true, y_pred, n_classes, positive if average == "binary" else 0)
    # Compute per_class, an array of shape (n,) with the score of every class c = 0 .. n-1 against
    # the rest (0/0 -> 0.0, without a warning); _reduce then applies `average`.
    raise NotImplementedError("Task 1.5 recall — see notebooks/01_foundations")
    return _reduce(per_class, average, positive)


def specificity(y_true, y_pred, *, average="binary", positive=1, n_classes=None):
    """Specificity ``TN / (TN + FP)``: of the examples NOT of a class, the share not predicted as it.

    Parameters
    ----------
    y_true, y_pred : ndarray of shape (N,)
        Integer labels.
    average : {"binary", None, "macro"}, default "binary"
    positive : int, default 1
    n_classes : int, optional

    Returns
    -------
    float, or ndarray of shape (n_classes,) when ``average is None``
        0.0 for a class that every example belongs to (the 0/0 rule).
    """
    y_true, y_pred = _check_pair(y_true, y_pred)
    positive = _check_average(average, positive)
    n = _n_classes(y_true, y_pred, n_classes, positive if average == "binary" else 0)
    # Compute per_class, an array of shape (n,) with the score of every class c = 0 .. n-1 against
    # the rest (0/0 -> 0.0, without a warning); _reduce then applies `average`.
    raise NotImplementedError("Task 1.5 specificity — see notebooks/01_foundations")
    return _reduce(per_class, average, positive)
