"""Scenarios of assignment 04: standardization (4.1) and min-max scaling (4.2).

The scalers are deterministic, so most scenarios are "match": the fitted attributes and the
transformed training and test sets must equal the reference's. The test set is drawn from a
shifted and rescaled distribution so that statistics taken from the wrong set show. The
"property" scenarios say in words which stated property fails and where: the standardized
training features have mean 0 and standard deviation 1, min-max fills [lo, hi], constant and
near-constant features get scale 1, transform applies the training statistics, inverse_transform
undoes it. See ``course_lib.checks.scenario``.
"""

from __future__ import annotations

import numpy as np

from ..scenario import scenario
from ._common import first_bad, shape_of, split_nonfinite


def _train_test(rng, N, D, M, constant, near_constant=False):
    """Training data with very different scales per feature, and a shifted test set.

    ``near_constant``: the middle feature reads 1e9 and varies only in its last bits in training
    (rounding noise, which scikit-learn's test treats as constant); needs N >= 2 and D >= 3."""
    scale = 10.0 ** rng.uniform(-2, 3, size=D)
    offset = rng.uniform(-100, 100, size=D)
    x = rng.normal(size=(N, D)) * scale + offset
    t = rng.normal(loc=0.7, scale=1.6, size=(M, D)) * scale + offset
    if constant:
        x[:, 0] = 0.1          # a constant feature (0.1 is not exact in binary)
        if D > 1:
            x[:, -1] = 0.0     # and an all-zero one, like the blank pixels of the digits
    if near_constant:
        j = D // 2
        x[:, j] = 1e9 + np.spacing(1e9) * (np.arange(N) % 3)   # 1e9, 1e9 + 1 ulp, 1e9 + 2 ulps, ...
        t[:, j] = 1e9 + rng.normal(size=M)
    return x, t


def _fitted(scaler, names):
    return {name: np.asarray(getattr(scaler, name)) for name in names}


# --------------------------------------------------------------------------------------------
# 4.1 Standardizer


@scenario("4.1", cases=[dict(seed=0, N=6, D=3, M=4, constant=False),
                        dict(seed=1, N=5, D=3, M=2, constant=True),
                        dict(seed=9, N=7, D=3, M=3, constant=True, near_constant=True)])
def standardizer_fit_transform(lib, rng, N, D, M, constant, near_constant=False):
    x, t = _train_test(rng, N, D, M, constant, near_constant)
    s = lib.preprocessing.Standardizer()
    returned = s.fit(x)
    out = _fitted(s, ("mean_", "scale_"))
    out["fit_returns_self"] = returned is s
    out["z_train"] = s.transform(x)
    out["z_test"] = s.transform(t)
    out["z_one_row"] = s.transform(t[:1])
    out["fit_transform"] = lib.preprocessing.Standardizer().fit_transform(x)
    return out


@scenario("4.1", cases=[dict(seed=2, N=5, D=2, M=3, constant=True)])
def standardizer_inverse(lib, rng, N, D, M, constant):
    x, t = _train_test(rng, N, D, M, constant)
    s = lib.preprocessing.Standardizer().fit(x)
    return {"inverse_test": s.inverse_transform(s.transform(t)),
            "inverse_of_ones": s.inverse_transform(np.ones((2, D)))}


def _verify_not_modified(out, **case):
    assert out["x_unchanged"], "fit or transform modified the array they were given: work on copies"
    assert out["stats_unchanged_by_transform"], (
        "transform changed the fitted statistics: transform must use the statistics of fit, "
        "never re-fit on the data it is given (that is fitting on the test set)")
    assert out["not_fitted_error"], ("transform before fit must raise an error that says the "
                                     f"scaler is not fitted; got {out['not_fitted_message']!r}")


