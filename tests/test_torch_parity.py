"""Parity of barenet with PyTorch (CPU, float64) as an independent reference.

barenet computes by hand what torch computes by autograd, and its optimizers
state the rules torch implements. These tests check, to ~1e-10 relative:

1. forward output, cost and every gradient (dW, db) of the ``Network`` and of
   the notebook API against torch autograd on an equivalent ``nn.Sequential``
   (samples x features, ``nn.Linear`` weights of shape ``(n_out, n_in)``);
2. 50-step full-batch trajectories of GD, RMSProp and Adam against
   ``torch.optim.SGD``, ``RMSprop`` and ``Adam``;
3. Momentum against its own formula and against ``torch.optim.SGD`` with the
   rescaled learning rate (and that ``dampening=beta`` is *not* the same rule);
4. each loss's value and per-sample gradient against torch.

torch is a required test dependency (the ``test`` extra), so it is imported
plainly: a missing torch is an error, not a skip.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import barenet
from barenet import notebook as nb
from barenet.activations import LeakyReLU
from barenet.losses import BinaryCrossEntropy, CategoricalCrossEntropy, MeanSquaredError

RTOL = 1e-10
ATOL = 1e-12
TRAJ_RTOL = 1e-9
TRAJ_ATOL = 1e-12
N_STEPS = 50
M = 24  # samples per batch

BCE, CE, MSE = "binary_crossentropy", "categorical_crossentropy", "mse"


def close(ours, theirs, rtol=RTOL, atol=ATOL, what=""):
    """assert_allclose on numpy vs torch values; prints both on failure."""
    if isinstance(theirs, torch.Tensor):
        theirs = theirs.detach().numpy()
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol, err_msg=what)


# ----------------------------------------------------------------- torch side


def torch_activation(activation):
    """The torch module equivalent to a barenet activation (name or object).

    The model is samples x features, so softmax normalizes over dim=1 (barenet,
    one column per sample, normalizes over axis 0).
    """
    act = barenet.activations.get(activation)
    if act.name == "leaky_relu":
        return nn.LeakyReLU(negative_slope=act.slope)
    return {
        "linear": nn.Identity,
        "sigmoid": nn.Sigmoid,
        "relu": nn.ReLU,
        "tanh": nn.Tanh,
        "softmax": lambda: nn.Softmax(dim=1),
    }[act.name]()


def torch_model(weights, biases, activations):
    """An ``nn.Sequential`` of float64 ``nn.Linear`` + activation modules holding
    copies of the given weights ``(n_out, n_in)`` and biases ``(n_out, 1)``."""
    layers = []
    for W, b, act in zip(weights, biases, activations):
        n_out, n_in = W.shape
        lin = nn.Linear(n_in, n_out, dtype=torch.float64)
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(W, dtype=torch.float64))
            lin.bias.copy_(torch.tensor(np.asarray(b).reshape(-1), dtype=torch.float64))
        layers += [lin, torch_activation(act)]
    return nn.Sequential(*layers)


def torch_linears(model):
    return [mod for mod in model if isinstance(mod, nn.Linear)]


def torch_loss(loss, A, Y):
    """Cost of output ``A`` (m, n_L) against ``Y`` (m, n_L), computed the torch way."""
    m = A.shape[0]
    if loss == BCE:
        # torch averages over every element; barenet sums over output units and
        # averages over samples: the same for one unit, n_L times it otherwise.
        return F.binary_cross_entropy(A, Y) * A.shape[1]
    if loss == CE:
        # cross-entropy on probabilities
        return -(Y * torch.log(A)).sum() / m
    if loss == MSE:
        return F.mse_loss(A, Y)
    raise AssertionError(loss)


# ------------------------------------------------------------------ the cases


# (id, layer sizes, activations (hidden..., output), loss)
GRAD_CASES = [
    ("1-sigmoid-bce", [4, 1], ["sigmoid"], BCE),
    ("1-softmax-ce", [4, 3], ["softmax"], CE),
    ("1-linear-mse", [4, 2], ["linear"], MSE),
    ("1-sigmoid-mse", [4, 3], ["sigmoid"], MSE),
    ("1-softmax-mse", [4, 3], ["softmax"], MSE),
    ("2-relu-sigmoid-bce", [5, 7, 1], ["relu", "sigmoid"], BCE),
    ("2-tanh-softmax-ce", [5, 7, 4], ["tanh", "softmax"], CE),
    ("2-leaky-linear-mse", [5, 6, 3], ["leaky_relu", "linear"], MSE),
    ("2-linear-tanh-mse", [3, 6, 2], ["linear", "tanh"], MSE),
    ("3-sigmoid-relu-softmax-ce", [6, 8, 5, 3], ["sigmoid", "relu", "softmax"], CE),
    ("3-leaky-tanh-sigmoid-bce", [4, 6, 5, 1], ["leaky_relu", "tanh", "sigmoid"], BCE),
    ("3-relu-leaky-tanh-mse", [4, 6, 5, 2], ["relu", "leaky_relu", "tanh"], MSE),
    ("3-tanh-sigmoid-sigmoid-mse", [4, 5, 6, 3], ["tanh", "sigmoid", "sigmoid"], MSE),
    ("3-relu-tanh-softmax-mse", [5, 6, 5, 4], ["relu", "tanh", "softmax"], MSE),
    ("4-linear-relu-tanh-softmax-ce", [6, 8, 7, 5, 3],
     ["linear", "relu", "tanh", "softmax"], CE),
    ("4-sigmoid-leaky-relu-sigmoid-bce", [5, 7, 6, 4, 1],
     ["sigmoid", "leaky_relu", "relu", "sigmoid"], BCE),
    ("4-tanh-linear-sigmoid-linear-mse", [3, 6, 5, 4, 2],
     ["tanh", "linear", "sigmoid", "linear"], MSE),
    ("3-leaky0.2-relu-sigmoid-bce", [4, 6, 5, 1], [LeakyReLU(0.2), "relu", "sigmoid"], BCE),
    ("3-leaky0.2-tanh-softmax-mse", [4, 6, 5, 3], [LeakyReLU(0.2), "tanh", "softmax"], MSE),
    ("2-leaky0.2-leaky0.2-linear-mse", [4, 6, 5, 2],
     [LeakyReLU(0.2), LeakyReLU(0.2), "linear"], MSE),
]


def make_data(sizes, loss, seed):
    """``X`` (m, n_0), labels ``y`` (what ``Network`` is fitted on) for a case."""
    rng = np.random.default_rng(seed)
    X = rng.normal(scale=0.8, size=(M, sizes[0]))
    n_out = sizes[-1]
    if loss == BCE:
        y = np.arange(M) % 2
    elif loss == CE:
        y = np.arange(M) % n_out  # every class present
    else:
        y = rng.normal(scale=0.5, size=(M, n_out)) + 0.3
    return X, rng.permutation(y)


def make_net(sizes, activations, loss, seed):
    """A float64 Network with Xavier weights and nonzero random biases (so the
    bias gradients are exercised at a generic point, not at b = 0)."""
    net = barenet.Network(sizes, activations, init="xavier", seed=seed, dtype="float64",
                          loss=loss)
    rng = np.random.default_rng(seed + 1000)
    for b in net.biases:
        b[...] = rng.normal(scale=0.3, size=b.shape)
    return net


def case_params(case):
    return pytest.param(*case[1:], id=case[0])


def torch_value_and_grads(weights, biases, activations, loss, X, Y):
    """(A, cost, [dW], [db], dJ/dA) by torch autograd, A and gradients as numpy."""
    model = torch_model(weights, biases, activations)
    Xt = torch.tensor(X, dtype=torch.float64)
    Yt = torch.tensor(Y, dtype=torch.float64)
    A = model(Xt)
    A.retain_grad()
    J = torch_loss(loss, A, Yt)
    J.backward()
    linears = torch_linears(model)
    return (
        A.detach().numpy(),
        J.item(),
        [lin.weight.grad.numpy() for lin in linears],
        [lin.bias.grad.numpy().reshape(-1, 1) for lin in linears],
        A.grad.numpy(),
    )


# ------------------------------------------------ 1. forward, cost, gradients


@pytest.mark.parametrize("sizes, activations, loss", [case_params(c) for c in GRAD_CASES])
def test_network_forward_cost_and_gradients_match_torch(sizes, activations, loss):
    seed = len(sizes) * 7 + sizes[-1]
    net = make_net(sizes, activations, loss, seed)
    X, y = make_data(sizes, loss, seed)
    Y = net.encode(y, M)[0]  # (m, n_L)

    J, AL = net.engine.step_value_and_grad(X.T, Y.T, rng=net.rng)

    A_t, J_t, dW_t, db_t, _ = torch_value_and_grads(
        net.weights, net.biases, net.activations, loss, X, Y
    )
    # guard: sigmoid/softmax outputs stay away from saturation
    if net.activations[-1].name in ("sigmoid", "softmax"):
        assert 1e-4 < A_t.min() and A_t.max() < 1 - 1e-4
    close(AL.T, A_t, what="forward output (_step_value_and_grad)")
    close(net.forward(X), A_t, what="forward output (Network.forward)")
    close(J, J_t, what="cost")
    for l in range(len(net.weights)):
        close(net.flat.dweights[l], dW_t[l], what=f"dW{l + 1}")
        close(net.flat.dbiases[l], db_t[l], what=f"db{l + 1}")
    # the gradient vector holds exactly these views (in the saved files' order
    # once _file_order has put each W and b back apart)
    flat = np.concatenate([g.ravel() for pair in zip(dW_t, db_t) for g in pair])
    close(net.flat.grad[net.flat.file_order()], flat, what="flat gradient vector")


@pytest.mark.parametrize("sizes, activations, loss", [case_params(c) for c in GRAD_CASES])
def test_notebook_forward_cost_and_gradients_match_torch(sizes, activations, loss):
    seed = len(sizes) * 11 + sizes[-1]
    rng = np.random.default_rng(seed)
    parameters = nb.initialize_parameters(sizes, "xavier", seed=seed)
    L = len(sizes) - 1
    for l in range(1, L + 1):
        parameters[f"b{l}"][...] = rng.normal(scale=0.3, size=parameters[f"b{l}"].shape)
    X, y = make_data(sizes, loss, seed)
    if loss == BCE:
        Y = y.astype(float).reshape(-1, 1)
    elif loss == CE:
        Y = np.eye(sizes[-1])[y]
    else:
        Y = y
    weights = [parameters[f"W{l}"].copy() for l in range(1, L + 1)]
    biases = [parameters[f"b{l}"].copy() for l in range(1, L + 1)]

    AL, caches = nb.forward_prop(X.T, activations, parameters)
    J = nb.cost(AL, Y.T, loss)
    grads = nb.backward_prop(AL, Y.T, caches, activations, loss)

    A_t, J_t, dW_t, db_t, dA_t = torch_value_and_grads(
        weights, biases, activations, loss, X, Y
    )
    close(AL.T, A_t, what="forward output")
    close(J, J_t, what="cost")
    for l in range(1, L + 1):
        close(grads[f"dW{l}"], dW_t[l - 1], what=f"dW{l}")
        close(grads[f"db{l}"], db_t[l - 1], what=f"db{l}")
    # dA{L} is the per-sample derivative of the loss, i.e. m * dJ/dAL
    close(grads[f"dA{L}"].T, M * dA_t, what=f"dA{L} (per sample)")


@pytest.mark.parametrize("n_out", [2, 3])
def test_notebook_multi_unit_bce_is_n_units_times_torch_mean(n_out):
    """The notebook API allows several sigmoid units with binary cross-entropy
    (Network does not): the cost sums over units, i.e. n_out times torch's
    element mean, and its gradients are those of that sum."""
    sizes, activations = [4, 6, n_out], ["tanh", "sigmoid"]
    rng = np.random.default_rng(n_out)
    parameters = nb.initialize_parameters(sizes, "xavier", seed=n_out)
    parameters["b1"][...] = rng.normal(scale=0.3, size=(6, 1))
    parameters["b2"][...] = rng.normal(scale=0.3, size=(n_out, 1))
    X = rng.normal(scale=0.8, size=(M, 4))
    Y = (rng.random((M, n_out)) < 0.5).astype(float)
    weights = [parameters["W1"].copy(), parameters["W2"].copy()]
    biases = [parameters["b1"].copy(), parameters["b2"].copy()]

    AL, caches = nb.forward_prop(X.T, activations, parameters)
    J = nb.cost(AL, Y.T, BCE)
    grads = nb.backward_prop(AL, Y.T, caches, activations, BCE)

    A_t, J_t, dW_t, db_t, _ = torch_value_and_grads(weights, biases, activations, BCE, X, Y)
    mean_t = F.binary_cross_entropy(torch.tensor(A_t), torch.tensor(Y)).item()
    close(J, n_out * mean_t, what="cost vs n_out * torch mean")
    close(J, J_t, what="cost")
    for l in (1, 2):
        close(grads[f"dW{l}"], dW_t[l - 1], what=f"dW{l}")
        close(grads[f"db{l}"], db_t[l - 1], what=f"db{l}")


# ------------------------------------------------------- 2. 50-step trajectories


# (id, barenet optimizer factory, torch optimizer factory)
OPTIMIZER_CASES = [
    ("gd", lambda: barenet.GD(lr=0.1), lambda p: torch.optim.SGD(p, lr=0.1)),
    ("gd-lr0.5", lambda: barenet.GD(lr=0.5), lambda p: torch.optim.SGD(p, lr=0.5)),
    ("rmsprop-default", lambda: barenet.RMSProp(),
     lambda p: torch.optim.RMSprop(p, lr=1e-3, alpha=0.9, eps=1e-8)),
    ("rmsprop-custom", lambda: barenet.RMSProp(lr=0.01, beta=0.95, eps=1e-6),
     lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.95, eps=1e-6)),
    ("adam-default", lambda: barenet.Adam(lr=0.01),
     lambda p: torch.optim.Adam(p, lr=0.01)),
    ("adam-custom", lambda: barenet.Adam(lr=0.02, beta1=0.8, beta2=0.99, eps=1e-7),
     lambda p: torch.optim.Adam(p, lr=0.02, betas=(0.8, 0.99), eps=1e-7)),
    # Adam with beta1 = 0 and RMSProp with bias correction are the same rule
    ("rmsprop-bias-corrected", lambda: barenet.RMSProp(lr=0.01, beta=0.9, bias_correction=True),
     lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.0, 0.9), eps=1e-8)),
    ("adam-beta1-0", lambda: barenet.Adam(lr=0.01, beta1=0.0, beta2=0.95),
     lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.0, 0.95))),
]

TRAJ_MODELS = [
    ("tanh-relu-softmax-ce", [5, 8, 6, 3], ["tanh", "relu", "softmax"], CE),
    ("leaky-sigmoid-bce", [4, 7, 1], ["leaky_relu", "sigmoid"], BCE),
    ("relu-tanh-linear-mse", [3, 6, 5, 2], ["relu", "tanh", "linear"], MSE),
]


def torch_step(model, optimizer, loss, Xt, Yt):
    optimizer.zero_grad()
    J = torch_loss(loss, model(Xt), Yt)
    J.backward()
    optimizer.step()
    return J.item()


def torch_flat(model, net):
    """The torch model's weights and biases laid out as ``net.parameters``."""
    flat = np.concatenate([
        t.detach().numpy().ravel()
        for lin in torch_linears(model) for t in (lin.weight, lin.bias)
    ])
    laid_out = np.empty_like(flat)
    laid_out[net.flat.file_order()] = flat  # W1, b1, W2, ... as files hold them
    return laid_out


