"""Reference losses (assignment 01): softmax, cross-entropy, MSE, MAE, 0-1 error."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from autograder.reference import ref as REF  # for @given tests (no fixtures there)

scores_strategy = arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 6)),
                         elements=st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False))


# ---- the lecture's example: the conventions that give its numbers -------------------------

P_A = np.array([[0.3, 0.3, 0.4], [0.3, 0.4, 0.3], [0.1, 0.2, 0.7]])
P_B = np.array([[0.1, 0.2, 0.7], [0.1, 0.7, 0.2], [0.3, 0.4, 0.3]])
Y = np.array([2, 1, 0])


@pytest.mark.parametrize("p, mse, ace", [(P_A, 0.81, 1.38), (P_B, 0.34, 0.64)])
def test_lecture_loss_example(ref, p, mse, ace):
    L = ref.losses
    assert L.zero_one_error(p.argmax(axis=1), Y) == pytest.approx(1 / 3)
    assert round(L.mse_loss(p, L.one_hot(Y, 3))[0], 2) == mse
    assert round(L.cross_entropy(p, Y), 2) == ace
    # softmax(log p) = p, so the fused loss gives the same number from log-probabilities
    assert L.softmax_cross_entropy(np.log(p), Y)[0] == pytest.approx(L.cross_entropy(p, Y))


# ---- softmax and cross-entropy --------------------------------------------------------------

def test_softmax_values(ref):
    p = ref.losses.softmax(np.array([[0.0, np.log(3.0)], [5.0, 5.0]]))
    np.testing.assert_allclose(p, [[0.25, 0.75], [0.5, 0.5]])


def test_softmax_huge_no_warning(ref):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = ref.losses.softmax(np.array([[1000.0, 0.0, -1000.0], [-1e300, 1e300, 0.0]]))
    np.testing.assert_allclose(p, [[1, 0, 0], [0, 1, 0]])


def test_cross_entropy_value_and_gradient(ref, rng):
    s = rng.normal(size=(6, 4))
    y = rng.integers(0, 4, size=6)
    loss, d = ref.losses.softmax_cross_entropy(s, y)
    p = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    assert loss == pytest.approx(-np.mean(np.log(p[np.arange(6), y])))
    np.testing.assert_allclose(d, (p - np.eye(4)[y]) / 6)
    errs = ref.gradcheck.check_gradient(lambda s: ref.losses.softmax_cross_entropy(s, y)[0],
                                        {"s": s}, {"s": d})
    assert errs["s"] <= 1e-7


def test_cross_entropy_huge_scores(ref):
    s = np.array([[1000.0, -1000.0], [0.0, 1e5]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, d = ref.losses.softmax_cross_entropy(s, np.array([1, 1]))
    assert loss == pytest.approx(1000.0)          # (2000 + 0) / 2
    assert np.all(np.isfinite(d))


def test_cross_entropy_bad_labels(ref):
    with pytest.raises(ValueError, match=r"class indices in \[0, 3\)"):
        ref.losses.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match="2 entries"):
        ref.losses.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="integer"):
        ref.losses.softmax_cross_entropy(np.zeros((2, 3)), np.array([0.5, 1.0]))
    with pytest.raises(ValueError, match="NaN"):
        ref.losses.softmax_cross_entropy(np.array([[np.nan, 0.0]]), np.array([0]))


def test_cross_entropy_keeps_float32(ref):
    s = np.ones((3, 4), dtype=np.float32)
    loss, d = ref.losses.softmax_cross_entropy(s, np.array([0, 1, 2]))
    assert d.dtype == np.float32 and isinstance(loss, float)


@settings(max_examples=60, deadline=None)
@given(scores_strategy, st.floats(-1e3, 1e3))
def test_softmax_properties(s, shift):
    p = REF.losses.softmax(s)
    assert np.all(p >= 0) and np.all(np.isfinite(p))
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(REF.losses.softmax(s + shift), p, atol=1e-9)  # shift invariance


@settings(max_examples=60, deadline=None)
@given(scores_strategy, st.data())
def test_cross_entropy_properties(s, data):
    n, c = s.shape
    y = np.array(data.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
    loss, d = REF.losses.softmax_cross_entropy(s, y)
    assert np.isfinite(loss) and loss >= 0
    np.testing.assert_allclose(d.sum(axis=1), 0.0, atol=1e-12)


# ---- regression losses and 0-1 error ------------------------------------------------------

def test_mse_mae_conventions(ref):
    pred = np.array([[1.0, 2.0], [3.0, 5.0]])
    target = np.array([[0.0, 2.0], [1.0, 4.0]])
    loss, d = ref.losses.mse_loss(pred, target)
    assert loss == pytest.approx((1 + 0 + 4 + 1) / 2)    # sum over outputs, mean over batch
    np.testing.assert_allclose(d, 2 * (pred - target) / 2)
    loss, d = ref.losses.mae_loss(pred, target)
    assert loss == pytest.approx((1 + 0 + 2 + 1) / 2)
    np.testing.assert_allclose(d, [[0.5, 0.0], [0.5, 0.5]])
    loss1d, _ = ref.losses.mse_loss(np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 0.0]))
    assert loss1d == pytest.approx((0 + 4 + 9) / 3)


@pytest.mark.parametrize("fn", ["mse_loss", "mae_loss"])
def test_regression_gradcheck(ref, rng, fn):
    f = getattr(ref.losses, fn)
    pred = rng.normal(size=(5, 3))
    target = pred + rng.choice([-1, 1], size=(5, 3)) * rng.uniform(0.1, 1, size=(5, 3))
    _, d = f(pred, target)
    ref.gradcheck.check_gradient(lambda p: f(p, target)[0], {"p": pred}, {"p": d})


def test_regression_bad_shapes(ref):
    with pytest.raises(ValueError, match="same shape"):
        ref.losses.mse_loss(np.ones((3, 2)), np.ones((3, 1)))
    with pytest.raises(ValueError, match="at least one"):
        ref.losses.mae_loss(np.ones((0, 2)), np.ones((0, 2)))


def test_zero_one_error(ref):
    assert ref.losses.zero_one_error(np.array([0, 1, 2, 2]), np.array([0, 1, 1, 0])) == 0.5
    with pytest.raises(ValueError, match="argmax"):
        ref.losses.zero_one_error(np.ones((4, 3)), np.array([0, 1, 1, 0]))


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 4)),
              elements=st.floats(-100, 100, allow_nan=False)),
       arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 4)),
              elements=st.floats(-100, 100, allow_nan=False)))
def test_regression_properties(a, b):
    b = np.resize(b, a.shape)
    for fn in (REF.losses.mse_loss, REF.losses.mae_loss):
        loss, d = fn(a, b)
        assert loss >= 0 and d.shape == a.shape
        assert fn(a, a)[0] == 0.0
        assert fn(a, b)[0] == pytest.approx(fn(b, a)[0])
