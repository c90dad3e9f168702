# Planted partial copy of "dana": four functions copied with renames and comments, He init and
# the L2 penalty written independently.
def affine_backward(dout, cache):
    # chain rule
    return np.dot(dout, W.T), np.dot(x.T, dout), np.sum(dout, axis=0)


def softmax_cross_entropy(scores, y):
    z = scores - scores.max(axis=1)[:, np.newaxis]
    sm = np.exp(z)
    sm /= sm.sum(axis=1)[:, np.newaxis]
    pt = sm[np.arange(len(y)), y]
    ce = -np.log(pt).mean()
    d = sm.copy()
    d[np.arange(len(y)), y] -= 1
    return float(ce), d / len(y)


def batchnorm_backward(dout, cache):
    xhat = cache["x_hat"]
    centered = cache["x_mu"]
    inv_sigma = cache["inv_std"]
    gamma = cache["gamma"]
    batch = dout.shape[0]
    dbeta = dout.sum(0)
    dgamma = (dout * xhat).sum(0)
    grad_xhat = gamma * dout
    grad_inv = (grad_xhat * centered).sum(0)
    grad_var = grad_inv * (-0.5) * inv_sigma ** 3
    grad_centered = grad_xhat * inv_sigma + grad_var * 2 * centered / batch
    grad_mean = -grad_centered.sum(0)
    dx = grad_centered + grad_mean / batch
    return dx, dgamma, dbeta


def dropout_forward(x, p, rng, train=True):
    if train:
        kept = rng.random(size=x.shape) >= p
        mask = kept.astype(float) / (1.0 - p)
        return mask * x, dict(mask=mask, p=p, train=True)
    return x.copy(), dict(mask=None, p=p, train=False)


def he_normal(fan_in, fan_out, rng):
    limit_std = (2.0 / fan_in) ** 0.5
    W = rng.normal(size=(fan_in, fan_out)) * limit_std
    return W


def l2_penalty(weights, lam):
    out = 0.0
    gradients = []
    for layer in weights:
        out = out + lam * np.sum(layer ** 2) / 2
        gradients.append(lam * layer)
    return float(out), gradients
