"""Scenarios of assignment 05, batch normalization (tasks 5.1-5.5).

Every scenario calls the graded functions through ``lib``. Inputs are drawn with a scale and an
offset far from 0 and 1 on purpose: standard deviation and variance, N and N - 1, eps inside
and outside the square root then give clearly different numbers.
"""

from __future__ import annotations

import numpy as np

from ..gradients import numerical_gradient
from ..scenario import scenario


def _bn_inputs(rng, N, D, scale=3.0, shift=2.0):
    x = scale * rng.normal(size=(N, D)) + shift
    gamma = 1.0 + 0.5 * rng.normal(size=D)
    beta = rng.normal(size=D)
    running_mean = rng.normal(size=D)
    running_var = rng.uniform(0.5, 4.0, size=D)
    return x, gamma, beta, running_mean, running_var


def _unchanged(arrays, copies):
    return bool(all(np.array_equal(a, c) for a, c in zip(arrays, copies)))


# ------------------------------------------------------------------------------- task 5.1

@scenario("5.1", cases=[dict(seed=0, N=6, D=3), dict(seed=1, N=5, D=2, momentum=0.7, eps=0.5),
                        dict(seed=2, N=1, D=3)])
def batchnorm_forward_train(lib, rng, N, D, momentum=0.9, eps=1e-5):
    """Training mode: output and updated running statistics; inputs left as they were."""
    args = _bn_inputs(rng, N, D)
    copies = [a.copy() for a in args]
    out, _cache, new_mean, new_var = lib.batchnorm.batchnorm_forward(
        *args, train=True, momentum=momentum, eps=eps)
    return {"out": out, "new_running_mean": new_mean, "new_running_var": new_var,
            "inputs_unchanged": _unchanged(args, copies)}


@scenario("5.1", cases=[dict(seed=3, N=4, D=3), dict(seed=4, N=1, D=2, eps=0.5)])
def batchnorm_forward_test(lib, rng, N, D, eps=1e-5):
    """Test mode: normalizes with the running statistics and returns them unchanged."""
    args = _bn_inputs(rng, N, D)
    copies = [a.copy() for a in args]
    out, _cache, new_mean, new_var = lib.batchnorm.batchnorm_forward(*args, train=False, eps=eps)
    return {"out": out, "new_running_mean": new_mean, "new_running_var": new_var,
            "inputs_unchanged": _unchanged(args, copies)}


@scenario("5.1", cases=[dict(seed=5, N=8, D=2, steps=3)])
def batchnorm_running_stats(lib, rng, N, D, steps, momentum=0.9):
    """A few training steps then test mode: the running statistics carry from call to call."""
    _x, gamma, beta, running_mean, running_var = _bn_inputs(rng, N, D)
    for _ in range(steps):
        x = 2.0 * rng.normal(size=(N, D)) - 1.0
        _out, _c, running_mean, running_var = lib.batchnorm.batchnorm_forward(
            x, gamma, beta, running_mean, running_var, train=True, momentum=momentum)
    x_test = rng.normal(size=(3, D))
    out, _c, m2, v2 = lib.batchnorm.batchnorm_forward(
        x_test, gamma, beta, running_mean, running_var, train=False)
    return {"running_mean": running_mean, "running_var": running_var, "test_out": out,
            "test_mode_keeps_stats": bool(np.array_equal(m2, running_mean)
                                          and np.array_equal(v2, running_var))}


# ------------------------------------------------------------------------------- tasks 5.2, 5.3

def _backward(lib, fn, rng, N, D, eps):
    x, gamma, beta, rm, rv = _bn_inputs(rng, N, D)
    dout = rng.normal(size=(N, D))
    _out, cache, _m, _v = lib.batchnorm.batchnorm_forward(x, gamma, beta, rm, rv, train=True, eps=eps)
    dcopy = dout.copy()
    dx, dgamma, dbeta = getattr(lib.batchnorm, fn)(dout, cache)
    return {"dx": dx, "dgamma": dgamma, "dbeta": dbeta,
            "dout_unchanged": bool(np.array_equal(dout, dcopy))}


