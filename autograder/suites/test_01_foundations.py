"""Hidden suite of assignment 01, a feedforward network from scratch (tasks 1.1-1.6). Never shipped.

Other seeds, odd and degenerate shapes (N = 1, one output, one class column), inputs with exact
zeros (the derivative conventions at the kinks), huge scores with overflow turned into an error,
several classes so that rows/columns and sums/means differ, properties (softmax rows sum to 1,
gradients of the mean loss sum to 0 per row, confusion-matrix totals) and gradient checks.
Points per task: 1.1: 3, 1.2: 4, 1.3: 3, 1.4: 3, 1.5: 3, 1.6: 3 (each parametrized case earns the
marked points).
"""

import numpy as np
import pytest

from autograder.score import points

ACTS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu")

# ----------------------------------------------------------------------------- 1.1 affine


@points(0.25, task="1.1")
@pytest.mark.parametrize(
    "case",
    [dict(seed=101, N=7, D=5, M=3), dict(seed=102, N=1, D=1, M=4), dict(seed=103, N=9, D=2, M=1)],
)
def test_affine_forward(submission, case):
    submission.check("affine_forward_matches", **case)


@points(0.5, task="1.1")
@pytest.mark.parametrize(
    "case",
    [dict(seed=104, N=7, D=5, M=3), dict(seed=105, N=1, D=3, M=2), dict(seed=106, N=6, D=4, M=4)],
)
def test_affine_backward(submission, case):
    submission.check("affine_backward_matches", **case)


@points(0.375, task="1.1")
@pytest.mark.parametrize("case", [dict(seed=107, N=5, D=3, M=4), dict(seed=108, N=2, D=6, M=1)])
def test_affine_gradcheck(submission, case):
    submission.check("affine_gradcheck", **case)


# ----------------------------------------------------------------------------- 1.2 activations


@points(0.125, task="1.2")
@pytest.mark.parametrize(
    "case",
    [dict(seed=110 + i, act=n, N=6, D=7) for i, n in enumerate(ACTS)]
    + [
        dict(seed=115, act="leaky_relu", N=3, D=4, alpha=0.3),
        dict(seed=116, act="elu", N=3, D=4, alpha=2.0),
    ],
)
def test_activation_forward(submission, case):
    submission.check("activation_forward_matches", **case)


@points(0.1875, task="1.2")
@pytest.mark.parametrize(
    "case",
    [dict(seed=120 + i, act=n, N=6, D=7) for i, n in enumerate(ACTS)]
    + [
        dict(seed=125, act="leaky_relu", N=3, D=4, alpha=0.3),
        dict(seed=126, act="elu", N=3, D=4, alpha=2.0),
        dict(seed=127, act="relu", N=1, D=9),
    ],
)
def test_activation_backward(submission, case):
    submission.check("activation_backward_matches", **case)


@points(0.125, task="1.2")
@pytest.mark.parametrize(
    "case",
    [dict(seed=130 + i, act=n, N=4, D=5) for i, n in enumerate(ACTS)]
    + [dict(seed=135, act="leaky_relu", N=4, D=5, alpha=0.25)],
)
def test_activation_gradcheck(submission, case):
    submission.check("activation_gradcheck", **case)


@points(0.25, task="1.2")
@pytest.mark.parametrize(
    "case", [dict(seed=140, act="sigmoid"), dict(seed=141, act="tanh"), dict(seed=142, act="elu")]
)
def test_activation_extreme_inputs(submission, case):
    submission.check("activation_extreme_inputs", **case)


@points(0.125, task="1.2")
def test_sigmoid_range_and_symmetry(submission):
    out = np.asarray(
        submission.run("activation_forward_matches", seed=143, act="sigmoid", N=40, D=9)["out"]
    )
    assert np.all((out >= 0) & (out <= 1)), "sigmoid outputs must lie in [0, 1]"
    # inputs with exact zeros sit at every third entry: sigmoid(0) = 0.5
    assert np.allclose(out.flat[::3], 0.5), "sigmoid(0) must be 0.5"


# ----------------------------------------------------------------------------- 1.3 softmax / CE


@points(0.25, task="1.3")
@pytest.mark.parametrize(
    "case", [dict(seed=150, N=6, C=5), dict(seed=151, N=1, C=2), dict(seed=152, N=4, C=1)]
)
def test_softmax(submission, case):
    submission.check("softmax_matches", **case)


@points(0.25, task="1.3")
@pytest.mark.parametrize("case", [dict(seed=153, N=5, C=3), dict(seed=154, N=2, C=6)])
def test_softmax_huge_scores(submission, case):
    submission.check("softmax_huge_scores", **case)


@points(0.25, task="1.3")
@pytest.mark.parametrize(
    "case", [dict(seed=155, N=7, C=4), dict(seed=156, N=1, C=3), dict(seed=157, N=10, C=2)]
)
def test_softmax_cross_entropy(submission, case):
    submission.check("softmax_cross_entropy_matches", **case)


@points(0.25, task="1.3")
@pytest.mark.parametrize("case", [dict(seed=158, N=5, C=4), dict(seed=159, N=2, C=2)])
def test_softmax_cross_entropy_gradcheck(submission, case):
    submission.check("softmax_cross_entropy_gradcheck", **case)


