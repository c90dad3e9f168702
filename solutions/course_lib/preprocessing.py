"""Input normalization (assignment 04): standardization and min-max scaling.

Both scalers follow scikit-learn's conventions:

- ``fit(x)`` learns per-feature statistics from ``x`` (the TRAINING set only) and returns ``self``;
- ``transform(x)`` applies them to any set (training, validation, test, a single new sample);
- ``fit_transform(x)`` is ``fit(x).transform(x)``; ``inverse_transform(z)`` undoes ``transform``;
- fitted attributes end with an underscore (``mean_``, ``scale_``, ...), exist only after ``fit``,
  and ``transform`` before ``fit`` raises :class:`NotFittedError`.

Statistics are per FEATURE (down the rows, ``axis=0``), never per sample. ``x`` is ``(N, D)``.

A constant feature (the same value in every training row, like the always-blank corner pixels of
the digits) has standard deviation 0 and range 0; dividing by it would give ``nan``/``inf``. Both
scalers then use a scale of 1 for that feature, as scikit-learn does: the standardizer maps it to
0 and the min-max scaler to the lower end of ``feature_range``. A feature is constant when its
maximum equals its minimum in the training set (an exact test, unlike ``std == 0``, which rounding
can miss).

The standardizer also treats a *near-constant* feature as constant, with scikit-learn's
``StandardScaler`` test: its variance is no larger than the rounding error of computing it,
``var <= N * eps * var + (N * eps * mean) ** 2`` with ``eps = np.finfo(np.float64).eps``. A sensor
that reads 1e9 and differs only in its last bits has a standard deviation of about 1e-7 that is
pure rounding noise: dividing by it would blow that noise up to unit scale. The same test gives a
scale of 1 to a feature whose variance underflows to 0 (values around 1e-300).
"""

from __future__ import annotations

import numbers

import numpy as np

from ._validate import as_float_array


class NotFittedError(ValueError, AttributeError):
    """Raised when a scaler is used before ``fit`` (a ``ValueError`` and an ``AttributeError``,
    like scikit-learn's)."""


def _check_fit_input(x) -> np.ndarray:
    """Validate the data given to ``fit`` (provided, not graded)."""
    x = as_float_array(x, "x", ndim=2)
    if x.shape[0] < 1 or x.shape[1] < 1:
        raise ValueError(f"x must have at least one sample and one feature; got shape {x.shape}")
    return x


def _check_transform_input(scaler, x, attribute: str) -> np.ndarray:
    """Check that ``scaler`` is fitted and that ``x`` has its number of features (provided)."""
    if not hasattr(scaler, attribute):
        raise NotFittedError(f"this {type(scaler).__name__} is not fitted yet: call fit(x_train) "
                             "before transform or inverse_transform")
    x = as_float_array(x, "x", ndim=2)
    d = scaler.n_features_in_
    if x.shape[1] != d:
        raise ValueError(f"x has {x.shape[1]} features, but this {type(scaler).__name__} was "
                         f"fitted on {d} features")
    return x


class Standardizer:
    """Standardize each feature: ``z = (x - mean_) / scale_`` (Task 4.1).

    ``scale_`` is the standard deviation ``sigma`` (population version, dividing by N, like
    scikit-learn's ``StandardScaler``), NOT the variance ``sigma**2``: dividing by the variance
    gives a feature with standard deviation ``1 / sigma`` instead of 1.

    Attributes (after ``fit``)
    --------------------------
    mean_ : ndarray of shape (D,)
        Per-feature mean of the training data.
    var_ : ndarray of shape (D,)
        Per-feature variance of the training data (ddof=0).
    scale_ : ndarray of shape (D,)
        Per-feature standard deviation, with 1.0 for constant and near-constant features (see the
        module docstring: ``max == min``, or ``var <= N*eps*var + (N*eps*mean)**2``).
    n_features_in_ : int
        D, the number of features seen by ``fit``.
    n_samples_seen_ : int
        N, the number of training samples.

    Examples
    --------
    >>> scaler = Standardizer().fit(x_train)
    >>> z_train, z_test = scaler.transform(x_train), scaler.transform(x_test)
    """

    def fit(self, x) -> "Standardizer":
        """Learn the per-feature mean and standard deviation of ``x``.

        Parameters
        ----------
        x : array_like of shape (N, D)
            Training data, N >= 1. Not modified.

        Returns
        -------
        self : Standardizer
            Fitted, with ``mean_``, ``var_``, ``scale_`` of shape (D,).
        """
        x = _check_fit_input(x)
        ### BEGIN SOLUTION
        mean = x.mean(axis=0)
        var = ((x - mean) ** 2).mean(axis=0)
        std = np.sqrt(var)
        # scikit-learn's test: a variance within the rounding error of its own computation is 0
        # (it also catches a variance that underflows to 0, values around 1e-300)
        n, eps = x.shape[0], np.finfo(np.float64).eps
        near_constant = var <= n * eps * var + (n * eps * mean) ** 2
        constant = (x.max(axis=0) == x.min(axis=0)) | near_constant
        scale = np.where(constant, 1.0, std)
        self.mean_ = mean
        self.var_ = var
        self.scale_ = scale
        ### END SOLUTION
        self.n_features_in_ = x.shape[1]
        self.n_samples_seen_ = x.shape[0]
        return self

    def transform(self, x) -> np.ndarray:
        """Standardize ``x`` with the statistics learned by ``fit``.

        Parameters
        ----------
        x : array_like of shape (M, D)
            Any data with the fitted number of features (M may be 1). Not modified.

        Returns
        -------
        z : ndarray of shape (M, D)
            ``(x - mean_) / scale_``.

        Raises
        ------
        NotFittedError
            If called before ``fit``.
        """
        x = _check_transform_input(self, x, "scale_")
        ### BEGIN SOLUTION
        return (x - self.mean_) / self.scale_
        ### END SOLUTION

    def fit_transform(self, x) -> np.ndarray:
        """``fit(x)`` then ``transform(x)``; use it on the training set only. Returns (N, D)."""
        return self.fit(x).transform(x)

    def inverse_transform(self, z) -> np.ndarray:
        """Map standardized data back to the original units: ``z * scale_ + mean_``.

        Parameters
        ----------
        z : array_like of shape (M, D)

        Returns
        -------
        x : ndarray of shape (M, D)
        """
        z = _check_transform_input(self, z, "scale_")
        ### BEGIN SOLUTION
        return z * self.scale_ + self.mean_
        ### END SOLUTION


