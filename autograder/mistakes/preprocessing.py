"""Known mistakes of assignment 04 (input normalization): wrong variants of
``course_ref.preprocessing``. Each is a subclass of the reference scaler whose overridden method
calls the reference's (for its checks and attributes) and redoes only the wrong statistic, or
computes the wrong transform (the demo class splices it in place of the right class)."""

import numpy as np
from course_ref.preprocessing import MinMaxScaler, Standardizer, _check_fit_input

from autograder.mistakes import mistake

# ---- 4.1 Standardizer ----------------------------------------------------------------------


@mistake("preprocessing.Standardizer", "dividing by the variance instead of the standard deviation")
class Standardizer__divide_by_variance(Standardizer):
    """Standardization divides by sigma, not sigma**2 (some slides get this wrong): with sigma**2 a
    feature of standard deviation sigma ends with standard deviation 1 / sigma."""

    def fit(self, x):
        super().fit(x)
        x = _check_fit_input(x)
        self.scale_ = np.where(x.max(axis=0) == x.min(axis=0), 1.0, self.var_)
        return self


@mistake("preprocessing.Standardizer", "fitting on the test set")
class Standardizer__refit_in_transform(Standardizer):
    """transform must use mean_ and scale_ learned by fit on the TRAINING set. Computing the
    statistics of the data being transformed (the test set, a single new sample) leaks information
    and breaks on small batches."""

    def transform(self, x):
        x = np.asarray(x, dtype=np.float64)
        std = x.std(axis=0)
        return (x - x.mean(axis=0)) / np.where(x.max(axis=0) == x.min(axis=0), 1.0, std)


@mistake("preprocessing.Standardizer", "per-sample instead of per-feature statistics")
class Standardizer__per_sample(Standardizer):
    """Statistics are taken down each column (axis=0, one mean per FEATURE over the samples), not
    along each row (axis=1, one mean per sample)."""

    def fit(self, x):
        super().fit(x)
        x = _check_fit_input(x)
        self.mean_, self.var_ = x.mean(axis=1), x.var(axis=1)
        self.scale_ = np.where(x.max(axis=1) == x.min(axis=1), 1.0, np.sqrt(self.var_))
        return self

    def transform(self, x):
        x = np.asarray(x, dtype=np.float64)
        s = x.std(axis=1, keepdims=True)
        return (x - x.mean(axis=1, keepdims=True)) / np.where(s == 0, 1.0, s)


@mistake("preprocessing.Standardizer", "constant feature divided by zero")
class Standardizer__no_constant_guard(Standardizer):
    """A constant feature has standard deviation 0: use a scale of 1 for it (it then maps to 0)
    instead of dividing by 0."""

    def fit(self, x):
        super().fit(x)
        self.scale_ = np.sqrt(self.var_)
        return self


@mistake("preprocessing.Standardizer", "constant feature detected with std == 0")
class Standardizer__std_equals_zero_test(Standardizer):
    """Rounding can leave a tiny non-zero standard deviation (about 1e-17) for a constant column
    such as 0.1, 0.1, 0.1; dividing by it blows the feature up. Test for a constant feature exactly:
    max == min."""

    def fit(self, x):
        super().fit(x)
        std = np.sqrt(self.var_)
        self.scale_ = np.where(std == 0, 1.0, std)
        return self


@mistake("preprocessing.Standardizer", "near-constant feature divided by its rounding noise")
class Standardizer__near_constant_not_detected(Standardizer):
    """A feature such as 1e9, 1e9 + 1 ulp, ... varies only by rounding: its standard deviation
    (about 1e-7) is noise, and dividing by it blows the noise up to unit scale. Treat it as constant
    (scale 1), as scikit-learn does: var <= N*eps*var + (N*eps*mean)**2, with
    eps = np.finfo(np.float64).eps."""

    def fit(self, x):
        super().fit(x)
        x = _check_fit_input(x)
        std = np.sqrt(self.var_)
        self.scale_ = np.where((x.max(axis=0) == x.min(axis=0)) | (std == 0), 1.0, std)
        return self