@pytest.mark.parametrize("sizes, activations, loss", [case_params(c) for c in TRAJ_MODELS])
@pytest.mark.parametrize("make_ours, make_theirs",
                         [pytest.param(*c[1:], id=c[0]) for c in OPTIMIZER_CASES])
def test_network_trajectory_matches_torch_optim(make_ours, make_theirs, sizes, activations,
                                                loss):
    seed = 3 * len(sizes)
    net = make_net(sizes, activations, loss, seed)
    X, y = make_data(sizes, loss, seed)
    Y = net.encode(y, M)[0]
    model = torch_model(net.weights, net.biases, net.activations)
    Xt, Yt = torch.tensor(X), torch.tensor(Y)
    ours, theirs = make_ours(), make_theirs(model.parameters())
    start = net.parameters.copy()

    for step in range(1, N_STEPS + 1):
        J, _ = net.engine.step_value_and_grad(X.T, Y.T, rng=net.rng)
        ours.step([net.parameters], [net.flat.grad])
        J_t = torch_step(model, theirs, loss, Xt, Yt)
        close(J, J_t, rtol=TRAJ_RTOL, atol=TRAJ_ATOL, what=f"cost before step {step}")
        close(net.parameters, torch_flat(model, net), rtol=TRAJ_RTOL, atol=TRAJ_ATOL,
              what=f"parameters after step {step}")
    assert ours.t == N_STEPS
    # the run actually trained: the comparison was not between two frozen models
    assert np.abs(net.parameters - start).max() > 1e-3


