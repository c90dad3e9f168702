"""Known mistakes of assignment 01, classification metrics (task 1.5)."""

from __future__ import annotations

import numpy as np

from autograder.mistakes import mistake
from course_ref.metrics import (  # noqa: F401 - the module-level names a variant may use
    _check_average,
    _check_pair,
    _n_classes,
    _reduce,
    confusion_matrix,
)


@mistake("metrics.confusion_matrix", "confusion matrix transposed (predictions in rows)")
def confusion_matrix__transposed(y_true, y_pred, n_classes=None):
    """C[i, j] counts examples whose TRUE class is i and PREDICTED class is j: rows are true classes
    (the lecture's slide draws the transpose)."""
    y_true, y_pred = _check_pair(y_true, y_pred)
    n = _n_classes(y_true, y_pred, n_classes)
    flat = np.bincount(y_pred * n + y_true, minlength=n * n)
    return flat.reshape(n, n).astype(np.int64)


@mistake("metrics.accuracy", "error rate instead of accuracy")
def accuracy__error_rate(y_true, y_pred):
    """Accuracy is the fraction of CORRECT predictions."""
    y_true, y_pred = _check_pair(y_true, y_pred)
    return float(np.mean(y_true != y_pred))


@mistake("metrics.precision", "precision computed as recall (TP / (TP + FN))")
def precision__is_recall(y_true, y_pred, *, average="binary", positive=1, n_classes=None):
    """Precision divides by what was PREDICTED positive, the column sum TP + FP; recall divides by
    what IS positive, the row sum TP + FN."""
    y_true, y_pred = _check_pair(y_true, y_pred)
    positive = _check_average(average, positive)
    n = _n_classes(y_true, y_pred, n_classes, positive if average == "binary" else 0)
    C = confusion_matrix(y_true, y_pred, n)
    tp = np.diag(C).astype(float)
    den = C.sum(axis=1).astype(float)
    return _reduce(np.divide(tp, den, out=np.zeros(n), where=den > 0), average, positive)


@mistake("metrics.recall", "recall computed as precision (TP / (TP + FP))")
def recall__is_precision(y_true, y_pred, *, average="binary", positive=1, n_classes=None):
    """Recall divides by the examples that truly are of the class, the row sum TP + FN."""
    y_true, y_pred = _check_pair(y_true, y_pred)
    positive = _check_average(average, positive)
    n = _n_classes(y_true, y_pred, n_classes, positive if average == "binary" else 0)
    C = confusion_matrix(y_true, y_pred, n)
    tp = np.diag(C).astype(float)
    den = C.sum(axis=0).astype(float)
    return _reduce(np.divide(tp, den, out=np.zeros(n), where=den > 0), average, positive)


@mistake("metrics.specificity", "specificity as TN / (TN + FN)")
def specificity__wrong_denominator(y_true, y_pred, *, average="binary", positive=1, n_classes=None):
    """Specificity is the share of true NEGATIVES found: TN / (TN + FP), the recall of the negative
    class."""
    y_true, y_pred = _check_pair(y_true, y_pred)
    positive = _check_average(average, positive)
    n = _n_classes(y_true, y_pred, n_classes, positive if average == "binary" else 0)
    C = confusion_matrix(y_true, y_pred, n)
    tp = np.diag(C)
    fp = C.sum(axis=0) - tp
    fn = C.sum(axis=1) - tp
    tn = C.sum() - tp - fp - fn
    den = (tn + fn).astype(float)
    return _reduce(
        np.divide(tn.astype(float), den, out=np.zeros(n), where=den > 0), average, positive
    )


@mistake("metrics.specificity", "specificity computed as recall")
def specificity__is_recall(y_true, y_pred, *, average="binary", positive=1, n_classes=None):
    """Recall (sensitivity) is TP / (TP + FN); specificity is TN / (TN + FP)."""
    y_true, y_pred = _check_pair(y_true, y_pred)
    positive = _check_average(average, positive)
    n = _n_classes(y_true, y_pred, n_classes, positive if average == "binary" else 0)
    C = confusion_matrix(y_true, y_pred, n)
    tp = np.diag(C).astype(float)
    den = C.sum(axis=1).astype(float)
    return _reduce(np.divide(tp, den, out=np.zeros(n), where=den > 0), average, positive)


@mistake("metrics.precision", "precision of a never-predicted class is nan (0/0) instead of 0.0")
def precision__nan_on_zero_division(
    y_true, y_pred, *, average="binary", positive=1, n_classes=None
):
    """When no example is predicted as a class, its precision is 0/0: the course defines it as 0.0
    (np.divide(..., out=np.zeros(n), where=den > 0)), without a warning."""
    y_true, y_pred = _check_pair(y_true, y_pred)
    positive = _check_average(average, positive)
    n = _n_classes(y_true, y_pred, n_classes, positive if average == "binary" else 0)
    C = confusion_matrix(y_true, y_pred, n)
    tp = np.diag(C).astype(float)
    den = C.sum(axis=0).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_class = tp / den
    return _reduce(per_class, average, positive)


@mistake("metrics.recall", "recall of an absent class is nan (0/0) instead of 0.0")
def recall__nan_on_zero_division(y_true, y_pred, *, average="binary", positive=1, n_classes=None):
    """A class absent from y_true has recall 0/0: the course defines it as 0.0, without a warning."""
    y_true, y_pred = _check_pair(y_true, y_pred)
    positive = _check_average(average, positive)
    n = _n_classes(y_true, y_pred, n_classes, positive if average == "binary" else 0)
    C = confusion_matrix(y_true, y_pred, n)
    tp = np.diag(C).astype(float)
    den = C.sum(axis=1).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_class = tp / den
    return _reduce(per_class, average, positive)


@mistake("metrics.precision", "macro average weighted by class size")
def precision__weighted_macro(y_true, y_pred, *, average="binary", positive=1, n_classes=None):
    """The macro average is the plain mean of the per-class scores; weighting by class size is the
    'weighted' average."""
    y_true, y_pred = _check_pair(y_true, y_pred)
    positive = _check_average(average, positive)
    n = _n_classes(y_true, y_pred, n_classes, positive if average == "binary" else 0)
    C = confusion_matrix(y_true, y_pred, n)
    tp = np.diag(C).astype(float)
    den = C.sum(axis=0).astype(float)
    per_class = np.divide(tp, den, out=np.zeros(n), where=den > 0)
    if average == "macro":
        support = C.sum(axis=1)
        return float(np.sum(per_class * support) / support.sum())
    return _reduce(per_class, average, positive)
