"""barenet.sklearn._lbfgs.minimize: L-BFGS-B over a network's flat parameters.

The gradient SciPy is handed is the objective's (centered differences), the
minimum is the one scikit-learn reaches on a convex case (no hidden layer:
logistic regression with L2, against LogisticRegression and MLPClassifier),
the limits hold, float32 and other libraries train, batch normalization's
running statistics are the full batch's, and what L-BFGS cannot do fails
loudly: dropout, and a nan objective.
"""

import numpy as np
import pytest
import scipy.optimize
from sklearn.datasets import load_iris, make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier

import barenet
from barenet.errors import TrainingDiverged
from barenet.gradcheck import numerical_gradient, relative_error
from barenet.sklearn._lbfgs import minimize


def problem(layer_sizes, activations, n=120, seed=0, **options):
    """A network and data as the passes take them: ``(net, X, Y, y)``."""
    X, y = make_classification(n_samples=n, n_features=layer_sizes[0], n_informative=3,
                               n_redundant=0, n_classes=max(2, layer_sizes[-1]),
                               random_state=seed)
    net = barenet.Network(layer_sizes, activations, seed=seed, **options)
    if net.task == "regression":  # real targets, one column per output
        y = np.column_stack([X[:, k] * X[:, k + 1] + y for k in range(layer_sizes[-1])])
        y = y[:, 0] if layer_sizes[-1] == 1 else y
    Xp = net.prepare(X)
    Y, net.classes_ = net.encode(y, n)
    return net, Xp, Y, y


def objective_of(monkeypatch, net, X, Y, weights=None):
    """The function and starting point ``minimize`` hands to SciPy (it stops
    after one iteration)."""
    seen = {}
    real = scipy.optimize.minimize

    def spy(fun, x0, **kwargs):
        seen["fun"], seen["x0"] = fun, x0.copy()
        return real(fun, x0, **kwargs)

    monkeypatch.setattr(scipy.optimize, "minimize", spy)
    minimize(net, X, Y, weights, max_iter=1)
    return seen["fun"], seen["x0"]


# ------------------------------------------------------------- the gradient

@pytest.mark.parametrize("options", [
    {"layer_sizes": [4, 6, 5, 1], "activations": ["tanh", "relu", "sigmoid"], "l2": 0.3},
    {"layer_sizes": [4, 5, 3], "activations": ["sigmoid", "softmax"], "l2": 0.1,
     "batch_norm": True},
    {"layer_sizes": [4, 5, 2], "activations": ["leaky_relu", "linear"], "l2": 0.05},
])
def test_the_gradient_handed_to_scipy_is_the_objectives(monkeypatch, options):
    net, X, Y, _ = problem(dtype="float64", **options)
    weights = np.random.default_rng(1).uniform(0.5, 2.0, X.shape[0])
    fun, x0 = objective_of(monkeypatch, net, X, Y, weights)
    theta = x0.copy()
    value, grad = fun(theta)
    assert isinstance(value, float) and grad.dtype == np.float64 and grad.shape == x0.shape

    g_num = numerical_gradient(lambda: fun(theta)[0], theta)
    assert relative_error(grad, g_num) < 1e-8
    # and the value is the training objective: loss (weighted) plus L2
    net.parameters[...] = x0
    AL = net.engine.forward(X.T, training=True)[0]
    assert value == pytest.approx(net.engine.objective(AL, Y.T, weights), rel=1e-12)


# --------------------------------------------- the minimum, against scikit-learn

