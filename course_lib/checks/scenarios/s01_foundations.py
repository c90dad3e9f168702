"""Scenarios of assignment 01, a feedforward network from scratch (tasks 1.1-1.6).

Every scenario calls the graded functions through ``lib``. Some inputs are chosen on purpose:

- activation inputs contain exact zeros, where ReLU's and leaky ReLU's derivatives follow the
  course's convention (the left piece: ``relu'(0) = 0``, ``leaky_relu'(0) = alpha``);
- the "extreme" scenarios record numpy's floating-point warnings (overflow, invalid value, division
  by zero) in an output ``numpy_warnings`` that must read ``"none"``: a sigmoid, softmax or
  cross-entropy that overflows (``exp(1000)``) fails there even when its values come out right
  (in a graded notebook any warning on stderr would fail the cell anyway);
- classification outputs have several rows and classes, so a sum and a mean over the batch, or
  over rows and columns, give different numbers.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..gradients import numerical_gradient
from ..scenario import scenario
from ._common import first_bad, shape_of, unchanged

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu")


def _act(lib, act):
    return getattr(lib.layers, f"{act}_forward"), getattr(lib.layers, f"{act}_backward")


def _act_kwargs(act, alpha):
    return {} if alpha is None or act not in ("leaky_relu", "elu") else {"alpha": alpha}


def _watch(fn):
    """Run ``fn()`` and return its result and the numpy floating-point warnings it raised, as text."""
    with warnings.catch_warnings(record=True) as caught, \
            np.errstate(over="warn", invalid="warn", divide="warn", under="ignore"):
        warnings.simplefilter("always")
        result = fn()
    found = sorted({str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)})
    return result, "; ".join(found) or "none"


def _with_zeros(rng, N, D, scale=2.0):
    x = scale * rng.normal(size=(N, D))
    x.flat[:: 3] = 0.0                       # exact zeros: the derivative's convention matters
    return x


# ------------------------------------------------------------------------------- task 1.1

@scenario("1.1", cases=[dict(seed=0, N=4, D=3, M=5), dict(seed=1, N=1, D=2, M=1)])
def affine_forward_matches(lib, rng, N, D, M):
    """``out = x @ W + b``; inputs left unchanged."""
    x, W, b = rng.normal(size=(N, D)), rng.normal(size=(D, M)), rng.normal(size=M)
    copies = [a.copy() for a in (x, W, b)]
    out, _ = lib.layers.affine_forward(x, W, b)
    return {"out": out, "inputs_unchanged": unchanged((x, W, b), copies)}


@scenario("1.1", cases=[dict(seed=2, N=4, D=3, M=5), dict(seed=3, N=6, D=2, M=2)])
def affine_backward_matches(lib, rng, N, D, M):
    """``dx``, ``dW``, ``db`` of the affine layer for a random upstream gradient."""
    x, W, b = rng.normal(size=(N, D)), rng.normal(size=(D, M)), rng.normal(size=M)
    dout = rng.normal(size=(N, M))
    _, cache = lib.layers.affine_forward(x, W, b)
    dx, dW, db = lib.layers.affine_backward(dout, cache)
    return {"dx": dx, "dW": dW, "db": db}


@scenario("1.1", cases=[dict(seed=4, N=3, D=4, M=2)], compare="gradcheck", rtol=1e-7)
def affine_gradcheck(lib, rng, N, D, M):
    """Analytic gradients against central differences of ``sum(out * dout)``."""
    x, W, b = rng.normal(size=(N, D)), rng.normal(size=(D, M)), rng.normal(size=M)
    dout = rng.normal(size=(N, M))
    _, cache = lib.layers.affine_forward(x, W, b)
    dx, dW, db = lib.layers.affine_backward(dout, cache)
    f = lambda **kw: float(np.sum(lib.layers.affine_forward(kw.get("x", x), kw.get("W", W),
                                                            kw.get("b", b))[0] * dout))
    return {"dx": dx, "dx_num": numerical_gradient(lambda v: f(x=v), x),
            "dW": dW, "dW_num": numerical_gradient(lambda v: f(W=v), W),
            "db": db, "db_num": numerical_gradient(lambda v: f(b=v), b)}


# ------------------------------------------------------------------------------- task 1.2

@scenario("1.2", cases=[dict(seed=10 + i, act=n, N=3, D=4) for i, n in enumerate(ACTIVATIONS)]
          + [dict(seed=15, act="leaky_relu", N=2, D=5, alpha=0.2),
             dict(seed=16, act="elu", N=2, D=5, alpha=0.5)])
def activation_forward_matches(lib, rng, act, N, D, alpha=None):
    """Forward pass of one activation, on inputs with exact zeros; input left unchanged."""
    fwd, _ = _act(lib, act)
    x = _with_zeros(rng, N, D)
    x0 = x.copy()
    out, _ = fwd(x, **_act_kwargs(act, alpha))
    return {"out": out, "input_unchanged": unchanged([x], [x0])}


@scenario("1.2", cases=[dict(seed=20 + i, act=n, N=3, D=4) for i, n in enumerate(ACTIVATIONS)]
          + [dict(seed=25, act="leaky_relu", N=2, D=5, alpha=0.2),
             dict(seed=26, act="elu", N=2, D=5, alpha=0.5)])
def activation_backward_matches(lib, rng, act, N, D, alpha=None):
    """Backward pass of one activation, on inputs with exact zeros (the derivative's convention)."""
    fwd, bwd = _act(lib, act)
    x = _with_zeros(rng, N, D)
    dout = rng.normal(size=(N, D))
    _, cache = fwd(x, **_act_kwargs(act, alpha))
    return {"dx": bwd(dout, cache)}


@scenario("1.2", cases=[dict(seed=30 + i, act=n, N=3, D=3) for i, n in enumerate(ACTIVATIONS)]
          + [dict(seed=35, act="elu", N=3, D=3, alpha=0.5)], compare="gradcheck", rtol=1e-7)
def activation_gradcheck(lib, rng, act, N, D, alpha=None):
    """Analytic ``dx`` against central differences, at inputs away from the kink at 0."""
    fwd, bwd = _act(lib, act)
    kw = _act_kwargs(act, alpha)
    x = rng.normal(size=(N, D))
    x = np.where(np.abs(x) < 0.1, x + 0.3 * np.sign(x + 1e-12), x)
    dout = rng.normal(size=(N, D))
    _, cache = fwd(x, **kw)
    dx = bwd(dout, cache)
    return {"dx": dx, "dx_num": numerical_gradient(lambda v: float(np.sum(fwd(v, **kw)[0] * dout)), x)}


@scenario("1.2", cases=[dict(seed=40, act="sigmoid"), dict(seed=41, act="tanh"),
                        dict(seed=42, act="elu")])
def activation_extreme_inputs(lib, rng, act):
    """Inputs of +-1000 and +-50: right values and no overflow warning."""
    fwd, bwd = _act(lib, act)
    x = np.array([[-1000.0, -50.0, -1.0, 0.0], [1.0, 50.0, 1000.0, -709.5]])

    def run():
        out, cache = fwd(x)
        return out, bwd(np.ones_like(x), cache)

    (out, dx), warned = _watch(run)
    return {"numpy_warnings": warned, "out": out, "dx": dx}


# ------------------------------------------------------------------------------- task 1.3

@scenario("1.3", cases=[dict(seed=50, N=4, C=3), dict(seed=51, N=1, C=5), dict(seed=52, N=3, C=2)])
def softmax_matches(lib, rng, N, C):
    """Row-wise probabilities of moderate scores; input left unchanged."""
    s = 3.0 * rng.normal(size=(N, C))
    s0 = s.copy()
    return {"probs": lib.losses.softmax(s), "input_unchanged": unchanged([s], [s0])}


@scenario("1.3", cases=[dict(seed=53, N=3, C=4)])
def softmax_huge_scores(lib, rng, N, C):
    """Scores around +-1000: subtract each row's maximum first (no overflow warning, no nan)."""
    s = 1000.0 * np.sign(rng.normal(size=(N, C))) + rng.normal(size=(N, C))
    probs, warned = _watch(lambda: lib.losses.softmax(s))
    return {"numpy_warnings": warned, "probs": probs}


@scenario("1.3", cases=[dict(seed=54, N=5, C=3), dict(seed=55, N=1, C=4), dict(seed=56, N=8, C=2)])
def softmax_cross_entropy_matches(lib, rng, N, C):
    """Mean cross-entropy over the batch and its gradient ``(p - onehot) / N``."""
    s = 2.0 * rng.normal(size=(N, C))
    y = rng.integers(0, C, size=N)
    s0, y0 = s.copy(), y.copy()
    loss, dscores = lib.losses.softmax_cross_entropy(s, y)
    return {"loss": loss, "dscores": dscores, "inputs_unchanged": unchanged([s, y], [s0, y0])}


@scenario("1.3", cases=[dict(seed=57, N=4, C=3)], compare="gradcheck", rtol=1e-7)
def softmax_cross_entropy_gradcheck(lib, rng, N, C):
    """``dscores`` against central differences of the loss."""
    s = rng.normal(size=(N, C))
    y = rng.integers(0, C, size=N)
    _, dscores = lib.losses.softmax_cross_entropy(s, y)
    num = numerical_gradient(lambda v: lib.losses.softmax_cross_entropy(v, y)[0], s)
    return {"dscores": dscores, "dscores_num": num}


@scenario("1.3", cases=[dict(seed=58, N=4, C=3)])
def softmax_cross_entropy_huge_scores(lib, rng, N, C):
    """Scores of +-1000: the loss stays finite (2000 for a confident miss), no warning."""
    s = 1000.0 * np.sign(rng.normal(size=(N, C)))
    y = rng.integers(0, C, size=N)
    (loss, dscores), warned = _watch(lambda: lib.losses.softmax_cross_entropy(s, y))
    return {"numpy_warnings": warned, "loss": loss, "dscores": dscores}


# ------------------------------------------------------------------------------- task 1.4

@scenario("1.4", cases=[dict(seed=60, N=5, K=3), dict(seed=61, N=4, K=None), dict(seed=62, N=1, K=2)])
def mse_matches(lib, rng, N, K):
    """MSE: batch mean of the per-example SUM of squared errors, and its gradient."""
    shape = (N,) if K is None else (N, K)
    pred, target = rng.normal(size=shape), rng.normal(size=shape)
    loss, dpred = lib.losses.mse_loss(pred, target)
    return {"loss": loss, "dpred": dpred}


@scenario("1.4", cases=[dict(seed=63, N=5, K=3), dict(seed=64, N=4, K=None)])
def mae_matches(lib, rng, N, K):
    """MAE: batch mean of the per-example SUM of absolute errors, and its (sub)gradient."""
    shape = (N,) if K is None else (N, K)
    pred, target = rng.normal(size=shape), rng.normal(size=shape)
    pred.flat[0] = target.flat[0]            # a tie: the subgradient there is 0
    loss, dpred = lib.losses.mae_loss(pred, target)
    return {"loss": loss, "dpred": dpred}


@scenario("1.4", cases=[dict(seed=65, N=4, K=3, loss="mse"), dict(seed=66, N=4, K=3, loss="mae")],
          compare="gradcheck", rtol=1e-7)
def regression_loss_gradcheck(lib, rng, N, K, loss):
    """``dpred`` against central differences (no ties, so MAE is differentiable there)."""
    fn = getattr(lib.losses, f"{loss}_loss")
    pred = rng.normal(size=(N, K))
    target = pred + np.where(rng.random((N, K)) < 0.5, -1.0, 1.0) * rng.uniform(0.1, 1.0, (N, K))
    _, dpred = fn(pred, target)
    return {"dpred": dpred, "dpred_num": numerical_gradient(lambda v: fn(v, target)[0], pred)}


@scenario("1.4", cases=[dict(seed=67, N=10, C=3), dict(seed=68, N=1, C=2)])
def zero_one_error_matches(lib, rng, N, C):
    """Fraction of wrong labels."""
    y = rng.integers(0, C, size=N)
    pred = np.where(rng.random(N) < 0.6, y, rng.integers(0, C, size=N))
    return {"error": lib.losses.zero_one_error(pred, y)}


@scenario("1.4", cases=[dict(seed=69)])
def lecture_loss_example(lib, rng):
    """The lecture's two prediction tables: same 0-1 error, different MSE and cross-entropy."""
    y = np.array([2, 1, 0])
    onehot = np.eye(3)[y]
    tables = {"a": np.array([[0.3, 0.3, 0.4], [0.3, 0.4, 0.3], [0.1, 0.2, 0.7]]),
              "b": np.array([[0.1, 0.2, 0.7], [0.1, 0.7, 0.2], [0.3, 0.4, 0.3]])}
    out = {}
    for k, p in tables.items():
        out[f"error_{k}"] = lib.losses.zero_one_error(p.argmax(axis=1), y)
        out[f"mse_{k}"] = lib.losses.mse_loss(p, onehot)[0]
    return out


# ------------------------------------------------------------------------------- task 1.5

def _labels(rng, N, K, p_right=0.6):
    y_true = rng.integers(0, K, size=N)
    y_pred = np.where(rng.random(N) < p_right, y_true, rng.integers(0, K, size=N))
    return y_true, y_pred


@scenario("1.5", cases=[dict(seed=70, N=30, K=3), dict(seed=71, N=12, K=4, n_classes=6)])
def confusion_matrix_matches(lib, rng, N, K, n_classes=None):
    """Counts with true classes in rows and predicted classes in columns."""
    y_true, y_pred = _labels(rng, N, K)
    return {"C": lib.metrics.confusion_matrix(y_true, y_pred, n_classes)}


@scenario("1.5", cases=[dict(seed=72, N=25), dict(seed=73, N=40)])
def binary_metrics_matches(lib, rng, N):
    """Accuracy, precision, recall, specificity of a 0/1 classifier (positive class 1)."""
    y_true, y_pred = _labels(rng, N, 2, p_right=0.7)
    m = lib.metrics
    return {"accuracy": m.accuracy(y_true, y_pred), "precision": m.precision(y_true, y_pred),
            "recall": m.recall(y_true, y_pred), "specificity": m.specificity(y_true, y_pred),
            "precision_of_0": m.precision(y_true, y_pred, positive=0)}


@scenario("1.5", cases=[dict(seed=74, N=40, K=3, average=None), dict(seed=75, N=30, K=4, average="macro")])
def multiclass_metrics_matches(lib, rng, N, K, average):
    """One-vs-rest precision, recall and specificity per class (average=None) or macro-averaged."""
    y_true, y_pred = _labels(rng, N, K)
    m = lib.metrics
    return {name: getattr(m, name)(y_true, y_pred, average=average)
            for name in ("precision", "recall", "specificity")}


@scenario("1.5", cases=[dict(seed=76)])
def metrics_zero_division(lib, rng):
    """Classes never predicted / never present: the 0/0 rule gives 0.0, without any warning."""
    y_true = np.array([0, 0, 1, 1, 0, 0])
    y_pred = np.array([0, 0, 0, 0, 0, 0])              # class 1 never predicted, class 2 absent
    m = lib.metrics

    def run():
        return {"precision_binary": m.precision(y_true, y_pred),
                "recall_binary": m.recall(y_true, y_pred),
                "precision_per_class": m.precision(y_true, y_pred, average=None, n_classes=3),
                "recall_per_class": m.recall(y_true, y_pred, average=None, n_classes=3),
                "specificity_all_positive": m.specificity(np.ones(4, int), np.ones(4, int))}

    out, warned = _watch(run)
    return {"numpy_warnings": warned, **out}


# ------------------------------------------------------------------------------- task 1.6

def _separable(rng, N, D, margin=0.3):
    w = rng.normal(size=D)
    w /= np.linalg.norm(w)
    b = 0.5 * rng.normal()
    x = np.empty((0, D))
    while len(x) < N:
        c = rng.uniform(-2, 2, size=(4 * N, D))
        x = np.concatenate([x, c[np.abs(c @ w + b) > margin]])
    x = x[:N]
    y = np.where(x @ w + b > 0, 1, -1)
    return x, y


@scenario("1.6", cases=[dict(seed=80, N=20, D=2), dict(seed=81, N=12, D=3, lr=0.5)])
def perceptron_fit_matches(lib, rng, N, D, lr=1.0):
    """Visiting the points in order 0..N-1: weights, bias and mistakes per epoch."""
    x, y = _separable(rng, N, D)
    w, b, mistakes = lib.perceptron.perceptron_fit(x, y, epochs=100, lr=lr)
    return {"w": np.asarray(w, dtype=float), "b": float(b),
            "mistakes_per_epoch": np.asarray(mistakes, dtype=np.int64)}


@scenario("1.6", cases=[dict(seed=82, N=15, D=2)])
def perceptron_fit_shuffled(lib, rng, N, D):
    """With ``rng``: the order of each epoch is ``rng.permutation(N)``."""
    x, y = _separable(rng, N, D)
    w, b, mistakes = lib.perceptron.perceptron_fit(x, y, epochs=100, rng=rng)
    return {"w": np.asarray(w, dtype=float), "b": float(b),
            "mistakes_per_epoch": np.asarray(mistakes, dtype=np.int64)}


def _verify_perceptron_converged(outputs, **_):
    x, y, w, b = (np.asarray(outputs[k]) for k in ("x", "y", "w", "b"))
    mistakes = list(np.asarray(outputs["mistakes_per_epoch"]).ravel())
    assert mistakes, "mistakes_per_epoch is empty: it needs one count per epoch that ran"
    assert mistakes[-1] == 0, (f"on separable data training must end with an epoch without "
                               f"mistakes; got mistakes per epoch {mistakes}")
    assert all(m > 0 for m in mistakes[:-1]), (
        f"training must stop after the FIRST epoch without mistakes; got {mistakes}")
    margins = y * (x @ w + b)
    assert np.all(margins > 0), (f"{int(np.sum(margins <= 0))} training points are still on the "
                                 "wrong side of (or on) the boundary after convergence")


@scenario("1.6", cases=[dict(seed=83, N=40, D=2), dict(seed=84, N=30, D=4)], compare="property",
          verify=_verify_perceptron_converged)
def perceptron_converges(lib, rng, N, D):
    """On separable data: ends with one epoch without mistakes, every point on its side."""
    x, y = _separable(rng, N, D)
    w, b, mistakes = lib.perceptron.perceptron_fit(x, y, epochs=1000, rng=rng)
    return {"x": x, "y": y, "w": np.asarray(w, dtype=float), "b": float(b),
            "mistakes_per_epoch": np.asarray(mistakes, dtype=np.int64)}


@scenario("1.6", cases=[dict(seed=85, epochs=7)])
def perceptron_not_separable(lib, rng, epochs):
    """XOR is not linearly separable: the perceptron runs every epoch and keeps making mistakes."""
    x = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    y = np.array([-1, -1, 1, 1])
    w, b, mistakes = lib.perceptron.perceptron_fit(x, y, epochs=epochs)
    return {"w": np.asarray(w, dtype=float), "b": float(b),
            "mistakes_per_epoch": np.asarray(mistakes, dtype=np.int64)}


# ------------------------------------------------------------------------------- properties
# Each property is one the notebook states; its message says it in words and where it fails.
# Everything a verify function reads is an input the scenario drew or an output the graded
# functions returned (the grader recomputes the rest from those, see ``checks/replay.py``).

def _verify_affine_backward(outputs, N, D, M, **_):
    x, W, dout = outputs["x"], outputs["W"], outputs["dout"]
    for name, g, shape, what in (("dx", outputs["dx"], (N, D), "x"), ("dW", outputs["dW"], (D, M), "W"),
                                 ("db", outputs["db"], (M,), "b")):
        assert isinstance(g, np.ndarray) and g.shape == shape, (
            f"{name} must have the shape of {what}, {shape}; got {shape_of(g)}")
    db, want = outputs["db"], dout.sum(axis=0)
    bad = ~np.isclose(db, want, rtol=1e-9, atol=1e-12)
    i = first_bad(bad) if bad.any() else None
    assert not bad.any(), (
        "the bias is shared by every example, so db must be dout summed over the batch (axis 0), "
        f"not averaged: db[{i}] is {db[i]:.6g}, the column sum of dout is {want[i]:.6g}")
    dW, want = outputs["dW"], x.T @ dout
    bad = ~np.isclose(dW, want, rtol=1e-9, atol=1e-12)
    i = first_bad(bad) if bad.any() else None
    assert not bad.any(), (
        "dW must be x.T @ dout, summed over the batch (the 1/N of a mean loss is already in "
        f"dout): dW{list(i)} is {dW[i]:.6g}, expected {want[i]:.6g}")
    dx, want = outputs["dx"], dout @ W.T
    bad = ~np.isclose(dx, want, rtol=1e-9, atol=1e-12)
    assert not bad.any(), (
        f"dx must be dout @ W.T: dx{list(first_bad(bad))} is {dx[first_bad(bad)]:.6g}, expected "
        f"{want[first_bad(bad)]:.6g}")


@scenario("1.1", cases=[dict(seed=5, N=5, D=3, M=4)], compare="property",
          verify=_verify_affine_backward)
def affine_backward_properties(lib, rng, N, D, M):
    """Shapes of the gradients; db sums dout over the batch; dW = x.T @ dout; dx = dout @ W.T."""
    x, W, b = rng.normal(size=(N, D)), rng.normal(size=(D, M)), rng.normal(size=M)
    dout = rng.normal(size=(N, M))
    _, cache = lib.layers.affine_forward(x, W, b)
    dx, dW, db = lib.layers.affine_backward(dout, cache)
    return {"x": x, "W": W, "dout": dout, "dx": dx, "dW": dW, "db": db}


def _verify_activation(outputs, act, alpha=None, **_):
    x, dout, out, dx = outputs["x"], outputs["dout"], outputs["out"], outputs["dx"]
    for name, v in (("out", out), ("dx", dx)):
        assert isinstance(v, np.ndarray) and v.shape == x.shape, (
            f"{name} must have the shape of x, {x.shape}; got {shape_of(v)}")
    pos, nonpos = x > 0, x <= 0

    def require(ok, text, got, want=None):
        bad = ~ok
        if bad.any():
            i = first_bad(bad)
            detail = f"at index {i} the input is {x[i]:.6g}, {got} is {np.asarray(got_of[got])[i]:.6g}"
            if want is not None:
                detail += f", expected {np.asarray(want)[i]:.6g}"
            raise AssertionError(f"{text}: {detail}")

    got_of = {"out": out, "dx": dx}
    close = lambda a, b: np.isclose(a, b, rtol=1e-9, atol=1e-12)  # noqa: E731
    if act == "relu":
        require(close(out, np.where(pos, x, 0.0)), "ReLU must give x where x > 0 and 0 elsewhere "
                "(never negative)", "out", np.where(pos, x, 0.0))
        require(~nonpos | (dx == 0), "ReLU backward must be 0 where the input is <= 0 (relu'(0) "
                "= 0 by the course's convention)", "dx", np.zeros_like(x))
        require(~pos | close(dx, dout), "ReLU backward must pass dout unchanged where the input is "
                "> 0 (it multiplies by 1, not by the input)", "dx", dout)
    elif act == "leaky_relu":
        a = 0.01 if alpha is None else alpha
        require(close(out, np.where(pos, x, a * x)), f"leaky ReLU must give x where x > 0 and "
                f"alpha * x elsewhere (alpha = {a})", "out", np.where(pos, x, a * x))
        require(close(dx, np.where(pos, dout, a * dout)), f"leaky ReLU backward must be dout "
                f"where the input is > 0 and alpha * dout where it is <= 0 (alpha = {a}, also at "
                f"0)", "dx", np.where(pos, dout, a * dout))
    elif act == "sigmoid":
        require((out > 0) & (out < 1), "the sigmoid's output must lie strictly between 0 and 1 "
                "for these inputs", "out")
        require(close(dx, dout * out * (1 - out)), "sigmoid backward must be dout * s * (1 - s), "
                "with s the forward's output", "dx", dout * out * (1 - out))
    elif act == "tanh":
        require((out > -1) & (out < 1) & close(out * np.sign(x), np.abs(out)), "tanh's output "
                "must lie strictly between -1 and 1, with the sign of x", "out")
        require(close(dx, dout * (1 - out ** 2)), "tanh backward must be dout * (1 - tanh(x)**2), "
                "from the forward's output", "dx", dout * (1 - out ** 2))
    elif act == "elu":
        a = 1.0 if alpha is None else alpha
        require(~pos | close(out, x), "ELU must give x where x > 0", "out", x)
        require(~nonpos | ((out > -a) & (out <= 0)), f"ELU must give alpha * (exp(x) - 1), "
                f"between -alpha and 0, where x <= 0 (alpha = {a}; 0 at x = 0)", "out")
        want = np.where(pos, dout, dout * (out + a))
        require(close(dx, want), f"ELU backward must be dout where x > 0 and dout * (out + "
                f"alpha) = dout * alpha * exp(x) where x <= 0 (alpha = {a})", "dx", want)


@scenario("1.2", cases=[dict(seed=17, act="relu", N=4, D=6), dict(seed=18, act="leaky_relu", N=4,
                                                                  D=6, alpha=0.2),
                        dict(seed=19, act="sigmoid", N=3, D=5), dict(seed=27, act="tanh", N=3, D=5),
                        dict(seed=28, act="elu", N=4, D=6, alpha=0.5)],
          compare="property", verify=_verify_activation)
def activation_properties(lib, rng, act, N, D, alpha=None):
    """The activation's pieces (where x > 0 and where x <= 0, with exact zeros) and its backward
    pass in terms of its own output, as the notebook's table states them."""
    fwd, bwd = _act(lib, act)
    x = _with_zeros(rng, N, D)
    dout = rng.normal(size=(N, D))
    out, cache = fwd(x, **_act_kwargs(act, alpha))
    return {"x": x, "dout": dout, "out": out, "dx": bwd(dout, cache)}


def _verify_softmax(outputs, N, C, **_):
    s, y, probs, shifted = outputs["scores"], outputs["y"], outputs["probs"], outputs["probs_shifted"]
    assert isinstance(probs, np.ndarray) and probs.shape == (N, C), \
        f"softmax must return an array of the shape of the scores, {(N, C)}; got {shape_of(probs)}"
    sums = probs.sum(axis=1)
    bad = ~np.isclose(sums, 1.0, rtol=0, atol=1e-12)
    assert not bad.any(), (
        f"every row of softmax(scores) must sum to 1 (one distribution per example, over its "
        f"classes: axis 1): row {first_bad(bad)} sums to {sums[first_bad(bad)]:.6g}")
    bad = ~((probs > 0) & (probs <= 1))
    i = first_bad(bad) if bad.any() else None
    assert not bad.any(), f"every probability must lie in (0, 1]: probs{list(i)} is {probs[i]:.6g}"
    bad = ~np.isclose(shifted, probs, rtol=1e-9, atol=1e-15)
    assert not bad.any(), (
        "softmax must not change when a constant is added to a row of scores (softmax(s) = "
        f"softmax(s - c)): row {first_bad(bad)[0]} changes")
    loss, dscores = outputs["loss"], outputs["dscores"]
    assert np.ndim(loss) == 0, f"the loss must be a single number; got {shape_of(loss)}"
    assert float(loss) >= 0, f"a cross-entropy is never negative (-log p with p <= 1); got {float(loss):.6g}"
    want = float(-np.mean(np.log(probs[np.arange(N), y])))
    assert np.isclose(float(loss), want, rtol=1e-9, atol=1e-12), (
        f"the loss must be the MEAN over the batch of -ln p[y] (natural log): got {float(loss):.6g}, "
        f"your softmax gives {want:.6g}")
    assert isinstance(dscores, np.ndarray) and dscores.shape == (N, C), \
        f"dscores must have the shape of the scores, {(N, C)}; got {shape_of(dscores)}"
    sums = dscores.sum(axis=1)
    bad = ~np.isclose(sums, 0.0, rtol=0, atol=1e-12)
    assert not bad.any(), (
        f"every row of dscores must sum to 0 (it is (p - onehot(y)) / N, and both sum to 1): row "
        f"{first_bad(bad)} sums to {sums[first_bad(bad)]:.6g}")
    want = (probs - np.eye(C)[y]) / N
    bad = ~np.isclose(dscores, want, rtol=1e-9, atol=1e-12)
    assert not bad.any(), (
        f"dscores must be (softmax(scores) - onehot(y)) / N: dscores{list(first_bad(bad))} is "
        f"{dscores[first_bad(bad)]:.6g}, expected {want[first_bad(bad)]:.6g}")


@scenario("1.3", cases=[dict(seed=59, N=6, C=4)], compare="property", verify=_verify_softmax)
def softmax_properties(lib, rng, N, C):
    """Rows of softmax sum to 1, probabilities in (0, 1], invariance to a shift of a row; the loss
    is >= 0 and the mean of -ln p[y]; rows of dscores sum to 0 and it is (p - onehot) / N."""
    s = 2.0 * rng.normal(size=(N, C))
    y = rng.integers(0, C, size=N)
    shift = 5.0 * rng.normal(size=(N, 1))
    probs = lib.losses.softmax(s)
    loss, dscores = lib.losses.softmax_cross_entropy(s, y)
    return {"scores": s, "y": y, "probs": probs, "probs_shifted": lib.losses.softmax(s + shift),
            "loss": loss, "dscores": dscores}


def _verify_regression_loss(outputs, loss, N, K, **_):
    pred, target = outputs["pred"], outputs["target"]
    value, grad = outputs["value"], outputs["grad"]
    assert np.ndim(value) == 0, f"the loss must be a single number; got {shape_of(value)}"
    assert isinstance(grad, np.ndarray) and grad.shape == pred.shape, \
        f"dpred must have the shape of pred, {pred.shape}; got {shape_of(grad)}"
    value = float(value)
    assert value >= 0, f"a {loss.upper()} is never negative; got {value:.6g}"
    at_target = outputs["at_target"]
    assert float(at_target[0]) == 0 and np.all(np.asarray(at_target[1]) == 0), (
        f"at pred == target the {loss.upper()} and its gradient must be exactly 0; got loss "
        f"{float(at_target[0]):.6g}")
    assert np.isclose(float(outputs["doubled_batch"]), value, rtol=1e-9), (
        f"the {loss.upper()} is a MEAN over the examples: the batch repeated twice must give the "
        f"same loss; got {float(outputs['doubled_batch']):.6g}, the batch alone {value:.6g}")
    per_entry = float(outputs["flattened"])
    assert np.isclose(value, K * per_entry, rtol=1e-9), (
        f"the {loss.upper()} SUMS over the {K} outputs of an example (then averages over the "
        f"examples): with (N, K) = ({N}, {K}) it must be {K} times the loss of the same errors "
        f"laid out as N * K examples of one output, {K} * {per_entry:.6g} = {K * per_entry:.6g}; "
        f"got {value:.6g}")
    err = pred - target
    want = 2 * err / N if loss == "mse" else np.sign(err) / N
    formula = "2 * (pred - target) / N" if loss == "mse" else "sign(pred - target) / N"
    bad = ~np.isclose(grad, want, rtol=1e-9, atol=1e-12)
    i = first_bad(bad) if bad.any() else None
    assert not bad.any(), (
        f"the {loss.upper()}'s gradient must be {formula} (N = {N} examples): "
        f"dpred{list(i)} is {grad[i]:.6g}, expected {want[i]:.6g}")


@scenario("1.4", cases=[dict(seed=86, loss="mse", N=5, K=3), dict(seed=87, loss="mae", N=4, K=2)],
          compare="property", verify=_verify_regression_loss)
def regression_loss_properties(lib, rng, loss, N, K):
    """Non-negative, 0 at the target, a mean over the examples of a sum over their outputs, and
    the stated gradient."""
    fn = getattr(lib.losses, f"{loss}_loss")
    pred, target = rng.normal(size=(N, K)), rng.normal(size=(N, K))
    value, grad = fn(pred, target)
    return {"pred": pred, "target": target, "value": value, "grad": grad,
            "at_target": fn(target.copy(), target),
            "doubled_batch": fn(np.concatenate([pred, pred]), np.concatenate([target, target]))[0],
            "flattened": fn(pred.reshape(-1), target.reshape(-1))[0]}


def _verify_confusion(outputs, N, K, **_):
    y_true, y_pred, C = outputs["y_true"], outputs["y_pred"], outputs["C"]
    assert isinstance(C, np.ndarray) and C.shape == (K, K), \
        f"the confusion matrix must have shape (n_classes, n_classes) = {(K, K)}; got {shape_of(C)}"
    assert int(C.sum()) == N, f"the confusion matrix must count every example once: it sums to {C.sum()}, not N = {N}"
    rows, true_counts = C.sum(axis=1), np.bincount(y_true, minlength=K)
    bad = rows != true_counts
    i = first_bad(bad) if bad.any() else None
    assert not bad.any(), (
        f"rows are TRUE classes: row {i} must sum to the {true_counts[i]} examples of class {i}; "
        f"it sums to {rows[i]}")
    cols, pred_counts = C.sum(axis=0), np.bincount(y_pred, minlength=K)
    bad = cols != pred_counts
    i = first_bad(bad) if bad.any() else None
    assert not bad.any(), (
        f"columns are PREDICTED classes: column {i} must sum to the {pred_counts[i]} predictions "
        f"of class {i}; it sums to {cols[i]}")
    acc = float(outputs["accuracy"])
    assert np.isclose(acc, np.trace(C) / N, rtol=1e-12), (
        f"accuracy must be the diagonal of the confusion matrix over N, {np.trace(C) / N:.6g}; "
        f"got {acc:.6g}")
    for name, denominator in (("recall", rows), ("precision", cols)):
        got = np.asarray(outputs[name], dtype=np.float64)
        assert got.shape == (K,), f"{name}(average=None) must give one score per class, shape {(K,)}; got {got.shape}"
        want = np.divide(np.diag(C), denominator, out=np.zeros(K), where=denominator > 0)
        bad = ~np.isclose(got, want, rtol=1e-12)
        i = first_bad(bad) if bad.any() else None
        assert not bad.any(), (
            f"{name} of class c is C[c, c] over the sum of {'row' if name == 'recall' else 'column'} "
            f"c: class {i} has {got[i]:.6g}, expected {want[i]:.6g}")
    spec = np.asarray(outputs["specificity"], dtype=np.float64)
    assert spec.shape == (K,), \
        f"specificity(average=None) must give one score per class, shape {(K,)}; got {spec.shape}"
    tn = N - rows - cols + np.diag(C)                 # neither true c nor predicted c
    negatives = N - rows
    want = np.divide(tn, negatives, out=np.zeros(K), where=negatives > 0)
    bad = ~np.isclose(spec, want, rtol=1e-12)
    i = first_bad(bad) if bad.any() else None
    assert not bad.any(), (
        "specificity of class c is TN / (TN + FP): the examples that are not c and not predicted "
        f"c, over all examples that are not c: class {i} has {spec[i]:.6g}, expected {want[i]:.6g}")


@scenario("1.5", cases=[dict(seed=77, N=40, K=3)], compare="property", verify=_verify_confusion)
def confusion_matrix_properties(lib, rng, N, K):
    """Rows count the true classes, columns the predictions; accuracy is the diagonal over N;
    recall and precision divide the diagonal by the row and the column sums."""
    y_true, y_pred = _labels(rng, N, K)
    m = lib.metrics
    return {"y_true": y_true, "y_pred": y_pred, "C": m.confusion_matrix(y_true, y_pred, K),
            "accuracy": m.accuracy(y_true, y_pred),
            "recall": m.recall(y_true, y_pred, average=None, n_classes=K),
            "precision": m.precision(y_true, y_pred, average=None, n_classes=K),
            "specificity": m.specificity(y_true, y_pred, average=None, n_classes=K)}
