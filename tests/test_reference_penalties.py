"""Tests of the reference penalties (solutions/course_lib/penalties.py, tasks 7.1-7.4).

The constant convention is tested here once, visibly: L2 = lam/2 * sum(W**2) with gradient
lam * W; L1 = lam * sum|W| with subgradient 0 at 0; elastic net = lam * (r * L1 + (1-r)/2 * L2).
"""

import numpy as np
import pytest
from autograder.reference import ref as REF   # for @given tests (no function-scoped fixture)
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays


def _weights(seed=0, shapes=((3, 4), (4, 2))):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=s) for s in shapes]


def _numgrad(f, weights, h=1e-6):
    out = []
    for k, W in enumerate(weights):
        g = np.zeros_like(W)
        for idx in np.ndindex(W.shape):
            wp = [w.copy() for w in weights]; wm = [w.copy() for w in weights]
            wp[k][idx] += h; wm[k][idx] -= h
            g[idx] = (f(wp) - f(wm)) / (2 * h)
        out.append(g)
    return out


def _rel(a, b):
    return max(np.max(np.abs(x - y) / np.maximum(1e-12, np.abs(x) + np.abs(y))) for x, y in zip(a, b))


def test_l2_constant_is_one_half(ref):
    value, grads = ref.penalties.l2_penalty([np.array([[3.0, 4.0]]), np.array([[1.0], [0.0]])], 0.2)
    assert value == pytest.approx(0.1 * (9 + 16 + 1))
    assert np.allclose(grads[0], [[0.6, 0.8]]) and np.allclose(grads[1], [[0.2], [0.0]])


def test_l1_value_and_subgradient_at_zero(ref):
    W = np.array([[-2.0, 0.0, 3.0], [0.0, -0.5, 1e-300]])
    value, grads = ref.penalties.l1_penalty([W], 0.1)
    assert value == pytest.approx(0.1 * 5.5)
    assert np.array_equal(grads[0], 0.1 * np.array([[-1.0, 0.0, 1.0], [0.0, -1.0, 1.0]]))


def test_elastic_net_mix(ref):
    W = _weights(1)
    lam, r = 0.3, 0.25
    v, g = ref.penalties.elastic_net_penalty(W, lam, r)
    v1, g1 = ref.penalties.l1_penalty(W, lam)
    v2, g2 = ref.penalties.l2_penalty(W, lam)
    assert v == pytest.approx(r * v1 + (1 - r) * v2)
    for a, b, c in zip(g, g1, g2):
        assert np.allclose(a, r * b + (1 - r) * c)
    assert ref.penalties.elastic_net_penalty(W, lam, 1.0)[0] == pytest.approx(v1)
    assert ref.penalties.elastic_net_penalty(W, lam, 0.0)[0] == pytest.approx(v2)


@pytest.mark.parametrize("name,args", [("l2_penalty", (0.7,)), ("l1_penalty", (0.7,)),
                                       ("elastic_net_penalty", (0.7, 0.4))])
def test_gradient_check(ref, name, args):
    f = getattr(ref.penalties, name)
    W = _weights(2)            # no weight is near 0, where |w| has a kink
    _, grads = f(W, *args)
    assert _rel(grads, _numgrad(lambda ws: f(ws, *args)[0], W)) <= 1e-7


@pytest.mark.parametrize("name,args", [("l2_penalty", (0.7,)), ("l1_penalty", (0.7,)),
                                       ("elastic_net_penalty", (0.7, 0.4))])
def test_pure_and_shapes(ref, name, args):
    W = _weights(3); W0 = [w.copy() for w in W]
    value, grads = getattr(ref.penalties, name)(W, *args)
    assert isinstance(value, float)
    assert [g.shape for g in grads] == [w.shape for w in W]
    assert all(np.array_equal(a, b) for a, b in zip(W, W0))
    assert all(g is not w for g, w in zip(grads, W))
    assert getattr(ref.penalties, name)([], *args) == (0.0, [])


@settings(max_examples=50, deadline=None)
@given(W=arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 4)),
                elements=st.floats(-10, 10)),
       lam=st.floats(0, 5), r=st.floats(0, 1))
