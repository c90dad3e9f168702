# Independent author "chen": einsum everywhere, log-sum-exp decomposition.
def affine_backward(dout, cache):
    dx = np.einsum("nm,dm->nd", dout, W)
    dW = np.einsum("nd,nm->dm", x, dout)
    db = np.einsum("nm->m", dout)
    return dx, dW, db


def softmax_cross_entropy(scores, y):
    m = scores.max(axis=1)
    lse = m + np.log(np.exp(scores - m[:, None]).sum(axis=1))
    onehot = np.eye(scores.shape[1])[y]
    loss = np.mean(lse - np.einsum("nc,nc->n", scores, onehot))
    p = np.exp(scores - lse[:, None])
    return float(loss), (p - onehot) / len(y)


def batchnorm_backward(dout, cache):
    x_mu, var, eps, gamma = cache["x_mu"], cache["var"], cache["eps"], cache["gamma"]
    N = x_mu.shape[0]
    istd = 1.0 / np.sqrt(var + eps)
    xh = x_mu * istd
    dbeta = np.einsum("nd->d", dout)
    dgamma = np.einsum("nd,nd->d", dout, xh)
    dxh = dout * gamma
    dvar = np.einsum("nd,nd->d", dxh, x_mu) * -0.5 * istd ** 3
    dmu = -istd * np.einsum("nd->d", dxh) - 2.0 * dvar * x_mu.mean(axis=0)
    dx = dxh * istd + dvar * 2.0 * x_mu / N + dmu / N
    return dx, dgamma, dbeta


def dropout_forward(x, p, rng, train=True):
    if not train:
        return np.copy(x), {"mask": None, "p": p, "train": False}
    keep_prob = 1.0 - p
    mask = rng.binomial(1, keep_prob, size=x.shape) / keep_prob
    return mask * x, {"mask": mask, "p": p, "train": True}


def he_normal(fan_in, fan_out, rng):
    return rng.standard_normal((fan_in, fan_out)) * np.sqrt(2 / fan_in)


def l2_penalty(weights, lam):
    sq = [np.einsum("i,i->", W.ravel(), W.ravel()) for W in weights]
    return 0.5 * lam * float(np.sum(sq)), [W * lam for W in weights]
