"""Scenarios of assignment 03: simple initializers (3.1), Xavier (3.2), He and LeCun (3.3).

Random initializers are judged by sample statistics with confidence bounds, never by the exact
random stream: a correct initializer that draws its numbers in another order passes too. The
deterministic parts (shapes, dtypes, the constant initializers, the use of ``rng``) are "match"
scenarios, and again "property" scenarios whose messages say which stated property fails
(shape (fan_in, fan_out), float64, a new array, same seed same weights, a network's zero biases
and layers drawn in turn). See ``course_lib.checks.scenario``.
"""

from __future__ import annotations

import math

import numpy as np

from ..scenario import scenario
from ._common import first_bad, shape_of

# Each random initializer: (task, distribution, variance as a function of fan_in, fan_out, options)
RANDOM_INITIALIZERS = {
    "normal": ("3.1", "normal", lambda i, o, std=0.01: std**2, "std**2"),
    "xavier_normal": ("3.2", "normal", lambda i, o: 2.0 / (i + o), "2 / (fan_in + fan_out)"),
    "xavier_uniform": ("3.2", "uniform", lambda i, o: 2.0 / (i + o), "2 / (fan_in + fan_out)"),
    "he_normal": ("3.3", "normal", lambda i, o: 2.0 / i, "2 / fan_in"),
    "he_uniform": ("3.3", "uniform", lambda i, o: 2.0 / i, "2 / fan_in"),
    "lecun_normal": ("3.3", "normal", lambda i, o: 1.0 / i, "1 / fan_in"),
}


def _candidates(i, o, options):
    """Variances a wrong initializer often has, to say which formula a sample resembles."""
    base = {
        "1 / fan_in (LeCun)": 1.0 / i,
        "2 / fan_in (He)": 2.0 / i,
        "1 / fan_out": 1.0 / o,
        "2 / fan_out (He with fan_out instead of fan_in)": 2.0 / o,
        "2 / (fan_in + fan_out) (Xavier)": 2.0 / (i + o),
        "1 / (fan_in + fan_out) (uniform bound sqrt(3/(fan_in+fan_out)) instead of sqrt(6/...))": 1.0 / (i + o),
        "1 / (2 fan_in) (uniform bound sqrt(3/fan_in) instead of sqrt(6/fan_in))": 0.5 / i,
        "1 / (3 fan_in) (the old U[-1/sqrt(fan_in), 1/sqrt(fan_in)] heuristic)": 1.0 / (3 * i),
        "(2 / fan_in)**2 (the variance used as the standard deviation)": (2.0 / i) ** 2,
        "(2 / (fan_in + fan_out))**2 (the variance used as the standard deviation)": (2.0 / (i + o)) ** 2,
        "(1 / fan_in)**2 (the variance used as the standard deviation)": (1.0 / i) ** 2,
        "2 / fan_in / 3 (He's standard deviation used as the uniform bound)": 2.0 / (3 * i),
        "2 / (fan_in + fan_out) / 3 (Xavier's standard deviation used as the uniform bound)": 2.0 / (3 * (i + o)),
        "1 (a standard normal, unscaled)": 1.0,
    }
    if "std" in options:
        s = options["std"]
        base["std (std used as the variance)"] = s
        base["std**4 (std squared twice)"] = s**4
    return base


