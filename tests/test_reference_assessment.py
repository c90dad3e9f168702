"""Reference tests of course_lib.assessment: stratified_split (2.1), diagnose_bias_variance (2.2)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

SLIDES = [  # (human, train, val) as fractions, and the slides' verdict
    ((0.0, 0.01, 0.15), "high variance"),
    ((0.0, 0.15, 0.16), "high bias"),
    ((0.0, 0.15, 0.30), "high bias and high variance"),
    ((0.0, 0.005, 0.01), "neither"),
    ((0.01, 0.08, 0.10), "high bias"),
    ((0.075, 0.08, 0.10), "high variance"),
]


def _data(n_per_class, D=2, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.repeat(np.arange(len(n_per_class)), n_per_class))
    x = np.column_stack([np.arange(y.size, dtype=float), rng.normal(size=(y.size, D - 1))])
    return x, y


# ---------------------------------------------------------------------------------- 2.1 split


def test_split_partitions_rows_and_keeps_labels(ref):
    x, y = _data([30, 20, 10], D=3)
    parts = ref.assessment.stratified_split(x, y, (0.6, 0.2, 0.2), np.random.default_rng(1))
    assert len(parts) == 6
    idx = np.concatenate([parts[0][:, 0], parts[2][:, 0], parts[4][:, 0]]).astype(int)
    assert np.array_equal(np.sort(idx), np.arange(60))
    for k in range(3):
        xs, ys = parts[2 * k], parts[2 * k + 1]
        assert np.array_equal(ys, y[xs[:, 0].astype(int)])
        assert xs.dtype == np.float64 and ys.dtype.kind == "i"
    assert [len(parts[1]), len(parts[3]), len(parts[5])] == [36, 12, 12]
    assert np.bincount(parts[1]).tolist() == [18, 12, 6]
    assert np.bincount(parts[3]).tolist() == [6, 4, 2]


def test_split_small_classes_round_each_share_down_or_up(ref):
    x, y = _data([3, 7, 11, 5])
    parts = ref.assessment.stratified_split(x, y, (0.6, 0.2, 0.2), np.random.default_rng(0))
    counts = np.array([np.bincount(parts[2 * k + 1], minlength=4) for k in range(3)])
    # Largest remainder: class of 3 -> shares 1.8, 0.6, 0.6 -> (2, 1, 0).
    assert counts[:, 0].tolist() == [2, 1, 0]
    assert counts.sum(axis=0).tolist() == [3, 7, 11, 5]


def test_split_is_shuffled_and_reproducible(ref):
    x, y = _data([40, 40])
    f = (0.5, 0.25, 0.25)
    a = ref.assessment.stratified_split(x, y, f, np.random.default_rng(7))
    b = ref.assessment.stratified_split(x, y, f, np.random.default_rng(7))
    c = ref.assessment.stratified_split(x, y, f, np.random.default_rng(8))
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
    assert not all(np.array_equal(u, v) for u, v in zip(a, c))
    assert np.any(np.diff(a[1]) < 0), "train must not be grouped by class"
    assert np.any(np.diff(a[0][:, 0]) < 0), "train must not keep the input order"


def test_split_does_not_modify_inputs_and_keeps_dtype_and_trailing_shape(ref):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 255, size=(20, 4, 4)).astype(np.uint8)
    y = np.repeat([0, 1], 10)
    x0, y0 = x.copy(), y.copy()
    x_tr, y_tr, x_va, y_va, x_te, y_te = ref.assessment.stratified_split(x, y, [0.8, 0.2, 0.0], rng)
    assert np.array_equal(x, x0) and np.array_equal(y, y0)
    assert x_tr.dtype == np.uint8 and x_tr.shape == (16, 4, 4)
    assert x_te.shape == (0, 4, 4) and y_te.shape == (0,)
    x_tr[...] = 0
    assert np.array_equal(x, x0), "the returned arrays must not be views of x"


def test_split_counts_property(ref):
    split = ref.assessment.stratified_split   # hypothesis runs the inner function

    @settings(max_examples=40, deadline=None)
    @given(sizes=st.lists(st.integers(1, 40), min_size=1, max_size=5),
           f=st.tuples(st.integers(1, 20), st.integers(0, 20), st.integers(0, 20)),
           seed=st.integers(0, 2**31))
    def prop(sizes, f, seed):
        frac = np.array(f, dtype=float) / sum(f)
        x, y = _data(sizes, seed=seed)
        parts = split(x, y, tuple(frac), np.random.default_rng(seed))
        counts = np.array([np.bincount(parts[2 * k + 1], minlength=len(sizes)) for k in range(3)])
        assert counts.sum(axis=0).tolist() == list(sizes)
        for c, n_c in enumerate(sizes):
            for k in range(3):
                share = frac[k] * n_c
                assert math.floor(share + 1e-9) <= counts[k, c] <= math.ceil(share - 1e-9)

    prop()


@pytest.mark.parametrize("fractions, err, match", [
    ((0.6, 0.2), ValueError, "exactly 3"),
    ((0.6, 0.3, 0.3), ValueError, "sum to 1"),
    ((1.2, -0.1, -0.1), ValueError, "non-negative"),
    ((0.0, 0.5, 0.5), ValueError, "training fraction"),
    ("abc", TypeError, "sequence of 3"),
])
def test_split_bad_fractions(ref, fractions, err, match):
    x, y = _data([5, 5])
    with pytest.raises(err, match=match):
        ref.assessment.stratified_split(x, y, fractions, np.random.default_rng(0))


def test_split_bad_inputs(ref):
    x, y = _data([5, 5])
    with pytest.raises(TypeError, match="Generator"):
        ref.assessment.stratified_split(x, y, (0.6, 0.2, 0.2), 0)
    with pytest.raises(ValueError, match="10 entries"):
        ref.assessment.stratified_split(x, y[:-1], (0.6, 0.2, 0.2), np.random.default_rng(0))
    with pytest.raises(ValueError, match="integer class labels"):
        ref.assessment.stratified_split(x, y + 0.5, (0.6, 0.2, 0.2), np.random.default_rng(0))
    with pytest.raises(ValueError, match="N = 0"):
        ref.assessment.stratified_split(x[:0], y[:0], (0.6, 0.2, 0.2), np.random.default_rng(0))


# ---------------------------------------------------------------------------- 2.2 diagnosis


@pytest.mark.parametrize("errors, verdict", SLIDES)
def test_diagnosis_reproduces_the_slides(ref, errors, verdict):
    d = ref.assessment.diagnose_bias_variance(*errors)
    assert d.diagnosis == verdict
    h, t, v = errors
    assert d.avoidable_bias == t - h and d.variance == v - t
    assert d.high_bias == ("bias" in verdict and verdict != "high variance")
    assert d.high_variance == ("variance" in verdict)


def test_diagnosis_is_a_frozen_dataclass(ref):
    d = ref.assessment.diagnose_bias_variance(0.0, 0.1, 0.2)
    assert dataclasses.is_dataclass(d)
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.diagnosis = "neither"
    assert d.diagnosis in ref.assessment.DIAGNOSES


def test_diagnosis_threshold_and_ratio(ref):
    f = ref.assessment.diagnose_bias_variance
    assert f(0.0, 0.005, 0.01).diagnosis == "neither"
    assert f(0.0, 0.005, 0.01, threshold=0.001).diagnosis == "high bias and high variance"
    # ratio 1: only the larger gap is high
    assert f(0.0, 0.15, 0.29, ratio=1.0).diagnosis == "high bias"
    assert f(0.0, 0.15, 0.29, ratio=0.5).diagnosis == "high bias and high variance"
    # negative gaps are reported as they are and never high
    d = f(0.10, 0.08, 0.30)
    assert d.avoidable_bias < 0 and d.diagnosis == "high variance"


def test_diagnosis_properties(ref):
    assessment = ref.assessment               # hypothesis runs the inner function

    @settings(max_examples=100, deadline=None)
    @given(e=st.tuples(*[st.floats(0, 1, allow_nan=False)] * 3), th=st.floats(0, 0.2),
           ratio=st.floats(0.01, 1))
    def prop(e, th, ratio):
        d = assessment.diagnose_bias_variance(*e, threshold=th, ratio=ratio)
        assert d.diagnosis == assessment.DIAGNOSES[int(d.high_bias) + 2 * int(d.high_variance)]
        assert d.avoidable_bias == e[1] - e[0] and d.variance == e[2] - e[1]
        assert not (d.high_bias and d.avoidable_bias <= th)
        assert not (d.high_variance and d.variance <= th)
        # a gap that is above the threshold and not dominated by the other is high
        big = max(d.avoidable_bias, d.variance)
        assert d.high_bias == (d.avoidable_bias > th and d.avoidable_bias >= ratio * big)
        assert d.high_variance == (d.variance > th and d.variance >= ratio * big)
        # the larger gap, when above the threshold, is always high
        if big > th:
            assert d.high_bias or d.high_variance

    prop()


@pytest.mark.parametrize("args, kwargs, err, match", [
    ((0.0, 15, 16), {}, ValueError, "15% is 0.15"),
    ((0.0, -0.1, 0.2), {}, ValueError, r"\[0, 1\]"),
    ((0.0, float("nan"), 0.2), {}, ValueError, r"\[0, 1\]"),
    (("0", 0.1, 0.2), {}, TypeError, "human_error"),
    ((0.0, 0.1, 0.2), {"threshold": -1}, ValueError, "threshold"),
    ((0.0, 0.1, 0.2), {"ratio": 0}, ValueError, "ratio"),
])
def test_diagnosis_bad_input(ref, args, kwargs, err, match):
    with pytest.raises(err, match=match):
        ref.assessment.diagnose_bias_variance(*args, **kwargs)