def _no_side_effects(lib, rng, cls, N, D, M, constant, **kwargs):
    x, t = _train_test(rng, N, D, M, constant)
    x0, t0 = x.copy(), t.copy()
    s = getattr(lib.preprocessing, cls)(**kwargs).fit(x)
    before = {k: np.array(v, copy=True) for k, v in vars(s).items() if isinstance(v, np.ndarray)}
    s.transform(t)
    s.inverse_transform(t)
    after = {k: v for k, v in vars(s).items() if isinstance(v, np.ndarray)}
    same = set(before) == set(after) and all(np.array_equal(before[k], after[k]) for k in before)
    try:
        getattr(lib.preprocessing, cls)(**kwargs).transform(x)
        ok, msg = False, "no error"
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001 - any clear error is fine
        ok, msg = ("fit" in str(exc).lower()), f"{type(exc).__name__}: {exc}"
    return {"x_unchanged": bool(np.array_equal(x, x0) and np.array_equal(t, t0)),
            "stats_unchanged_by_transform": bool(same), "not_fitted_error": bool(ok),
            "not_fitted_message": msg[:200]}


@scenario("4.1", cases=[dict(seed=3, N=8, D=3, M=5, constant=True)],
          compare="property", verify=_verify_not_modified)
def standardizer_no_side_effects(lib, rng, N, D, M, constant):
    return _no_side_effects(lib, rng, "Standardizer", N, D, M, constant)


# --------------------------------------------------------------------------------------------
# 4.2 MinMaxScaler


@scenario("4.2", cases=[dict(seed=4, N=6, D=3, M=4, constant=False, lo=0.0, hi=1.0),
                        dict(seed=5, N=5, D=3, M=2, constant=True, lo=-1.0, hi=1.0)])
def minmax_fit_transform(lib, rng, N, D, M, constant, lo, hi):
    x, t = _train_test(rng, N, D, M, constant)
    s = lib.preprocessing.MinMaxScaler(feature_range=(lo, hi))
    returned = s.fit(x)
    out = _fitted(s, ("data_min_", "data_max_", "scale_", "min_"))
    out["fit_returns_self"] = returned is s
    out["z_train"] = s.transform(x)
    out["z_test"] = s.transform(t)
    out["z_one_row"] = s.transform(t[:1])
    out["fit_transform"] = lib.preprocessing.MinMaxScaler(feature_range=(lo, hi)).fit_transform(x)
    return out


@scenario("4.2", cases=[dict(seed=6, N=5, D=2, M=3, constant=True, lo=2.0, hi=5.0)])
def minmax_inverse(lib, rng, N, D, M, constant, lo, hi):
    x, t = _train_test(rng, N, D, M, constant)
    s = lib.preprocessing.MinMaxScaler(feature_range=(lo, hi)).fit(x)
    return {"inverse_test": s.inverse_transform(s.transform(t)),
            "inverse_of_ones": s.inverse_transform(np.ones((2, D)))}


@scenario("4.2", cases=[dict(seed=7, N=8, D=3, M=5, constant=True)],
          compare="property", verify=_verify_not_modified)
def minmax_no_side_effects(lib, rng, N, D, M, constant):
    return _no_side_effects(lib, rng, "MinMaxScaler", N, D, M, constant)


# --------------------------------------------------------------------------------------------
# Properties (issue 13): what the notebook states about the scalers, checked with words. The
# training data come from _train_test with constant=True: feature 0 is constant (0.1), the last
# one all zeros, and with near_constant=True the middle one varies only by rounding (1e9 and a
# few ulps). Everything a verify function reads is the drawn data or what the scaler returned.

_TOL = 1e-9


def _constant_features(D):
    return sorted({0, D - 1})


def _attempt(call, *args):
    """``(result, "")``, or ``(None, what was raised)``: a later property still gets checked
    (and says what it needs) when one method raises. Stubs stay "not implemented"."""
    try:
        return call(*args), ""
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001 - any error of the code under test is reported
        return None, f"{type(exc).__name__}: {exc}"[:300]