@pytest.mark.parametrize("make_ours, make_theirs",
                         [pytest.param(*c[1:], id=c[0]) for c in OPTIMIZER_CASES])
def test_notebook_trajectory_matches_torch_optim(make_ours, make_theirs):
    sizes, activations, loss = [4, 7, 5, 3], ["relu", "tanh", "softmax"], CE
    seed = 42
    rng = np.random.default_rng(seed)
    parameters = nb.initialize_parameters(sizes, "he", seed=seed)
    for l in (1, 2, 3):
        parameters[f"b{l}"][...] = rng.normal(scale=0.3, size=parameters[f"b{l}"].shape)
    X, y = make_data(sizes, loss, seed)
    Y = np.eye(sizes[-1])[y]
    model = torch_model([parameters[f"W{l}"] for l in (1, 2, 3)],
                        [parameters[f"b{l}"] for l in (1, 2, 3)], activations)
    Xt, Yt = torch.tensor(X), torch.tensor(Y)
    ours, theirs = make_ours(), make_theirs(model.parameters())

    for step in range(1, N_STEPS + 1):
        AL, caches = nb.forward_prop(X.T, activations, parameters)
        J = nb.cost(AL, Y.T, loss)
        grads = nb.backward_prop(AL, Y.T, caches, activations, loss)
        returned = nb.update_parameters(parameters, grads, ours)
        assert returned is parameters
        J_t = torch_step(model, theirs, loss, Xt, Yt)
        close(J, J_t, rtol=TRAJ_RTOL, atol=TRAJ_ATOL, what=f"cost before step {step}")
        if step % 10 == 0 or step <= 3:
            for l, lin in enumerate(torch_linears(model), 1):
                close(parameters[f"W{l}"], lin.weight, rtol=TRAJ_RTOL, atol=TRAJ_ATOL,
                      what=f"W{l} after step {step}")
                close(parameters[f"b{l}"], lin.bias.detach().reshape(-1, 1), rtol=TRAJ_RTOL,
                      atol=TRAJ_ATOL, what=f"b{l} after step {step}")