def test_property_nonnegative_and_homogeneous(W, lam, r):
    ref = REF   # hypothesis and fixtures: see the import
    for f, a in ((ref.penalties.l2_penalty, ()), (ref.penalties.l1_penalty, ()),
                 (ref.penalties.elastic_net_penalty, (r,))):
        v, g = f([W], lam, *a)
        assert v >= 0
        v2, g2 = f([W], 2 * lam, *a)          # linear in lam
        assert v2 == pytest.approx(2 * v, rel=1e-12, abs=1e-300)
        assert np.allclose(g2[0], 2 * g[0])
    # L2 is quadratic in W, L1 is 1-homogeneous
    assert ref.penalties.l2_penalty([3 * W], lam)[0] == pytest.approx(9 * ref.penalties.l2_penalty([W], lam)[0])
    assert ref.penalties.l1_penalty([3 * W], lam)[0] == pytest.approx(3 * ref.penalties.l1_penalty([W], lam)[0])


def test_sgd_step_with_l2_is_weight_decay(ref):
    """With the 1/2 convention, lam is the weight-decay rate: W <- (1 - lr*lam) W."""
    W = _weights(4)
    lr, lam = 0.1, 0.05
    _, g = ref.penalties.l2_penalty(W, lam)
    for w, gw in zip(W, g):
        assert np.allclose(w - lr * gw, (1 - lr * lam) * w)


def test_l1_prox_makes_exact_zeros(ref):
    W = np.array([[0.05, -0.2, 0.5], [-0.01, 0.0, 1.0]])
    P = ref.penalties.l1_prox(W, 0.1)
    assert np.allclose(P, [[0.0, -0.1, 0.4], [0.0, 0.0, 0.9]])
    assert np.sum(P == 0) == 3


def test_add_penalty_touches_only_weights(ref):
    rng = np.random.default_rng(5)
    params = {"W1": rng.normal(size=(3, 4)), "b1": rng.normal(size=4), "gamma1": np.ones(4),
              "beta1": np.zeros(4), "W2": rng.normal(size=(4, 2)), "b2": rng.normal(size=2)}
    grads = {k: rng.normal(size=v.shape) for k, v in params.items()}
    g0 = {k: v.copy() for k, v in grads.items()}
    seen = []
    def pen(ws):
        seen.append([w.shape for w in ws])
        return ref.penalties.l2_penalty(ws, 0.1)
    loss, total = ref.penalties.add_penalty(1.5, grads, params, pen)
    assert seen == [[(3, 4), (4, 2)]]
    v, g = ref.penalties.l2_penalty([params["W1"], params["W2"]], 0.1)
    assert loss == pytest.approx(1.5 + v)
    assert np.allclose(total["W1"], g0["W1"] + g[0]) and np.allclose(total["W2"], g0["W2"] + g[1])
    for k in ("b1", "b2", "gamma1", "beta1"):
        assert np.array_equal(total[k], g0[k]) and total[k] is not grads[k]
    assert all(np.array_equal(grads[k], g0[k]) for k in grads)


def test_add_penalty_orders_layers_numerically(ref):
    params = {f"W{k}": np.full((1, 1), float(k)) for k in (1, 2, 10)}
    grads = {k: np.zeros((1, 1)) for k in params}
    order = []
    ref.penalties.add_penalty(0.0, grads, params, lambda ws: (order.extend(float(w[0, 0]) for w in ws) or 0.0, [0 * w for w in ws]))
    assert order == [1.0, 2.0, 10.0]


def test_bad_inputs(ref):
    P = ref.penalties
    with pytest.raises(ValueError, match="biases"):
        P.l2_penalty([np.ones((2, 2)), np.ones(2)], 0.1)
    with pytest.raises(TypeError, match="list of weight matrices"):
        P.l1_penalty(np.ones((2, 2)), 0.1)
    with pytest.raises(ValueError, match="lam"):
        P.l2_penalty([np.ones((2, 2))], -1.0)
    with pytest.raises(ValueError, match="l1_ratio"):
        P.elastic_net_penalty([np.ones((2, 2))], 0.1, 1.5)
    with pytest.raises(ValueError, match="NaN"):
        P.l1_penalty([np.array([[np.nan]])], 0.1)
    with pytest.raises(ValueError, match="keys"):
        P.add_penalty(0.0, {"W1": np.ones((1, 1))}, {"W1": np.ones((1, 1)), "b1": np.ones(1)},
                      lambda ws: (0.0, ws))
