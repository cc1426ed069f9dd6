"""Regularization: L2, inverted dropout and batch normalization.

1. Finite-difference gradient checks (float64, relative error < 1e-7) of
   ``Network`` and of the notebook's parameter dict with L2 (several
   strengths), batch normalization in training mode (every hidden layer, and
   some), dropout (one mask held fixed by the check) and all three together,
   for sigmoid + BCE, softmax + CE and linear + MSE outputs; the check leaves
   parameters and running statistics exactly as they were, and it does catch
   a missing L2 term or a batch-norm backward that ignores the batch coupling.
2. PyTorch parity (CPU, float64): ``barenet.normalization`` against
   ``torch.nn.BatchNorm1d`` (training output, gradients, running statistics,
   eval output); a whole ``Network`` with batch normalization (and dropout
   with fixed masks) against an ``nn.Sequential`` in training mode, over
   several optimizer steps and in inference; L2 against torch's loss plus
   ``lam / (2 m) * sum ||W||^2`` (weights only).
3. Dropout: inference ignores it (bit for bit), masks come from the model's
   seed, the expectation is preserved and the drop fraction is the rate,
   masks are exactly 0 or 1/keep, rates are validated.
4. Batch normalization: inference uses the running statistics, which start at
   0 and 1; batches of one sample are refused; settings are validated.
5. Regularization matters: a big net on 60 noisy two-moons samples overfits
   (training accuracy 1), and L2 or dropout each raise its test accuracy.

Layouts: barenet works on ``(units, m)`` (one column per sample), torch on
``(m, units)``. barenet's upstream gradients ``G`` / ``dZ`` are per sample
(``m`` times the gradient of the mean cost); ``dgamma``, ``dbeta``, ``dW``
and ``db`` are gradients of the mean cost, as torch's are.
"""

import copy

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import barenet
from barenet import notebook as nb
from barenet.normalization import (
    batchnorm_backward,
    batchnorm_forward,
    batchnorm_inference,
    update_running_stats,
)
from barenet.regularization import dropout_mask, l2_penalty
from test_torch_parity import torch_activation  # the same module map for both files

TOLERANCE = 1e-7  # gradient check, relative error
BROKEN = 1e-3  # what a wrong gradient must at least report
RTOL, ATOL = 1e-10, 1e-12  # one-step torch parity
TRAJ_RTOL, TRAJ_ATOL = 1e-9, 1e-11  # multi-step torch parity

BCE, CE, MSE = "binary_crossentropy", "categorical_crossentropy", "mse"


def close(ours, theirs, rtol=RTOL, atol=ATOL, what=""):
    if isinstance(theirs, torch.Tensor):
        theirs = theirs.detach().numpy()
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol, err_msg=what)


def make_data(n_in, loss, n_out, m, seed):
    """``X`` (m, n_in) and labels/targets ``y`` for a loss, every class present."""
    rng = np.random.default_rng(seed)
    X = rng.normal(scale=0.8, size=(m, n_in))
    if loss == BCE:
        y = np.arange(m) % 2
    elif loss == CE:
        y = np.arange(m) % n_out
    else:
        y = rng.normal(scale=0.5, size=(m, n_out)) + 0.3
    return X, rng.permutation(y)


def one_hot_targets(loss, y, n_out):
    """Targets in the notebook's layout (n_out, m)."""
    if loss == BCE:
        return y.astype(float).reshape(1, -1)
    if loss == CE:
        return np.eye(n_out)[y].T
    return np.asarray(y, dtype=float).T


def perturb(net, seed):
    """Move biases, batch-norm scales/shifts and running statistics of ``net``
    off their initial values, so every gradient is checked at a generic point."""
    rng = np.random.default_rng(seed)
    for b in net.biases:
        b[...] = rng.normal(scale=0.3, size=b.shape)
    for l, gamma in enumerate(net.gammas):
        if gamma is not None:
            gamma[...] = 1 + rng.normal(scale=0.3, size=gamma.shape)
            net.betas[l][...] = rng.normal(scale=0.3, size=gamma.shape)
            net.running_means[l][...] = rng.normal(size=gamma.shape)
            net.running_vars[l][...] = rng.uniform(0.5, 2, size=gamma.shape)


class Pass:
    """One training-mode forward pass of a Network, copied out layer by layer:
    ``masks[l]`` (dropout's scaled mask or None), ``A[l]`` (the activation's
    output before dropout) and ``out[l]`` (what leaves layer ``l``, after
    dropout). ``Network._forward`` returns its record of the pass either as
    per-layer caches or as a reusable workspace, whose buffers the next pass
    overwrites; both are read here, and copied at once."""

    def __init__(self, net, X_T, masks=None):
        AL, record = net.engine.forward(X_T, training=True, rng=net.rng, masks=masks)
        if hasattr(record, "masks"):  # a workspace
            masks, A, inputs = list(record.masks), list(record.A), list(record.inputs)
        else:  # a list of per-layer caches
            masks = [c.mask for c in record]
            A = [c.A for c in record]
            inputs = [c.A_prev for c in record]
        self.AL = np.array(AL, copy=True)
        self.masks = [None if k is None else np.array(k, copy=True) for k in masks]
        self.A = [np.array(a, copy=True) for a in A]
        self.out = [np.array(a, copy=True) for a in inputs[1:]] + [self.AL]


# ================================================== 1. finite-difference checks

OUTPUTS = [  # (id, output activation, loss, output units)
    ("sigmoid-bce", "sigmoid", BCE, 1),
    ("softmax-ce", "softmax", CE, 3),
    ("linear-mse", "linear", MSE, 2),
]

ARCHS = [  # (id, layer sizes without the output, hidden activations): 2 to 4 weight layers
    ("2layers", [3, 5], ["tanh"]),
    ("3layers", [3, 5, 4], ["leaky_relu", "sigmoid"]),
    ("4layers", [3, 4, 5, 4], ["tanh", "relu", "tanh"]),
]


def some(n_hidden):
    """Batch normalization on some hidden layers only (the odd ones)."""
    return [True] if n_hidden == 1 else [i % 2 == 1 for i in range(n_hidden)]


def rates(n_hidden, pattern):
    return [pattern[i % len(pattern)] for i in range(n_hidden)]


REGS = [  # (id, settings for n hidden layers): l2, batch_norm, dropout as Network takes them
    ("l2=0.01", lambda n: dict(l2=0.01)),
    ("l2=0.5", lambda n: dict(l2=0.5)),
    ("l2=4", lambda n: dict(l2=4.0)),
    ("bn-all", lambda n: dict(batch_norm=True)),
    ("bn-some", lambda n: dict(batch_norm=some(n))),
    ("dropout=0.3", lambda n: dict(dropout=0.3)),
    ("dropout-list", lambda n: dict(dropout=rates(n, [0.5, 0.0, 0.2]))),
    ("all", lambda n: dict(l2=0.3, batch_norm=True, dropout=0.25)),
    ("all-mixed", lambda n: dict(l2=2.0, batch_norm=some(n), dropout=rates(n, [0.4, 0.2]))),
]