def _gradcheck(lib, fn, rng, N, D, eps):
    x, gamma, beta, rm, rv = _bn_inputs(rng, N, D)
    dout = rng.normal(size=(N, D))

    def loss(x_=x, g_=gamma, b_=beta):
        out = lib.batchnorm.batchnorm_forward(x_, g_, b_, rm, rv, train=True, eps=eps)[0]
        return float(np.sum(out * dout))

    _out, cache, _m, _v = lib.batchnorm.batchnorm_forward(x, gamma, beta, rm, rv, train=True, eps=eps)
    dx, dgamma, dbeta = getattr(lib.batchnorm, fn)(dout, cache)
    return {"dx": dx, "dx_num": numerical_gradient(lambda v: loss(x_=v), x),
            "dgamma": dgamma, "dgamma_num": numerical_gradient(lambda v: loss(g_=v), gamma),
            "dbeta": dbeta, "dbeta_num": numerical_gradient(lambda v: loss(b_=v), beta)}


@scenario("5.2", cases=[dict(seed=10, N=5, D=3), dict(seed=11, N=4, D=2, eps=0.5)])
def batchnorm_backward_matches(lib, rng, N, D, eps=1e-5):
    """Staged backward: dx, dgamma, dbeta equal the reference's."""
    return _backward(lib, "batchnorm_backward", rng, N, D, eps)


@scenario("5.2", cases=[dict(seed=12, N=4, D=3)], compare="gradcheck", rtol=1e-6)
def batchnorm_backward_gradcheck(lib, rng, N, D, eps=1e-5):
    """Staged backward agrees with central differences of your own forward pass."""
    return _gradcheck(lib, "batchnorm_backward", rng, N, D, eps)


@scenario("5.3", cases=[dict(seed=13, N=5, D=3), dict(seed=14, N=4, D=2, eps=0.5)])
def batchnorm_backward_fast_matches(lib, rng, N, D, eps=1e-5):
    """Closed-form backward: dx, dgamma, dbeta equal the reference's."""
    return _backward(lib, "batchnorm_backward_fast", rng, N, D, eps)


@scenario("5.3", cases=[dict(seed=15, N=4, D=3)], compare="gradcheck", rtol=1e-6)
def batchnorm_backward_fast_gradcheck(lib, rng, N, D, eps=1e-5):
    """Closed-form backward agrees with central differences of your own forward pass."""
    return _gradcheck(lib, "batchnorm_backward_fast", rng, N, D, eps)


# ------------------------------------------------------------------------------- task 5.4

@scenario("5.4", cases=[dict(seed=20, fan_in=3, D=3), dict(seed=21, fan_in=4, D=2, eps=0.5)])
def fold_batchnorm_matches(lib, rng, fan_in, D, eps=1e-5):
    """Folded weights and bias equal the reference's; the inputs are left as they were."""
    W = rng.normal(size=(fan_in, D))
    b = rng.normal(size=D)
    gamma = 1.0 + 0.5 * rng.normal(size=D)
    beta = rng.normal(size=D)
    rm = rng.normal(size=D)
    rv = rng.uniform(0.05, 4.0, size=D)
    args = (W, b, gamma, beta, rm, rv)
    copies = [a.copy() for a in args]
    W_folded, b_folded = lib.batchnorm.fold_batchnorm(*args, eps=eps)
    return {"W_folded": W_folded, "b_folded": b_folded, "inputs_unchanged": _unchanged(args, copies)}


# ------------------------------------------------------------------------------- task 5.5

@scenario("5.5", cases=[dict(seed=30, N=3, D=4), dict(seed=31, N=1, D=3, eps=0.5),
                        dict(seed=32, N=4, D=1)])
