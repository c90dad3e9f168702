"""Hidden suite of assignment 03 (weight initialization). Never shipped.

Independent of the exact random stream: random initializers are judged on large layers by sample
statistics with 6-standard-error bounds (mean, variance, normal vs uniform shape, uniform bound),
on shapes chosen with fan_in != fan_out so that fan_in / fan_out confusions show. Deterministic
facts are matched exactly: shapes, dtypes, zeros / constant, and how the generator is used (two
calls differ, the same seed reproduces, another seed changes the weights).

A sample that fails is compared statistically with each catalogued mistake's sample on the same
case; when they are indistinguishable the feedback names that mistake.
"""

import math

import numpy as np
import pytest

from autograder.score import get_scenario, mistake_outcomes, points


def _stats(W):
    W = np.asarray(W, dtype=np.float64)
    var = float(W.var())
    kurt = float(np.mean(((W - W.mean()) / math.sqrt(var)) ** 4)) if var > 0 else float("nan")
    return W.shape, var, kurt


def _indistinguishable(a, b):
    """Two samples plausibly from one distribution: same shape and dtype kind, variances and
    kurtoses within about 6 standard errors of their difference."""
    if (
        not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray))
        or a.dtype.kind != b.dtype.kind
    ):
        return False
    (sa, va, ka), (sb, vb, kb) = _stats(a), _stats(b)
    if sa != sb:
        return False
    if va == 0 or vb == 0:
        return va == vb
    n = a.size
    return (
        abs(va / vb - 1) <= 8.5 * math.sqrt(2.0 / n)
        and abs(ka - kb) <= 8.5 * math.sqrt(24.0 / n) + 0.05
    )


def check_sample(submission, name, **case):
    """``submission.check`` of a sampling scenario, naming a catalogued mistake by statistics."""
    try:
        submission.check(name, **case)
    except AssertionError as exc:
        # A failure that named no mistake: say which variance the sample resembles.
        if not hasattr(exc, "mistake") or exc.mistake is not None:
            raise
        try:
            got = submission.run(name, **case)["W"]
        except Exception:  # noqa: BLE001 - the failure message already says what went wrong
            raise exc from None
        scn = get_scenario(name)
        for mname, hint, outcome in mistake_outcomes(name, case):
            if outcome.error is not None or "W" not in (outcome.outputs or {}):
                continue
            W = outcome.outputs["W"]
            try:  # a "mistake" whose sample passes is not this task's mistake
                scn.verify({"W": W}, **case)
                continue
            except AssertionError:
                pass
            if _indistinguishable(np.asarray(got), np.asarray(W)):
                raise type(exc)(getattr(exc, "message", str(exc)), mname, hint) from None
        raise


# ---- 3.1 zeros, constant, normal -----------------------------------------------------------


@points(0.5, task="3.1")
@pytest.mark.parametrize(
    "case",
    [
        dict(seed=301, fan_in=1, fan_out=1, value=3.0),
        dict(seed=302, fan_in=17, fan_out=4, value=-0.125),
        dict(seed=303, fan_in=2, fan_out=33, value=0.0),
    ],
)
def test_zeros_and_constant(submission, case):
    submission.check("zeros_and_constant", **case)


@points(0.5, task="3.1")
@pytest.mark.parametrize(
    "case",
    [dict(seed=304, fan_in=9, fan_out=2, std=1.5), dict(seed=305, fan_in=1, fan_out=6, std=0.01)],
)
def test_normal_shape_and_rng(submission, case):
    submission.check("normal_shape_and_rng", **case)


@points(0.5, task="3.1")
@pytest.mark.parametrize(
    "case",
    [
        dict(seed=306, fan_in=400, fan_out=300, std=0.05),
        dict(seed=307, fan_in=100, fan_out=1000, std=2.0),
        dict(seed=308, fan_in=500, fan_out=200, std=0.01),
    ],
)
def test_normal_sample(submission, case):
    check_sample(submission, "normal_sample", **case)


# ---- 3.2 Xavier ----------------------------------------------------------------------------


@points(0.5, task="3.2")
@pytest.mark.parametrize(
    "case", [dict(seed=309, fan_in=13, fan_out=5), dict(seed=310, fan_in=1, fan_out=1)]
)
def test_xavier_shapes_and_rng(submission, case):
    submission.check("xavier_shapes_and_rng", **case)


@points(1, task="3.2")
@pytest.mark.parametrize(
    "case", [dict(seed=311, fan_in=150, fan_out=1000), dict(seed=312, fan_in=1000, fan_out=150)]
)
def test_xavier_normal_sample(submission, case):
    check_sample(submission, "xavier_normal_sample", **case)


@points(1, task="3.2")
@pytest.mark.parametrize(
    "case", [dict(seed=313, fan_in=150, fan_out=1000), dict(seed=314, fan_in=1000, fan_out=150)]
)
def test_xavier_uniform_sample(submission, case):
    check_sample(submission, "xavier_uniform_sample", **case)


# ---- 3.3 He and LeCun ----------------------------------------------------------------------


@points(0.5, task="3.3")
@pytest.mark.parametrize(
    "case", [dict(seed=315, fan_in=11, fan_out=3), dict(seed=316, fan_in=1, fan_out=1)]
)
def test_he_lecun_shapes_and_rng(submission, case):
    submission.check("he_lecun_shapes_and_rng", **case)


@points(1, task="3.3")
@pytest.mark.parametrize(
    "case", [dict(seed=317, fan_in=120, fan_out=1200), dict(seed=318, fan_in=800, fan_out=250)]
)
def test_he_normal_sample(submission, case):
    check_sample(submission, "he_normal_sample", **case)


@points(1, task="3.3")
@pytest.mark.parametrize(
    "case", [dict(seed=319, fan_in=120, fan_out=1200), dict(seed=320, fan_in=800, fan_out=250)]
)
def test_he_uniform_sample(submission, case):
    check_sample(submission, "he_uniform_sample", **case)


@points(0.5, task="3.3")
@pytest.mark.parametrize(
    "case", [dict(seed=321, fan_in=900, fan_out=200), dict(seed=322, fan_in=64, fan_out=2000)]
)
def test_lecun_normal_sample(submission, case):
    check_sample(submission, "lecun_normal_sample", **case)


@points(0.5, task="3.3")
@pytest.mark.parametrize(
    "case",
    [
        dict(seed=323, sizes=(64, 32, 32, 32, 10)),
        dict(seed=324, sizes=(3, 1)),
        dict(seed=325, sizes=(5, 2, 2, 2)),
    ],
)
def test_network_parameters(submission, case):
    submission.check("network_parameters", **case)
