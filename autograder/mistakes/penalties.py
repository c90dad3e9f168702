"""Known mistakes of assignment 07 (penalties): wrong variants of ``course_ref.penalties``.

The course's constants: L2 = lam / 2 * sum(W**2), gradient lam * W; L1 = lam * sum|W|, subgradient
0 at 0; elastic net = lam * (r * sum|W| + (1 - r) / 2 * sum(W**2)). A variant whose value or
gradient is the reference's times a constant, or another penalty's, wraps the reference
(``ref.<name>``); the others compute their wrong part after the reference's checks.
"""

import numpy as np
from course_ref import penalties as ref
from course_ref.penalties import _check_weights, check_positive, check_probability

from autograder.mistakes import mistake


def _checked(weights, lam):
    """The reference's checks: ``(weights, lam)`` as float arrays and a number >= 0."""
    return _check_weights(weights), check_positive(lam, "lam", allow_zero=True)


def _scaled(result, value=1.0, grads=1.0):
    """A penalty's ``(value, grads)`` with the value and the gradients multiplied by constants."""
    v, g = result
    return value * v, [grads * w for w in g]


# ---- l2_penalty (7.1) ----------------------------------------------------------------------


@mistake("penalties.l2_penalty", "L2 without the factor 1/2 (value and gradient doubled)")
def l2_penalty__no_half(weights, lam):
    """This course's L2 penalty is lam / 2 * sum(W**2), whose gradient is lam * W (so lam is the
    weight-decay rate). You used lam * sum(W**2), gradient 2 * lam * W."""
    return _scaled(ref.l2_penalty(weights, lam), value=2.0, grads=2.0)


@mistake("penalties.l2_penalty", "factor 2 in the gradient")
def l2_penalty__grad_doubled(weights, lam):
    """The derivative of lam / 2 * w**2 is lam * w: the 2 of the square cancels the 1/2. A gradient
    of 2 * lam * W decays the weights twice as fast as the value says."""
    return _scaled(ref.l2_penalty(weights, lam), grads=2.0)


@mistake("penalties.l2_penalty", "factor 1/2 in the gradient")
def l2_penalty__grad_halved(weights, lam):
    """The derivative of lam / 2 * w**2 is lam * w, not lam / 2 * w."""
    return _scaled(ref.l2_penalty(weights, lam), grads=0.5)


@mistake("penalties.l2_penalty", "factor 1/2 missing in the value")
def l2_penalty__value_no_half(weights, lam):
    """The value is lam / 2 * sum(W**2); you returned lam * sum(W**2) with the gradient lam * W of
    the 1/2 convention, so the value and its gradient disagree."""
    return _scaled(ref.l2_penalty(weights, lam), value=2.0)


@mistake("penalties.l2_penalty", "penalty in the loss but not in the gradient")
def l2_penalty__no_grad(weights, lam):
    """The penalty changes the loss, so it changes the gradient too: return lam * W for each weight,
    not zeros (the optimizer only ever sees the gradient)."""
    value, grads = ref.l2_penalty(weights, lam)
    return value, [np.zeros_like(g) for g in grads]


@mistake("penalties.l2_penalty", "penalty in the gradient but not in the loss")
def l2_penalty__no_value(weights, lam):
    """Return the penalty's value too (lam / 2 * sum(W**2)): the loss you monitor must be the one
    you descend."""
    return 0.0, ref.l2_penalty(weights, lam)[1]


# ---- l1_penalty (7.2) ----------------------------------------------------------------------


@mistake("penalties.l1_penalty", "subgradient at zero not 0")
def l1_penalty__subgradient_at_zero(weights, lam):
    """|w| has no derivative at w = 0; the course takes the subgradient 0 there (np.sign(0) == 0),
    not +lam or -lam."""
    value, _ = ref.l1_penalty(weights, lam)
    weights, lam = _checked(weights, lam)
    return value, [np.where(W >= 0, lam, -lam) for W in weights]


@mistake("penalties.l1_penalty", "signed sum instead of absolute values")
def l1_penalty__signed_sum(weights, lam):
    """The L1 penalty sums |w|, not w: negative weights must count as much as positive ones."""
    _, grads = ref.l1_penalty(weights, lam)
    weights, lam = _checked(weights, lam)
    return lam * sum(float(np.sum(W)) for W in weights), grads


