"""Public property checks (issue 13): every property a notebook states about a graded task has a
check whose failure says the property in words and where it fails, so that a mistake outside the
catalogue is localized rather than reported as "15 of 15 entries differ".

The property is computed by the grader from the recorded outputs (``checks/replay.py``), so the
same message reaches a graded student's feedback.
"""

from __future__ import annotations

import importlib
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
from sandbox_students import needs_safe_sandbox

from autograder import REFERENCE_DIR
from autograder.mistakes import load_catalogue, make_mistaken_package
from autograder.reference import REFERENCE_NAME
from autograder.sandbox import Limits
from autograder.score import GradeFailure, InProcessSubmission, StudentError, framework
from course_lib.tasks import get_task

fw = framework()
public = importlib.import_module(fw.__name__.rpartition(".")[0] + ".public")  # the reference's

# An uncatalogued mistake: the staged backward drops the 1/N of the variance path only
# (``var = mean(x_mu**2)``), keeping the one of the mean path. Every column of dx still sums to 0
# (the deviations from the mean do), but dx is no longer orthogonal to x_hat.
STAGED_LINE = "dsq = np.broadcast_to(dvar / N, dout.shape)"
NO_N_ON_VARIANCE = "dsq = np.broadcast_to(dvar, dout.shape)"
ORTHOGONAL = "every column of dx must be orthogonal to x_hat"


def _variance_path_without_one_over_n(dest: Path) -> Path:
    pkg = dest / "course_lib"
    shutil.copytree(REFERENCE_DIR, pkg, ignore=shutil.ignore_patterns("__pycache__"))
    path = pkg / "batchnorm.py"
    source = path.read_text()
    assert source.count(STAGED_LINE) == 1, "the reference's staged backward changed: update the test"
    path.write_text(source.replace(STAGED_LINE, NO_N_ON_VARIANCE))
    return pkg


def test_mistake_not_in_the_catalogue():
    names = {m.name for m in load_catalogue() if m.target == "batchnorm.batchnorm_backward"}
    assert "missing the 1/N of the batch averages" in names  # both paths: a different mistake
    assert not any("variance" in n and "1/N" in n for n in names)


def test_public_check_localizes_missing_one_over_n_on_the_variance_path(tmp_path):
    pkg = _variance_path_without_one_over_n(tmp_path)
    task = get_task("5.2")
    with InProcessSubmission(pkg) as sub:
        ok, report = public.task_report(task, package=sub.alias,
                                        cases=fw.public_cases(REFERENCE_NAME, "5.2"))
    assert not ok
    lines = report.splitlines()
    at = next(i for i, line in enumerate(lines) if "✗ batchnorm_backward_properties" in line)
    detail = lines[at + 1]
    # the property in words, where it fails, and the numbers
    assert ORTHOGONAL in detail and "column 0 gives" in detail and "expected" in detail, report
    assert "sum to 0" not in detail, report        # the column sums still hold
    # the comparison alone would only have said how many entries differ
    assert "entries differ" in report and "Known mistake" not in report, report


@needs_safe_sandbox
def test_graded_feedback_localizes_it_too(tmp_path):
    """The hidden suite's case, judged by the grader on the replayed record."""
    from autograder.score.sandboxed import SandboxedSubmission

    root = tmp_path / "student"
    _variance_path_without_one_over_n(root)
    with SandboxedSubmission(root, limits=Limits(wall_seconds=30.0)) as sub:
        with pytest.raises((GradeFailure, StudentError)) as caught:
            sub.check("batchnorm_backward_properties", seed=205, N=9, D=4)
    assert ORTHOGONAL in str(caught.value), str(caught.value)


