"""Gradient checks of back propagation, and identities between the optimizers.

1. Finite differences (float64, relative error < 1e-7) for every hidden
   activation in ``barenet.activations.REGISTRY`` (plus a leaky ReLU with a
   non-default slope), every output activation/loss pair that makes sense, on
   nets of 1 to 4 weight layers, through both ``Network`` and the notebook's
   parameter dict. The cases are built from the registry at import time, so a
   newly registered activation is covered without touching this file.
2. The check itself: it catches wrong gradients, leaves the parameters
   untouched and refuses float32 networks.
3. Identities between optimizers that need no reference implementation.
4. Optimizer argument validation and state handling.

Kinks: ReLU and leaky ReLU are not differentiable at 0. Every problem below is
drawn from a fixed seed, and the first seed whose pre-activations all lie at
least ``KINK_MARGIN`` away from 0 (and whose output probabilities lie at least
``SATURATION`` away from 0 and 1, where the clipped cost is flat) is used, so
a central difference with epsilon=1e-6 never straddles a kink. The search is
deterministic, so the problems are the same on every run.
"""

import re
import zlib

import numpy as np
import pytest

import barenet
from barenet import activations, losses, optimizers
from barenet.notebook import forward_prop

TOLERANCE = 1e-7  # relative error; a correct float64 gradient gives ~1e-9 or less
BROKEN = 1e-3  # a wrong gradient must report at least this
KINK_MARGIN = 1e-3  # min |Z| over every layer and sample
SATURATION = 1e-9  # min distance of an output probability from 0 and 1
N_FEATURES, N_HIDDEN, N_SAMPLES = 3, 4, 12


# --------------------------------------------------------------------- cases

def _hidden_activations():
    """Every registered activation, plus leaky ReLU with a non-default slope."""
    acts = [activations.get(name) for name in activations.REGISTRY]
    acts.append(activations.LeakyReLU(0.2))
    return acts


HIDDEN = _hidden_activations()

# (output activation, loss): the two fused cross-entropy pairs, and mean
# squared error after every registered output activation.
OUTPUT_LOSS = [("sigmoid", "binary_crossentropy"), ("softmax", "categorical_crossentropy")]
OUTPUT_LOSS += [(name, "mse") for name in activations.REGISTRY]

N_OUT = {"binary_crossentropy": 1, "categorical_crossentropy": 3, "mse": 2}


def _act_id(act):
    if isinstance(act, activations.LeakyReLU) and act.slope != activations.LeakyReLU().slope:
        return f"leaky_relu{act.slope:g}"
    return act.name


def _hidden_stacks(depth):
    """Hidden-activation lists for a net of ``depth`` weight layers: the
    activations cycled from every starting point, so each appears at every
    hidden position."""
    if depth == 1:
        return [[]]
    n = len(HIDDEN)
    return [[HIDDEN[(start + j) % n] for j in range(depth - 1)] for start in range(n)]


def _cases():
    cases = []
    for output, loss in OUTPUT_LOSS:
        for depth in (1, 2, 3, 4):
            for hidden in _hidden_stacks(depth):
                case_id = "-".join([f"L{depth}"] + [_act_id(a) for a in hidden] + [f"{output}+{loss}"])
                cases.append(pytest.param(hidden, output, loss, id=case_id))
    return cases


CASES = _cases()


# ------------------------------------------------------------------ problems

def _seed(*parts):
    """A stable seed from the case's description (Python's hash() is salted)."""
    return zlib.crc32(repr(parts).encode())


