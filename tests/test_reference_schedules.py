"""Tests of the reference schedules and range test (solutions/course_lib/schedules.py, tasks 8.4, 8.5)."""

import numpy as np
import pytest
from autograder.reference import ref as REF   # for @given tests (no function-scoped fixture)
from hypothesis import given, settings, strategies as st


def test_step_decay_is_piecewise_constant(ref):
    lr = ref.schedules.step_decay(np.arange(30), 0.1, drop=0.5, every=10)
    assert np.allclose(lr[:10], 0.1) and np.allclose(lr[10:20], 0.05) and np.allclose(lr[20:], 0.025)


def test_exponential_and_cosine_end_points(ref):
    s = ref.schedules
    assert s.exponential_decay(0, 0.3, gamma=0.9) == 0.3
    assert np.isclose(s.exponential_decay(10, 1.0, gamma=0.9), 0.9 ** 10)
    assert s.cosine_annealing(0, 0.2, T=10, lr_min=0.01) == pytest.approx(0.2)
    assert s.cosine_annealing(5, 0.2, T=10, lr_min=0.0) == pytest.approx(0.1)
    assert s.cosine_annealing(10, 0.2, T=10, lr_min=0.01) == pytest.approx(0.01)
    assert s.cosine_annealing(25, 0.2, T=10, lr_min=0.01) == pytest.approx(0.01)   # no restart


def test_warmup_never_starts_at_zero(ref):
    lr = ref.schedules.linear_warmup(np.arange(6), 1.0, warmup=4)
    assert np.allclose(lr, [0.25, 0.5, 0.75, 1.0, 1.0, 1.0])


def test_scalars_give_floats_arrays_keep_their_shape(ref):
    s = ref.schedules
    assert isinstance(s.step_decay(3, 0.1), float)
    assert s.cosine_annealing(np.zeros((2, 3), dtype=int), 0.1, T=4).shape == (2, 3)


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True])
def test_bad_steps_are_rejected(ref, bad):
    with pytest.raises((ValueError, TypeError)):
        ref.schedules.step_decay(bad, 0.1)


@settings(max_examples=60, deadline=None)
@given(lr0=st.floats(1e-5, 10.0), T=st.integers(1, 50), frac=st.floats(0.0, 1.0),
       drop=st.floats(0.01, 1.0), gamma=st.floats(0.5, 1.0), warmup=st.integers(1, 20))
def test_decays_are_non_increasing_and_bounded(lr0, T, frac, drop, gamma, warmup):
    s = REF.schedules
    t = np.arange(3 * T + 1)
    lr_min = frac * lr0
    for lr in (s.step_decay(t, lr0, drop=drop, every=max(1, T // 3)), s.exponential_decay(t, lr0, gamma=gamma),
               s.cosine_annealing(t, lr0, T=T, lr_min=lr_min)):
        assert np.all(np.diff(lr) <= 1e-12 * lr0) and lr[0] == pytest.approx(lr0)
        assert np.all(lr <= lr0 * (1 + 1e-12)) and np.all(lr >= 0)
    cos = s.cosine_annealing(t, lr0, T=T, lr_min=lr_min)
    assert np.all(cos >= lr_min * (1 - 1e-12))
    w = s.linear_warmup(t, lr0, warmup=warmup)
    assert np.all(np.diff(w) >= 0) and w[0] > 0 and np.allclose(w[warmup - 1:], lr0)


class _Quadratic:
    """Loss 0.5 * ||w||^2 on every batch: the step w <- (1 - lr) w diverges for lr > 2."""

    def __init__(self):
        self.params = {"w": np.ones(3)}

    def loss_and_grads(self, x, y):
        w = self.params["w"]
        return 0.5 * float(w @ w), {"w": w.copy()}


class _SGD:
    def __init__(self, lr):
        self.lr = lr

    def step(self, params, grads):
        for k, g in grads.items():
            params[k] -= self.lr * g


def test_range_test_ramps_geometrically_and_stops_at_the_blow_up(ref):
    x, y = np.zeros((10, 1)), np.zeros(10, dtype=int)
    model = _Quadratic()
    lrs, losses = ref.schedules.lr_range_test(model, _SGD(1.0), x, y, lr_min=1e-3, lr_max=1e3, n_steps=50,
                                              batch_size=4, rng=np.random.default_rng(0))
    assert np.allclose(lrs, np.geomspace(1e-3, 1e3, 50)[:len(lrs)])
    assert len(lrs) < 50 and losses[-1] > 4 * losses[:-1].min()       # stopped where it blew up
    assert lrs[-1] > 2.0                                               # ... beyond the stable rates
    assert ref.schedules.suggest_lr(lrs, losses) == pytest.approx(lrs[np.argmin(losses)] / 10)


def test_suggest_lr_ignores_nan(ref):
    assert ref.schedules.suggest_lr([1e-3, 1e-2, 1e-1], [2.0, 1.0, np.nan]) == pytest.approx(1e-3)
    with pytest.raises(ValueError):
        ref.schedules.suggest_lr([1e-3, 1e-2], [np.nan, np.inf])


def test_scheduler_callback_sets_the_rate_of_each_epoch(ref):
    MLP, SGD, train = ref.model.MLP, ref.optim.SGD, ref.train.train
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(20, 3)), rng.integers(0, 2, 20)
    opt = SGD(1.0)
    cb = ref.schedules.LRScheduler(opt, lambda t: ref.schedules.step_decay(t, 0.1, every=2))
    train(MLP([3, 4, 2], rng=rng), opt, x, y, epochs=5, batch_size=10, rng=rng, callbacks=[cb])
    assert np.allclose(cb.rates, [0.1, 0.1, 0.05, 0.05, 0.025])
