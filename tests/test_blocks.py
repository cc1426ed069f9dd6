"""Building blocks and the Network API: registries, numerical stability,
losses, initializers, mini-batches, the linear step, the public API, argument
checks and divergence handling.

Layout reminder: the math core works on (units, samples); Network takes
(samples, features).
"""

import contextlib
import re
import warnings

import numpy as np
import pytest

import barenet
from barenet import activations, initializers, losses, optimizers
from barenet.linear import linear_backward, linear_forward
from barenet.training import History, minibatch_indices

FLOATS = [np.float32, np.float64]


@contextlib.contextmanager
def no_fp_trouble():
    """Any warning is an error, and overflow, division by zero and invalid
    operations raise. Underflow is allowed: exp(-1e4) == 0 is the right answer."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            yield


# ----------------------------------------------------------------- data helpers


def binary_data(m=40, seed=0, labels=("cat", "dog")):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, 2))
    y = np.where(X[:, 0] + X[:, 1] > 0, labels[1], labels[0])
    return X, y


def multiclass_data(m=60, seed=0):
    rng = np.random.default_rng(seed)
    centers = np.array([[3.0, 0.0], [-3.0, 0.0], [0.0, 3.0]])
    y = np.arange(m) % 3
    X = centers[y] + 0.5 * rng.normal(size=(m, 2))
    return X, y


def regression_data(m=40, seed=0, n_out=1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, 3))
    W = rng.normal(size=(3, n_out))
    y = X @ W + 0.1
    return X, (y[:, 0] if n_out == 1 else y)


# ==================================================================== 1. registries


def _check_unknown(get, registry):
    for bad in ("nope", None, 123):
        with pytest.raises(ValueError) as info:
            get(bad)
        message = str(info.value)
        for name in registry:
            assert name in message, (name, message)


def test_activation_registry():
    assert set(activations.REGISTRY) == {
        "linear", "sigmoid", "relu", "leaky_relu", "tanh", "softmax", "exp"}
    for name, cls in activations.REGISTRY.items():
        act = activations.get(name)
        assert type(act) is cls
        assert act.name == name
        assert act == cls()
        obj = cls()
        assert activations.get(obj) is obj
    custom = activations.LeakyReLU(0.3)
    assert activations.get(custom) is custom
    _check_unknown(activations.get, activations.REGISTRY)


def test_initializer_registry():
    assert set(initializers.REGISTRY) == {"random", "xavier", "he", "glorot_uniform"}
    glorot = initializers.get("glorot_uniform")
    assert glorot == initializers.GlorotUniform(factor=6.0)
    assert initializers.get(glorot) is glorot
    expected = {"random": 0.01, "xavier": np.sqrt(1 / 50), "he": np.sqrt(2 / 50)}
    for name in expected:
        fn = initializers.REGISTRY[name]
        assert initializers.get(name) is fn
        assert fn.__name__ == name
        assert initializers.get(fn) is fn
        assert np.isclose(fn(20, 50), expected[name])

    def custom(n_out, n_in):
        return 0.5

    assert initializers.get(custom) is custom
    _check_unknown(initializers.get, initializers.REGISTRY)


def test_loss_registry():
    assert set(losses.REGISTRY) == {"binary_crossentropy", "categorical_crossentropy", "mse",
                                    "half_squared_error", "half_poisson"}
    for name, cls in losses.REGISTRY.items():
        loss = losses.get(name)
        assert type(loss) is cls
        assert loss.name == name
        obj = cls()
        assert losses.get(obj) is obj
    _check_unknown(losses.get, losses.REGISTRY)


def test_optimizer_registry():
    assert set(optimizers.REGISTRY) == {"gd", "momentum", "rmsprop", "adam", "adamw"}
    for name, cls in optimizers.REGISTRY.items():
        opt = optimizers.get(name)
        assert type(opt) is cls
        assert opt.name == name
        assert opt.t == 0
        assert opt.get_config() == cls().get_config()  # default settings
        assert optimizers.get(name) is not opt  # a fresh object each time
        obj = cls(lr=0.123)
        assert optimizers.get(obj) is obj
    _check_unknown(optimizers.get, optimizers.REGISTRY)


# ========================================================= 2. numerical stability


@pytest.mark.parametrize("dtype", FLOATS)
def test_sigmoid_extreme_inputs(dtype):
    Z = np.array([[1e4, -1e4, 0.0, 5.0], [-1e4, 1e4, 1e4, -5.0]], dtype=dtype)
    with no_fp_trouble():
        A = activations.Sigmoid().forward(Z)
    assert A.dtype == dtype
    assert np.isfinite(A).all()
    assert ((A >= 0) & (A <= 1)).all()
    assert A[0, 0] == 1 and A[1, 1] == 1
    assert 0 <= A[0, 1] < 1e-30 and 0 <= A[1, 0] < 1e-30
    assert A[0, 2] == 0.5


def test_sigmoid_large_negative_is_tiny_not_nan():
    sig = activations.Sigmoid()
    with no_fp_trouble():
        a64 = sig.forward(np.array([-700.0, -745.0, -1e4, -1e300]))
        a32 = sig.forward(np.array([-80.0, -1e4, -3e38], dtype=np.float32))
    assert not np.isnan(a64).any() and not np.isnan(a32).any()
    assert (a64 >= 0).all() and (a32 >= 0).all()
    # still accurate where representable
    np.testing.assert_allclose(a64[0], np.exp(-700.0), rtol=1e-12)
    assert a64[0] > 0
    np.testing.assert_allclose(a32[0], np.exp(np.float32(-80.0)), rtol=1e-5)
    assert a32[0] > 0


def test_sigmoid_matches_formula_in_moderate_range():
    z = np.linspace(-30, 30, 20001)
    with no_fp_trouble():
        a = activations.Sigmoid().forward(z)
    ref = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(a, ref, rtol=4e-15, atol=0)


@pytest.mark.parametrize("dtype", FLOATS)
def test_sigmoid_is_within_three_units_in_the_last_place(dtype):
    # against the formula in extended precision, over the whole range where
    # the result is a normal number (below, the spacing is fixed: 3 spacings)
    limit = {np.float32: 87.0, np.float64: 708.0}[dtype]
    z = np.concatenate([np.linspace(-limit, limit, 200_001), [0.0, 1e-30, -1e-30]]).astype(dtype)
    with no_fp_trouble():
        a = activations.Sigmoid().forward(z.reshape(1, -1)).ravel()
    exact = 1 / (1 + np.exp(-z.astype(np.longdouble)))
    ulps = np.abs(a.astype(np.longdouble) - exact) / np.spacing(exact.astype(dtype))
    assert ulps.max() <= 3


@pytest.mark.parametrize("dtype", FLOATS)
def test_softmax_extreme_inputs(dtype):
    Z = np.array(
        [
            [1e4, -1e4, 1e4, -1e4, 3.0],
            [-1e4, 1e4, 1e4, -1e4, -3.0],
            [0.0, 0.0, -1e4, -1e4, 1e4],
        ],
        dtype=dtype,
    )
    with no_fp_trouble():
        A = activations.Softmax().forward(Z)
    assert A.dtype == dtype
    assert A.shape == Z.shape
    assert np.isfinite(A).all()
    assert ((A >= 0) & (A <= 1)).all()
    tol = 1e-6 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(A.sum(axis=0), 1.0, atol=tol)
    np.testing.assert_allclose(A[:, 0], [1, 0, 0], atol=tol)
    np.testing.assert_allclose(A[:, 2], [0.5, 0.5, 0], atol=tol)
    np.testing.assert_allclose(A[:, 3], [1 / 3] * 3, atol=tol)  # all equal, all -1e4
    # the input is not modified
    assert Z[0, 0] == dtype(1e4)


def test_softmax_matches_formula_and_is_shift_invariant():
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(4, 7))
    with no_fp_trouble():
        A = activations.Softmax().forward(Z)
        A_shift = activations.Softmax().forward(Z + 1000.0)
    ref = np.exp(Z) / np.exp(Z).sum(axis=0, keepdims=True)
    np.testing.assert_allclose(A, ref, rtol=1e-13)
    np.testing.assert_allclose(A_shift, ref, rtol=1e-10)


def test_relu_derivative_at_zero_is_zero():
    Z = np.array([[-1.0, 0.0, 2.0]])
    dA = np.array([[3.0, 3.0, 3.0]])
    relu = activations.ReLU()
    A = relu.forward(Z)
    np.testing.assert_array_equal(A, [[0.0, 0.0, 2.0]])
    np.testing.assert_array_equal(relu.backward(dA, Z, A), [[0.0, 0.0, 3.0]])


def test_leaky_relu_derivative_at_zero_is_slope():
    Z = np.array([[-2.0, 0.0, 2.0]])
    dA = np.array([[3.0, 3.0, 3.0]])
    leaky = activations.LeakyReLU(slope=0.25)
    A = leaky.forward(Z)
    np.testing.assert_array_equal(A, [[-0.5, 0.0, 2.0]])
    np.testing.assert_array_equal(leaky.backward(dA, Z, A), [[0.75, 0.75, 3.0]])
    assert activations.LeakyReLU().slope == 0.01
    assert activations.LeakyReLU(0).slope == 0.0  # 0 is allowed: plain ReLU


@pytest.mark.parametrize("slope", [-0.1, 1.0, 1.5, float("nan"), float("inf")])
def test_leaky_relu_slope_out_of_range(slope):
    with pytest.raises(ValueError, match="slope"):
        activations.LeakyReLU(slope)


def test_leaky_relu_slope_wrong_type():
    with pytest.raises(TypeError, match="slope"):
        activations.LeakyReLU("0.1")


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "linear"])
def test_elementwise_backward_matches_finite_differences(name):
    act = activations.get(name)
    rng = np.random.default_rng(1)
    Z = rng.normal(size=(3, 5))
    Z[np.abs(Z) < 1e-3] = 0.5  # keep away from the kink
    dA = rng.normal(size=Z.shape)
    h = 1e-6
    numeric = dA * (act.forward(Z + h) - act.forward(Z - h)) / (2 * h)
    np.testing.assert_allclose(act.backward(dA, Z, act.forward(Z)), numeric, rtol=1e-6,
                               atol=1e-9)


def test_softmax_backward_is_jacobian_vector_product():
    rng = np.random.default_rng(2)
    Z = rng.normal(size=(4, 3))
    dA = rng.normal(size=(4, 3))
    sm = activations.Softmax()
    A = sm.forward(Z)
    dZ = sm.backward(dA, Z, A)
    for i in range(Z.shape[1]):
        a = A[:, i]
        J = np.diag(a) - np.outer(a, a)
        np.testing.assert_allclose(dZ[:, i], J @ dA[:, i], rtol=1e-12, atol=1e-15)


# ========================================================================= 3. losses


@pytest.mark.parametrize("dtype", FLOATS)
def test_bce_with_exact_zero_and_one(dtype):
    bce = losses.BinaryCrossEntropy()
    A_right = np.array([[0.0, 1.0, 0.0, 1.0]], dtype=dtype)
    A_wrong = np.array([[1.0, 0.0, 1.0, 0.0]], dtype=dtype)
    Y = np.array([[0.0, 1.0, 0.0, 1.0]], dtype=dtype)
    with no_fp_trouble():
        v_right = bce.value(A_right, Y)
        v_wrong = bce.value(A_wrong, Y)
        g_right = bce.gradient(A_right, Y)
        g_wrong = bce.gradient(A_wrong, Y)
    for v in (v_right, v_wrong):
        assert np.isfinite(v) and v >= 0
    assert v_right < 1e-6
    assert v_wrong > 10  # -log(eps) is large
    for g in (g_right, g_wrong):
        assert np.isfinite(g).all()
        assert g.dtype == dtype
    # the sign of the gradient points the right way
    assert (g_wrong[Y == 1] < 0).all() and (g_wrong[Y == 0] > 0).all()


@pytest.mark.parametrize("dtype", FLOATS)
def test_ce_with_zeros_in_predictions(dtype):
    ce = losses.CategoricalCrossEntropy()
    A = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], dtype=dtype)
    Y = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]], dtype=dtype)
    with no_fp_trouble():
        v = ce.value(A, Y)
        g = ce.gradient(A, Y)
        v_right = ce.value(A, A)
    assert np.isfinite(v) and v > 10
    assert np.isfinite(v_right) and 0 <= v_right < 1e-6
    assert np.isfinite(g).all() and g.dtype == dtype


@pytest.mark.parametrize("dtype", FLOATS)
def test_loss_values_are_nonnegative(dtype):
    rng = np.random.default_rng(3)
    A = rng.uniform(size=(1, 50)).astype(dtype)
    Y = (rng.uniform(size=(1, 50)) > 0.5).astype(dtype)
    assert losses.BinaryCrossEntropy().value(A, Y) >= 0
    P = rng.uniform(size=(4, 50)).astype(dtype)
    P /= P.sum(axis=0, keepdims=True)
    Yc = np.eye(4, dtype=dtype)[:, rng.integers(0, 4, size=50)]
    assert losses.CategoricalCrossEntropy().value(P, Yc) >= 0
    assert losses.MeanSquaredError().value(P, Yc) >= 0
    assert losses.MeanSquaredError().value(P, P) == 0


def test_loss_gradients_match_finite_differences():
    rng = np.random.default_rng(4)
    m = 6
    A = rng.uniform(0.1, 0.9, size=(3, m))
    Y = np.eye(3)[:, rng.integers(0, 3, size=m)]
    h = 1e-7
    for loss in (losses.BinaryCrossEntropy(), losses.CategoricalCrossEntropy(),
                 losses.MeanSquaredError()):
        g = loss.gradient(A, Y)
        numeric = np.zeros_like(A)
        for idx in np.ndindex(*A.shape):
            Ap, Am = A.copy(), A.copy()
            Ap[idx] += h
            Am[idx] -= h
            numeric[idx] = (loss.value(Ap, Y) - loss.value(Am, Y)) / (2 * h)
        # gradient() is per sample (not divided by m)
        np.testing.assert_allclose(g / m, numeric, rtol=1e-5, atol=1e-8, err_msg=loss.name)


def test_output_gradient_fused_sigmoid_bce_moderate():
    rng = np.random.default_rng(5)
    Z = rng.uniform(-5, 5, size=(1, 20))
    Y = (rng.uniform(size=(1, 20)) > 0.5).astype(float)
    sig, bce = activations.Sigmoid(), losses.BinaryCrossEntropy()
    A = sig.forward(Z)
    fused = losses.output_gradient(bce, sig, A, Z, Y)
    np.testing.assert_array_equal(fused, A - Y)
    long_way = sig.backward(bce.gradient(A, Y), Z, A)
    np.testing.assert_allclose(fused, long_way, rtol=1e-9, atol=1e-12)


def test_output_gradient_fused_softmax_ce_moderate():
    rng = np.random.default_rng(6)
    Z = rng.uniform(-5, 5, size=(4, 20))
    Y = np.eye(4)[:, rng.integers(0, 4, size=20)]
    sm, ce = activations.Softmax(), losses.CategoricalCrossEntropy()
    A = sm.forward(Z)
    fused = losses.output_gradient(ce, sm, A, Z, Y)
    np.testing.assert_array_equal(fused, A - Y)
    long_way = sm.backward(ce.gradient(A, Y), Z, A)
    np.testing.assert_allclose(fused, long_way, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("dtype", FLOATS)
def test_output_gradient_fused_exact_when_saturated(dtype):
    # sigmoid + BCE: confidently wrong (40 -> y=0, -40 -> y=1) and right (1e4 -> y=1)
    sig, bce = activations.Sigmoid(), losses.BinaryCrossEntropy()
    Z = np.array([[40.0, -40.0, 1e4, -1e4]], dtype=dtype)
    Y = np.array([[0.0, 1.0, 1.0, 0.0]], dtype=dtype)
    with no_fp_trouble():
        A = sig.forward(Z)
        g = losses.output_gradient(bce, sig, A, Z, Y)
    assert g.dtype == dtype
    assert np.isfinite(g).all()
    np.testing.assert_array_equal(g, A - Y)
    np.testing.assert_allclose(g, [[1.0, -1.0, 0.0, 0.0]], atol=1e-15)

    # softmax + CE
    sm, ce = activations.Softmax(), losses.CategoricalCrossEntropy()
    Z = np.array([[1e4, 0.0], [0.0, -1e4], [-1e4, 1e4]], dtype=dtype)
    Y = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]], dtype=dtype)
    with no_fp_trouble():
        A = sm.forward(Z)
        g = losses.output_gradient(ce, sm, A, Z, Y)
    assert g.dtype == dtype
    assert np.isfinite(g).all()
    np.testing.assert_array_equal(g, A - Y)
    np.testing.assert_allclose(g, [[1.0, 0.0], [-1.0, 0.0], [0.0, 0.0]], atol=1e-15)


def test_output_gradient_other_pairs_go_the_long_way():
    rng = np.random.default_rng(7)
    Z = rng.normal(size=(2, 5))
    Y = rng.normal(size=(2, 5))
    lin, mse = activations.Linear(), losses.MeanSquaredError()
    np.testing.assert_allclose(losses.output_gradient(mse, lin, Z, Z, Y), (Z - Y))  # 2/k, k=2
    tanh = activations.Tanh()
    A = tanh.forward(Z)
    np.testing.assert_allclose(losses.output_gradient(mse, tanh, A, Z, Y),
                               (A - Y) * (1 - A**2))


# =================================================================== 4. initializers


@pytest.mark.parametrize("init", ["random", "xavier", "he"])
def test_initialize_shapes_zero_biases(init):
    rng = np.random.default_rng(0)
    weights = [np.ones((4, 3)), np.ones((2, 4))]
    biases = [np.ones((4, 1)), np.ones((2, 1))]
    initializers.initialize(weights, biases, init, rng)
    assert [W.shape for W in weights] == [(4, 3), (2, 4)]
    for b in biases:
        assert b.shape[1] == 1 and (b == 0).all()
    for W in weights:
        assert (W != 1).all()


def test_network_parameter_shapes():
    net = barenet.Network([5, 7, 3, 1], ["relu", "tanh", "sigmoid"], seed=0)
    assert [W.shape for W in net.weights] == [(7, 5), (3, 7), (1, 3)]
    assert [b.shape for b in net.biases] == [(7, 1), (3, 1), (1, 1)]
    assert all((b == 0).all() for b in net.biases)
    assert net.parameters.shape == (7 * 5 + 7 + 3 * 7 + 3 + 3 + 1,)


@pytest.mark.parametrize(
    "init, scale",
    [("random", lambda n: 0.01), ("xavier", lambda n: np.sqrt(1 / n)),
     ("he", lambda n: np.sqrt(2 / n))],
)
def test_initializer_scale(init, scale):
    n_in, n_out = 400, 500
    net = barenet.Network([n_in, n_out], ["linear"], init=init, seed=0, dtype="float64")
    W = net.weights[0]
    expected = scale(n_in)
    assert abs(W.std() / expected - 1) < 0.02
    assert abs(W.mean()) < 0.02 * expected


def test_custom_init_callable():
    net = barenet.Network([300, 300], ["linear"], init=lambda n_out, n_in: 0.5, seed=0,
                          dtype="float64")
    assert abs(net.weights[0].std() / 0.5 - 1) < 0.02


def test_same_seed_same_weights_different_seed_different():
    a = barenet.Network([4, 6, 2], ["relu", "softmax"], seed=11)
    b = barenet.Network([4, 6, 2], ["relu", "softmax"], seed=11)
    c = barenet.Network([4, 6, 2], ["relu", "softmax"], seed=12)
    assert np.array_equal(a.parameters, b.parameters)
    assert not np.array_equal(a.parameters, c.parameters)
    # float32 and float64 draw the same numbers, up to rounding
    d = barenet.Network([4, 6, 2], ["relu", "softmax"], seed=11, dtype="float64")
    np.testing.assert_allclose(a.parameters, d.parameters, rtol=1e-6)


def test_generator_passed_in_is_used():
    gen = np.random.default_rng(5)
    state_before = gen.bit_generator.state
    net = barenet.Network([4, 6, 1], ["relu", "sigmoid"], seed=gen)
    assert gen.bit_generator.state != state_before  # it advanced
    ref = barenet.Network([4, 6, 1], ["relu", "sigmoid"], seed=np.random.default_rng(5))
    assert np.array_equal(net.parameters, ref.parameters)
    # the same generator keeps being used for shuffling
    X, y = binary_data(m=20)
    state_mid = gen.bit_generator.state
    net.fit(X[:, :1].repeat(4, axis=1), y, epochs=2, batch_size=8)
    assert gen.bit_generator.state != state_mid


def _global_state_equal(s1, s2):
    return (s1[0] == s2[0] and np.array_equal(s1[1], s2[1]) and s1[2:] == s2[2:])


@pytest.mark.parametrize("seed", [0, None])
def test_global_numpy_random_state_untouched(seed):
    before = np.random.get_state()
    X, y = binary_data(m=30)
    net = barenet.Network([2, 5, 1], ["relu", "sigmoid"], seed=seed)
    net.fit(X, y, epochs=3, batch_size=8, optimizer="momentum")
    net.predict_proba(X)
    after = np.random.get_state()
    assert _global_state_equal(before, after)


# =================================================================== 5. mini-batches


def test_minibatch_all_indices_once_last_partial_kept():
    batches = minibatch_indices(10, 3, np.random.default_rng(0))
    assert [len(b) for b in batches] == [3, 3, 3, 1]
    np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(10))


@pytest.mark.parametrize("m, bs", [(10, 3), (7, 7), (7, 1), (12, 5), (5, 100)])
def test_minibatch_partition(m, bs):
    batches = minibatch_indices(m, bs, np.random.default_rng(1))
    allidx = np.concatenate(batches)
    assert len(allidx) == m
    np.testing.assert_array_equal(np.sort(allidx), np.arange(m))
    assert len(batches) == -(-m // bs)
    assert all(len(b) == bs for b in batches[:-1])
    assert len(batches[-1]) == m - bs * (len(batches) - 1)


def test_minibatch_full_and_single():
    assert len(minibatch_indices(9, 9, np.random.default_rng(0))) == 1
    single = minibatch_indices(9, 1, np.random.default_rng(0))
    assert len(single) == 9 and all(len(b) == 1 for b in single)


def test_minibatch_shuffling_uses_generator():
    a = minibatch_indices(50, 7, np.random.default_rng(3))
    b = minibatch_indices(50, 7, np.random.default_rng(3))
    c = minibatch_indices(50, 7, np.random.default_rng(4))
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.array_equal(np.concatenate(a), np.concatenate(c))
    assert not np.array_equal(np.concatenate(a), np.arange(50))
    gen = np.random.default_rng(3)
    state = gen.bit_generator.state
    minibatch_indices(50, 7, gen)
    assert gen.bit_generator.state != state
    # it is the generator's permutation
    np.testing.assert_array_equal(np.concatenate(a), np.random.default_rng(3).permutation(50))


def test_minibatch_no_shuffle_is_arange():
    gen = np.random.default_rng(0)
    state = gen.bit_generator.state
    batches = minibatch_indices(10, 4, gen, shuffle=False)
    np.testing.assert_array_equal(np.concatenate(batches), np.arange(10))
    assert [len(b) for b in batches] == [4, 4, 2]
    assert gen.bit_generator.state == state  # nothing drawn


@pytest.mark.parametrize("bs, exc", [(0, ValueError), (-1, ValueError), (2.5, TypeError),
                                     (True, TypeError), ("3", TypeError)])
def test_minibatch_invalid_batch_size(bs, exc):
    with pytest.raises(exc, match="batch_size"):
        minibatch_indices(10, bs, np.random.default_rng(0))


# =================================================================== 6. linear step


def test_linear_forward_matches_formula():
    rng = np.random.default_rng(0)
    W, A, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 6)), rng.normal(size=(4, 1))
    np.testing.assert_allclose(linear_forward(W, A, b), W @ A + b, rtol=1e-14)


def test_linear_forward_out_buffer():
    rng = np.random.default_rng(0)
    W, A, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 6)), rng.normal(size=(4, 1))
    out = np.full((4, 6), np.nan)
    Z = linear_forward(W, A, b, out=out)
    assert Z is out
    np.testing.assert_allclose(out, W @ A + b, rtol=1e-14)


def test_linear_backward_matches_notebook_formulas():
    rng = np.random.default_rng(1)
    n, n_prev, m = 4, 3, 7
    W = rng.normal(size=(n, n_prev))
    A_prev = rng.normal(size=(n_prev, m))
    dZ = rng.normal(size=(n, m))
    dA_prev, dW, db = linear_backward(dZ, A_prev, W)
    np.testing.assert_allclose(dW, dZ @ A_prev.T / m, rtol=1e-13)
    np.testing.assert_allclose(db, np.sum(dZ, axis=1, keepdims=True) / m, rtol=1e-13)
    assert db.shape == (n, 1)
    np.testing.assert_allclose(dA_prev, W.T @ dZ, rtol=1e-13)
    none, _, _ = linear_backward(dZ, A_prev, W, need_dA_prev=False)
    assert none is None


def test_linear_backward_out_buffers_are_written_in_place():
    rng = np.random.default_rng(2)
    n, n_prev, m = 4, 3, 5
    W = rng.normal(size=(n, n_prev))
    A_prev = rng.normal(size=(n_prev, m))
    dZ = rng.normal(size=(n, m))
    flat = np.full(n * n_prev + n, np.nan)  # as in Network: views of one flat vector
    dW_buf = flat[: n * n_prev].reshape(n, n_prev)
    db_buf = flat[n * n_prev:].reshape(n, 1)
    _, dW, db = linear_backward(dZ, A_prev, W, dW=dW_buf, db=db_buf)
    assert dW is dW_buf and db is db_buf
    np.testing.assert_allclose(flat[: n * n_prev].reshape(n, n_prev), dZ @ A_prev.T / m,
                               rtol=1e-13)
    np.testing.assert_allclose(flat[n * n_prev:], dZ.mean(axis=1), rtol=1e-13)


def test_linear_float32_stays_float32():
    rng = np.random.default_rng(3)
    W = rng.normal(size=(2, 3)).astype(np.float32)
    A = rng.normal(size=(3, 4)).astype(np.float32)
    b = np.zeros((2, 1), np.float32)
    Z = linear_forward(W, A, b)
    assert Z.dtype == np.float32
    dA, dW, db = linear_backward(Z, A, W)
    assert dA.dtype == dW.dtype == db.dtype == np.float32


# ===================================================================== 7. Network API


def test_fit_returns_history_classifier():
    X, y = binary_data(m=40)
    Xv, yv = binary_data(m=15, seed=1)
    net = barenet.Network([2, 6, 1], ["relu", "sigmoid"], seed=0)
    hist = net.fit(X, y, epochs=4, batch_size=16)
    assert isinstance(hist, History) and isinstance(hist, dict)
    assert set(hist) == {"loss", "accuracy"}
    assert len(hist["loss"]) == len(hist["accuracy"]) == 4 == hist.epochs
    assert net.history_ is hist
    hist = net.fit(X, y, epochs=3, batch_size=16, validation_data=(Xv, yv))
    assert set(hist) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 3 for v in hist.values())
    assert all(isinstance(x, float) and np.isfinite(x) for v in hist.values() for x in v)
    assert all(0 <= a <= 1 for a in hist["accuracy"] + hist["val_accuracy"])


def test_fit_returns_history_regression():
    X, y = regression_data()
    Xv, yv = regression_data(m=10, seed=1)
    net = barenet.Network([3, 6, 1], ["tanh", "linear"], seed=0)
    hist = net.fit(X, y, epochs=3, batch_size=16, validation_data=(Xv, yv))
    assert set(hist) == {"loss", "mae", "val_loss", "val_mae"}
    assert all(len(v) == 3 for v in hist.values())
    assert net.task == "regression"


def test_binary_classifier_with_string_labels():
    X, y = binary_data(m=60, labels=("cat", "dog"))
    # the first label seen is 'dog': classes_ must still be sorted
    order = np.argsort(y != "dog", kind="stable")
    X, y = X[order], y[order]
    assert y[0] == "dog"
    net = barenet.Network([2, 8, 1], ["tanh", "sigmoid"], seed=0)
    net.fit(X, y, optimizer=barenet.Adam(lr=0.05), epochs=60, batch_size=20)
    assert net.classes_.tolist() == ["cat", "dog"]
    pred = net.predict(X)
    assert pred.shape == (60,)
    assert set(pred.tolist()) <= {"cat", "dog"}
    assert (pred == y).mean() > 0.9
    P = net.predict_proba(X)
    assert P.shape == (60, 2)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-6)
    assert ((P >= 0) & (P <= 1)).all()
    # column j is P(classes_[j]); column 1 is the sigmoid output
    np.testing.assert_array_equal(P[:, 1], net.forward(X)[:, 0])
    assert P[y == "dog", 1].mean() > 0.7 and P[y == "cat", 0].mean() > 0.7
    np.testing.assert_array_equal(net.classes_[P.argmax(axis=1)], pred)
    assert net.evaluate(X, y)["accuracy"] == pytest.approx((pred == y).mean())


def test_multiclass_softmax_integer_labels():
    X, y = multiclass_data()
    net = barenet.Network([2, 8, 3], ["relu", "softmax"], seed=0)
    hist = net.fit(X, y, optimizer=barenet.Adam(lr=0.05), epochs=40, batch_size=20)
    assert net.task == "multiclass"
    assert net.classes_.tolist() == [0, 1, 2]
    pred = net.predict(X)
    assert pred.shape == (60,) and pred.dtype.kind in "iu"
    assert (pred == y).mean() > 0.9
    assert hist["accuracy"][-1] > 0.9
    P = net.predict_proba(X)
    assert P.shape == (60, 3)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(net.classes_[P.argmax(axis=1)], pred)


def test_regression_predict_shapes():
    X, y = regression_data(m=30)
    net = barenet.Network([3, 8, 1], ["tanh", "linear"], seed=0)
    net.fit(X, y, epochs=5, batch_size=10)
    out = net.predict(X)
    assert out.shape == (30,)
    np.testing.assert_array_equal(out, net.forward(X)[:, 0])
    X2, y2 = regression_data(m=30, n_out=2)
    net2 = barenet.Network([3, 8, 2], ["tanh", "linear"], seed=0)
    net2.fit(X2, y2, epochs=5, batch_size=10)
    assert net2.predict(X2).shape == (30, 2)
    # a regressor needs no fit to predict
    assert barenet.Network([3, 2], ["linear"], seed=0).predict(X).shape == (30, 2)


def test_regression_learns():
    X, y = regression_data(m=80)
    net = barenet.Network([3, 1], ["linear"], seed=0, dtype="float64")
    hist = net.fit(X, y, optimizer=barenet.Adam(lr=0.05), epochs=80, batch_size=16)
    assert hist["loss"][-1] < 0.01 * hist["loss"][0]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kind", ["binary", "multiclass", "regression"])
def test_dtype_everywhere(dtype, kind):
    dt = np.dtype(dtype)
    if kind == "binary":
        X, y = binary_data(m=30)
        net = barenet.Network([2, 5, 1], ["relu", "sigmoid"], seed=0, dtype=dtype)
    elif kind == "multiclass":
        X, y = multiclass_data(m=30)
        net = barenet.Network([2, 5, 3], ["relu", "softmax"], seed=0, dtype=dtype)
    else:
        X, y = regression_data(m=30)
        X = X[:, :2]
        net = barenet.Network([2, 5, 1], ["relu", "linear"], seed=0, dtype=dtype)
    X = X.astype(np.float64)  # float64 inputs are cast
    assert net.dtype == dt
    assert net.parameters.dtype == dt and net.flat.grad.dtype == dt
    opt = barenet.Adam(lr=0.01)
    net.fit(X, y, optimizer=opt, epochs=2, batch_size=8)
    assert net.parameters.dtype == dt and net.flat.grad.dtype == dt
    assert all(W.dtype == dt for W in net.weights)
    assert all(b.dtype == dt for b in net.biases)
    assert all(a.dtype == dt for a in opt.m + opt.v)
    assert net.forward(X).dtype == dt
    assert net.forward(X.astype(np.int64)).dtype == dt
    if kind == "regression":
        assert net.predict(X).dtype == dt
    else:
        assert net.predict_proba(X).dtype == dt
    for name, cls in [("momentum", barenet.Momentum), ("rmsprop", barenet.RMSProp)]:
        o = cls()
        net.fit(X, y, optimizer=o, epochs=1, batch_size=8)
        state = o.velocities if name == "momentum" else o.squares
        assert all(s.dtype == dt for s in state)
        assert net.parameters.dtype == dt


def _fit_once(seed, X, y):
    net = barenet.Network([2, 6, 4, 1], ["relu", "tanh", "sigmoid"], seed=seed)
    hist = net.fit(X, y, optimizer="adam", epochs=5, batch_size=7)
    return net.parameters.copy(), hist


def test_reproducible_with_same_int_seed():
    X, y = binary_data(m=33)
    p1, h1 = _fit_once(3, X, y)
    for _ in range(2):
        p2, h2 = _fit_once(3, X, y)
        assert np.array_equal(p1, p2)
        assert h1 == h2
    p3, _ = _fit_once(4, X, y)
    assert not np.array_equal(p1, p3)


def test_weights_and_biases_are_views_into_parameters():
    net = barenet.Network([3, 4, 2], ["relu", "softmax"], seed=0)
    for W, b, dW, db in zip(net.weights, net.biases, net.flat.dweights, net.flat.dbiases):
        assert np.shares_memory(W, net.parameters)
        assert np.shares_memory(b, net.parameters)
        assert np.shares_memory(dW, net.flat.grad)
        assert np.shares_memory(db, net.flat.grad)
    net.parameters[:] = 0
    assert all((W == 0).all() for W in net.weights)
    net.weights[1][0, 0] = 7
    assert 7 in net.parameters
    # still views after a fit (no reallocation)
    X, y = multiclass_data(m=12)
    net2 = barenet.Network([2, 4, 3], ["relu", "softmax"], seed=0)
    params = net2.parameters
    net2.fit(X, y, epochs=1, batch_size=4)
    assert net2.parameters is params
    assert all(np.shares_memory(W, params) for W in net2.weights)


@pytest.mark.parametrize("name", ["gd", "momentum", "rmsprop", "adam"])
def test_optimizer_by_name_and_object(name):
    X, y = binary_data(m=20)
    net = barenet.Network([2, 4, 1], ["relu", "sigmoid"], seed=0)
    before = net.parameters.copy()
    net.fit(X, y, optimizer=name, epochs=2, batch_size=10)
    assert type(net.optimizer_) is optimizers.REGISTRY[name]
    assert net.optimizer_.t == 4
    assert not np.array_equal(before, net.parameters)
    obj = optimizers.REGISTRY[name](lr=0.02)
    net2 = barenet.Network([2, 4, 1], ["relu", "sigmoid"], seed=0)
    net2.fit(X, y, optimizer=obj, epochs=2, batch_size=10)
    assert net2.optimizer_ is obj
    assert obj.t == 4


def test_optimizer_state_carries_across_fits():
    X, y = binary_data(m=20)
    net = barenet.Network([2, 4, 1], ["relu", "sigmoid"], seed=0)
    opt = barenet.Adam(lr=0.01)
    net.fit(X, y, optimizer=opt, epochs=2, batch_size=8)  # 3 steps per epoch
    assert opt.t == 6
    m0, v0 = opt.state.m_sums[0], opt.state.v_sums[0]
    m_copy = opt.m[0]
    net.fit(X, y, optimizer=opt, epochs=2, batch_size=8)
    assert opt.t == 12
    assert opt.state.m_sums[0] is m0 and opt.state.v_sums[0] is v0  # not re-initialized
    assert not np.array_equal(m_copy, opt.m[0])
    # batch_size None (or > m) is one step per epoch
    net.fit(X, y, optimizer=opt, epochs=3, batch_size=None)
    assert opt.t == 15
    net.fit(X, y, optimizer=opt, epochs=2, batch_size=1000)
    assert opt.t == 17


def test_sigmoid_default_loss_and_repr():
    net = barenet.Network([2, 1], ["sigmoid"], seed=0)
    assert net.loss.name == "binary_crossentropy" and net.task == "binary"
    net = barenet.Network([2, 3], ["softmax"], seed=0)
    assert net.loss.name == "categorical_crossentropy" and net.task == "multiclass"
    net = barenet.Network([2, 3], ["tanh"], seed=0)
    assert net.loss.name == "mse" and net.task == "regression"
    assert "Network(" in repr(net)


# ================================================================ 8. argument checks


@pytest.mark.parametrize(
    "sizes, exc, match",
    [
        ([2, 0, 1], ValueError, r"layer_sizes\[1\]"),
        ([0, 3, 1], ValueError, r"layer_sizes\[0\]"),
        ([2, -3, 1], ValueError, r"layer_sizes\[1\]"),
        ([2, 2.5, 1], TypeError, r"layer_sizes\[1\]"),
        ([2, "3", 1], TypeError, r"layer_sizes\[1\]"),
        ([2, True, 1], TypeError, r"layer_sizes\[1\]"),
        ([2], ValueError, "layer_sizes"),
        (5, TypeError, "layer_sizes"),
        ("21", TypeError, "layer_sizes"),
    ],
)
def test_bad_layer_sizes(sizes, exc, match):
    with pytest.raises(exc, match=match):
        barenet.Network(sizes, ["relu", "sigmoid"], seed=0)


def test_bad_activations_length():
    with pytest.raises(ValueError, match="activations"):
        barenet.Network([2, 3, 1], ["sigmoid"], seed=0)
    with pytest.raises(ValueError, match="activations"):
        barenet.Network([2, 3, 1], ["relu", "relu", "sigmoid"], seed=0)  # len(layer_sizes)
    with pytest.raises(TypeError, match="activations"):
        barenet.Network([2, 1], "sigmoid", seed=0)


def test_unknown_names():
    with pytest.raises(ValueError, match="activation 'swish'"):
        barenet.Network([2, 3, 1], ["swish", "sigmoid"], seed=0)
    with pytest.raises(ValueError, match="initialization 'glorot'"):
        barenet.Network([2, 3, 1], ["relu", "sigmoid"], init="glorot", seed=0)
    with pytest.raises(ValueError, match="loss 'hinge'"):
        barenet.Network([2, 3, 1], ["relu", "sigmoid"], loss="hinge", seed=0)
    X, y = binary_data(m=10)
    net = barenet.Network([2, 3, 1], ["relu", "sigmoid"], seed=0)
    with pytest.raises(ValueError, match="optimizer 'sgd'"):
        net.fit(X, y, optimizer="sgd")


@pytest.mark.parametrize("dtype, exc", [("int32", ValueError), ("float16", ValueError),
                                        (np.int64, ValueError), ("nonsense", TypeError)])
def test_bad_dtype(dtype, exc):
    with pytest.raises(exc, match="dtype"):
        barenet.Network([2, 1], ["sigmoid"], dtype=dtype, seed=0)


def test_loss_output_mismatch():
    with pytest.raises(ValueError, match="binary_crossentropy"):
        barenet.Network([2, 3, 1], ["tanh", "relu"], loss="binary_crossentropy", seed=0)
    with pytest.raises(ValueError, match="categorical_crossentropy"):
        barenet.Network([2, 3, 2], ["tanh", "sigmoid"], loss="categorical_crossentropy",
                        seed=0)
    with pytest.raises(ValueError, match="half_poisson.*'exp'"):
        barenet.Network([2, 3, 1], ["tanh", "linear"], loss="half_poisson", seed=0)
    # k > 1 sigmoid units are k labels (tests/test_multilabel.py)
    assert barenet.Network([2, 3, 2], ["tanh", "sigmoid"], seed=0).task == "multilabel"
    with pytest.raises(ValueError, match="softmax"):
        barenet.Network([2, 3, 1], ["tanh", "softmax"], seed=0)


BAD_FITS = [
    # (description, X-maker, y-maker, kwargs, exception, match)
    ("X 1-D", lambda X: X[:, 0], None, {}, ValueError, "X must be 2-D"),
    ("X 3-D", lambda X: X[:, :, None], None, {}, ValueError, "X must be 2-D"),
    ("X empty", lambda X: np.empty((0, 2)), lambda y: y[:0], {}, ValueError, "X is empty"),
    ("X NaN", lambda X: np.where(np.arange(len(X))[:, None] == 3, np.nan, X), None, {},
     ValueError, "X contains NaN"),
    ("X inf", lambda X: np.where(np.arange(len(X))[:, None] == 3, np.inf, X), None, {},
     ValueError, "X contains NaN"),
    ("X strings", lambda X: X.astype(str), None, {}, TypeError, "X must hold numbers"),
    ("X ragged", lambda X: [[1.0, 2.0], [3.0]], lambda y: y[:2], {}, ValueError, "X is ragged"),
    ("X features", lambda X: np.hstack([X, X]), None, {}, ValueError, "X has 4 features"),
    ("y length", None, lambda y: y[:-1], {}, ValueError, "y has 19 samples but X has 20"),
    ("3 classes", None, lambda y: np.arange(len(y)) % 3, {}, ValueError, "y has 3 classes"),
    ("continuous", None, lambda y: np.linspace(0, 1, len(y)), {}, ValueError, "continuous"),
    ("single class", None, lambda y: np.full(len(y), "cat"), {}, ValueError, "single class"),
    ("y NaN", None, lambda y: np.where(np.arange(len(y)) == 2, np.nan, 1.0), {}, ValueError,
     "y contains NaN"),
    ("epochs 0", None, None, {"epochs": 0}, ValueError, "epochs"),
    ("epochs float", None, None, {"epochs": 2.0}, TypeError, "epochs"),
    ("batch_size 0", None, None, {"batch_size": 0}, ValueError, "batch_size"),
    ("batch_size bool", None, None, {"batch_size": True}, TypeError, "batch_size"),
    ("optimizer", None, None, {"optimizer": "sgd"}, ValueError, "optimizer"),
    ("validation features", None, None, {"validation_data": "features"}, ValueError,
     r"validation_data\[0\] has 1 features"),
    ("validation labels", None, None, {"validation_data": "labels"}, ValueError,
     r"validation_data\[1\]"),
    ("validation not a pair", None, None, {"validation_data": "triple"}, TypeError,
     "validation_data"),
]


def _apply_case(case, X, y):
    _, fx, fy, kwargs, _, _ = case
    kwargs = dict(kwargs)
    vd = kwargs.get("validation_data")
    if vd == "features":
        kwargs["validation_data"] = (X[:, :1], y)
    elif vd == "labels":
        kwargs["validation_data"] = (X, np.where(y == "cat", "cow", y))
    elif vd == "triple":
        kwargs["validation_data"] = (X, y, y)
    return (fx(X) if fx else X), (fy(y) if fy else y), kwargs


@pytest.mark.parametrize("case", BAD_FITS, ids=[c[0] for c in BAD_FITS])
def test_bad_fit_raises_and_changes_nothing(case):
    X, y = binary_data(m=20)
    net = barenet.Network([2, 4, 1], ["relu", "sigmoid"], seed=0)
    before = net.parameters.copy()
    rng_state = net.rng.bit_generator.state
    Xb, yb, kwargs = _apply_case(case, X, y)
    kwargs.setdefault("optimizer", barenet.Adam())
    with pytest.raises(case[4], match=case[5]):
        net.fit(Xb, yb, **kwargs)
    assert np.array_equal(net.parameters, before)
    assert net.rng.bit_generator.state == rng_state
    assert net.history_ is None
    if isinstance(kwargs["optimizer"], barenet.Adam):
        assert kwargs["optimizer"].t == 0


@pytest.mark.parametrize("case", [c for c in BAD_FITS if c[0].startswith("validation")],
                         ids=lambda c: c[0])
def test_failed_fit_leaves_network_unfitted(case):
    """A fit that raised must not leave the classifier half fitted: classes_
    stays None, predict still raises NotFittedError, and a later fit may use
    other labels."""
    X, y = binary_data(m=20)
    net = barenet.Network([2, 4, 1], ["relu", "sigmoid"], seed=0)
    Xb, yb, kwargs = _apply_case(case, X, y)
    with pytest.raises((ValueError, TypeError)):
        net.fit(Xb, yb, **kwargs)
    assert net.classes_ is None
    with pytest.raises(barenet.NotFittedError):
        net.predict(X)
    net.fit(X, (y == "dog").astype(int), epochs=1)  # different labels are fine
    assert net.classes_.tolist() == [0, 1]


def test_failed_fit_after_a_good_fit_changes_nothing():
    X, y = binary_data(m=20)
    net = barenet.Network([2, 4, 1], ["relu", "sigmoid"], seed=0)
    opt = barenet.Adam(lr=0.01)
    net.fit(X, y, optimizer=opt, epochs=2, batch_size=10)
    params, t, hist = net.parameters.copy(), opt.t, net.history_
    for bad in (dict(epochs=0), dict(batch_size=0)):
        with pytest.raises(ValueError):
            net.fit(X, y, optimizer=opt, **bad)
    with pytest.raises(ValueError, match="features"):
        net.fit(np.hstack([X, X]), y, optimizer=opt)
    with pytest.raises(ValueError, match="not trained on"):
        net.fit(X, np.where(y == "cat", "cow", y), optimizer=opt)
    assert np.array_equal(net.parameters, params)
    assert opt.t == t and net.history_ is hist


def test_predict_wrong_features_and_bad_X():
    X, y = binary_data(m=20)
    net = barenet.Network([2, 4, 1], ["relu", "sigmoid"], seed=0)
    net.fit(X, y, epochs=1)
    for method in (net.predict, net.predict_proba, net.forward):
        with pytest.raises(ValueError, match="X has 3 features"):
            method(np.ones((4, 3)))
        with pytest.raises(ValueError, match="X must be 2-D"):
            method(np.ones(2))
        with pytest.raises(ValueError, match="NaN"):
            method(np.array([[np.nan, 1.0]]))
        with pytest.raises(TypeError, match="X must hold numbers"):
            method(np.array([["a", "b"]]))
    with pytest.raises(ValueError, match="X has 1 features"):
        net.evaluate(X[:, :1], y)


def test_not_fitted_errors():
    X, y = binary_data(m=10)
    for net in (barenet.Network([2, 3, 1], ["relu", "sigmoid"], seed=0),
                barenet.Network([2, 3, 3], ["relu", "softmax"], seed=0)):
        with pytest.raises(barenet.NotFittedError):
            net.predict(X)
        with pytest.raises(barenet.NotFittedError):
            net.predict_proba(X)
        with pytest.raises(barenet.NotFittedError):
            net.evaluate(X, y)
    assert issubclass(barenet.NotFittedError, ValueError)
    assert issubclass(barenet.NotFittedError, AttributeError)


def test_predict_proba_on_regressor():
    X, y = regression_data(m=10)
    net = barenet.Network([3, 1], ["linear"], seed=0)
    with pytest.raises(TypeError, match="predict_proba"):
        net.predict_proba(X)
    net.fit(X, y, epochs=1)
    with pytest.raises(TypeError, match="regressor"):
        net.predict_proba(X)


def test_regression_target_checks():
    X, y = regression_data(m=10)
    net = barenet.Network([3, 1], ["linear"], seed=0)
    before = net.parameters.copy()
    with pytest.raises(TypeError, match="y must hold numbers"):
        net.fit(X, np.array(["a"] * 10))
    with pytest.raises(ValueError, match="target columns"):
        net.fit(X, np.ones((10, 2)))
    with pytest.raises(ValueError, match="y contains NaN"):
        net.fit(X, np.full(10, np.nan))
    assert np.array_equal(net.parameters, before)


@pytest.mark.parametrize("bad", [dict(lr=0), dict(lr=-1), dict(lr=float("nan")),
                                 dict(lr="0.1")])
def test_optimizer_lr_checked(bad):
    with pytest.raises((ValueError, TypeError), match="lr"):
        barenet.Adam(**bad)


def test_seed_checked():
    with pytest.raises(ValueError, match="seed"):
        barenet.Network([2, 1], ["sigmoid"], seed=-1)
    with pytest.raises(TypeError, match="seed"):
        barenet.Network([2, 1], ["sigmoid"], seed=1.5)


# ===================================================================== 9. divergence


def _unscaled_regression():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3)) * 100 + 500
    y = X @ np.array([3.0, -2.0, 1.0]) + 1000
    return X, y


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("opt", ["gd", "momentum"])  # Adam's steps are bounded by lr
def test_divergence_raises_training_diverged(dtype, opt):
    X, y = _unscaled_regression()
    net = barenet.Network([3, 8, 1], ["relu", "linear"], seed=0, dtype=dtype)
    optimizer = optimizers.REGISTRY[opt](lr=1e6)
    # Every warning is an error here: overflow on the way must not escape as a
    # RuntimeWarning before TrainingDiverged.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(barenet.TrainingDiverged) as info:
            net.fit(X, y, optimizer=optimizer, epochs=200, batch_size=16)
    assert isinstance(info.value, FloatingPointError)
    message = str(info.value)
    match = re.search(r"epoch (\d+), step (\d+)", message)
    assert match, message
    epoch, step = map(int, match.groups())
    assert 1 <= epoch <= 200 and 1 <= step <= 4
    assert optimizer.t == (epoch - 1) * 4 + step - 1  # the bad step was not applied
    assert np.isfinite(net.parameters).all()
    # the network still works afterwards, without warnings
    with no_fp_trouble():
        assert np.isfinite(net.forward(X[:5])).all()


def test_divergence_when_the_update_itself_overflows():
    """A finite loss and gradient whose update lr * g overflows must not leave
    infinite parameters behind (float32, lr representable in float32)."""
    X = np.array([[1.0], [2.0]])
    y = np.array([1.0, 2.0])
    net = barenet.Network([1, 1], ["linear"], seed=0)  # float32
    with pytest.raises(barenet.TrainingDiverged):
        net.fit(X, y, optimizer=barenet.GD(lr=1e38), epochs=3, batch_size=2, shuffle=False)
    assert np.isfinite(net.parameters).all(), net.parameters