def _make_problem(hidden, output, loss, seed, n_out=None, soft_targets=False):
    """Weights, biases, data and targets, with no pre-activation near a kink.

    Returns a dict with ``sizes``, ``acts`` (Activation objects), ``Ws``,
    ``bs``, ``X`` (samples x features), ``labels`` (class labels for the
    cross-entropies, None for mse) and ``Y`` (n_out x samples, the notebook's
    targets).
    """
    n_out = N_OUT[loss] if n_out is None else n_out
    sizes = [N_FEATURES] + [N_HIDDEN] * len(hidden) + [n_out]
    acts = list(hidden) + [activations.get(output)]
    for attempt in range(1000):
        rng = np.random.default_rng([seed, attempt])
        Ws = [rng.standard_normal((o, i)) / np.sqrt(i) for i, o in zip(sizes[:-1], sizes[1:])]
        bs = [0.5 * rng.standard_normal((o, 1)) for o in sizes[1:]]
        X = rng.standard_normal((N_SAMPLES, N_FEATURES))
        A, ok = X.T, True
        for W, b, act in zip(Ws, bs, acts):
            Z = W @ A + b
            # Away from every kink, and some unit active in every layer so
            # that a ReLU layer does not block the whole signal.
            ok &= bool(np.abs(Z).min() > KINK_MARGIN and (Z > 0).any())
            A = act.forward(Z)
        if output in ("sigmoid", "softmax"):
            # probabilities away from the clip at eps and 1 - eps, where the
            # cost is flat (large hidden outputs, such as exp's, saturate them)
            ok &= bool(A.min() > SATURATION and A.max() < 1 - SATURATION)
        if ok:
            break
    else:  # pragma: no cover - would mean the margin is unreachable
        raise AssertionError("no seed keeps every pre-activation away from 0")

    labels = None
    if loss == "binary_crossentropy" and not soft_targets:
        labels = rng.integers(0, 2, N_SAMPLES)
        labels[:2] = [0, 1]  # both classes present
        Y = np.zeros((n_out, N_SAMPLES))
        Y[:] = labels
        if n_out > 1:  # multi-label: independent 0/1 targets per unit
            Y = rng.integers(0, 2, (n_out, N_SAMPLES)).astype(float)
    elif loss == "binary_crossentropy":
        Y = rng.uniform(0.05, 0.95, (n_out, N_SAMPLES))
    elif loss == "categorical_crossentropy" and not soft_targets:
        labels = rng.integers(0, n_out, N_SAMPLES)
        labels[:n_out] = np.arange(n_out)  # every class present
        Y = np.eye(n_out)[:, labels]
    elif loss == "categorical_crossentropy":
        P = rng.uniform(0.1, 1.0, (n_out, N_SAMPLES))
        Y = P / P.sum(axis=0, keepdims=True)  # probability columns
    else:
        Y = rng.standard_normal((n_out, N_SAMPLES))
    return dict(sizes=sizes, acts=acts, Ws=Ws, bs=bs, X=X, labels=labels, Y=Y)


def _network(problem, loss):
    """A float64 Network holding the problem's weights."""
    # The cross-entropies are implied by their output activation; mse is named.
    implied = loss in ("binary_crossentropy", "categorical_crossentropy")
    net = barenet.Network(problem["sizes"], problem["acts"], dtype="float64", seed=0,
                          loss=None if implied else loss)
    assert net.loss.name == loss
    for l, (W, b) in enumerate(zip(problem["Ws"], problem["bs"])):
        net.weights[l][...] = W
        net.biases[l][...] = b
    return net


def _network_targets(problem):
    return problem["labels"] if problem["labels"] is not None else problem["Y"].T


def _parameter_dict(problem):
    params = {}
    for l, (W, b) in enumerate(zip(problem["Ws"], problem["bs"]), 1):
        params[f"W{l}"] = W.copy()
        params[f"b{l}"] = b.copy()
    return params


def _check_network(problem, loss):
    net = _network(problem, loss)
    return barenet.gradient_check(net, problem["X"], _network_targets(problem))


def _check_notebook(problem, loss):
    return barenet.gradient_check(_parameter_dict(problem), problem["X"].T, problem["Y"],
                                  layer_activations=problem["acts"], loss=loss)


# ------------------------------------------------- 1. gradients are correct

