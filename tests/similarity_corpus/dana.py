# Independent author "dana": expressions returned directly, np.dot, staged backward.
def affine_backward(dout, cache):
    return np.dot(dout, W.T), np.dot(x.T, dout), np.sum(dout, axis=0)


def softmax_cross_entropy(scores, y):
    shift = scores - scores.max(axis=1)[:, np.newaxis]
    probs = np.exp(shift)
    probs /= probs.sum(axis=1)[:, np.newaxis]
    picked = probs[np.arange(len(y)), y]
    loss = -np.log(picked).mean()
    grad = probs.copy()
    grad[np.arange(len(y)), y] -= 1
    return float(loss), grad / len(y)


def batchnorm_backward(dout, cache):
    xhat = cache["x_hat"]
    xmu = cache["x_mu"]
    inv = cache["inv_std"]
    g = cache["gamma"]
    m = dout.shape[0]
    dgamma = (dout * xhat).sum(0)
    dbeta = dout.sum(0)
    d_xhat = g * dout
    d_inv = (d_xhat * xmu).sum(0)
    d_var = d_inv * (-0.5) * inv ** 3
    d_xmu = d_xhat * inv + d_var * 2 * xmu / m
    d_mu = -d_xmu.sum(0)
    dx = d_xmu + d_mu / m
    return dx, dgamma, dbeta


def dropout_forward(x, p, rng, train=True):
    if train:
        keep = rng.random(size=x.shape) >= p
        mask = keep.astype(float) / (1.0 - p)
        return x * mask, dict(mask=mask, p=p, train=True)
    return x.copy(), dict(mask=None, p=p, train=False)


def he_normal(fan_in, fan_out, rng):
    return rng.normal(loc=0.0, scale=np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))


def l2_penalty(weights, lam):
    total = 0.5 * lam * sum(np.vdot(W, W) for W in weights)
    return float(total), [lam * W for W in weights]
