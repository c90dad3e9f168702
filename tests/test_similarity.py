"""The similarity check: normalization invariances, the stub as common ground, rarity weighting,
and the evaluation set (planted copies found, independent solutions not flagged)."""

from __future__ import annotations

import ast
import importlib
import itertools
import shutil

import numpy as np
import pytest

from autograder import STUDENT_LIB
from autograder.class_report import evaluation, similarity
from autograder.class_report.load import reference_sources
from autograder.reference import load_package

STUB = '''
import numpy as np

def affine_backward(dout, cache):
    """Doc."""
    x, W, b = cache
    dout = _check_dout(dout, (x.shape[0], W.shape[1]))
    raise NotImplementedError("Task 1.1 affine_backward")
'''

GRADED = {"layers": ("affine_backward",)}


def _prints(body: str, stub: str = STUB):
    source = evaluation.splice(stub, "affine_backward", body)
    units = similarity.extract_units("s", {"layers": source}, GRADED, {"layers": stub})
    return units["affine_backward"].prints if units else None


ORIGINAL = """
dx = dout @ W.T
dW = x.T @ dout
db = dout.sum(axis=0)
return dx, dW, db
"""


@pytest.mark.parametrize("variant", [
    # renamed, reordered, comments and blank lines
    """
    grad_b = dout.sum(axis=0)   # bias

    grad_w = x.T @ dout
    grad_x = dout @ W.T
    return grad_x, grad_w, grad_b
    """,
    # np.dot / .dot() for @, np.sum(x) for x.sum(), keyword and operand order
    """
    dW = np.dot(x.T, dout)
    dx = dout.dot(W.T)
    db = np.sum(dout, axis=0)
    return dx, dW, db
    """,
    # a docstring-like string and other whitespace
    """
    '''my solution'''
    dx  =  dout@W.T
    dW=x.T@dout
    db=dout.sum( axis = 0 )
    return (dx, dW, db)
    """,
])
def test_cosmetic_changes_do_not_change_the_fingerprints(variant):
    assert _prints(variant) == _prints(ORIGINAL)


def test_commutative_operands_augmented_assignment_and_constants_are_normalized():
    a = _prints("s = 0.5 * dout * x.sum()\ns += 1.0\nreturn s, s, s")
    b = _prints("s = x.sum() * 0.25 * dout\ns = s + 3\nreturn s, s, s")
    assert a == b


def test_a_different_computation_has_different_fingerprints():
    assert _prints(ORIGINAL) != _prints("dx = dout @ W\ndW = x @ dout.T\ndb = dout.mean(axis=0)\n"
                                        "return dx, dW, db")


def test_statement_order_respects_dependencies():
    stmts = ast.parse("a = f(x)\nb = g(a)\nc = h(x)\nrng.normal()\nd = rng.normal()\nreturn b, c, d").body
    order = [ast.unparse(s) for s in similarity.canonical_order(stmts, key=ast.dump)]
    assert order.index("a = f(x)") < order.index("b = g(a)")
    assert order.index("rng.normal()") < order.index("d = rng.normal()")   # rng state is ordered
    assert order[-1] == "return (b, c, d)"


def test_the_stub_and_its_provided_code_are_common_ground():
    assert _prints("") is None                  # the stub as it is: no own code at all
    # Re-stating the provided checks is no own code either.
    assert _prints("x, W, b = cache\ndout = _check_dout(dout, (x.shape[0], W.shape[1]))") is None
    provided = {" ".join(similarity.normalized_tokens_of_stub(
        similarity.unit_nodes(ast.parse(STUB), ["affine_backward"])["affine_backward"], set()))}
    assert not set(_prints(ORIGINAL)) & provided


def test_unparsable_or_pathological_sources_are_skipped_not_fatal():
    deep = "def affine_backward(dout, cache):\n    return " + "(" * 5000 + "1" + ")" * 5000 + "\n"
    for source in ("def affine_backward(:\n", deep):
        assert similarity.extract_units("s", {"layers": source}, GRADED, {"layers": STUB}) == {}


def _student(body):
    src = evaluation.splice(STUB, "affine_backward", body)
    return similarity.extract_units("s", {"layers": src}, GRADED, {"layers": STUB})


def test_an_idiom_the_whole_class_writes_is_not_a_case():
    idiom = _student(ORIGINAL)
    units = {f"s{i}": idiom for i in range(6)}
    pairs = similarity.compare_class(units)
    assert all(p.score == pytest.approx(1.0) for p in pairs)   # identical code ...
    assert not any(p.flagged for p in pairs)                   # ... but too little rare evidence


def test_rare_shared_code_weighs_more_than_common_code():
    common = "t = dout @ W.T\n"
    rare = "u = np.tanh(dout) * 3 - np.cumsum(x, axis=1).max()\n"
    a, b = _student(common + rare + "return t, u, t"), _student(common + rare + "return t, u, t")
    others = {f"o{i}": _student(common + f"v = np.log{i % 2 + 1}p(dout)\nreturn t, v, t")
              for i in range(4)}
    units = {"a": a, "b": b, **others}
    stats = similarity._weights([u["affine_backward"] for u in units.values()], None)
    ua, ub = a["affine_backward"], b["affine_backward"]
    weights = {fp: similarity._weight(fp, ua, ub, stats[0], len(units), set()) for fp in ua.prints}
    common_fp = next(fp for fp in ua.prints if all(fp in o["affine_backward"].prints for o in others.values()))
    rare_fp = next(fp for fp in ua.prints if "tanh" in fp)
    assert weights[rare_fp] == 1.0 and weights[common_fp] < 0.5