def test_cases_cover_the_whole_registry():
    hidden_names = {a.name for a in HIDDEN}
    assert hidden_names == set(activations.REGISTRY)
    assert any(isinstance(a, activations.LeakyReLU) and a.slope == 0.2 for a in HIDDEN)
    assert {o for o, loss in OUTPUT_LOSS if loss == "mse"} == set(activations.REGISTRY)
    # Every hidden activation appears at every hidden position of every depth.
    for depth in (2, 3, 4):
        for position in range(depth - 1):
            seen = {_act_id(stack[position]) for stack in _hidden_stacks(depth)}
            assert seen == {_act_id(a) for a in HIDDEN}


@pytest.mark.parametrize("hidden, output, loss", CASES)
def test_network_gradient(hidden, output, loss):
    problem = _make_problem(hidden, output, loss, _seed([_act_id(a) for a in hidden], output, loss))
    error = _check_network(problem, loss)
    assert error < TOLERANCE


@pytest.mark.parametrize("hidden, output, loss", CASES)
def test_notebook_gradient(hidden, output, loss):
    problem = _make_problem(hidden, output, loss, _seed([_act_id(a) for a in hidden], output, loss))
    error = _check_notebook(problem, loss)
    assert error < TOLERANCE


@pytest.mark.parametrize("hidden, output, loss", [c for c in CASES if len(c.values[0]) <= 1])
def test_network_and_notebook_agree_on_the_cost(hidden, output, loss):
    """Both forms compute the same cost on the same problem, so the two
    checks above look at the same function."""
    problem = _make_problem(hidden, output, loss, _seed([_act_id(a) for a in hidden], output, loss))
    net = _network(problem, loss)
    X_T = problem["X"].T
    AL_net, _ = net.engine.forward(X_T)
    AL_nb, _ = forward_prop(X_T, problem["acts"], _parameter_dict(problem))
    np.testing.assert_allclose(AL_net, AL_nb, rtol=1e-13, atol=1e-15)
    Y_net = net.encode(_network_targets(problem), N_SAMPLES)[0].T
    np.testing.assert_array_equal(Y_net, problem["Y"])
    assert net.loss.value(AL_net, Y_net) == pytest.approx(
        barenet.notebook.cost(AL_nb, problem["Y"], loss), rel=1e-13)


# Pairs only the notebook form accepts: several sigmoid units with binary
# cross-entropy (multi-label), soft targets, and cross-entropies after the
# "other" probability output, which take the unfused path through
# Loss.gradient and Activation.backward instead of the fused A - Y.
NOTEBOOK_EXTRA = [
    ("sigmoid", "binary_crossentropy", 3, False),
    ("sigmoid", "binary_crossentropy", 1, True),
    ("sigmoid", "binary_crossentropy", 3, True),
    ("softmax", "categorical_crossentropy", 3, True),
    ("softmax", "binary_crossentropy", 3, False),
    ("sigmoid", "categorical_crossentropy", 3, False),
]


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
@pytest.mark.parametrize(
    "output, loss, n_out, soft", NOTEBOOK_EXTRA,
    ids=[f"{o}+{l}-{n}out{'-soft' if s else ''}" for o, l, n, s in NOTEBOOK_EXTRA],
)
def test_notebook_gradient_other_pairs(output, loss, n_out, soft, depth):
    for hidden in _hidden_stacks(depth):
        seed = _seed([_act_id(a) for a in hidden], output, loss, n_out, soft)
        problem = _make_problem(hidden, output, loss, seed, n_out=n_out, soft_targets=soft)
        assert _check_notebook(problem, loss) < TOLERANCE, [_act_id(a) for a in hidden]


# ------------------------------------------------------- 2. the check itself

def _scaled(method, factor):
    def wrong(self, *args, **kwargs):
        return factor * method(self, *args, **kwargs)
    return wrong


def _with_backward(activation, backward):
    """``activation`` as an object of a subclass whose backward pass is
    ``backward``: the network runs a subclass's own passes (the fast layer's
    in-place passes are registered for the built-in classes only), the
    notebook's functions as well."""
    cls = type(activation)
    wrong = type("Wrong" + cls.__name__, (cls,), {"backward": backward})
    return wrong(**activation.get_config())


