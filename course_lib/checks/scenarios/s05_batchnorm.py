"""Scenarios of assignment 05, batch normalization (tasks 5.1-5.5).

Every scenario calls the graded functions through ``lib``. Inputs are drawn with a scale and an
offset far from 0 and 1 on purpose: standard deviation and variance, N and N - 1, eps inside
and outside the square root then give clearly different numbers.
"""

from __future__ import annotations

import numpy as np

from ..gradients import numerical_gradient
from ..scenario import scenario
from ._common import first_bad, shape_of, unchanged


def _bn_inputs(rng, N, D, scale=3.0, shift=2.0):
    x = scale * rng.normal(size=(N, D)) + shift
    gamma = 1.0 + 0.5 * rng.normal(size=D)
    beta = rng.normal(size=D)
    running_mean = rng.normal(size=D)
    running_var = rng.uniform(0.5, 4.0, size=D)
    return x, gamma, beta, running_mean, running_var


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
            "inputs_unchanged": unchanged(args, copies)}


@scenario("5.1", cases=[dict(seed=3, N=4, D=3), dict(seed=4, N=1, D=2, eps=0.5)])
def batchnorm_forward_test(lib, rng, N, D, eps=1e-5):
    """Test mode: normalizes with the running statistics and returns them unchanged."""
    args = _bn_inputs(rng, N, D)
    copies = [a.copy() for a in args]
    out, _cache, new_mean, new_var = lib.batchnorm.batchnorm_forward(*args, train=False, eps=eps)
    return {"out": out, "new_running_mean": new_mean, "new_running_var": new_var,
            "inputs_unchanged": unchanged(args, copies)}


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
    return {"W_folded": W_folded, "b_folded": b_folded, "inputs_unchanged": unchanged(args, copies)}


# ------------------------------------------------------------------------------- task 5.5

@scenario("5.5", cases=[dict(seed=30, N=3, D=4), dict(seed=31, N=1, D=3, eps=0.5),
                        dict(seed=32, N=4, D=1)])
def layernorm_forward_matches(lib, rng, N, D, eps=1e-5):
    """Layer norm forward: every sample normalized over its own features."""
    x, gamma, beta, _m, _v = _bn_inputs(rng, N, D)
    copies = [a.copy() for a in (x, gamma, beta)]
    out, _cache = lib.batchnorm.layernorm_forward(x, gamma, beta, eps=eps)
    return {"out": out, "inputs_unchanged": unchanged((x, gamma, beta), copies)}


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
# Each property is one the notebook states; its message says it in words and names the first
# unit (column or row) where it fails, so a mistake outside the catalogue is still localized.
# Everything a verify function reads was computed by the grader: the inputs (drawn from the case's
# rng), the normalized inputs and statistics (numpy in the scenario), and the graded functions'
# recorded outputs.


def _verify_bn_forward(outputs, **case):
    out, var = outputs["out"], outputs["batch_var"]
    assert isinstance(out, np.ndarray) and out.shape == tuple(outputs["x_shape"]), (
        f"out must have the shape of x, {outputs['x_shape']}; got "
        f"{shape_of(out)}")
    mean = out.mean(axis=0)
    bad = ~np.isclose(mean, 0.0, atol=1e-9)
    assert not bad.any(), (
        f"with gamma = 1 and beta = 0 every feature (column) of the output must have mean 0 over "
        f"the batch: column {first_bad(bad)} has mean {mean[first_bad(bad)]:.6g}")
    got_var = out.var(axis=0)
    want = var / (var + case.get("eps", 1e-5))
    bad = ~np.isclose(got_var, want, rtol=1e-8, atol=0)
    assert not bad.any(), (
        f"with gamma = 1 and beta = 0 every feature (column) of the output must have variance "
        f"var / (var + eps), about 1: column {first_bad(bad)} has variance "
        f"{got_var[first_bad(bad)]:.8g}, expected {want[first_bad(bad)]:.8g}")


@scenario("5.1", cases=[dict(seed=6, N=10, D=3)], compare="property", verify=_verify_bn_forward)
def batchnorm_forward_normalizes(lib, rng, N, D, eps=1e-5):
    """Training mode with gamma = 1, beta = 0: per-feature mean 0 and variance about 1."""
    x = 5.0 * rng.normal(size=(N, D)) - 3.0
    out, _c, _m, _v = lib.batchnorm.batchnorm_forward(x, np.ones(D), np.zeros(D), np.zeros(D),
                                                      np.ones(D), train=True, eps=eps)
    return {"out": out, "batch_var": x.var(axis=0), "x_shape": x.shape}


