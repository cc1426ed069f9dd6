"""The core's formulas and the optimizers on any Array API namespace.

Every formula of ``barenet.core`` and every optimizer rule computes in the
namespace of its inputs: NumPy, ``array_api_strict`` (which refuses anything
outside the standard) and PyTorch CPU tensors here. Results come back as
arrays of the caller's namespace and equal NumPy's to 1e-12 relative in
float64 (float32: 1e-5); PyTorch's autograd gives the same gradients as the
backward passes, on torch tensors directly.
"""

import numpy as np
import pytest

import barenet
from barenet.core import activations, linear, losses, normalization, regularization
from barenet.core.namespace import namespace

strict = pytest.importorskip("array_api_strict")

LIBRARIES = ["numpy", "array_api_strict", "torch"]
TOLERANCE = {np.float64: 1e-12, np.float32: 1e-5}


def _library(name):
    if name == "numpy":
        return np.asarray
    if name == "array_api_strict":
        return strict.asarray
    torch = pytest.importorskip("torch")
    return torch.asarray


def _numpy(x):
    """A NumPy copy of an array of any of the libraries (CPU)."""
    return np.asarray(x) if isinstance(x, np.ndarray) else np.from_dlpack(x)


def _same(result, expected, like, dtype, scale=None):
    """``result`` is of ``like``'s type and equals ``expected`` to the dtype's
    tolerance, relative to each value and (for values that cancel) to the
    largest one."""
    assert type(result) is type(like), f"{type(result)} from {type(like)}"
    rtol = TOLERANCE[dtype]
    if scale is None:
        scale = float(np.abs(expected).max()) if np.size(expected) else 0.0
    np.testing.assert_allclose(_numpy(result), expected, rtol=rtol, atol=rtol * scale)


@pytest.fixture(params=LIBRARIES)
def to(request):
    return _library(request.param)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", sorted(activations.REGISTRY))