# Every registered activation with a backward pass off by a factor: the check
# must notice, whichever activation it is.
@pytest.mark.parametrize("name", list(activations.REGISTRY))
@pytest.mark.parametrize("form", ["network", "notebook"])
def test_detects_wrong_activation_backward(name, form, monkeypatch):
    hidden = [activations.get(name)]
    problem = _make_problem(hidden, "linear", "mse", _seed("wrong", name))
    check = _check_network if form == "network" else _check_notebook
    assert check(problem, "mse") < TOLERANCE  # healthy first
    cls = activations.REGISTRY[name]
    wrong = [_with_backward(hidden[0], _scaled(cls.backward, 1.5))]
    problem = _make_problem(wrong, "linear", "mse", _seed("wrong", name))
    assert check(problem, "mse") > BROKEN


@pytest.mark.parametrize("form", ["network", "notebook"])
def test_detects_tanh_backward_with_the_sigmoid_derivative(form, monkeypatch):
    problem = _make_problem([activations.Tanh()], "sigmoid", "binary_crossentropy",
                            _seed("tanh-as-sigmoid"))
    check = _check_network if form == "network" else _check_notebook
    assert check(problem, "binary_crossentropy") < TOLERANCE
    wrong = _with_backward(activations.Tanh(), lambda self, dA, Z, A, out=None: dA * (1 - A))
    problem = _make_problem([wrong], "sigmoid", "binary_crossentropy", _seed("tanh-as-sigmoid"))
    assert check(problem, "binary_crossentropy") > BROKEN


@pytest.mark.parametrize("form", ["network", "notebook"])
def test_detects_leaky_relu_backward_ignoring_the_slope(form, monkeypatch):
    problem = _make_problem([activations.LeakyReLU(0.2)], "tanh", "mse", _seed("leaky-slope"))
    check = _check_network if form == "network" else _check_notebook
    assert check(problem, "mse") < TOLERANCE
    wrong = _with_backward(activations.LeakyReLU(0.2),
                           lambda self, dA, Z, A, out=None: np.where(Z > 0, dA, 0.0))
    problem = _make_problem([wrong], "tanh", "mse", _seed("leaky-slope"))
    assert check(problem, "mse") > BROKEN


@pytest.mark.parametrize("form", ["network", "notebook"])
def test_detects_wrong_loss_gradient(form, monkeypatch):
    problem = _make_problem([activations.Tanh()], "linear", "mse", _seed("wrong-mse"))
    check = _check_network if form == "network" else _check_notebook
    assert check(problem, "mse") < TOLERANCE
    # Forgets the 2 of 2 (a - y) / k (with k = 2 outputs here, A - Y would be right).
    monkeypatch.setattr(losses.MeanSquaredError, "gradient",
                        lambda self, A, Y: (A - Y) / A.shape[0])
    assert check(problem, "mse") > BROKEN


@pytest.mark.parametrize("form", ["network", "notebook"])
def test_detects_wrong_fused_output_gradient(form, monkeypatch):
    problem = _make_problem([activations.ReLU()], "softmax", "categorical_crossentropy",
                            _seed("wrong-fused"))
    check = _check_network if form == "network" else _check_notebook
    assert check(problem, "categorical_crossentropy") < TOLERANCE
    # the notebook's functions take the core's output gradient, the network's
    # step the fast layer's in-place one
    module = barenet.core.losses if form == "notebook" else barenet.fast.losses
    right = module.output_gradient
    monkeypatch.setattr(module, "output_gradient",
                        lambda *args, **kwargs: 1.1 * right(*args, **kwargs))
    assert check(problem, "categorical_crossentropy") > BROKEN


def test_leaves_network_parameters_bit_identical():
    problem = _make_problem([activations.ReLU(), activations.Tanh()], "softmax",
                            "categorical_crossentropy", _seed("unchanged-net"))
    net = _network(problem, "categorical_crossentropy")
    X, y = problem["X"], _network_targets(problem)
    X_before, y_before = X.copy(), y.copy()
    before = net.parameters.copy()
    buffer = net.parameters
    barenet.gradient_check(net, X, y)
    assert net.parameters is buffer
    assert net.parameters.tobytes() == before.tobytes()
    for W, b in zip(net.weights, net.biases):  # still views of the flat vector
        assert np.shares_memory(W, net.parameters) and np.shares_memory(b, net.parameters)
    assert X.tobytes() == X_before.tobytes() and y.tobytes() == y_before.tobytes()