def sample_problems(name, W, fan_in, fan_out, **options):
    """The list of ways the sample ``W`` fails to look like a draw of initializer ``name``.

    Bounds are 6 standard errors wide: a correct initializer fails with probability < 1e-8.
    """
    task, dist, var_fn, formula = RANDOM_INITIALIZERS[name]
    problems = []
    if not isinstance(W, np.ndarray):
        return [f"{name} must return a numpy array; got {type(W).__name__}"]
    if W.shape != (fan_in, fan_out):
        hint = " (transposed: W must be (fan_in, fan_out))" if W.shape == (fan_out, fan_in) else ""
        return [f"{name}({fan_in}, {fan_out}, rng) returned shape {W.shape}, expected "
                f"({fan_in}, {fan_out}){hint}"]
    if W.dtype != np.float64:
        problems.append(f"{name} returned dtype {W.dtype}; expected float64")
    W = W.astype(np.float64)
    if not np.all(np.isfinite(W)):
        return problems + [f"{name} returned NaN or infinity"]
    n = W.size
    v = var_fn(fan_in, fan_out, **options)
    if v == 0:
        if np.any(W != 0):
            problems.append(f"{name} with a variance of 0 must return zeros")
        return problems
    mean, var = float(W.mean()), float(W.var())
    if abs(mean) > 6 * math.sqrt(v / n):
        problems.append(f"the sample mean {mean:.3g} is too far from 0 for {n} draws with "
                        f"variance {v:.3g}: the weights must be centred on 0")
    if abs(var / v - 1) > 6 * math.sqrt(2.0 / n):
        near = [k for k, c in _candidates(fan_in, fan_out, options).items()
                if c > 0 and abs(var / c - 1) <= 6 * math.sqrt(2.0 / n)]
        like = f"; it matches a variance of {' or '.join(near)}" if near else ""
        problems.append(f"the sample variance {var:.4g} is {var / v:.3g} times the expected "
                        f"{formula} = {v:.4g} (fan_in={fan_in}, fan_out={fan_out}){like}")
        return problems
    z = (W - mean) / math.sqrt(var)
    kurt = float(np.mean(z**4))  # 3 for a normal distribution, 1.8 for a uniform one
    if dist == "normal" and abs(kurt - 3.0) > 6 * math.sqrt(24.0 / n) + 0.02:
        problems.append(f"the sample does not look normal (kurtosis {kurt:.2f}, a normal "
                        f"distribution has 3, a uniform 1.8): draw from rng.normal")
    if dist == "uniform":
        a = math.sqrt(3 * v)
        top = float(np.abs(W).max())
        if top > a * (1 + 1e-12):
            problems.append(f"an entry {top:.4g} lies outside the bound a = sqrt(3 * {formula}) "
                            f"= {a:.4g}")
        elif top < a * (1 - 30.0 / n) or abs(kurt - 1.8) > 0.1:
            problems.append(f"the sample does not look uniform on [-{a:.4g}, {a:.4g}] (largest "
                            f"|entry| {top:.4g}, kurtosis {kurt:.2f} where a uniform has 1.8): "
                            "draw from rng.uniform(-a, a)")
    return problems


def _verify_sample(name):
    def verify(out, seed, fan_in, fan_out, **options):
        problems = sample_problems(name, out["W"], fan_in, fan_out, **options)
        assert not problems, "; ".join(problems)
    verify.__name__ = f"verify_{name}"
    return verify


def _uses_rng(f, fan_in, fan_out, seed, **options):
    """Deterministic facts about how ``f`` uses its generator (True for a correct initializer)."""
    rng = np.random.default_rng(seed)
    a, b = f(fan_in, fan_out, rng, **options), f(fan_in, fan_out, rng, **options)
    c = f(fan_in, fan_out, np.random.default_rng(seed), **options)
    d = f(fan_in, fan_out, np.random.default_rng(seed + 1), **options)
    return {
        "consecutive_calls_differ": bool(not np.array_equal(a, b)),
        "same_seed_same_weights": bool(np.array_equal(a, c)),
        "other_seed_other_weights": bool(not np.array_equal(a, d)),
    }


def _shape_and_dtype(W):
    W = np.asarray(W)
    return {"shape": tuple(int(s) for s in W.shape), "dtype": str(W.dtype)}


# --------------------------------------------------------------------------------------------
# 3.1 zeros, constant, normal


@scenario("3.1", cases=[dict(seed=0, fan_in=3, fan_out=4, value=0.25),
                        dict(seed=1, fan_in=1, fan_out=5, value=-2.0)])
def zeros_and_constant(lib, rng, fan_in, fan_out, value):
    Z = lib.init.zeros(fan_in, fan_out, rng)
    C = lib.init.constant(fan_in, fan_out, rng, value=value)
    C_default = lib.init.constant(fan_in, fan_out)
    return {"zeros": Z, "constant": C, "constant_default": C_default}


@scenario("3.1", cases=[dict(seed=2, fan_in=5, fan_out=3, std=0.5)])
def normal_shape_and_rng(lib, rng, fan_in, fan_out, std):
    W = lib.init.normal(fan_in, fan_out, rng, std=std)
    return {**_shape_and_dtype(W), **_uses_rng(lib.init.normal, fan_in, fan_out, 10, std=std)}


@scenario("3.1", cases=[dict(seed=3, fan_in=120, fan_out=80, std=0.05)],
          compare="property", verify=_verify_sample("normal"))
def normal_sample(lib, rng, fan_in, fan_out, std):
    return {"W": lib.init.normal(fan_in, fan_out, rng, std=std)}


