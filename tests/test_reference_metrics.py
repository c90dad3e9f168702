"""Reference classification metrics (assignment 01, task 1.5), checked against scikit-learn."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from autograder.reference import ref as REF  # for @given tests (no fixtures there)


def _labels(rng, n, k):
    y = rng.integers(0, k, size=n)
    return y, np.where(rng.random(n) < 0.6, y, rng.integers(0, k, size=n))


def test_confusion_matrix_layout(ref):
    C = ref.metrics.confusion_matrix([0, 0, 1, 2], [0, 1, 1, 1])
    np.testing.assert_array_equal(C, [[1, 1, 0], [0, 1, 0], [0, 1, 0]])   # rows: true class
    assert C.dtype == np.int64
    assert ref.metrics.confusion_matrix([0], [0], n_classes=3).shape == (3, 3)


@pytest.mark.parametrize("k", [2, 3, 5])
def test_against_sklearn(ref, rng, k):
    yt, yp = _labels(rng, 200, k)
    m = ref.metrics
    np.testing.assert_array_equal(m.confusion_matrix(yt, yp), skm.confusion_matrix(yt, yp))
    assert m.accuracy(yt, yp) == pytest.approx(skm.accuracy_score(yt, yp))
    for avg in (None, "macro"):
        np.testing.assert_allclose(m.precision(yt, yp, average=avg),
                                   skm.precision_score(yt, yp, average=avg, zero_division=0))
        np.testing.assert_allclose(m.recall(yt, yp, average=avg),
                                   skm.recall_score(yt, yp, average=avg, zero_division=0))
    assert m.precision(yt, yp) == pytest.approx(
        skm.precision_score(yt == 1, yp == 1, zero_division=0))
    # specificity of class c = recall of "not c"
    for c in range(k):
        assert m.specificity(yt, yp, positive=c) == pytest.approx(skm.recall_score(yt != c, yp != c))


def test_binary_counts(ref):
    yt = np.array([1, 1, 1, 0, 0, 0, 0, 1])
    yp = np.array([1, 0, 1, 0, 1, 0, 0, 1])  # TP 3, FN 1, FP 1, TN 3
    m = ref.metrics
    assert m.accuracy(yt, yp) == 0.75
    assert m.precision(yt, yp) == 0.75
    assert m.recall(yt, yp) == 0.75
    assert m.specificity(yt, yp) == 0.75
    assert m.precision(yt, yp, positive=0) == 0.75


def test_zero_division_rule_no_warning(ref):
    m = ref.metrics
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            assert m.precision([0, 1, 1], [0, 0, 0]) == 0.0          # class 1 never predicted
            assert m.recall([0, 0, 0], [0, 1, 0]) == 0.0             # class 1 never present
            assert m.specificity([1, 1], [1, 1]) == 0.0              # no negatives
            np.testing.assert_array_equal(m.recall([0, 0], [0, 0], average=None, n_classes=3), [1, 0, 0])


def test_bad_input(ref):
    m = ref.metrics
    with pytest.raises(ValueError, match="3 entries"):
        m.accuracy([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match=">= 0"):
        m.confusion_matrix([0, -1], [0, 1])
    with pytest.raises(ValueError, match="n_classes"):
        m.confusion_matrix([0, 4], [0, 1], n_classes=3)
    with pytest.raises(ValueError, match="average"):
        m.precision([0, 1], [0, 1], average="micro")
    with pytest.raises(ValueError, match="positive"):
        m.recall([0, 1], [0, 1], positive=5, n_classes=2)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.integers(1, 6), st.integers(0, 2**31 - 1))
def test_metric_properties(n, k, seed):
    yt, yp = _labels(np.random.default_rng(seed), n, k)
    m = REF.metrics
    C = m.confusion_matrix(yt, yp)
    assert C.sum() == n and np.trace(C) == np.sum(yt == yp)
    for name in ("precision", "recall", "specificity"):
        v = getattr(m, name)(yt, yp, average=None)
        assert v.shape == (C.shape[0],) and np.all((v >= 0) & (v <= 1))
        assert getattr(m, name)(yt, yp, average="macro") == pytest.approx(v.mean())
    assert m.accuracy(yt, yp) == pytest.approx(1 - REF.losses.zero_one_error(yp, yt))