# (scenario, catalogued mistake "target:slug", words the failure must contain): each property
# check fails on a wrong implementation, saying which property and where.
PROPERTY_FAILURES = [
    ("batchnorm_backward_properties", "batchnorm.batchnorm_backward:mean_path_missing",
     "every column of dx must sum to 0"),
    ("batchnorm_backward_properties", "batchnorm.batchnorm_backward:variance_path_missing",
     ORTHOGONAL),
    ("batchnorm_backward_fast_properties", "batchnorm.batchnorm_backward_fast:variance_path_missing",
     ORTHOGONAL),
    ("batchnorm_backward_properties", "batchnorm.batchnorm_backward:wrong_axis",
     "dgamma must have shape (D,)"),
    ("batchnorm_forward_normalizes", "batchnorm.batchnorm_forward:unbiased_variance",
     "must have variance var / (var + eps)"),
    ("batchnorm_forward_statistics", "batchnorm.batchnorm_forward:momentum_reversed",
     "new_running_mean must be momentum * old + (1 - momentum)"),
    ("batchnorm_forward_statistics", "batchnorm.batchnorm_forward:batch_stats_at_test",
     "test mode must normalize with the running statistics"),
    ("batchnorm_forward_statistics", "batchnorm.batchnorm_forward:updates_in_test_mode",
     "test mode must return the running statistics unchanged"),
    ("fold_batchnorm_same_function", "batchnorm.fold_batchnorm:without_gamma",
     "the folded layer must compute the same function"),
    ("layernorm_properties", "batchnorm.layernorm_backward:dgamma_per_sample",
     "dgamma must have shape (D,)"),
    ("layernorm_properties", "batchnorm.layernorm_forward:batch_axis",
     "every sample (row) of the output must have mean 0"),
    # 03: shape, dtype, a new array, the generator; a whole network
    ("simple_initializer_properties", "init.zeros:int_dtype", "must return float64 weights"),
    ("simple_initializer_properties", "init.constant:ignores_value",
     "every entry of constant(..., value=-0.75) must be -0.75"),
    ("simple_initializer_properties", "init.normal:transposed", "(transposed: a layer computes"),
    ("xavier_properties", "init.xavier_normal:transposed",
     "xavier_normal(3, 6, rng) must return shape (fan_in, fan_out)"),
    ("he_lecun_properties", "init.he_normal:reseeded",
     "two calls of he_normal with the same generator gave the same weights"),
    ("he_lecun_properties", "init.he_normal:transposed", "(transposed: a layer computes"),
    ("init_params_properties", "init.init_params:nonzero_biases", "every bias must start at 0"),
    ("init_params_properties", "init.init_params:reseeded_per_layer",
     "W2 and W3 are identical"),
    # 04: the training data standardized or filling [lo, hi], the training statistics on new
    # data, the round trip
    ("standardizer_properties", "preprocessing.Standardizer:refit_in_transform",
     "the test set's own statistics were used"),
    ("standardizer_properties", "preprocessing.Standardizer:ddof1",
     "you divided by the sample standard deviation (ddof=1)"),
    ("standardizer_properties", "preprocessing.Standardizer:divide_by_variance",
     "you divided by the variance sigma**2"),
    ("standardizer_properties", "preprocessing.Standardizer:per_sample",
     "fit must store mean_ with one entry per feature"),
    ("standardizer_properties", "preprocessing.Standardizer:no_constant_guard",
     "give it a scale of 1, as scikit-learn does"),
    ("standardizer_properties", "preprocessing.Standardizer:std_equals_zero_test",
     "feature 0 is constant in the training data (max == min): its scale_ must be 1"),
    ("standardizer_properties", "preprocessing.Standardizer:near_constant_not_detected",
     "feature 2 varies only by rounding"),
    ("standardizer_properties", "preprocessing.Standardizer:inverse_wrong_order",
     "inverse_transform must undo transform"),
    ("minmax_properties", "preprocessing.MinMaxScaler:refit_in_transform",
     "the test set's own minimum and maximum were used"),
    ("minmax_properties", "preprocessing.MinMaxScaler:ignores_range",
     "feature_range was ignored"),
    ("minmax_properties", "preprocessing.MinMaxScaler:divide_by_max",
     "must fill feature_range"),
    ("minmax_properties", "preprocessing.MinMaxScaler:no_constant_guard",
     "give it a range of 1, as scikit-learn does"),
    # 06: test mode and p = 0 are identities, forward and backward; the backward's mask
    ("dropout_identities", "dropout.dropout_forward:dropout_at_test",
     "in test mode (train=False) dropout is the identity"),
    ("dropout_identities", "dropout.dropout_forward:scale_at_test",
     "that is the original dropout's test rule"),
    ("dropout_identities", "dropout.dropout_forward:p_is_keep", "with p = 0 no unit is dropped"),
    ("dropout_backward_identities", "dropout.dropout_backward:scale_at_test",
     "in test mode the forward is the identity, so the backward is too"),
    ("dropout_backward_mask", "dropout.dropout_backward:new_mask",
     "dx must be 0 exactly where the forward dropped a unit"),
    ("dropout_backward_mask", "dropout.dropout_backward:no_rescale",
     "a kept unit must pass dout scaled like the forward"),
]