def layernorm_forward_matches(lib, rng, N, D, eps=1e-5):
    """Layer norm forward: every sample normalized over its own features."""
    x, gamma, beta, _m, _v = _bn_inputs(rng, N, D)
    copies = [a.copy() for a in (x, gamma, beta)]
    out, _cache = lib.batchnorm.layernorm_forward(x, gamma, beta, eps=eps)
    return {"out": out, "inputs_unchanged": _unchanged((x, gamma, beta), copies)}


@scenario("5.5", cases=[dict(seed=33, N=3, D=4), dict(seed=34, N=2, D=3, eps=0.5)])
def layernorm_backward_matches(lib, rng, N, D, eps=1e-5):
    """Layer norm backward: dx, dgamma, dbeta equal the reference's."""
    x, gamma, beta, _m, _v = _bn_inputs(rng, N, D)
    dout = rng.normal(size=(N, D))
    _out, cache = lib.batchnorm.layernorm_forward(x, gamma, beta, eps=eps)
    dx, dgamma, dbeta = lib.batchnorm.layernorm_backward(dout, cache)
    return {"dx": dx, "dgamma": dgamma, "dbeta": dbeta}


@scenario("5.5", cases=[dict(seed=35, N=3, D=4)], compare="gradcheck", rtol=1e-6)
def layernorm_gradcheck(lib, rng, N, D, eps=1e-5):
    """Layer norm backward agrees with central differences of your own forward pass."""
    x, gamma, beta, _m, _v = _bn_inputs(rng, N, D)
    dout = rng.normal(size=(N, D))

    def loss(x_=x, g_=gamma, b_=beta):
        return float(np.sum(lib.batchnorm.layernorm_forward(x_, g_, b_, eps=eps)[0] * dout))

    _out, cache = lib.batchnorm.layernorm_forward(x, gamma, beta, eps=eps)
    dx, dgamma, dbeta = lib.batchnorm.layernorm_backward(dout, cache)
    return {"dx": dx, "dx_num": numerical_gradient(lambda v: loss(x_=v), x),
            "dgamma": dgamma, "dgamma_num": numerical_gradient(lambda v: loss(g_=v), gamma),
            "dbeta": dbeta, "dbeta_num": numerical_gradient(lambda v: loss(b_=v), beta)}


# ------------------------------------------------------------------------------- properties

def _verify_bn_forward(outputs, **case):
    out, var = outputs["out"], outputs["batch_var"]
    mean = out.mean(axis=0)
    assert np.allclose(mean, 0.0, atol=1e-9), (
        f"with gamma = 1 and beta = 0 every feature of the output must have mean 0 over the "
        f"batch; got means {np.round(mean, 6)}")
    got_var = out.var(axis=0)
    assert np.allclose(got_var, var / (var + case.get("eps", 1e-5)), rtol=1e-8), (
        f"with gamma = 1 and beta = 0 every feature must have variance var / (var + eps), about "
        f"1; got variances {np.round(got_var, 6)}")


@scenario("5.1", cases=[dict(seed=6, N=10, D=3)], compare="property", verify=_verify_bn_forward)
def batchnorm_forward_normalizes(lib, rng, N, D, eps=1e-5):
    """Training mode with gamma = 1, beta = 0: per-feature mean 0 and variance about 1."""
    x = 5.0 * rng.normal(size=(N, D)) - 3.0
    out, _c, _m, _v = lib.batchnorm.batchnorm_forward(x, np.ones(D), np.zeros(D), np.zeros(D),
                                                      np.ones(D), train=True, eps=eps)
    return {"out": out, "batch_var": x.var(axis=0)}


