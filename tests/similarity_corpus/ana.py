# Independent author "ana": vectorized, textbook style.
def affine_backward(dout, cache):
    dx = dout @ W.T
    dW = x.T @ dout
    db = dout.sum(axis=0)
    return dx, dW, db


def softmax_cross_entropy(scores, y):
    n = scores.shape[0]
    z = scores - np.max(scores, axis=1, keepdims=True)
    log_probs = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    loss = -np.mean(log_probs[np.arange(n), y])
    probs = np.exp(log_probs)
    probs[np.arange(n), y] -= 1.0
    return float(loss), probs / n


def batchnorm_backward(dout, cache):
    x_hat, gamma = cache["x_hat"], cache["gamma"]
    inv_std = cache["inv_std"]
    N = dout.shape[0]
    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    dxhat = dout * gamma
    dx = inv_std / N * (N * dxhat - dxhat.sum(axis=0) - x_hat * np.sum(dxhat * x_hat, axis=0))
    return dx, dgamma, dbeta


def dropout_forward(x, p, rng, train=True):
    if not train:
        return x.copy(), {"mask": None, "p": p, "train": False}
    keep = 1.0 - p
    mask = (rng.random(x.shape) < keep) / keep
    return x * mask, {"mask": mask, "p": p, "train": True}


def he_normal(fan_in, fan_out, rng):
    std = np.sqrt(2.0 / fan_in)
    return rng.normal(0.0, std, size=(fan_in, fan_out))


def l2_penalty(weights, lam):
    value = 0.5 * lam * sum(np.sum(W ** 2) for W in weights)
    grads = [lam * W for W in weights]
    return float(value), grads