def test_activations_compute_in_the_callers_namespace(to, name, dtype):
    rng = np.random.default_rng(1)
    Z, dA = rng.normal(size=(2, 5, 7)).astype(dtype) * 3
    act = activations.get(name)
    A, dZ = act.forward(Z), act.backward(dA, Z, act.forward(Z))
    Zx, dAx = to(Z), to(dA)
    Ax = act.forward(Zx)
    _same(Ax, A, Zx, dtype)
    _same(act.backward(dAx, Zx, Ax), dZ, Zx, dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", sorted(losses.REGISTRY))
def test_losses_compute_in_the_callers_namespace(to, name, dtype):
    rng = np.random.default_rng(2)
    loss = losses.get(name)
    n = 1 if name == "binary_crossentropy" else 3
    Z = rng.normal(size=(n, 9)).astype(dtype)
    output = activations.get(loss.fused_activation or "linear")
    A = output.forward(Z)
    Y = (rng.random((n, 9)) < 0.5).astype(dtype) if name != "mse" else rng.normal(
        size=(n, 9)).astype(dtype)
    if name == "categorical_crossentropy":
        Y = np.eye(n, dtype=dtype)[:, rng.integers(0, n, 9)]
    w = rng.random(9).astype(dtype)
    Ax, Yx, Zx, wx = to(A), to(Y), to(Z), to(w)
    value = loss.value(Ax, Yx, wx)
    assert isinstance(value, float)
    assert value == pytest.approx(loss.value(A, Y, w), rel=TOLERANCE[dtype])
    _same(loss.gradient(Ax, Yx), loss.gradient(A, Y), Ax, dtype)
    _same(loss.per_sample(Ax, Yx), loss.per_sample(A, Y), Ax, dtype)
    for activation in (output, activations.get("tanh")):
        _same(losses.output_gradient(loss, activation, Ax, Zx, Yx, wx),
              losses.output_gradient(loss, activation, A, Z, Y, w), Ax, dtype)


@pytest.mark.parametrize("mean", [True, False])
def test_the_linear_step_and_its_backward_pass(to, mean):
    rng = np.random.default_rng(3)
    W, A, b, dZ = (rng.normal(size=s) for s in [(4, 3), (3, 6), (4, 1), (4, 6)])
    Wx, Ax, bx, dZx = to(W), to(A), to(b), to(dZ)
    _same(linear.linear_forward(Wx, Ax, bx), linear.linear_forward(W, A, b), Wx, np.float64)
    for got, expected in zip(linear.linear_backward(dZx, Ax, Wx, mean=mean),
                             linear.linear_backward(dZ, A, W, mean=mean)):
        _same(got, expected, Wx, np.float64)


def test_batch_normalization_and_l2(to):
    rng = np.random.default_rng(4)
    Z, G = rng.normal(size=(2, 5, 8))
    gamma, beta = rng.normal(size=(2, 5, 1))
    out, cache = normalization.batchnorm_forward(Z, gamma, beta)
    outx, cachex = normalization.batchnorm_forward(to(Z), to(gamma), to(beta))
    _same(outx, out, to(Z), np.float64)
    for got, expected in zip(normalization.batchnorm_backward(to(G), cachex, mean=False),
                             normalization.batchnorm_backward(G, cache, mean=False)):
        _same(got, expected, to(Z), np.float64)
    mean, var = np.zeros((5, 1)), np.ones((5, 1))
    meanx, varx = to(mean.copy()), to(var.copy())
    normalization.update_running_stats(mean, var, cache, 0.9)
    normalization.update_running_stats(meanx, varx, cachex, 0.9)
    _same(meanx, mean, meanx, np.float64)
    _same(varx, var, varx, np.float64)
    _same(normalization.batchnorm_inference(to(Z), to(gamma), to(beta), meanx, varx),
          normalization.batchnorm_inference(Z, gamma, beta, mean, var), to(Z), np.float64)
    weights = [rng.normal(size=(3, 4)), rng.normal(size=(2, 3))]
    assert regularization.l2_penalty([to(W) for W in weights], 0.1, 8) == pytest.approx(
        regularization.l2_penalty(weights, 0.1, 8), rel=1e-12)


OPTIMIZERS = {
    "gd": lambda: barenet.GD(lr=0.1),
    "momentum": lambda: barenet.Momentum(lr=0.05, beta=0.9),
    "nesterov": lambda: barenet.Momentum(lr=0.05, beta=0.9, nesterov=True),
    "rmsprop": lambda: barenet.RMSProp(lr=0.01, bias_correction=True),
    "adam": lambda: barenet.Adam(lr=0.01),
    "adam-clipped": lambda: barenet.Adam(lr=0.01, clipnorm=0.5),
    "adamw": lambda: barenet.AdamW(lr=0.01, weight_decay=0.1),
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_fifty_optimizer_steps_equal_numpys(to, name, dtype):
    """The rule's own code on another library's arrays (NumPy's run in the
    fast layer) gives NumPy's parameters and state, in the caller's arrays."""
    rng = np.random.default_rng(5)
    shapes = [(3, 4), (4, 1), (5,)]
    grads = [[rng.normal(size=s).astype(dtype) for s in shapes] for _ in range(50)]
    start = [rng.normal(size=s).astype(dtype) for s in shapes]
    ours, theirs = OPTIMIZERS[name](), OPTIMIZERS[name]()
    params = [p.copy() for p in start]
    params_x = [to(p.copy()) for p in start]
    for g in grads:
        ours.step(params, g)
        theirs.step(params_x, [to(x) for x in g])
    for got, expected in zip(params_x, params):
        _same(got, expected, params_x[0], dtype)
    for field, field_x in zip(ours.state, theirs.state):
        for got, expected in zip(field_x, field):
            _same(got, expected, params_x[0], dtype)


def test_a_non_finite_gradient_is_refused_on_any_library(to):
    opt = barenet.Adam(lr=0.1)
    p = to(np.ones(3))
    with pytest.raises(barenet.TrainingDiverged, match="gradient"):
        opt.step([p], [to(np.array([1.0, np.nan, 0.0]))])
    np.testing.assert_array_equal(_numpy(p), np.ones(3))


def test_mixing_libraries_is_an_error_that_names_them():
    torch = pytest.importorskip("torch")
    relu = activations.get("relu")
    with pytest.raises(TypeError, match="different libraries.*numpy.*torch"):
        relu.backward(np.ones((2, 2)), None, torch.ones((2, 2), dtype=torch.float64))
    with pytest.raises(TypeError, match="different libraries"):
        namespace(np.ones(2), strict.asarray([1.0]))


@pytest.mark.parametrize("name", sorted(activations.REGISTRY))
def test_activation_gradients_equal_torch_autograd_on_tensors(name):
    """``backward(dA, Z, A)`` on torch tensors is the vector-Jacobian product
    autograd takes through ``forward``."""
    torch = pytest.importorskip("torch")
    gen = torch.Generator().manual_seed(6)
    Z = (torch.randn(4, 6, generator=gen, dtype=torch.float64) * 3).requires_grad_()
    dA = torch.randn(4, 6, generator=gen, dtype=torch.float64)
    act = activations.get(name)
    A = act.forward(Z)
    (A * dA).sum().backward()
    with torch.no_grad():
        dZ = act.backward(dA, Z.detach(), A.detach())
    assert isinstance(dZ, torch.Tensor)
    torch.testing.assert_close(dZ, Z.grad, rtol=1e-12, atol=1e-15)


# ------------------------------------------------------------ the notebook

NOTEBOOK_RUNS = {
    "plain": {},
    "dropout-l2": {"keep_prob": 0.8, "lambd": 0.1},
    "adam": {"optimizer": "adam"},
    # with batch normalization the first layer's bias has a zero gradient, up
    # to rounding: plain gradient descent keeps that noise at the noise's size
    "batch-norm": {"batch_norm": True, "optimizer": 0.05},
}


def _notebook_data():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(3, 40))
    return X, (X[:1] * X[1:2] > 0).astype(float)


@pytest.mark.parametrize("run", sorted(NOTEBOOK_RUNS))
def test_the_notebooks_model_trains_alike_on_every_library(to, run):
    """``L_layer_model`` on another library's arrays: the parameters drawn from
    the same seed, the same mini-batches and dropout masks, the same costs and
    trained parameters as on NumPy, as arrays of the caller's library."""
    from barenet import notebook as nb

    X, Y = _notebook_data()
    shape, acts = [3, 5, 4, 1], ["relu", "tanh", "sigmoid"]
    kwargs = dict(num_epochs=4, mini_batch_size=16, seed=1, **NOTEBOOK_RUNS[run])
    expected, expected_costs = nb.L_layer_model(X, Y, shape, acts, **kwargs)
    Xx = to(X)
    got, costs = nb.L_layer_model(Xx, to(Y), shape, acts, **kwargs)
    np.testing.assert_allclose(costs, expected_costs, rtol=1e-12)
    assert sorted(got) == sorted(expected)
    # relative to the largest parameter: a bias before batch normalization is rounding noise
    scale = max(float(np.abs(value).max()) for value in expected.values())
    for key in expected:
        _same(got[key], expected[key], Xx, np.float64, scale)
    _same(nb.predict(Xx, got, acts), nb.predict(X, expected, acts), Xx, np.float64)


def test_the_notebooks_steps_one_by_one(to):
    """forward_prop, cost, backward_prop and update_parameters, each in the
    caller's library."""
    from barenet import notebook as nb

    X, Y = _notebook_data()
    acts = ["relu", "sigmoid"]
    params = nb.initialize_parameters([3, 4, 1], "xavier", seed=2)
    params_x = nb.initialize_parameters([3, 4, 1], "xavier", seed=2, like=to(X))
    for key in params:
        _same(params_x[key], params[key], to(X), np.float64)
    AL, caches = nb.forward_prop(X, acts, params, keep_prob=0.7, seed=3)
    ALx, caches_x = nb.forward_prop(to(X), acts, params_x, keep_prob=0.7, seed=3)
    _same(ALx, AL, ALx, np.float64)
    assert nb.cost(ALx, to(Y), "binary_crossentropy", params_x, 0.2) == pytest.approx(
        nb.cost(AL, Y, "binary_crossentropy", params, 0.2), rel=1e-12)
    grads = nb.backward_prop(AL, Y, caches, acts, lambd=0.2)
    grads_x = nb.backward_prop(ALx, to(Y), caches_x, acts, lambd=0.2)
    for key in grads:
        _same(grads_x[key], grads[key], ALx, np.float64)
    nb.update_parameters(params, grads, 0.1)
    nb.update_parameters(params_x, grads_x, 0.1)
    for key in params:
        _same(params_x[key], params[key], ALx, np.float64)


def test_the_notebook_refuses_mixed_libraries_and_bad_values():
    torch = pytest.importorskip("torch")
    from barenet import notebook as nb

    X, Y = _notebook_data()
    params = nb.initialize_parameters([3, 4, 1], seed=2)
    with pytest.raises(TypeError, match="different libraries"):
        nb.forward_prop(torch.asarray(X), ["relu", "sigmoid"], params)
    with pytest.raises(TypeError, match="different libraries"):
        nb.L_layer_model(torch.asarray(X), Y, [3, 4, 1], ["relu", "sigmoid"], num_epochs=1)
    bad = torch.asarray(X)
    bad[0, 0] = float("nan")
    with pytest.raises(ValueError, match="X contains NaN"):
        nb.L_layer_model(bad, torch.asarray(Y), [3, 4, 1], ["relu", "sigmoid"], num_epochs=1)
