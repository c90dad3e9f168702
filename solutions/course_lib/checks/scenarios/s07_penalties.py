"""Public scenarios of assignment 07 (weight penalties): tasks 7.1 L2, 7.2 L1, 7.3 elastic net and
7.4 ``add_penalty``.

The constants are the ones stated in ``course_lib.penalties``: L2 = lam / 2 * sum(W**2) (gradient
lam * W), L1 = lam * sum|W| (subgradient 0 at 0), elastic net = lam * (r * sum|W| + (1 - r) / 2 *
sum(W**2)). The "gradcheck" scenarios compare each returned gradient with finite differences of
the returned value, so a value and a gradient that disagree with each other are caught even when
the student chose another constant.
"""

import numpy as np

from ..gradients import numerical_gradient
from ..scenario import scenario


def _weights(rng, shapes, zeros=0.0):
    ws = [rng.normal(size=s) for s in shapes]
    if zeros:
        ws = [np.where(rng.random(w.shape) < zeros, 0.0, w) for w in ws]
    return ws


def _away_from_zero(rng, shapes):
    """Weights with |w| >= 0.1, where |w| is differentiable and finite differences are exact."""
    return [rng.uniform(0.1, 1.5, size=s) * np.where(rng.random(s) < 0.5, -1.0, 1.0) for s in shapes]


def _gradcheck(fn, ws):
    """Analytic gradients of ``fn(ws) -> (value, grads)`` next to finite differences of its value."""
    _, grads = fn(ws)
    out = {}
    for k, W in enumerate(ws):
        def f(z, k=k):
            return fn([z if i == k else w for i, w in enumerate(ws)])[0]
        out[f"dW{k + 1}"] = grads[k]
        out[f"dW{k + 1}_num"] = numerical_gradient(f, W)
    return out


def _value_grads(value, grads):
    return {"value": value, "grads": list(grads)}


SHAPES = [(3, 4), (4, 2)]


# ---- 7.1 L2 ---------------------------------------------------------------------------------

@scenario("7.1", cases=[dict(seed=0, lam=0.1), dict(seed=1, lam=2.5)])
def l2_penalty_matches(lib, rng, lam):
    return _value_grads(*lib.penalties.l2_penalty(_weights(rng, SHAPES), lam))


@scenario("7.1", cases=[dict(seed=2)])
def l2_penalty_constant(lib, rng):
    """By hand: W = [[3, 4]], lam = 0.5 -> value 0.5 / 2 * 25 = 6.25, gradient 0.5 * W."""
    return _value_grads(*lib.penalties.l2_penalty([np.array([[3.0, 4.0]])], 0.5))


@scenario("7.1", cases=[dict(seed=3, lam=0.7)], compare="gradcheck", rtol=1e-7)
def l2_penalty_gradcheck(lib, rng, lam):
    return _gradcheck(lambda ws: lib.penalties.l2_penalty(ws, lam), _weights(rng, SHAPES))


# ---- 7.2 L1 ---------------------------------------------------------------------------------

@scenario("7.2", cases=[dict(seed=4, lam=0.1), dict(seed=5, lam=1.5)])
def l1_penalty_matches(lib, rng, lam):
    return _value_grads(*lib.penalties.l1_penalty(_weights(rng, SHAPES, zeros=0.3), lam))


@scenario("7.2", cases=[dict(seed=6)])
def l1_subgradient_at_zero(lib, rng):
    """The subgradient of |w| at w = 0 is taken as 0."""
    return _value_grads(*lib.penalties.l1_penalty([np.array([[0.0, -2.0], [0.5, 0.0]])], 0.3))


@scenario("7.2", cases=[dict(seed=7, lam=0.4)], compare="gradcheck", rtol=1e-7)
def l1_penalty_gradcheck(lib, rng, lam):
    return _gradcheck(lambda ws: lib.penalties.l1_penalty(ws, lam), _away_from_zero(rng, SHAPES))


