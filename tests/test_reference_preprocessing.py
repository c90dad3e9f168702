"""Tests of the reference scalers (solutions/course_lib/preprocessing.py, tasks 4.1 and 4.2)."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

SCALERS = ("Standardizer", "MinMaxScaler")


def _data(seed=0, n=40, d=5):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)) * rng.uniform(0.1, 100, size=d) + rng.uniform(-50, 50, size=d)


def test_standardizer_statistics_and_output(ref):
    x = _data()
    s = ref.preprocessing.Standardizer()
    assert s.fit(x) is s
    assert np.allclose(s.mean_, x.mean(axis=0)) and np.allclose(s.var_, x.var(axis=0))
    assert np.allclose(s.scale_, x.std(axis=0))
    z = s.transform(x)
    assert np.allclose(z.mean(axis=0), 0, atol=1e-12) and np.allclose(z.std(axis=0), 1)
    assert s.n_features_in_ == 5 and s.n_samples_seen_ == 40


def test_standardizer_divides_by_std_not_variance(ref):
    x = np.array([[0.0], [4.0]])          # mean 2, sd 2, variance 4
    assert np.allclose(ref.preprocessing.Standardizer().fit_transform(x), [[-1.0], [1.0]])


def test_minmax_statistics_and_output(ref):
    x = _data(1)
    m = ref.preprocessing.MinMaxScaler().fit(x)
    z = m.transform(x)
    assert np.allclose(z.min(axis=0), 0) and np.allclose(z.max(axis=0), 1)
    assert np.allclose(m.data_range_, x.max(axis=0) - x.min(axis=0))
    z2 = ref.preprocessing.MinMaxScaler(feature_range=(-1, 3)).fit_transform(x)
    assert np.allclose(z2.min(axis=0), -1) and np.allclose(z2.max(axis=0), 3)


def test_matches_scikit_learn(ref):
    from sklearn.preprocessing import MinMaxScaler, StandardScaler
    x, t = _data(2), _data(3, n=7)
    x[:, 1] = 3.7
    assert np.allclose(ref.preprocessing.Standardizer().fit(x).transform(t),
                       StandardScaler().fit(x).transform(t), atol=1e-12)
    assert np.allclose(ref.preprocessing.MinMaxScaler((-2, 2)).fit(x).transform(t),
                       MinMaxScaler((-2, 2)).fit(x).transform(t), atol=1e-12)


def test_statistics_come_from_the_training_set_only(ref):
    x, t = _data(4), _data(5, n=6) + 1000.0
    for name in SCALERS:
        s = getattr(ref.preprocessing, name)().fit(x)
        before = {k: v.copy() for k, v in vars(s).items() if isinstance(v, np.ndarray)}
        s.transform(t)
        assert all(np.array_equal(before[k], getattr(s, k)) for k in before)
    z = ref.preprocessing.Standardizer().fit(x).transform(t)
    assert z.mean() > 10, "shifted test data must stay shifted after the training-set transform"


def test_single_sample_transform(ref):
    x = _data(6)
    s = ref.preprocessing.Standardizer().fit(x)
    assert np.allclose(s.transform(x[3:4]), s.transform(x)[3:4])


@pytest.mark.parametrize("name", SCALERS)
def test_constant_feature_is_safe(ref, name):
    x = _data(7, n=10, d=3)
    x[:, 1] = 0.1                           # 0.1 is not exact in binary: std can round to ~1e-17
    x[:, 2] = 0.0
    s = getattr(ref.preprocessing, name)().fit(x)
    z = s.transform(x)
    assert np.all(np.isfinite(z))
    assert np.allclose(z[:, 1:], 0, atol=1e-12)
    assert np.allclose(s.inverse_transform(z), x)
    assert np.all(np.isfinite(s.transform(x + 1.0)))


def test_underflowing_std_is_safe(ref):
    x = np.array([[1e-300], [0.0]])          # variance 2.5e-601 underflows to 0
    z = ref.preprocessing.Standardizer().fit_transform(x)
    assert np.all(np.isfinite(z))


def test_one_sample_fit(ref):
    x = np.array([[1.0, -2.0, 3.0]])
    assert np.allclose(ref.preprocessing.Standardizer().fit_transform(x), 0)
    assert np.allclose(ref.preprocessing.MinMaxScaler().fit_transform(x), 0)


@pytest.mark.parametrize("name", SCALERS)
def test_transform_before_fit_raises(ref, name):
    s = getattr(ref.preprocessing, name)()
    with pytest.raises(ValueError, match="not fitted"):
        s.transform(np.ones((2, 2)))
    with pytest.raises(AttributeError, match="not fitted"):
        s.inverse_transform(np.ones((2, 2)))


@pytest.mark.parametrize("name", SCALERS)
def test_bad_input_raises(ref, name):
    s = getattr(ref.preprocessing, name)()
    with pytest.raises(ValueError, match="2-D"):
        s.fit(np.ones(5))
    with pytest.raises(ValueError, match="NaN"):
        s.fit(np.array([[1.0, np.nan]]))
    with pytest.raises(ValueError, match="at least one sample"):
        s.fit(np.ones((0, 3)))
    s.fit(np.ones((4, 3)))
    with pytest.raises(ValueError, match="3 features"):
        s.transform(np.ones((4, 2)))


def test_bad_feature_range(ref):
    with pytest.raises(ValueError, match="lo < hi"):
        ref.preprocessing.MinMaxScaler((1, 0))
    with pytest.raises(TypeError, match="feature_range"):
        ref.preprocessing.MinMaxScaler(1.0)


@pytest.mark.parametrize("name", SCALERS)
def test_inputs_not_modified(ref, name):
    x = _data(8)
    x0 = x.copy()
    s = getattr(ref.preprocessing, name)().fit(x)
    s.transform(x)
    s.inverse_transform(x)
    assert np.array_equal(x, x0)


def test_round_trip_and_ranges(ref):
    pre = ref.preprocessing               # hypothesis runs the inner function, not the fixture

    @settings(max_examples=40, deadline=None)
    @given(arrays(np.float64, st.tuples(st.integers(1, 12), st.integers(1, 4)),
                  elements=st.floats(-1e4, 1e4, allow_nan=False, allow_subnormal=False)))
    def prop(x):
        for name in SCALERS:
            s = getattr(pre, name)().fit(x)
            z = s.transform(x)
            assert np.all(np.isfinite(z))
            assert np.allclose(s.inverse_transform(z), x, rtol=1e-9, atol=1e-6)
        z = pre.MinMaxScaler().fit_transform(x)
        assert np.all(z >= -1e-9) and np.all(z <= 1 + 1e-9)
        z = pre.Standardizer().fit_transform(x)
        assert np.allclose(z.mean(axis=0), 0, atol=1e-6)

    prop()


def test_near_constant_feature_gets_scale_one_like_scikit_learn(ref):
    """A 1e9 sensor that varies by a few ulps: its std (~1e-7) is rounding noise. scikit-learn's
    StandardScaler treats it as constant (scale 1); so must we, and match its output."""
    from sklearn.preprocessing import StandardScaler
    x = _data(8, n=12, d=3)
    x[:, 1] = 1e9 + np.spacing(1e9) * (np.arange(12) % 3)
    assert x[:, 1].max() > x[:, 1].min() and x[:, 1].std() > 0      # not constant by max == min
    s = ref.preprocessing.Standardizer().fit(x)
    assert s.scale_[1] == 1.0
    assert np.allclose(s.scale_[[0, 2]], x[:, [0, 2]].std(axis=0))   # ordinary features untouched
    t = _data(9, n=5, d=3)
    t[:, 1] = 1e9 + np.arange(5.0)
    assert np.allclose(s.transform(t), StandardScaler().fit(x).transform(t), atol=1e-9)
    assert np.all(np.abs(s.transform(x)[:, 1]) < 1e-6), "the rounding noise must stay noise"


def test_small_but_real_spread_is_not_near_constant(ref):
    """The near-constant test is relative to the mean's rounding error, not absolute: a feature
    with values 1e-8 apart around 0 is a real feature and keeps its standard deviation."""
    x = _data(10, n=10, d=2)
    x[:, 0] = 1e-8 * np.arange(10)
    s = ref.preprocessing.Standardizer().fit(x)
    assert np.isclose(s.scale_[0], x[:, 0].std())
