"""The similarity check measured on a set we wrote: independent solutions and planted copies.

``tests/similarity_corpus/<author>.py`` holds one author's bodies of six graded functions
(``affine_backward``, ``softmax_cross_entropy``, ``batchnorm_backward``, ``dropout_forward``,
``he_normal``, ``l2_penalty``); six authors wrote theirs independently, in different styles (loops,
einsum, ``@``, staged or closed-form backward passes), and ``copies.json`` names the planted
copies and whom each copies (renames, reordered statements, comments, respelled constants, an
inlined or an extra variable, a partial copy). Each body is spliced into the real stub module in
place of its ``raise NotImplementedError``, exactly where a student writes it, so the provided
input checks are there as in a real submission.

A pair is *planted* when one copies the other or both copy the same author; every other pair is
*independent*.
"""

from __future__ import annotations

import ast
import itertools
import json
import textwrap
from dataclasses import dataclass
from pathlib import Path

from .. import REPO, STUDENT_LIB
from . import similarity

CORPUS = REPO / "tests" / "similarity_corpus"


def splice(stub_source: str, name: str, body: str) -> str:
    """``stub_source`` with function ``name``'s ``raise NotImplementedError`` replaced by ``body``
    (statements, any indentation)."""
    tree = ast.parse(stub_source)
    fn = next((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name), None)
    if fn is None:
        raise KeyError(f"the stub has no function {name!r}")
    raise_stmt = next((s for s in fn.body if similarity._is_not_implemented(s)), None)
    if raise_stmt is None:
        raise ValueError(f"the stub of {name!r} has no raise NotImplementedError to replace")
    lines = stub_source.splitlines(keepends=True)
    indent = " " * raise_stmt.col_offset
    new = textwrap.indent(textwrap.dedent(body).strip("\n") + "\n", indent)
    return "".join(lines[: raise_stmt.lineno - 1]) + new + "".join(lines[raise_stmt.end_lineno :])


def author_sources(
    path: Path, graded: dict[str, tuple[str, ...]], stubs: dict[str, str]
) -> dict[str, str]:
    """The modules of one corpus author: each stub module with the author's bodies spliced in."""
    text = path.read_text()
    tree = ast.parse(text)
    module_of = {n: m for m, names in graded.items() for n in names}
    out = dict(stubs)
    for fn in tree.body:
        if not isinstance(fn, ast.FunctionDef):
            continue
        module = module_of[fn.name]
        lines = text.splitlines(keepends=True)[fn.body[0].lineno - 1 : fn.body[-1].end_lineno]
        out[module] = splice(out[module], fn.name, "".join(lines))
    return out


def corpus_functions(corpus: Path = CORPUS) -> dict[str, tuple[str, ...]]:
    """``{module: function names}`` the corpus covers (from the graded tasks)."""
    from .load import graded_names

    names = {
        fn.name
        for p in corpus.glob("*.py")
        for fn in ast.parse(p.read_text()).body
        if isinstance(fn, ast.FunctionDef)
    }
    return {
        m: tuple(n for n in ns if n in names)
        for m, ns in graded_names().items()
        if any(n in names for n in ns)
    }


@dataclass
class Corpus:
    sources: dict[str, dict[str, str]]  # {student: {module: source}}
    graded: dict[str, tuple[str, ...]]
    stubs: dict[str, str]
    copies: dict[str, str]  # {copy: original author}

    def planted(self, a: str, b: str) -> bool:
        return self.copies.get(a, a) == self.copies.get(b, b)


def load_corpus(corpus: Path = CORPUS, stub_lib: Path = STUDENT_LIB) -> Corpus:
    graded = corpus_functions(corpus)
    stubs = {m: (Path(stub_lib) / f"{m}.py").read_text() for m in graded}
    sources = {p.stem: author_sources(p, graded, stubs) for p in sorted(corpus.glob("*.py"))}
    copies = json.loads((corpus / "copies.json").read_text())
    return Corpus(sources, graded, stubs, copies)


def evaluate(
    corpus: Corpus,
    threshold: float = similarity.DEFAULT_THRESHOLD,
    min_shared: float = similarity.DEFAULT_MIN_SHARED,
    reference: dict[str, str] | None = None,
) -> dict:
    """Precision and recall on the planted pairs, false-positive rate on the independent ones."""
    units = {
        s: similarity.extract_units(s, src, corpus.graded, corpus.stubs)
        for s, src in corpus.sources.items()
    }
    ref_units = (
        similarity.extract_units("reference", reference, corpus.graded, corpus.stubs)
        if reference
        else None
    )
    pairs = similarity.compare_class(units, ref_units, threshold, min_shared)
    scored = {(p.a, p.b): p for p in pairs}
    planted = [pair for pair in itertools.combinations(sorted(units), 2) if corpus.planted(*pair)]
    independent = [
        pair for pair in itertools.combinations(sorted(units), 2) if not corpus.planted(*pair)
    ]
    tp = [pr for pr in planted if scored[pr].flagged]
    fp = [pr for pr in independent if scored[pr].flagged]
    flagged = len(tp) + len(fp)
    return {
        "threshold": threshold,
        "min_shared": min_shared,
        "students": len(units),
        "planted_pairs": len(planted),
        "independent_pairs": len(independent),
        "true_positives": len(tp),
        "false_positives": len(fp),
        "precision": len(tp) / flagged if flagged else 1.0,
        "recall": len(tp) / len(planted) if planted else 1.0,
        "false_positive_rate": len(fp) / len(independent) if independent else 0.0,
        "missed": sorted(f"{a}~{b}" for a, b in planted if (a, b) not in tp),
        "wrongly_flagged": sorted(f"{a}~{b}" for a, b in fp),
        "lowest_planted_score": min((scored[pr].score for pr in planted), default=None),
        "highest_independent_score": max((scored[pr].score for pr in independent), default=None),
        "scores": {f"{a}~{b}": round(scored[(a, b)].score, 4) for a, b in sorted(scored)},
        "per_function": per_function(corpus, pairs, threshold),
    }


def per_function(corpus: Corpus, pairs, threshold: float) -> dict[str, dict]:
    """One function alone: the lowest score of a planted copy, the highest of two independent
    solutions, and how many independent pairs reach ``threshold`` on that function alone
    (which is why a pair is judged on all its functions together)."""
    out: dict[str, dict] = {}
    for p in pairs:
        for f in p.functions:
            e = out.setdefault(
                f.name,
                {
                    "lowest_planted": 1.0,
                    "highest_independent": 0.0,
                    "independent_at_threshold": 0,
                    "independent_pairs": 0,
                },
            )
            if corpus.planted(p.a, p.b):
                e["lowest_planted"] = min(e["lowest_planted"], round(f.score, 4))
            else:
                e["highest_independent"] = max(e["highest_independent"], round(f.score, 4))
                e["independent_pairs"] += 1
                e["independent_at_threshold"] += f.score >= threshold
    return out