def test_leaves_a_fresh_network_unfitted():
    """gradient_check only reads the network: it must not fix ``classes_``,
    which would make an unfitted network predict and make a later fit with
    other labels fail."""
    problem = _make_problem([activations.Tanh()], "sigmoid", "binary_crossentropy",
                            _seed("unfitted"))
    net = _network(problem, "binary_crossentropy")
    assert net.classes_ is None
    barenet.gradient_check(net, problem["X"], problem["labels"])
    assert net.classes_ is None
    with pytest.raises(barenet.NotFittedError):
        net.predict(problem["X"])
    net.fit(problem["X"], np.where(problem["labels"] == 1, "yes", "no"), epochs=1)
    assert net.classes_.tolist() == ["no", "yes"]


def test_leaves_parameter_dict_bit_identical():
    problem = _make_problem([activations.LeakyReLU(0.2), activations.Sigmoid()], "tanh", "mse",
                            _seed("unchanged-dict"))
    params = _parameter_dict(problem)
    arrays = dict(params)
    before = {k: v.copy() for k, v in params.items()}
    X, Y = problem["X"].T.copy(), problem["Y"]
    X_before, Y_before = X.copy(), Y.copy()
    barenet.gradient_check(params, X, Y, layer_activations=problem["acts"], loss="mse")
    assert params.keys() == before.keys()
    for k in params:
        assert params[k] is arrays[k]
        assert params[k].tobytes() == before[k].tobytes()
    assert X.tobytes() == X_before.tobytes() and Y.tobytes() == Y_before.tobytes()


def test_refuses_float32_network():
    problem = _make_problem([activations.Tanh()], "linear", "mse", _seed("float32"))
    net = barenet.Network(problem["sizes"], problem["acts"], dtype="float32", seed=0)
    before = net.parameters.copy()
    with pytest.raises(ValueError, match="float64"):
        barenet.gradient_check(net, problem["X"], problem["Y"].T)
    assert net.parameters.tobytes() == before.tobytes()
    # float32 is the default dtype, so a Network built without one is refused too.
    with pytest.raises(ValueError, match="float64"):
        barenet.gradient_check(barenet.Network([3, 2], ["linear"]), problem["X"], problem["Y"].T)


@pytest.mark.parametrize("epsilon", [0, -1e-6, float("nan")])
def test_rejects_bad_epsilon(epsilon):
    problem = _make_problem([], "linear", "mse", _seed("epsilon"))
    with pytest.raises(ValueError, match="epsilon"):
        barenet.gradient_check(_network(problem, "mse"), problem["X"], problem["Y"].T,
                               epsilon=epsilon)


# ------------------------------------------------ 3. identities of optimizers

SHAPES = [(4, 3), (4, 1), (2, 4), (2, 1)]
N_STEPS = 50


def _params(rng, dtype=np.float64):
    return [rng.standard_normal(s).astype(dtype) for s in SHAPES]


def _grad_sequence(seed, dtype=np.float64, n=N_STEPS):
    rng = np.random.default_rng(seed)
    return [[rng.standard_normal(s).astype(dtype) for s in SHAPES] for _ in range(n)]


