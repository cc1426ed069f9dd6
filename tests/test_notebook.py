"""The notebook's step-by-step API: each bug of the seed notebook stays fixed,
and the notebook's own example trains a working network."""

import warnings

import numpy as np
import pytest

import barenet
from barenet import notebook as nb


def two_moons(n, noise, seed):
    """Two interleaving half circles, in the notebook's layout: X (2, n), Y (1, n)."""
    rng = np.random.default_rng(seed)
    n1 = n // 2
    t1, t2 = rng.uniform(0, np.pi, n1), rng.uniform(0, np.pi, n - n1)
    X = np.vstack([np.c_[np.cos(t1), np.sin(t1)], np.c_[1 - np.cos(t2), 0.5 - np.sin(t2)]])
    X += rng.normal(scale=noise, size=X.shape)
    return X.T, np.r_[np.zeros(n1), np.ones(n - n1)][None, :]


@pytest.fixture
def rng():
    return np.random.default_rng(0)


# ------------------------------------------------------- the seed notebook's bugs

@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh", "leaky_relu"])
def test_activation_functions_return_arrays_not_tuples(name, rng):
    # The seed's activations returned (A, Z), which forward_activation stored as A.
    Z = rng.normal(size=(3, 4))
    A = getattr(nb, name)(Z)
    assert isinstance(A, np.ndarray) and A.shape == Z.shape
    A2, cache = nb.forward_activation(Z, name)
    assert isinstance(A2, np.ndarray)
    np.testing.assert_array_equal(A2, A)
    assert cache is Z


def test_activation_values(rng):
    Z = rng.normal(size=(3, 5))
    np.testing.assert_allclose(nb.sigmoid(Z), 1 / (1 + np.exp(-Z)), rtol=1e-15)
    np.testing.assert_array_equal(nb.relu(Z), np.maximum(0, Z))
    np.testing.assert_array_equal(nb.tanh(Z), np.tanh(Z))
    np.testing.assert_array_equal(nb.leaky_relu(Z), np.maximum(0.01 * Z, Z))
    np.testing.assert_array_equal(nb.leaky_relu(Z, slope=0.2), np.maximum(0.2 * Z, Z))


def test_sigmoid_backward_uses_sigmoid_values(rng):
    # The seed's sigmoid backward called sigmoid(Z), which returned a tuple.
    Z, dA = rng.normal(size=(2, 3, 5))
    s = 1 / (1 + np.exp(-Z))
    np.testing.assert_allclose(nb.backward_activation(dA, Z, "sigmoid"), dA * s * (1 - s), rtol=1e-14)


def test_tanh_backward_multiplies_dA(rng):
    # The seed's tanh backward multiplied an undefined dZ.
    Z, dA = rng.normal(size=(2, 3, 5))
    np.testing.assert_allclose(
        nb.backward_activation(dA, Z, "tanh"), dA * (1 - np.tanh(Z) ** 2), rtol=1e-14
    )


def test_relu_and_leaky_relu_backward(rng):
    Z, dA = rng.normal(size=(2, 3, 5))
    np.testing.assert_array_equal(nb.backward_activation(dA, Z, "relu"), dA * (Z > 0))
    np.testing.assert_array_equal(
        nb.backward_activation(dA, Z, "leaky_relu"), np.where(Z > 0, dA, 0.01 * dA)
    )


def test_cost_uses_its_argument_and_is_the_notebook_formula(rng):
    # The seed's cost() read an undefined global AL.
    AL = rng.uniform(0.05, 0.95, size=(1, 7))
    Y = (rng.uniform(size=(1, 7)) > 0.5).astype(float)
    expected = -np.mean(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))
    assert nb.cost(AL, Y) == pytest.approx(expected, rel=1e-14)
    assert isinstance(nb.cost(AL, Y), float)


