"""Public scenarios of assignment 08 (babysitting and hyperparameter search): tasks 8.1 to 8.7.

The models these scenarios train or check are written HERE (``_TinyNet``, ``_SGD``), not taken
from ``course_lib.model``: a mistake in an earlier assignment's layers must not cost points in 08.
"""

import numpy as np

from ..scenario import scenario


# ---- a small network and optimizer of the scenarios' own ----------------------------------

class _TinyNet:
    """``tanh(x @ W1 + b1)``, optional inverted dropout, ``@ W2 + b2``, mean softmax
    cross-entropy; ``loss_and_grads(x, y, rng=None)`` like ``course_lib.model.MLP`` (dropout
    masks from ``rng``, or from the net's own generator when it is None)."""

    def __init__(self, D, H, C, rng, dropout=0.0, scale=1.0):
        self.params = {"W1": scale * rng.normal(size=(D, H)) / np.sqrt(D),
                       "b1": 0.1 * rng.normal(size=H),
                       "W2": scale * rng.normal(size=(H, C)) / np.sqrt(H),
                       "b2": 0.1 * rng.normal(size=C)}
        self.dropout = dropout
        self.rng = np.random.default_rng(int(rng.integers(2**31)))
        self.grad_bug = {}          # {name: factor}: a deliberately wrong backward

    def loss_and_grads(self, x, y, rng=None, penalty=None):
        p = self.params
        a = np.tanh(x @ p["W1"] + p["b1"])
        mask = np.ones_like(a)
        if self.dropout > 0:
            r = self.rng if rng is None else rng
            mask = (r.random(a.shape) >= self.dropout) / (1.0 - self.dropout)
        ad = a * mask
        s = ad @ p["W2"] + p["b2"]
        s = s - s.max(axis=1, keepdims=True)
        logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
        n = x.shape[0]
        loss = -logp[np.arange(n), y].mean()
        ds = np.exp(logp)
        ds[np.arange(n), y] -= 1.0
        ds /= n
        grads = {"W2": ad.T @ ds, "b2": ds.sum(axis=0)}
        dz = (ds @ p["W2"].T) * mask * (1.0 - a ** 2)
        grads["W1"], grads["b1"] = x.T @ dz, dz.sum(axis=0)
        for name, factor in self.grad_bug.items():
            grads[name] = grads[name] * factor
        return float(loss), grads


class _SGD:
    def __init__(self, lr):
        self.lr = lr

    def step(self, params, grads):
        for k, g in grads.items():
            params[k] -= self.lr * g


def _blobs(rng, N, D, C):
    centers = 2.0 * rng.normal(size=(C, D))
    y = np.arange(N) % C
    return centers[y] + rng.normal(size=(N, D)), y


# ---- 8.1 expected initial loss, whole-model gradient check --------------------------------

@scenario("8.1", cases=[dict(seed=0, K=10), dict(seed=1, K=3)], rtol=1e-12)
def initial_loss_value(lib, rng, K):
    return {"loss": lib.monitor.expected_initial_loss(K)}


@scenario("8.1", cases=[dict(seed=2, K=7)], rtol=1e-9)
def initial_loss_equals_cross_entropy_of_equal_scores(lib, rng, K):
    """ln K is the cross-entropy of equal scores, whatever the labels."""
    n = 30
    y = rng.integers(0, K, size=n)
    net = _TinyNet(4, 3, K, rng, scale=0.0)
    net.params["b2"][:] = 0.0
    loss, _ = net.loss_and_grads(rng.normal(size=(n, 4)), y)
    return {"expected": lib.monitor.expected_initial_loss(K), "actual_cross_entropy": loss}


def _net_and_data(rng, D, H, C, N, dropout):
    net = _TinyNet(D, H, C, rng, dropout=dropout)
    x, y = _blobs(rng, N, D, C)
    return net, x, y


@scenario("8.1", cases=[dict(seed=3, D=3, H=4, C=3, N=5, dropout=0.0),
                        dict(seed=4, D=2, H=5, C=2, N=4, dropout=0.5)], rtol=1e-5, atol=1e-8)