def _scaled(s, x, t, z, z_bad):
    """What a fitted scaler gives for the test set, one test row and the round trips (each of
    its own transform's results, when finite); float arrays come with the mask of their NaN and
    infinities (see split_nonfinite)."""
    out = {}
    for name, call, arg in (("z_test", s.transform, t), ("z_one_row", s.transform, t[:1])):
        value, out[f"{name}_error"] = _attempt(call, arg)
        out[name], out[f"{name}_nonfinite"] = split_nonfinite(value)
    for name, z_of, bad in (("back_test", out["z_test"], out["z_test_nonfinite"]),
                            ("back_train", z, z_bad)):
        usable = isinstance(z_of, np.ndarray) and bad is not None and not bad.any()
        value, out[f"{name}_error"] = _attempt(s.inverse_transform, z_of) if usable else (None, "")
        out[name], out[f"{name}_nonfinite"] = split_nonfinite(value)
    return out


def _check_shape_and_finite(outputs, name, shape, why_nonfinite):
    v, bad = outputs[name], outputs.get(f"{name}_nonfinite")
    call = {"z": "fit_transform(x_train)", "z_test": "transform(x_test)",
            "z_one_row": "transform(x_test[:1])", "back_test": "inverse_transform(z_test)",
            "back_train": "inverse_transform(z_train)"}[name]
    assert not outputs.get(f"{name}_error"), f"{call} raised {outputs.get(f'{name}_error')}"
    assert isinstance(v, np.ndarray) and v.shape == shape, (
        f"{call} must return an array of shape {shape}; got {shape_of(v)}")
    if bad is not None and np.any(bad):
        i, j = first_bad(bad)
        raise AssertionError(f"{call} is NaN or infinite at [{i}, {j}]: {why_nonfinite(j)}")


def _check_round_trip(outputs, x, t):
    for name, original, what in (("back_test", t, "x_test"), ("back_train", x, "x_train")):
        _check_shape_and_finite(outputs, name, original.shape, lambda j: "inverse_transform must "
                                "give back finite data")
        back = outputs[name]
        close = np.isclose(back, original, rtol=_TOL, atol=_TOL * np.abs(original).max(axis=0))
        if not close.all():
            i, j = first_bad(~close)
            raise AssertionError(
                f"inverse_transform must undo transform: inverse_transform(transform({what}))"
                f"[{i}, {j}] is {back[i, j]:.10g}, {what}[{i}, {j}] is {original[i, j]:.10g}")


def _check_test_rows(outputs, want, rule, hint_if_refit, slack=0.0):
    """``slack``: per feature, what rounding in the fitted statistics may add (a mean of values
    near 1e9 is only known to about 1e-7)."""
    z_test, one = outputs["z_test"], outputs["z_one_row"]
    close = np.isclose(z_test, want, rtol=_TOL, atol=_TOL * (1 + np.abs(want)) + slack)
    if not close.all():
        i, j = first_bad(~close)
        refit = hint_if_refit(z_test)
        raise AssertionError(
            f"transform(x_test) must apply the statistics fit learned from the TRAINING data, "
            f"{rule}, never statistics of the data it is given: test row {i}, feature {j} gives "
            f"{z_test[i, j]:.6g}, expected {want[i, j]:.6g}{refit}")
    bad = ~np.isclose(one, z_test[:1], rtol=1e-12, atol=1e-12)
    assert not bad.any(), (
        "a single sample must be transformed exactly as within a batch (transform computes "
        f"nothing from the data it is given): transform(x_test[:1]) differs at feature "
        f"{first_bad(bad)[1]}")