@pytest.mark.parametrize("n_classes", [2, 3])
def test_no_hidden_layer_reaches_logistic_regressions_minimum(n_classes):
    # scikit-learn's MLP objective with alpha over n samples is
    #   mean log loss + alpha / (2 n) ||W||^2           (barenet's l2 = alpha)
    # LogisticRegression's is C * sum log loss + 1/2 ||w||^2, n / alpha times
    # the first when C = 1 / alpha; neither penalizes the intercept.
    alpha = 2.0
    output = ["sigmoid"] if n_classes == 2 else ["softmax"]
    net, X, Y, y = problem([5, 1 if n_classes == 2 else n_classes], output, n=150,
                           dtype="float64", l2=alpha)
    result = minimize(net, X, Y, max_iter=1000, tol=1e-10)
    assert result.status == 0, result.message

    reference = LogisticRegression(C=1 / alpha, tol=1e-12, max_iter=10000).fit(X, y)
    coef = reference.coef_  # (1, n_features) for two classes, (k, n_features) for k
    # L-BFGS-B stops once f decreases by less than ~2e-9 relatively (its ftol),
    # before the gradient reaches tol: the parameters agree to about its root
    np.testing.assert_allclose(net.weights[0], coef, atol=1e-4)
    # softmax gives the same outputs for b + c: the biases agree up to a shift
    b, b_ref = net.biases[0][:, 0], reference.intercept_
    if n_classes > 2:
        b, b_ref = b - b.mean(), b_ref - b_ref.mean()
    np.testing.assert_allclose(b, b_ref, atol=1e-4)

    # the same objective value, at scikit-learn's optimum and at ours
    net.weights[0][...], net.biases[0][:, 0] = coef, reference.intercept_
    AL = net.engine.forward(X.T, training=True)[0]
    assert result.fun == pytest.approx(net.engine.objective(AL, Y.T), rel=1e-10)

    mlp = MLPClassifier(hidden_layer_sizes=(), solver="lbfgs", alpha=alpha, tol=1e-10,
                        max_iter=1000, random_state=0).fit(X, y)
    assert result.fun == pytest.approx(mlp.loss_, rel=1e-7)


# ---------------------------------------------------------------- the limits

def test_max_iter_and_max_fun_are_honoured():
    net, X, Y, _ = problem([4, 8, 3], ["tanh", "softmax"], dtype="float64")
    start = net.parameters.copy()
    result = minimize(net, X, Y, max_iter=5, tol=0.0)
    assert result.nit == 5 and result.status == 1
    np.testing.assert_array_equal(net.parameters, result.x)

    net.parameters[...] = start
    result = minimize(net, X, Y, max_fun=12, tol=0.0)
    assert result.status == 1
    # checked between iterations: the last line search may go a little past
    assert 12 <= result.nfev <= 12 + 20


def test_arguments_are_checked():
    net, X, Y, _ = problem([4, 3, 1], ["relu", "sigmoid"])
    with pytest.raises(ValueError, match="max_iter"):
        minimize(net, X, Y, max_iter=0)
    with pytest.raises(TypeError, match="max_fun"):
        minimize(net, X, Y, max_fun=1.5)
    with pytest.raises(ValueError, match="tol"):
        minimize(net, X, Y, tol=-1.0)
    with pytest.raises(TypeError, match="barenet.Network"):
        minimize("net", X, Y)


# ---------------------------------------------------------------- float32

def test_float32_network_trains_to_float64s_minimum():
    results = {}
    for dtype in ("float64", "float32"):
        net, X, Y, _ = problem([4, 6, 1], ["tanh", "sigmoid"], dtype=dtype, l2=0.5)
        results[dtype] = minimize(net, X, Y, max_iter=500)
        assert net.parameters.dtype == np.dtype(dtype)
        # the network holds the result's x, rounded to its dtype
        np.testing.assert_array_equal(net.parameters, results[dtype].x.astype(dtype))
        assert results[dtype].status in (0, 2), results[dtype].message
    assert results["float32"].x.dtype == np.float64
    assert results["float32"].fun == pytest.approx(results["float64"].fun, rel=1e-4)


# ------------------------------------------------------ what L-BFGS cannot do

