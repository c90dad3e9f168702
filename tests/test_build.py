"""`course build`: stub generation rules, the drift check, and that nothing secret leaks."""

import ast
import json
import os
import re
from pathlib import Path

import numpy as np
import pytest

from autograder import PUBLIC_FIXTURES, REFERENCE_DIR, RELEASE_NOTEBOOKS, SOURCE_NOTEBOOKS, STUDENT_LIB
from autograder.build import BuildError, make_stub, solution_regions
from autograder.build.command import build

GRADED_SOURCE = '''
import numpy as np


def relu_forward(x):
    """Doc."""
    x = np.asarray(x)
    ### BEGIN SOLUTION
    out = np.maximum(x, 0)
    return out, x
    ### END SOLUTION


class Standardizer:
    def fit(self, x):
        ### BEGIN SOLUTION
        self.mean_ = x.mean(0)
        ### END SOLUTION
        return self
'''


def test_stub_replaces_each_solution_region_with_a_named_error():
    stub = make_stub(GRADED_SOURCE.split("\nclass")[0], "layers")
    assert "np.maximum" not in stub and "BEGIN SOLUTION" not in stub
    assert 'raise NotImplementedError("Task 1.2 relu_forward — see notebooks/01_foundations")' in stub
    assert "x = np.asarray(x)" in stub, "code outside the markers (input checks) is kept"
    ast.parse(stub)


def test_stub_of_a_method_names_class_and_method():
    src = GRADED_SOURCE.split("\n\n\ndef relu_forward")[0] + "\n\n\nclass" + GRADED_SOURCE.split("\nclass")[1]
    stub = make_stub(src, "preprocessing")
    assert 'raise NotImplementedError("Task 4.1 Standardizer.fit — see notebooks/04_normalization")' in stub
    assert "return self" in stub and "self.mean_" not in stub


@pytest.mark.parametrize("bad, message", [
    ("def f():\n    ### BEGIN SOLUTION\n    pass\n", "never closed"),
    ("def f():\n    ### END SOLUTION\n", "without"),
    ("def f():\n    ### BEGIN SOLUTION\n    ### BEGIN SOLUTION\n", "nested"),
    ("x = 1  ### BEGIN SOLUTION\n", "alone on its line"),
])
def test_malformed_markers_are_rejected_with_the_line(bad, message):
    with pytest.raises(BuildError, match=message):
        solution_regions(bad, "m.py")


def test_markers_in_an_ungraded_function_are_rejected():
    with pytest.raises(BuildError, match="not registered"):
        make_stub("def helper():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n", "layers", "layers.py")
    with pytest.raises(BuildError, match="outside a function"):
        make_stub("### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n", "layers", "layers.py")


@pytest.mark.slow
def test_committed_files_match_a_fresh_build():
    problems = build(check=True)
    assert not problems, "run `course build` and commit:\n" + "\n".join(problems)


def test_fixture_values_changed_by_round_off_keep_their_committed_digits():
    """Two values of 01_foundations.json as two CPUs' BLAS computed them (a length-2 dot product
    with and without FMA): a build on either writes the committed one; a real change is written."""
    from autograder.build.fixtures import keep_round_off

    committed = {"out": [-0.051147928646680274, -0.956503795319798, 0.5], "n": 3}
    here = {"out": [-0.051147928646680385, -0.9565037953197981, 0.5000001], "n": 4}
    kept = keep_round_off(here, committed)
    assert kept == {"out": [-0.051147928646680274, -0.956503795319798, 0.5000001], "n": 4}
    assert keep_round_off({"x": [1.0, 2.0]}, {"x": [1.0]}) == {"x": [1.0, 2.0]}
    assert keep_round_off(1.0, 1) == 1.0  # an int stays an int, a float a float


def test_a_case_with_a_loose_tolerance_keeps_more_round_off():
    """A numerical gradient's last bits move by ~1e-10 between BLAS kernels (08's gradient
    check, rtol 1e-5, atol 1e-8): kept as committed; a change the case's tolerance sees is
    written; a tight "match" case keeps only true round-off."""
    from autograder.build.fixtures import keep_round_off_per_case, round_off_tolerance

    old = {"cases": {"grad": {"v": [0.0002702907897500495, 0.5]}, "tight": {"v": [1.0]}}}
    new = {"cases": {"grad": {"v": [0.0002702910117946544, 0.5001]},
                     "tight": {"v": [1.0 + 1e-11]}}}
    tol = {"grad": round_off_tolerance(1e-5, 1e-8), "tight": round_off_tolerance(1e-12, 0.0)}
    kept = keep_round_off_per_case(new, old, tol)
    assert kept["cases"]["grad"]["v"] == [0.0002702907897500495, 0.5001]
    assert kept["cases"]["tight"]["v"] == [1.0 + 1e-11]
    assert keep_round_off_per_case(new, None, tol) == new


def _openblas_cores() -> list[str]:
    """Three OpenBLAS kernels this CPU runs (its own, Haswell's with FMA and no AVX-512,
    Sandybridge's without FMA), or none when numpy's BLAS is not OpenBLAS (then
    OPENBLAS_CORETYPE changes nothing)."""
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    flags = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    if "openblas" not in blas.get("name", "").lower() or " avx2" not in flags:
        return []
    return ["", "Haswell", "Sandybridge"]