M_CHECK = 12


def grad_case_params():
    cases = []
    for reg_id, reg in REGS:
        for arch_id, hidden_sizes, hidden_acts in ARCHS:
            for out_id, out_act, loss, n_out in OUTPUTS:
                cases.append(pytest.param(hidden_sizes + [n_out], hidden_acts + [out_act], loss,
                                          reg(len(hidden_acts)),
                                          id=f"{reg_id}-{arch_id}-{out_id}"))
    return cases


def case_seed(sizes, settings):
    return 7 * len(sizes) + sizes[-1] + 3 * len(settings)


@pytest.mark.parametrize("sizes, acts, loss, settings", grad_case_params())
def test_network_gradient_check(sizes, acts, loss, settings):
    seed = case_seed(sizes, settings)
    net = barenet.Network(sizes, acts, init="xavier", seed=seed, dtype="float64", **settings)
    perturb(net, seed + 1)
    X, y = make_data(sizes[0], loss, sizes[-1], M_CHECK, seed)
    parameters, state = net.parameters.copy(), net.flat.state.copy()
    running = [None if r is None else r.copy() for r in net.running_means + net.running_vars]

    error = barenet.gradient_check(net, X, y)

    assert error < TOLERANCE, f"relative error {error:.3e}"
    # nothing the check nudged or the training-mode passes updated has moved
    assert np.array_equal(net.parameters, parameters)
    assert np.array_equal(net.flat.state, state)
    for before, after in zip(running, net.running_means + net.running_vars):
        assert (before is None) == (after is None)
        if before is not None:
            assert np.array_equal(before, after)


def notebook_parameters(sizes, settings, seed):
    """The notebook's parameter dict for a case: batch normalization on the
    hidden layers ``settings['batch_norm']`` names, generic values everywhere."""
    L = len(sizes) - 1
    parameters = nb.initialize_parameters(sizes, "xavier", seed=seed,
                                          batch_norm=bool(settings.get("batch_norm")))
    bn = settings.get("batch_norm", False)
    bn = [bn] * (L - 1) if isinstance(bn, bool) else bn
    rng = np.random.default_rng(seed + 1)
    for l in range(1, L + 1):
        parameters[f"b{l}"][...] = rng.normal(scale=0.3, size=parameters[f"b{l}"].shape)
        if l < L and f"gamma{l}" in parameters:
            if not bn[l - 1]:
                for key in nb.BATCH_NORM_KEYS:
                    del parameters[f"{key}{l}"]
                continue
            shape = parameters[f"b{l}"].shape
            parameters[f"gamma{l}"][...] = 1 + rng.normal(scale=0.3, size=shape)
            parameters[f"beta{l}"][...] = rng.normal(scale=0.3, size=shape)
            parameters[f"running_mean{l}"][...] = rng.normal(size=shape)
            parameters[f"running_var{l}"][...] = rng.uniform(0.5, 2, size=shape)
    return parameters


def keep_probs(settings):
    rate = settings.get("dropout", 0.0)
    return [1 - r for r in rate] if isinstance(rate, list) else 1 - rate


@pytest.mark.parametrize("sizes, acts, loss, settings", grad_case_params())
def test_notebook_gradient_check(sizes, acts, loss, settings):
    seed = case_seed(sizes, settings) + 100
    parameters = notebook_parameters(sizes, settings, seed)
    X, y = make_data(sizes[0], loss, sizes[-1], M_CHECK, seed)
    Y = one_hot_targets(loss, y, sizes[-1])
    before = copy.deepcopy(parameters)
    ids = {k: id(v) for k, v in parameters.items()}

    error = barenet.gradient_check(parameters, X.T, Y, layer_activations=acts, loss=loss,
                                   lambd=settings.get("l2", 0.0),
                                   keep_prob=keep_probs(settings), seed=seed)

    assert error < TOLERANCE, f"relative error {error:.3e}"
    assert set(parameters) == set(before)
    for key, value in before.items():
        assert id(parameters[key]) == ids[key], f"{key} was replaced"
        assert np.array_equal(parameters[key], value), f"{key} changed"


def test_gradient_check_sees_a_missing_l2_term(monkeypatch):
    """The check has teeth: back propagation without the L2 term fails it."""
    net = barenet.Network([3, 5, 4, 1], ["tanh", "tanh", "sigmoid"], seed=1, dtype="float64",
                          l2=2.0)
    X, y = make_data(3, BCE, 1, M_CHECK, 1)
    assert barenet.gradient_check(net, X, y) < TOLERANCE
    monkeypatch.setattr(barenet.fast.engine, "add_l2_gradient", lambda *args: None)
    assert barenet.gradient_check(net, X, y) > BROKEN


def test_gradient_check_sees_a_batchnorm_backward_that_ignores_the_batch(monkeypatch):
    """Treating the batch mean and variance as constants gives a wrong gradient."""
    net = barenet.Network([3, 5, 4, 1], ["tanh", "tanh", "sigmoid"], seed=1, dtype="float64",
                          batch_norm=True)
    perturb(net, 2)
    X, y = make_data(3, BCE, 1, M_CHECK, 1)
    assert barenet.gradient_check(net, X, y) < TOLERANCE

    def uncoupled(G, cache, mean=True):
        dZ, dgamma, dbeta = batchnorm_backward(G, cache, mean)
        return cache.gamma * cache.inv_std * G, dgamma, dbeta

    monkeypatch.setattr(barenet.fast.engine, "batchnorm_backward", uncoupled)
    assert barenet.gradient_check(net, X, y) > BROKEN


# ===================================================== 2. parity with PyTorch


class FixedMask(nn.Module):
    """Multiply by a fixed (already scaled) dropout mask of shape (m, units)."""

    def __init__(self, mask):
        super().__init__()
        self.mask = torch.tensor(mask, dtype=torch.float64)

    def forward(self, x):
        return x * self.mask


def torch_bn(n, gamma, beta, running_mean, running_var, eps, rho):
    bn = nn.BatchNorm1d(n, eps=eps, momentum=1 - rho, dtype=torch.float64)
    with torch.no_grad():
        bn.weight.copy_(torch.tensor(np.asarray(gamma).reshape(-1)))
        bn.bias.copy_(torch.tensor(np.asarray(beta).reshape(-1)))
        bn.running_mean.copy_(torch.tensor(np.asarray(running_mean).reshape(-1)))
        bn.running_var.copy_(torch.tensor(np.asarray(running_var).reshape(-1)))
    return bn


