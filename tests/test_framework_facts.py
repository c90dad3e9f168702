"""The notebooks' closing tables (``course_lib.frameworks``) say true things about PyTorch.

Every row with a ``check`` names a test below that runs PyTorch against the reference on the same
numbers; they skip where PyTorch is not installed (it is only in the ``bench`` extra).
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder import REPO


def _counterparts():
    from course_lib.frameworks import COUNTERPARTS

    return COUNTERPARTS


def test_every_assignment_has_a_closing_table():
    from course_lib.tasks import ASSIGNMENTS

    tables = _counterparts()
    for assignment in ASSIGNMENTS:
        if (REPO / "solutions" / "notebooks" / assignment).is_dir() and assignment in tables:
            from course_lib.frameworks import markdown

            text = markdown(assignment)
            assert text.count("\n") == len(tables[assignment]) + 2
    assert set(tables) <= set(ASSIGNMENTS)


def test_every_named_check_exists():
    names = {r.check for rows in _counterparts().values() for r in rows if r.check}
    missing = [n for n in names if f"test_{n}" not in globals()]
    assert not missing, f"rows name checks that do not exist: {missing}"


torch = pytest.importorskip("torch", reason="PyTorch is not installed (the bench extra)")


def _t(a):
    return torch.tensor(np.asarray(a), dtype=torch.float64)


def test_linear_layout(ref):
    layer = torch.nn.Linear(4, 3).double()
    assert tuple(layer.weight.shape) == (3, 4)          # (fan_out, fan_in)
    bound = 1 / np.sqrt(4)
    assert float(layer.weight.detach().abs().max()) <= bound
    x = np.random.default_rng(0).normal(size=(5, 4))
    W, b = layer.weight.detach().numpy().T, layer.bias.detach().numpy()
    ours, _ = ref.layers.affine_forward(x, W, b)
    np.testing.assert_allclose(layer(_t(x)).detach().numpy(), ours, rtol=1e-12)


def test_cross_entropy(ref):
    rng = np.random.default_rng(1)
    s, y = rng.normal(size=(6, 4)), rng.integers(0, 4, size=6)
    ours, _ = ref.losses.softmax_cross_entropy(s, y)
    theirs = torch.nn.CrossEntropyLoss()(_t(s), torch.tensor(y))
    assert float(theirs) == pytest.approx(ours, rel=1e-12)


def test_mse(ref):
    rng = np.random.default_rng(2)
    p, t = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    ours, _ = ref.losses.mse_loss(p, t)
    theirs = torch.nn.MSELoss()(_t(p), _t(t))
    assert float(theirs) == pytest.approx(ours / 3, rel=1e-12)       # divided by K = 3


def test_kaiming_normal():
    w = torch.empty(400, 2000, dtype=torch.float64)    # fan_out 400, fan_in 2000
    torch.manual_seed(0)
    torch.nn.init.kaiming_normal_(w)                    # defaults: fan_in, leaky_relu with a=0
    assert float(w.std()) == pytest.approx(np.sqrt(2 / 2000), rel=0.01)
    torch.nn.init.kaiming_normal_(w, nonlinearity="relu")
    assert float(w.std()) == pytest.approx(np.sqrt(2 / 2000), rel=0.01)


def test_xavier_normal():
    w = torch.empty(400, 2000, dtype=torch.float64)
    torch.manual_seed(0)
    torch.nn.init.xavier_normal_(w)
    assert float(w.std()) == pytest.approx(np.sqrt(2 / 2400), rel=0.01)


def test_batchnorm(ref):
    rng = np.random.default_rng(3)
    N, D = 8, 3
    x = rng.normal(2.0, 3.0, size=(N, D))
    bn = torch.nn.BatchNorm1d(D).double()
    assert bn.momentum == 0.1 and bn.eps == 1e-5
    out_t = bn(_t(x)).detach().numpy()                 # training mode
    out, _, rm, rv = ref.batchnorm.batchnorm_forward(x, np.ones(D), np.zeros(D), np.zeros(D),
                                                     np.ones(D), momentum=0.9, eps=1e-5)
    np.testing.assert_allclose(out_t, out, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(bn.running_mean.numpy(), rm, rtol=1e-12)
    # PyTorch accumulates the unbiased variance; we accumulate the biased one
    batch_var = x.var(axis=0)
    np.testing.assert_allclose(rv, 0.9 + 0.1 * batch_var, rtol=1e-12)
    np.testing.assert_allclose(bn.running_var.numpy(), 0.9 + 0.1 * batch_var * N / (N - 1),
                               rtol=1e-12)


def test_batchnorm_running_stats_over_steps(ref):
    rng = np.random.default_rng(7)
    N, D = 16, 4
    bn = torch.nn.BatchNorm1d(D).double()
    rm, rv = np.zeros(D), np.ones(D)
    for _ in range(5):
        x = rng.normal(-1.0, 2.0, size=(N, D))
        bn(_t(x))
        _, _, rm, rv = ref.batchnorm.batchnorm_forward(x, np.ones(D), np.zeros(D), rm, rv,
                                                       momentum=0.9)
    # PyTorch's momentum=0.1 weighs the new batch: the running means agree step after step
    np.testing.assert_allclose(bn.running_mean.numpy(), rm, rtol=1e-12)
    # test mode normalizes with the running statistics, as ours does (with PyTorch's own)
    bn.eval()
    x = rng.normal(size=(3, D))
    out, *_ = ref.batchnorm.batchnorm_forward(x, np.ones(D), np.zeros(D), bn.running_mean.numpy(),
                                              bn.running_var.numpy(), train=False)
    np.testing.assert_allclose(bn(_t(x)).detach().numpy(), out, rtol=1e-10, atol=1e-12)


def test_groupnorm(ref):
    rng = np.random.default_rng(8)
    N, C, L = 3, 6, 5
    x = rng.normal(1.0, 2.0, size=(N, C, L))
    gamma, beta = rng.normal(size=C) + 1.0, rng.normal(size=C)
    for G in (1, 2, C):
        gn = torch.nn.GroupNorm(G, C).double()
        assert gn.eps == 1e-5
        with torch.no_grad():
            gn.weight.copy_(_t(gamma))
            gn.bias.copy_(_t(beta))
        ours, _ = ref.batchnorm.groupnorm_forward(x, gamma, beta, groups=G)
        np.testing.assert_allclose(gn(_t(x)).detach().numpy(), ours, rtol=1e-10, atol=1e-12)
    # InstanceNorm1d: groups = C, and by default no gamma/beta and no running statistics
    inorm = torch.nn.InstanceNorm1d(C).double()
    assert not inorm.affine and not inorm.track_running_stats
    ours, _ = ref.batchnorm.groupnorm_forward(x, np.ones(C), np.zeros(C), groups=C)
    np.testing.assert_allclose(inorm(_t(x)).detach().numpy(), ours, rtol=1e-10, atol=1e-12)


def test_layernorm(ref):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(5, 6))
    ln = torch.nn.LayerNorm(6).double()
    assert ln.eps == 1e-5
    out, _ = ref.batchnorm.layernorm_forward(x, np.ones(6), np.zeros(6), eps=1e-5)
    np.testing.assert_allclose(ln(_t(x)).detach().numpy(), out, rtol=1e-10, atol=1e-12)


def test_dropout():
    torch.manual_seed(0)
    drop = torch.nn.Dropout(p=0.3)
    x = torch.ones(200, 500, dtype=torch.float64)
    y = drop(x)
    dropped = float((y == 0).double().mean())
    assert dropped == pytest.approx(0.3, abs=0.01)               # p is the DROP probability
    assert torch.allclose(y[y != 0], torch.tensor(1 / 0.7, dtype=torch.float64))
    drop.eval()
    assert torch.equal(drop(x), x)


def test_renorm(ref):
    rng = np.random.default_rng(9)
    W = rng.normal(size=(5, 4)) * np.array([0.1, 1.0, 3.0, 0.2])   # ours: (fan_in, fan_out)
    ours = ref.dropout.max_norm(W, 1.0)
    assert np.any(np.linalg.norm(W, axis=0) < 1) and np.any(np.linalg.norm(W, axis=0) > 1)
    weight = _t(W.T)                                    # nn.Linear's layout, (fan_out, fan_in)
    theirs = torch.renorm(weight, 2, 0, 1.0).numpy().T  # dim=0: one row per unit
    np.testing.assert_allclose(theirs, ours, rtol=1e-6)


def test_sgd_weight_decay(ref):
    rng = np.random.default_rng(5)
    W, b, g_W, g_b = (rng.normal(size=s) for s in ((3, 2), (2,), (3, 2), (2,)))
    lam, lr = 0.1, 0.5
    pW, pb = _t(W).requires_grad_(), _t(b).requires_grad_()
    opt = torch.optim.SGD([pW, pb], lr=lr, weight_decay=lam)
    pW.grad, pb.grad = _t(g_W), _t(g_b)
    opt.step()
    _, (dR,) = ref.penalties.l2_penalty([W], lam)
    np.testing.assert_allclose(pW.detach().numpy(), W - lr * (g_W + dR), rtol=1e-12)
    # ... and the bias is decayed too, which our convention never does
    np.testing.assert_allclose(pb.detach().numpy(), b - lr * (g_b + lam * b), rtol=1e-12)


def test_sgd_weight_decay_with_momentum(ref):
    """With momentum, `weight_decay` is still our penalty's gradient, added before the momentum:
    five steps of torch's SGD(momentum=0.9, weight_decay=lam) are our Momentum(beta=0.9) on the
    data gradient plus l2_penalty's."""
    rng = np.random.default_rng(7)
    W = rng.normal(size=(4, 3))
    data_grads = [rng.normal(size=(4, 3)) for _ in range(5)]
    lam, lr = 0.05, 0.1
    p = _t(W).requires_grad_()
    opt = torch.optim.SGD([p], lr=lr, momentum=0.9, weight_decay=lam)
    ours, params = ref.optim.Momentum(lr, beta=0.9), {"W1": W.copy()}
    for g in data_grads:
        p.grad = _t(g)
        opt.step()
        _, grads = ref.penalties.add_penalty(0.0, {"W1": g}, params,
                                             lambda ws: ref.penalties.l2_penalty(ws, lam))
        ours.step(params, grads)
    np.testing.assert_allclose(p.detach().numpy(), params["W1"], rtol=1e-12)