@points(0.125, task="1.3")
@pytest.mark.parametrize("case", [dict(seed=160, N=6, C=3), dict(seed=161, N=3, C=5)])
def test_softmax_cross_entropy_huge_scores(submission, case):
    submission.check("softmax_cross_entropy_huge_scores", **case)


@points(0.25, task="1.3")
def test_cross_entropy_gradient_rows_sum_to_zero(submission):
    out = submission.run("softmax_cross_entropy_matches", seed=162, N=12, C=5)
    d = np.asarray(out["dscores"])
    assert d.shape == (12, 5), f"dscores must have the shape of scores (12, 5); got {d.shape}"
    assert np.allclose(d.sum(axis=1), 0.0, atol=1e-12), (
        "each row of dscores = (softmax - onehot) / N must sum to 0"
    )
    assert float(out["loss"]) > 0, "the cross-entropy of a softmax is positive"


# ----------------------------------------------------------------------------- 1.4 regression, 0-1


@points(0.25, task="1.4")
@pytest.mark.parametrize(
    "case",
    [
        dict(seed=170, N=7, K=4),
        dict(seed=171, N=6, K=None),
        dict(seed=172, N=1, K=3),
        dict(seed=173, N=5, K=1),
    ],
)
def test_mse(submission, case):
    submission.check("mse_matches", **case)


@points(0.25, task="1.4")
@pytest.mark.parametrize(
    "case", [dict(seed=174, N=7, K=4), dict(seed=175, N=6, K=None), dict(seed=176, N=2, K=2)]
)
def test_mae(submission, case):
    submission.check("mae_matches", **case)


@points(0.125, task="1.4")
@pytest.mark.parametrize(
    "case", [dict(seed=177, N=5, K=2, loss="mse"), dict(seed=178, N=3, K=4, loss="mae")]
)
def test_regression_gradcheck(submission, case):
    submission.check("regression_loss_gradcheck", **case)


@points(0.25, task="1.4")
@pytest.mark.parametrize("case", [dict(seed=179, N=25, C=4), dict(seed=180, N=3, C=2)])
def test_zero_one_error(submission, case):
    submission.check("zero_one_error_matches", **case)


@points(0.5, task="1.4")
def test_lecture_example(submission):
    submission.check("lecture_loss_example", seed=181)


# ----------------------------------------------------------------------------- 1.5 metrics


@points(0.25, task="1.5")
@pytest.mark.parametrize(
    "case",
    [dict(seed=190, N=60, K=4), dict(seed=191, N=5, K=2, n_classes=3), dict(seed=192, N=1, K=1)],
)
def test_confusion_matrix(submission, case):
    submission.check("confusion_matrix_matches", **case)


@points(0.25, task="1.5")
def test_confusion_matrix_totals(submission):
    C = np.asarray(submission.run("confusion_matrix_matches", seed=193, N=50, K=5)["C"])
    assert C.ndim == 2 and C.shape[0] == C.shape[1], f"C must be square; got shape {C.shape}"
    assert C.sum() == 50, f"the counts must add up to N = 50; got {C.sum()}"
    assert np.issubdtype(C.dtype, np.integer), (
        f"C holds counts: use an integer dtype, got {C.dtype}"
    )


@points(0.25, task="1.5")
@pytest.mark.parametrize("case", [dict(seed=194, N=50), dict(seed=195, N=9)])
def test_binary_metrics(submission, case):
    submission.check("binary_metrics_matches", **case)


@points(0.25, task="1.5")
@pytest.mark.parametrize(
    "case",
    [
        dict(seed=196, N=80, K=5, average=None),
        dict(seed=197, N=60, K=3, average="macro"),
        dict(seed=198, N=30, K=4, average="binary"),
    ],
)
def test_multiclass_metrics(submission, case):
    submission.check("multiclass_metrics_matches", **case)


@points(0.75, task="1.5")
def test_zero_division_rule(submission):
    submission.check("metrics_zero_division", seed=199)


# ----------------------------------------------------------------------------- 1.6 perceptron


@points(0.5, task="1.6")
@pytest.mark.parametrize("case", [dict(seed=201, N=30, D=2), dict(seed=202, N=25, D=5, lr=0.1)])
def test_perceptron_fit(submission, case):
    submission.check("perceptron_fit_matches", **case)


@points(0.5, task="1.6")
@pytest.mark.parametrize("case", [dict(seed=203, N=20, D=3)])
def test_perceptron_fit_shuffled(submission, case):
    submission.check("perceptron_fit_shuffled", **case)


@points(0.5, task="1.6")
@pytest.mark.parametrize("case", [dict(seed=204, N=60, D=2), dict(seed=205, N=40, D=6)])
def test_perceptron_converges(submission, case):
    submission.check("perceptron_converges", **case)


@points(0.5, task="1.6")
@pytest.mark.parametrize("case", [dict(seed=206, epochs=4)])
def test_perceptron_not_separable(submission, case):
    submission.check("perceptron_not_separable", **case)