# ------------------------------------------------------------------ 3. momentum


MOMENTUM_MODEL = ([5, 8, 6, 3], ["tanh", "relu", "softmax"], CE)


def momentum_setup(seed=5):
    sizes, activations, loss = MOMENTUM_MODEL
    net = make_net(sizes, activations, loss, seed)
    X, y = make_data(sizes, loss, seed)
    Y = net.encode(y, M)[0]
    return net, X, Y


@pytest.mark.parametrize("lr, beta", [(0.1, 0.9), (0.3, 0.5), (0.05, 0.99), (0.2, 0.0)])
def test_momentum_follows_its_formula(lr, beta):
    """v <- beta v + (1 - beta) g; theta <- theta - lr v, with v = 0 at the start,
    done by hand in numpy on a twin network."""
    net, X, Y = momentum_setup()
    twin, _, _ = momentum_setup()
    opt = barenet.Momentum(lr=lr, beta=beta)
    v = np.zeros_like(twin.parameters)
    for step in range(1, N_STEPS + 1):
        net.engine.step_value_and_grad(X.T, Y.T, rng=net.rng)
        opt.step([net.parameters], [net.flat.grad])
        twin.engine.step_value_and_grad(X.T, Y.T, rng=twin.rng)
        g = twin.flat.grad.copy()
        v = beta * v + (1 - beta) * g
        twin.parameters[...] = twin.parameters - lr * v
        close(net.parameters, twin.parameters, rtol=TRAJ_RTOL, atol=TRAJ_ATOL,
              what=f"parameters after step {step}")
        close(opt.velocities[0], v, rtol=TRAJ_RTOL, atol=TRAJ_ATOL,
              what=f"velocity after step {step}")


