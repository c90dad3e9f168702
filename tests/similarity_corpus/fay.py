# Independent author "fay": converges on the idioms everyone writes for the short functions
# (affine backward, He init, the eval branch of dropout), her own way for the longer ones.
def affine_backward(dout, cache):
    dx = dout @ W.T
    dW = x.T @ dout
    db = np.sum(dout, axis=0)
    return dx, dW, db


def softmax_cross_entropy(scores, y):
    probs = np.exp(scores - np.max(scores, axis=1, keepdims=True))
    probs = probs / np.sum(probs, axis=1, keepdims=True)
    N = len(y)
    correct = probs[range(N), y]
    loss = np.sum(-np.log(correct)) / N
    dscores = probs
    dscores[range(N), y] -= 1
    dscores = dscores / N
    return float(loss), dscores


def batchnorm_backward(dout, cache):
    x_mu = cache["x_mu"]
    var = cache["var"]
    eps = cache["eps"]
    gamma = cache["gamma"]
    n = x_mu.shape[0]
    std = np.sqrt(var + eps)
    x_norm = x_mu / std
    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(dout * x_norm, axis=0)
    dnorm = dout * gamma
    dx = (1.0 / (n * std)) * (n * dnorm - np.sum(dnorm, axis=0) - x_norm * np.sum(dnorm * x_norm, axis=0))
    return dx, dgamma, dbeta


def dropout_forward(x, p, rng, train=True):
    if not train:
        return x.copy(), {"mask": None, "p": p, "train": False}
    u = rng.random(x.shape)
    mask = np.zeros_like(x)
    mask[u >= p] = 1.0 / (1.0 - p)
    return x * mask, {"mask": mask, "p": p, "train": True}


def he_normal(fan_in, fan_out, rng):
    std = np.sqrt(2.0 / fan_in)
    return rng.normal(0.0, std, size=(fan_in, fan_out))


def l2_penalty(weights, lam):
    value = 0.0
    for W in weights:
        value += np.sum(W * W)
    value *= 0.5 * lam
    return float(value), [lam * W for W in weights]