def torch_twin(net, masks=None):
    """``nn.Sequential(Linear, [BatchNorm1d], act, [mask], ...)`` holding copies
    of ``net``'s weights, biases, gammas, betas and running statistics."""
    layers = []
    for l, (W, b, act) in enumerate(zip(net.weights, net.biases, net.activations)):
        n_out, n_in = W.shape
        lin = nn.Linear(n_in, n_out, dtype=torch.float64)
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(W))
            lin.bias.copy_(torch.tensor(b.reshape(-1)))
        layers.append(lin)
        if net.batch_norm[l]:
            layers.append(torch_bn(n_out, net.gammas[l], net.betas[l], net.running_means[l],
                                   net.running_vars[l], net.bn_eps, net.bn_momentum))
        layers.append(torch_activation(act))
        if masks is not None and masks[l] is not None:
            layers.append(FixedMask(masks[l].T))
    return nn.Sequential(*layers)


def linears(model):
    return [mod for mod in model if isinstance(mod, nn.Linear)]


def batchnorms(model):
    return [mod for mod in model if isinstance(mod, nn.BatchNorm1d)]


def torch_loss(loss, A, Y):
    if loss == BCE:
        return F.binary_cross_entropy(A, Y) * A.shape[1]
    if loss == CE:
        return -(Y * torch.log(A)).sum() / A.shape[0]
    return F.mse_loss(A, Y)


def torch_objective(model, loss, A, Y, lam):
    """torch's loss plus the course's L2 term: lam / (2 m) * sum ||W||^2, weights only."""
    J = torch_loss(loss, A, Y)
    if lam:
        J = J + lam / (2 * A.shape[0]) * sum((lin.weight ** 2).sum() for lin in linears(model))
    return J


# -------------------------------------------------- the normalization module


BN_SHAPES = [(3, 8, 1e-5), (5, 17, 1e-3), (1, 2, 1e-5), (4, 2, 1e-5), (6, 31, 0.1)]


@pytest.mark.parametrize("n_units, m, eps", BN_SHAPES)
def test_batchnorm_forward_and_backward_match_torch(n_units, m, eps):
    rng = np.random.default_rng(n_units * 100 + m)
    Z = rng.normal(loc=1.5, scale=2.0, size=(n_units, m)) * rng.uniform(0.2, 3, (n_units, 1))
    gamma = rng.normal(loc=1.0, scale=0.5, size=(n_units, 1))
    beta = rng.normal(size=(n_units, 1))
    G = rng.normal(size=(n_units, m))  # per-sample gradient at the output

    out, cache = batchnorm_forward(Z, gamma, beta, eps)
    dZ, dgamma, dbeta = batchnorm_backward(G, cache)

    bn = torch_bn(n_units, gamma, beta, np.zeros(n_units), np.ones(n_units), eps, 0.9)
    Zt = torch.tensor(Z.T, requires_grad=True)
    out_t = bn(Zt)
    # the mean cost whose gradient at the output is G / m per sample
    J = (out_t * torch.tensor(G.T / m)).sum()
    J.backward()

    close(out, out_t.detach().T, what="training-mode output")
    close(cache.mean, Zt.detach().mean(dim=0).reshape(-1, 1), what="batch mean")
    close(cache.var, Zt.detach().var(dim=0, unbiased=False).reshape(-1, 1), what="batch var")
    close(dZ, m * Zt.grad.T, what="dZ (per sample)")
    close(dgamma, bn.weight.grad.reshape(-1, 1), what="dgamma")
    close(dbeta, bn.bias.grad.reshape(-1, 1), what="dbeta")
    # what the normalization cannot pass on: dZ sums to 0 over the batch
    np.testing.assert_allclose(dZ.sum(axis=1), 0, atol=1e-10 * np.abs(dZ).sum())


@pytest.mark.parametrize("rho", [0.9, 0.5, 0.99, 0.0])
def test_running_stats_and_inference_match_torch(rho):
    n_units, eps = 4, 1e-4
    rng = np.random.default_rng(int(rho * 100))
    gamma = rng.normal(loc=1.0, scale=0.5, size=(n_units, 1))
    beta = rng.normal(size=(n_units, 1))
    running_mean, running_var = np.zeros((n_units, 1)), np.ones((n_units, 1))
    bn = torch_bn(n_units, gamma, beta, running_mean, running_var, eps, rho)
    bn.train()
    shift = rng.normal(scale=3, size=(n_units, 1))
    for step, m in enumerate([5, 9, 2, 13, 7, 3], 1):
        Z = shift + rng.uniform(0.5, 2, size=(n_units, 1)) * rng.normal(size=(n_units, m))
        _, cache = batchnorm_forward(Z, gamma, beta, eps)
        update_running_stats(running_mean, running_var, cache, rho)
        with torch.no_grad():
            bn(torch.tensor(Z.T))
        close(running_mean, bn.running_mean.reshape(-1, 1), TRAJ_RTOL, TRAJ_ATOL,
              what=f"running mean after batch {step}")
        close(running_var, bn.running_var.reshape(-1, 1), TRAJ_RTOL, TRAJ_ATOL,
              what=f"running var (unbiased) after batch {step}")
    assert bn.num_batches_tracked.item() == 6

    bn.eval()
    Z = shift + rng.normal(size=(n_units, 11))
    with torch.no_grad():
        out_t = bn(torch.tensor(Z.T))
    close(batchnorm_inference(Z, gamma, beta, running_mean, running_var, eps), out_t.T,
          TRAJ_RTOL, TRAJ_ATOL, what="eval-mode output")


# ---------------------------------------------------------- a whole Network

M = 24

NET_CASES = [  # (id, sizes, activations, settings)
    ("bn-all-relu-tanh-sigmoid-bce", [4, 6, 5, 1], ["relu", "tanh", "sigmoid"],
     dict(batch_norm=True)),
    ("bn-some-softmax-ce", [5, 7, 6, 3], ["tanh", "leaky_relu", "softmax"],
     dict(batch_norm=[False, True], bn_momentum=0.8, bn_eps=1e-3)),
    ("bn-first-linear-mse", [3, 6, 5, 2], ["sigmoid", "relu", "linear"],
     dict(batch_norm=[True, False], bn_momentum=0.5)),
    ("bn-l2-sigmoid-bce", [4, 8, 1], ["tanh", "sigmoid"], dict(batch_norm=True, l2=0.7)),
    ("bn-all-4layers-softmax-ce", [3, 6, 5, 4, 3], ["relu", "sigmoid", "tanh", "softmax"],
     dict(batch_norm=True, bn_momentum=0.95, bn_eps=1e-2, l2=0.2)),
]


def net_case_params():
    return [pytest.param(*case[1:], id=case[0]) for case in NET_CASES]


