# Planted copy of "emil": renamed, an extra intermediate variable, keyword order changed,
# comments rewritten.
def affine_backward(dout, cache):
    W_t = np.transpose(W)
    d_in = np.matmul(dout, W_t)
    d_W = np.matmul(np.transpose(x), dout)
    d_b = dout.sum(axis=0)
    return d_in, d_W, d_b


def softmax_cross_entropy(scores, y):
    m = scores.shape[0]
    mx = np.amax(scores, keepdims=True, axis=1)
    ex = np.exp(scores - mx)
    denom = np.sum(ex, keepdims=True, axis=1)
    sm = ex / denom
    t = np.zeros_like(scores)
    t[np.arange(m), y] = 1.0
    loss_value = -np.sum(t * (scores - mx - np.log(denom))) / m
    return float(loss_value), (sm - t) / m


def batchnorm_backward(dout, cache):
    g = cache["gamma"]
    xn = cache["x_hat"]
    s_inv = cache["inv_std"]
    dgamma = (xn * dout).sum(axis=0)
    dbeta = dout.sum(axis=0)
    d_y = dout * g
    avg = d_y.mean(keepdims=True, axis=0)
    avg_xn = (d_y * xn).mean(keepdims=True, axis=0)
    dx = (d_y - avg - xn * avg_xn) * s_inv
    return dx, dgamma, dbeta


def dropout_forward(x, p, rng, train=True):
    c = {"p": p, "train": train, "mask": None}
    if not train:
        return np.array(x), c
    u = rng.random(x.shape)
    factor = 1.0 / (1.0 - p)
    keep_mask = np.where(u < 1.0 - p, factor, 0.0)
    c["mask"] = keep_mask
    result = x * keep_mask
    return result, c


def he_normal(fan_in, fan_out, rng):
    var = 2.0 / fan_in
    w = rng.normal(size=(fan_in, fan_out))
    w *= np.sqrt(var)
    return w


def l2_penalty(weights, lam):
    total = 0.0
    g = []
    for W in weights:
        total = total + np.sum(np.square(W))
        g.append(W * lam)
    return float(lam * total / 2), g
