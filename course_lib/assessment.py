"""Model assessment: stratified train/validation/test splits and the bias/variance diagnosis
(assignment 02).

Graded: :func:`stratified_split` (task 2.1) and :func:`diagnose_bias_variance` (task 2.2).
Provided: :class:`BiasVarianceDiagnosis`, the result type of the diagnosis, and
:data:`DIAGNOSES`, the four diagnosis strings.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from ._validate import as_label_array, check_rng

__all__ = ["stratified_split", "diagnose_bias_variance", "BiasVarianceDiagnosis", "DIAGNOSES"]

#: The four possible diagnoses, in the order bias x variance.
DIAGNOSES = ("neither", "high bias", "high variance", "high bias and high variance")


def _check_fractions(fractions) -> np.ndarray:
    """Return ``fractions`` as a float array of 3 non-negative entries summing to 1."""
    if isinstance(fractions, (str, bytes, dict, set)):
        raise TypeError("fractions must be a sequence of 3 numbers (train, val, test); "
                        f"got {type(fractions).__name__}")
    try:
        f = np.asarray(fractions, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError("fractions must be a sequence of 3 numbers (train, val, test); "
                        f"got {fractions!r}") from None
    if f.shape != (3,):
        raise ValueError("fractions must hold exactly 3 numbers (train, val, test); "
                         f"got shape {f.shape}")
    if not np.all(np.isfinite(f)) or np.any(f < 0):
        raise ValueError(f"fractions must be finite and non-negative; got {tuple(f.tolist())}")
    if abs(f.sum() - 1.0) > 1e-8:
        raise ValueError(f"fractions must sum to 1; got {tuple(f.tolist())} (sum {f.sum():.6g})")
    if f[0] == 0:
        raise ValueError("the training fraction must be positive; got 0")
    return f / f.sum()


def stratified_split(x, y, fractions, rng):
    """Split a labelled data set into train, validation and test sets, stratified by class.

    Every class is shared out among the three sets in the proportions ``fractions``: a class
    with ``n_c`` samples gives each set ``k`` a number of samples equal to ``f_k * n_c`` rounded
    down or up (never further off), and the three counts add up to ``n_c``. Which samples go
    where is random (drawn from ``rng``), and each returned set is in random order, not grouped
    by class.

    Parameters
    ----------
    x : array_like, shape (N, ...)
        Samples, one per row (``(N, D)`` features, or ``(N, H, W)`` images...). Any dtype; it is
        kept.
    y : array_like of int, shape (N,)
        Class label of each sample.
    fractions : sequence of 3 float
        ``(train, val, test)`` shares, non-negative, summing to 1; the training share must be
        positive. A zero share gives an empty set.
    rng : numpy.random.Generator
        Source of all the randomness. The same generator state gives the same split.

    Returns
    -------
    x_tr : ndarray, shape (N_tr, ...)
    y_tr : ndarray of int, shape (N_tr,)
    x_va : ndarray, shape (N_va, ...)
    y_va : ndarray of int, shape (N_va,)
    x_te : ndarray, shape (N_te, ...)
    y_te : ndarray of int, shape (N_te,)
        New arrays (the inputs are not modified); ``N_tr + N_va + N_te = N`` and every input row
        appears in exactly one set, together with its label.

    Raises
    ------
    TypeError
        If ``rng`` is not a ``numpy.random.Generator``, ``y`` does not hold integer labels or
        ``fractions`` is not a sequence of numbers.
    ValueError
        If ``x`` and ``y`` disagree on ``N``, ``N`` is 0, or ``fractions`` is not 3 non-negative
        numbers summing to 1 with a positive training share.

    Notes
    -----
    A class too small for a share (``f_k * n_c < 1``) may be absent from that set; with the
    usual shares (60/20/20 or 80/10/10) and tens of samples per class every class is present
    everywhere.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = np.arange(20.0).reshape(10, 2); y = np.array([0] * 5 + [1] * 5)
    >>> x_tr, y_tr, x_va, y_va, x_te, y_te = stratified_split(x, y, (0.6, 0.2, 0.2), rng)
    >>> np.bincount(y_tr).tolist(), np.bincount(y_va).tolist(), np.bincount(y_te).tolist()
    ([3, 3], [1, 1], [1, 1])
    """
    check_rng(rng)
    x = np.asarray(x)
    if x.ndim == 0:
        raise ValueError("x must be an array of samples of shape (N, ...); got a scalar")
    y = as_label_array(y, "y", n=x.shape[0])
    if x.shape[0] == 0:
        raise ValueError("x and y must hold at least one sample; got N = 0")
    f = _check_fractions(fractions)
    raise NotImplementedError("Task 2.1 stratified_split — see notebooks/02_overfitting")


@dataclass(frozen=True)
class BiasVarianceDiagnosis:
    """Result of :func:`diagnose_bias_variance` (provided).

    Attributes
    ----------
    diagnosis : str
        One of ``"neither"``, ``"high bias"``, ``"high variance"``,
        ``"high bias and high variance"``.
    avoidable_bias : float
        ``train_error - human_error``: how far training is from the best achievable error.
    variance : float
        ``val_error - train_error``: how much worse the model does on data it did not fit.
    high_bias : bool
    high_variance : bool
    """

    diagnosis: str
    avoidable_bias: float
    variance: float
    high_bias: bool
    high_variance: bool


def _check_error(v, name: str) -> float:
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise TypeError(f"{name} must be a real number (an error rate in [0, 1]); "
                        f"got {type(v).__name__}")
    v = float(v)
    if not (0.0 <= v <= 1.0):
        hint = " (pass error rates as fractions: 15% is 0.15)" if 1.0 < v <= 100.0 else ""
        raise ValueError(f"{name} must be an error rate in [0, 1]; got {v}{hint}")
    return v


def diagnose_bias_variance(human_error, train_error, val_error, *, threshold=0.01,
                           ratio=0.5):
    """Diagnose high bias and/or high variance from three error rates.

    The human (or best known) error stands in for the Bayes error. The two gaps are

    - avoidable bias ``b = train_error - human_error``,
    - variance ``v = val_error - train_error``,

    and a gap counts as *high* when it is both

    1. larger than ``threshold`` (strictly), so that tiny gaps are noise, and
    2. at least ``ratio`` times the larger of the two gaps, so that when one gap dominates only
       that one is reported: it is the one worth working on first.

    Parameters
    ----------
    human_error, train_error, val_error : float
        Error rates as fractions in [0, 1] (15% is 0.15). ``val_error`` is measured on the
        validation (dev) set, never on the test set. A gap may come out negative (a human
        estimate that is too pessimistic, or a lucky validation set); it is then reported as is
        and is never high.
    threshold : float, default 0.01
        Smallest gap that can count as high, in the same unit as the errors (0.01 is one
        percentage point). Must be non-negative.
    ratio : float, default 0.5
        A gap smaller than ``ratio`` times the other gap is not high. Must be in (0, 1]; with 1
        only the larger gap (or both when equal) can be high.

    Returns
    -------
    BiasVarianceDiagnosis
        Frozen dataclass with ``diagnosis`` (one of ``"neither"``, ``"high bias"``,
        ``"high variance"``, ``"high bias and high variance"``), ``avoidable_bias``,
        ``variance``, ``high_bias`` and ``high_variance``.

    Raises
    ------
    TypeError
        If an error is not a real number.
    ValueError
        If an error is outside [0, 1], ``threshold`` is negative or ``ratio`` is not in (0, 1].

    Examples
    --------
    >>> d = diagnose_bias_variance(0.01, 0.08, 0.10)
    >>> d.diagnosis, round(d.avoidable_bias, 4), round(d.variance, 4)
    ('high bias', 0.07, 0.02)
    >>> diagnose_bias_variance(0.075, 0.08, 0.10).diagnosis
    'high variance'
    """
    human_error = _check_error(human_error, "human_error")
    train_error = _check_error(train_error, "train_error")
    val_error = _check_error(val_error, "val_error")
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real) \
            or not np.isfinite(threshold) or threshold < 0:
        raise ValueError(f"threshold must be a finite non-negative number; got {threshold!r}")
    if isinstance(ratio, bool) or not isinstance(ratio, numbers.Real) or not 0 < ratio <= 1:
        raise ValueError(f"ratio must be a number in (0, 1]; got {ratio!r}")
    raise NotImplementedError("Task 2.2 diagnose_bias_variance — see notebooks/02_overfitting")
