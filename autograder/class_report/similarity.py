"""Similar submissions: pairs of students whose graded functions are near-identical.

Each graded function (a task's function, or each method of a task's class) of each submission is

1. parsed with :mod:`ast` (never imported or run) and stripped of what every student has: the
   docstring, the ``raise NotImplementedError`` of the stub and every statement the stub provides
   (input checks outside the solution markers), compared as ASTs so formatting does not matter;
2. canonicalized: parameters become ``A0, A1, ...`` (by position), every local name ``V`` and
   every module-level name the student defined ``G`` (so renaming changes nothing); numbers become
   ``NUM`` and strings ``STR``; ``t += e`` becomes ``t = t + e``; ``np.dot(a, b)``,
   ``np.matmul(a, b)`` and ``a.dot(b)`` become ``a @ b``; ``x.sum(...)`` and the other array
   methods that numpy also offers as functions become ``np.sum(x, ...)``; operands of ``+ * & |
   ^``, ``and``/``or`` and ``==``/``!=`` are sorted, ``a > b`` becomes ``b < a``; keyword arguments
   are sorted; and the statements of every block are put in one canonical order that respects
   their data dependencies, so reordering independent statements changes nothing;
3. turned into a token sequence (the AST in pre-order) and cut into overlapping ``k``-grams,
   the function's fingerprints (MOSS's idea; no winnowing: graded functions are tens to a few
   hundred tokens, so keeping every k-gram is cheap and winnowing would only add noise).

Fingerprints that the stub's own code produces are common ground and removed. A pair of students
is scored with a weighted Jaccard index over the fingerprints of the functions both wrote: a
fingerprint counts by how rare it is among the *other* submissions of the class (idiomatic numpy
that everyone writes weighs little), and fingerprints of the reference solution weigh
``REFERENCE_WEIGHT`` (converging on the reference is what correct students do). A pair is flagged
when its score reaches the instructor's threshold *and* the shared evidence is at least
``min_shared`` fingerprints' worth, so two identical one-liners never make a case on their own.
"""

from __future__ import annotations

import ast
import copy
import heapq
import itertools
from collections import Counter
from dataclasses import dataclass, field

FuncNode = ast.FunctionDef | ast.AsyncFunctionDef  # a graded unit: a function or a method

DEFAULT_THRESHOLD = 0.5
"""Pair score from which a pair is flagged (``course report --similarity-threshold``)."""

DEFAULT_MIN_SHARED = 30.0
"""Weighted fingerprints two students must share before they can be flagged at all."""

K = 5
"""Tokens per fingerprint."""

REFERENCE_WEIGHT = 0.3
"""Weight factor of a fingerprint that the reference solution also has."""

PRIOR_OTHERS = 2
"""Pseudo-submissions without a fingerprint: keeps one other student from zeroing its weight
in a tiny class."""

# Array methods numpy also has as functions taking the array first: x.sum(...) == np.sum(x, ...)
ARRAY_METHODS = frozenset(
    {
        "sum",
        "mean",
        "max",
        "min",
        "std",
        "var",
        "prod",
        "any",
        "all",
        "argmax",
        "argmin",
        "cumsum",
        "clip",
        "transpose",
        "reshape",
        "round",
        "abs",
        "nonzero",
        "ravel",
        "squeeze",
        "sort",
        "argsort",
        "trace",
    }
)
MATMUL_FUNCTIONS = frozenset({"dot", "matmul"})
COMMUTATIVE = (ast.Add, ast.Mult, ast.BitAnd, ast.BitOr, ast.BitXor)
FLIPPED = {ast.Gt: ast.Lt, ast.GtE: ast.LtE}


# ------------------------------------------------------------------------------------------------
# Which functions, and their source


def unit_nodes(tree: ast.Module, names) -> dict[str, FuncNode]:
    """The graded units of a parsed module: ``{name: FunctionDef}`` for each graded function and
    ``{"Class.method": FunctionDef}`` for each method of a graded class (missing ones absent)."""
    wanted = set(names)
    out: dict[str, FuncNode] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in wanted:
            out[node.name] = node
        elif isinstance(node, ast.ClassDef) and node.name in wanted:
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    out[f"{node.name}.{item.name}"] = item
    return out


