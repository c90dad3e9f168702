"""Issue 11, items 2, 3 and "not graded": no point won by a trick, no point won by NaN, no score
from a failure that is not the student's.

The hostile students run in the real sandbox (bubblewrap, or the reduced sandbox where it is safe).
Each earned points before the record/replay judging (``course_lib/checks/replay.py``): their
tricks replaced the framework's numerical gradient, numpy's ``array_equal``, a scenario's helper,
or named an exception class ``ValueError``; each earns nothing now.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sandbox_students import needs_safe_sandbox

from autograder import REFERENCE_DIR, REPO
from autograder.sandbox import Limits
from autograder.score import GradeFailure, StudentError, framework, run_suite
from autograder.score.sandboxed import SandboxedSubmission

fw = framework()


def hostile(tmp_path: Path, name: str, init: str = "", **modules: str) -> Path:
    """A submission whose ``course_lib`` is the reference with code appended to ``__init__.py``
    (``init``) and to other modules (``layers="..."``)."""
    root = tmp_path / name
    shutil.copytree(REFERENCE_DIR, root / "course_lib",
                    ignore=shutil.ignore_patterns("__pycache__", "checks"))  # fmt: skip
    for module, code in {"__init__": init, **modules}.items():
        if code:
            p = root / "course_lib" / f"{module}.py"
            p.write_text(p.read_text() + "\n\n" + code + "\n")
    return root


def verdict(root: Path, scenario: str, **case) -> str | None:
    """None if the submission passes the case in the sandbox, else the failure message."""
    with SandboxedSubmission(root, limits=Limits(wall_seconds=20.0)) as sub:
        try:
            sub.check(scenario, **case)
            return None
        except (GradeFailure, StudentError) as exc:
            return str(exc)


ZERO_BACKWARD = """
_real_affine_backward = affine_backward

def affine_backward(dout, cache):
    return tuple(np.zeros_like(g) for g in _real_affine_backward(dout, cache))
"""

FORGE_NUMERICAL_GRADIENT = """
import numpy as _np
from .checks import framework as _fw, gradients as _g
from .checks.scenarios import s01_foundations as _s01

def _zeros(f, x, h=1e-6, **kw):
    return _np.zeros_like(x)

_g.numerical_gradient = _fw.numerical_gradient = _s01.numerical_gradient = _zeros
"""


@needs_safe_sandbox
def test_forged_numerical_gradient_earns_nothing(tmp_path):
    case = dict(seed=4, N=3, D=4, M=2)
    assert verdict(hostile(tmp_path, "honest"), "affine_gradcheck", **case) is None
    forged = hostile(tmp_path, "forger", init=FORGE_NUMERICAL_GRADIENT, layers=ZERO_BACKWARD)
    msg = verdict(forged, "affine_gradcheck", **case)
    # Either the gradients disagree, or (with the sandbox skipping the forward calls) the record
    # does not fit the trusted scenario: no point either way.
    assert msg is not None and ("relative error" in msg or "record" in msg), msg


@needs_safe_sandbox
def test_patched_numpy_cannot_hide_a_modified_input(tmp_path):
    mutate = """
_real_affine_forward = affine_forward

def affine_forward(x, W, b):
    out = _real_affine_forward(x, W, b)
    x += 1.0            # the output is right, the caller's array is not
    return out
"""
    patch = "import numpy as _np\n_np.array_equal = lambda *a, **k: True\n"
    root = hostile(tmp_path, "mutator", init=patch, layers=mutate)
    msg = verdict(root, "affine_forward_matches", seed=0, N=4, D=3, M=5)
    assert msg is not None and "inputs_unchanged" in msg


@needs_safe_sandbox
def test_patched_scenario_helper_cannot_hide_a_modified_input(tmp_path):
    mutate = """
_real_batchnorm_forward = batchnorm_forward

def batchnorm_forward(x, gamma, beta, running_mean, running_var, **kw):
    result = _real_batchnorm_forward(x, gamma, beta, running_mean, running_var, **kw)
    running_mean[...] = result[2]       # the classic in-place update of the running statistics
    return result
"""
    patch = ("from .checks.scenarios import s05_batchnorm as _s05\n"
             "_s05.unchanged = lambda arrays, copies: True\n")  # fmt: skip
    root = hostile(tmp_path, "in_place", init=patch, batchnorm=mutate)
    msg = verdict(root, "batchnorm_forward_train", seed=0, N=6, D=3)
    assert msg is not None and "inputs_unchanged" in msg


FAKE_VALUE_ERROR = """
class ValueError(Exception):      # not the builtin: only its name says ValueError
    pass

_real_batchnorm_forward = batchnorm_forward