def build(sizes, acts, settings, seed):
    net = barenet.Network(sizes, acts, init="xavier", seed=seed, dtype="float64", **settings)
    perturb(net, seed + 1)
    for l, mean in enumerate(net.running_means):  # torch and barenet start from 0 and 1
        if mean is not None:
            mean[...], net.running_vars[l][...] = 0, 1
    return net


def data_for(net, seed, m=M):
    X, y = make_data(net.layer_sizes[0], net.loss.name, net.layer_sizes[-1], m, seed)
    return X, net.encode(y, m)[0]


def compare_gradients(net, model, rtol=RTOL, atol=ATOL, when=""):
    lins, bns = linears(model), iter(batchnorms(model))
    for l, lin in enumerate(lins):
        close(net.flat.dweights[l], lin.weight.grad, rtol, atol, what=f"dW{l + 1} {when}")
        close(net.flat.dbiases[l], lin.bias.grad.reshape(-1, 1), rtol, atol,
              what=f"db{l + 1} {when}")
        if net.batch_norm[l]:
            bn = next(bns)
            close(net.flat.dgammas[l], bn.weight.grad.reshape(-1, 1), rtol, atol,
                  what=f"dgamma{l + 1} {when}")
            close(net.flat.dbetas[l], bn.bias.grad.reshape(-1, 1), rtol, atol,
                  what=f"dbeta{l + 1} {when}")


def compare_running_stats(net, model, rtol, atol, when=""):
    bns = iter(batchnorms(model))
    for l, flag in enumerate(net.batch_norm):
        if flag:
            bn = next(bns)
            close(net.running_means[l], bn.running_mean.reshape(-1, 1), rtol, atol,
                  what=f"running mean {l + 1} {when}")
            close(net.running_vars[l], bn.running_var.reshape(-1, 1), rtol, atol,
                  what=f"running var {l + 1} {when}")


@pytest.mark.parametrize("sizes, acts, settings", net_case_params())
def test_network_batchnorm_training_step_matches_torch(sizes, acts, settings):
    seed = 3 * len(sizes) + sizes[-1]
    net = build(sizes, acts, settings, seed)
    X, Y = data_for(net, seed)
    model = torch_twin(net)
    model.train()

    J, AL = net.engine.step_value_and_grad(X.T, Y.T, rng=net.rng)
    A_t = model(torch.tensor(X))
    J_t = torch_objective(model, net.loss.name, A_t, torch.tensor(Y), net.l2)
    J_t.backward()

    close(AL.T, A_t, what="training-mode output")
    close(J, J_t.item(), what="objective")
    compare_gradients(net, model)
    compare_running_stats(net, model, RTOL, ATOL, "after one batch")
    # a bias right before batch normalization gets no gradient at all
    for l, flag in enumerate(net.batch_norm):
        if flag:
            assert np.abs(net.flat.dbiases[l]).max() < 1e-12


@pytest.mark.parametrize("sizes, acts, settings", net_case_params())
def test_network_batchnorm_steps_and_inference_match_torch(sizes, acts, settings):
    seed = 5 * len(sizes) + sizes[-1]
    net = build(sizes, acts, settings, seed)
    X, Y = data_for(net, seed)
    X_new, _ = data_for(net, seed + 1, m=9)
    model = torch_twin(net)
    lr = 0.1
    ours, theirs = barenet.GD(lr=lr), torch.optim.SGD(model.parameters(), lr=lr)
    batches = [np.arange(0, 10), np.arange(10, M), np.arange(3, 20, 2)]  # different statistics
    Xt, Yt = torch.tensor(X), torch.tensor(Y)
    for step in range(1, 7):
        idx = batches[step % len(batches)]
        J, _ = net.engine.step_value_and_grad(X[idx].T, Y[idx].T, rng=net.rng)
        ours.step([net.parameters], [net.flat.grad])
        model.train()
        theirs.zero_grad()
        J_t = torch_objective(model, net.loss.name, model(Xt[idx]), Yt[idx], net.l2)
        J_t.backward()
        theirs.step()
        when = f"at step {step}"
        close(J, J_t.item(), TRAJ_RTOL, TRAJ_ATOL, what=f"objective {when}")
        compare_running_stats(net, model, TRAJ_RTOL, TRAJ_ATOL, when)
        for l, lin in enumerate(linears(model)):
            close(net.weights[l], lin.weight, TRAJ_RTOL, TRAJ_ATOL, what=f"W{l + 1} {when}")
        for l, bn in zip([l for l, f in enumerate(net.batch_norm) if f], batchnorms(model)):
            close(net.gammas[l], bn.weight.reshape(-1, 1), TRAJ_RTOL, TRAJ_ATOL,
                  what=f"gamma{l + 1} {when}")
            close(net.betas[l], bn.bias.reshape(-1, 1), TRAJ_RTOL, TRAJ_ATOL,
                  what=f"beta{l + 1} {when}")
    # the running statistics really moved away from 0 and 1
    moved = [np.abs(net.running_means[l]).max() for l, f in enumerate(net.batch_norm) if f]
    assert min(moved) > 1e-2

    model.eval()
    with torch.no_grad():
        out_t = model(torch.tensor(X_new))
    close(net.forward(X_new), out_t, TRAJ_RTOL, TRAJ_ATOL, what="inference output")
    # and a fresh torch twin built from barenet's final state agrees too
    with torch.no_grad():
        out_fresh = torch_twin(net).eval()(torch.tensor(X_new))
    close(net.forward(X_new), out_fresh, RTOL, ATOL, what="inference output (fresh twin)")


def test_network_dropout_with_fixed_masks_matches_torch():
    """Training mode with dropout, batch normalization and L2: given the masks
    the net drew, its output, objective and every gradient are torch's with
    the same masks multiplied in after each hidden activation."""
    sizes, acts = [4, 7, 6, 3], ["tanh", "relu", "softmax"]
    net = build(sizes, acts, dict(dropout=[0.5, 0.3], batch_norm=[True, False], l2=0.4), 11)
    X, Y = data_for(net, 11)
    masks = Pass(net, X.T).masks
    assert masks[0] is not None and masks[1] is not None and masks[2] is None
    assert (masks[0] == 0).any() and (masks[1] == 0).any()
    model = torch_twin(net, masks)
    model.train()

    J, AL = net.engine.step_value_and_grad(X.T, Y.T, masks=masks)
    A_t = model(torch.tensor(X))
    J_t = torch_objective(model, CE, A_t, torch.tensor(Y), net.l2)
    J_t.backward()

    close(AL.T, A_t, what="output")
    close(J, J_t.item(), what="objective")
    compare_gradients(net, model)


# ------------------------------------------------------------------------ L2


