"""Tests of the reference batch norm and layer norm (solutions/course_lib/batchnorm.py)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st


# --------------------------------------------------------------------------- helpers

def num_grad(f, x, h=1e-5):
    """Central-difference gradient of the scalar function ``f`` at ``x`` (a new array)."""
    x = np.array(x, dtype=np.float64)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        fp = f(x)
        x[i] = old - h
        fm = f(x)
        x[i] = old
        g[i] = (fp - fm) / (2 * h)
    return g


def rel_error(a, b):
    return np.max(np.abs(a - b)) / max(1e-12, np.max(np.abs(a) + np.abs(b)))


def make(rng, N, D, scale=3.0, shift=2.0):
    x = scale * rng.normal(size=(N, D)) + shift
    gamma = rng.normal(size=D) + 1.0
    beta = rng.normal(size=D)
    rm = rng.normal(size=D)
    rv = rng.uniform(0.5, 2.0, size=D)
    return x, gamma, beta, rm, rv


# --------------------------------------------------------------------------- forward

def test_forward_train_normalizes_and_scales(ref):
    rng = np.random.default_rng(0)
    x, gamma, beta, rm, rv = make(rng, 50, 4)
    out, _, _, _ = ref.batchnorm.batchnorm_forward(x, np.ones(4), np.zeros(4), rm, rv)
    assert np.allclose(out.mean(axis=0), 0, atol=1e-12)
    var = x.var(axis=0)
    assert np.allclose(out.var(axis=0), var / (var + 1e-5), atol=1e-12)
    out2, _, _, _ = ref.batchnorm.batchnorm_forward(x, gamma, beta, rm, rv)
    assert np.allclose(out2, gamma * out + beta, atol=1e-12)


def test_forward_train_formula_and_running_stats(ref):
    rng = np.random.default_rng(1)
    x, gamma, beta, rm, rv = make(rng, 9, 3)
    eps, m = 0.3, 0.8
    out, _, nrm, nrv = ref.batchnorm.batchnorm_forward(x, gamma, beta, rm, rv, momentum=m, eps=eps)
    mu, var = x.mean(axis=0), x.var(axis=0)          # biased variance (ddof=0)
    assert np.allclose(out, gamma * (x - mu) / np.sqrt(var + eps) + beta, rtol=1e-13)
    assert np.allclose(nrm, m * rm + (1 - m) * mu, rtol=1e-13)
    assert np.allclose(nrv, m * rv + (1 - m) * var, rtol=1e-13)


def test_momentum_extremes(ref):
    rng = np.random.default_rng(2)
    x, gamma, beta, rm, rv = make(rng, 6, 2)
    _, _, nrm, nrv = ref.batchnorm.batchnorm_forward(x, gamma, beta, rm, rv, momentum=1.0)
    assert np.array_equal(nrm, rm) and np.array_equal(nrv, rv)
    _, _, nrm, nrv = ref.batchnorm.batchnorm_forward(x, gamma, beta, rm, rv, momentum=0.0)
    assert np.allclose(nrm, x.mean(axis=0)) and np.allclose(nrv, x.var(axis=0))


def test_running_stats_converge_to_population(ref):
    rng = np.random.default_rng(3)
    rm, rv = np.zeros(2), np.ones(2)
    for _ in range(300):
        x = rng.normal(loc=[5.0, -1.0], scale=[2.0, 0.5], size=(200, 2))
        _, _, rm, rv = ref.batchnorm.batchnorm_forward(x, np.ones(2), np.zeros(2), rm, rv)
    assert np.allclose(rm, [5.0, -1.0], atol=0.1)
    assert np.allclose(rv, [4.0, 0.25], rtol=0.1)


def test_forward_test_mode_uses_running_stats_and_keeps_them(ref):
    rng = np.random.default_rng(4)
    x, gamma, beta, rm, rv = make(rng, 5, 3)
    out, _, nrm, nrv = ref.batchnorm.batchnorm_forward(x, gamma, beta, rm, rv, train=False, eps=0.1)
    assert np.allclose(out, gamma * (x - rm) / np.sqrt(rv + 0.1) + beta, rtol=1e-13)
    assert np.array_equal(nrm, rm) and np.array_equal(nrv, rv)
    # test mode is per sample: a row's output does not depend on the rest of the batch
    one, _, _, _ = ref.batchnorm.batchnorm_forward(x[:1], gamma, beta, rm, rv, train=False, eps=0.1)
    assert np.allclose(one, out[:1], rtol=1e-14)


@pytest.mark.parametrize("train", [True, False])
def test_inputs_not_modified(ref, train):
    rng = np.random.default_rng(5)
    args = make(rng, 6, 3)
    copies = [a.copy() for a in args]
    out, cache, nrm, nrv = ref.batchnorm.batchnorm_forward(*args, train=train)
    for a, c in zip(args, copies):
        assert np.array_equal(a, c)
    assert nrm is not args[3] and nrv is not args[4]
    if train:
        dout = rng.normal(size=out.shape)
        dcopy = dout.copy()
        ref.batchnorm.batchnorm_backward(dout, cache)
        ref.batchnorm.batchnorm_backward_fast(dout, cache)
        assert np.array_equal(dout, dcopy)
    W = rng.normal(size=(4, 3))
    b = rng.normal(size=3)
    Wc, bc = W.copy(), b.copy()
    ref.batchnorm.fold_batchnorm(W, b, *args[1:])
    assert np.array_equal(W, Wc) and np.array_equal(b, bc)
    x, gamma, beta = args[:3]
    out, cache = ref.batchnorm.layernorm_forward(x, gamma, beta)
    ref.batchnorm.layernorm_backward(np.ones_like(out), cache)
    for a, c in zip(args, copies):
        assert np.array_equal(a, c)


# --------------------------------------------------------------------------- edge cases and errors

def test_n_equals_one(ref):
    rng = np.random.default_rng(6)
    x, gamma, beta, rm, rv = make(rng, 1, 3)
    with pytest.raises(ValueError, match="at least 2 samples"):
        ref.batchnorm.batchnorm_forward(x, gamma, beta, rm, rv, train=True)
    out, _, _, _ = ref.batchnorm.batchnorm_forward(x, gamma, beta, rm, rv, train=False)
    assert out.shape == (1, 3)
    out, cache = ref.batchnorm.layernorm_forward(x, gamma, beta)   # layer norm: N = 1 is fine
    assert out.shape == (1, 3)


def test_d_equals_one(ref):
    rng = np.random.default_rng(7)
    x, gamma, beta, rm, rv = make(rng, 8, 1)
    out, cache, _, _ = ref.batchnorm.batchnorm_forward(x, gamma, beta, rm, rv)
    assert out.shape == (8, 1)
    dx, dg, db = ref.batchnorm.batchnorm_backward(rng.normal(size=(8, 1)), cache)
    assert dx.shape == (8, 1) and dg.shape == (1,) and db.shape == (1,)
    with pytest.raises(ValueError, match="at least 2 features"):
        ref.batchnorm.layernorm_forward(x, gamma, beta)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(x=np.ones(3)), ValueError, "x must be a 2-D"),
    (dict(gamma=np.ones(4)), ValueError, "gamma must have shape"),
    (dict(beta=np.ones((3, 1))), ValueError, "beta must have shape"),
    (dict(running_mean=np.ones(2)), ValueError, "running_mean"),
    (dict(running_var=-np.ones(3)), ValueError, "non-negative"),
    (dict(momentum=1.5), ValueError, "momentum"),
    (dict(eps=0.0), ValueError, "eps"),
    (dict(eps=-1e-5), ValueError, "eps"),
    (dict(x=np.full((4, 3), np.nan)), ValueError, "NaN"),
    (dict(x="abc"), TypeError, "numeric"),
    (dict(train="yes"), TypeError, "train"),
])
def test_forward_bad_input(ref, kwargs, error, match):
    args = dict(x=np.ones((4, 3)) + np.arange(4)[:, None], gamma=np.ones(3), beta=np.zeros(3),
                running_mean=np.zeros(3), running_var=np.ones(3))
    opts = {k: kwargs.pop(k) for k in ("momentum", "eps", "train") if k in kwargs}
    args.update(kwargs)
    with pytest.raises(error, match=match):
        ref.batchnorm.batchnorm_forward(*args.values(), **opts)


def test_backward_bad_input(ref):
    rng = np.random.default_rng(8)
    out, cache, _, _ = ref.batchnorm.batchnorm_forward(*make(rng, 4, 3))
    for f in (ref.batchnorm.batchnorm_backward, ref.batchnorm.batchnorm_backward_fast):
        with pytest.raises(ValueError, match="shape"):
            f(np.ones((4, 2)), cache)
        with pytest.raises(TypeError, match="cache"):
            f(np.ones((4, 3)), (1, 2))
    _, tcache, _, _ = ref.batchnorm.batchnorm_forward(*make(rng, 4, 3), train=False)
    with pytest.raises(ValueError, match="training mode"):
        ref.batchnorm.batchnorm_backward(np.ones((4, 3)), tcache)


def test_fold_bad_input(ref):
    W, b = np.ones((2, 3)), np.zeros(3)
    with pytest.raises(ValueError, match="gamma"):
        ref.batchnorm.fold_batchnorm(W, b, np.ones(2), np.zeros(3), np.zeros(3), np.ones(3))
    with pytest.raises(ValueError, match="non-negative"):
        ref.batchnorm.fold_batchnorm(W, b, np.ones(3), np.zeros(3), np.zeros(3), -np.ones(3))


# --------------------------------------------------------------------------- gradients

# With N = 2 (or D = 2 for layer norm) x_hat is +-1 whatever x is, up to eps: the gradient is
# O(eps) and a relative error is only meaningful with an eps of the order of the variance.
@pytest.mark.parametrize("N, D, eps", [(2, 1, 0.5), (5, 3, 1e-5), (10, 7, 1e-5)])
def test_batchnorm_gradcheck(ref, N, D, eps):
    rng = np.random.default_rng(10 + N)
    x, gamma, beta, rm, rv = make(rng, N, D)
    dout = rng.normal(size=(N, D))

    def loss(x_=x, g_=gamma, b_=beta):
        return np.sum(ref.batchnorm.batchnorm_forward(x_, g_, b_, rm, rv, eps=eps)[0] * dout)

    _, cache, _, _ = ref.batchnorm.batchnorm_forward(x, gamma, beta, rm, rv, eps=eps)
    for backward in (ref.batchnorm.batchnorm_backward, ref.batchnorm.batchnorm_backward_fast):
        dx, dg, db = backward(dout, cache)
        assert rel_error(dx, num_grad(lambda v: loss(x_=v), x)) < 1e-7
        assert rel_error(dg, num_grad(lambda v: loss(g_=v), gamma)) < 1e-7
        assert rel_error(db, num_grad(lambda v: loss(b_=v), beta)) < 1e-7


@pytest.mark.parametrize("N, D, eps", [(1, 2, 0.5), (4, 5, 1e-5), (6, 9, 1e-5)])
def test_layernorm_gradcheck(ref, N, D, eps):
    rng = np.random.default_rng(20 + N)
    x, gamma, beta, _, _ = make(rng, N, D)
    dout = rng.normal(size=(N, D))

    def loss(x_=x, g_=gamma, b_=beta):
        return np.sum(ref.batchnorm.layernorm_forward(x_, g_, b_, eps=eps)[0] * dout)

    _, cache = ref.batchnorm.layernorm_forward(x, gamma, beta, eps=eps)
    dx, dg, db = ref.batchnorm.layernorm_backward(dout, cache)
    assert rel_error(dx, num_grad(lambda v: loss(x_=v), x)) < 1e-7
    assert rel_error(dg, num_grad(lambda v: loss(g_=v), gamma)) < 1e-7
    assert rel_error(db, num_grad(lambda v: loss(b_=v), beta)) < 1e-7


def test_backward_properties(ref):
    bn = ref.batchnorm                    # hypothesis runs the inner function, not the fixture

    @settings(max_examples=40, deadline=None)
    @given(N=st.integers(2, 12), D=st.integers(1, 6), seed=st.integers(0, 2**31 - 1),
           scale=st.floats(0.1, 100.0))
    def prop(N, D, seed, scale):
        rng = np.random.default_rng(seed)
        x, gamma, beta, rm, rv = make(rng, N, D, scale=scale)
        dout = rng.normal(size=(N, D))
        out, cache, _, _ = bn.batchnorm_forward(x, gamma, beta, rm, rv)
        dx, dg, db = bn.batchnorm_backward(dout, cache)
        dx2, dg2, db2 = bn.batchnorm_backward_fast(dout, cache)
        tol = 1e-9 * (1 + np.abs(dx).max())
        assert np.allclose(dx, dx2, rtol=1e-9, atol=tol)
        assert np.allclose(dg, dg2, rtol=1e-12) and np.allclose(db, db2, rtol=1e-12)
        assert np.allclose(db, dout.sum(axis=0), rtol=1e-12)          # dbeta reduces over the batch
        assert np.allclose(dx.sum(axis=0), 0, atol=tol * N)            # dx columns sum to zero
        # the per-feature output mean is beta and its variance gamma^2 * var / (var + eps)
        var = x.var(axis=0)
        assert np.allclose(out.mean(axis=0), beta, atol=1e-9 * (1 + np.abs(beta).max()))
        assert np.allclose(out.var(axis=0), gamma ** 2 * var / (var + 1e-5), rtol=1e-8, atol=1e-12)

    prop()


def test_layernorm_properties(ref):
    bn = ref.batchnorm

    @settings(max_examples=40, deadline=None)
    @given(N=st.integers(1, 8), D=st.integers(2, 8), seed=st.integers(0, 2**31 - 1))
    def prop(N, D, seed):
        rng = np.random.default_rng(seed)
        x, gamma, beta, _, _ = make(rng, N, D)
        out, cache = bn.layernorm_forward(x, np.ones(D), np.zeros(D))
        assert np.allclose(out.mean(axis=1), 0, atol=1e-10)
        dx, dg, db = bn.layernorm_backward(rng.normal(size=(N, D)), cache)
        assert np.allclose(dx.sum(axis=1), 0, atol=1e-9)               # dx rows sum to zero
        # layer norm of a batch = layer norm of each row alone (no batch dependence)
        row, _ = bn.layernorm_forward(x[-1:], gamma, beta)
        full, _ = bn.layernorm_forward(x, gamma, beta)
        assert np.allclose(row, full[-1:], rtol=1e-13)

    prop()


# --------------------------------------------------------------------------- group norm (provided)

def test_groupnorm_extremes_are_layer_and_instance_norm(ref):
    bn = ref.batchnorm
    rng = np.random.default_rng(21)
    N, C, L = 5, 6, 4
    x = 3.0 * rng.normal(size=(N, C, L)) + rng.normal(size=(1, C, 1))
    ones, zeros = np.ones(C), np.zeros(C)
    # groups=1: layer norm over all C*L values of each sample
    ln, _ = bn.layernorm_forward(x.reshape(N, C * L), np.ones(C * L), np.zeros(C * L))
    gn1, _ = bn.groupnorm_forward(x, ones, zeros, groups=1)
    np.testing.assert_allclose(gn1, ln.reshape(N, C, L), rtol=1e-12, atol=1e-12)
    # groups=C: instance norm, each channel of each sample on its own
    mu, var = x.mean(axis=2, keepdims=True), x.var(axis=2, keepdims=True)
    inst, _ = bn.groupnorm_forward(x, ones, zeros, groups=C)
    np.testing.assert_allclose(inst, (x - mu) / np.sqrt(var + 1e-5), rtol=1e-12, atol=1e-12)


def test_groupnorm_groups_gamma_and_batch_independence(ref):
    bn = ref.batchnorm
    rng = np.random.default_rng(22)
    N, C, L, G = 4, 6, 3, 3
    x = rng.normal(size=(N, C, L)) * 2.0 + 1.0
    gamma, beta = rng.normal(size=C) + 1.0, rng.normal(size=C)
    x0 = x.copy()
    out, cache = bn.groupnorm_forward(x, gamma, beta, groups=G)
    assert np.array_equal(x, x0)
    g = x.reshape(N, G, C // G * L)
    expected = ((g - g.mean(axis=2, keepdims=True)) / np.sqrt(g.var(axis=2, keepdims=True) + 1e-5))
    expected = gamma[:, None] * expected.reshape(N, C, L) + beta[:, None]
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
    assert cache["inv_std"].shape == (N, G, 1) and cache["groups"] == G
    alone, _ = bn.groupnorm_forward(x[2:3], gamma, beta, groups=G)
    np.testing.assert_allclose(alone, out[2:3], rtol=1e-13)            # no batch dependence


@pytest.mark.parametrize("shape, groups, error, match", [
    ((2, 6), 2, ValueError, "3"),
    ((2, 6, 3), 4, ValueError, "divide"),
    ((2, 6, 3), 0, ValueError, "divide"),
    ((2, 6, 3), 2.0, TypeError, "integer"),
    ((2, 6, 1), 6, ValueError, "single value"),
])
def test_groupnorm_bad_input(ref, shape, groups, error, match):
    C = shape[1]
    with pytest.raises(error, match=match):
        ref.batchnorm.groupnorm_forward(np.ones(shape), np.ones(C), np.zeros(C), groups=groups)


# --------------------------------------------------------------------------- folding

@pytest.mark.parametrize("fan_in, D", [(3, 3), (5, 2), (1, 4)])
def test_fold_equals_affine_then_bn(ref, fan_in, D):
    rng = np.random.default_rng(30 + fan_in)
    W, b = rng.normal(size=(fan_in, D)), rng.normal(size=D)
    gamma, beta, rm = rng.normal(size=D), rng.normal(size=D), rng.normal(size=D)
    rv = rng.uniform(0.01, 3.0, size=D)
    x = rng.normal(size=(7, fan_in))
    eps = 1e-3
    expected, _, _, _ = ref.batchnorm.batchnorm_forward(x @ W + b, gamma, beta, rm, rv,
                                                        train=False, eps=eps)
    Wf, bf = ref.batchnorm.fold_batchnorm(W, b, gamma, beta, rm, rv, eps=eps)
    assert Wf.shape == W.shape and bf.shape == b.shape
    assert np.allclose(x @ Wf + bf, expected, rtol=1e-12, atol=1e-12)


def test_module_states_errata(ref):
    doc = ref.batchnorm.__doc__
    assert "sqrt(var + eps)" in doc and "gamma" in doc and "not trainable" in doc
