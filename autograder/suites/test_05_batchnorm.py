"""Hidden suite of assignment 05, batch normalization (tasks 5.1-5.5). Never shipped.

Other seeds, larger and odd shapes (N = 2, D = 1, N = 1 in test mode), eps far from its default so
that eps inside/outside the square root and N vs N - 1 give clearly different numbers, properties,
and the edge cases where the functions must refuse (N = 1 in training mode, D = 1 for layer norm).
A test that expects an error also needs a valid call to succeed, so the blank stubs (which keep
the input checks) earn nothing. Points per task: 5.1: 4, 5.2: 4, 5.3: 3, 5.4: 2, 5.5: 3.
"""

import numpy as np
import pytest

from autograder.score import GradeFailure, points

# "Random" shapes, drawn once from a fixed seed so that grading is reproducible.
_shape_rng = np.random.default_rng(2026)
RANDOM_SHAPES = [
    dict(seed=int(s), N=int(n), D=int(d))
    for s, n, d in zip(
        _shape_rng.integers(1000, 9999, size=3),
        _shape_rng.integers(2, 41, size=3),
        _shape_rng.integers(1, 13, size=3),
        strict=True,
    )
]

# ----------------------------------------------------------------------------- 5.1 forward


@points(0.25, task="5.1")
@pytest.mark.parametrize(
    "case",
    [
        dict(seed=101, N=7, D=5),
        dict(seed=102, N=2, D=1),
        dict(seed=103, N=13, D=3, momentum=0.5, eps=0.1),
        *RANDOM_SHAPES,
    ],
)
def test_forward_train_matches(submission, case):
    submission.check("batchnorm_forward_train", **case)


@points(0.25, task="5.1")
@pytest.mark.parametrize(
    "case",
    [
        dict(seed=104, N=6, D=4, eps=0.2),
        dict(seed=105, N=1, D=3),
    ],
)
def test_forward_test_mode_matches(submission, case):
    submission.check("batchnorm_forward_test", **case)


@points(0.5, task="5.1")
def test_running_statistics_over_steps(submission):
    submission.check("batchnorm_running_stats", seed=106, N=9, D=3, steps=4, momentum=0.8)


@points(0.5, task="5.1")
def test_forward_normalizes(submission):
    submission.check("batchnorm_forward_normalizes", seed=107, N=20, D=6)


@points(0.5, task="5.1")
def test_test_mode_leaves_state_and_inputs(submission):
    out = submission.run("batchnorm_forward_test", seed=108, N=5, D=2)
    assert out["inputs_unchanged"] is True, "batchnorm_forward modified one of its inputs"
    stats = submission.run("batchnorm_running_stats", seed=109, N=6, D=2, steps=2)
    assert stats["test_mode_keeps_stats"] is True, (
        "test mode must return the running statistics unchanged"
    )


@points(0.5, task="5.1")
def test_single_sample_in_training_mode_is_refused(submission):
    submission.check("batchnorm_forward_train", seed=110, N=1, D=4)  # must raise ValueError
    submission.check("batchnorm_forward_train", seed=111, N=2, D=4)  # ... and N = 2 must work


# ----------------------------------------------------------------------------- 5.2 staged backward
# The backward passes consume the cache of the student's own forward pass. When a backward check
# fails without a named mistake, say so if the forward pass on the same input (the scenarios draw
# x, gamma, beta and the statistics identically) is itself wrong.


def check_backward(submission, name, case):
    try:
        submission.check(name, **case)
    except AssertionError as exc:
        if getattr(exc, "mistake", None) is None:
            try:
                submission.check("batchnorm_forward_train", **case)
            except AssertionError:
                raise GradeFailure(
                    f"{getattr(exc, 'message', exc)}. Note: your batchnorm_forward (task 5.1) is "
                    "wrong on this input, and the backward pass is checked on your forward "
                    "pass's cache: fix task 5.1 first."
                ) from None
        raise


@points(0.5, task="5.2")
@pytest.mark.parametrize(
    "case",
    [
        dict(seed=201, N=8, D=5),
        dict(seed=202, N=2, D=1),
        dict(seed=203, N=11, D=3, eps=0.3),
        *RANDOM_SHAPES,
    ],
)
def test_backward_matches(submission, case):
    check_backward(submission, "batchnorm_backward_matches", case)


@points(0.5, task="5.2")
def test_backward_gradcheck(submission):
    submission.check("batchnorm_backward_gradcheck", seed=204, N=6, D=3)


@points(0.5, task="5.2")
def test_backward_properties(submission):
    submission.check("batchnorm_backward_properties", seed=205, N=9, D=4)


# ----------------------------------------------------------------------------- 5.3 closed form


@points(0.25, task="5.3")
@pytest.mark.parametrize(
    "case",
    [
        dict(seed=301, N=8, D=5),
        dict(seed=302, N=3, D=1),
        dict(seed=303, N=11, D=3, eps=0.3),
        *RANDOM_SHAPES,
    ],
)
def test_backward_fast_matches(submission, case):
    check_backward(submission, "batchnorm_backward_fast_matches", case)


@points(0.5, task="5.3")
def test_backward_fast_gradcheck(submission):
    submission.check("batchnorm_backward_fast_gradcheck", seed=304, N=6, D=3)


@points(1, task="5.3")
def test_backward_fast_properties(submission):
    submission.check("batchnorm_backward_fast_properties", seed=305, N=9, D=4)
    out = submission.run("batchnorm_backward_fast_matches", seed=306, N=4, D=3)
    assert out["dout_unchanged"] is True, "batchnorm_backward_fast modified dout"


# ----------------------------------------------------------------------------- 5.4 folding


@points(0.5, task="5.4")
@pytest.mark.parametrize(
    "case",
    [
        dict(seed=401, fan_in=4, D=4),
        dict(seed=402, fan_in=6, D=3),
        dict(seed=403, fan_in=1, D=5, eps=0.5),
        dict(seed=404, fan_in=5, D=5, eps=0.05),
    ],
)
def test_fold_matches(submission, case):
    submission.check("fold_batchnorm_matches", **case)


# ----------------------------------------------------------------------------- 5.5 layer norm


@points(0.5, task="5.5")
@pytest.mark.parametrize("case", [dict(seed=501, N=6, D=7), dict(seed=502, N=1, D=2, eps=0.3)])
def test_layernorm_forward_matches(submission, case):
    submission.check("layernorm_forward_matches", **case)


@points(0.5, task="5.5")
@pytest.mark.parametrize("case", [dict(seed=503, N=5, D=6), dict(seed=504, N=3, D=2, eps=0.3)])
def test_layernorm_backward_matches(submission, case):
    submission.check("layernorm_backward_matches", **case)


@points(0.5, task="5.5")
def test_layernorm_properties(submission):
    submission.check("layernorm_properties", seed=505, N=7, D=5)
    submission.check("layernorm_gradcheck", seed=506, N=4, D=5)


@points(0.5, task="5.5")
def test_layernorm_single_feature_is_refused(submission):
    submission.check("layernorm_forward_matches", seed=507, N=4, D=1)  # must raise ValueError
    submission.check("layernorm_forward_matches", seed=508, N=4, D=2)  # ... and D = 2 must work
