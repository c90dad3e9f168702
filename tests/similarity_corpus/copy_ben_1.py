# Planted copy of "ben": loop variables renamed, initializations reordered, operands swapped,
# `a += b` written out, docstrings and blank lines added.
def affine_backward(dout, cache):
    """Affine backward, one example at a time."""
    rows, cols = x.shape
    outs = W.shape[1]
    gb = np.zeros(outs)
    gW = np.zeros((cols, outs))
    gx = np.zeros((rows, cols))

    for k in range(rows):
        gx[k] = W @ dout[k]
        gW = gW + np.outer(x[k], dout[k])
        gb = gb + dout[k]
    return gx, gW, gb


def softmax_cross_entropy(scores, y):
    n_samples, n_classes = scores.shape
    grad = np.zeros((n_samples, n_classes))
    total_loss = 0.0
    for k in range(n_samples):
        r = scores[k] - scores[k].max()
        e = np.exp(r)
        z = e.sum()
        total_loss += np.log(z) - r[y[k]]
        grad[k] = e / z
        grad[k, y[k]] -= 1.0
    return float(total_loss / n_samples), grad / n_samples


def batchnorm_backward(dout, cache):
    eps = cache["eps"]
    var = cache["var"]
    gamma = cache["gamma"]
    xh = cache["x_hat"]
    n, d = dout.shape
    db = np.empty(d)
    dg = np.empty(d)
    dx = np.empty((n, d))
    for c in range(d):
        up = dout[:, c]
        xc = xh[:, c]
        db[c] = up.sum()
        dg[c] = (xc * up).sum()
        scale = gamma[c] / np.sqrt(eps + var[c])
        dx[:, c] = scale * (up - up.mean() - xc * (xc * up).mean())
    return dx, dg, db


def dropout_forward(x, p, rng, train=True):
    if train:
        keep = 1 - p
        m = np.zeros(x.shape)
        r = rng.uniform(size=x.shape)
        for a in range(x.shape[0]):
            for b in range(x.shape[1]):
                if r[a, b] >= p:
                    m[a, b] = 1.0 / keep
        y = m * x
    else:
        m = None
        y = np.array(x, copy=True)
    return y, {"mask": m, "p": p, "train": train}


def he_normal(fan_in, fan_out, rng):
    out = np.empty((fan_in, fan_out))
    for r in range(fan_in):
        out[r, :] = rng.normal(0.0, (2.0 / fan_in) ** 0.5, size=fan_out)
    return out


def l2_penalty(weights, lam):
    grads = []
    pen = 0.0
    for w in weights:
        pen += 0.5 * lam * float((w * w).sum())
        grads.append(w * lam)
    return pen, grads
