# Planted copy of "chen": renamed, einsum subscripts relabelled, constants respelled,
# statements reordered.
def affine_backward(dout, cache):
    g_b = np.einsum("ij->j", dout)
    g_W = np.einsum("ik,ij->kj", x, dout)
    g_x = np.einsum("ij,kj->ik", dout, W)
    return g_x, g_W, g_b


def softmax_cross_entropy(scores, y):
    oh = np.eye(scores.shape[1])[y]
    mx = scores.max(axis=1)
    logsum = mx + np.log(np.exp(scores - mx[:, None]).sum(axis=1))
    probs = np.exp(scores - logsum[:, None])
    L = np.mean(logsum - np.einsum("ij,ij->i", scores, oh))
    return float(L), (probs - oh) / len(y)


def batchnorm_backward(dout, cache):
    xm, v, e, gm = cache["x_mu"], cache["var"], cache["eps"], cache["gamma"]
    B = xm.shape[0]
    inv = 1 / np.sqrt(v + e)
    xn = xm * inv
    dgamma = np.einsum("ij,ij->j", dout, xn)
    dbeta = np.einsum("ij->j", dout)
    dxn = dout * gm
    dv = np.einsum("ij,ij->j", dxn, xm) * -0.5 * inv ** 3
    dm = -inv * np.einsum("ij->j", dxn) - 2 * dv * xm.mean(axis=0)
    dx = dxn * inv + dv * 2 * xm / B + dm / B
    return dx, dgamma, dbeta


def dropout_forward(x, p, rng, train=True):
    if not train:
        return np.copy(x), {"mask": None, "p": p, "train": False}
    kp = 1 - p
    M = rng.binomial(1, kp, size=x.shape) / kp
    return x * M, {"mask": M, "p": p, "train": True}


def he_normal(fan_in, fan_out, rng):
    return np.sqrt(2 / fan_in) * rng.standard_normal((fan_in, fan_out))


def l2_penalty(weights, lam):
    squares = [np.einsum("k,k->", w.ravel(), w.ravel()) for w in weights]
    return 0.5 * lam * float(np.sum(squares)), [lam * w for w in weights]