def _verify_standardizer(outputs, N, D, M, **_):
    x, t = outputs["x"], outputs["x_test"]
    const, near = _constant_features(D), D // 2
    _check_shape_and_finite(outputs, "z", (N, D), lambda j: (
        f"feature {j} is constant in the training data (its standard deviation is 0): give it a "
        "scale of 1, as scikit-learn does (it then maps to 0), instead of dividing by 0")
        if j in const else "a standardized value must be finite")
    z, mean_, scale_ = outputs["z"], outputs["mean_"], outputs["scale_"]
    for name, v in (("mean_", mean_), ("scale_", scale_)):
        assert isinstance(v, np.ndarray) and v.shape == (D,), (
            f"fit must store {name} with one entry per feature, shape (D,) = ({D},); got "
            f"{shape_of(v)} (statistics go down each column, axis=0)")
    want = x.mean(axis=0)
    bad = ~np.isclose(mean_, want, rtol=1e-12, atol=1e-12 * np.abs(x).max(axis=0))
    assert not bad.any(), (
        f"mean_ must be the mean of each feature over the training samples (axis=0): feature "
        f"{first_bad(bad)} has mean_ {mean_[first_bad(bad)]:.10g}, expected "
        f"{want[first_bad(bad)]:.10g}")
    sigma = x.std(axis=0)
    for j in range(D):
        if j in const or j == near:
            continue
        m, s = z[:, j].mean(), z[:, j].std()
        assert abs(m) <= 1e-8, (
            f"every feature of fit_transform(x_train) must have mean 0: feature {j} has mean "
            f"{m:.6g}")
        if abs(s - 1) > 1e-8:
            hint = ""
            if np.isclose(s, np.sqrt((N - 1) / N), rtol=1e-6):
                hint = (" = sqrt((N - 1) / N): you divided by the sample standard deviation "
                        "(ddof=1); use the population one, dividing by N (np.std's default)")
            elif np.isclose(s, 1 / sigma[j], rtol=1e-6):
                hint = (f" = 1 / sigma, with sigma = {sigma[j]:.6g} the feature's standard "
                        "deviation: you divided by the variance sigma**2; divide by sigma")
            raise AssertionError(
                "every feature of fit_transform(x_train) must have standard deviation 1 (the "
                f"population one, over N): feature {j} has {s:.6g}{hint}")
    for j in const:
        assert scale_[j] == 1.0, (
            f"feature {j} is constant in the training data (max == min): its scale_ must be 1, "
            f"as in scikit-learn (it then maps to 0); got scale_[{j}] = {scale_[j]:.6g} (test "
            "max == min: rounding can leave a standard deviation of about 1e-17)")
        assert np.all(np.abs(z[:, j]) <= _TOL), (
            f"feature {j} is constant in the training data: fit_transform must map it to 0; got "
            f"{z[first_bad(np.abs(z[:, j]) > _TOL), j]:.6g}")
    assert scale_[near] == 1.0, (
        f"feature {near} varies only by rounding in the training data (1e9 and a few ulps): its "
        "variance is within the rounding error of computing it (scikit-learn's test var <= "
        "N*eps*var + (N*eps*mean)**2, eps = np.finfo(np.float64).eps), so it must get scale_ 1 "
        f"like a constant feature, not be divided by its rounding noise; got scale_[{near}] = "
        f"{scale_[near]:.3g}")
    for name, shape in (("z_test", (M, D)), ("z_one_row", (1, D))):
        _check_shape_and_finite(outputs, name, shape, lambda j: "the test data must give finite "
                                "standardized values")
    scale = np.where(np.isin(np.arange(D), const + [near]), 1.0, sigma)

    def refit(z_test):
        return (" (the columns of transform(x_test) have mean 0: the test set's own statistics "
                "were used)") if np.allclose(z_test.mean(axis=0), 0, atol=1e-6) else ""

    slack = 16 * np.finfo(np.float64).eps * np.abs(x).max(axis=0) / scale
    _check_test_rows(outputs, (t - want) / scale, "(x - mean_) / scale_", refit, slack)
    _check_round_trip(outputs, x, t)


@scenario("4.1", cases=[dict(seed=24, N=8, D=5, M=4)], compare="property",
          verify=_verify_standardizer)
