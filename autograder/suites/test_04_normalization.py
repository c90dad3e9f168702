"""Hidden suite of assignment 04 (input normalization). Never shipped.

The scalers are deterministic: every test matches the reference on other seeds and shapes than the
public checks — a single sample, a single feature, more features than samples (which exposes
per-sample statistics), constant features whose standard deviation rounds to ~1e-17 rather than
0, a near-constant feature (1e9 varying by a few ulps: scale 1, as scikit-learn's test says),
a test set shifted away from the training set (which exposes statistics taken from the test set),
and feature ranges other than [0, 1].
"""

import pytest

from autograder.score import points

STD_CASES = [
    dict(seed=401, N=40, D=6, M=9, constant=False),
    dict(seed=402, N=7, D=12, M=7, constant=True),  # D > N; N = 7: std(0.1, ...) != 0
    dict(seed=403, N=1, D=4, M=3, constant=False),  # one training sample
    dict(seed=404, N=25, D=1, M=1, constant=False),
    dict(seed=405, N=3, D=5, M=8, constant=True),
    dict(seed=409, N=9, D=4, M=5, constant=True, near_constant=True),
]  # 1e9 + a few ulps

MINMAX_CASES = [
    dict(seed=411, N=40, D=6, M=9, constant=False, lo=0.0, hi=1.0),
    dict(seed=412, N=7, D=12, M=7, constant=True, lo=-1.0, hi=1.0),
    dict(seed=413, N=1, D=4, M=3, constant=False, lo=0.0, hi=1.0),
    dict(seed=414, N=25, D=1, M=1, constant=False, lo=-3.0, hi=0.5),
    dict(seed=415, N=3, D=5, M=8, constant=True, lo=0.0, hi=255.0),
]


# ---- 4.1 Standardizer ----------------------------------------------------------------------


@points(1, task="4.1")
@pytest.mark.parametrize("case", STD_CASES)
def test_standardizer_fit_transform(submission, case):
    submission.check("standardizer_fit_transform", **case)


@points(0.5, task="4.1")
@pytest.mark.parametrize(
    "case",
    [dict(seed=406, N=9, D=3, M=4, constant=True), dict(seed=407, N=2, D=1, M=1, constant=False)],
)
def test_standardizer_inverse(submission, case):
    submission.check("standardizer_inverse", **case)


@points(0.5, task="4.1")
@pytest.mark.parametrize("case", [dict(seed=408, N=11, D=4, M=3, constant=True)])
def test_standardizer_no_side_effects(submission, case):
    submission.check("standardizer_no_side_effects", **case)


# ---- 4.2 MinMaxScaler ----------------------------------------------------------------------


@points(1, task="4.2")
@pytest.mark.parametrize("case", MINMAX_CASES)
def test_minmax_fit_transform(submission, case):
    submission.check("minmax_fit_transform", **case)


@points(0.5, task="4.2")
@pytest.mark.parametrize(
    "case",
    [
        dict(seed=416, N=9, D=3, M=4, constant=True, lo=-1.0, hi=1.0),
        dict(seed=417, N=2, D=1, M=1, constant=False, lo=0.0, hi=1.0),
    ],
)
def test_minmax_inverse(submission, case):
    submission.check("minmax_inverse", **case)


@points(0.5, task="4.2")
@pytest.mark.parametrize("case", [dict(seed=418, N=11, D=4, M=3, constant=True)])
def test_minmax_no_side_effects(submission, case):
    submission.check("minmax_no_side_effects", **case)