@pytest.mark.parametrize("lr, beta", [(0.1, 0.9), (0.3, 0.5), (0.05, 0.99)])
def test_momentum_equals_torch_sgd_with_rescaled_lr(lr, beta):
    """torch accumulates v' = beta v' + g (v' = g on its first step); ours is
    v = beta v + (1 - beta) g = (1 - beta) v' at every step, so
    theta -= lr v is torch's SGD(lr=lr * (1 - beta), momentum=beta, dampening=0)."""
    net, X, Y = momentum_setup()
    model = torch_model(net.weights, net.biases, net.activations)
    Xt, Yt = torch.tensor(X), torch.tensor(Y)
    ours = barenet.Momentum(lr=lr, beta=beta)
    theirs = torch.optim.SGD(model.parameters(), lr=lr * (1 - beta), momentum=beta,
                             dampening=0)
    for step in range(1, N_STEPS + 1):
        J, _ = net.engine.step_value_and_grad(X.T, Y.T, rng=net.rng)
        ours.step([net.parameters], [net.flat.grad])
        J_t = torch_step(model, theirs, CE, Xt, Yt)
        close(J, J_t, rtol=TRAJ_RTOL, atol=TRAJ_ATOL, what=f"cost before step {step}")
        close(net.parameters, torch_flat(model, net), rtol=TRAJ_RTOL, atol=TRAJ_ATOL,
              what=f"parameters after step {step}")
    # and the velocities are related by exactly the factor (1 - beta)
    bufs = np.concatenate([
        theirs.state[t]["momentum_buffer"].numpy().ravel()
        for lin in torch_linears(model) for t in (lin.weight, lin.bias)
    ])
    close(ours.velocities[0][net.flat.file_order()], (1 - beta) * bufs, rtol=TRAJ_RTOL,
          atol=TRAJ_ATOL,
          what="velocity vs (1 - beta) * torch momentum buffer")