def module_globals(tree: ast.Module) -> set[str]:
    """Names the module itself binds at top level (functions, classes, assignments, imports)."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        else:
            names.update(
                n.id
                for n in ast.walk(node)
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
            )
    return names


def parse(source: str) -> ast.Module | None:
    """The module's AST, or None when it does not parse (a syntax error is the student's, and a
    pathological nesting depth must not crash the report)."""
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


# ------------------------------------------------------------------------------------------------
# Normalization


def _is_docstring(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def _is_not_implemented(stmt: ast.stmt) -> bool:
    if not isinstance(stmt, ast.Raise) or stmt.exc is None:
        return False
    exc = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
    return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"


def own_statements(fn: FuncNode, stub: FuncNode | None) -> list[ast.stmt]:
    """The statements of ``fn`` the student wrote: without the docstring, the stub's
    ``raise NotImplementedError`` and each statement the stub provides (matched as ASTs)."""
    provided = Counter(ast.dump(s) for s in (stub.body if stub else []) if not _is_docstring(s))
    own = []
    for stmt in fn.body:
        if _is_docstring(stmt) or _is_not_implemented(stmt):
            continue
        key = ast.dump(stmt)
        if provided[key] > 0:
            provided[key] -= 1
            continue
        own.append(stmt)
    return own


class _Canonicalize(ast.NodeTransformer):
    """Rewrites that make equivalent spellings one (see the module docstring)."""

    def visit_AugAssign(self, node):
        self.generic_visit(node)
        target_load = _as_load(node.target)
        return ast.Assign(
            targets=[node.target], value=self._binop(target_load, node.op, node.value)
        )

    def visit_BinOp(self, node):
        self.generic_visit(node)
        return self._binop(node.left, node.op, node.right)

    def _binop(self, left, op, right):
        if not isinstance(op, COMMUTATIVE):
            return ast.BinOp(left=left, op=op, right=right)
        operands = _flatten(left, type(op)) + _flatten(right, type(op))
        operands.sort(key=ast.dump)
        out = operands[0]
        for o in operands[1:]:
            out = ast.BinOp(left=out, op=type(op)(), right=o)
        return out

    def visit_BoolOp(self, node):
        self.generic_visit(node)
        node.values.sort(key=ast.dump)
        return node

    def visit_Compare(self, node):
        self.generic_visit(node)
        if len(node.ops) != 1:
            return node
        op = node.ops[0]
        left, right = node.left, node.comparators[0]
        if type(op) in FLIPPED:
            return ast.Compare(left=right, ops=[FLIPPED[type(op)]()], comparators=[left])
        if isinstance(op, (ast.Eq, ast.NotEq, ast.Is, ast.IsNot)) and ast.dump(right) < ast.dump(
            left
        ):
            return ast.Compare(left=right, ops=[op], comparators=[left])
        return node

    def visit_Call(self, node):
        self.generic_visit(node)
        node.keywords.sort(key=lambda k: k.arg or "")
        f = node.func
        if isinstance(f, ast.Attribute):
            is_np = isinstance(f.value, ast.Name) and f.value.id in ("np", "numpy")
            if is_np and f.attr in MATMUL_FUNCTIONS and len(node.args) == 2 and not node.keywords:
                return self._binop(node.args[0], ast.MatMult(), node.args[1])
            if (
                not is_np
                and f.attr in MATMUL_FUNCTIONS
                and len(node.args) == 1
                and not node.keywords
            ):
                return self._binop(f.value, ast.MatMult(), node.args[0])
            if not is_np and f.attr in ARRAY_METHODS:
                np_func = ast.Attribute(
                    value=ast.Name(id="np", ctx=ast.Load()), attr=f.attr, ctx=ast.Load()
                )
                return ast.Call(func=np_func, args=[f.value, *node.args], keywords=node.keywords)
        return node

    def visit_Dict(self, node):
        self.generic_visit(node)
        items = sorted(
            zip(node.keys, node.values, strict=True),
            key=lambda kv: (ast.dump(kv[0]) if kv[0] is not None else "", ast.dump(kv[1])),
        )
        node.keys = [k for k, _ in items]
        node.values = [v for _, v in items]
        return node


def _as_load(target):
    """A copy of an assignment target that reads it (``t`` of ``t += e`` on the right side)."""
    node = copy.deepcopy(target)
    for n in ast.walk(node):
        if hasattr(n, "ctx"):
            n.ctx = ast.Load()
    return node


def _flatten(node, op_type) -> list:
    if isinstance(node, ast.BinOp) and isinstance(node.op, op_type):
        return _flatten(node.left, op_type) + _flatten(node.right, op_type)
    return [node]


class _Rename(ast.NodeTransformer):
    """Parameters to ``A<i>``, locals to ``V``, the student's own module names to ``G``, numbers
    and strings to ``NUM``/``STR``."""

    def __init__(self, params: list[str], locals_: set[str], own_globals: set[str]):
        self.params = {p: f"A{i}" for i, p in enumerate(params)}
        self.locals = locals_
        self.own_globals = own_globals

    def _name(self, name: str) -> str:
        if name in self.params:
            return self.params[name]
        if name in self.locals:
            return "V"
        if name in self.own_globals:
            return "G"
        return name

    def visit_Name(self, node):
        return ast.Name(id=self._name(node.id), ctx=node.ctx)

    def visit_arg(self, node):
        return ast.arg(arg=self._name(node.arg))

    def visit_Constant(self, node):
        v = node.value
        if isinstance(v, bool) or v is None or v is Ellipsis:
            return node
        return ast.Constant(value="NUM" if isinstance(v, (int, float, complex)) else "STR")

    def visit_JoinedStr(self, node):
        return ast.Constant(value="STR")


def _params(fn: FuncNode) -> list[str]:
    a = fn.args
    names = [x.arg for x in [*a.posonlyargs, *a.args]]
    names += [a.vararg.arg] if a.vararg else []
    names += [x.arg for x in a.kwonlyargs]
    names += [a.kwarg.arg] if a.kwarg else []
    return names


def _stored_names(nodes) -> set[str]:
    out: set[str] = set()
    for node in nodes:
        for n in ast.walk(node):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                out.add(n.id)
            elif isinstance(n, ast.arg):
                out.add(n.arg)
            elif isinstance(n, (ast.FunctionDef, ast.ClassDef)):
                out.add(n.name)
    return out


# ------------------------------------------------------------------------------------------------
# Canonical statement order


def _root_name(node) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _defs_uses(stmt: ast.stmt) -> tuple[set[str], set[str]]:
    """Names a statement may change and names it reads. Subscript/attribute stores and method
    calls change their receiver (``a[i] = v``, ``a.append(v)``, ``rng.normal()``)."""
    defs: set[str] = set()
    uses: set[str] = set()
    for n in ast.walk(stmt):
        if isinstance(n, ast.Name):
            (defs if isinstance(n.ctx, (ast.Store, ast.Del)) else uses).add(n.id)
        elif isinstance(n, (ast.Subscript, ast.Attribute)) and isinstance(
            n.ctx, (ast.Store, ast.Del)
        ):
            root = _root_name(n)
            if root:
                defs.add(root)
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute):
            root = _root_name(n.func.value)
            if root:
                defs.add(root)
    return defs, uses


def _is_barrier(stmt: ast.stmt) -> bool:
    """Statements that change control flow keep their place relative to every other."""
    return any(
        isinstance(
            n,
            (
                ast.Return,
                ast.Raise,
                ast.Break,
                ast.Continue,
                ast.Yield,
                ast.YieldFrom,
                ast.Global,
                ast.Nonlocal,
                ast.Try,
            ),
        )
        for n in ast.walk(stmt)
    )


def canonical_order(stmts: list[ast.stmt], key) -> list[ast.stmt]:
    """``stmts`` in the order a topological sort of their dependencies gives when ties go to the
    smallest ``key(stmt)``: the same for every ordering of independent statements."""
    info = [(*_defs_uses(s), _is_barrier(s)) for s in stmts]
    preds: list[set[int]] = [set() for _ in stmts]
    for j, (dj, uj, bj) in enumerate(info):
        for i in range(j):
            di, ui, bi = info[i]
            if bi or bj or di & (uj | dj) or ui & dj:
                preds[j].add(i)
    keys = [key(s) for s in stmts]
    succ = [[j for j in range(len(stmts)) if i in preds[j]] for i in range(len(stmts))]
    remaining = [len(p) for p in preds]
    heap = [(keys[i], i) for i in range(len(stmts)) if not remaining[i]]
    heapq.heapify(heap)
    order = []
    while heap:
        _, i = heapq.heappop(heap)
        order.append(stmts[i])
        for j in succ[i]:
            remaining[j] -= 1
            if not remaining[j]:
                heapq.heappush(heap, (keys[j], j))
    return order


def _reorder_blocks(node, key) -> None:
    for field_name in ("body", "orelse", "finalbody"):
        block = getattr(node, field_name, None)
        if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
            for stmt in block:
                _reorder_blocks(stmt, key)
            setattr(node, field_name, canonical_order(block, key))
    for handler in getattr(node, "handlers", []) or []:
        _reorder_blocks(handler, key)


# ------------------------------------------------------------------------------------------------
# Tokens and fingerprints


def tokens(node) -> list[str]:
    """The canonical AST in pre-order: node types, names, attributes, keywords; ``;`` ends a
    statement."""
    out: list[str] = []

    def walk(n):
        if isinstance(n, (ast.expr_context,)):
            return
        if isinstance(n, ast.Name):
            out.append(n.id)
            return
        if isinstance(n, ast.Constant):
            out.append(repr(n.value) if not isinstance(n.value, str) else n.value)
            return
        label = type(n).__name__
        if isinstance(n, ast.Attribute):
            label += "." + n.attr
        elif isinstance(n, ast.keyword):
            label += "=" + str(n.arg)
        elif isinstance(n, ast.arg):
            label = "arg:" + n.arg
        out.append(label)
        for child in ast.iter_child_nodes(n):
            walk(child)
        if isinstance(n, ast.stmt):
            out.append(";")

    walk(node)
    return out


def normalized_tokens(fn: FuncNode, stub: FuncNode | None, own_globals: set[str]) -> list[str]:
    """The canonical token sequence of the student's own code in ``fn`` (empty if none)."""
    return _canonical_tokens(fn, own_statements(fn, stub), own_globals)


