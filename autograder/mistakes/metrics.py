"""Known mistakes of assignment 01, classification metrics (task 1.5).

A variant that computes another metric calls the reference's (``ref.<name>``); one whose per-class
score is wrong gives only that score, from the confusion matrix, to ``_per_class``, which does the
reference's checks and reduction around it.
"""

from __future__ import annotations

import numpy as np
from course_ref import metrics as ref
from course_ref.metrics import _check_average, _check_pair, _n_classes, _reduce, confusion_matrix

from autograder.mistakes import mistake


def _per_class(score, y_true, y_pred, average, positive, n_classes):
    """The reference's checks and ``average`` around a variant's ``score(C, n)``, the per-class
    scores (shape (n,)) from the confusion matrix ``C``."""
    y_true, y_pred = _check_pair(y_true, y_pred)
    positive = _check_average(average, positive)
    n = _n_classes(y_true, y_pred, n_classes, positive if average == "binary" else 0)
    return _reduce(score(confusion_matrix(y_true, y_pred, n), n), average, positive)


def _nan_share(part, whole):
    """``part / whole`` with 0/0 left as NaN (the course defines it as 0.0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return part.astype(float) / whole.astype(float)


@mistake("metrics.confusion_matrix", "confusion matrix transposed (predictions in rows)")
def confusion_matrix__transposed(y_true, y_pred, n_classes=None):
    """C[i, j] counts examples whose TRUE class is i and PREDICTED class is j: rows are true classes
    (the lecture's slide draws the transpose)."""
    return ref.confusion_matrix(y_true, y_pred, n_classes).T.copy()


@mistake("metrics.accuracy", "error rate instead of accuracy")
def accuracy__error_rate(y_true, y_pred):
    """Accuracy is the fraction of CORRECT predictions."""
    y_true, y_pred = _check_pair(y_true, y_pred)
    return float(np.mean(y_true != y_pred))


@mistake("metrics.precision", "precision computed as recall (TP / (TP + FN))")
def precision__is_recall(y_true, y_pred, *, average="binary", positive=1, n_classes=None):
    """Precision divides by what was PREDICTED positive, the column sum TP + FP; recall divides by
    what IS positive, the row sum TP + FN."""
    return ref.recall(y_true, y_pred, average=average, positive=positive, n_classes=n_classes)


@mistake("metrics.recall", "recall computed as precision (TP / (TP + FP))")
def recall__is_precision(y_true, y_pred, *, average="binary", positive=1, n_classes=None):
    """Recall divides by the examples that truly are of the class, the row sum TP + FN."""
    return ref.precision(y_true, y_pred, average=average, positive=positive, n_classes=n_classes)


@mistake("metrics.specificity", "specificity as TN / (TN + FN)")
def specificity__wrong_denominator(y_true, y_pred, *, average="binary", positive=1, n_classes=None):
    """Specificity is the share of true NEGATIVES found: TN / (TN + FP), the recall of the negative
    class."""

    def score(C, n):
        tp = np.diag(C)
        fp = C.sum(axis=0) - tp
        fn = C.sum(axis=1) - tp
        tn = C.sum() - tp - fp - fn
        den = (tn + fn).astype(float)
        return np.divide(tn.astype(float), den, out=np.zeros(n), where=den > 0)

    return _per_class(score, y_true, y_pred, average, positive, n_classes)


@mistake("metrics.specificity", "specificity computed as recall")
def specificity__is_recall(y_true, y_pred, *, average="binary", positive=1, n_classes=None):
    """Recall (sensitivity) is TP / (TP + FN); specificity is TN / (TN + FP)."""
    return ref.recall(y_true, y_pred, average=average, positive=positive, n_classes=n_classes)


@mistake("metrics.precision", "precision of a never-predicted class is nan (0/0) instead of 0.0")
def precision__nan_on_zero_division(
    y_true, y_pred, *, average="binary", positive=1, n_classes=None
):
    """When no example is predicted as a class, its precision is 0/0: the course defines it as 0.0
    (np.divide(..., out=np.zeros(n), where=den > 0)), without a warning."""
    score = lambda C, n: _nan_share(np.diag(C), C.sum(axis=0))
    return _per_class(score, y_true, y_pred, average, positive, n_classes)


@mistake("metrics.recall", "recall of an absent class is nan (0/0) instead of 0.0")
def recall__nan_on_zero_division(y_true, y_pred, *, average="binary", positive=1, n_classes=None):
    """A class absent from y_true has recall 0/0: the course defines it as 0.0, without a
    warning."""
    score = lambda C, n: _nan_share(np.diag(C), C.sum(axis=1))
    return _per_class(score, y_true, y_pred, average, positive, n_classes)


@mistake("metrics.precision", "macro average weighted by class size")
def precision__weighted_macro(y_true, y_pred, *, average="binary", positive=1, n_classes=None):
    """The macro average is the plain mean of the per-class scores; weighting by class size is the
    'weighted' average."""
    if average != "macro":
        return ref.precision(
            y_true, y_pred, average=average, positive=positive, n_classes=n_classes
        )
    per_class = ref.precision(y_true, y_pred, average=None, positive=positive, n_classes=n_classes)
    support = confusion_matrix(y_true, y_pred, per_class.shape[0]).sum(axis=1)
    return float(np.sum(per_class * support) / support.sum())