def _verify_bn_statistics(outputs, momentum, eps, **_):
    x, rm, rv = outputs["x"], outputs["running_mean"], outputs["running_var"]
    want_mean = momentum * rm + (1 - momentum) * x.mean(axis=0)
    want_var = momentum * rv + (1 - momentum) * x.var(axis=0)
    for name, got, want, what in (
            ("new_running_mean", outputs["new_running_mean"], want_mean, "mean"),
            ("new_running_var", outputs["new_running_var"], want_var, "biased variance (over N)")):
        assert isinstance(got, np.ndarray) and got.shape == want.shape, (
            f"{name} must have shape (D,) = {want.shape}; got {shape_of(got)}")
        bad = ~np.isclose(got, want, rtol=1e-9, atol=1e-12)
        assert not bad.any(), (
            f"{name} must be momentum * old + (1 - momentum) * the batch {what} (momentum weighs "
            f"the old estimate): unit {first_bad(bad)} is {got[first_bad(bad)]:.6g}, expected "
            f"{want[first_bad(bad)]:.6g}")
    undone = outputs["undone"]
    bad = ~np.all(np.isclose(undone, x, rtol=1e-9, atol=1e-9), axis=0)
    assert not bad.any(), (
        "with gamma = sqrt(var + eps) and beta = the batch mean, training mode must give back x "
        f"(batch norm can undo itself): column {first_bad(bad)} differs")
    test_out, alone = outputs["test_out"], outputs["test_rows_alone"]
    want_test = outputs["gamma"] * (x - rm) / np.sqrt(rv + eps) + outputs["beta"]
    bad = ~np.all(np.isclose(test_out, want_test, rtol=1e-9, atol=1e-12), axis=0)
    assert not bad.any(), (
        "test mode must normalize with the running statistics, gamma * (x - running_mean) / "
        f"sqrt(running_var + eps) + beta, not with the batch's: column {first_bad(bad)} differs")
    bad = ~np.all(np.isclose(alone, test_out, rtol=1e-12, atol=1e-12), axis=1)
    assert not bad.any(), (
        "in test mode a sample's output must not depend on the rest of the batch: row "
        f"{first_bad(bad)} alone gives another output than in the batch")
    assert outputs["test_mode_keeps_stats"] is True, \
        "test mode must return the running statistics unchanged"


@scenario("5.1", cases=[dict(seed=7, N=6, D=3, momentum=0.8, eps=0.1)], compare="property",
          verify=_verify_bn_statistics)
def batchnorm_forward_statistics(lib, rng, N, D, momentum, eps):
    """The running averages' update rule, batch norm undoing itself, and test mode: running
    statistics, no dependence on the batch, statistics returned unchanged."""
    x, gamma, beta, rm, rv = _bn_inputs(rng, N, D)
    bn = lib.batchnorm.batchnorm_forward
    _out, _c, new_mean, new_var = bn(x, gamma, beta, rm, rv, train=True, momentum=momentum, eps=eps)
    undone, *_ = bn(x, np.sqrt(x.var(axis=0) + eps), x.mean(axis=0), rm, rv, train=True,
                    momentum=momentum, eps=eps)
    test_out, _c, m2, v2 = bn(x, gamma, beta, rm, rv, train=False, eps=eps)
    alone = np.concatenate([np.asarray(bn(x[i:i + 1], gamma, beta, rm, rv, train=False, eps=eps)[0])
                            for i in range(N)])
    return {"x": x, "gamma": gamma, "beta": beta, "running_mean": rm, "running_var": rv,
            "new_running_mean": new_mean, "new_running_var": new_var, "undone": undone,
            "test_out": test_out, "test_rows_alone": alone,
            "test_mode_keeps_stats": bool(np.array_equal(m2, rm) and np.array_equal(v2, rv))}


def _verify_param_grads(dout, x_hat, dgamma, dbeta, n_params):
    for name, g in (("dgamma", dgamma), ("dbeta", dbeta)):
        assert isinstance(g, np.ndarray) and g.shape == (n_params,), (
            f"{name} must have shape (D,) = ({n_params},): gamma and beta are shared by the whole "
            f"batch, so their gradients sum over it (axis 0); got "
            f"{shape_of(g)}")
    want = dout.sum(axis=0)
    bad = ~np.isclose(dbeta, want, rtol=1e-9, atol=1e-12)
    assert not bad.any(), (
        f"dbeta must be dout summed over the batch (axis 0): unit {first_bad(bad)} is "
        f"{dbeta[first_bad(bad)]:.6g}, expected {want[first_bad(bad)]:.6g}")
    want = np.sum(dout * x_hat, axis=0)
    bad = ~np.isclose(dgamma, want, rtol=1e-9, atol=1e-12)
    assert not bad.any(), (
        f"dgamma must be dout * x_hat summed over the batch (axis 0): unit {first_bad(bad)} is "
        f"{dgamma[first_bad(bad)]:.6g}, expected {want[first_bad(bad)]:.6g}")