def _canonical_tokens(fn: FuncNode, body: list[ast.stmt], own_globals: set[str]) -> list[str]:
    """Canonical tokens of ``body``, statements of ``fn`` (whose names decide what is local)."""
    if not body:
        return []
    params = _params(fn)
    renamer = _Rename(params, _stored_names(fn.body) - set(params), own_globals)
    canon = _Canonicalize()
    holder = ast.Module(body=[canon.visit(_copy(s)) for s in body], type_ignores=[])

    def key(stmt):
        return ast.dump(renamer.visit(_copy(stmt)))

    _reorder_blocks(holder, key)
    out = []
    for stmt in holder.body:
        out += tokens(renamer.visit(_copy(stmt)))
    return out


def _copy(node):
    return copy.deepcopy(node)


def fingerprints(toks: list[str], k: int = K) -> Counter:
    """The multiset of ``k``-grams of a token sequence (a shorter sequence is one fingerprint)."""
    if not toks:
        return Counter()
    if len(toks) < k:
        return Counter({" ".join(toks): 1})
    return Counter(" ".join(toks[i : i + k]) for i in range(len(toks) - k + 1))


# ------------------------------------------------------------------------------------------------
# One class


@dataclass
class Unit:
    """One student's own code of one graded function."""

    student: str
    name: str  # "affine_backward" or "EarlyStopping.update"
    module: str
    source: str  # the function as submitted
    prints: Counter


