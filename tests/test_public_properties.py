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
