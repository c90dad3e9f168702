# Independent author "ben": explicit loops.
def affine_backward(dout, cache):
    N, D = x.shape
    M = W.shape[1]
    dx = np.zeros((N, D))
    dW = np.zeros((D, M))
    db = np.zeros(M)
    for n in range(N):
        dx[n] = W @ dout[n]
        dW += np.outer(x[n], dout[n])
        db += dout[n]
    return dx, dW, db


def softmax_cross_entropy(scores, y):
    N, C = scores.shape
    loss = 0.0
    dscores = np.zeros((N, C))
    for i in range(N):
        row = scores[i] - scores[i].max()
        ex = np.exp(row)
        total = ex.sum()
        loss += np.log(total) - row[y[i]]
        dscores[i] = ex / total
        dscores[i, y[i]] -= 1.0
    return float(loss / N), dscores / N


def batchnorm_backward(dout, cache):
    x_hat = cache["x_hat"]
    gamma = cache["gamma"]
    var = cache["var"]
    eps = cache["eps"]
    N, D = dout.shape
    dx = np.empty((N, D))
    dgamma = np.empty(D)
    dbeta = np.empty(D)
    for j in range(D):
        g = dout[:, j]
        h = x_hat[:, j]
        dbeta[j] = g.sum()
        dgamma[j] = (g * h).sum()
        s = gamma[j] / np.sqrt(var[j] + eps)
        dx[:, j] = s * (g - g.mean() - h * (g * h).mean())
    return dx, dgamma, dbeta


def dropout_forward(x, p, rng, train=True):
    if train:
        q = 1 - p
        mask = np.zeros(x.shape)
        u = rng.uniform(size=x.shape)
        for i in range(x.shape[0]):
            for j in range(x.shape[1]):
                if u[i, j] >= p:
                    mask[i, j] = 1.0 / q
        out = x * mask
    else:
        mask = None
        out = np.array(x, copy=True)
    return out, {"mask": mask, "p": p, "train": train}


def he_normal(fan_in, fan_out, rng):
    W = np.empty((fan_in, fan_out))
    for i in range(fan_in):
        W[i, :] = rng.normal(0.0, (2.0 / fan_in) ** 0.5, size=fan_out)
    return W


def l2_penalty(weights, lam):
    value = 0.0
    grads = []
    for W in weights:
        value += 0.5 * lam * float((W * W).sum())
        grads.append(lam * W)
    return value, grads