@dataclass
class FunctionScore:
    name: str
    score: float
    shared: float
    source_a: str
    source_b: str


@dataclass
class PairScore:
    a: str
    b: str
    score: float
    shared: float
    flagged: bool
    functions: list[FunctionScore] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "a": self.a,
            "b": self.b,
            "score": round(self.score, 4),
            "shared": round(self.shared, 2),
            "flagged": self.flagged,
            "functions": [
                {
                    "name": f.name,
                    "score": round(f.score, 4),
                    "shared": round(f.shared, 2),
                    "source_a": f.source_a,
                    "source_b": f.source_b,
                }
                for f in self.functions
            ],
        }


def extract_units(
    student: str,
    sources: dict[str, str],
    graded: dict[str, tuple[str, ...]],
    stubs: dict[str, str],
    k: int = K,
) -> dict[str, Unit]:
    """The graded units one student wrote: ``sources`` and ``stubs`` are ``{module: text}``,
    ``graded`` is ``{module: (function or class names)}``. A unit whose own code is empty (the
    stub left as it is) or whose module does not parse is absent."""
    out: dict[str, Unit] = {}
    for module, names in graded.items():
        tree = parse(sources.get(module, ""))
        if tree is None:
            continue
        stub_tree = parse(stubs.get(module, "")) or ast.Module(body=[], type_ignores=[])
        stub_units = unit_nodes(stub_tree, names)
        own_globals = module_globals(tree) - module_globals(stub_tree)
        for name, fn in unit_nodes(tree, names).items():
            try:
                toks = normalized_tokens(fn, stub_units.get(name), own_globals)
            except RecursionError:
                continue
            prints = fingerprints(toks, k)
            if name in stub_units:
                common = fingerprints(normalized_tokens_of_stub(stub_units[name], own_globals), k)
                for fp in common:
                    prints.pop(fp, None)
            if prints:
                out[name] = Unit(student, name, module, shown_source(sources[module], fn), prints)
    return out


