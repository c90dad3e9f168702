"""Scenarios of assignment 04: standardization (4.1) and min-max scaling (4.2).

The scalers are deterministic, so most scenarios are "match": the fitted attributes and the
transformed training and test sets must equal the reference's. The test set is drawn from a
shifted and rescaled distribution so that statistics taken from the wrong set show. See
``course_lib.checks.scenario``.
"""

from __future__ import annotations

import numpy as np

from ..scenario import scenario


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