@mistake("preprocessing.Standardizer", "sample standard deviation (ddof=1)")
class Standardizer__ddof1(Standardizer):
    """This course (like scikit-learn) standardizes with the population standard deviation (divide
    by N, np.std's default ddof=0)."""

    def fit(self, x):
        super().fit(x)
        x = _check_fit_input(x)
        std = x.std(axis=0, ddof=1) if x.shape[0] > 1 else np.zeros(x.shape[1])
        self.scale_ = np.where(x.max(axis=0) == x.min(axis=0), 1.0, std)
        return self


@mistake("preprocessing.Standardizer", "inverse_transform in the wrong order")
class Standardizer__inverse_wrong_order(Standardizer):
    """transform is z = (x - mean_) / scale_, so its inverse is x = z * scale_ + mean_ (multiply
    first, then add)."""

    def inverse_transform(self, z):
        return (np.asarray(z, dtype=np.float64) + self.mean_) * self.scale_


# ---- 4.2 MinMaxScaler ----------------------------------------------------------------------


def _refit_range(scaler, data_min, data_max, divisor):
    """The reference's fitted attributes of a ``MinMaxScaler`` from a variant's statistics and
    ``divisor`` (the reference's: the range, 1 where it is 0)."""
    lo, hi = scaler.feature_range
    scaler.data_min_, scaler.data_max_ = data_min, data_max
    scaler.data_range_ = data_max - data_min
    scaler.scale_ = (hi - lo) / divisor
    scaler.min_ = lo - data_min * scaler.scale_
    return scaler


@mistake("preprocessing.MinMaxScaler", "fitting on the test set")
class MinMaxScaler__refit_in_transform(MinMaxScaler):
    """transform must use the minimum and maximum learned by fit on the TRAINING set; new data may
    fall outside [lo, hi], which is expected."""

    def transform(self, x):
        x = np.asarray(x, dtype=np.float64)
        lo, hi = self.feature_range
        rng_ = x.max(axis=0) - x.min(axis=0)
        return (x - x.min(axis=0)) / np.where(rng_ == 0, 1.0, rng_) * (hi - lo) + lo


@mistake("preprocessing.MinMaxScaler", "per-sample instead of per-feature statistics")
class MinMaxScaler__per_sample(MinMaxScaler):
    """The minimum and maximum are taken down each column (axis=0, per feature), not along each
    row."""

    def fit(self, x):
        super().fit(x)
        x = _check_fit_input(x)
        data_min, data_max = x.min(axis=1), x.max(axis=1)
        data_range = data_max - data_min
        return _refit_range(self, data_min, data_max, np.where(data_range == 0, 1.0, data_range))

    def transform(self, x):
        x = np.asarray(x, dtype=np.float64)
        lo, hi = self.feature_range
        r = x.max(axis=1, keepdims=True) - x.min(axis=1, keepdims=True)
        return (x - x.min(axis=1, keepdims=True)) / np.where(r == 0, 1.0, r) * (hi - lo) + lo


@mistake("preprocessing.MinMaxScaler", "dividing by the maximum instead of the range")
class MinMaxScaler__divide_by_max(MinMaxScaler):
    """Min-max scaling divides by max - min (the range), after subtracting the minimum."""

    def fit(self, x):
        super().fit(x)
        data_max = self.data_max_
        return _refit_range(self, self.data_min_, data_max, np.where(data_max == 0, 1.0, data_max))


@mistake("preprocessing.MinMaxScaler", "constant feature divided by zero")
class MinMaxScaler__no_constant_guard(MinMaxScaler):
    """A constant feature has range 0: use a range of 1 for it (it then maps to lo) instead of
    dividing by 0."""

    def fit(self, x):
        super().fit(x)
        return _refit_range(self, self.data_min_, self.data_max_, self.data_range_)


@mistake("preprocessing.MinMaxScaler", "feature_range ignored")
class MinMaxScaler__ignores_range(MinMaxScaler):
    """Map the training range onto feature_range = (lo, hi): z = (x - min) / (max - min) * (hi - lo)
    + lo, not always onto [0, 1]."""

    def fit(self, x):
        super().fit(x)
        self.scale_ = 1.0 / np.where(self.data_range_ == 0, 1.0, self.data_range_)
        self.min_ = -self.data_min_ * self.scale_
        return self