def shown_source(text: str, fn: FuncNode) -> str:
    """The function as the student wrote it, without its docstring (what an instructor reads
    side by side: the signature, the provided checks and the student's code, with comments)."""
    lines = text.splitlines()
    body = fn.body
    head = lines[fn.lineno - 1 : body[0].lineno - 1]
    if _is_docstring(body[0]):
        rest = lines[body[0].end_lineno : fn.end_lineno]
    else:
        rest = lines[body[0].lineno - 1 : fn.end_lineno]
    if not head:  # a one-line "def f(): body"
        return "\n".join(lines[fn.lineno - 1 : fn.end_lineno])
    return "\n".join(head + rest)


def normalized_tokens_of_stub(stub: FuncNode, own_globals: set[str]) -> list[str]:
    """The stub's provided code as canonical tokens: the common ground every student starts from."""
    body = [s for s in stub.body if not _is_docstring(s) and not _is_not_implemented(s)]
    return _canonical_tokens(stub, body, own_globals)


def _weights(units: list[Unit], reference: Unit | None):
    """Per fingerprint: how many submissions have it, and whether the reference does."""
    df: Counter[str] = Counter()
    for u in units:
        df.update(set(u.prints))
    ref = set(reference.prints) if reference else set()
    return df, ref


def _weight(fp: str, a: Unit, b: Unit, df: Counter, n_units: int, ref: set) -> float:
    others = df[fp] - (fp in a.prints) - (fp in b.prints)
    w = 1.0 - others / (n_units - 2 + PRIOR_OTHERS)
    return w * (REFERENCE_WEIGHT if fp in ref else 1.0)


def score_units(a: Unit, b: Unit, df: Counter, n_units: int, ref: set) -> tuple[float, float]:
    """``(shared, union)`` weighted fingerprint mass of two students' versions of one function."""
    shared = union = 0.0
    for fp in sorted(
        a.prints.keys() | b.prints.keys()
    ):  # one summation order: deterministic, symmetric
        w = _weight(fp, a, b, df, n_units, ref)
        ca, cb = a.prints.get(fp, 0), b.prints.get(fp, 0)
        shared += w * min(ca, cb)
        union += w * max(ca, cb)
    return shared, union


def compare_class(
    units: dict[str, dict[str, Unit]],
    reference: dict[str, Unit] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    min_shared: float = DEFAULT_MIN_SHARED,
) -> list[PairScore]:
    """Score every pair of students (``units``: ``{student: {function: Unit}}``), best first.

    A pair's score is the weighted shared mass over the weighted union mass, summed over the
    functions both students wrote; it is flagged when the score is at least ``threshold`` and the
    shared mass at least ``min_shared``. Pairs with no function in common are left out."""
    reference = reference or {}
    by_function: dict[str, list[Unit]] = {}
    for per_student in units.values():
        for name, u in per_student.items():
            by_function.setdefault(name, []).append(u)
    stats = {
        name: (*_weights(us, reference.get(name)), len(us)) for name, us in by_function.items()
    }
    pairs = []
    for sa, sb in itertools.combinations(sorted(units), 2):
        common = sorted(set(units[sa]) & set(units[sb]))
        if not common:
            continue
        shared = union = 0.0
        functions = []
        for name in common:
            df, ref, n = stats[name]
            f_shared, f_union = score_units(units[sa][name], units[sb][name], df, n, ref)
            shared += f_shared
            union += f_union
            functions.append(
                FunctionScore(
                    name,
                    f_shared / f_union if f_union else 0.0,
                    f_shared,
                    units[sa][name].source,
                    units[sb][name].source,
                )
            )
        score = shared / union if union else 0.0
        functions.sort(key=lambda f: (-f.shared, f.name))
        pairs.append(
            PairScore(sa, sb, score, shared, score >= threshold and shared >= min_shared, functions)
        )
    pairs.sort(key=lambda p: (-p.flagged, -p.score, p.a, p.b))
    return pairs