class MinMaxScaler:
    """Rescale each feature linearly so that its training range maps onto ``feature_range`` (Task 4.2).

    ``z = (x - data_min_) / data_range_ * (hi - lo) + lo``, written as ``z = x * scale_ + min_``
    with ``scale_ = (hi - lo) / data_range_`` and ``min_ = lo - data_min_ * scale_`` (scikit-learn's
    names). New data outside the training range lands outside ``feature_range``: it is not clipped.

    Parameters
    ----------
    feature_range : tuple (lo, hi), default (0.0, 1.0)
        Target range, ``lo < hi``.

    Attributes (after ``fit``)
    --------------------------
    data_min_, data_max_ : ndarray of shape (D,)
        Per-feature minimum and maximum of the training data.
    data_range_ : ndarray of shape (D,)
        ``data_max_ - data_min_``.
    scale_ : ndarray of shape (D,)
        ``(hi - lo) / data_range_``, with a data range of 1 used for constant features (which then
        map to ``lo``).
    min_ : ndarray of shape (D,)
        ``lo - data_min_ * scale_``.
    n_features_in_ : int
        D.
    """

    def __init__(self, feature_range=(0.0, 1.0)):
        if (not isinstance(feature_range, (tuple, list)) or len(feature_range) != 2
                or not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in feature_range)):
            raise TypeError(f"feature_range must be a tuple (lo, hi) of two numbers; got {feature_range!r}")
        lo, hi = float(feature_range[0]), float(feature_range[1])
        if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
            raise ValueError(f"feature_range must satisfy lo < hi (both finite); got {feature_range!r}")
        self.feature_range = (lo, hi)

    def fit(self, x) -> "MinMaxScaler":
        """Learn the per-feature minimum and maximum of ``x``.

        Parameters
        ----------
        x : array_like of shape (N, D)
            Training data, N >= 1. Not modified.

        Returns
        -------
        self : MinMaxScaler
            Fitted, with ``data_min_``, ``data_max_``, ``data_range_``, ``scale_``, ``min_`` of
            shape (D,).
        """
        x = _check_fit_input(x)
        lo, hi = self.feature_range
        ### BEGIN SOLUTION
        data_min = x.min(axis=0)
        data_max = x.max(axis=0)
        data_range = data_max - data_min
        safe_range = np.where(data_range == 0, 1.0, data_range)
        self.data_min_ = data_min
        self.data_max_ = data_max
        self.data_range_ = data_range
        self.scale_ = (hi - lo) / safe_range
        self.min_ = lo - data_min * self.scale_
        ### END SOLUTION
        self.n_features_in_ = x.shape[1]
        self.n_samples_seen_ = x.shape[0]
        return self

    def transform(self, x) -> np.ndarray:
        """Rescale ``x`` with the minimum and maximum learned by ``fit``.

        Parameters
        ----------
        x : array_like of shape (M, D)
            Not modified.

        Returns
        -------
        z : ndarray of shape (M, D)
            ``x * scale_ + min_``; training rows land in ``feature_range``.

        Raises
        ------
        NotFittedError
            If called before ``fit``.
        """
        x = _check_transform_input(self, x, "scale_")
        ### BEGIN SOLUTION
        return x * self.scale_ + self.min_
        ### END SOLUTION

    def fit_transform(self, x) -> np.ndarray:
        """``fit(x)`` then ``transform(x)``; use it on the training set only. Returns (N, D)."""
        return self.fit(x).transform(x)

    def inverse_transform(self, z) -> np.ndarray:
        """Map scaled data back to the original units: ``(z - min_) / scale_``.

        Parameters
        ----------
        z : array_like of shape (M, D)

        Returns
        -------
        x : ndarray of shape (M, D)
        """
        z = _check_transform_input(self, z, "scale_")
        ### BEGIN SOLUTION
        return (z - self.min_) / self.scale_
        ### END SOLUTION
