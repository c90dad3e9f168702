"""Known mistakes of assignment 03 (initialization): wrong variants of ``course_ref.init``.

Initializers are random, so a student's sample matches a variant's exactly only when they draw the
way the variant does. The hidden suite therefore also names a variant when the student's sample is
*statistically* indistinguishable from the variant's (same shape, variance within a 6-standard-
error bound, same kind of distribution); the scenarios' own messages say which formula a wrong
variance matches.
"""

import numpy as np
from course_ref import init as ref
from course_ref.init import _check_layer, check_positive, get_initializer

from autograder.mistakes import mistake

# A variant is its wrong standard deviation or bound, as a function of the checked fans, drawn the
# way the reference draws (_normal, _uniform), or a wrapper of the reference.


def _normal(fan_in, fan_out, rng, std, *, transposed=False):
    """The reference's checks, then N(0, std(fan_in, fan_out)**2) of shape (fan_in, fan_out), or
    (fan_out, fan_in) if ``transposed``."""
    fan_in, fan_out, rng = _check_layer(fan_in, fan_out, rng)
    shape = (fan_out, fan_in) if transposed else (fan_in, fan_out)
    return rng.normal(0.0, std(fan_in, fan_out), size=shape)


def _uniform(fan_in, fan_out, rng, bound):
    """The reference's checks, then U[-a, a] of shape (fan_in, fan_out) with
    a = bound(fan_in, fan_out)."""
    fan_in, fan_out, rng = _check_layer(fan_in, fan_out, rng)
    a = bound(fan_in, fan_out)
    return rng.uniform(-a, a, size=(fan_in, fan_out))


# ---- 3.1 zeros, constant, normal -----------------------------------------------------------


@mistake("init.zeros", "integer zeros")
def zeros__int_dtype(fan_in, fan_out, rng=None):
    """np.zeros(shape, dtype=int) gives an integer matrix: gradient updates of it would be
    truncated. Weights are float64."""
    return ref.zeros(fan_in, fan_out, rng).astype(np.int64)


@mistake("init.constant", "value ignored")
def constant__ignores_value(fan_in, fan_out, rng=None, *, value=0.1):
    """constant(fan_in, fan_out, rng, value=v) fills the matrix with v, not with a fixed 0.1."""
    return ref.constant(fan_in, fan_out, rng, value=0.1)


@mistake("init.normal", "std used as the variance")
def normal__std_as_variance(fan_in, fan_out, rng, *, std=0.01):
    """normal(..., std=s) draws N(0, s**2): s is the standard deviation; rng.normal(0, s) takes the
    standard deviation too, no square root."""
    checked_std = lambda i, o: check_positive(std, "std", allow_zero=True)  # after the fans
    return _normal(fan_in, fan_out, rng, lambda i, o: np.sqrt(checked_std(i, o)))


@mistake("init.normal", "transposed shape")
def normal__transposed(fan_in, fan_out, rng, *, std=0.01):
    """A weight matrix is (fan_in, fan_out) in this course: layers compute x @ W + b with x of shape
    (N, fan_in)."""
    checked_std = lambda i, o: check_positive(std, "std", allow_zero=True)  # after the fans
    return _normal(fan_in, fan_out, rng, checked_std, transposed=True)


# ---- 3.2 Xavier ----------------------------------------------------------------------------


@mistake("init.xavier_normal", "variance used as standard deviation")
def xavier_normal__variance_as_std(fan_in, fan_out, rng):
    """Xavier's VARIANCE is 2 / (fan_in + fan_out); rng.normal takes the standard deviation, so pass
    np.sqrt(2 / (fan_in + fan_out))."""
    return _normal(fan_in, fan_out, rng, lambda i, o: 2.0 / (i + o))


@mistake("init.xavier_normal", "He in place of Xavier")
def xavier_normal__he(fan_in, fan_out, rng):
    """sqrt(2 / fan_in) is He's standard deviation (for ReLU), not Xavier's (some slides mislabel
    it). Xavier averages the two fans: Var = 2 / (fan_in + fan_out)."""
    return _normal(fan_in, fan_out, rng, lambda i, o: np.sqrt(2.0 / i))


@mistake("init.xavier_normal", "LeCun in place of Xavier")
def xavier_normal__lecun(fan_in, fan_out, rng):
    """Var = 1 / fan_in keeps only the forward pass in balance (LeCun); Glorot and Bengio also
    balance the backward pass: Var = 2 / (fan_in + fan_out)."""
    return _normal(fan_in, fan_out, rng, lambda i, o: np.sqrt(1.0 / i))


@mistake("init.xavier_normal", "transposed shape")
def xavier_normal__transposed(fan_in, fan_out, rng):
    """A weight matrix is (fan_in, fan_out) in this course: layers compute x @ W + b."""
    return _normal(fan_in, fan_out, rng, lambda i, o: np.sqrt(2.0 / (i + o)), transposed=True)


@mistake("init.xavier_uniform", "uniform bound sqrt(3) instead of sqrt(6)")
def xavier_uniform__sqrt3(fan_in, fan_out, rng):
    """U[-a, a] has variance a**2 / 3. For Var = 2 / (fan_in + fan_out) the bound is a = sqrt(3 * 2
    / (fan_in + fan_out)) = sqrt(6 / (fan_in + fan_out))."""
    return _uniform(fan_in, fan_out, rng, lambda i, o: np.sqrt(3.0 / (i + o)))