L2_CASES = [  # (id, sizes, activations)
    ("relu-tanh-sigmoid-bce", [4, 6, 5, 1], ["relu", "tanh", "sigmoid"]),
    ("tanh-softmax-ce", [5, 7, 3], ["tanh", "softmax"]),
    ("leaky-sigmoid-linear-mse", [3, 6, 5, 2], ["leaky_relu", "sigmoid", "linear"]),
]


@pytest.mark.parametrize("lam", [0.05, 1.0, 7.5])
@pytest.mark.parametrize("sizes, acts", [pytest.param(*c[1:], id=c[0]) for c in L2_CASES])
def test_network_l2_matches_torch(sizes, acts, lam):
    seed = 17 + len(sizes)
    net = build(sizes, acts, dict(l2=lam), seed)
    plain = build(sizes, acts, {}, seed)
    X, Y = data_for(net, seed)
    model = torch_twin(net)

    J, _ = net.engine.step_value_and_grad(X.T, Y.T, rng=net.rng)
    A_t = model(torch.tensor(X))
    J_t = torch_objective(model, net.loss.name, A_t, torch.tensor(Y), lam)
    J_t.backward()

    close(J, J_t.item(), what="objective with L2")
    compare_gradients(net, model)
    # the penalty is on the weights only, by the formula, and nothing else changes
    J_plain, _ = plain.engine.step_value_and_grad(X.T, Y.T, rng=plain.rng)
    penalty = lam / (2 * M) * sum(float((W ** 2).sum()) for W in net.weights)
    close(J - J_plain, penalty, what="penalty")
    close(l2_penalty(net.weights, lam, M), penalty, what="l2_penalty")
    for l in range(len(net.weights)):
        close(net.flat.dweights[l] - plain.flat.dweights[l], lam / M * net.weights[l],
              what=f"dW{l + 1} - dW{l + 1}(no L2)")
        assert np.array_equal(net.flat.dbiases[l], plain.flat.dbiases[l])


@pytest.mark.parametrize("lam", [0.3, 4.0])
def test_network_l2_trajectory_matches_torch(lam):
    """20 Adam steps with L2 and batch normalization on mini-batches."""
    sizes, acts = [4, 8, 6, 3], ["relu", "tanh", "softmax"]
    net = build(sizes, acts, dict(l2=lam, batch_norm=True), 23)
    X, Y = data_for(net, 23)
    model = torch_twin(net)
    ours, theirs = barenet.Adam(lr=0.01), torch.optim.Adam(model.parameters(), lr=0.01)
    Xt, Yt = torch.tensor(X), torch.tensor(Y)
    start = net.parameters.copy()
    for step in range(1, 21):
        idx = np.arange(M) if step % 2 else np.arange(0, M, 2)
        J, _ = net.engine.step_value_and_grad(X[idx].T, Y[idx].T, rng=net.rng)
        ours.step([net.parameters], [net.flat.grad])
        model.train()
        theirs.zero_grad()
        J_t = torch_objective(model, CE, model(Xt[idx]), Yt[idx], lam)
        J_t.backward()
        theirs.step()
        close(J, J_t.item(), TRAJ_RTOL, TRAJ_ATOL, what=f"objective at step {step}")
    for l, lin in enumerate(linears(model)):
        close(net.weights[l], lin.weight, TRAJ_RTOL, TRAJ_ATOL, what=f"W{l + 1}")
        # A bias before batch normalization has a gradient of pure rounding
        # noise (~1e-17), which Adam turns into steps of ~lr * 1e-17 / eps:
        # the two sides' noise differs, so those biases agree to ~1e-9 only.
        atol = 1e-8 if net.batch_norm[l] else TRAJ_ATOL
        close(net.biases[l], lin.bias.reshape(-1, 1), TRAJ_RTOL, atol, what=f"b{l + 1}")
    # (the running means include those noisy biases, hence the same atol)
    compare_running_stats(net, model, TRAJ_RTOL, 1e-8, "after 20 steps")
    assert np.abs(net.parameters - start).max() > 1e-2


@pytest.mark.parametrize("lam", [0.0, 0.5, 3.0])
def test_notebook_l2_and_batchnorm_match_torch(lam):
    """The notebook's cost and backward_prop with lambd, on batch-normalized
    parameters, against torch (its momentum and eps are the notebook's)."""
    sizes, acts = [4, 6, 5, 1], ["tanh", "relu", "sigmoid"]
    parameters = notebook_parameters(sizes, dict(batch_norm=True), 31)
    for l in (1, 2):
        parameters[f"running_mean{l}"][...], parameters[f"running_var{l}"][...] = 0, 1
    X, y = make_data(4, BCE, 1, M, 31)
    Y = one_hot_targets(BCE, y, 1)
    layers = []
    for l in (1, 2, 3):
        W, b = parameters[f"W{l}"], parameters[f"b{l}"]
        lin = nn.Linear(W.shape[1], W.shape[0], dtype=torch.float64)
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(W))
            lin.bias.copy_(torch.tensor(b.reshape(-1)))
        layers.append(lin)
        if l < 3:
            layers.append(torch_bn(W.shape[0], parameters[f"gamma{l}"], parameters[f"beta{l}"],
                                   np.zeros(W.shape[0]), np.ones(W.shape[0]), nb.BN_EPS,
                                   nb.BN_MOMENTUM))
        layers.append(torch_activation(acts[l - 1]))
    model = nn.Sequential(*layers).train()

    AL, caches = nb.forward_prop(X.T, acts, parameters)
    J = nb.cost(AL, Y, BCE, parameters, lambd=lam)
    grads = nb.backward_prop(AL, Y, caches, acts, BCE, lambd=lam)
    A_t = model(torch.tensor(X))
    J_t = torch_objective(model, BCE, A_t, torch.tensor(Y.T), lam)
    J_t.backward()

    close(AL.T, A_t, what="output")
    close(J, J_t.item(), what="cost")
    for l, lin in enumerate(linears(model), 1):
        close(grads[f"dW{l}"], lin.weight.grad, what=f"dW{l}")
        close(grads[f"db{l}"], lin.bias.grad.reshape(-1, 1), what=f"db{l}")
    for l, bn in enumerate(batchnorms(model), 1):
        close(grads[f"dgamma{l}"], bn.weight.grad.reshape(-1, 1), what=f"dgamma{l}")
        close(grads[f"dbeta{l}"], bn.bias.grad.reshape(-1, 1), what=f"dbeta{l}")
        close(parameters[f"running_mean{l}"], bn.running_mean.reshape(-1, 1),
              what=f"running_mean{l}")
        close(parameters[f"running_var{l}"], bn.running_var.reshape(-1, 1),
              what=f"running_var{l}")


