"""Public scenarios of assignment 06 (dropout): tasks 6.1 ``dropout_forward``, 6.2 ``dropout_backward``.

Dropout is random, so most scenarios are "property" scenarios: they do not depend on how a
submission draws its mask (``rng.random``, ``rng.binomial``, ``rng.uniform`` ...), only on what
any correct inverted dropout must satisfy:

- the kept fraction lies within a binomial confidence bound (6 standard deviations) of ``1 - p``;
- kept units are ``x / (1 - p)``, dropped ones are 0;
- every example has its own coins (no column of the mask is shared by all rows);
- the mean output over many rows stays within 6 standard errors of ``x`` (expectation preserved);
- the backward uses the forward's mask and scale: ``dx`` is 0 exactly where ``out`` is, and
  ``dx * x == out * dout`` elementwise;
- test mode, and ``p = 0`` in training mode, are the identity in both directions; test mode
  draws nothing from ``rng`` (it may be ``None`` then).

The binomial bounds are 6 standard deviations wide: a correct dropout fails one of them with a
probability of about 2e-9 per bound (exact binomial tails of the public cases).
"""

import numpy as np

from ..gradients import numerical_gradient
from ..scenario import scenario
from ._common import first_bad, shape_of


def _binomial_bound(n, q, z=6.0):
    return z * np.sqrt(q * (1 - q) / n) + 1e-12


def _verify_kept_fraction(outputs, p, N, D, **_):
    out, x = np.asarray(outputs["out"]), np.asarray(outputs["x"])
    assert out.shape == x.shape, f"out must have the shape of x {x.shape}; got {out.shape}"
    q = 1.0 - p
    kept = out != 0
    frac = float(kept.mean())
    bound = _binomial_bound(x.size, q)
    if abs(frac - q) > bound:
        hint = ""
        if abs(frac - p) <= _binomial_bound(x.size, p):
            hint = (f" It is close to p = {p}: p is the probability of DROPPING a unit, so a unit "
                    f"is kept with probability 1 - p.")
        raise AssertionError(f"with p = {p}, {frac:.4f} of the units were kept; expected "
                             f"1 - p = {q:.4f} within +-{bound:.4f} (binomial bound, 6 sd).{hint}")
    scale = out[kept] / x[kept]
    if not np.allclose(scale, 1.0 / q, rtol=1e-9, atol=0):
        s = float(np.median(scale))
        hint = ""
        if np.isclose(s, 1.0):
            hint = " The kept units were not rescaled: inverted dropout divides them by 1 - p."
        elif np.isclose(s, 1.0 / p if p else np.inf):
            hint = " They were divided by p; divide by the KEEP probability 1 - p."
        raise AssertionError(f"kept units must be x / (1 - p) = x * {1 / q:.4f}; got x * {s:.4f}.{hint}")


@scenario("6.1", cases=[dict(seed=0, N=200, D=50, p=0.2), dict(seed=1, N=100, D=30, p=0.7)],
          compare="property", verify=_verify_kept_fraction)
def dropout_kept_fraction(lib, rng, N, D, p):
    x = rng.uniform(0.5, 2.0, size=(N, D))
    out, _ = lib.dropout.dropout_forward(x, p, rng, train=True)
    return {"x": x, "out": out}


def _verify_per_unit(outputs, N, D, **_):
    kept = np.asarray(outputs["out"]) != 0
    assert kept.shape == (N, D), f"out must have shape {(N, D)}; got {kept.shape}"
    shared = np.all(kept == kept[:1], axis=0)
    if shared.sum() > 0:
        raise AssertionError(
            f"{int(shared.sum())} of {D} units are kept or dropped for all {N} examples at once: "
            "the mask looks like one coin per feature, of shape (D,), shared by every row. Draw one "
            "coin per example AND unit, a mask of shape (N, D).")
    patterns = len({row.tobytes() for row in kept})
    assert patterns > N // 2, (f"only {patterns} different keep patterns among {N} examples: "
                               "each example needs its own, independent mask")