@mistake("init.xavier_uniform", "standard deviation used as the uniform bound")
def xavier_uniform__std_as_bound(fan_in, fan_out, rng):
    """U[-a, a] has standard deviation a / sqrt(3), not a: the bound must be sqrt(3) times the
    standard deviation, a = sqrt(6 / (fan_in + fan_out))."""
    return _uniform(fan_in, fan_out, rng, lambda i, o: np.sqrt(2.0 / (i + o)))


@mistake("init.xavier_uniform", "He's uniform bound in place of Xavier's")
def xavier_uniform__he(fan_in, fan_out, rng):
    """sqrt(6 / fan_in) is He's uniform bound; Xavier's is sqrt(6 / (fan_in + fan_out))."""
    return ref.he_uniform(fan_in, fan_out, rng)


# ---- 3.3 He and LeCun ----------------------------------------------------------------------


@mistake("init.he_normal", "He with fan_out")
def he_normal__fan_out(fan_in, fan_out, rng):
    """He et al. keep the FORWARD signal: each pre-activation sums fan_in products, so Var = 2 /
    fan_in. 2 / fan_out is the backward-pass variant (mode='fan_out')."""
    return _normal(fan_in, fan_out, rng, lambda i, o: np.sqrt(2.0 / o))


@mistake("init.he_normal", "variance used as standard deviation")
def he_normal__variance_as_std(fan_in, fan_out, rng):
    """He's VARIANCE is 2 / fan_in; rng.normal takes the standard deviation np.sqrt(2 / fan_in)."""
    return _normal(fan_in, fan_out, rng, lambda i, o: 2.0 / i)


@mistake("init.he_normal", "Xavier's 4 / (fan_in + fan_out) in place of He")
def he_normal__fan_avg(fan_in, fan_out, rng):
    """4 / (fan_in + fan_out) equals He's 2 / fan_in only when fan_in == fan_out; He's derivation
    gives 2 / fan_in for any shape."""
    return _normal(fan_in, fan_out, rng, lambda i, o: np.sqrt(4.0 / (i + o)))


@mistake("init.he_normal", "transposed shape")
def he_normal__transposed(fan_in, fan_out, rng):
    """A weight matrix is (fan_in, fan_out) in this course: layers compute x @ W + b."""
    return _normal(fan_in, fan_out, rng, lambda i, o: np.sqrt(2.0 / i), transposed=True)


@mistake("init.he_normal", "re-seeding inside the initializer")
def he_normal__reseeded(fan_in, fan_out, rng):
    """Creating a generator inside the initializer (np.random.default_rng(0)) gives every layer of
    the same shape the same weights. Draw from the rng argument."""
    fan_in, fan_out, rng = _check_layer(fan_in, fan_out, rng)
    return ref.he_normal(fan_in, fan_out, np.random.default_rng(0))


@mistake("init.he_uniform", "uniform bound sqrt(3) instead of sqrt(6)")
def he_uniform__sqrt3(fan_in, fan_out, rng):
    """U[-a, a] has variance a**2 / 3; for Var = 2 / fan_in the bound is sqrt(6 / fan_in)."""
    return _uniform(fan_in, fan_out, rng, lambda i, o: np.sqrt(3.0 / i))


@mistake("init.he_uniform", "He's uniform bound with fan_out")
def he_uniform__fan_out(fan_in, fan_out, rng):
    """He's bound uses fan_in: a = sqrt(6 / fan_in)."""
    return _uniform(fan_in, fan_out, rng, lambda i, o: np.sqrt(6.0 / o))


@mistake("init.lecun_normal", "He in place of LeCun")
def lecun_normal__he(fan_in, fan_out, rng):
    """LeCun's variance is 1 / fan_in (no factor 2: that factor compensates the half of the inputs a
    ReLU zeroes, which LeCun's analysis does not assume)."""
    return ref.he_normal(fan_in, fan_out, rng)


@mistake("init.lecun_normal", "LeCun's variance used as standard deviation")
def lecun_normal__variance_as_std(fan_in, fan_out, rng):
    """LeCun's VARIANCE is 1 / fan_in; the standard deviation is 1 / sqrt(fan_in)."""
    return _normal(fan_in, fan_out, rng, lambda i, o: 1.0 / i)


# ---- 3.3 a whole network (init_params) -----------------------------------------------------


@mistake("init.init_params", "non-zero biases")
def init_params__nonzero_biases(layer_sizes, rng, *, init="he_normal"):
    """Biases start at zero: the random weights already break the symmetry, and a random bias only
    adds noise to every pre-activation."""
    initializer, biases = get_initializer(init), []

    def weights_then_bias(n_in, n_out, rng):
        W = initializer(n_in, n_out, rng)
        biases.append(initializer(1, n_out, rng)[0])
        return W

    params = ref.init_params(layer_sizes, rng, init=weights_then_bias)
    params.update({f"b{layer}": b for layer, b in enumerate(biases, start=1)})
    return params


@mistake("init.init_params", "identical layers from re-seeding")
def init_params__reseeded_per_layer(layer_sizes, rng, *, init="he_normal"):
    """A new np.random.default_rng(seed) per layer gives every layer of the same shape the same
    weights; draw all layers from the one rng, in turn."""
    initializer = get_initializer(init)
    reseeded = lambda n_in, n_out, _rng: initializer(n_in, n_out, np.random.default_rng(0))
    return ref.init_params(layer_sizes, rng, init=reseeded)