# --------------------------------------------------------------------------------------------
# 3.2 Xavier


@scenario("3.2", cases=[dict(seed=4, fan_in=6, fan_out=2)])
def xavier_shapes_and_rng(lib, rng, fan_in, fan_out):
    out = {}
    for name in ("xavier_normal", "xavier_uniform"):
        f = getattr(lib.init, name)
        for k, v in {**_shape_and_dtype(f(fan_in, fan_out, rng)),
                     **_uses_rng(f, fan_in, fan_out, 20)}.items():
            out[f"{name}.{k}"] = v
    return out


@scenario("3.2", cases=[dict(seed=5, fan_in=60, fan_out=240)],
          compare="property", verify=_verify_sample("xavier_normal"))
def xavier_normal_sample(lib, rng, fan_in, fan_out):
    return {"W": lib.init.xavier_normal(fan_in, fan_out, rng)}


@scenario("3.2", cases=[dict(seed=6, fan_in=240, fan_out=60)],
          compare="property", verify=_verify_sample("xavier_uniform"))
def xavier_uniform_sample(lib, rng, fan_in, fan_out):
    return {"W": lib.init.xavier_uniform(fan_in, fan_out, rng)}


# --------------------------------------------------------------------------------------------
# 3.3 He and LeCun (and a whole network's parameters)


@scenario("3.3", cases=[dict(seed=7, fan_in=2, fan_out=7)])
def he_lecun_shapes_and_rng(lib, rng, fan_in, fan_out):
    out = {}
    for name in ("he_normal", "he_uniform", "lecun_normal"):
        f = getattr(lib.init, name)
        for k, v in {**_shape_and_dtype(f(fan_in, fan_out, rng)),
                     **_uses_rng(f, fan_in, fan_out, 30)}.items():
            out[f"{name}.{k}"] = v
    return out


@scenario("3.3", cases=[dict(seed=8, fan_in=50, fan_out=300)],
          compare="property", verify=_verify_sample("he_normal"))
def he_normal_sample(lib, rng, fan_in, fan_out):
    return {"W": lib.init.he_normal(fan_in, fan_out, rng)}


@scenario("3.3", cases=[dict(seed=9, fan_in=50, fan_out=300)],
          compare="property", verify=_verify_sample("he_uniform"))
def he_uniform_sample(lib, rng, fan_in, fan_out):
    return {"W": lib.init.he_uniform(fan_in, fan_out, rng)}


@scenario("3.3", cases=[dict(seed=10, fan_in=300, fan_out=50)],
          compare="property", verify=_verify_sample("lecun_normal"))
def lecun_normal_sample(lib, rng, fan_in, fan_out):
    return {"W": lib.init.lecun_normal(fan_in, fan_out, rng)}


@scenario("3.3", cases=[dict(seed=11, sizes=(4, 6, 6, 6, 3))])
def network_parameters(lib, rng, sizes):
    """A whole network from ``init_params`` with He init: shapes, zero biases, no re-seeding."""
    p = lib.init.init_params(list(sizes), rng, init="he_normal")
    L = len(sizes) - 1
    out = {"keys": sorted(p)}
    for l in range(1, L + 1):
        out[f"W{l}.shape"] = tuple(int(s) for s in np.shape(p[f"W{l}"]))
        out[f"b{l}"] = np.asarray(p[f"b{l}"])
    Ws = [np.asarray(p[f"W{l}"]) for l in range(1, L + 1)]
    out["same_shape_layers_differ"] = bool(all(not np.array_equal(a, b) for i, a in enumerate(Ws)
                                               for b in Ws[i + 1:] if a.shape == b.shape))
    q = lib.init.init_params(list(sizes), np.random.default_rng(99), init="he_normal")
    r = lib.init.init_params(list(sizes), np.random.default_rng(99), init="he_normal")
    out["same_seed_same_network"] = bool(all(np.array_equal(q[k], r[k]) for k in q))
    return out


# --------------------------------------------------------------------------------------------
# Properties (issue 13): what the notebook states about every initializer, checked with words.
# Each says which property fails and where; the statistics of the samples are the *_sample
# scenarios above. Everything a verify function reads is an array the graded functions returned,
# or the case itself.