def test_cost_is_finite_for_predictions_of_exactly_0_and_1():
    # The seed's logs were unprotected: log(0) gave inf, 0 * log(0) nan.
    AL = np.array([[0.0, 1.0, 0.0, 1.0]])
    Y = np.array([[0.0, 1.0, 1.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = nb.cost(AL, Y)
        grads = barenet.losses.get("binary_crossentropy").gradient(AL, Y)
    assert np.isfinite(value) and value > 0
    assert np.isfinite(grads).all()
    assert nb.cost(AL[:, :2], Y[:, :2]) < 1e-10  # right and certain costs nothing


def test_backward_prop_uses_each_layers_own_cache(rng):
    # The seed's backward_prop called itself and always read caches[L-1].
    shape = [3, 4, 5, 1]
    acts = ["relu", "tanh", "sigmoid"]
    params = nb.initialize_parameters(shape, seed=1)
    X = rng.normal(size=(3, 8))
    Y = (rng.uniform(size=(1, 8)) > 0.5).astype(float)
    AL, caches = nb.forward_prop(X, acts, params)
    grads = nb.backward_prop(AL, Y, caches, acts)
    for l in range(1, 4):
        assert grads[f"dW{l}"].shape == params[f"W{l}"].shape
        assert grads[f"db{l}"].shape == params[f"b{l}"].shape
    assert grads["dA0"].shape == X.shape


@pytest.mark.parametrize("acts", [["tanh", "relu", "sigmoid"], ["relu", "tanh", "sigmoid"],
                                  ["sigmoid", "leaky_relu", "sigmoid"]])
def test_backward_prop_pairs_each_layer_with_its_forward_activation(acts, rng):
    # The seed indexed layer_activations one off between forward_prop and
    # backward_prop; with distinct activations per layer only a matching
    # backward passes the finite-difference check.
    params = nb.initialize_parameters([3, 4, 5, 1], "xavier", seed=2)
    X = rng.normal(size=(3, 10))
    Y = (rng.uniform(size=(1, 10)) > 0.5).astype(float)
    error = barenet.gradient_check(params, X, Y, layer_activations=acts)
    assert error < 1e-7


def test_layer_activations_one_per_weight_layer():
    params = nb.initialize_parameters([2, 3, 1], seed=0)
    X = np.ones((2, 4))
    with pytest.raises(ValueError, match="one activation per weight layer"):
        nb.forward_prop(X, ["linear", "relu", "sigmoid"], params)  # one per layer_shape entry
    AL, caches = nb.forward_prop(X, ["relu", "sigmoid"], params)
    with pytest.raises(ValueError, match="layer_activations has 3 entries"):
        nb.backward_prop(AL, np.ones((1, 4)), caches, ["linear", "relu", "sigmoid"])


def test_dAL_is_elementwise_not_summed_over_samples(rng):
    # The seed's markdown summed dA^[L] over samples; it is elementwise.
    params = nb.initialize_parameters([2, 3, 1], seed=3)
    X = rng.normal(size=(2, 6))
    Y = (rng.uniform(size=(1, 6)) > 0.5).astype(float)
    AL, caches = nb.forward_prop(X, ["relu", "sigmoid"], params)
    grads = nb.backward_prop(AL, Y, caches, ["relu", "sigmoid"])
    assert grads["dA2"].shape == AL.shape
    np.testing.assert_allclose(grads["dA2"], -(Y / AL - (1 - Y) / (1 - AL)), rtol=1e-14)
    # and the output layer's dZ is the fused AL - Y, so db2 is its mean
    np.testing.assert_allclose(grads["db2"], np.mean(AL - Y, axis=1, keepdims=True), rtol=1e-14)


# ------------------------------------------------------------- the other blocks

def test_initialize_parameters_shapes_and_scales():
    params = nb.initialize_parameters([400, 300, 1], "he", seed=0)
    assert params["W1"].shape == (300, 400) and params["b1"].shape == (300, 1)
    assert params["W2"].shape == (1, 300) and params["b2"].shape == (1, 1)
    assert not params["b1"].any()
    assert params["W1"].std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    assert nb.initialize_parameters([400, 300], "xavier", seed=0)["W1"].std() == pytest.approx(
        np.sqrt(1 / 400), rel=0.02
    )
    assert nb.initialize_parameters([400, 300], "random", seed=0)["W1"].std() == pytest.approx(
        0.01, rel=0.02
    )
    with pytest.raises(ValueError, match="valid names are: random, xavier, he"):
        nb.initialize_parameters([2, 1], "glorot")


def test_initialize_parameters_is_seeded():
    a = nb.initialize_parameters([3, 4, 1], seed=5)
    b = nb.initialize_parameters([3, 4, 1], seed=5)
    c = nb.initialize_parameters([3, 4, 1], seed=6)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["W1"], c["W1"])


def test_update_parameters_with_a_learning_rate_is_gradient_descent(rng):
    params = nb.initialize_parameters([2, 3, 1], seed=0)
    before = {k: v.copy() for k, v in params.items()}
    grads = {f"d{k}": rng.normal(size=v.shape) for k, v in params.items()}
    out = nb.update_parameters(params, grads, 0.1)
    assert out is params
    for k in params:
        np.testing.assert_array_equal(params[k], before[k] - 0.1 * grads[f"d{k}"])


def test_update_parameters_keeps_optimizer_state_between_calls(rng):
    params = nb.initialize_parameters([2, 3, 1], seed=0)
    grads = {f"d{k}": rng.normal(size=v.shape) for k, v in params.items()}
    opt = barenet.Momentum(lr=0.1, beta=0.9)
    W0 = params["W1"].copy()
    nb.update_parameters(params, grads, opt)
    nb.update_parameters(params, grads, opt)
    # v1 = 0.1 g, v2 = 0.9 * 0.1 g + 0.1 g = 0.19 g; total step 0.1 * 0.29 g
    np.testing.assert_allclose(params["W1"], W0 - 0.1 * 0.29 * grads["dW1"], rtol=1e-14)
    assert opt.t == 2
    with pytest.raises(TypeError, match="optimizer object"):
        nb.update_parameters(params, grads, "adam")


def test_random_mini_batches_keeps_the_last_partial_batch(rng):
    X = np.arange(20.0).reshape(2, 10)
    Y = np.arange(10.0)[None, :]
    batches = nb.random_mini_batches(X, Y, mini_batch_size=4, seed=0)
    assert [b[0].shape[1] for b in batches] == [4, 4, 2]
    seen = np.concatenate([b[1][0] for b in batches])
    assert sorted(seen) == list(range(10)) and not np.array_equal(seen, np.arange(10))
    for Xb, Yb in batches:  # columns stay paired
        np.testing.assert_array_equal(Xb[0], Yb[0])
        np.testing.assert_array_equal(Xb[1], Yb[0] + 10)
    assert len(nb.random_mini_batches(X, Y, 10, seed=0)) == 1
    assert len(nb.random_mini_batches(X, Y, 1, seed=0)) == 10


def test_forward_prop_rejects_samples_x_features_input():
    params = nb.initialize_parameters([3, 2, 1], seed=0)
    with pytest.raises(ValueError, match="features x samples"):
        nb.forward_prop(np.ones((5, 3)), ["relu", "sigmoid"], params)


# ------------------------------------------------------ the notebook's example

def test_notebook_example_trains_a_working_network():
    X, Y = two_moons(300, noise=0.2, seed=0)
    acts = ["relu", "relu", "sigmoid"]
    params, costs = nb.L_layer_model(
        X, Y, [2, 5, 2, 1], acts, optimizer=barenet.Adam(lr=0.0075), num_epochs=1000,
        mini_batch_size=64, initialization_method="he", seed=1,
    )
    accuracy = (nb.predict(X, params, acts) == Y).mean()
    assert accuracy >= 0.95
    assert np.mean(costs[-5:]) < 0.5 * np.mean(costs[:5])


def test_notebook_outline_by_hand_under_batch_gd_cost_falls_every_step():
    X, Y = two_moons(200, noise=0.2, seed=1)
    acts = ["relu", "relu", "sigmoid"]
    params = nb.initialize_parameters([2, 8, 4, 1], "he", seed=0)
    optimizer = barenet.GD(lr=0.05)
    costs = []
    for _ in range(300):
        AL, caches = nb.forward_prop(X, acts, params)
        costs.append(nb.cost(AL, Y))
        grads = nb.backward_prop(AL, Y, caches, acts)
        params = nb.update_parameters(params, grads, optimizer)
    assert np.all(np.diff(costs) < 0)
    assert costs[-1] < 0.7 * costs[0]


def test_a_learners_mistakes_get_messages_that_say_what_to_do():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 40))
    Y = (X[0] > 0).astype(float)
    # labels of shape (m,) are one row, as cost and backward_prop take them
    p1, c1 = nb.L_layer_model(X, Y, [2, 3, 1], ["relu", "sigmoid"], seed=0, num_epochs=2)
    p2, c2 = nb.L_layer_model(X, Y.reshape(1, -1), [2, 3, 1], ["relu", "sigmoid"], seed=0,
                              num_epochs=2)
    assert c1 == c2 and all(np.array_equal(p1[k], p2[k]) for k in p1)
    batches = nb.random_mini_batches(X, Y, 16, seed=0)
    assert [b[1].shape for b in batches] == [(1, 16), (1, 16), (1, 8)]
    # a whole layer cache where a part of it is wanted
    AL, caches = nb.forward_prop(X, ["relu", "sigmoid"], p1)
    with pytest.raises(TypeError, match=r"backward_linear takes its linear part: "
                                        r"cache.linear_cache"):
        nb.backward_linear(AL - Y, caches[1])
    with pytest.raises(TypeError, match="a LayerCache's activation_cache"):
        nb.backward_activation(np.ones((3, 40)), caches[0], "relu")
    # the notebook's step by step still works with the parts
    dA_prev, dW, db = nb.backward_linear(AL - Y, caches[1].linear_cache)
    assert dW.shape == (1, 3) and db.shape == (1, 1)


def test_a_learning_rate_too_large_is_named_not_a_nan_error():
    data = barenet.datasets.make_moons(seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warnings on the way
        with pytest.raises(barenet.TrainingDiverged,
                           match=r"AL became nan or infinite at epoch \d+, step \d+: .* Try a "
                                 r"smaller learning rate \(this run's was 1e\+06\)") as info:
            nb.L_layer_model(data.X_train.T, data.y_train, [2, 5, 1], ["relu", "sigmoid"],
                             optimizer=1e6, seed=0, num_epochs=300)
    assert info.value.what == "loss" and info.value.epoch >= 1 and info.value.step >= 1