def _verify_dx_invariances(dx, dout, x_hat, var, eps, axis):
    """Columns (axis 0, batch norm) or rows (axis 1, layer norm) of dx sum to zero and are
    orthogonal to x_hat up to the eps term (with gamma = 1)."""
    unit = "column" if axis == 0 else "row"
    why = "the batch mean" if axis == 0 else "the sample's own mean"
    assert isinstance(dx, np.ndarray) and dx.shape == dout.shape, \
        f"dx must have the shape of x, {dout.shape}; got {shape_of(dx)}"
    sums = dx.sum(axis=axis)
    tol = 1e-9 * (1 + np.abs(dx).sum(axis=axis))
    bad = ~(np.abs(sums) <= tol)
    assert not bad.any(), (
        f"every {unit} of dx must sum to 0 (shifting a {'feature' if axis == 0 else 'sample'} by "
        f"a constant does not change the output: {why} absorbs it): {unit} {first_bad(bad)} sums "
        f"to {sums[first_bad(bad)]:.6g}")
    # dx . x_hat = eps / (var + eps)^1.5 * sum(dout * x_hat): zero but for the eps term.
    dots = np.sum(dx * x_hat, axis=axis)
    want = eps / (var + eps) ** 1.5 * np.sum(dout * x_hat, axis=axis)
    tol = 1e-9 * (1 + np.sum(np.abs(dx * x_hat), axis=axis))
    bad = ~(np.abs(dots - want) <= tol)
    assert not bad.any(), (
        f"every {unit} of dx must be orthogonal to x_hat: sum(dx * x_hat) over the "
        f"{'batch' if axis == 0 else 'features'} must be 0 up to a term of order eps (scaling a "
        f"{'feature' if axis == 0 else 'sample'} by a positive constant hardly changes the "
        f"output): {unit} {first_bad(bad)} gives {dots[first_bad(bad)]:.6g}, expected "
        f"{want[first_bad(bad)]:.3g} (the path through the variance is what makes this hold)")


def _verify_bn_backward(outputs, **case):
    dout, x_hat = outputs["dout"], outputs["x_hat"]
    _verify_param_grads(dout, outputs["forward_out"], outputs["dgamma"], outputs["dbeta"],
                        dout.shape[1])
    _verify_dx_invariances(outputs["dx"], dout, x_hat, outputs["var"], outputs["eps"], axis=0)


def _props(lib, fn, rng, N, D, eps=1e-5):
    x = 3.0 * rng.normal(size=(N, D)) + 1.0
    dout = rng.normal(size=(N, D))
    out, cache, _m, _v = lib.batchnorm.batchnorm_forward(x, np.ones(D), np.zeros(D), np.zeros(D),
                                                         np.ones(D), train=True, eps=eps)
    dx, dgamma, dbeta = getattr(lib.batchnorm, fn)(dout, cache)
    var = x.var(axis=0)
    x_hat = (x - x.mean(axis=0)) / np.sqrt(var + eps)    # computed here: not the submission's
    return {"dout": dout, "forward_out": out, "x_hat": x_hat, "var": var, "eps": eps,
            "dx": dx, "dgamma": dgamma, "dbeta": dbeta}


@scenario("5.2", cases=[dict(seed=16, N=6, D=4)], compare="property", verify=_verify_bn_backward)
def batchnorm_backward_properties(lib, rng, N, D):
    """Staged backward: dbeta and dgamma reduce over the batch; every column of dx sums to zero
    and is orthogonal to x_hat (up to eps)."""
    return _props(lib, "batchnorm_backward", rng, N, D)


@scenario("5.3", cases=[dict(seed=17, N=6, D=4)], compare="property", verify=_verify_bn_backward)
def batchnorm_backward_fast_properties(lib, rng, N, D):
    """Closed-form backward: dbeta and dgamma reduce over the batch; every column of dx sums to
    zero and is orthogonal to x_hat (up to eps)."""
    return _props(lib, "batchnorm_backward_fast", rng, N, D)