def test_l2_validation_and_fit_history():
    with pytest.raises(ValueError, match="l2"):
        barenet.Network([2, 3, 1], ["relu", "sigmoid"], l2=-0.1)
    with pytest.raises(TypeError, match="l2"):
        barenet.Network([2, 3, 1], ["relu", "sigmoid"], l2="0.1")
    with pytest.raises(ValueError, match="lambd"):
        nb.cost(np.full((1, 3), 0.5), np.ones((1, 3)), lambd=-1.0)
    with pytest.raises(TypeError, match="parameters"):
        nb.cost(np.full((1, 3), 0.5), np.ones((1, 3)), lambd=1.0)
    # fit's 'loss' is the objective (loss + penalty), 'val_loss' the loss alone
    net = barenet.Network([2, 6, 1], ["tanh", "sigmoid"], seed=0, dtype="float64", l2=5.0)
    X, y = make_data(2, BCE, 1, 20, 0)
    start = [W.copy() for W in net.weights]
    AL, _ = net.engine.forward(X.T)
    expected = net.loss.value(AL, y.reshape(1, -1)) + l2_penalty(start, 5.0, 20)
    history = net.fit(X, y, optimizer=barenet.GD(lr=0.01), epochs=1, batch_size=None,
                      validation_data=(X, y))
    close(history["loss"][0], expected, what="history loss with the penalty")
    close(history["val_loss"][0], net.evaluate(X, y)["loss"], what="val_loss without it")
    assert history["loss"][0] > history["val_loss"][0] + 0.5 * l2_penalty(start, 5.0, 20)


# ================================================================ 3. dropout


def moons(n=120, seed=0):
    data = barenet.datasets.make_moons(n_samples=n, noise=0.2, test_size=0.25, seed=seed)
    return data.X_train, data.y_train


@pytest.mark.parametrize("batch_norm", [False, True], ids=["plain", "batchnorm"])
def test_dropout_inference_equals_the_net_without_dropout(batch_norm):
    X, y = moons()
    sizes, acts = [2, 16, 12, 1], ["relu", "tanh", "sigmoid"]
    dropped = barenet.Network(sizes, acts, seed=3, dropout=[0.5, 0.3], batch_norm=batch_norm)
    dropped.fit(X, y, epochs=5, batch_size=16)
    plain = barenet.Network(sizes, acts, seed=99, batch_norm=batch_norm)
    plain.fit(X, y, epochs=1, batch_size=16)
    plain.parameters[...] = dropped.parameters
    for l, mean in enumerate(plain.running_means):
        if mean is not None:
            mean[...] = dropped.running_means[l]
            plain.running_vars[l][...] = dropped.running_vars[l]

    rng_state = dropped.rng.bit_generator.state
    out = dropped.forward(X)
    assert np.array_equal(out, plain.forward(X))
    assert np.array_equal(dropped.forward(X), out)  # deterministic
    assert np.array_equal(dropped.predict_proba(X), plain.predict_proba(X))
    assert np.array_equal(dropped.predict(X), plain.predict(X))
    assert dropped.evaluate(X, y) == plain.evaluate(X, y)
    assert dropped.rng.bit_generator.state == rng_state  # inference draws nothing
    # while training mode does drop units
    train_out = Pass(dropped, X.T.astype(dropped.dtype)).AL
    if not batch_norm:
        assert not np.array_equal(train_out.T, out)


def dropout_net(seed):
    return barenet.Network([3, 8, 8, 2], ["tanh", "relu", "softmax"], seed=seed,
                           dtype="float64", dropout=[0.5, 0.3])


def test_dropout_masks_come_from_the_seed():
    X = np.random.default_rng(0).normal(size=(30, 3))
    a, b, c = dropout_net(5), dropout_net(5), dropout_net(6)
    c.parameters[...] = a.parameters  # only the random stream differs
    pa, pb, pc = Pass(a, X.T), Pass(b, X.T), Pass(c, X.T)
    for l, rate in enumerate([0.5, 0.3]):
        assert np.array_equal(pa.masks[l], pb.masks[l])
        assert not np.array_equal(pa.masks[l], pc.masks[l])
        assert np.isin(pa.masks[l], [0.0, 1 / (1 - rate)]).all()
        assert np.array_equal(pa.out[l], pa.A[l] * pa.masks[l])
    assert np.array_equal(pa.AL, pb.AL) and not np.array_equal(pa.AL, pc.AL)
    assert pa.masks[2] is None  # never on the output layer
    # each pass draws fresh masks
    assert not np.array_equal(Pass(a, X.T).masks[0], pa.masks[0])


def test_dropout_training_is_reproducible_and_seeded():
    X, y = moons()

    def trained(seed, dropout, params=None):
        net = barenet.Network([2, 10, 10, 1], ["relu", "relu", "sigmoid"], seed=seed,
                              dtype="float64", dropout=dropout)
        if params is not None:
            net.parameters[...] = params
        net.fit(X, y, optimizer=barenet.Adam(lr=0.01), epochs=5, batch_size=None,
                shuffle=False)
        return net

    first = trained(4, 0.5)
    start = barenet.Network([2, 10, 10, 1], ["relu", "relu", "sigmoid"], seed=4,
                            dtype="float64").parameters
    assert np.array_equal(trained(4, 0.5).parameters, first.parameters)
    # same starting point, another seed: with dropout training differs ...
    assert not np.array_equal(trained(8, 0.5, start).parameters, first.parameters)
    # ... without dropout (full batch, no shuffling) the seed plays no part
    assert np.array_equal(trained(8, 0.0, start).parameters, trained(4, 0.0).parameters)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("rate", [0.1, 0.5, 0.8])
def test_dropout_preserves_the_expectation(rate, dtype):
    n = 20000
    net = barenet.Network([4, 10, 1], ["sigmoid", "sigmoid"], seed=2024, dtype=dtype,
                          dropout=rate)
    X = np.random.default_rng(1).normal(size=(n, 4)).astype(dtype)
    p = Pass(net, X.T)
    A = p.A[0].astype(np.float64)  # the hidden activations, before dropout
    D = p.out[0].astype(np.float64)  # what the next layer got
    assert A.min() > 0  # sigmoid: a zero in D is a dropped unit
    # expectation: per unit, the mean over samples agrees within 4 standard errors
    diff = D - A
    se = diff.std(axis=1) / np.sqrt(n)
    z = np.abs(diff.mean(axis=1)) / se
    assert z.max() < 4, f"largest z-score {z.max():.2f}"
    # the fraction of dropped units is the rate
    dropped = D == 0
    assert abs(dropped.mean() - rate) < 4 * np.sqrt(rate * (1 - rate) / dropped.size)
    # and the kept ones are scaled by exactly 1 / keep
    scale = np.asarray(1, dtype=dtype) / np.asarray(1 - rate, dtype=dtype)
    assert np.array_equal(p.out[0][~dropped], (p.A[0] * scale)[~dropped])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("rate", [0.0, 0.2, 0.5, 0.9])