def _run(optimizer, params, grads_seq, each_step=None):
    for t, grads in enumerate(grads_seq):
        optimizer.step(params, grads)
        if each_step is not None:
            each_step(t)
    return params


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("lr", [0.01, 0.3])
def test_momentum_with_beta_zero_is_gd(dtype, lr):
    rng = np.random.default_rng(1)
    start = _params(rng, dtype)
    p_gd = [p.copy() for p in start]
    p_mom = [p.copy() for p in start]
    gd, mom = barenet.GD(lr=lr), barenet.Momentum(lr=lr, beta=0)
    for grads in _grad_sequence(2, dtype):
        gd.step(p_gd, grads)
        mom.step(p_mom, grads)
        for a, b in zip(p_gd, p_mom):
            assert np.array_equal(a, b)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_momentum_with_beta_zero_trains_a_network_like_gd(dtype):
    rng = np.random.default_rng(3)
    X = rng.standard_normal((20, 3))
    y = (X[:, 0] + X[:, 1] * X[:, 2] > 0).astype(int)
    nets = [barenet.Network([3, 5, 4, 1], ["relu", "tanh", "sigmoid"], seed=7, dtype=dtype)
            for _ in range(2)]
    nets[0].fit(X, y, optimizer=barenet.GD(lr=0.1), epochs=N_STEPS, batch_size=8)
    nets[1].fit(X, y, optimizer=barenet.Momentum(lr=0.1, beta=0.0), epochs=N_STEPS, batch_size=8)
    assert np.array_equal(nets[0].parameters, nets[1].parameters)
    assert nets[0].history_["loss"] == nets[1].history_["loss"]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("beta, eps", [(0.9, 1e-8), (0.999, 1e-8), (0.5, 1e-3), (0.0, 1e-6)])
def test_adam_without_first_moment_is_bias_corrected_rmsprop(dtype, beta, eps):
    rng = np.random.default_rng(4)
    start = _params(rng, dtype)
    p_adam = [p.copy() for p in start]
    p_rms = [p.copy() for p in start]
    adam = barenet.Adam(lr=0.01, beta1=0, beta2=beta, eps=eps)
    rms = barenet.RMSProp(lr=0.01, beta=beta, eps=eps, bias_correction=True)
    for grads in _grad_sequence(5, dtype):
        adam.step(p_adam, grads)
        rms.step(p_rms, grads)
        # m_hat = g exactly when beta1 = 0, and the rest is the same arithmetic,
        # so the two agree bit for bit.
        for a, b in zip(p_adam, p_rms):
            assert np.array_equal(a, b)


def test_rmsprop_bias_correction_matters():
    """The identity above is not vacuous: without bias correction RMSProp differs."""
    rng = np.random.default_rng(4)
    start = _params(rng)
    p_adam, p_rms = [p.copy() for p in start], [p.copy() for p in start]
    grads_seq = _grad_sequence(5)
    _run(barenet.Adam(lr=0.01, beta1=0, beta2=0.9), p_adam, grads_seq)
    _run(barenet.RMSProp(lr=0.01, beta=0.9, bias_correction=False), p_rms, grads_seq)
    assert not all(np.array_equal(a, b) for a, b in zip(p_adam, p_rms))


@pytest.mark.parametrize("lr", [1e-3, 0.05])
@pytest.mark.parametrize("beta1, beta2", [(0.9, 0.999), (0.0, 0.9), (0.5, 0.0), (0.99, 0.5)])
def test_adam_first_step_moves_by_lr_sign_g(lr, beta1, beta2):
    rng = np.random.default_rng(6)
    params = _params(rng)
    before = [p.copy() for p in params]
    # |g| in [1e-2, 10] with random signs, and some exact zeros.
    grads = []
    for s in SHAPES:
        g = rng.choice([-1.0, 1.0], size=s) * 10.0 ** rng.uniform(-2, 1, size=s)
        g[rng.random(s) < 0.25] = 0.0
        grads.append(g)
    assert any((g == 0).any() for g in grads) and any((g != 0).any() for g in grads)
    eps = 1e-8
    barenet.Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps).step(params, grads)
    for p, p0, g in zip(params, before, grads):
        delta = p - p0
        moved = g != 0
        # At t = 1, m_hat = g and sqrt(v_hat) = |g|: the step is lr * g / (|g| + eps).
        np.testing.assert_allclose(delta[moved], -lr * np.sign(g[moved]), rtol=1e-5, atol=0)
        np.testing.assert_allclose(np.abs(delta[moved]), lr, rtol=1e-5)
        assert np.array_equal(p[~moved], p0[~moved])  # no gradient, no move


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("lr", [1e-3, 0.1, 2.0])
def test_gd_step_is_p_minus_lr_g(dtype, lr):
    rng = np.random.default_rng(8)
    params = _params(rng, dtype)
    gd = barenet.GD(lr=lr)
    for grads in _grad_sequence(9, dtype, n=5):
        expected = [p - lr * g for p, g in zip(params, grads)]
        gd.step(params, grads)
        for p, e in zip(params, expected):
            assert p.dtype == dtype
            assert np.array_equal(p, e)