def batchnorm_forward(x, *args, **kw):
    if x.shape[0] < 2:
        raise ValueError("batch too small")
    return _real_batchnorm_forward(x, *args, **kw)
"""


@needs_safe_sandbox
def test_exceptions_are_judged_by_their_builtin_class(tmp_path):
    case = dict(seed=110, N=1, D=4)  # the reference raises ValueError
    fake = verdict(hostile(tmp_path, "fake", batchnorm=FAKE_VALUE_ERROR), "batchnorm_forward_train",
                   **case)  # fmt: skip
    assert fake is not None and "expected ValueError" in fake
    subclass = FAKE_VALUE_ERROR.replace("class ValueError(Exception)",
                                        "class ValueError(__builtins__['ValueError'])")  # fmt: skip
    real = hostile(tmp_path, "subclass", batchnorm=subclass)
    assert verdict(real, "batchnorm_forward_train", **case) is None
    broken = hostile(tmp_path, "broken", batchnorm="raise ValueError('broken at import')")
    msg = verdict(broken, "batchnorm_forward_train", **case)
    assert msg is not None and "broken at import" in msg


LIAR = """
class _Liar:
    def __eq__(self, other):
        return True
    def __array__(self, dtype=None, copy=None):
        return np.zeros((1, 1))
    def __float__(self):
        return 0.0
    def __len__(self):
        return 2

_real_affine_forward = affine_forward

def affine_forward(x, W, b):
    out, cache = _real_affine_forward(x, W, b)
    return _Liar(), cache
"""


@needs_safe_sandbox
def test_objects_that_lie_earn_nothing(tmp_path):
    msg = verdict(hostile(tmp_path, "liar", layers=LIAR), "affine_forward_matches",
                  seed=0, N=4, D=3, M=5)  # fmt: skip
    assert msg is not None and "out" in msg


@needs_safe_sandbox
def test_an_all_nan_dropout_earns_nothing_in_task_6_1(tmp_path):
    nan = """
_real_dropout_forward = dropout_forward

def dropout_forward(x, p, rng, train=True):
    out, cache = _real_dropout_forward(x, p, rng, train=train)
    return np.full_like(np.asarray(out, dtype=float), np.nan), cache
"""
    root = hostile(tmp_path, "nan", dropout=nan)
    with SandboxedSubmission(root, limits=Limits(wall_seconds=20.0)) as sub:
        report = run_suite("06_dropout", sub)
    earned, possible = report.task_scores()["6.1"]
    assert possible > 0 and earned == 0, report.feedback("6.1")


# ------------------------------------------------------------------------------------------------
# Record and replay (in-process, fast)


def test_replay_gives_the_direct_outcome_on_every_public_case():
    """The trusted replay of the reference's record equals running the reference directly."""
    from autograder.reference import REFERENCE_NAME

    for scn in fw.load_scenarios(REFERENCE_NAME).values():
        for case in scn.cases:
            direct = fw.run_scenario(scn, fw.LibView(REFERENCE_NAME), case)
            replayed = fw.replay_scenario(scn, case, fw.record_scenario(scn, case, REFERENCE_NAME))
            if direct.error is not None:
                assert replayed.error is not None and replayed.error.type == direct.error.type
                assert replayed.error.builtin == direct.error.builtin, scn.case_id(case)
            else:
                assert fw.compare_outcomes(replayed, direct, 0, 0) is None, scn.case_id(case)


def test_a_record_that_does_not_fit_never_counts_as_the_expected_exception():
    from autograder.reference import REFERENCE_NAME

    scn = fw.load_scenarios(REFERENCE_NAME)["batchnorm_forward_train"]
    case = dict(seed=110, N=1, D=4)
    expected = fw.run_scenario(scn, fw.LibView(REFERENCE_NAME), case)
    assert expected.error is not None and expected.error.builtin == "ValueError"
    good = fw.record_scenario(scn, case, REFERENCE_NAME)
    assert fw.evaluate(scn, case, fw.replay_scenario(scn, case, good), expected).passed
    bad_records = [
        fw.Record(events=[]),
        fw.Record(events=[{"e": "module", "name": "batchnorm"}, {"e": "get", "name": "nope"}]),
        fw.Record(events=[{"e": "module", "name": "batchnorm"},
                          {"e": "get", "name": "batchnorm_forward", "callable": True},
                          {"e": "call", "name": "batchnorm_forward", "after": "garbage"}]),
        fw.Record(events=good.events[:1] + [{"e": "get", "name": "batchnorm_forward",
                                             "raise": {"type": "ValueError", "builtin": "Nope"}}]),
        fw.Record(events=good.events[:1] + [{"e": "get", "name": "batchnorm_forward",
                                             "raise": "not a dict"}]),
    ]  # fmt: skip
    for record in bad_records:
        got = fw.replay_scenario(scn, case, record)
        assert got.error is not None and got.error.builtin in ("", "Exception")
        assert not fw.evaluate(scn, case, got, expected).passed, record