def _verify_fold(outputs, eps, **_):
    z, y = outputs["z"], outputs["folded_out"]
    gamma, beta, rm, rv = (outputs[k] for k in ("gamma", "beta", "running_mean", "running_var"))
    want = gamma * (z - rm) / np.sqrt(rv + eps) + beta
    assert isinstance(y, np.ndarray) and y.shape == want.shape, (
        f"x @ W_folded + b_folded must have shape {want.shape}; got "
        f"{shape_of(y)} (W_folded must keep the shape of W, b_folded "
        "that of b)")
    close = np.isclose(y, want, rtol=1e-9, atol=1e-12)
    if not close.all():
        i, j = first_bad(~close)
        raise AssertionError(
            "the folded layer must compute the same function as the affine layer followed by "
            "test-mode batch norm: x @ W_folded + b_folded = gamma * (x @ W + b - running_mean) / "
            f"sqrt(running_var + eps) + beta; sample {i}, output unit {j}: got {y[i, j]:.6g}, "
            f"expected {want[i, j]:.6g} (column {j} of W and entry {j} of b are scaled by "
            f"gamma[{j}] / sqrt(running_var[{j}] + eps))")


@scenario("5.4", cases=[dict(seed=22, N=5, fan_in=3, D=4, eps=0.1)], compare="property",
          verify=_verify_fold)
def fold_batchnorm_same_function(lib, rng, N, fan_in, D, eps):
    """The folded affine layer computes what the affine layer and test-mode batch norm compute."""
    x = rng.normal(size=(N, fan_in))
    W, b = rng.normal(size=(fan_in, D)), rng.normal(size=D)
    gamma, beta = 1.0 + 0.5 * rng.normal(size=D), rng.normal(size=D)
    rm, rv = rng.normal(size=D), rng.uniform(0.05, 4.0, size=D)
    W_folded, b_folded = lib.batchnorm.fold_batchnorm(W, b, gamma, beta, rm, rv, eps=eps)
    try:
        folded_out = x @ np.asarray(W_folded, dtype=np.float64) + np.asarray(b_folded, dtype=np.float64)
    except (TypeError, ValueError):  # shapes that do not multiply: verify says so
        folded_out = np.asarray(W_folded)
    return {"z": x @ W + b, "folded_out": folded_out, "gamma": gamma, "beta": beta,
            "running_mean": rm, "running_var": rv}


def _verify_ln(outputs, **case):
    out, dx = outputs["out"], outputs["dx"]
    mean = out.mean(axis=1)
    bad = ~np.isclose(mean, 0.0, atol=1e-9)
    assert not bad.any(), (
        "with gamma = 1 and beta = 0 every sample (row) of the output must have mean 0 over its "
        f"features: row {first_bad(bad)} has mean {mean[first_bad(bad)]:.6g}")
    got_var, want = out.var(axis=1), outputs["var"] / (outputs["var"] + outputs["eps"])
    bad = ~np.isclose(got_var, want, rtol=1e-8, atol=0)
    assert not bad.any(), (
        "with gamma = 1 and beta = 0 every sample (row) of the output must have variance "
        f"var / (var + eps) over its features, about 1: row {first_bad(bad)} has variance "
        f"{got_var[first_bad(bad)]:.8g}, expected {want[first_bad(bad)]:.8g}")
    assert np.allclose(outputs["row_alone"], out[-1:], rtol=1e-10, atol=1e-12), \
        "layer norm of one sample must not depend on the other samples of the batch"
    dout = outputs["dout"]
    _verify_param_grads(dout, out, outputs["dgamma"], outputs["dbeta"], dout.shape[1])
    _verify_dx_invariances(dx, dout, outputs["x_hat"], outputs["var"], outputs["eps"], axis=1)


@scenario("5.5", cases=[dict(seed=36, N=5, D=4)], compare="property", verify=_verify_ln)
def layernorm_properties(lib, rng, N, D, eps=1e-5):
    """Layer norm: rows of the output have mean 0 and variance about 1, no batch dependence;
    dgamma and dbeta sum over the batch; rows of dx sum to zero and are orthogonal to x_hat."""
    x = 3.0 * rng.normal(size=(N, D)) + 1.0
    dout = rng.normal(size=(N, D))
    out, cache = lib.batchnorm.layernorm_forward(x, np.ones(D), np.zeros(D), eps=eps)
    dx, dgamma, dbeta = lib.batchnorm.layernorm_backward(dout, cache)
    row_alone, _c = lib.batchnorm.layernorm_forward(x[-1:], np.ones(D), np.zeros(D), eps=eps)
    var = x.var(axis=1)
    x_hat = (x - x.mean(axis=1, keepdims=True)) / np.sqrt(var[:, None] + eps)
    return {"out": out, "dx": dx, "dgamma": dgamma, "dbeta": dbeta, "dout": dout, "x_hat": x_hat,
            "var": var, "eps": eps, "row_alone": row_alone}