# ------------------------------------------------- 4. optimizer validation

# (optimizer class, argument name); every other argument keeps its default.
ARGUMENTS = [(cls, "lr") for cls in optimizers.REGISTRY.values()]
ARGUMENTS += [(barenet.Momentum, "beta"), (barenet.RMSProp, "beta"),
              (barenet.Adam, "beta1"), (barenet.Adam, "beta2")]
ARGUMENTS += [(barenet.RMSProp, "eps"), (barenet.Adam, "eps")]

BAD_VALUES = {
    "lr": [(0, ValueError), (0.0, ValueError), (-0.01, ValueError), (-np.inf, ValueError),
           (float("nan"), ValueError), (float("inf"), ValueError), ("0.01", TypeError),
           (True, TypeError), (None, TypeError), ([0.01], TypeError), (1j, TypeError)],
    "beta": [(-0.1, ValueError), (-1e-12, ValueError), (1, ValueError), (1.0, ValueError),
             (1.5, ValueError), (float("nan"), ValueError), (float("inf"), ValueError),
             ("0.9", TypeError), (False, TypeError), (None, TypeError)],
    "eps": [(0, ValueError), (0.0, ValueError), (-1e-8, ValueError), (float("nan"), ValueError),
            (float("inf"), ValueError), ("1e-8", TypeError), (True, TypeError),
            (None, TypeError)],
}
BAD_VALUES["beta1"] = BAD_VALUES["beta2"] = BAD_VALUES["beta"]

VALIDATION_CASES = [
    pytest.param(cls, arg, value, error, id=f"{cls.__name__}-{arg}={value!r}")
    for cls, arg in ARGUMENTS
    for value, error in BAD_VALUES[arg]
]


@pytest.mark.parametrize("cls, arg, value, error", VALIDATION_CASES)
def test_optimizer_rejects_bad_argument(cls, arg, value, error):
    with pytest.raises(error) as info:
        cls(**{arg: value})
    assert re.search(rf"\b{arg}\b", str(info.value)), str(info.value)


@pytest.mark.parametrize("cls, arg", ARGUMENTS, ids=[f"{c.__name__}-{a}" for c, a in ARGUMENTS])
def test_optimizer_accepts_edge_values(cls, arg):
    good = {"lr": [1, 1e-12, np.float32(0.01), np.float64(3.0)],
            "beta": [0, 0.0, 0.999999, np.float64(0.9)],
            "eps": [1e-300, 1, np.float32(1e-8)]}
    for value in good[arg.rstrip("12")]:
        opt = cls(**{arg: value})
        assert getattr(opt, arg) == float(value)
        assert type(getattr(opt, arg)) is float


OPTIMIZERS = [
    barenet.GD(lr=0.1),
    barenet.Momentum(lr=0.1, beta=0.9),
    barenet.RMSProp(lr=0.01, beta=0.9),
    barenet.RMSProp(lr=0.01, beta=0.9, bias_correction=True),
    barenet.Adam(lr=0.01),
    barenet.Momentum(lr=0.1, beta=0.9, nesterov=True),
    barenet.AdamW(lr=0.01, weight_decay=0.1),
]


def _fresh(opt):
    return type(opt)(**opt.get_config())


def test_every_registered_optimizer_is_covered():
    assert {type(o) for o in OPTIMIZERS} == set(optimizers.REGISTRY.values())


