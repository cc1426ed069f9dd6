"""The formulas scikit-learn's MLP uses that barenet has too: the ``exp``
activation, the ``half_squared_error`` and ``half_poisson`` losses, and the
``glorot_uniform`` initialization (``GlorotUniform``).

Each formula is checked three ways, in float64: by finite differences (the
core's functions directly, and ``gradient_check`` on a Network), against
PyTorch's autograd, and against scikit-learn's own functions
(``sklearn.neural_network._base``, ``MLPRegressor._backprop`` and
``_init_coef``). On ``array_api_strict`` and torch tensors the results equal
NumPy's to 1e-12.
"""

import numpy as np
import pytest

import barenet
from barenet import activations, initializers, losses
from barenet.gradcheck import relative_error

from _libraries import assert_close

torch = pytest.importorskip("torch")
strict = pytest.importorskip("array_api_strict")
sk_base = pytest.importorskip("sklearn.neural_network._base")
from sklearn.neural_network import MLPRegressor  # noqa: E402

LIBRARIES = {"array_api_strict": strict.asarray, "torch": torch.asarray}
EPSILON = 1e-6


def _numerical(f, x):
    """Centered differences of the scalar ``f(x)`` over every entry of ``x``."""
    g = np.empty_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + EPSILON
        plus = f(x)
        x[i] = old - EPSILON
        minus = f(x)
        x[i] = old
        g[i] = (plus - minus) / (2 * EPSILON)
    return g


def _problem(k=3, m=11, seed=0):
    """Pre-activations ``Z`` and Poisson counts ``Y`` (zeros included), ``(k, m)``."""
    rng = np.random.default_rng(seed)
    Z = rng.normal(scale=0.7, size=(k, m))
    Y = rng.poisson(np.exp(Z + rng.normal(scale=0.3, size=(k, m)))).astype(float)
    Y[0, :2] = 0
    return Z, Y


# ------------------------------------------------------------------ exp


def test_exp_forward_and_backward():
    exp = activations.get("exp")
    assert type(exp) is activations.Exp and exp.name == "exp"
    Z, dA = np.random.default_rng(1).normal(size=(2, 4, 6))
    A = exp.forward(Z)
    np.testing.assert_array_equal(A, np.exp(Z))
    np.testing.assert_array_equal(exp.backward(dA, Z, A), dA * A)
    inplace = Z.copy()
    sk_base.ACTIVATIONS["exp"](inplace)  # scikit-learn's, in place
    np.testing.assert_array_equal(A, inplace)
    # finite differences of sum(dA * exp(Z))
    g = _numerical(lambda z: float((dA * exp.forward(z)).sum()), Z.copy())
    assert relative_error(exp.backward(dA, Z, A), g) < 1e-8