@scenario("6.1", cases=[dict(seed=2, N=120, D=16, p=0.5)], compare="property", verify=_verify_per_unit)
def dropout_mask_per_unit(lib, rng, N, D, p):
    out, _ = lib.dropout.dropout_forward(np.ones((N, D)), p, rng, train=True)
    return {"out": out}


def _verify_expectation(outputs, p, N, **_):
    out, x = np.asarray(outputs["out"]), np.asarray(outputs["x"])
    assert out.shape == (N, x.shape[1]), f"out must have shape {(N, x.shape[1])}; got {out.shape}"
    mean = out.mean(axis=0)
    se = np.abs(x[0]) * np.sqrt(p / (1 - p) / N)          # sd of x m / q is |x| sqrt(p / q)
    bad = np.abs(mean - x[0]) > 6 * se + 1e-12
    if bad.any():
        j = first_bad(bad)
        ratio = mean[j] / x[0, j]
        raise AssertionError(
            f"the mean of out over {N} draws must stay within 6 standard errors of x (dropout "
            f"preserves the expectation); unit {j}: mean {mean[j]:.4f}, x {x[0, j]:.4f} "
            f"(ratio {ratio:.3f}; 1 - p = {1 - p:.3f})")


@scenario("6.1", cases=[dict(seed=3, N=4000, D=5, p=0.3)], compare="property",
          verify=_verify_expectation)
def dropout_expectation(lib, rng, N, D, p):
    row = rng.normal(size=(1, D)) + np.where(rng.random((1, D)) < 0.5, -1.0, 1.0)
    x = np.repeat(row, N, axis=0)
    out, _ = lib.dropout.dropout_forward(x, p, rng, train=True)
    return {"x": row, "out": out}


@scenario("6.1", cases=[dict(seed=4, N=5, D=7, p=0.5), dict(seed=5, N=3, D=2, p=0.9)])
def dropout_test_mode(lib, rng, N, D, p):
    x = rng.normal(size=(N, D))
    out, _ = lib.dropout.dropout_forward(x, p, rng, train=False)
    return {"out": out}


@scenario("6.1", cases=[dict(seed=6, N=4, D=6)])
def dropout_p_zero(lib, rng, N, D):
    x = rng.normal(size=(N, D))
    out, _ = lib.dropout.dropout_forward(x, 0.0, rng, train=True)
    return {"out": out}


def _verify_backward(outputs, **_):
    x, out, dout, dx = (np.asarray(outputs[k]) for k in ("x", "out", "dout", "dx"))
    assert dx.shape == x.shape, \
        f"dx must have the shape of x {x.shape}; got {shape_of(outputs['dx'])}"
    wrong = (dx == 0) != (out == 0)
    if wrong.any():
        i, j = first_bad(wrong)
        what = "dropped" if out[i, j] == 0 else "kept"
        raise AssertionError(
            f"dx must be 0 exactly where the forward dropped a unit, and only there "
            f"({int(wrong.sum())} of {wrong.size} positions differ): at [{i}, {j}] the forward "
            f"{what} the unit (out = {out[i, j]:.4g}) but dx = {dx[i, j]:.4g}. The backward must "
            "reuse the forward's mask from the cache, not draw a new one")
    bad = ~np.isclose(dx * x, out * dout, rtol=1e-9, atol=1e-12)
    if bad.any():
        i, j = first_bad(bad)
        raise AssertionError(
            "a kept unit must pass dout scaled like the forward scaled x, dout / (1 - p) = dout * "
            f"{out[i, j] / x[i, j]:.4f}: at [{i}, {j}] dx = dout * {dx[i, j] / dout[i, j]:.4f}")


@scenario("6.2", cases=[dict(seed=7, N=30, D=20, p=0.4), dict(seed=8, N=9, D=3, p=0.8)],
          compare="property", verify=_verify_backward)
def dropout_backward_mask(lib, rng, N, D, p):
    x = rng.uniform(0.5, 2.0, size=(N, D)) * np.where(rng.random((N, D)) < 0.5, -1.0, 1.0)
    out, cache = lib.dropout.dropout_forward(x, p, rng, train=True)
    dout = rng.uniform(0.5, 2.0, size=(N, D))
    dx = lib.dropout.dropout_backward(dout, cache)
    return {"x": x, "out": out, "dout": dout, "dx": dx}