# ---- 7.3 elastic net ------------------------------------------------------------------------

@scenario("7.3", cases=[dict(seed=8, lam=0.2, l1_ratio=0.3), dict(seed=9, lam=1.0, l1_ratio=0.9)])
def elastic_net_matches(lib, rng, lam, l1_ratio):
    return _value_grads(*lib.penalties.elastic_net_penalty(_weights(rng, SHAPES, zeros=0.2), lam, l1_ratio))


@scenario("7.3", cases=[dict(seed=10, lam=0.5)])
def elastic_net_endpoints(lib, rng, lam):
    """l1_ratio = 1 is the L1 penalty, l1_ratio = 0 the L2 penalty (with its 1/2)."""
    ws = _weights(rng, SHAPES)
    v1, g1 = lib.penalties.elastic_net_penalty(ws, lam, 1.0)
    v0, g0 = lib.penalties.elastic_net_penalty(ws, lam, 0.0)
    return {"value_ratio_1": v1, "grads_ratio_1": list(g1), "value_ratio_0": v0, "grads_ratio_0": list(g0)}


@scenario("7.3", cases=[dict(seed=11, lam=0.6, l1_ratio=0.25)], compare="gradcheck", rtol=1e-7)
def elastic_net_gradcheck(lib, rng, lam, l1_ratio):
    return _gradcheck(lambda ws: lib.penalties.elastic_net_penalty(ws, lam, l1_ratio),
                      _away_from_zero(rng, SHAPES))


# ---- 7.4 add_penalty ------------------------------------------------------------------------

def _params(rng, sizes, norm=False):
    params = {}
    for k, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        params[f"W{k}"] = rng.normal(size=(a, b))
        params[f"b{k}"] = rng.normal(size=b)
        if norm and k < len(sizes) - 1:
            params[f"gamma{k}"] = rng.uniform(0.5, 1.5, size=b)
            params[f"beta{k}"] = rng.normal(size=b)
    return params


def _plain_l2(lam):
    """An L2 penalty written here (not the student's), that accepts arrays of any shape."""
    return lambda ws: (0.5 * lam * sum(float(np.sum(w * w)) for w in ws), [lam * w for w in ws])


@scenario("7.4", cases=[dict(seed=12, lam=0.3, norm=True), dict(seed=13, lam=0.05, norm=False)])
def add_penalty_matches(lib, rng, lam, norm):
    params = _params(rng, [4, 5, 3, 2], norm=norm)
    grads = {k: rng.normal(size=v.shape) for k, v in params.items()}
    loss, total = lib.penalties.add_penalty(1.25, grads, params, _plain_l2(lam))
    return {"loss": loss, "grads": total}


def _verify_pure(outputs, **_):
    assert outputs["params_unchanged"], "add_penalty must not modify params"
    assert outputs["grads_unchanged"], "add_penalty must not modify grads: return a new dict"
    assert outputs["same_keys"], "total_grads must have exactly the keys of params"
    assert outputs["same_shapes"], "each total gradient must have its parameter's shape"


@scenario("7.4", cases=[dict(seed=14)], compare="property", verify=_verify_pure)
def add_penalty_pure(lib, rng):
    params = _params(rng, [3, 4, 2], norm=True)
    grads = {k: rng.normal(size=v.shape) for k, v in params.items()}
    p0 = {k: v.copy() for k, v in params.items()}
    g0 = {k: v.copy() for k, v in grads.items()}
    _, total = lib.penalties.add_penalty(0.5, grads, params, _plain_l2(0.1))
    return {"params_unchanged": all(np.array_equal(params[k], p0[k]) for k in p0),
            "grads_unchanged": all(np.array_equal(grads[k], g0[k]) for k in g0),
            "same_keys": isinstance(total, dict) and set(total) == set(params),
            "same_shapes": isinstance(total, dict) and all(
                np.shape(total.get(k)) == v.shape for k, v in params.items())}
