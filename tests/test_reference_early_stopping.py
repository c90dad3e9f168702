"""Reference tests of course_lib.early_stopping.EarlyStopping (task 2.3)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st


def _params():
    return {"W1": np.arange(6.0).reshape(2, 3), "b1": np.zeros(3)}


def _run(es, values, params=None):
    """Feed values, changing params in place each epoch; return per-epoch answers until a stop."""
    params = _params() if params is None else params
    out = []
    for epoch, v in enumerate(values):
        params["W1"] += 1.0
        stop = es.update(epoch, v, params)
        out.append(stop)
        if stop:
            break
    return out, params


def test_min_mode_patience_counts_epochs_without_improvement(ref):
    es = ref.early_stopping.EarlyStopping(patience=3)
    stops, params = _run(es, [5.0, 4.0, 3.0, 3.5, 3.2, 3.1, 2.0])
    # best at epoch 2; epochs 3, 4, 5 do not improve -> stop at epoch 5
    assert stops == [False] * 5 + [True]
    assert es.best_epoch == 2 and es.best_value == 3.0 and es.stopped_epoch == 5
    assert np.array_equal(es.best_params["W1"], np.arange(6.0).reshape(2, 3) + 3)
    assert np.array_equal(params["W1"], np.arange(6.0).reshape(2, 3) + 6)


def test_max_mode_for_an_accuracy(ref):
    es = ref.early_stopping.EarlyStopping(monitor="val_acc", mode="max", patience=2)
    stops, _ = _run(es, [0.5, 0.7, 0.8, 0.79, 0.6, 0.9])
    assert stops == [False, False, False, False, True]
    assert es.best_epoch == 2 and es.best_value == 0.8 and es.stopped_epoch == 4


def test_patience_zero_and_ties(ref):
    es = ref.early_stopping.EarlyStopping(patience=0)
    stops, _ = _run(es, [1.0, 0.9, 0.9])
    assert stops == [False, False, True], "an equal value is not an improvement"
    assert es.best_epoch == 1


def test_min_delta(ref):
    es = ref.early_stopping.EarlyStopping(patience=2, min_delta=0.1)
    stops, _ = _run(es, [1.0, 0.95, 0.85, 0.79])
    # 0.95 is within 0.1 of 1.0 (no improvement); 0.85 < 1.0 - 0.1 is one
    assert stops == [False, False, False, False]
    assert es.best_epoch == 2 and es.best_value == 0.85 and es.wait == 1
    es = ref.early_stopping.EarlyStopping(mode="max", patience=1, min_delta=0.05)
    stops, _ = _run(es, [0.5, 0.54, 0.6])
    assert stops == [False, True] and es.best_epoch == 0


def test_nan_is_never_an_improvement(ref):
    es = ref.early_stopping.EarlyStopping(patience=1)
    stops, _ = _run(es, [1.0, float("nan")])
    assert stops == [False, True] and es.best_value == 1.0


def test_best_params_are_a_copy(ref):
    es = ref.early_stopping.EarlyStopping(patience=10)
    params = _params()
    es.update(0, 1.0, params)
    params["W1"] += 100.0          # in-place update, as an optimizer does
    params["b1"] = np.ones(3)      # or rebinding
    es.update(1, 2.0, params)
    assert np.array_equal(es.best_params["W1"], np.arange(6.0).reshape(2, 3))
    assert np.array_equal(es.best_params["b1"], np.zeros(3))
    assert es.best_params is not params


def test_callback_protocol_restores_a_copy_of_the_best(ref):
    es = ref.early_stopping.EarlyStopping(monitor="val_acc", mode="max", patience=2)
    model = SimpleNamespace(params=_params())
    stopped_at = None
    for epoch, acc in enumerate([0.2, 0.6, 0.5, 0.55, 0.9]):
        model.params["W1"] += 1.0
        if es.on_epoch_end(epoch, {"train_loss": 1.0, "val_acc": acc}, model):
            stopped_at = epoch
            break
    assert stopped_at == 3 and es.best_epoch == 1
    params_dict = model.params
    es.on_train_end(model)
    assert model.params is params_dict, "the model keeps its params dict"
    assert np.array_equal(model.params["W1"], np.arange(6.0).reshape(2, 3) + 2)
    assert model.params["W1"] is not es.best_params["W1"]
    model.params["W1"] += 50.0
    assert np.array_equal(es.best_params["W1"], np.arange(6.0).reshape(2, 3) + 2)


def test_on_train_end_without_epochs_does_nothing(ref):
    es = ref.early_stopping.EarlyStopping()
    model = SimpleNamespace(params=_params())
    es.on_train_end(model)
    assert np.array_equal(model.params["W1"], np.arange(6.0).reshape(2, 3))


def test_reset(ref):
    es = ref.early_stopping.EarlyStopping(patience=0)
    _run(es, [1.0, 2.0])
    es.reset()
    assert es.best_epoch is None and es.stopped_epoch is None and es.wait == 0
    assert es.best_value == np.inf and es.best_params is None


def test_stop_epoch_property(ref):
    """Stops exactly at the first epoch that is `patience` epochs past the running best."""
    EarlyStopping = ref.early_stopping.EarlyStopping   # hypothesis runs the inner function

    @settings(max_examples=60, deadline=None)
    @given(values=st.lists(st.floats(-10, 10), min_size=1, max_size=40),
           patience=st.integers(0, 6), mode=st.sampled_from(["min", "max"]))
    def prop(values, patience, mode):
        es = EarlyStopping(mode=mode, patience=patience)
        stops, _ = _run(es, values)
        sign = 1 if mode == "min" else -1
        best, best_i, expected_stop = np.inf, None, None
        for i, v in enumerate(values):
            if sign * v < best:
                best, best_i = sign * v, i
            elif i - best_i >= patience:
                expected_stop = i
                break
        assert es.stopped_epoch == expected_stop
        assert es.best_epoch == best_i and sign * es.best_value == best
        assert stops[-1] == (expected_stop is not None)

    prop()


def test_missing_monitor_is_a_clear_error(ref):
    es = ref.early_stopping.EarlyStopping()
    with pytest.raises(KeyError, match="val_loss.*validation data"):
        es.on_epoch_end(0, {"train_loss": 1.0}, SimpleNamespace(params=_params()))


@pytest.mark.parametrize("kwargs, err, match", [
    ({"mode": "auto"}, ValueError, "mode"),
    ({"patience": -1}, ValueError, "patience"),
    ({"patience": 2.5}, TypeError, "patience"),
    ({"min_delta": -0.1}, ValueError, "min_delta"),
    ({"monitor": 3}, TypeError, "monitor"),
])
def test_bad_arguments(ref, kwargs, err, match):
    with pytest.raises(err, match=match):
        ref.early_stopping.EarlyStopping(**kwargs)


def test_bad_update_arguments(ref):
    es = ref.early_stopping.EarlyStopping()
    with pytest.raises(TypeError, match="real number"):
        es.update(0, "0.5", _params())
    with pytest.raises(TypeError, match="dict"):
        es.update(0, 0.5, [np.zeros(2)])
    with pytest.raises(ValueError, match="epoch"):
        es.update(-1, 0.5, _params())