def test_dropout_mask_values(rate, dtype):
    mask = dropout_mask(np.random.default_rng(0), (50, 400), rate, dtype)
    assert mask.shape == (50, 400) and mask.dtype == dtype
    scale = dtype(1) / dtype(1 - rate)
    assert np.isin(mask, [dtype(0), scale]).all()
    if rate == 0:
        assert (mask == 1).all()
    assert abs((mask == 0).mean() - rate) < 4 * np.sqrt(rate * (1 - rate) / mask.size) + 1e-12
    # the same generator state gives the same mask
    assert np.array_equal(dropout_mask(np.random.default_rng(0), (50, 400), rate, dtype), mask)


@pytest.mark.parametrize("dropout, error", [
    (1.0, ValueError), (-0.1, ValueError), (1.5, ValueError), (float("nan"), ValueError),
    (float("inf"), ValueError), ("0.5", TypeError), (True, TypeError),
    ([0.5], ValueError), ([0.1, 0.2, 0.3], ValueError), ([0.2, 1.0], ValueError),
    ([0.2, -0.5], ValueError), ([0.2, "x"], TypeError),
])
def test_dropout_rate_validation(dropout, error):
    with pytest.raises(error, match="dropout"):
        barenet.Network([3, 5, 4, 1], ["relu", "relu", "sigmoid"], dropout=dropout)


@pytest.mark.parametrize("dropout", [None, 0, 0.0, 0.999, [0.0, 0.5], (0.3, 0.0)])
def test_dropout_rates_accepted(dropout):
    net = barenet.Network([3, 5, 4, 1], ["relu", "relu", "sigmoid"], seed=0, dtype="float64",
                          dropout=dropout)
    rate = dropout if isinstance(dropout, (list, tuple)) else [dropout or 0.0] * 2
    masks = Pass(net, np.ones((3, 6))).masks
    for l in (0, 1):
        assert (masks[l] is None) == (rate[l] == 0)
    assert masks[2] is None


@pytest.mark.parametrize("keep_prob", [0.0, -0.5, 1.2, [0.5], [0.5, 0.5, 0.5], [0.5, 0.0]])
def test_notebook_keep_prob_validation(keep_prob):
    parameters = nb.initialize_parameters([3, 5, 4, 1], seed=0)
    with pytest.raises(ValueError, match="keep_prob"):
        nb.forward_prop(np.ones((3, 4)), ["relu", "relu", "sigmoid"], parameters, keep_prob, 0)


def test_notebook_dropout_is_seeded_and_skipped_at_inference():
    parameters = nb.initialize_parameters([3, 6, 5, 1], seed=0)
    acts = ["tanh", "tanh", "sigmoid"]
    X = np.random.default_rng(0).normal(size=(3, 40))
    a, ca = nb.forward_prop(X, acts, parameters, keep_prob=0.6, seed=3)
    b, cb = nb.forward_prop(X, acts, parameters, keep_prob=0.6, seed=3)
    c, _ = nb.forward_prop(X, acts, parameters, keep_prob=0.6, seed=4)
    full, cf = nb.forward_prop(X, acts, parameters)
    inference, _ = nb.forward_prop(X, acts, parameters, keep_prob=0.6, seed=3, training=False)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert np.array_equal(inference, full)
    assert cf[0].dropout_mask is None and ca[2].dropout_mask is None
    assert np.isin(ca[0].dropout_mask, [0.0, 1 / 0.6]).all()
    assert np.array_equal(ca[0].dropout_mask, cb[0].dropout_mask)


# ======================================================= 4. batch normalization


def test_running_stats_start_at_zero_and_one():
    net = barenet.Network([3, 5, 4, 2], ["relu", "tanh", "softmax"], seed=0,
                          batch_norm=[True, False])
    assert np.array_equal(net.running_means[0], np.zeros((5, 1)))
    assert np.array_equal(net.running_vars[0], np.ones((5, 1)))
    assert np.array_equal(net.gammas[0], np.ones((5, 1)))
    assert np.array_equal(net.betas[0], np.zeros((5, 1)))
    for seq in (net.running_means, net.running_vars, net.gammas, net.betas):
        assert seq[1] is None and seq[2] is None  # no BN there, nor on the output layer
    full = barenet.Network([3, 5, 4, 2], ["relu", "tanh", "softmax"], batch_norm=True)
    assert [g is None for g in full.gammas] == [False, False, True]
    parameters = nb.initialize_parameters([3, 5, 4, 2], seed=0, batch_norm=True)
    for l in (1, 2):
        assert np.array_equal(parameters[f"running_mean{l}"], np.zeros((parameters[f"b{l}"].shape)))
        assert np.array_equal(parameters[f"running_var{l}"], np.ones((parameters[f"b{l}"].shape)))
        assert np.array_equal(parameters[f"gamma{l}"], np.ones((parameters[f"b{l}"].shape)))
        assert np.array_equal(parameters[f"beta{l}"], np.zeros((parameters[f"b{l}"].shape)))
    assert "gamma3" not in parameters


def inference_by_hand(net, X):
    A = X.T
    for l, (W, b, act) in enumerate(zip(net.weights, net.biases, net.activations)):
        Z = W @ A + b
        if net.batch_norm[l]:
            Z = (net.gammas[l] * (Z - net.running_means[l])
                 / np.sqrt(net.running_vars[l] + net.bn_eps) + net.betas[l])
        A = act.forward(Z)
    return A.T