# ------------------------------------------------------------------------------------------------
# Non-finite outputs, one test per kind of check


def _scn(compare="match", verify=None):
    return fw.Scenario(name="s", task="1.1", func=lambda lib, rng: {}, cases=({"seed": 0},),
                       compare=compare, verify=verify)  # fmt: skip


def _out(**outputs):
    return fw.Outcome(outputs=outputs)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_match_fails_on_a_non_finite_value_the_reference_does_not_have(bad):
    ref = _out(y=np.array([1.0, 2.0]), s=1.5)
    assert not fw.evaluate(_scn(), {"seed": 0}, _out(y=np.array([1.0, bad]), s=1.5), ref).passed
    assert not fw.evaluate(_scn(), {"seed": 0}, _out(y=np.array([1.0, 2.0]), s=bad), ref).passed
    same = _out(y=np.array([1.0, bad]), s=bad)
    assert fw.evaluate(_scn(), {"seed": 0}, same, same).passed  # the reference's own value
    other = -np.inf if bad == np.inf else np.inf
    assert not fw.evaluate(_scn(), {"seed": 0}, _out(y=np.array([1.0, other]), s=bad), same).passed


@pytest.mark.parametrize("where", ["analytic", "numerical"])
def test_gradcheck_fails_on_non_finite_gradients(where):
    good = np.array([[1.0, -2.0]])
    bad = np.array([[np.nan, -2.0]])
    outputs = {"dx": bad if where == "analytic" else good, "dx_num": good if where == "analytic"
               else bad}  # fmt: skip
    assert not fw.evaluate(_scn("gradcheck"), {"seed": 0}, _out(**outputs)).passed
    assert fw.evaluate(_scn("gradcheck"), {"seed": 0}, _out(dx=good, dx_num=good)).passed


def test_property_fails_on_non_finite_outputs_a_comparison_would_let_through():
    def verify(outputs, **_):  # the pattern of task 6.1's expectation check
        if np.any(np.abs(outputs["mean"] - 1.0) > 0.1):
            raise AssertionError("mean too far from 1")

    scn = _scn("property", verify)
    nan = _out(mean=np.array([np.nan, np.nan]))
    assert fw.evaluate(scn, {"seed": 0}, _out(mean=np.array([1.0, 1.05])), None).passed
    for expected in (None, _out(mean=np.array([1.0, 1.0]))):
        v = fw.evaluate(scn, {"seed": 0}, nan, expected)
        assert not v.passed and "nan" in v.message
    # ... unless the reference's outputs hold the same non-finite value under that name.
    assert fw.evaluate(scn, {"seed": 0}, _out(mean=np.array([1.0, 1.0]), log=-np.inf),
                       _out(mean=np.array([1.0, 1.0]), log=-np.inf)).passed  # fmt: skip


# ------------------------------------------------------------------------------------------------
# A failure that is not the student's is "not graded, rerun", never a score


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="sandbox uids are leased only when grading as root")
def test_a_persistent_sandbox_failure_is_not_graded_in_table_csv_and_exit_status(tmp_path):
    from autograder.record.course import init_course, make_submission_dir

    a = "07_penalties"
    fix = REPO / "tests" / "fixtures" / "grading"
    root = init_course(tmp_path / "course", {a: fix / "source" / a}, suite_dir=fix / "suites",
                       extra_config="c.SandboxedExecute.total_timeout = 40\n")  # fmt: skip
    make_submission_dir(root, "reference", a, REFERENCE_DIR)
    blocker = tmp_path / "not_a_directory"
    blocker.write_text("")
    # Every sandbox start fails: its uid lease cannot be taken (the machine's failure).
    env = dict(os.environ, COURSE_SANDBOX_LEASE_DIR=str(blocker / "leases"))
    course = [sys.executable, "-m", "autograder.cli"]
    run = subprocess.run([*course, "grade", "--course-dir", str(root)], env=env,
                         capture_output=True, text=True, timeout=600)  # fmt: skip
    assert run.returncode == 3, run.stdout + run.stderr
    assert "not graded" in run.stdout and "rerun `course grade`" in run.stderr
    row = next(line for line in run.stdout.splitlines() if line.startswith("reference"))
    assert "not graded" in row and "/" not in row.split("not graded")[0], row
    from autograder.export import export_csv

    buf = io.StringIO()
    export_csv(root, buf)
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    row = next(r for r in rows if r["student"] == "reference")
    assert "not graded, rerun" in row["error"] and row["total"] == "", row
