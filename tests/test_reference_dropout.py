"""Tests of the reference dropout (solutions/course_lib/dropout.py, tasks 6.1 and 6.2)."""

import numpy as np
import pytest
from autograder.reference import ref as REF   # for @given tests (no function-scoped fixture)
from hypothesis import given, settings, strategies as st


def _rng(seed=0):
    return np.random.default_rng(seed)


def test_p_is_the_drop_probability(ref):
    x = np.ones((400, 50))
    out, _ = ref.dropout.dropout_forward(x, 0.2, _rng(1))
    kept = np.mean(out != 0)
    # 20000 Bernoulli(0.8) draws: sd = sqrt(.8*.2/20000) = 0.0028; 6 sd bounds
    assert abs(kept - 0.8) < 6 * np.sqrt(0.16 / x.size)
    assert np.allclose(out[out != 0], 1 / 0.8)


def test_expectation_preserved(ref):
    x = _rng(2).normal(size=(1, 6))
    xs = np.repeat(x, 20000, axis=0)
    out, _ = ref.dropout.dropout_forward(xs, 0.5, _rng(3))
    se = np.abs(x) * np.sqrt(0.5 / 0.5 / 20000)       # sd of x*m/q is |x| sqrt(p/q)
    assert np.all(np.abs(out.mean(axis=0) - x[0]) < 6 * se[0])


def test_one_coin_per_unit_and_example(ref):
    out, cache = ref.dropout.dropout_forward(np.ones((300, 8)), 0.5, _rng(4))
    assert cache["mask"].shape == (300, 8)
    # a per-feature mask would make every column constant
    assert not np.any(np.all(out == out[:1], axis=0))
    # and different rows would share their pattern
    assert len({row.tobytes() for row in (out != 0)}) > 100


def test_test_mode_is_identity_and_needs_no_rng(ref):
    x = _rng(5).normal(size=(4, 3))
    out, cache = ref.dropout.dropout_forward(x, 0.7, None, train=False)
    assert np.array_equal(out, x) and out is not x
    dout = _rng(6).normal(size=(4, 3))
    dx = ref.dropout.dropout_backward(dout, cache)
    assert np.array_equal(dx, dout) and dx is not dout


def test_p_zero_is_identity_in_training(ref):
    x = _rng(7).normal(size=(5, 4))
    out, cache = ref.dropout.dropout_forward(x, 0.0, _rng(8))
    assert np.array_equal(out, x)
    assert np.array_equal(ref.dropout.dropout_backward(np.ones((5, 4)), cache), np.ones((5, 4)))


def test_backward_reuses_the_forward_mask(ref):
    x = _rng(9).normal(size=(6, 7))
    out, cache = ref.dropout.dropout_forward(x, 0.4, _rng(10))
    dout = _rng(11).normal(size=(6, 7))
    dx = ref.dropout.dropout_backward(dout, cache)
    assert np.allclose(dx * x, out * dout)        # same mask and scale in both directions
    assert np.array_equal(dx == 0, out == 0)


def test_gradient_check(ref):
    """With the mask fixed (same seed), the forward is linear in x: compare with finite differences."""
    rng0 = _rng(12)
    x = rng0.normal(size=(3, 5))
    dout = rng0.normal(size=(3, 5))
    f = lambda z: np.sum(ref.dropout.dropout_forward(z, 0.3, _rng(13))[0] * dout)
    _, cache = ref.dropout.dropout_forward(x, 0.3, _rng(13))
    dx = ref.dropout.dropout_backward(dout, cache)
    h = 1e-6
    num = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        e = np.zeros_like(x); e[idx] = h
        num[idx] = (f(x + e) - f(x - e)) / (2 * h)
    rel = np.max(np.abs(dx - num) / np.maximum(1e-12, np.abs(dx) + np.abs(num)))
    assert rel <= 1e-7


def test_same_seed_same_mask_and_inputs_untouched(ref):
    x = _rng(14).normal(size=(5, 5)); x0 = x.copy()
    a, _ = ref.dropout.dropout_forward(x, 0.5, _rng(15))
    b, _ = ref.dropout.dropout_forward(x, 0.5, _rng(15))
    assert np.array_equal(a, b) and np.array_equal(x, x0)