def test_momentum_is_not_torch_sgd_with_dampening_beta():
    """SGD(lr, momentum=beta, dampening=beta) looks like our rule but is not:
    torch sets its buffer to the *undamped* gradient g on the first step (the
    damping (1 - dampening) applies only from the second step on), so its first
    update is lr * g where ours is lr * (1 - beta) * g, and the two runs stay
    apart afterwards. barenet.Momentum's docstring says so."""
    lr, beta = 0.1, 0.9
    net, X, Y = momentum_setup()
    model = torch_model(net.weights, net.biases, net.activations)
    Xt, Yt = torch.tensor(X), torch.tensor(Y)
    ours = barenet.Momentum(lr=lr, beta=beta)
    theirs = torch.optim.SGD(model.parameters(), lr=lr, momentum=beta, dampening=beta)
    start = net.parameters.copy()

    net.engine.step_value_and_grad(X.T, Y.T, rng=net.rng)
    g = net.flat.grad.copy()
    ours.step([net.parameters], [net.flat.grad])
    torch_step(model, theirs, CE, Xt, Yt)
    # first step: ours moves by lr (1 - beta) g, torch by lr g (10 times as far)
    close(start - net.parameters, lr * (1 - beta) * g, what="our first update")
    close(start - torch_flat(model, net), lr * g, what="torch's first update")
    assert np.abs(g).max() > 1e-3
    first_gap = np.abs(net.parameters - torch_flat(model, net)).max()
    assert first_gap > 0.5 * lr * beta * np.abs(g).max()

    for _ in range(N_STEPS - 1):
        net.engine.step_value_and_grad(X.T, Y.T, rng=net.rng)
        ours.step([net.parameters], [net.flat.grad])
        torch_step(model, theirs, CE, Xt, Yt)
    final_gap = np.abs(net.parameters - torch_flat(model, net)).max()
    assert final_gap > 1e-3, "dampening=beta unexpectedly matched barenet's Momentum"


# --------------------------------------------------------- 4. losses on their own