def _mistake(key: str):
    target, _, slug = key.partition(":")
    found = [m for m in load_catalogue() if m.target == target and m.slug == slug]
    assert found, f"no catalogued mistake {key}"
    return found[0]


@pytest.mark.parametrize("scenario, mistake, words", PROPERTY_FAILURES,
                         ids=[f"{s}-{m.partition(':')[2]}" for s, m, _ in PROPERTY_FAILURES])
def test_property_check_says_the_property(scenario, mistake, words):
    cases = [pc for pc in fw.public_cases(REFERENCE_NAME) if pc.scenario.name == scenario]
    assert cases and all(pc.scenario.compare == "property" for pc in cases)
    with tempfile.TemporaryDirectory() as tmp:
        pkg = make_mistaken_package(_mistake(mistake), Path(tmp))
        with InProcessSubmission(pkg) as sub:
            verdicts = [fw.run_public_case(pc, sub.alias) for pc in cases]
    failed = [v for v in verdicts if not v.passed]
    assert failed, f"{scenario} passes on {mistake}"
    assert any(words in v.message for v in failed), [v.message for v in failed]


# ------------------------------------------------------------------------------------------------
# Wrong implementations outside the catalogue, one per property scenario of 03, 04 and 06: the
# property check fails and its message says which property, where.

_init = importlib.import_module(f"{REFERENCE_NAME}.init")
_pre = importlib.import_module(f"{REFERENCE_NAME}.preprocessing")
_drop = importlib.import_module(f"{REFERENCE_NAME}.dropout")


def _normal_unseeded(fan_in, fan_out, rng, *, std=0.01):
    """Draws from a generator of its own, without a seed: nothing is reproducible."""
    return np.random.default_rng().normal(0.0, std, size=(fan_in, fan_out))


def _xavier_uniform_global(fan_in, fan_out, rng):
    """numpy's global generator instead of the rng argument."""
    a = np.sqrt(6.0 / (fan_in + fan_out))
    return np.random.uniform(-a, a, size=(fan_in, fan_out))


def _lecun_normal_float32(fan_in, fan_out, rng):
    return rng.standard_normal((fan_in, fan_out), dtype=np.float32) / np.float32(np.sqrt(fan_in))


def _init_params_ignores_init(layer_sizes, rng, *, init="he_normal"):
    return _init.init_params(layer_sizes, rng, init="he_normal")


class _StandardizerWithEpsilon(_pre.Standardizer):
    """The deep-learning habit z = (x - mean) / (std + 1e-8), instead of scale 1 for a constant
    feature."""

    def fit(self, x):
        super().fit(x)
        self.scale_ = np.sqrt(self.var_) + 1e-8
        return self


class _MinMaxClipping(_pre.MinMaxScaler):
    """Clips new data into [lo, hi]: test values outside the training range are lost."""

    def transform(self, x):
        return np.clip(super().transform(x), *self.feature_range)


def _dropout_draws_at_test(x, p, rng, train=True):
    """Draws a mask in test mode too (and ignores it): the generator moves on."""
    out, cache = _drop.dropout_forward(x, p, rng, train)
    if not train:
        rng.random(np.shape(x))
    return out, cache


