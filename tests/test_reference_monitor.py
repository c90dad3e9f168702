"""Tests of the reference monitor (solutions/course_lib/monitor.py, tasks 8.1 to 8.3)."""

import importlib
import math

import numpy as np
import pytest
from autograder.reference import ref as REF   # for @given tests (no function-scoped fixture)
from hypothesis import given, settings, strategies as st


def _scenarios(ref):
    return importlib.import_module(f"{ref.checks.__name__}.scenarios.s08_babysitting")


def test_initial_loss_is_ln_k_and_matches_a_small_init(ref):
    MLP, evaluate = ref.model.MLP, ref.train.evaluate
    assert ref.monitor.expected_initial_loss(10) == pytest.approx(math.log(10))
    rng = np.random.default_rng(0)
    model = MLP([20, 30, 10], rng=rng, init="normal", init_options={"std": 1e-3})
    loss, _ = evaluate(model, rng.normal(size=(500, 20)), rng.integers(0, 10, 500))
    assert loss == pytest.approx(math.log(10), abs=1e-3)


@pytest.mark.parametrize("options", [dict(), dict(dropout=0.5), dict(norm="layernorm"),
                                      dict(norm="batchnorm", norm_position="after")])
def test_gradient_check_of_the_course_mlp(ref, options):
    MLP = ref.model.MLP
    rng = np.random.default_rng(1)
    model = MLP([4, 5, 3], rng=rng, activation="tanh", **options)
    x, y = rng.normal(size=(6, 4)), rng.integers(0, 3, 6)
    before = {k: v.copy() for k, v in model.params.items()}
    errors, numerical = ref.monitor.gradient_check_model(model, x, y)
    assert set(errors) == set(model.params) == set(numerical)
    assert max(errors.values()) < 1e-7, errors
    assert all(np.array_equal(before[k], model.params[k]) for k in before)


def test_gradient_check_catches_a_wrong_backward(ref):
    MLP = ref.model.MLP
    rng = np.random.default_rng(2)
    model = MLP([3, 4, 2], rng=rng)
    true = model.loss_and_grads

    def wrong(x, y, **kw):
        loss, grads = true(x, y, **kw)
        grads["b1"] = 2 * grads["b1"]
        return loss, grads

    model.loss_and_grads = wrong
    errors, _ = ref.monitor.gradient_check_model(model, rng.normal(size=(5, 3)), rng.integers(0, 2, 5))
    assert errors["b1"] == pytest.approx(1 / 3, rel=1e-5) and errors["W1"] < 1e-7


def _hist(tl, ta, va):
    return {"train_loss": list(tl), "val_loss": [v + 0.1 for v in tl], "train_acc": list(ta), "val_acc": list(va)}


def test_diagnosis_rules_in_order(ref):
    d = ref.monitor.diagnose_history
    up = np.linspace(0, 1, 10)
    assert d(_hist([1, 2, np.nan, 3], [.1] * 4, [.1] * 4)) == "diverging"
    assert d(_hist(2.3 - 0.5 * up + 0.2 * (np.arange(10) % 2), [.5] * 10, [.45] * 10)) == "oscillating"
    assert d(_hist(2.3 - up, 0.1 + 0.3 * up, 0.1 + 0.3 * up)) == "too slow"
    assert d(_hist(2.3 - 0.05 * (1 - np.exp(-20 * up)), [.1] * 10, [.1] * 10)) == "plateau"
    fast = 0.05 + 2.2 * np.exp(-6 * up)
    assert d(_hist(fast, 0.5 + 0.5 * up, 0.45 + 0.1 * up)) == "overfitting"
    assert d(_hist(fast, 0.3 + 0.2 * up, 0.28 + 0.2 * up)) == "underfitting"
    assert d(_hist(fast, 0.5 + 0.47 * up, 0.49 + 0.46 * up)) == "healthy"


def test_diagnosis_of_a_history_object_that_diverged(ref):
    class H:
        history = {"train_loss": [], "val_loss": [], "train_acc": [], "val_acc": []}
        stop_reason = "diverged"

    assert ref.monitor.diagnose_history(H()) == "diverging"
    with pytest.raises(ValueError):
        ref.monitor.diagnose_history(H.history)                         # too short, not diverged


def test_real_histories_keep_their_diagnosis_under_noise(ref):
    """The 'real' histories of the scenarios sit far enough from every threshold that the
    multiplicative noise the hidden suite adds to some of them (up to 0.2%) never changes their
    diagnosis; the flat-ended ones (underfitting, momentum) are used without noise."""
    real = _scenarios(ref).REAL_HISTORIES
    expected = {"lr_too_high_sgd": "oscillating", "lr_too_high_momentum": "diverging", "lr_too_low": "too slow",
                "overfitting": "overfitting", "underfitting": "underfitting", "healthy": "healthy"}
    noise = {"lr_too_high_sgd": 0.002, "lr_too_low": 0.002, "overfitting": 0.002, "healthy": 0.001}
    rng = np.random.default_rng(0)
    for name, h in real.items():
        assert ref.monitor.diagnose_history(h) == expected[name], name
        for _ in range(200 if name in noise else 0):
            noisy = {k: (np.asarray(v) * (1 + noise[name] * rng.normal(size=len(v)))).tolist() for k, v in h.items()}
            assert ref.monitor.diagnose_history(noisy) == expected[name], name


def test_synthetic_histories_are_clear_cut(ref):
    synthetic_history = _scenarios(ref).synthetic_history
    for kind in ref.monitor.DIAGNOSES:
        for seed in range(50):
            for E in (4, 9, 30):
                h = synthetic_history(kind, E, np.random.default_rng(seed))
                assert ref.monitor.diagnose_history(h) == kind, (kind, seed, E)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**6), scale=st.floats(1e-6, 1.0), c=st.floats(1e-3, 1e3))
def test_update_ratio_is_scale_invariant_and_skips_biases(seed, scale, c):
    rng = np.random.default_rng(seed)
    before = {"W1": rng.normal(size=(3, 4)), "b1": np.zeros(4), "W2": rng.normal(size=(4, 2)), "b2": np.zeros(2)}
    step = {k: scale * rng.normal(size=v.shape) for k, v in before.items()}
    r = REF.monitor.update_to_weight_ratios(before, {k: before[k] + step[k] for k in before})
    assert set(r) == {"W1", "W2"}
    r2 = REF.monitor.update_to_weight_ratios({k: c * v for k, v in before.items()},
                                             {k: c * (before[k] + step[k]) for k in before})
    assert all(np.isclose(r[k], r2[k], rtol=1e-9) for k in r)
    assert np.isclose(r["W1"], np.linalg.norm(step["W1"]) / np.linalg.norm(before["W1"]))


def test_update_ratio_rejects_zero_weights(ref):
    with pytest.raises(ValueError):
        ref.monitor.update_to_weight_ratios({"W1": np.zeros((2, 2))}, {"W1": np.ones((2, 2))})