@pytest.mark.parametrize("batch_norm", [True, [False, True]], ids=["all", "second"])
def test_batchnorm_inference_uses_running_stats(batch_norm):
    X, y = moons(200)
    net = barenet.Network([2, 12, 8, 1], ["relu", "tanh", "sigmoid"], seed=1, dtype="float64",
                          batch_norm=batch_norm, bn_momentum=0.8)
    net.fit(X, y, optimizer=barenet.Adam(lr=0.01), epochs=3, batch_size=16)
    for l, flag in enumerate(net.batch_norm[:-1]):
        if flag:
            assert np.abs(net.running_means[l]).max() > 1e-3
            assert np.abs(net.running_vars[l] - 1).max() > 1e-3
    parameters, state = net.parameters.copy(), net.flat.state.copy()

    out = net.forward(X)
    np.testing.assert_allclose(out, inference_by_hand(net, X), rtol=1e-12, atol=1e-14)
    # one sample at a time gives that sample's row: no batch statistics involved
    for i in (0, 7, len(X) - 1):
        np.testing.assert_allclose(net.forward(X[i:i + 1]), out[i:i + 1], rtol=1e-12,
                                   atol=1e-14)
        np.testing.assert_allclose(net.predict_proba(X[i:i + 1]), net.predict_proba(X)[i:i + 1],
                                   rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(net.forward(X[5:9]), out[5:9], rtol=1e-12, atol=1e-14)
    # inference changes nothing, and differs from training mode (batch statistics)
    assert np.array_equal(net.parameters, parameters) and np.array_equal(net.flat.state, state)
    train_out = Pass(net, X.T).AL
    assert np.abs(train_out.T - out).max() > 1e-4
    assert np.array_equal(net.flat.state, state)  # a bare forward pass updates nothing


def test_notebook_batchnorm_inference_uses_running_stats():
    parameters = nb.initialize_parameters([3, 6, 4, 1], seed=0, batch_norm=True)
    acts = ["relu", "tanh", "sigmoid"]
    rng = np.random.default_rng(0)
    for _ in range(5):  # training passes fold batch statistics into the running ones
        nb.forward_prop(rng.normal(loc=2.0, size=(3, 16)), acts, parameters)
    assert np.abs(parameters["running_mean1"]).max() > 0.1
    frozen = copy.deepcopy(parameters)
    X = rng.normal(loc=2.0, size=(3, 10))
    out, _ = nb.forward_prop(X, acts, parameters, training=False)
    for key, value in frozen.items():
        assert np.array_equal(parameters[key], value)
    for i in (0, 4, 9):
        single, _ = nb.forward_prop(X[:, i:i + 1], acts, parameters, training=False)
        np.testing.assert_allclose(single, out[:, i:i + 1], rtol=1e-12, atol=1e-14)
    # a training pass of one column updates nothing (no variance to estimate)
    nb.forward_prop(X[:, :1], acts, parameters)
    for key, value in frozen.items():
        assert np.array_equal(parameters[key], value)


def test_fit_refuses_batches_of_one_sample_with_batch_norm():
    X, y = moons()
    net = barenet.Network([2, 6, 1], ["relu", "sigmoid"], seed=0, batch_norm=True)
    before = net.parameters.copy(), net.flat.state.copy()
    with pytest.raises(ValueError, match="at least 2"):
        net.fit(X, y, batch_size=1, epochs=1)
    assert np.array_equal(net.parameters, before[0]) and np.array_equal(net.flat.state, before[1])
    assert net.classes_ is None
    # a regressor (one sample has no "single class" problem): one sample in all,
    # or one left for training after the validation split
    reg = barenet.Network([2, 6, 1], ["relu", "linear"], seed=0, batch_norm=True)
    before = reg.parameters.copy(), reg.flat.state.copy()
    with pytest.raises(ValueError, match="at least 2"):
        reg.fit(X[:1], X[:1, 0], batch_size=None, epochs=1)
    with pytest.raises(ValueError, match="at least 2"):
        reg.fit(X[:2], X[:2, 0], batch_size=None, epochs=1, validation_split=0.5)
    assert np.array_equal(reg.parameters, before[0]) and np.array_equal(reg.flat.state, before[1])
    # batch norm on no layer: batches of one are fine
    plain = barenet.Network([2, 6, 1], ["relu", "sigmoid"], seed=0,
                            batch_norm=[False])
    plain.fit(X[:10], y[:10], batch_size=1, epochs=1)
    # batches of two are enough
    net.fit(X[:10], y[:10], batch_size=2, epochs=1)


@pytest.mark.parametrize("value, error", [
    (1.0, ValueError), (-0.1, ValueError), (1.5, ValueError), (float("nan"), ValueError),
    ("0.9", TypeError), (None, TypeError),
])
def test_bn_momentum_validation(value, error):
    with pytest.raises(error, match="bn_momentum"):
        barenet.Network([3, 4, 1], ["relu", "sigmoid"], batch_norm=True, bn_momentum=value)


@pytest.mark.parametrize("value, error", [
    (0.0, ValueError), (-1e-5, ValueError), (float("inf"), ValueError), (float("nan"), ValueError),
    ("1e-5", TypeError), (None, TypeError),
])
def test_bn_eps_validation(value, error):
    with pytest.raises(error, match="bn_eps"):
        barenet.Network([3, 4, 1], ["relu", "sigmoid"], batch_norm=True, bn_eps=value)


@pytest.mark.parametrize("value, error", [
    (1, TypeError), ("yes", TypeError), ([True], ValueError), ([True, True, True], ValueError),
    ([True, 1], TypeError),
])
def test_batch_norm_flag_validation(value, error):
    with pytest.raises(error, match="batch_norm"):
        barenet.Network([3, 4, 4, 1], ["relu", "relu", "sigmoid"], batch_norm=value)


def test_bn_momentum_zero_keeps_the_last_batch():
    """rho = 0: the running statistics are the last batch's mean and unbiased variance."""
    net = barenet.Network([3, 5, 1], ["tanh", "sigmoid"], seed=0, dtype="float64",
                          batch_norm=True, bn_momentum=0.0)
    X, Y = data_for(net, 0, m=10)
    net.engine.step_value_and_grad(X.T, Y.T, rng=net.rng)
    Z = net.weights[0] @ X.T + net.biases[0]
    close(net.running_means[0], Z.mean(axis=1, keepdims=True))
    close(net.running_vars[0], Z.var(axis=1, ddof=1, keepdims=True))


# ============================================== 5. regularization matters


def test_regularization_beats_an_overfit_net():
    """60 noisy two-moons samples, a [2, 100, 100, 1] net and 1000 full-batch
    Adam steps: unregularized it fits the training set perfectly and does
    much worse on the 540 held-out samples than with L2 or with dropout.
    (Offline, over network seeds 0-5, the test accuracy was 0.68-0.74 without
    regularization, about 0.89 with l2=0.5 and 0.85-0.89 with dropout=0.5.)"""
    data = barenet.datasets.make_moons(n_samples=600, noise=0.35, test_size=0.9, seed=4)
    assert len(data.y_train) == 60

    def accuracies(**settings):
        net = barenet.Network([2, 100, 100, 1], ["relu", "relu", "sigmoid"], seed=0,
                              **settings)
        net.fit(data.X_train, data.y_train, optimizer=barenet.Adam(lr=0.01), epochs=1000,
                batch_size=None)
        return (net.evaluate(data.X_train, data.y_train)["accuracy"],
                net.evaluate(data.X_test, data.y_test)["accuracy"])

    train_none, test_none = accuracies()
    train_l2, test_l2 = accuracies(l2=0.5)
    train_dropout, test_dropout = accuracies(dropout=0.5)
    report = (f"none {train_none:.3f}/{test_none:.3f}, l2 {train_l2:.3f}/{test_l2:.3f}, "
              f"dropout {train_dropout:.3f}/{test_dropout:.3f} (train/test)")
    assert train_none >= 0.98, report  # it did overfit
    assert train_none - test_none > 0.15, report
    assert test_l2 > test_none + 0.08, report
    assert test_dropout > test_none + 0.06, report
    # the regularized nets fit the training set less tightly
    assert train_l2 < train_none and train_dropout < train_none, report