@scenario("6.2", cases=[dict(seed=9, N=4, D=5, p=0.5)])
def dropout_backward_test_mode(lib, rng, N, D, p):
    """In test mode the backward is the identity: dx == dout."""
    x = rng.normal(size=(N, D))
    dout = rng.normal(size=(N, D))          # drawn first: the forward may consume rng
    _, cache = lib.dropout.dropout_forward(x, p, rng, train=False)
    return {"dx": lib.dropout.dropout_backward(dout, cache)}


@scenario("6.2", cases=[dict(seed=10, N=3, D=4, p=0.3)], compare="gradcheck", rtol=1e-7)
def dropout_gradcheck(lib, rng, N, D, p):
    """With the same seed the mask is the same, so the forward is a linear function of x."""
    x = rng.normal(size=(N, D))
    dout = rng.normal(size=(N, D))
    mask_seed = int(rng.integers(2**31))

    def f(z):
        out, _ = lib.dropout.dropout_forward(z, p, np.random.default_rng(mask_seed), train=True)
        return float(np.sum(out * dout))

    _, cache = lib.dropout.dropout_forward(x, p, np.random.default_rng(mask_seed), train=True)
    dx = lib.dropout.dropout_backward(dout, cache)
    return {"dx": dx, "dx_num": numerical_gradient(f, x)}


def _assert_equal(got, want, got_name, want_name, rule, hint):
    """``got`` equals ``want`` (same shape, values to rtol 1e-12), or an AssertionError naming
    ``rule``, the first index where they differ, both values and ``hint(got)``."""
    assert isinstance(got, np.ndarray) and got.shape == want.shape, (
        f"{got_name} must have the shape of {want_name}, {want.shape}; got {shape_of(got)}")
    bad = ~np.isclose(got, want, rtol=1e-12, atol=0)
    if bad.any():
        i, j = first_bad(bad)
        raise AssertionError(f"{rule}: {got_name}[{i}, {j}] is {got[i, j]:.6g}, "
                             f"{want_name}[{i}, {j}] is {want[i, j]:.6g}{hint(got)}")


def _verify_identities(outputs, p, **_):
    x = outputs["x"]

    def dropped(out):
        if np.any(out[x != 0] == 0):
            return " (units were dropped: no mask at test time, and none at p = 0)"
        return ""

    def hint(out):
        if np.allclose(out, (1 - p) * x, rtol=1e-9):
            return (" (multiplied by 1 - p: that is the original dropout's test rule; inverted "
                    "dropout already divided by 1 - p in training)")
        return dropped(out)

    _assert_equal(outputs["out_test"], x, "out", "x",
                  f"in test mode (train=False) dropout is the identity, with nothing dropped and "
                  f"nothing scaled: out must equal x (p = {p})", hint)
    assert outputs["test_mode_leaves_rng"] is True, (
        "test mode must not draw from rng: it is used only in training mode and may be "
        "None at test time (the notebook calls dropout_forward(x, p, None, train=False))")
    _assert_equal(outputs["out_p0"], x, "out", "x",
                  "with p = 0 no unit is dropped and 1 / (1 - p) = 1: training mode must give "
                  "back x", dropped)


@scenario("6.1", cases=[dict(seed=14, N=4, D=6, p=0.5), dict(seed=15, N=3, D=5, p=0.2)],
          compare="property", verify=_verify_identities)
def dropout_identities(lib, rng, N, D, p):
    """Test mode is the identity and leaves the generator alone; p = 0 is the identity in
    training mode."""
    x = rng.normal(size=(N, D))
    g = np.random.default_rng(int(rng.integers(2**31)))
    before = g.bit_generator.state
    out_test, _ = lib.dropout.dropout_forward(x, p, g, train=False)
    left = g.bit_generator.state == before
    out_p0, _ = lib.dropout.dropout_forward(x, 0.0, g, train=True)
    return {"x": x, "out_test": out_test, "test_mode_leaves_rng": bool(left), "out_p0": out_p0}