@settings(max_examples=40, deadline=None)
@given(N=st.integers(1, 6), D=st.integers(1, 6), p=st.floats(0.0, 0.95), seed=st.integers(0, 10**6))
def test_property_out_is_zero_or_scaled_x(N, D, p, seed):
    ref = REF   # hypothesis and fixtures: see the import
    x = _rng(seed).normal(size=(N, D))
    out, cache = ref.dropout.dropout_forward(x, p, _rng(seed + 1))
    scaled = np.isclose(out, x / (1 - p), rtol=1e-12, atol=0)
    assert np.all((out == 0) | scaled)
    dx = ref.dropout.dropout_backward(np.ones((N, D)), cache)
    assert np.allclose(dx * x, out)


@pytest.mark.parametrize("p", [1.0, -0.1, 1.5])
def test_bad_p(ref, p):
    with pytest.raises(ValueError, match="p must be in"):
        ref.dropout.dropout_forward(np.ones((2, 2)), p, _rng())


def test_bad_inputs(ref):
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        ref.dropout.dropout_forward(np.ones((2, 2)), 0.5, 0)
    with pytest.raises(ValueError, match="2-D"):
        ref.dropout.dropout_forward(np.ones(3), 0.5, _rng())
    _, cache = ref.dropout.dropout_forward(np.ones((2, 2)), 0.5, _rng())
    with pytest.raises(ValueError, match="shape"):
        ref.dropout.dropout_backward(np.ones((3, 2)), cache)
    with pytest.raises(TypeError, match="cache"):
        ref.dropout.dropout_backward(np.ones((2, 2)), None)


# max_norm: provided (not graded), the max-norm constraint of Srivastava et al. (notebook 06, §4)

@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_max_norm_projects_long_columns_onto_the_ball(ref, dtype):
    c = 1.5
    scales = np.array([0.05, 0.3, 1.0, 2.0, 10.0])          # columns inside and outside the ball
    W = (_rng(20).normal(size=(6, 5)) * scales).astype(dtype)
    W[:, 1] *= c / np.linalg.norm(W[:, 1].astype(np.float64))  # one column exactly on the sphere
    before = W.copy()
    out = ref.dropout.max_norm(W, c)
    assert out.shape == W.shape and out.dtype == W.dtype
    assert np.array_equal(W, before) and out is not W           # the input is not modified
    norms = np.linalg.norm(W.astype(np.float64), axis=0)
    inside, outside = norms <= c, norms > c
    assert inside.any() and outside.any()
    assert np.array_equal(out[:, inside], W[:, inside])         # untouched inside the radius
    new = np.linalg.norm(out.astype(np.float64), axis=0)
    eps = np.finfo(dtype).eps
    np.testing.assert_allclose(new[outside], c, rtol=8 * eps)  # exactly onto the sphere
    # same direction: each long column is a positive multiple of the original
    factors = np.sum(out[:, outside] * W[:, outside], axis=0) / norms[outside] ** 2
    np.testing.assert_allclose(out[:, outside], W[:, outside] * factors, rtol=8 * eps, atol=0)
    np.testing.assert_allclose(factors, c / norms[outside], rtol=8 * eps)


@settings(max_examples=40, deadline=None)
@given(fan_in=st.integers(1, 6), fan_out=st.integers(1, 6), c=st.floats(0.01, 10.0),
       seed=st.integers(0, 10**6))
def test_property_max_norm_never_exceeds_c(fan_in, fan_out, c, seed):
    W = np.random.default_rng(seed).normal(scale=2.0, size=(fan_in, fan_out))
    out = REF.dropout.max_norm(W, c)
    assert np.all(np.linalg.norm(out, axis=0) <= c * (1 + 1e-12))
    np.testing.assert_allclose(REF.dropout.max_norm(out, c), out, rtol=1e-15, atol=0)  # idempotent


def test_max_norm_bad_inputs(ref):
    with pytest.raises(ValueError, match="2-D"):
        ref.dropout.max_norm(np.ones(3), 1.0)
    with pytest.raises(ValueError, match="positive"):
        ref.dropout.max_norm(np.ones((2, 2)), 0.0)
    with pytest.raises(ValueError, match="NaN"):
        ref.dropout.max_norm(np.full((2, 2), np.nan), 1.0)