def _dropout_backward_rescales_at_test(dout, cache):
    dx = _drop.dropout_backward(dout, cache)
    return dx if cache["train"] else dx / (1 - cache["p"])


UNCATALOGUED = [
    ("simple_initializer_properties", "init.normal", _normal_unseeded,
     "two generators created with the same seed gave different weights"),
    ("xavier_properties", "init.xavier_uniform", _xavier_uniform_global,
     "xavier_uniform must draw every number from its rng argument"),
    ("he_lecun_properties", "init.lecun_normal", _lecun_normal_float32,
     "must return float64 weights; got dtype float32"),
    ("init_params_properties", "init.init_params", _init_params_ignores_init,
     "W1 must be lecun_normal(5, 6, rng) from the rng you were given, the first draw"),
    ("standardizer_properties", "preprocessing.Standardizer", _StandardizerWithEpsilon,
     "feature 0 is constant in the training data (max == min): its scale_ must be 1"),
    ("minmax_properties", "preprocessing.MinMaxScaler", _MinMaxClipping,
     "new data outside the training range must land outside [lo, hi]: do not clip"),
    ("dropout_identities", "dropout.dropout_forward", _dropout_draws_at_test,
     "test mode must not draw from rng"),
    ("dropout_backward_identities", "dropout.dropout_backward", _dropout_backward_rescales_at_test,
     "in test mode the forward is the identity, so the backward is too: dx must equal dout"),
]


@pytest.mark.parametrize("scenario, target, wrong, words", UNCATALOGUED,
                         ids=[f"{s}-{w.__name__.strip('_')}" for s, _, w, _ in UNCATALOGUED])
def test_property_check_localizes_an_uncatalogued_mistake(scenario, target, wrong, words):
    cases = [pc for pc in fw.public_cases(REFERENCE_NAME) if pc.scenario.name == scenario]
    assert cases and all(pc.scenario.compare == "property" for pc in cases)
    lib = fw.LibView(REFERENCE_NAME, {target: wrong})
    verdicts = [fw.evaluate(pc.scenario, pc.case, fw.run_scenario(pc.scenario, lib, pc.case))
                for pc in cases]
    failed = [v for v in verdicts if not v.passed]
    assert failed, f"{scenario} passes on {wrong.__name__}"
    assert any(words in v.message for v in failed), [v.message for v in failed]


ZEROS_LINE = "    return np.zeros((fan_in, fan_out), dtype=np.float64)\n"
ZEROS_CACHED = ("    key = (fan_in, fan_out)\n"
                "    if key not in _ZEROS:\n"
                "        _ZEROS[key] = np.zeros(key)\n"
                "    return _ZEROS[key]\n")


def test_a_shared_zeros_array_is_found_directly_and_on_replay(tmp_path):
    """zeros returning one cached array per shape (two layers would share their weights): the
    public check in the student's process and the grader's replay of a sandbox record say the
    same, because the scenario writes to the array it got and calls again."""
    pkg = tmp_path / "course_lib"
    shutil.copytree(REFERENCE_DIR, pkg, ignore=shutil.ignore_patterns("__pycache__"))
    path = pkg / "init.py"
    source = path.read_text()
    assert source.count(ZEROS_LINE) == 1, "the reference's zeros changed: update the test"
    path.write_text(source.replace(ZEROS_LINE, ZEROS_CACHED) + "\n_ZEROS = {}\n")
    with InProcessSubmission(pkg) as sub:
        scn = fw.load_scenarios(sub.alias)["simple_initializer_properties"]
        case = next(c for c in scn.cases if c["name"] == "zeros")
        for _ in range(2):  # the check leaves the cached array as it found it
            direct = fw.evaluate(scn, case, fw.run_scenario(scn, fw.LibView(sub.alias), case))
            replayed = fw.evaluate(scn, case, fw.replay_scenario(
                scn, case, fw.record_scenario(scn, case, sub.alias)))
            for verdict in (direct, replayed):
                assert not verdict.passed and "must return a NEW array" in verdict.message, \
                    verdict.message