@mistake("penalties.l1_penalty", "gradient lam * W (the L2 gradient)")
def l1_penalty__l2_gradient(weights, lam):
    """The (sub)gradient of lam * |w| is lam * sign(w), of constant size: that is why L1 pushes
    small weights all the way to 0 while L2 only shrinks them."""
    return ref.l1_penalty(weights, lam)[0], ref.l2_penalty(weights, lam)[1]


@mistake("penalties.l1_penalty", "penalty in the loss but not in the gradient")
def l1_penalty__no_grad(weights, lam):
    """Return lam * sign(W) as the gradient: the optimizer only ever sees the gradient."""
    value, grads = ref.l1_penalty(weights, lam)
    return value, [np.zeros_like(g) for g in grads]


# ---- elastic_net_penalty (7.3) -------------------------------------------------------------


@mistake("penalties.elastic_net_penalty", "elastic-net mix reversed")
def elastic_net_penalty__mix_reversed(weights, lam, l1_ratio):
    """l1_ratio weighs the L1 part: lam * (l1_ratio * sum|W| + (1 - l1_ratio) / 2 * sum(W**2)). You
    gave l1_ratio to the L2 part."""
    r = 1.0 - check_probability(l1_ratio, "l1_ratio", high_inclusive=True)
    return ref.elastic_net_penalty(weights, lam, r)


@mistake("penalties.elastic_net_penalty", "L2 part without the factor 1/2")
def elastic_net_penalty__l2_no_half(weights, lam, l1_ratio):
    """The L2 part follows l2_penalty's convention: (1 - l1_ratio) / 2 * sum(W**2), gradient (1 -
    l1_ratio) * W, so that l1_ratio = 0 gives exactly l2_penalty."""
    weights, lam = _checked(weights, lam)
    r = check_probability(l1_ratio, "l1_ratio", high_inclusive=True)
    value = lam * sum(
        r * float(np.sum(np.abs(W))) + (1.0 - r) * float(np.sum(W * W)) for W in weights
    )
    return value, [lam * (r * np.sign(W) + 2.0 * (1.0 - r) * W) for W in weights]


@mistake("penalties.elastic_net_penalty", "sum of L1 and L2 without the mix")
def elastic_net_penalty__no_mix(weights, lam, l1_ratio):
    """The two parts are weighted by l1_ratio and 1 - l1_ratio, which add up to 1."""
    weights, lam = _checked(weights, lam)
    check_probability(l1_ratio, "l1_ratio", high_inclusive=True)
    value = lam * sum(float(np.sum(np.abs(W))) + 0.5 * float(np.sum(W * W)) for W in weights)
    return value, [lam * (np.sign(W) + W) for W in weights]


# ---- add_penalty (7.4) ---------------------------------------------------------------------


@mistake("penalties.add_penalty", "penalizing biases")
def add_penalty__penalize_biases(loss, grads, params, penalty):
    """Only the weight matrices W are penalized: biases (and batch norm's gamma, beta) set offsets
    and scales, and shrinking them does not reduce the capacity that overfits. Pass the 'W...'
    entries only."""
    value, pgrads = penalty([params[k] for k in params])
    total = {k: np.array(g, dtype=np.float64, copy=True) for k, g in grads.items()}
    for k, g in zip(params, pgrads, strict=False):
        total[k] = total[k] + g
    return float(loss) + float(value), total


@mistake("penalties.add_penalty", "penalty in the loss but not in the gradient")
def add_penalty__loss_only(loss, grads, params, penalty):
    """Add the penalty's gradient to the weights' gradients too: the optimizer only sees the
    gradients, so without it the penalty has no effect on training."""
    total_loss, _ = ref.add_penalty(loss, grads, params, penalty)
    return total_loss, {k: np.array(g, dtype=np.float64, copy=True) for k, g in grads.items()}


@mistake("penalties.add_penalty", "penalty in the gradient but not in the loss")
def add_penalty__grad_only(loss, grads, params, penalty):
    """Add the penalty's value to the loss as well: the reported loss must be the function whose
    gradient you follow."""
    return float(loss), ref.add_penalty(loss, grads, params, penalty)[1]


@mistake("penalties.add_penalty", "weight decay applied twice")
def add_penalty__twice(loss, grads, params, penalty):
    """The penalty's gradient is added once, to the data gradient. Adding it again (or also
    shrinking the weights in the optimizer) doubles the effective lam."""
    return ref.add_penalty(loss, grads, params, lambda ws: _scaled(penalty(ws), grads=2.0))
