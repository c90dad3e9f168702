# Planted copy of "ana": every local renamed, independent statements reordered, comments,
# blank lines and a method call spelled as a function.
def affine_backward(dout, cache):
    # bias gradient first
    grad_b = np.sum(dout, axis=0)

    grad_W = x.T @ dout      # weights
    grad_x = dout @ W.T      # inputs
    return grad_x, grad_W, grad_b


def softmax_cross_entropy(scores, y):
    batch_size = scores.shape[0]
    # stable: subtract the row max
    shifted = scores - np.max(scores, keepdims=True, axis=1)
    logp = shifted - np.log(np.sum(np.exp(shifted), keepdims=True, axis=1))
    p = np.exp(logp)
    L = -np.mean(logp[np.arange(batch_size), y])
    p[np.arange(batch_size), y] -= 1.0
    return float(L), p / batch_size


def batchnorm_backward(dout, cache):
    ivs = cache["inv_std"]
    xn, g = cache["x_hat"], cache["gamma"]
    m = dout.shape[0]
    dg = np.sum(xn * dout, axis=0)
    db = np.sum(dout, axis=0)
    d_norm = g * dout
    grad = ivs / m * (m * d_norm - np.sum(d_norm, axis=0) - xn * np.sum(d_norm * xn, axis=0))
    return grad, dg, db


def dropout_forward(x, p, rng, train=True):
    if not train:
        # test time: identity
        return x.copy(), {"mask": None, "p": p, "train": False}
    q = 1.0 - p
    m = (rng.random(x.shape) < q) / q
    return m * x, {"mask": m, "p": p, "train": True}


def he_normal(fan_in, fan_out, rng):
    sigma = np.sqrt(2.0 / fan_in)   # He et al.
    return rng.normal(0.0, sigma, size=(fan_in, fan_out))


def l2_penalty(weights, lam):
    gs = [lam * w for w in weights]
    pen = 0.5 * lam * sum(np.sum(w ** 2) for w in weights)
    return float(pen), gs
