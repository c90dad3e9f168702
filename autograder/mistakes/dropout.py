"""Known mistakes of assignment 06 (dropout): wrong variants of ``course_ref.dropout``.

Dropout is random, so a student's output matches a variant only when they draw the mask the way
the variant does; the property scenarios' own messages name the mistake in the other cases.
"""

import numpy as np
from course_ref import dropout as ref
from course_ref.dropout import as_float_array, check_probability, check_rng

from autograder.mistakes import mistake

# ---- dropout_forward (6.1) -----------------------------------------------------------------
# Where the mistake shows only in the output, the variant wraps the reference (``ref``); where it
# changes how the mask is drawn, it redraws after the reference's own argument checks.


def _checked(x, p, rng, train):
    """The reference's argument checks: ``(x, p, rng, train)`` validated."""
    x = as_float_array(x, "x", ndim=2)
    p = check_probability(p, "p")
    train = bool(train)
    return x, p, check_rng(rng) if train else rng, train


@mistake("dropout.dropout_forward", "no rescaling of the kept units")
def dropout_forward__no_rescale(x, p, rng, train=True):
    """Inverted dropout divides the kept units by the keep probability 1 - p at training time, so
    that E[out] = x and test time needs no change."""
    out, cache = ref.dropout_forward(x, p, rng, train)
    if not cache["train"]:
        return out, cache
    mask = (cache["mask"] != 0) * 1.0
    return as_float_array(x, "x", ndim=2) * mask, {**cache, "mask": mask}


@mistake("dropout.dropout_forward", "p used as the keep probability")
def dropout_forward__p_is_keep(x, p, rng, train=True):
    """In this course (as in Keras and PyTorch) p is the probability of DROPPING a unit: keep with
    probability 1 - p and divide by 1 - p."""
    x, p, rng, train = _checked(x, p, rng, train)
    if not train:
        return ref.dropout_forward(x, p, rng, train)
    mask = (rng.random(x.shape) < p) / p if p > 0 else np.zeros_like(x)
    return x * mask, {"mask": mask, "p": p, "train": True}


@mistake("dropout.dropout_forward", "divided by p instead of 1 - p")
def dropout_forward__divide_by_p(x, p, rng, train=True):
    """The kept units are divided by the KEEP probability 1 - p, the probability that they survive,
    so that their expectation is unchanged."""
    out, cache = ref.dropout_forward(x, p, rng, train)
    if not cache["train"]:
        return out, cache
    mask = (cache["mask"] != 0) / max(cache["p"], 1e-12)
    return as_float_array(x, "x", ndim=2) * mask, {**cache, "mask": mask}


@mistake("dropout.dropout_forward", "dropout applied at test time")
def dropout_forward__dropout_at_test(x, p, rng, train=True):
    """At test time (train=False) inverted dropout is the identity: every unit is on and nothing is
    scaled; the training-time division already did the rescaling."""
    x, p, rng, train = _checked(x, p, rng, train)
    out, cache = ref.dropout_forward(x, p, np.random.default_rng(0) if rng is None else rng, True)
    return out, {**cache, "train": train}


@mistake("dropout.dropout_forward", "scaling at test time")
def dropout_forward__scale_at_test(x, p, rng, train=True):
    """That is the original (non-inverted) dropout's test rule, multiplying by 1 - p. With inverted
    dropout the kept units were already divided by 1 - p during training, so test time is the
    identity."""
    out, cache = ref.dropout_forward(x, p, rng, train)
    return (out, cache) if cache["train"] else (out * (1.0 - cache["p"]), cache)


@mistake("dropout.dropout_forward", "one mask per feature instead of per unit")
def dropout_forward__mask_per_feature(x, p, rng, train=True):
    """A mask of shape (D,) drops the same features for every example of the batch. Each example
    gets its own coins: draw a mask of shape (N, D), like x."""
    x, p, rng, train = _checked(x, p, rng, train)
    if not train:
        return ref.dropout_forward(x, p, rng, train)
    q = 1.0 - p
    mask = np.broadcast_to((rng.random(x.shape[1]) < q) / q, x.shape).copy()
    return x * mask, {"mask": mask, "p": p, "train": True}


# ---- dropout_backward (6.2) ----------------------------------------------------------------


@mistake("dropout.dropout_backward", "a new mask in the backward")
def dropout_backward__new_mask(dout, cache):
    """The backward must reuse the forward's mask (keep it in the cache): a unit that was dropped in
    the forward pass had no effect on the loss, so its gradient is 0."""
    dout = as_float_array(dout, "dout", ndim=2)
    if not cache["train"]:
        return dout.copy()
    q = 1.0 - cache["p"]
    mask = (np.random.default_rng(12345).random(dout.shape) < q) / q
    return dout * mask


@mistake("dropout.dropout_backward", "backward not rescaled")
def dropout_backward__no_rescale(dout, cache):
    """The forward multiplied the kept units by 1 / (1 - p), so the backward multiplies their
    gradient by the same 1 / (1 - p)."""
    dout = as_float_array(dout, "dout", ndim=2)
    if not cache["train"]:
        return dout.copy()
    return dout * (cache["mask"] != 0)


@mistake("dropout.dropout_backward", "scaling in the backward at test time")
def dropout_backward__scale_at_test(dout, cache):
    """At test time the forward is the identity, so the backward is too: dx = dout."""
    dout = as_float_array(dout, "dout", ndim=2)
    if not cache["train"]:
        return dout * (1.0 - cache["p"])
    return dout * cache["mask"]