def test_adam_vs_adamw():
    rng = np.random.default_rng(6)
    w0, g = rng.normal(size=5), rng.normal(size=5) * np.array([1e-3, 1e-2, 1, 10, 100])
    lam, lr = 0.1, 0.01

    def step(cls, **kw):
        p = _t(w0).requires_grad_()
        opt = cls([p], lr=lr, weight_decay=lam, **kw)
        p.grad = _t(g)
        opt.step()
        return p.detach().numpy()

    assert torch.optim.AdamW([_t(w0).requires_grad_()]).defaults["weight_decay"] == 0.01
    adamw = step(torch.optim.AdamW)
    # AdamW: decoupled decay, then the Adam step (first step: -lr * sign(g))
    np.testing.assert_allclose(adamw, w0 * (1 - lr * lam) - lr * np.sign(g), rtol=1e-6)
    adam = step(torch.optim.Adam)
    # Adam: lam * w joins the gradient, and the first step is -lr * sign(g + lam * w)
    np.testing.assert_allclose(adam, w0 - lr * np.sign(g + lam * w0), rtol=1e-6)
    assert not np.allclose(adam, adamw)


def test_adam_weight_decay_is_our_l2_penalty(ref):
    """torch's Adam(weight_decay=lam) is our Adam on the data gradient plus l2_penalty's gradient
    (five steps), so under Adam lam is a penalty strength, not a decay rate."""
    rng = np.random.default_rng(8)
    W = rng.normal(size=(3, 4))
    data_grads = [rng.normal(size=(3, 4)) * 10.0 ** rng.uniform(-2, 2, size=(3, 4)) for _ in range(5)]
    lam, lr = 0.1, 0.01
    p = _t(W).requires_grad_()
    opt = torch.optim.Adam([p], lr=lr, weight_decay=lam)
    ours, params = ref.optim.Adam(lr), {"W1": W.copy()}
    for g in data_grads:
        p.grad = _t(g)
        opt.step()
        _, grads = ref.penalties.add_penalty(0.0, {"W1": g}, params,
                                             lambda ws: ref.penalties.l2_penalty(ws, lam))
        ours.step(params, grads)
    np.testing.assert_allclose(p.detach().numpy(), params["W1"], rtol=1e-10)


def test_l1_subgradient(ref):
    """autograd's derivative of |w| at 0 is 0, like our l1_penalty's subgradient."""
    W = np.array([[-2.0, 0.0, 0.5]])
    p = _t(W).requires_grad_()
    (0.1 * p.abs().sum()).backward()
    value, (grad,) = ref.penalties.l1_penalty([W], 0.1)
    np.testing.assert_allclose(p.grad.numpy(), grad, rtol=1e-12)
    assert p.grad[0, 1].item() == 0.0
    assert value == pytest.approx(0.25)