def test_the_student_package_is_the_same_bytes_whatever_the_cpu(tmp_path):
    """``course build`` under three BLAS kernels (``OPENBLAS_CORETYPE``, read when numpy loads;
    Sandybridge with two BLAS threads) writes the committed student package byte for byte,
    fixtures included: a length-2 dot product with or without FMA changes the last digits of
    values of 01_foundations.json and 08_babysitting.json, and a numerical gradient of 08 turns
    them into ~1e-10, which the build writes as committed."""
    import subprocess
    import sys

    cores = _openblas_cores()
    if not cores:
        pytest.skip("numpy's BLAS is not OpenBLAS on an AVX2 CPU: no second kernel to try")
    trees = {}
    for core in cores:
        env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
        if core:
            env["OPENBLAS_CORETYPE"] = core
        if core == "Sandybridge":
            env["OPENBLAS_NUM_THREADS"] = "2"
        out = tmp_path / (core or "default")
        subprocess.run(
            [sys.executable, "-c", "import sys; from pathlib import Path; "
             "from autograder.build.command import build_student_package as b; "
             "b(Path(sys.argv[1]))", str(out)],
            env=env, check=True, timeout=600, cwd=tmp_path,
        )
        trees[core or "default"] = out / "course_lib"
    committed = _tree_bytes(STUDENT_LIB)
    for core, tree in trees.items():
        built = _tree_bytes(tree)
        assert built.keys() == committed.keys(), core
        differ = sorted(rel for rel in built if built[rel] != committed[rel])
        assert not differ, f"OPENBLAS_CORETYPE={core}: {differ} differ from the committed bytes"


def _tree_bytes(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_no_generated_file_in_solutions():
    assert not (REFERENCE_DIR / "checks" / "fixtures").exists(), "fixtures belong in course_lib/"
    assert sorted(PUBLIC_FIXTURES.glob("*.json")), "course build writes the public fixtures there"


def test_every_graded_name_is_a_stub_that_names_its_task():
    from course_lib.tasks import TASKS

    for task in TASKS:
        path = STUDENT_LIB / f"{task.module}.py"
        assert path.exists(), f"{path} missing"
        tree = ast.parse(path.read_text())
        defs = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        for name in task.names:
            assert name in defs, f"{task.module}.{name} missing from the student package"
            raises = [n for n in ast.walk(defs[name]) if isinstance(n, ast.Raise) and n.exc is not None
                      and "NotImplementedError" in ast.unparse(n.exc)]
            assert raises, f"{task.module}.{name} is not a stub"
            assert all(f"Task {task.id}" in ast.unparse(r.exc) and task.assignment in ast.unparse(r.exc)
                       for r in raises)


def _split_lines(source: str) -> tuple[set[str], set[str]]:
    """(lines inside solution regions, lines outside them) of one module, stripped."""
    inside, secret, public = False, set(), set()
    for line in source.splitlines():
        s = line.strip()
        if s == "### BEGIN SOLUTION":
            inside = True
        elif s == "### END SOLUTION":
            inside = False
        elif len(s) > 12 and not s.startswith("#"):
            (secret if inside else public).add(s)
    return secret, public


def test_no_solution_body_reaches_the_student_package():
    secret, public = set(), set()
    for path in REFERENCE_DIR.rglob("*.py"):
        sec, pub = _split_lines(path.read_text())
        secret |= sec
        public |= pub
    secret -= public  # a line that provided code also has (`return out, cache`) gives nothing away
    for spath in STUDENT_LIB.rglob("*.py"):
        lines = {l.strip() for l in spath.read_text().splitlines()}
        leaked = sorted(secret & lines)
        assert not leaked, f"solution lines found in {spath}: {leaked[:5]}"


def test_no_marker_or_hidden_test_reaches_students():
    pattern = re.compile(r"BEGIN (SOLUTION|HIDDEN TESTS)|END (SOLUTION|HIDDEN TESTS)")
    for root in (STUDENT_LIB, RELEASE_NOTEBOOKS):
        for path in root.rglob("*"):
            if path.is_file() and path.suffix in (".py", ".ipynb", ".json", ".md", ".txt"):
                assert not pattern.search(path.read_text()), f"marker in {path}"


def test_release_notebooks_hold_no_answers_hidden_tests_or_outputs():
    for src in SOURCE_NOTEBOOKS.glob("*/*.ipynb"):
        rel = RELEASE_NOTEBOOKS / src.parent.name / src.name
        assert rel.exists(), f"{rel} not built"
        release = json.loads(rel.read_text())
        text = "\n".join("".join(c["source"]) for c in release["cells"])
        for cell in json.loads(src.read_text())["cells"]:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            source = "".join(cell["source"])
            if meta.get("solution") and cell["cell_type"] == "markdown":
                answer = source.strip().splitlines()
                long_lines = [l for l in answer if len(l) > 40]
                for line in long_lines:
                    assert line not in text, f"model answer leaked into {rel}: {line[:60]!r}"
            hidden = re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", source, re.S)
            for block in hidden:
                for line in block.strip().splitlines():
                    if len(line.strip()) > 12:
                        assert line.strip() not in text, f"hidden test text leaked into {rel}"
        assert all(not c.get("outputs") for c in release["cells"] if c["cell_type"] == "code")


def test_release_keeps_every_graded_cell():
    for src in SOURCE_NOTEBOOKS.glob("*/*.ipynb"):
        rel = RELEASE_NOTEBOOKS / src.parent.name / src.name
        ids = lambda nb: {c["metadata"]["nbgrader"]["grade_id"] for c in nb["cells"]
                          if c.get("metadata", {}).get("nbgrader", {}).get("grade")}
        assert ids(json.loads(src.read_text())) == ids(json.loads(rel.read_text()))