def gradient_check_model_numerical(lib, rng, D, H, C, N, dropout):
    """The numerical gradient of every parameter, and whether every error is tiny."""
    net, x, y = _net_and_data(rng, D, H, C, N, dropout)
    errors, numerical = lib.monitor.gradient_check_model(net, x, y, seed=5)
    out = {f"numerical_{k}": np.asarray(numerical[k]) for k in sorted(numerical)}
    out["parameters_checked"] = sorted(errors)
    out["all_errors_below_1e-6"] = bool(all(e < 1e-6 for e in errors.values()))
    return out


@scenario("8.1", cases=[dict(seed=6, D=3, H=4, C=3, N=6, dropout=0.0)], rtol=1e-3, atol=1e-6)
def gradient_check_model_catches_a_bug(lib, rng, D, H, C, N, dropout):
    """A backward whose W2 gradient is 1.5 times too large and whose b1 gradient has the wrong
    sign: the relative errors are 0.2 and 1, the others tiny."""
    net, x, y = _net_and_data(rng, D, H, C, N, dropout)
    net.grad_bug = {"W2": 1.5, "b1": -1.0}
    errors, _ = lib.monitor.gradient_check_model(net, x, y)
    return {f"error_{k}": float(errors[k]) for k in sorted(errors)}


@scenario("8.1", cases=[dict(seed=7, D=3, H=3, C=2, N=4, dropout=0.3)])
def gradient_check_model_leaves_params(lib, rng, D, H, C, N, dropout):
    """The parameters are exactly as before the check."""
    net, x, y = _net_and_data(rng, D, H, C, N, dropout)
    before = {k: v.copy() for k, v in net.params.items()}
    lib.monitor.gradient_check_model(net, x, y, h=1e-4)
    return {"params_unchanged": bool(all(np.array_equal(before[k], net.params[k]) for k in before))}


# ---- 8.2 diagnosing a training history -----------------------------------------------------