def _draws(lib, rng, name, fan_in, fan_out, **options):
    """One initializer called four ways: a generator, the same generator again, a new generator
    with the same seed, one with another seed (``zeros`` and ``constant`` take no generator)."""
    f = getattr(lib.init, name)
    if name in ("zeros", "constant"):
        W = f(fan_in, fan_out, rng, **options)
        first = np.array(W, copy=True) if isinstance(W, np.ndarray) else W
        writable = isinstance(W, np.ndarray) and W.size > 0 and W.flags.writeable
        if writable:
            W[...] = 7.0                # the caller owns the array it got: the next call is new
        again = f(fan_in, fan_out, rng, **options)
        again = np.array(again, copy=True) if isinstance(again, np.ndarray) else again
        if writable:
            W[...] = first              # as it was (an array the submission kept, too)
        return {"W": first, "after_overwrite": again}
    seed = int(rng.integers(2**31))
    g = np.random.default_rng(seed)
    return {"W": f(fan_in, fan_out, g, **options),
            "same_generator_again": f(fan_in, fan_out, g, **options),
            "same_seed": f(fan_in, fan_out, np.random.default_rng(seed), **options),
            "other_seed": f(fan_in, fan_out, np.random.default_rng(seed + 1), **options)}


def _verify_initializer(outputs, name, fan_in, fan_out, **options):
    W = outputs["W"]
    call = f"{name}({fan_in}, {fan_out}, rng)"
    assert isinstance(W, np.ndarray), f"{call} must return a numpy array; got {type(W).__name__}"
    if W.shape != (fan_in, fan_out):
        hint = (" (transposed: a layer computes x @ W + b with x of shape (N, fan_in), so W is "
                "(fan_in, fan_out))") if W.shape == (fan_out, fan_in) else ""
        raise AssertionError(f"{call} must return shape (fan_in, fan_out) = {(fan_in, fan_out)}; "
                             f"got {W.shape}{hint}")
    assert W.dtype == np.float64, (
        f"{call} must return float64 weights; got dtype {W.dtype} (gradient steps on integer or "
        "single-precision weights are truncated or rounded)")
    if name in ("zeros", "constant"):
        value = 0.0 if name == "zeros" else float(options.get("value", 0.1))
        bad = W != value
        what = "zeros(...)" if name == "zeros" else f"constant(..., value={value!r})"
        assert not bad.any(), (
            f"every entry of {what} must be {value!r}: W{list(first_bad(bad))} is "
            f"{float(W[first_bad(bad)])!r}")
        again = np.asarray(outputs["after_overwrite"])
        assert again.shape == W.shape and np.all(again == value), (
            f"{name} must return a NEW array at every call: after the first result was "
            "overwritten, the second call returned the overwritten values (two layers would "
            "share one weight matrix)")
        return
    same_seed, again, other = (np.asarray(outputs[k]) for k in
                               ("same_seed", "same_generator_again", "other_seed"))
    assert same_seed.shape == W.shape and np.array_equal(same_seed, W), (
        f"{name} must draw every number from its rng argument: two generators created with the "
        "same seed gave different weights (np.random.* or a generator without a seed draws "
        "something else at every run, and results cannot be reproduced)")
    assert not np.array_equal(again, W), (
        f"two calls of {name} with the same generator gave the same weights: draw from the rng "
        "argument, which moves on after each draw (a generator created inside the initializer, "
        "np.random.default_rng(0), gives every layer of that shape the same weights)")
    assert not np.array_equal(other, W), (
        f"{name} gave the same weights for generators with different seeds: the weights must come "
        "from the rng argument")


@scenario("3.1", cases=[dict(seed=12, name="zeros", fan_in=4, fan_out=3),
                        dict(seed=13, name="constant", fan_in=2, fan_out=5, value=-0.75),
                        dict(seed=14, name="normal", fan_in=5, fan_out=2, std=0.3)],
          compare="property", verify=_verify_initializer)
def simple_initializer_properties(lib, rng, name, fan_in, fan_out, **options):
    """Shape (fan_in, fan_out), float64; zeros and constant give their value in a new array at
    every call; normal draws from its generator only (same seed, same weights)."""
    return _draws(lib, rng, name, fan_in, fan_out, **options)


@scenario("3.2", cases=[dict(seed=15, name="xavier_normal", fan_in=3, fan_out=6),
                        dict(seed=16, name="xavier_uniform", fan_in=7, fan_out=2)],
          compare="property", verify=_verify_initializer)