def _verify_backward_identities(outputs, p, **_):
    dout = outputs["dout"]

    def hint(dx):
        if np.allclose(dx, (1 - p) * dout, rtol=1e-9):
            return " (multiplied by 1 - p: test mode scales nothing, forward or backward)"
        return ""

    _assert_equal(outputs["dx_test"], dout, "dx", "dout",
                  "in test mode the forward is the identity, so the backward is too: dx must "
                  f"equal dout (p = {p})", hint)
    _assert_equal(outputs["dx_p0"], dout, "dx", "dout",
                  "with p = 0 nothing is dropped and nothing scaled: dx must equal dout",
                  lambda dx: "")


@scenario("6.2", cases=[dict(seed=16, N=4, D=6, p=0.5), dict(seed=17, N=3, D=5, p=0.2)],
          compare="property", verify=_verify_backward_identities)
def dropout_backward_identities(lib, rng, N, D, p):
    """With the caches of your own forward: the backward of test mode and of p = 0 is the
    identity, dx = dout."""
    x, dout = rng.normal(size=(N, D)), rng.normal(size=(N, D))
    g = np.random.default_rng(int(rng.integers(2**31)))
    _, cache = lib.dropout.dropout_forward(x, p, g, train=False)
    dx_test = lib.dropout.dropout_backward(dout, cache)
    _, cache = lib.dropout.dropout_forward(x, 0.0, g, train=True)
    return {"dout": dout, "dx_test": dx_test, "dx_p0": lib.dropout.dropout_backward(dout, cache)}


# ---- Summaries that do not depend on the random stream, compared exactly with the reference ----
# (so that a wrong submission can be told which known mistake it made, whatever its draws)

def _share(frac, n, p):
    """Which keep probability a kept fraction is consistent with (6-sd binomial bound)."""
    if abs(frac - (1 - p)) <= _binomial_bound(n, 1 - p):
        return "1 - p"
    if abs(frac - p) <= _binomial_bound(n, p):
        return "p"
    return "neither 1 - p nor p"


@scenario("6.1", cases=[dict(seed=11, N=200, D=40, p=0.25)])
def dropout_keep_rule(lib, rng, N, D, p):
    """Which share of units is kept, and by how much a kept unit is multiplied."""
    x = rng.uniform(0.5, 2.0, size=(N, D)) * np.where(rng.random((N, D)) < 0.5, -1.0, 1.0)
    out, _ = lib.dropout.dropout_forward(x, p, rng, train=True)
    out = np.asarray(out, dtype=np.float64)
    kept = out != 0
    scale = float(np.median(out[kept] / x[kept])) if kept.any() else 0.0
    return {"kept_share": _share(float(kept.mean()), x.size, p), "kept_multiplier": scale}


@scenario("6.1", cases=[dict(seed=12, N=100, D=12, p=0.5)])
def dropout_mask_shared_by_rows(lib, rng, N, D, p):
    """Does any unit get the same coin for every example (a mask of shape (D,))?"""
    out, _ = lib.dropout.dropout_forward(np.ones((N, D)), p, rng, train=True)
    kept = np.asarray(out) != 0
    return {"mask_shared_by_all_rows": bool(np.all(kept == kept[:1], axis=0).any())}


@scenario("6.2", cases=[dict(seed=13, N=60, D=20, p=0.4)])
def dropout_backward_rule(lib, rng, N, D, p):
    """Does the backward drop exactly the forward's units, and scale the others as the forward did?
    Judged against the submission's own forward, so a wrong forward costs no 6.2 points."""
    x = rng.uniform(0.5, 2.0, size=(N, D))
    out, cache = lib.dropout.dropout_forward(x, p, rng, train=True)
    dout = rng.uniform(0.5, 2.0, size=(N, D))
    dx = np.asarray(lib.dropout.dropout_backward(dout, cache), dtype=np.float64)
    kept = np.asarray(out) != 0
    same = bool(dx.shape == kept.shape and np.array_equal(dx != 0, kept))
    ratio = (dx[kept] / dout[kept]) / (np.asarray(out)[kept] / x[kept]) if same and kept.any() else [0.0]
    return {"zeros_where_forward_dropped": same,
            "backward_multiplier_over_forward_multiplier": float(np.median(ratio))}
