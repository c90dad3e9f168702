# Planted copy of "fay": renamed, reordered, `x.copy()` as `np.copy(x)`, `range(N)` as
# `np.arange(N)`, comments.
def affine_backward(dout, cache):
    db = np.sum(dout, axis=0)
    dx = dout @ W.T
    dW = x.T @ dout
    return dx, dW, db


def softmax_cross_entropy(scores, y):
    n = len(y)
    pr = np.exp(scores - np.max(scores, axis=1, keepdims=True))
    pr = pr / np.sum(pr, axis=1, keepdims=True)
    right = pr[np.arange(n), y]
    loss = np.sum(-np.log(right)) / n
    grad = pr
    grad[np.arange(n), y] -= 1
    grad = grad / n
    return float(loss), grad


def batchnorm_backward(dout, cache):
    gamma = cache["gamma"]
    eps = cache["eps"]
    var = cache["var"]
    centered = cache["x_mu"]
    m = centered.shape[0]
    sd = np.sqrt(var + eps)
    xn = centered / sd
    dgamma = np.sum(dout * xn, axis=0)
    dbeta = np.sum(dout, axis=0)
    dxn = dout * gamma
    # closed form
    dx = (1.0 / (m * sd)) * (m * dxn - np.sum(dxn, axis=0) - xn * np.sum(dxn * xn, axis=0))
    return dx, dgamma, dbeta


def dropout_forward(x, p, rng, train=True):
    if not train:
        return np.copy(x), {"mask": None, "p": p, "train": False}
    draws = rng.random(x.shape)
    m = np.zeros_like(x)
    m[draws >= p] = 1.0 / (1.0 - p)
    return x * m, {"mask": m, "p": p, "train": True}


def he_normal(fan_in, fan_out, rng):
    s = np.sqrt(2.0 / fan_in)
    return rng.normal(0.0, s, size=(fan_in, fan_out))


def l2_penalty(weights, lam):
    acc = 0.0
    for w in weights:
        acc += np.sum(w * w)
    acc *= 0.5 * lam
    return float(acc), [lam * w for w in weights]