def _verify_bn_backward(outputs, **case):
    dout, x_hat = outputs["dout"], outputs["x_hat"]
    dx, dgamma, dbeta = outputs["dx"], outputs["dgamma"], outputs["dbeta"]
    D = dout.shape[1]
    for name, g in (("dgamma", dgamma), ("dbeta", dbeta)):
        assert isinstance(g, np.ndarray) and g.shape == (D,), (
            f"{name} must have shape (D,) = ({D},): gamma and beta are shared by the whole batch, "
            f"so their gradients sum over it (axis 0); got {getattr(g, 'shape', type(g).__name__)}")
    assert np.allclose(dbeta, dout.sum(axis=0), rtol=1e-9, atol=1e-12), \
        "dbeta must be dout summed over the batch (axis 0)"
    assert np.allclose(dgamma, np.sum(dout * x_hat, axis=0), rtol=1e-9, atol=1e-12), \
        "dgamma must be dout * x_hat summed over the batch (axis 0)"
    assert isinstance(dx, np.ndarray) and dx.shape == dout.shape, \
        f"dx must have the shape of x, {dout.shape}"
    col = dx.sum(axis=0)
    assert np.allclose(col, 0.0, atol=1e-9 * (1 + np.abs(dx).max()) * dout.shape[0]), (
        f"every column of dx must sum to zero (shifting a feature by a constant does not change "
        f"the output, since the batch mean absorbs it); got column sums {col}")


def _props(lib, fn, rng, N, D):
    x = 3.0 * rng.normal(size=(N, D)) + 1.0
    dout = rng.normal(size=(N, D))
    x_hat, cache, _m, _v = lib.batchnorm.batchnorm_forward(x, np.ones(D), np.zeros(D), np.zeros(D),
                                                           np.ones(D), train=True)
    dx, dgamma, dbeta = getattr(lib.batchnorm, fn)(dout, cache)
    return {"dout": dout, "x_hat": x_hat, "dx": dx, "dgamma": dgamma, "dbeta": dbeta}


@scenario("5.2", cases=[dict(seed=16, N=6, D=4)], compare="property", verify=_verify_bn_backward)
def batchnorm_backward_properties(lib, rng, N, D):
    """Staged backward: dbeta and dgamma reduce over the batch; columns of dx sum to zero."""
    return _props(lib, "batchnorm_backward", rng, N, D)


@scenario("5.3", cases=[dict(seed=17, N=6, D=4)], compare="property", verify=_verify_bn_backward)
def batchnorm_backward_fast_properties(lib, rng, N, D):
    """Closed-form backward: dbeta and dgamma reduce over the batch; columns of dx sum to zero."""
    return _props(lib, "batchnorm_backward_fast", rng, N, D)


def _verify_ln(outputs, **case):
    out, dx = outputs["out"], outputs["dx"]
    assert np.allclose(out.mean(axis=1), 0.0, atol=1e-9), \
        "with gamma = 1 and beta = 0 every sample (row) of the output must have mean 0"
    assert np.allclose(dx.sum(axis=1), 0.0, atol=1e-9 * (1 + np.abs(dx).max()) * dx.shape[1]), \
        "every row of dx must sum to zero (the sample's own mean absorbs a constant shift)"
    assert np.allclose(outputs["row_alone"], out[-1:], rtol=1e-10, atol=1e-12), \
        "layer norm of one sample must not depend on the other samples of the batch"


@scenario("5.5", cases=[dict(seed=36, N=5, D=4)], compare="property", verify=_verify_ln)
def layernorm_properties(lib, rng, N, D):
    """Layer norm: rows of the output have mean 0, rows of dx sum to zero, no batch dependence."""
    x = 3.0 * rng.normal(size=(N, D)) + 1.0
    out, cache = lib.batchnorm.layernorm_forward(x, np.ones(D), np.zeros(D))
    dx, _dg, _db = lib.batchnorm.layernorm_backward(rng.normal(size=(N, D)), cache)
    row_alone, _c = lib.batchnorm.layernorm_forward(x[-1:], np.ones(D), np.zeros(D))
    return {"out": out, "dx": dx, "row_alone": row_alone}