@pytest.fixture(scope="module")
def corpus():
    return evaluation.load_corpus()


def test_planted_copies_are_found_and_independent_solutions_are_not_flagged(corpus):
    result = evaluation.evaluate(corpus, reference=reference_sources(corpus.graded))
    assert result["planted_pairs"] >= 7 and result["independent_pairs"] >= 50
    assert result["missed"] == [] and result["wrongly_flagged"] == []
    assert result["precision"] == 1.0 and result["recall"] == 1.0
    assert result["false_positive_rate"] == 0.0


def test_the_evaluation_set_covers_at_least_four_tasks_with_idioms_that_converge(corpus):
    names = [n for ns in corpus.graded.values() for n in ns]
    assert len(names) >= 4
    result = evaluation.evaluate(corpus)
    # Some functions are written identically by independent authors: the set tests that case.
    assert any(e["highest_independent"] >= 0.9 for e in result["per_function"].values())


def _assembled(tmp_path, name, sources):
    pkg = tmp_path / name / "course_lib"
    shutil.copytree(STUDENT_LIB, pkg, ignore=shutil.ignore_patterns("__pycache__"))
    for module, text in sources.items():
        (pkg / f"{module}.py").write_text(text)
    load_package(f"corpus_{name}", pkg)

    class Lib:
        def __getattr__(self, module):
            return importlib.import_module(f"corpus_{name}.{module}")

    return Lib()


def test_every_solution_of_the_evaluation_set_is_correct(corpus, tmp_path, ref):
    """The independent solutions (and the copies) compute what the reference computes."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 4))
    W, b = rng.normal(size=(4, 3)), rng.normal(size=3)
    dout3, dout4 = rng.normal(size=(6, 3)), rng.normal(size=(6, 4))
    scores, y = rng.normal(size=(6, 5)), rng.integers(0, 5, size=6)
    gamma, beta = rng.uniform(0.5, 1.5, size=4), rng.normal(size=4)
    weights = [rng.normal(size=(4, 3)), rng.normal(size=(3, 2))]
    _, bn_cache, *_ = ref.batchnorm.batchnorm_forward(x, gamma, beta, np.zeros(4), np.ones(4), train=True)

    def outputs(lib):
        return {
            "affine": lib.layers.affine_backward(dout3, (x, W, b)),
            "softmax": lib.losses.softmax_cross_entropy(scores, y),
            "bn": lib.batchnorm.batchnorm_backward(dout4, bn_cache),
            "l2": lib.penalties.l2_penalty(weights, 0.3),
        }

    expected = outputs(ref)
    for student, sources in corpus.sources.items():
        lib = _assembled(tmp_path, student, sources)
        got = outputs(lib)
        for key, exp in expected.items():
            for g, e in zip(got[key], exp):
                for gi, ei in zip(g if isinstance(g, list) else [g], e if isinstance(e, list) else [e]):
                    np.testing.assert_allclose(gi, ei, rtol=1e-9, atol=1e-12, err_msg=f"{student} {key}")
        he = lib.init.he_normal(400, 300, np.random.default_rng(1))
        assert he.shape == (400, 300) and abs(he.std() - np.sqrt(2 / 400)) < 0.003, student
        out, cache = lib.dropout.dropout_forward(x, 0.25, np.random.default_rng(2), train=True)
        kept = out != 0
        np.testing.assert_allclose(out[kept], x[kept] / 0.75, err_msg=student)
        big, _ = lib.dropout.dropout_forward(np.ones((200, 200)), 0.25, np.random.default_rng(3))
        assert abs((big == 0).mean() - 0.25) < 0.02 and cache["p"] == 0.25, student
        same, cache = lib.dropout.dropout_forward(x, 0.25, None, train=False)
        np.testing.assert_array_equal(same, x)
        assert cache["mask"] is None and same is not x, student


def test_pairs_are_symmetric_and_sorted_best_first(corpus):
    units = {s: similarity.extract_units(s, src, corpus.graded, corpus.stubs)
             for s, src in corpus.sources.items()}
    pairs = similarity.compare_class(units)
    assert len(pairs) == len(list(itertools.combinations(units, 2)))
    flagged = [p for p in pairs if p.flagged]
    assert flagged and pairs[:len(flagged)] == flagged
    assert [p.score for p in flagged] == sorted((p.score for p in flagged), reverse=True)
    fn = "batchnorm_backward"
    us = [u[fn] for u in units.values()]
    df, ref = similarity._weights(us, None)
    a, b = units["ana"][fn], units["chen"][fn]
    assert similarity.score_units(a, b, df, len(us), ref) == similarity.score_units(b, a, df, len(us), ref)


def test_the_side_by_side_source_drops_the_docstring_and_keeps_comments():
    text = 'def f(a):\n    """Doc\n    string."""\n    # why\n    x = a\n    return x\n'
    fn = ast.parse(text).body[0]
    assert similarity.shown_source(text, fn) == "def f(a):\n    # why\n    x = a\n    return x"