@pytest.mark.parametrize("template", OPTIMIZERS, ids=repr)
def test_optimizer_refuses_parameters_of_other_shapes(template):
    opt = _fresh(template)
    rng = np.random.default_rng(10)
    params = _params(rng)
    opt.step(params, [np.ones_like(p) for p in params])
    others = [
        [rng.standard_normal((3, 4)), rng.standard_normal((4, 1))],  # different count
        [rng.standard_normal((3, 4)) if s == (4, 3) else rng.standard_normal(s) for s in SHAPES],
        [rng.standard_normal(s) for s in SHAPES[::-1]],  # same sizes, other order
        [rng.standard_normal((int(np.prod(s)),)) for s in SHAPES],  # flattened
    ]
    for other in others:
        with pytest.raises(ValueError, match="shape"):
            opt.step(other, [np.ones_like(p) for p in other])
    assert opt.t == 1  # the refused steps were not counted
    # The original parameters still work.
    opt.step(params, [np.ones_like(p) for p in params])
    assert opt.t == 2


@pytest.mark.parametrize("template", OPTIMIZERS, ids=repr)
def test_optimizer_refuses_mismatched_gradients(template):
    opt = _fresh(template)
    params = _params(np.random.default_rng(11))
    with pytest.raises(ValueError):
        opt.step(params, [np.ones((1, 1)) for _ in params])
    with pytest.raises(ValueError):
        opt.step(params, [np.ones_like(p) for p in params[:-1]])


@pytest.mark.parametrize("template", OPTIMIZERS, ids=repr)
def test_optimizer_reset_clears_state(template):
    grads_seq = _grad_sequence(12, n=10)
    opt = _fresh(template)
    _run(opt, _params(np.random.default_rng(13)), grads_seq)
    assert opt.t == 10
    opt.reset()
    assert opt.t == 0
    # After reset it behaves exactly as a fresh optimizer on the same shapes...
    p_reset = _params(np.random.default_rng(14))
    p_fresh = [p.copy() for p in p_reset]
    _run(opt, p_reset, grads_seq[:3])
    _run(_fresh(template), p_fresh, grads_seq[:3])
    for a, b in zip(p_reset, p_fresh):
        assert np.array_equal(a, b)
    # ...and accepts parameters of other shapes.
    opt.reset()
    other = [np.zeros((5, 2)), np.zeros((2,))]
    opt.step(other, [np.ones_like(p) for p in other])
    assert opt.t == 1
    fresh_other = [np.zeros((5, 2)), np.zeros((2,))]
    _fresh(template).step(fresh_other, [np.ones_like(p) for p in fresh_other])
    for a, b in zip(other, fresh_other):
        assert np.array_equal(a, b)


def _state_arrays(opt):
    # every array of the optimizer's named state
    return [a for field in opt.state for a in field]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("template", OPTIMIZERS, ids=repr)
def test_optimizer_state_keeps_parameter_dtype(template, dtype):
    opt = _fresh(template)
    rng = np.random.default_rng(15)
    params = _params(rng, dtype)
    buffers = list(params)
    for grads in _grad_sequence(16, dtype, n=3):
        opt.step(params, grads)
    for p, b in zip(params, buffers):
        assert p is b and p.dtype == dtype  # updated in place, dtype kept
    state = _state_arrays(opt)
    if not isinstance(opt, barenet.GD):
        assert len(state) >= len(SHAPES)
    for a in state:
        assert a.dtype == dtype
    assert sorted(a.shape for a in state) == sorted(
        s for s in SHAPES for _ in range(len(state) // len(SHAPES)))


@pytest.mark.parametrize("template", OPTIMIZERS, ids=repr)
def test_network_training_keeps_float32_state(template):
    rng = np.random.default_rng(17)
    X = rng.standard_normal((16, 3))
    y = rng.standard_normal(16)
    net = barenet.Network([3, 4, 1], ["tanh", "linear"], seed=0)
    opt = _fresh(template)
    net.fit(X, y, optimizer=opt, epochs=2, batch_size=8)
    assert net.parameters.dtype == np.float32
    for a in _state_arrays(opt):
        assert a.dtype == np.float32 and a.shape == net.parameters.shape