#: Real histories: course_lib.train on MNIST-1D or the digits (20 epochs, batches of 50,
#: seeds 0 and 1); see the notebook of assignment 08 for how each was made.
REAL_HISTORIES = {'healthy': {'train_acc': [0.475, 0.79833, 0.85833, 0.885, 0.89167, 0.90583, 0.9175, 0.92167,
                           0.9375, 0.93333, 0.94333, 0.94833, 0.95583, 0.95333, 0.96167, 0.96417,
                           0.96333, 0.96667, 0.9675, 0.97167],
             'train_loss': [2.13309, 1.90821, 1.61297, 1.28861, 1.00015, 0.78605, 0.63834, 0.52987,
                            0.45388, 0.39241, 0.34628, 0.30816, 0.27987, 0.25431, 0.23269, 0.21453,
                            0.19926, 0.18581, 0.17363, 0.16324],
             'val_acc': [0.48, 0.80333, 0.86, 0.88, 0.9, 0.91667, 0.92333, 0.91667, 0.92667,
                         0.91667, 0.92333, 0.92667, 0.92667, 0.92667, 0.93333, 0.92667, 0.93, 0.93,
                         0.93667, 0.93333],
             'val_loss': [2.13387, 1.90787, 1.61332, 1.28934, 1.00654, 0.7957, 0.64881, 0.55387,
                          0.47974, 0.43917, 0.40151, 0.36411, 0.34592, 0.32643, 0.30583, 0.29851,
                          0.27898, 0.27849, 0.26652, 0.25426]},
 'lr_too_high_momentum': {'train_acc': [0.302, 0.257, 0.278, 0.223, 0.28, 0.234, 0.244, 0.189,
                                        0.183, 0.242, 0.241, 0.266, 0.277, 0.305, 0.276, 0.26,
                                        0.221, 0.258, 0.27, 0.298],
                          'train_loss': [1.78986, 2.0723, 2.03346, 2.07954, 2.0345, 2.01923,
                                         2.10341, 2.186, 2.15152, 2.06813, 2.06989, 1.92282,
                                         1.88098, 1.82144, 1.87845, 2.00348, 1.91628, 1.9267,
                                         1.94745, 1.95509],
                          'val_acc': [0.268, 0.216, 0.195, 0.178, 0.213, 0.182, 0.188, 0.155, 0.135,
                                      0.17, 0.195, 0.21, 0.227, 0.235, 0.217, 0.216, 0.197, 0.191,
                                      0.219, 0.238],
                          'val_loss': [1.85394, 2.21427, 2.1953, 2.20008, 2.26533, 2.20699, 2.33966,
                                       2.3424, 2.32079, 2.35189, 2.34181, 2.13699, 2.1417, 2.06346,
                                       2.1454, 2.32029, 2.0875, 2.23276, 2.24688, 2.265]},
 'lr_too_high_sgd': {'train_acc': [0.114, 0.132, 0.101, 0.187, 0.151, 0.178, 0.205, 0.133, 0.196,
                                   0.196, 0.26, 0.28, 0.257, 0.256, 0.223, 0.258, 0.272, 0.303,
                                   0.237, 0.269],
                     'train_loss': [2.29806, 2.30772, 2.29127, 2.13865, 2.21673, 2.1831, 2.90911,
                                    2.21416, 2.07312, 2.05722, 1.90359, 1.97991, 1.86759, 1.91087,
                                    2.00174, 1.82061, 1.9308, 1.73138, 2.00711, 1.82541],
                     'val_acc': [0.104, 0.095, 0.089, 0.169, 0.117, 0.168, 0.194, 0.119, 0.181,
                                 0.171, 0.224, 0.251, 0.243, 0.213, 0.197, 0.223, 0.209, 0.259,
                                 0.207, 0.217],
                     'val_loss': [2.31714, 2.35592, 2.31364, 2.20411, 2.25506, 2.24954, 3.12107,
                                  2.23617, 2.11665, 2.23624, 2.00802, 2.18252, 1.97, 2.10792,
                                  2.08056, 1.99462, 2.17829, 1.86422, 2.07123, 1.96056]},
 'lr_too_low': {'train_acc': [0.125, 0.14333, 0.17667, 0.21583, 0.26417, 0.30667, 0.33917, 0.3775,
                              0.41, 0.44583, 0.48917, 0.53083, 0.57917, 0.61667, 0.6475, 0.67583,
                              0.70583, 0.72917, 0.74417, 0.75833],
                'train_loss': [2.29393, 2.27536, 2.25749, 2.23981, 2.22196, 2.2037, 2.18491,
                               2.16543, 2.14546, 2.12482, 2.10339, 2.08094, 2.0575, 2.03294,
                               2.00727, 1.98044, 1.95242, 1.92313, 1.89264, 1.86097],
                'val_acc': [0.13667, 0.16667, 0.19333, 0.21333, 0.24, 0.27667, 0.33667, 0.37667,
                            0.42667, 0.47333, 0.51, 0.55, 0.57667, 0.60333, 0.63667, 0.67667, 0.69,
                            0.71, 0.73, 0.76333],
                'val_loss': [2.29117, 2.27288, 2.25527, 2.23778, 2.22008, 2.202, 2.18332, 2.16398,
                             2.14414, 2.12375, 2.10259, 2.08045, 2.05732, 2.03301, 2.00752, 1.98095,
                             1.95308, 1.92384, 1.89346, 1.8619]},
 'overfitting': {'train_acc': [0.408, 0.606, 0.718, 0.802, 0.87, 0.912, 0.942, 0.984, 0.986, 0.99,
                               0.998, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
                 'train_loss': [1.61736, 1.22688, 0.98721, 0.80122, 0.66368, 0.54468, 0.44043,
                                0.3474, 0.28228, 0.23172, 0.17933, 0.14852, 0.11512, 0.09124,
                                0.07484, 0.06154, 0.05249, 0.04562, 0.03988, 0.03532],
                 'val_acc': [0.234, 0.262, 0.296, 0.306, 0.309, 0.32, 0.318, 0.329, 0.328, 0.327,
                             0.337, 0.32, 0.34, 0.334, 0.331, 0.328, 0.335, 0.333, 0.333, 0.337],
                 'val_loss': [2.11382, 2.00933, 1.93968, 1.95691, 1.98153, 2.0305, 2.02456, 2.09086,
                              2.0486, 2.20017, 2.14785, 2.26824, 2.25061, 2.31104, 2.3507, 2.39566,
                              2.4255, 2.45268, 2.50092, 2.52247]},
 'underfitting': {'train_acc': [0.28367, 0.31067, 0.33733, 0.33967, 0.349, 0.35067, 0.348, 0.35667,
                                0.36267, 0.361, 0.36767, 0.363, 0.35233, 0.36667, 0.35933, 0.37933,
                                0.372, 0.36533, 0.36967, 0.368],
                  'train_loss': [1.85211, 1.75137, 1.69695, 1.6745, 1.66515, 1.64426, 1.64011,
                                 1.62641, 1.62327, 1.61771, 1.62624, 1.62001, 1.61816, 1.60788,
                                 1.61159, 1.60169, 1.60105, 1.60188, 1.60184, 1.6113],
                  'val_acc': [0.284, 0.29, 0.317, 0.31, 0.292, 0.319, 0.308, 0.316, 0.335, 0.335,
                              0.326, 0.322, 0.326, 0.332, 0.332, 0.322, 0.323, 0.312, 0.318,
                              0.313],
                  'val_loss': [1.85106, 1.77323, 1.72822, 1.70783, 1.7133, 1.68327, 1.69177,
                               1.66345, 1.6672, 1.67756, 1.6803, 1.67118, 1.67365, 1.66143, 1.67292,
                               1.65987, 1.65625, 1.67003, 1.66787, 1.67116]}}


class _Diverged:
    """What ``course_lib.train`` returns when the loss became NaN in the second epoch."""

    def __init__(self):
        self.history = {"train_loss": [2.31], "val_loss": [2.35], "train_acc": [0.1],
                        "val_acc": [0.09]}
        self.stop_reason = "diverged"


def synthetic_history(kind, E, rng):
    """A clear-cut history of ``kind`` (one of the diagnoses) with random amplitudes."""
    t = np.arange(E) / (E - 1)
    u = rng.uniform(0.8, 1.2)
    decay = np.exp(-6 * u * t)
    acc_rise = 1 - decay
    if kind == "diverging":
        tl = 2.3 * np.exp(1.5 * u * t)
        ta = 0.3 - 0.2 * t
        va = ta - 0.02
    elif kind == "oscillating":
        tl = 1.6 + 0.5 * decay + 0.25 * u * (np.arange(E) % 2)
        ta = 0.4 + 0.1 * acc_rise
        va = ta - 0.03
    elif kind == "too slow":
        tl = 2.3 - 0.6 * u * t
        ta = 0.1 + 0.4 * t
        va = ta - 0.02
    elif kind == "plateau":
        tl = 2.3 - 0.04 * u * (1 - np.exp(-20 * t))
        ta = 0.1 + 0.05 * (1 - np.exp(-20 * t))
        va = ta - 0.01
    elif kind == "overfitting":
        tl = 0.02 + 2.2 * decay
        ta = 0.5 + 0.5 * acc_rise
        va = 0.45 + 0.15 * u * acc_rise
    elif kind == "underfitting":
        tl = 1.5 + 0.8 * decay
        ta = 0.3 + 0.25 * u * acc_rise
        va = ta - 0.03
    elif kind == "healthy":
        tl = 0.05 + 2.2 * decay
        ta = 0.5 + 0.47 * acc_rise
        va = ta - 0.04 * t
    else:
        raise ValueError(f"unknown kind {kind!r}")
    return {"train_loss": tl.tolist(), "val_loss": (tl + 0.1).tolist(), "train_acc": ta.tolist(),
            "val_acc": va.tolist()}


@scenario("8.2", cases=[dict(seed=10, kind="diverging", E=10), dict(seed=11, kind="oscillating", E=12),
                        dict(seed=12, kind="too slow", E=10), dict(seed=13, kind="plateau", E=10),
                        dict(seed=14, kind="overfitting", E=15), dict(seed=15, kind="underfitting", E=9),
                        dict(seed=16, kind="healthy", E=20)])
def diagnose_synthetic(lib, rng, kind, E):
    return {"diagnosis": lib.monitor.diagnose_history(synthetic_history(kind, E, rng))}


@scenario("8.2", cases=[dict(seed=17)])
def diagnose_diverged_run(lib, rng):
    """A run that ``train`` stopped because the loss became NaN: one epoch recorded."""
    return {"diagnosis": lib.monitor.diagnose_history(_Diverged())}


@scenario("8.2", cases=[dict(seed=18, history_name="lr_too_high_sgd", noise=0.0),
                        dict(seed=19, history_name="overfitting", noise=0.0),
                        dict(seed=20, history_name="lr_too_low", noise=0.0),
                        dict(seed=21, history_name="healthy", noise=0.0)])
def diagnose_real(lib, rng, history_name, noise):
    """A real history (``REAL_HISTORIES``), its values multiplied by ``1 + noise * N(0, 1)``."""
    h = {k: (np.asarray(v) * (1 + noise * rng.normal(size=len(v)))).tolist()
         for k, v in REAL_HISTORIES[history_name].items()}
    return {"diagnosis": lib.monitor.diagnose_history(h)}


@scenario("8.2", cases=[dict(seed=22, kind="underfitting", E=10, low_acc=0.5, max_gap=0.1),
                        dict(seed=23, kind="healthy", E=10, low_acc=0.99, max_gap=0.1),
                        dict(seed=24, kind="overfitting", E=10, low_acc=0.9, max_gap=0.5)])
def diagnose_with_thresholds(lib, rng, kind, E, low_acc, max_gap):
    """The thresholds are the caller's: what is low or a large gap depends on the task."""
    h = synthetic_history(kind, E, rng)
    return {"diagnosis": lib.monitor.diagnose_history(h, low_acc=low_acc, max_gap=max_gap)}


# ---- 8.3 update-to-weight ratios -----------------------------------------------------------

def _params(rng, sizes):
    out = {}
    for l in range(1, len(sizes)):
        out[f"W{l}"] = rng.normal(size=(sizes[l - 1], sizes[l])) / np.sqrt(sizes[l - 1])
        out[f"b{l}"] = np.zeros(sizes[l]) if l % 2 else 0.1 * rng.normal(size=sizes[l])
    out["gamma1"] = np.ones(sizes[1])
    return out


@scenario("8.3", cases=[dict(seed=30, sizes=(5, 4, 3), scale=1e-3), dict(seed=31, sizes=(3, 6, 6, 2), scale=0.3)],
          rtol=1e-9)
def update_ratios_values(lib, rng, sizes, scale):
    before = _params(rng, sizes)
    after = {k: v + scale * rng.normal(size=v.shape) * (1 + np.abs(v)) for k, v in before.items()}
    ratios = lib.monitor.update_to_weight_ratios(before, after)
    out = {"keys": sorted(ratios)}
    out.update({k: float(ratios[k]) for k in sorted(ratios) if k.startswith("W")})
    return out


@scenario("8.3", cases=[dict(seed=32, lr=0.1)], rtol=1e-9)
def update_ratios_after_an_sgd_step(lib, rng, lr):
    """For SGD, ||after - before|| = lr ||grad||."""
    net = _TinyNet(6, 8, 3, rng)
    x, y = _blobs(rng, 20, 6, 3)
    before = {k: v.copy() for k, v in net.params.items()}
    _, grads = net.loss_and_grads(x, y)
    _SGD(lr).step(net.params, grads)
    ratios = lib.monitor.update_to_weight_ratios(before, net.params)
    return {"W1": float(ratios["W1"]), "W2": float(ratios["W2"]), "n_ratios": len(ratios)}


# ---- 8.4 learning-rate schedules -----------------------------------------------------------

@scenario("8.4", cases=[dict(seed=40, lr0=0.1, drop=0.5, every=10, T=35), dict(seed=41, lr0=2.0, drop=0.1, every=3, T=10)],
          rtol=1e-12)
def step_decay_values(lib, rng, lr0, drop, every, T):
    f = lib.schedules.step_decay
    return {"lr": f(np.arange(T), lr0, drop=drop, every=every),
            "at_every": f(every, lr0, drop=drop, every=every)}


@scenario("8.4", cases=[dict(seed=42, lr0=0.1, gamma=0.9, T=30)], rtol=1e-12)
def exponential_decay_values(lib, rng, lr0, gamma, T):
    f = lib.schedules.exponential_decay
    return {"lr": f(np.arange(T), lr0, gamma=gamma), "at_0": f(0, lr0, gamma=gamma)}


@scenario("8.4", cases=[dict(seed=43, lr0=0.1, T=20, lr_min=0.0, n=25), dict(seed=44, lr0=1.0, T=7, lr_min=0.1, n=10)],
          rtol=1e-12, atol=1e-15)
def cosine_annealing_values(lib, rng, lr0, T, lr_min, n):
    f = lib.schedules.cosine_annealing
    return {"lr": f(np.arange(n), lr0, T=T, lr_min=lr_min), "at_T": f(T, lr0, T=T, lr_min=lr_min)}


@scenario("8.4", cases=[dict(seed=45, lr0=0.01, warmup=5, n=8), dict(seed=46, lr0=1.0, warmup=1, n=3)],
          rtol=1e-12)
def linear_warmup_values(lib, rng, lr0, warmup, n):
    f = lib.schedules.linear_warmup
    return {"lr": f(np.arange(n), lr0, warmup=warmup), "at_0": f(0, lr0, warmup=warmup)}


@scenario("8.4", cases=[dict(seed=47, lr0=0.05)], rtol=1e-12)
def schedules_keep_the_shape_of_t(lib, rng, lr0):
    """A 2-D array of steps gives a 2-D array of rates; a scalar step gives a float."""
    s = lib.schedules
    t = np.arange(12).reshape(3, 4)
    out = {"step": s.step_decay(t, lr0, every=4), "exponential": s.exponential_decay(t, lr0, gamma=0.5),
           "cosine": s.cosine_annealing(t, lr0, T=8), "warmup": s.linear_warmup(t, lr0, warmup=6)}
    out["scalar_is_float"] = bool(isinstance(s.cosine_annealing(3, lr0, T=8), float))
    return out


# ---- 8.5 the learning-rate range test ------------------------------------------------------

@scenario("8.5", cases=[dict(seed=50, N=60, D=4, C=3, n_steps=30, batch_size=16, lr_min=1e-3, lr_max=1.0),
                        dict(seed=51, N=25, D=3, C=2, n_steps=12, batch_size=10, lr_min=0.01, lr_max=0.5)],
          rtol=1e-6, atol=1e-10)
def lr_range_test_values(lib, rng, N, D, C, n_steps, batch_size, lr_min, lr_max):
    net = _TinyNet(D, 8, C, rng)
    x, y = _blobs(rng, N, D, C)
    lrs, losses = lib.schedules.lr_range_test(net, _SGD(lr_min), x, y, lr_min=lr_min, lr_max=lr_max,
                                              n_steps=n_steps, batch_size=batch_size,
                                              rng=np.random.default_rng(int(rng.integers(2**31))))
    return {"lrs": np.asarray(lrs, dtype=np.float64), "losses": np.asarray(losses, dtype=np.float64),
            "W1_after": net.params["W1"]}


@scenario("8.5", cases=[dict(seed=52, N=80, D=4, C=4, n_steps=80, lr_max=1e3)], rtol=1e-6, atol=1e-10)
def lr_range_test_stops_at_the_blow_up(lib, rng, N, D, C, n_steps, lr_max):
    """With a huge final rate the test stops early, on the loss that exceeds 4 times the best."""
    net = _TinyNet(D, 16, C, rng)
    x, y = _blobs(rng, N, D, C)
    lrs, losses = lib.schedules.lr_range_test(net, _SGD(1e-4), x, y, lr_min=1e-4, lr_max=lr_max,
                                              n_steps=n_steps, batch_size=20,
                                              rng=np.random.default_rng(int(rng.integers(2**31))))
    losses = np.asarray(losses, dtype=np.float64)
    return {"steps_taken": len(losses), "stopped_early": bool(len(losses) < n_steps),
            "last_exceeds_4x_best": bool(not np.isfinite(losses[-1]) or losses[-1] > 4 * losses[:-1].min()),
            "last_lr": float(lrs[-1])}


@scenario("8.5", cases=[dict(seed=53, K=40)], rtol=1e-12)
def suggest_lr_values(lib, rng, K):
    lrs = np.geomspace(1e-5, 10.0, K)
    losses = 2.3 - 1.5 / (1 + np.exp(-3 * (np.log10(lrs) + 2.5))) + rng.uniform(0, 0.01, K)
    losses[-8:] = np.linspace(3, 30, 8)
    losses[-1] = np.nan
    return {"lr": lib.schedules.suggest_lr(lrs, losses)}


# ---- 8.6 sampling: log scale, grid, random, coarse to fine ---------------------------------

SPACE = {"lr": (1e-4, 1e-1, "log"), "dropout": (0.0, 0.6, "linear"), "l2": (1e-6, 1e-2, "log")}


@scenario("8.6", cases=[dict(seed=60, low=1e-5, high=1.0, n=50), dict(seed=61, low=0.5, high=2.0, n=7)], rtol=1e-9)
def log_uniform_values(lib, rng, low, high, n):
    return {"values": np.asarray(lib.search.log_uniform(low, high, n, rng), dtype=np.float64)}


def _verify_log_decades(outputs, low, high, n, **_):
    v = np.asarray(outputs["values"], dtype=np.float64)
    assert v.shape == (n,), f"log_uniform(..., size={n}) must return shape ({n},); got {v.shape}"
    assert np.all((v >= low) & (v <= high)), f"values must lie in [{low}, {high}]"
    decades = int(round(np.log10(high / low)))
    share = np.histogram(np.log10(v), bins=decades, range=(np.log10(low), np.log10(high)))[0] / n
    p = 1 / decades
    bound = 6 * np.sqrt(p * (1 - p) / n)
    if np.any(np.abs(share - p) > bound):
        raise AssertionError(
            f"each of the {decades} decades between {low:g} and {high:g} should get about "
            f"{p:.3f} of the draws (within {bound:.3f}); got {np.round(share, 3).tolist()}. "
            + ("Almost all draws are in the top decade: that is uniform sampling of the value, "
               "not of its logarithm." if share[-1] > 0.8 else ""))


@scenario("8.6", cases=[dict(seed=62, low=1e-4, high=1.0, n=4000)], compare="property",
          verify=_verify_log_decades)
def log_uniform_fills_every_decade(lib, rng, low, high, n):
    return {"values": np.asarray(lib.search.log_uniform(low, high, n, rng), dtype=np.float64)}


def _flatten(configs, names):
    return np.array([[c[k] for k in names] for c in configs], dtype=np.float64)


@scenario("8.6", cases=[dict(seed=63, n_per_dim=3), dict(seed=64, n_per_dim=1)], rtol=1e-9)
def grid_configs_values(lib, rng, n_per_dim):
    configs = lib.search.grid_configs(SPACE, n_per_dim)
    return {"n": len(configs), "keys": list(configs[0]), "values": _flatten(configs, SPACE)}


@scenario("8.6", cases=[dict(seed=65, n=9), dict(seed=66, n=1)], rtol=1e-9)
def random_configs_values(lib, rng, n):
    configs = lib.search.random_configs(SPACE, n, rng)
    return {"n": len(configs), "keys": list(configs[0]), "values": _flatten(configs, SPACE)}


@scenario("8.6", cases=[dict(seed=67, n=20, top_k=3), dict(seed=68, n=6, top_k=1)], rtol=1e-9)
def coarse_to_fine_values(lib, rng, n, top_k):
    configs = [{k: float(v) for k, v in zip(SPACE, row)} for row in
               np.column_stack([10 ** rng.uniform(-4, -1, n), rng.uniform(0, 0.6, n), 10 ** rng.uniform(-6, -2, n)])]
    scores = np.array([(np.log10(c["lr"]) + 2.2) ** 2 + (c["dropout"] - 0.3) ** 2 for c in configs])
    new = lib.search.coarse_to_fine(SPACE, configs, scores, top_k=top_k)
    return {"keys": list(new), "scales": [new[k][2] for k in SPACE],
            "bounds": np.array([[new[k][0], new[k][1]] for k in SPACE], dtype=np.float64)}


# ---- 8.7 successive halving ----------------------------------------------------------------

def learning_curves(rng, n):
    """``score(i, budget)``: config i ends at ``final[i]`` and gets there at speed ``speed[i]``."""
    final = rng.uniform(0.1, 0.6, n)
    start = final + rng.uniform(0.2, 0.8, n)
    speed = rng.uniform(0.5, 8.0, n)

    def score(i, budget):
        return float(final[i] + (start[i] - final[i]) * np.exp(-budget / speed[i]))

    return score


@scenario("8.7", cases=[dict(seed=70, n=27, eta=3, min_budget=1), dict(seed=71, n=10, eta=2, min_budget=2),
                        dict(seed=72, n=2, eta=3, min_budget=5)], rtol=1e-12)
def successive_halving_values(lib, rng, n, eta, min_budget):
    score = learning_curves(rng, n)
    calls = []

    def evaluate(config, budget):
        calls.append((int(config), int(budget)))
        return score(config, budget)

    best, rungs = lib.search.successive_halving(list(range(n)), evaluate, min_budget=min_budget, eta=eta)
    return {"best": int(best), "budgets": [int(r["budget"]) for r in rungs],
            "sizes": [len(r["indices"]) for r in rungs],
            "indices": [int(i) for r in rungs for i in r["indices"]],
            "scores": np.array([s for r in rungs for s in r["scores"]], dtype=np.float64),
            "calls": np.array(sorted(calls), dtype=np.int64), "compute": int(sum(b for _, b in calls))}