def xavier_properties(lib, rng, name, fan_in, fan_out):
    """Shape (fan_in, fan_out), float64, drawn from the generator only (same seed, same weights;
    the next call, other weights)."""
    return _draws(lib, rng, name, fan_in, fan_out)


@scenario("3.3", cases=[dict(seed=17, name="he_normal", fan_in=6, fan_out=3),
                        dict(seed=18, name="he_uniform", fan_in=2, fan_out=5),
                        dict(seed=19, name="lecun_normal", fan_in=4, fan_out=7)],
          compare="property", verify=_verify_initializer)
def he_lecun_properties(lib, rng, name, fan_in, fan_out):
    """Shape (fan_in, fan_out), float64, drawn from the generator only (same seed, same weights;
    the next call, other weights)."""
    return _draws(lib, rng, name, fan_in, fan_out)


def _verify_init_params(outputs, sizes, init, **_):
    L = len(sizes) - 1
    want = {f"{k}{l}" for l in range(1, L + 1) for k in "Wb"}
    keys = outputs["keys"]
    assert isinstance(keys, list) and set(keys) == want, (
        f"init_params({list(sizes)}, ...) must return a dict with W1, b1, ..., W{L}, b{L} (one "
        f"weight and one bias per layer, {L} layers); got keys {keys}")
    for l in range(1, L + 1):
        n_in, n_out = sizes[l - 1], sizes[l]
        W, b = outputs[f"W{l}"], outputs[f"b{l}"]
        assert isinstance(W, np.ndarray) and W.shape == (n_in, n_out), (
            f"W{l} maps the {n_in} units of layer {l - 1} to the {n_out} of layer {l}: its shape "
            f"must be {(n_in, n_out)}; got {shape_of(W)}")
        assert isinstance(b, np.ndarray) and b.shape == (n_out,), (
            f"b{l} must have one entry per unit of layer {l}, shape {(n_out,)}; got {shape_of(b)}")
        assert not np.any(b != 0), (
            f"every bias must start at 0 (the random weights already break the symmetry): "
            f"b{l}[{first_bad(b != 0)}] is {b[first_bad(b != 0)]:.6g}")
    Ws = [outputs[f"W{l}"] for l in range(1, L + 1)]
    for i in range(L):
        for j in range(i + 1, L):
            assert not (Ws[i].shape == Ws[j].shape and np.array_equal(Ws[i], Ws[j])), (
                f"W{i + 1} and W{j + 1} are identical: every layer must draw fresh numbers from "
                "the one rng, in turn (never re-seed it, nor create a generator per layer)")
    assert outputs["init_reproducible"] is True, (
        f"the weights cannot be checked against {init}: {init} itself gives different weights for "
        "two generators with the same seed (its own check says what to fix first)")
    for l in range(1, L + 1):
        W, want_W = outputs[f"W{l}"], np.asarray(outputs[f"expected_W{l}"])
        when = "the first draw" if l == 1 else f"drawn after layers 1 to {l - 1} drew theirs"
        assert W.shape == want_W.shape and np.array_equal(W, want_W), (
            f"W{l} must be {init}({sizes[l - 1]}, {sizes[l]}, rng) from the rng you were given, "
            f"{when} (init names the initializer; nothing else draws from rng): W{l} is not what "
            "that gives")


@scenario("3.3", cases=[dict(seed=22, sizes=(5, 6, 6, 6, 3), init="lecun_normal"),
                        dict(seed=23, sizes=(3, 7, 2), init="xavier_uniform")],
          compare="property", verify=_verify_init_params)
def init_params_properties(lib, rng, sizes, init):
    """One weight and one zero bias per layer, of the layer's shape; each weight is the named
    initializer drawn from the one generator in turn."""
    seed = int(rng.integers(2**31))
    params = lib.init.init_params(list(sizes), np.random.default_rng(seed), init=init)
    is_dict = isinstance(params, dict)
    out = {"keys": sorted(str(k) for k in params) if is_dict else type(params).__name__}
    for l in range(1, len(sizes)):
        for k in (f"W{l}", f"b{l}"):
            out[k] = params.get(k) if is_dict else None
    g, f = np.random.default_rng(seed), getattr(lib.init, init)
    for l in range(1, len(sizes)):
        out[f"expected_W{l}"] = f(sizes[l - 1], sizes[l], g)
    twice = [f(sizes[0], sizes[1], np.random.default_rng(seed)) for _ in range(2)]
    out["init_reproducible"] = bool(np.array_equal(twice[0], twice[1]))
    return out
