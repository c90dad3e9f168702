# Planted copy of "ana" by a second student: other renames, one variable inlined into the
# return, a different comment style, constants respelled (1.0 -> 1, 0.5 -> 1/2).
def affine_backward(dout, cache):
    """Gradients of the affine layer."""
    d_x = dout @ W.T
    d_w = x.T @ dout
    return d_x, d_w, dout.sum(axis=0)


def softmax_cross_entropy(scores, y):
    """Softmax cross-entropy and its gradient."""
    N = scores.shape[0]
    s = scores - np.max(scores, axis=1, keepdims=True)
    lp = s - np.log(np.sum(np.exp(s), axis=1, keepdims=True))
    loss = -np.mean(lp[np.arange(N), y])
    g = np.exp(lp)
    g[np.arange(N), y] -= 1
    return float(loss), g / N


def batchnorm_backward(dout, cache):
    xh, gam = cache["x_hat"], cache["gamma"]
    istd = cache["inv_std"]
    B = dout.shape[0]
    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(dout * xh, axis=0)
    dxh = dout * gam
    dx = istd / B * (B * dxh - dxh.sum(axis=0) - xh * np.sum(dxh * xh, axis=0))
    return dx, dgamma, dbeta


def dropout_forward(x, p, rng, train=True):
    if not train:
        return x.copy(), {"mask": None, "p": p, "train": False}
    k = 1 - p
    drop_mask = (rng.random(x.shape) < k) / k
    return x * drop_mask, {"mask": drop_mask, "p": p, "train": True}


def he_normal(fan_in, fan_out, rng):
    s = np.sqrt(2 / fan_in)
    return rng.normal(0, s, size=(fan_in, fan_out))


def l2_penalty(weights, lam):
    v = 1 / 2 * lam * sum(np.sum(W ** 2) for W in weights)
    return float(v), [lam * W for W in weights]