def test_dropout_is_refused():
    net, X, Y, _ = problem([4, 6, 1], ["relu", "sigmoid"], dropout=0.2)
    start = net.parameters.copy()
    with pytest.raises(ValueError, match="dropout.*random"):
        minimize(net, X, Y)
    np.testing.assert_array_equal(net.parameters, start)


def test_a_nan_objective_stops_the_search_at_the_start_of_its_iteration():
    def fresh():
        return problem([4, 6, 2], ["tanh", "softmax"], dtype="float64", l2=0.1)

    net, X, Y, _ = fresh()
    after_three = minimize(net, X, Y, max_iter=3, tol=0.0)

    net, X, Y, _ = fresh()  # the same start: the same first three iterations
    real = net.engine.step_value_and_grad
    calls = []

    def poisoned(*args):  # nan at the first evaluation of iteration 4
        loss, AL = real(*args)
        calls.append(loss)
        return (np.nan if len(calls) == after_three.nfev + 1 else loss), AL

    net.engine.step_value_and_grad = poisoned
    with pytest.raises(TrainingDiverged, match="iteration 4") as caught:
        minimize(net, X, Y, tol=0.0)
    error = caught.value
    assert (error.what, error.epoch, error.step, error.restored_epoch) == (
        "loss", 4, after_three.nfev + 1, 4)
    np.testing.assert_array_equal(net.parameters, after_three.x)


def test_overflowing_inputs_diverge_at_once_and_keep_the_start():
    net, X, Y, _ = problem([4, 6, 1], ["relu", "linear"], dtype="float32")
    start = net.parameters.copy()
    with pytest.raises(TrainingDiverged, match="the search started from") as caught:
        minimize(net, X * np.float32(1e30), Y)
    assert caught.value.step == 1
    np.testing.assert_array_equal(net.parameters, start)


# --------------------------------------------------- batch normalization, verbose

def test_batch_norm_ends_with_the_full_batchs_statistics():
    net, X, Y, _ = problem([4, 6, 5, 3], ["relu", "tanh", "softmax"], dtype="float64",
                           batch_norm=True, l2=0.1)
    result = minimize(net, X, Y, max_iter=30)
    _, ws = net.engine.forward(X.T, training=True)
    m = X.shape[0]
    for l in (0, 1):
        np.testing.assert_allclose(net.running_means[l], ws.bn[l].mean, rtol=1e-12)
        np.testing.assert_allclose(net.running_vars[l], ws.bn[l].var * m / (m - 1),
                                   rtol=1e-12)
    np.testing.assert_array_equal(net.parameters, result.x)


def test_verbose_prints_each_iteration(capsys):
    net, X, Y, _ = problem([4, 3, 1], ["tanh", "sigmoid"], dtype="float64")
    result = minimize(net, X, Y, max_iter=4, tol=0.0, verbose=True)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == result.nit == 4
    assert lines[0].startswith("Iteration 1, loss = ")
    assert float(lines[-1].rsplit("= ", 1)[1]) == pytest.approx(result.fun, rel=1e-7)


# ------------------------------------------------------------- other libraries

def test_a_torch_network_trains_where_it_lives():
    torch = pytest.importorskip("torch")
    X, y = load_iris(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    results = {}
    for library in ("numpy", "torch"):
        net = barenet.Network([4, 5, 3], ["tanh", "softmax"], seed=0, dtype="float64", l2=0.1)
        data = X if library == "numpy" else torch.asarray(X)
        net.to(data)
        Xp = net.prepare(data)
        Y, net.classes_ = net.encode(y, len(y))
        results[library] = minimize(net, Xp, Y, max_iter=20)
        if library == "torch":
            assert isinstance(net.parameters, torch.Tensor)
            np.testing.assert_array_equal(net.parameters.numpy(), results[library].x)
    assert results["torch"].nit == results["numpy"].nit
    np.testing.assert_allclose(results["torch"].x, results["numpy"].x, rtol=1e-6, atol=1e-9)