def autograd_of(fn, A):
    """(value, dJ/dA) of a torch cost fn at numpy A."""
    At = torch.tensor(A, requires_grad=True)
    J = fn(At)
    J.backward()
    return J.item(), At.grad.numpy()


def random_probabilities(rng, k, m):
    """Columns of positive numbers summing to 1, bounded away from 0."""
    E = np.exp(rng.normal(size=(k, m)))
    return E / E.sum(axis=0, keepdims=True)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("soft", [False, True], ids=["hard", "soft"])
def test_bce_value_and_gradient_match_torch(seed, soft):
    rng = np.random.default_rng(seed)
    m = 17
    A = rng.uniform(0.02, 0.98, size=(1, m))
    Y = rng.random((1, m)) if soft else (rng.random((1, m)) < 0.5).astype(float)
    loss = BinaryCrossEntropy()
    J_t, dA_t = autograd_of(lambda At: F.binary_cross_entropy(At, torch.tensor(Y)), A)
    close(loss.value(A, Y), J_t, what="value")
    close(nb.cost(A, Y), J_t, what="notebook cost (default loss)")
    close(loss.gradient(A, Y), m * dA_t, what="per-sample gradient")


@pytest.mark.parametrize("k", [2, 4])
def test_bce_several_units_is_k_times_torch_mean(k):
    rng = np.random.default_rng(k)
    m = 13
    A = rng.uniform(0.02, 0.98, size=(k, m))
    Y = (rng.random((k, m)) < 0.5).astype(float)
    loss = BinaryCrossEntropy()
    J_t, dA_t = autograd_of(lambda At: F.binary_cross_entropy(At, torch.tensor(Y)), A)
    close(loss.value(A, Y), k * J_t, what="value vs k * torch mean")
    close(loss.gradient(A, Y), m * k * dA_t, what="per-sample gradient")


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("k", [2, 3, 5])
def test_categorical_crossentropy_value_and_gradient_match_torch(seed, k):
    rng = np.random.default_rng(100 * k + seed)
    m = 19
    A = random_probabilities(rng, k, m)
    labels = rng.integers(0, k, size=m)
    Y = np.eye(k)[labels].T  # (k, m) one-hot
    loss = CategoricalCrossEntropy()
    Yt = torch.tensor(Y)
    J_t, dA_t = autograd_of(lambda At: -(Yt * torch.log(At)).sum() / m, A)
    close(loss.value(A, Y), J_t, what="value")
    close(loss.gradient(A, Y), m * dA_t, what="per-sample gradient")
    # the same number from torch's own cross-entropy (log A as logits: its
    # log_softmax is log A again, since each column of A sums to 1)
    ce = F.cross_entropy(torch.tensor(np.log(A).T), torch.tensor(labels)).item()
    close(loss.value(A, Y), ce, what="value vs F.cross_entropy")


def test_categorical_crossentropy_soft_targets_match_torch():
    rng = np.random.default_rng(7)
    k, m = 4, 11
    A = random_probabilities(rng, k, m)
    Y = random_probabilities(rng, k, m)
    loss = CategoricalCrossEntropy()
    Yt = torch.tensor(Y)
    J_t, dA_t = autograd_of(lambda At: -(Yt * torch.log(At)).sum() / m, A)
    close(loss.value(A, Y), J_t, what="value")
    close(loss.gradient(A, Y), m * dA_t, what="per-sample gradient")
    ce = F.cross_entropy(torch.tensor(np.log(A).T), torch.tensor(Y.T)).item()
    close(loss.value(A, Y), ce, what="value vs F.cross_entropy (probability targets)")


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("k", [1, 3])
def test_mse_value_and_gradient_match_torch(seed, k):
    rng = np.random.default_rng(10 * k + seed)
    m = 15
    A = rng.normal(size=(k, m))
    Y = rng.normal(size=(k, m))
    loss = MeanSquaredError()
    J_t, dA_t = autograd_of(lambda At: F.mse_loss(At, torch.tensor(Y)), A)
    close(loss.value(A, Y), J_t, what="value")
    close(nb.cost(A, Y, "mse"), J_t, what="notebook cost")
    close(loss.gradient(A, Y), m * dA_t, what="per-sample gradient")