def test_exp_backward_equals_torch_autograd():
    Z = torch.randn(3, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    Z.requires_grad_()
    dA = torch.randn(3, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    (torch.exp(Z) * dA).sum().backward()
    exp = activations.Exp()
    with torch.no_grad():
        A = exp.forward(Z.detach())
        torch.testing.assert_close(exp.backward(dA, Z.detach(), A), Z.grad, rtol=1e-12,
                                   atol=1e-15)


# ----------------------------------------------------- half squared error


@pytest.mark.parametrize("k", [1, 3])
def test_half_squared_error_is_scikit_learns_squared_loss(k):
    rng = np.random.default_rng(4)
    A, Y = rng.normal(size=(2, k, 13))
    loss = losses.get("half_squared_error")
    assert type(loss) is losses.HalfSquaredError
    expected = sk_base.squared_loss(Y.T, A.T)  # samples x outputs
    assert loss.value(A, Y) == pytest.approx(expected, rel=1e-13)
    assert loss.value(A, Y) == pytest.approx(((Y - A) ** 2).mean() / 2, rel=1e-13)
    assert loss.value(A, Y) == pytest.approx(losses.get("mse").value(A, Y) / 2, rel=1e-13)
    np.testing.assert_allclose(loss.per_sample(A, Y), ((A - Y) ** 2).sum(axis=0) / (2 * k))


@pytest.mark.parametrize("k", [1, 3])
def test_half_squared_error_gradient(k):
    rng = np.random.default_rng(5)
    A, Y = rng.normal(size=(2, k, 9))
    loss = losses.HalfSquaredError()
    m = A.shape[1]
    np.testing.assert_allclose(loss.gradient(A, Y), (A - Y) / k, rtol=1e-15)
    # the gradient is per sample: that of the summed per-sample losses, m J
    g = _numerical(lambda a: m * loss.value(a, Y), A.copy())
    assert relative_error(loss.gradient(A, Y), g) < 1e-8
    At = torch.asarray(A).requires_grad_()
    (0.5 * ((At - torch.asarray(Y)) ** 2).mean()).backward()  # scikit-learn's value
    np.testing.assert_allclose(loss.gradient(A, Y) / m, At.grad.numpy(), rtol=1e-13)
    linear = activations.Linear()
    np.testing.assert_array_equal(losses.output_gradient(loss, linear, A, A, Y),
                                  loss.gradient(A, Y))


# --------------------------------------------------------- half Poisson


@pytest.mark.parametrize("k", [1, 3])
def test_half_poisson_is_scikit_learns_poisson_loss(k):
    Z, Y = _problem(k)
    A = np.exp(Z)
    loss = losses.get("half_poisson")
    assert type(loss) is losses.HalfPoisson and loss.fused_activation == "exp"
    assert loss.value(A, Y) == pytest.approx(sk_base.poisson_loss(Y.T, A.T), rel=1e-12)
    w = np.random.default_rng(6).random(A.shape[1])
    # barenet's weighted mean divides by m, scikit-learn's by the weights' sum
    assert loss.value(A, Y, w) == pytest.approx(
        sk_base.poisson_loss(Y.T, A.T, sample_weight=w) * w.sum() / A.shape[1], rel=1e-12)


def test_half_poisson_limits_are_finite():
    loss = losses.HalfPoisson()
    Y = np.array([[0.0, 0.0, 3.0, 2.5, 4.0]])
    A = np.array([[1e-3, 0.0, 3.0, 2.5, 0.0]])  # 0: an exp output that underflowed
    values = loss.elementwise(A, Y)
    assert np.isfinite(values).all()
    np.testing.assert_allclose(values[0, :4], [1e-3, 0.0, 0.0, 0.0], atol=1e-15)
    assert values[0, 4] > 2000  # -y log(tiny): large and finite
    assert np.isfinite(loss.gradient(A[:, :4], Y[:, :4])).all()
    # never below 0, the deviance's minimum, whatever the rounding
    y = np.random.default_rng(8).random((1, 1000))
    assert (loss.elementwise(np.nextafter(y, 2), y) >= 0).all()
    assert (loss.elementwise(np.zeros((1, 2)), np.array([[5e-324, 1e-310]])) >= 0).all()


def test_half_poisson_gradients():
    Z, Y = _problem()
    A = np.exp(Z)
    loss, exp = losses.HalfPoisson(), activations.Exp()
    m = Z.shape[1]
    np.testing.assert_allclose(loss.gradient(A, Y), 1 - Y / A, rtol=1e-15)
    g = _numerical(lambda a: m * loss.value(a, Y), A.copy())
    assert relative_error(loss.gradient(A, Y), g) < 1e-8
    # fused with exp: d l / d z = A - Y, the long way agrees
    dZ = losses.output_gradient(loss, exp, A, Z, Y)
    np.testing.assert_array_equal(dZ, A - Y)
    np.testing.assert_allclose(exp.backward(loss.gradient(A, Y), Z, A), dZ, rtol=1e-12,
                               atol=1e-14)
    g = _numerical(lambda z: m * loss.value(np.exp(z), Y), Z.copy())
    assert relative_error(dZ, g) < 1e-8


def test_half_poisson_gradient_equals_torch():
    Z, Y = _problem()
    Zt, Yt = torch.asarray(Z).requires_grad_(), torch.asarray(Y)
    # the formula written out (y log(y / a) as xlogy(y, y) - xlogy(y, a): the
    # same value, with a derivative at y = 0), differentiated by autograd
    At = torch.exp(Zt)
    (torch.xlogy(Yt, Yt) - torch.xlogy(Yt, At) - Yt + At).sum().backward()
    dZ = losses.output_gradient(losses.HalfPoisson(), activations.Exp(), np.exp(Z), Z, Y)
    np.testing.assert_allclose(dZ, Zt.grad.numpy(), rtol=1e-12, atol=1e-14)
    # PyTorch's Poisson loss on the log scale differs by terms constant in Z
    Zt.grad = None
    torch.nn.functional.poisson_nll_loss(Zt, Yt, log_input=True, reduction="sum").backward()
    np.testing.assert_allclose(dZ, Zt.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_half_poisson_refuses_negative_targets():
    loss = losses.HalfPoisson()
    loss.check_targets(np.array([[0.0, 2.0]]))
    with pytest.raises(ValueError, match="ys has negative values.*half_poisson.*>= 0"):
        loss.check_targets(np.array([[1.0, -0.5]]), "ys")
    losses.MeanSquaredError().check_targets(np.array([[-1.0]]))  # any target


@pytest.mark.parametrize("library", sorted(LIBRARIES))
@pytest.mark.parametrize("name", ["half_squared_error", "half_poisson"])
def test_the_new_losses_on_other_libraries(library, name):
    to = LIBRARIES[library]
    Z, Y = _problem()
    loss = losses.get(name)
    output = activations.get("exp" if name == "half_poisson" else "linear")
    A = output.forward(Z)
    w = np.random.default_rng(7).random(Z.shape[1])
    Ax, Yx, Zx, wx = to(A), to(Y), to(Z), to(w)
    assert loss.value(Ax, Yx, wx) == pytest.approx(loss.value(A, Y, w), rel=1e-12)
    assert_close(output.forward(Zx), A, like=Zx)
    assert_close(loss.per_sample(Ax, Yx), loss.per_sample(A, Y), like=Ax)
    assert_close(loss.gradient(Ax, Yx), loss.gradient(A, Y), like=Ax)
    assert_close(losses.output_gradient(loss, output, Ax, Zx, Yx, wx),
                 losses.output_gradient(loss, output, A, Z, Y, w), like=Ax)


# ------------------------------------------------------- in a Network


def _regression_data(k=1, n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    rate = np.exp(0.5 * X[:, :1] - 0.4 * X[:, 1:2] + 0.1 * np.arange(k))
    return X, rng.poisson(rate).astype(float)


def test_the_output_decides_the_pairs():
    net = barenet.Network([3, 4, 1], ["tanh", "exp"])
    assert net.loss == losses.HalfPoisson() and net.task == "regression"
    net = barenet.Network([3, 4, 2], ["relu", "linear"], loss="half_squared_error")
    assert net.task == "regression" and net.metric_name == "mae"
    assert barenet.Network([3, 4, 1], ["relu", "exp"], loss="mse").task == "regression"
    with pytest.raises(ValueError, match="'half_poisson' needs a 'exp' output.*'linear'"):
        barenet.Network([3, 4, 1], ["relu", "linear"], loss="half_poisson")
    with pytest.raises(ValueError, match="'binary_crossentropy' needs a 'sigmoid'.*'exp'"):
        barenet.Network([3, 4, 1], ["relu", "exp"], loss="binary_crossentropy")


@pytest.mark.parametrize("k", [1, 2])
@pytest.mark.parametrize("hidden, output, loss", [
    (["tanh", "relu"], "exp", "half_poisson"),
    (["exp", "tanh"], "exp", "half_poisson"),
    (["tanh", "sigmoid"], "linear", "half_squared_error"),
])
def test_gradient_check_on_networks(hidden, output, loss, k):
    X, y = _regression_data(k, n=12)
    net = barenet.Network([3, 4, 3, k], hidden + [output], loss=loss, seed=1, dtype="float64",
                          l2=0.1)
    assert barenet.gradient_check(net, X, y) < 1e-7


def _set_sklearn_parameters(mlp, net, k):
    mlp.coefs_ = [W.T.copy() for W in net.weights]
    mlp.intercepts_ = [b.ravel().copy() for b in net.biases]
    mlp.n_layers_, mlp.n_outputs_ = len(net.layer_sizes), k
    mlp.out_activation_ = net.activations[-1].name.replace("linear", "identity")


@pytest.mark.parametrize("loss, k", [("half_poisson", 1), ("half_poisson", 2),
                                     ("half_squared_error", 1), ("half_squared_error", 3)])
def test_a_network_step_equals_scikit_learns_backprop(loss, k):
    X, y = _regression_data(k)
    n, Y = X.shape[0], y.reshape(X.shape[0], k)
    output = "exp" if loss == "half_poisson" else "linear"
    net = barenet.Network([3, 5, 4, k], ["tanh", "tanh", output], loss=loss, seed=2,
                          dtype="float64", init="glorot_uniform")
    mlp = MLPRegressor(hidden_layer_sizes=(5, 4), activation="tanh", alpha=0.0,
                       loss="poisson" if loss == "half_poisson" else "squared_error")
    _set_sklearn_parameters(mlp, net, k)
    sk_loss, coef_grads, intercept_grads = mlp._backprop(
        X, Y, None, [X] + [np.empty((n, u)) for u in net.layer_sizes[1:]], [None] * 3,
        [np.empty_like(c) for c in mlp.coefs_], [np.empty_like(b) for b in mlp.intercepts_])
    value, _ = net.engine.step_value_and_grad(X.T, Y.T)
    assert value == pytest.approx(sk_loss, rel=1e-12)
    # scikit-learn's output delta is A - Y whatever k: for its squared loss
    # (a mean over the outputs) k times the loss's gradient; the Poisson loss
    # sums over the outputs, and its gradient is A - Y itself
    scale = k if loss == "half_squared_error" else 1
    for l in range(3):
        np.testing.assert_allclose(net.flat.dweights[l] * scale, coef_grads[l].T, rtol=1e-11,
                                   atol=1e-14)
        np.testing.assert_allclose(net.flat.dbiases[l].ravel() * scale, intercept_grads[l],
                                   rtol=1e-11, atol=1e-14)


@pytest.mark.parametrize("loss, k", [("half_poisson", 2), ("half_squared_error", 2)])
def test_a_network_gradient_equals_torch_autograd(loss, k):
    X, y = _regression_data(k, n=17)
    output = "exp" if loss == "half_poisson" else "linear"
    net = barenet.Network([3, 6, k], ["tanh", output], loss=loss, seed=3, dtype="float64")
    net.engine.step_value_and_grad(X.T, y.T)
    W1, W2 = (torch.asarray(W.copy()).requires_grad_() for W in net.weights)
    b1, b2 = (torch.asarray(b.copy()).requires_grad_() for b in net.biases)
    Xt, Yt = torch.asarray(X.T), torch.asarray(y.T)
    Z = W2 @ torch.tanh(W1 @ Xt + b1) + b2
    if loss == "half_poisson":
        A = torch.exp(Z)
        cost = (torch.xlogy(Yt, Yt) - torch.xlogy(Yt, A) - Yt + A).sum(dim=0).mean()
    else:
        cost = 0.5 * ((Z - Yt) ** 2).mean()
    cost.backward()
    for ours, theirs in zip(net.flat.dweights + net.flat.dbiases,
                            [W1.grad, W2.grad, b1.grad, b2.grad]):
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("library", sorted(LIBRARIES))
@pytest.mark.parametrize("loss", ["half_poisson", "half_squared_error"])
def test_fits_on_other_libraries_equal_numpys(library, loss):
    X, y = _regression_data(2, n=48)
    to = LIBRARIES[library]
    output = "exp" if loss == "half_poisson" else "linear"

    def fit(X, y):
        net = barenet.Network([3, 6, 2], ["exp", output], loss=loss, seed=4, dtype="float64",
                              init=initializers.GlorotUniform(factor=2.0))
        return net, net.fit(X, y, optimizer=barenet.Adam(lr=0.01), epochs=3, batch_size=16)

    ref, ref_history = fit(X, y)
    net, history = fit(to(X), to(y))
    for key in ref_history:
        assert_close(history[key], ref_history[key])
    assert_close(net.parameters, ref.parameters, like=to(X))
    assert_close(net.predict(to(X)), ref.predict(X), like=to(X))
    assert net.evaluate(to(X), to(y))["loss"] == pytest.approx(ref.evaluate(X, y)["loss"],
                                                              rel=1e-12)


def test_a_poisson_network_refuses_negative_targets_naming_them():
    X, y = _regression_data()
    net = barenet.Network([3, 4, 1], ["tanh", "exp"], seed=0)
    bad = y.copy()
    bad[3] = -1
    with pytest.raises(ValueError, match="^y has negative values.*>= 0"):
        net.fit(X, bad, epochs=1)
    assert net.history_ is None  # nothing ran
    with pytest.raises(ValueError, match="^validation_data\\[1\\] has negative"):
        net.fit(X, y, epochs=1, validation_data=(X, bad))
    net.fit(X, y, epochs=1)
    with pytest.raises(ValueError, match="^y has negative"):
        net.evaluate(X, bad)
    # other regression losses take any target
    barenet.Network([3, 4, 1], ["tanh", "linear"], loss="half_squared_error").fit(
        X, -y, epochs=1)


def test_a_poisson_network_learns_the_rate_and_scores_as_scikit_learn():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(400, 2))
    y = rng.poisson(np.exp(0.8 * X[:, 0] - 0.5 * X[:, 1])).astype(float)
    net = barenet.Network([2, 8, 1], ["tanh", "exp"], seed=0, dtype="float64")
    history = net.fit(X, y, optimizer=barenet.Adam(lr=0.02), epochs=60)
    assert history["loss"][-1] < history["loss"][0] / 2
    P = net.forward(X)
    assert (P > 0).all()
    assert net.evaluate(X, y)["loss"] == pytest.approx(
        sk_base.poisson_loss(y.reshape(-1, 1), P), rel=1e-12)
    assert net.evaluate(X, y)["mae"] == pytest.approx(np.abs(P[:, 0] - y).mean(), rel=1e-12)


def test_save_load_and_onnx_of_an_exp_output(tmp_path):
    X, y = _regression_data(2)
    net = barenet.Network([3, 5, 2], ["relu", "exp"], seed=0, dtype="float64",
                          init="glorot_uniform")
    net.fit(X, y, epochs=2)
    net.save(tmp_path / "poisson.npz")
    back = barenet.load(tmp_path / "poisson.npz")
    assert back.loss == losses.HalfPoisson() and back.activations == net.activations
    assert back.init == "glorot_uniform"
    np.testing.assert_array_equal(back.predict(X), net.predict(X))
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    from barenet import onnx as bonnx

    bonnx.export(net, tmp_path / "poisson.onnx")
    assert "Exp" in [node.op_type for node in onnx.load(str(tmp_path / "poisson.onnx")).graph.node]
    session = ort.InferenceSession(str(tmp_path / "poisson.onnx"),
                                   providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(session.run(None, {"X": X})[0], net.predict(X), rtol=1e-12)


# -------------------------------------------------------- glorot_uniform


def _sklearn_init(sizes, activation, seed):
    """scikit-learn's first weights and biases (``_init_coef``), layer by layer."""
    mlp = MLPRegressor(activation=activation)
    mlp._random_state = np.random.RandomState(seed)
    return [mlp._init_coef(n_in, n_out, np.float64) for n_in, n_out in zip(sizes[:-1], sizes[1:])]


def _sharing_stream(seed):
    """A Generator over the same Mersenne Twister stream as ``RandomState(seed)``."""
    bits = np.random.MT19937()
    bits.state = np.random.RandomState(seed).get_state(legacy=False)
    return np.random.Generator(bits)


@pytest.mark.parametrize("activation, init", [
    ("relu", "glorot_uniform"), ("tanh", initializers.GlorotUniform()),
    ("logistic", initializers.GlorotUniform(factor=2.0))])
def test_glorot_uniform_draws_scikit_learns_numbers(activation, init):
    sizes = [5, 7, 4, 2]
    hidden = {"logistic": "sigmoid"}.get(activation, activation)
    net = barenet.Network(sizes, [hidden, hidden, "linear"], init=init, seed=_sharing_stream(3),
                          dtype="float64")
    for (coef, intercept), W, b in zip(_sklearn_init(sizes, activation, 3), net.weights,
                                       net.biases):
        np.testing.assert_array_equal(W, coef.T)
        np.testing.assert_array_equal(b[:, 0], intercept)


def test_glorot_uniform_bounds_and_dtypes():
    init = initializers.get("glorot_uniform")
    assert init == initializers.GlorotUniform(6.0) and repr(init) == "GlorotUniform(factor=6.0)"
    assert init.bound(300, 100) == np.sqrt(6 / 400)
    assert initializers.GlorotUniform(2).bound(300, 100) == np.sqrt(2 / 400)
    net = barenet.Network([100, 300], ["linear"], init="glorot_uniform", seed=0, dtype="float64")
    W, b, bound = net.weights[0], net.biases[0], np.sqrt(6 / 400)
    assert np.abs(W).max() <= bound and np.abs(b).max() <= bound
    assert abs(W.std() / (bound / np.sqrt(3)) - 1) < 0.02  # uniform: sd = bound / sqrt(3)
    assert (b != 0).all()
    single = barenet.Network([100, 300], ["linear"], init="glorot_uniform", seed=0)
    np.testing.assert_allclose(single.parameters, net.parameters, rtol=1e-6)


def test_a_custom_initializer_and_the_scale_functions():
    class Ones(initializers.Initializer):
        def weights(self, n_out, n_in, rng):
            return np.ones((n_out, n_in))

    net = barenet.Network([3, 4, 1], ["relu", "linear"], init=Ones(), seed=0)
    assert all((W == 1).all() for W in net.weights) and all((b == 0).all() for b in net.biases)
    assert initializers.get(Ones()) == Ones()
    # a scale function: standard normal draws times the scale, biases zero, as before
    rng = np.random.default_rng(9)
    expected = [rng.standard_normal((4, 3)) * np.sqrt(2 / 3), rng.standard_normal((1, 4)) * 0.5]
    weights, biases = [np.empty((4, 3)), np.empty((1, 4))], [np.ones((4, 1)), np.ones((1, 1))]
    initializers.initialize(weights, biases, lambda n_out, n_in: np.sqrt(2 / n_in) if n_in == 3
                            else 0.5, np.random.default_rng(9))
    for W, E in zip(weights, expected):
        np.testing.assert_array_equal(W, E)
    assert all((b == 0).all() for b in biases)
    for bad in (0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="factor"):
            initializers.GlorotUniform(bad)
