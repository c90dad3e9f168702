"""Reference layers (assignment 01): affine layer and activations."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from autograder.reference import ref as REF  # for @given tests (no fixtures there)

ACTS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu")
finite = st.floats(-50, 50, allow_nan=False, allow_infinity=False)


def _act(ref, name):
    return getattr(ref.layers, f"{name}_forward"), getattr(ref.layers, f"{name}_backward")


def test_affine_forward_values(ref):
    x = np.array([[1.0, 2.0], [3.0, 4.0], [0.0, -1.0]])
    W = np.array([[1.0, 0.0, 2.0], [0.5, -1.0, 1.0]])
    b = np.array([0.1, 0.2, 0.3])
    out, _ = ref.layers.affine_forward(x, W, b)
    np.testing.assert_allclose(out, x @ W + b)
    assert out.shape == (3, 3)


def test_affine_gradcheck(ref, rng):
    x, W, b = rng.normal(size=(5, 4)), rng.normal(size=(4, 3)), rng.normal(size=3)
    dout = rng.normal(size=(5, 3))
    _, cache = ref.layers.affine_forward(x, W, b)
    dx, dW, db = ref.layers.affine_backward(dout, cache)
    f = lambda x, W, b: np.sum(ref.layers.affine_forward(x, W, b)[0] * dout)
    errs = ref.gradcheck.check_gradient(f, dict(x=x, W=W, b=b), dict(x=dx, W=dW, b=db))
    assert max(errs.values()) <= 1e-7


def test_affine_does_not_modify_inputs(ref, rng):
    x, W, b = rng.normal(size=(3, 2)), rng.normal(size=(2, 4)), rng.normal(size=4)
    copies = [a.copy() for a in (x, W, b)]
    out, cache = ref.layers.affine_forward(x, W, b)
    dout = rng.normal(size=out.shape)
    d0 = dout.copy()
    ref.layers.affine_backward(dout, cache)
    for a, c in zip((x, W, b), copies):
        np.testing.assert_array_equal(a, c)
    np.testing.assert_array_equal(dout, d0)


@pytest.mark.parametrize("bad, match", [
    (dict(x=np.ones((2, 3)), W=np.ones((4, 5)), b=np.ones(5)), "fan_in"),
    (dict(x=np.ones((2, 3)), W=np.ones((3, 5)), b=np.ones(4)), "b must have shape"),
    (dict(x=np.ones(3), W=np.ones((3, 5)), b=np.ones(5)), "2-D"),
])
def test_affine_bad_shapes(ref, bad, match):
    with pytest.raises(ValueError, match=match):
        ref.layers.affine_forward(**bad)


def test_affine_backward_bad_dout(ref):
    _, cache = ref.layers.affine_forward(np.ones((2, 3)), np.ones((3, 4)), np.zeros(4))
    with pytest.raises(ValueError, match="dout must have the shape"):
        ref.layers.affine_backward(np.ones((2, 3)), cache)
    with pytest.raises(TypeError, match="cache"):
        ref.layers.affine_backward(np.ones((2, 4)), None)


@pytest.mark.parametrize("name", ACTS)
def test_activation_gradcheck(ref, rng, name):
    fwd, bwd = _act(ref, name)
    x = rng.normal(size=(4, 5))
    x[np.abs(x) < 0.05] = 0.3          # away from the kink
    dout = rng.normal(size=x.shape)
    _, cache = fwd(x)
    dx = bwd(dout, cache)
    err = ref.gradcheck.check_gradient(lambda x: np.sum(fwd(x)[0] * dout), {"x": x}, {"x": dx})
    assert err["x"] <= 1e-7


@pytest.mark.parametrize("name, alpha", [("leaky_relu", 0.2), ("elu", 0.5), ("elu", 2.0)])
def test_activation_alpha_gradcheck(ref, rng, name, alpha):
    fwd, bwd = _act(ref, name)
    x = rng.normal(size=(3, 4)) + np.where(rng.random((3, 4)) < 0.5, -0.2, 0.2)
    dout = rng.normal(size=x.shape)
    _, cache = fwd(x, alpha=alpha)
    dx = bwd(dout, cache)
    ref.gradcheck.check_gradient(lambda x: np.sum(fwd(x, alpha=alpha)[0] * dout), {"x": x}, {"x": dx})


def test_activation_values_and_kinks(ref):
    x = np.array([[-2.0, -0.0, 0.0, 3.0]])
    ones = np.ones_like(x)
    L = ref.layers
    np.testing.assert_allclose(L.relu_forward(x)[0], [[0, 0, 0, 3]])
    np.testing.assert_allclose(L.relu_backward(ones, L.relu_forward(x)[1]), [[0, 0, 0, 1]])
    np.testing.assert_allclose(L.leaky_relu_forward(x, alpha=0.1)[0], [[-0.2, 0, 0, 3]])
    np.testing.assert_allclose(L.leaky_relu_backward(ones, L.leaky_relu_forward(x, alpha=0.1)[1]),
                               [[0.1, 0.1, 0.1, 1]])
    np.testing.assert_allclose(L.elu_forward(x, alpha=2.0)[0], [[2 * np.expm1(-2), 0, 0, 3]])
    np.testing.assert_allclose(L.elu_backward(ones, L.elu_forward(x, alpha=2.0)[1]),
                               [[2 * np.exp(-2), 2, 2, 1]])
    np.testing.assert_allclose(L.sigmoid_forward(np.zeros((1, 2)))[0], 0.5)
    np.testing.assert_allclose(L.tanh_forward(x)[0], np.tanh(x))


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "elu", "relu", "leaky_relu"])
def test_activations_no_overflow(ref, name):
    fwd, bwd = _act(ref, name)
    x = np.array([[-1000.0, -710.0, -50.0, 0.0, 50.0, 710.0, 1000.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise", under="ignore"):
            out, cache = fwd(x)
            dx = bwd(np.ones_like(x), cache)
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(dx))


def test_sigmoid_extremes(ref):
    out, _ = ref.layers.sigmoid_forward(np.array([-1000.0, 1000.0]))
    np.testing.assert_array_equal(out, [0.0, 1.0])


@pytest.mark.parametrize("name", ACTS)
def test_activation_keeps_float32(ref, name):
    fwd, bwd = _act(ref, name)
    x = np.linspace(-3, 3, 12, dtype=np.float32).reshape(3, 4)
    out, cache = fwd(x)
    dx = bwd(np.ones_like(x), cache)
    assert out.dtype == np.float32 and dx.dtype == np.float32


def test_get_activation(ref):
    assert ref.layers.get_activation("relu")[0] is ref.layers.relu_forward
    with pytest.raises(ValueError, match="unknown activation"):
        ref.layers.get_activation("swish")


def test_negative_alpha_rejected(ref):
    with pytest.raises(ValueError, match="alpha"):
        ref.layers.leaky_relu_forward(np.ones((1, 1)), alpha=-0.1)


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 5)), elements=finite))
def test_sigmoid_symmetry_and_range(x):
    ref = REF
    s, _ = ref.layers.sigmoid_forward(x)
    s_neg, _ = ref.layers.sigmoid_forward(-x)
    assert np.all((s >= 0) & (s <= 1))
    np.testing.assert_allclose(s + s_neg, 1.0, atol=1e-12)


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 5)), elements=finite))
def test_relu_is_identity_plus_leaky_limit(x):
    ref = REF
    r, _ = ref.layers.relu_forward(x)
    lr, _ = ref.layers.leaky_relu_forward(x, alpha=0.0)
    np.testing.assert_array_equal(r, lr)
    assert np.all(r >= 0)
    np.testing.assert_array_equal(r - ref.layers.relu_forward(-x)[0], x)  # relu(x) - relu(-x) = x