def standardizer_properties(lib, rng, N, D, M):
    """fit_transform(x_train): each feature mean 0, standard deviation 1 (over N); constant and
    near-constant features get scale 1; transform applies the training statistics to new data, a
    sample alone as in a batch; inverse_transform undoes transform."""
    x, t = _train_test(rng, N, D, M, constant=True, near_constant=True)
    s = lib.preprocessing.Standardizer()
    z, bad = split_nonfinite(s.fit_transform(x))
    return {"x": x, "x_test": t, "z": z, "z_nonfinite": bad, "mean_": getattr(s, "mean_", None),
            "scale_": getattr(s, "scale_", None), **_scaled(s, x, t, z, bad)}


def _verify_minmax(outputs, N, D, M, lo, hi, **_):
    x, t = outputs["x"], outputs["x_test"]
    const = _constant_features(D)
    _check_shape_and_finite(outputs, "z", (N, D), lambda j: (
        f"feature {j} is constant in the training data (its range max - min is 0): give it a "
        f"range of 1, as scikit-learn does (it then maps to lo = {lo}), instead of dividing by 0")
        if j in const else "a scaled value must be finite")
    z = outputs["z"]
    tol = _TOL * (hi - lo)
    for j in range(D):
        if j in const:
            continue
        zmin, zmax = z[:, j].min(), z[:, j].max()
        if abs(zmin - lo) > tol or abs(zmax - hi) > tol:
            hint = ""
            if (lo, hi) != (0.0, 1.0) and abs(zmin) <= tol and abs(zmax - 1) <= tol:
                hint = " (it fills [0, 1]: feature_range was ignored)"
            raise AssertionError(
                f"the training data's feature {j} must fill feature_range = ({lo}, {hi}) exactly "
                f"(its minimum maps to lo, its maximum to hi); fit_transform gives [{zmin:.6g}, "
                f"{zmax:.6g}]{hint}")
    for j in const:
        bad = np.abs(z[:, j] - lo) > tol
        assert not bad.any(), (
            f"feature {j} is constant in the training data: with a range of 1 (as in "
            f"scikit-learn) it maps to lo = {lo}; got {z[first_bad(bad), j]:.6g}")
    for name, shape in (("z_test", (M, D)), ("z_one_row", (1, D))):
        _check_shape_and_finite(outputs, name, shape, lambda j: "the test data must give finite "
                                "scaled values")
    xmin, xmax = x.min(axis=0), x.max(axis=0)
    rng_ = np.where(xmax == xmin, 1.0, xmax - xmin)

    def refit(z_test):
        filled = np.allclose(z_test.min(axis=0)[1:-1], lo, atol=tol) and \
            np.allclose(z_test.max(axis=0)[1:-1], hi, atol=tol)
        return (" (transform(x_test) fills [lo, hi] exactly: the test set's own minimum and "
                "maximum were used)") if filled else (
            " (new data outside the training range must land outside [lo, hi]: do not clip)"
            if np.all((z_test >= lo - tol) & (z_test <= hi + tol)) else "")

    _check_test_rows(outputs, (t - xmin) / rng_ * (hi - lo) + lo,
                     "(x - data_min_) / data_range_ * (hi - lo) + lo", refit)
    _check_round_trip(outputs, x, t)


@scenario("4.2", cases=[dict(seed=25, N=7, D=4, M=5, lo=-1.0, hi=2.0),
                        dict(seed=26, N=6, D=3, M=4, lo=0.0, hi=1.0)],
          compare="property", verify=_verify_minmax)
def minmax_properties(lib, rng, N, D, M, lo, hi):
    """fit_transform(x_train): each feature fills [lo, hi] exactly, a constant one maps to lo;
    transform applies the training minimum and maximum to new data (no clipping), a sample alone
    as in a batch; inverse_transform undoes transform."""
    x, t = _train_test(rng, N, D, M, constant=True)
    s = lib.preprocessing.MinMaxScaler(feature_range=(lo, hi))
    z, bad = split_nonfinite(s.fit_transform(x))
    return {"x": x, "x_test": t, "z": z, "z_nonfinite": bad, **_scaled(s, x, t, z, bad)}
