"""Tests of the reference initializers (solutions/course_lib/init.py, tasks 3.1-3.3 and init_params).

Random initializers are tested through sample statistics with confidence bounds, never through the
exact random stream: a correct implementation that draws in another order must pass too.
"""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

RANDOM = ("normal", "xavier_normal", "xavier_uniform", "he_normal", "he_uniform", "lecun_normal")
ALL = ("zeros", "constant", *RANDOM, "standard_uniform")


def _var(name, n_in, n_out, std=0.01):
    return {"normal": std**2, "xavier_normal": 2 / (n_in + n_out), "xavier_uniform": 2 / (n_in + n_out),
            "he_normal": 2 / n_in, "he_uniform": 2 / n_in, "lecun_normal": 1 / n_in,
            "standard_uniform": 1 / (3 * n_in)}[name]


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("shape", [(1, 1), (3, 7), (64, 10)])
def test_shape_dtype_and_fresh_array(ref, name, shape):
    w = getattr(ref.init, name)(*shape, np.random.default_rng(0))
    assert isinstance(w, np.ndarray) and w.shape == shape and w.dtype == np.float64


@pytest.mark.parametrize("name", RANDOM + ("standard_uniform",))
@pytest.mark.parametrize("n_in,n_out", [(400, 300), (100, 900)])
def test_sample_variance_within_confidence_bounds(ref, name, n_in, n_out):
    w = getattr(ref.init, name)(n_in, n_out, np.random.default_rng(1))
    v, n = _var(name, n_in, n_out), w.size
    # normal: Var(s^2) ~ 2 v^2 / n; uniform: smaller. 6-sigma bounds on the mean and the variance.
    assert abs(w.mean()) < 6 * np.sqrt(v / n)
    assert abs(w.var() / v - 1) < 6 * np.sqrt(2 / n)


@pytest.mark.parametrize("name,bound", [("xavier_uniform", lambda i, o: np.sqrt(6 / (i + o))),
                                        ("he_uniform", lambda i, o: np.sqrt(6 / i)),
                                        ("standard_uniform", lambda i, o: 1 / np.sqrt(i))])
def test_uniform_bounds_are_reached_not_exceeded(ref, name, bound):
    w = getattr(ref.init, name)(200, 300, np.random.default_rng(2))
    a = bound(200, 300)
    assert np.abs(w).max() <= a
    assert np.abs(w).max() > 0.99 * a          # 60000 draws: the extremes come close to the bound


@pytest.mark.parametrize("name", ("xavier_normal", "he_normal", "lecun_normal", "normal"))
def test_normal_initializers_are_gaussian(ref, name):
    w = getattr(ref.init, name)(300, 300, np.random.default_rng(3)).ravel()
    z = w / w.std()
    kurt = np.mean(z**4)                        # 3 for a Gaussian, 1.8 for a uniform
    assert abs(kurt - 3) < 0.15


def test_zeros_and_constant(ref):
    assert np.array_equal(ref.init.zeros(3, 4), np.zeros((3, 4)))
    assert np.array_equal(ref.init.constant(2, 5, value=-0.3), np.full((2, 5), -0.3))
    assert np.all(ref.init.constant(2, 2, None) == 0.1)


def test_normal_std_is_a_standard_deviation(ref):
    w = ref.init.normal(500, 500, np.random.default_rng(4), std=0.5)
    assert abs(w.std() - 0.5) < 0.01
    assert np.array_equal(ref.init.normal(3, 3, np.random.default_rng(0), std=0.0), np.zeros((3, 3)))


@pytest.mark.parametrize("name", RANDOM)
def test_uses_the_given_rng_only(ref, name):
    f = getattr(ref.init, name)
    rng = np.random.default_rng(5)
    a, b = f(20, 30, rng), f(20, 30, rng)
    assert not np.array_equal(a, b), "two layers drawn from one generator must differ"
    assert np.array_equal(f(20, 30, np.random.default_rng(6)), f(20, 30, np.random.default_rng(6)))
    assert not np.array_equal(f(20, 30, np.random.default_rng(6)), f(20, 30, np.random.default_rng(7)))


def test_uniform_initializers_stay_in_their_bounds(ref):
    init = ref.init                       # hypothesis runs the inner function, not the fixture

    @settings(max_examples=30, deadline=None)
    @given(n_in=st.integers(1, 40), n_out=st.integers(1, 40), seed=st.integers(0, 2**32 - 1))
    def prop(n_in, n_out, seed):
        rng = np.random.default_rng(seed)
        assert np.all(np.abs(init.xavier_uniform(n_in, n_out, rng)) <= np.sqrt(6 / (n_in + n_out)))
        assert np.all(np.abs(init.he_uniform(n_in, n_out, rng)) <= np.sqrt(6 / n_in))

    prop()


@pytest.mark.parametrize("bad,exc", [((0, 3), ValueError), ((3, -1), ValueError),
                                     ((2.5, 3), TypeError), (("3", 3), TypeError)])
def test_bad_sizes_raise(ref, bad, exc):
    with pytest.raises(exc, match="fan_"):
        ref.init.he_normal(*bad, np.random.default_rng(0))


def test_seed_instead_of_generator_raises(ref):
    with pytest.raises(TypeError, match="Generator"):
        ref.init.xavier_normal(3, 3, 0)
    with pytest.raises(ValueError, match="std"):
        ref.init.normal(3, 3, np.random.default_rng(0), std=-1.0)
    with pytest.raises(ValueError, match="finite"):
        ref.init.constant(3, 3, value=float("nan"))


def test_get_initializer(ref):
    for name in ALL:
        assert ref.init.get_initializer(name) is getattr(ref.init, name)
    assert ref.init.get_initializer(len) is len
    with pytest.raises(ValueError, match="he_normal"):
        ref.init.get_initializer("kaiming")


def test_init_params_shapes_zero_biases_and_distinct_layers(ref):
    p = ref.init.init_params([5, 8, 8, 8, 3], np.random.default_rng(8), init="he_normal")
    assert sorted(p) == sorted(f"{k}{i}" for i in range(1, 5) for k in "Wb")
    assert [p[f"W{i}"].shape for i in range(1, 5)] == [(5, 8), (8, 8), (8, 8), (8, 3)]
    for i in range(1, 5):
        assert p[f"b{i}"].shape == (p[f"W{i}"].shape[1],) and not p[f"b{i}"].any()
    assert not np.array_equal(p["W2"], p["W3"]), "layers must not be re-seeded copies of each other"


def test_init_params_is_reproducible_and_accepts_callables(ref):
    a = ref.init.init_params((4, 6, 2), np.random.default_rng(9))
    b = ref.init.init_params((4, 6, 2), np.random.default_rng(9))
    assert all(np.array_equal(a[k], b[k]) for k in a)
    c = ref.init.init_params((4, 6, 2), np.random.default_rng(9),
                             init=lambda i, o, rng: ref.init.constant(i, o, rng, value=2.0))
    assert np.all(c["W1"] == 2.0) and np.all(c["b2"] == 0)
    with pytest.raises(ValueError, match="at least"):
        ref.init.init_params([4], np.random.default_rng(0))
    with pytest.raises(ValueError, match="unknown initializer"):
        ref.init.init_params([4, 2], np.random.default_rng(0), init="glorot")
