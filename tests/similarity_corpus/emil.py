# Independent author "emil": verbose names, np.matmul, means with keepdims.
def affine_backward(dout, cache):
    grad_input = np.matmul(dout, np.transpose(W))
    grad_weight = np.matmul(np.transpose(x), dout)
    grad_bias = dout.sum(axis=0)
    return grad_input, grad_weight, grad_bias


def softmax_cross_entropy(scores, y):
    batch = scores.shape[0]
    maxes = np.amax(scores, axis=1, keepdims=True)
    exps = np.exp(scores - maxes)
    norm = np.sum(exps, axis=1, keepdims=True)
    softmax_out = exps / norm
    target = np.zeros_like(scores)
    target[np.arange(batch), y] = 1.0
    loss = -np.sum(target * (scores - maxes - np.log(norm))) / batch
    dscores = (softmax_out - target) / batch
    return float(loss), dscores


def batchnorm_backward(dout, cache):
    gamma = cache["gamma"]
    x_hat = cache["x_hat"]
    inv_std = cache["inv_std"]
    dbeta = dout.sum(axis=0)
    dgamma = (x_hat * dout).sum(axis=0)
    dy = dout * gamma
    mean_dy = dy.mean(axis=0, keepdims=True)
    mean_dy_xhat = (dy * x_hat).mean(axis=0, keepdims=True)
    dx = (dy - mean_dy - x_hat * mean_dy_xhat) * inv_std
    return dx, dgamma, dbeta


def dropout_forward(x, p, rng, train=True):
    cache = {"p": p, "train": train, "mask": None}
    if not train:
        return np.array(x), cache
    scale = 1.0 / (1.0 - p)
    draws = rng.random(x.shape)
    mask = np.where(draws < 1.0 - p, scale, 0.0)
    cache["mask"] = mask
    out = x * mask
    return out, cache


def he_normal(fan_in, fan_out, rng):
    variance = 2.0 / fan_in
    weights = rng.normal(size=(fan_in, fan_out))
    weights *= np.sqrt(variance)
    return weights


def l2_penalty(weights, lam):
    grads = []
    sq_sum = 0.0
    for w in weights:
        sq_sum = sq_sum + np.sum(np.square(w))
        grads.append(w * lam)
    penalty = lam * sq_sum / 2
    return float(penalty), grads
