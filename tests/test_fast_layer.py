"""The fast layer (barenet.fast) computes the core's numbers, bit for bit.

The core (barenet.core, barenet.optim) writes each formula once, making new
arrays; the fast layer runs the same operations in place on NumPy arrays.
Here, with numba's loops unloaded (those are compared in test_fused.py, where
numba is installed): every activation's in-place passes, the output gradient
and every optimizer rule's passes against the core, in float32 and float64,
and a subclass that changes a formula is run through its own code.
"""

import numpy as np
import pytest

import barenet
from barenet.core import activations, losses
from barenet.fast import activations as fast_activations
from barenet.fast import kernels
from barenet.fast import losses as fast_losses
from barenet.optim import RUNNERS


@pytest.fixture(autouse=True)
def without_loops(monkeypatch):
    """The NumPy passes: no compiled loop, whether numba is installed or not."""
    monkeypatch.setattr(kernels, "_kernels", {})


def same_bits(x, y):
    assert x.dtype == y.dtype and x.shape == y.shape
    ints = np.int32 if x.dtype == np.float32 else np.int64
    same = (x.view(ints) == y.view(ints)) | (np.isnan(x) & np.isnan(y))
    assert same.all(), (x[~same][:5], y[~same][:5])


def values(rng, shape, dtype, scale=3.0):
    """Normal draws with zeros of both signs and large magnitudes spread through."""
    a = (rng.standard_normal(shape) * scale).astype(dtype)
    flat = a.reshape(-1)
    flat[::7], flat[1::11], flat[2::13] = 0.0, -0.0, 60.0
    flat[3::17] = -60.0
    return a


ACTIVATIONS = [cls() for cls in activations.REGISTRY.values()] + [activations.LeakyReLU(0.2)]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(3, 50), (64, 70)])
@pytest.mark.parametrize("activation", ACTIVATIONS, ids=repr)
def test_each_activations_passes_equal_the_core(activation, shape, dtype):
    rng = np.random.default_rng(shape[1])
    Z, dA = values(rng, shape, dtype), values(rng, shape, dtype, 1.0)
    A = activation.forward(Z)
    dZ = activation.backward(dA, Z, A)
    assert type(activation) in fast_activations.PASSES
    same_bits(fast_activations.forward(activation, Z, np.empty_like(Z)), A)
    same_bits(fast_activations.backward(activation, dA, Z, A, np.empty_like(Z)), dZ)
    in_place = Z.copy()  # inference applies the activation in place
    assert fast_activations.forward(activation, in_place, in_place) is in_place
    same_bits(in_place, A)
    d = dA.copy()
    assert fast_activations.backward(activation, d, Z, A, d) is d
    same_bits(d, dZ)
    bound = fast_activations.bind_backward(activation, dA, Z, A, np.empty_like(Z))
    bound()
    same_bits(bound.args[-1], dZ)  # a partial that owns its arrays


def test_a_subclass_runs_its_own_passes():
    class Doubled(activations.Tanh):
        def forward(self, Z, out=None):
            return 2 * super().forward(Z)  # a new array, out left alone

    Z = np.linspace(-2, 2, 12).reshape(3, 4)
    out = np.empty_like(Z)
    assert fast_activations.forward(Doubled(), Z, out) is out
    np.testing.assert_array_equal(out, 2 * np.tanh(Z))
    assert Doubled not in fast_activations.PASSES


PAIRS = [("sigmoid", "binary_crossentropy", 1), ("softmax", "categorical_crossentropy", 3),
         ("linear", "mse", 2), ("sigmoid", "mse", 1), ("tanh", "mse", 2)]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("activation, loss, n", PAIRS)
def test_the_output_gradient_in_place_equals_the_core(activation, loss, n, weighted, dtype):
    rng = np.random.default_rng(n)
    activation, loss = activations.get(activation), losses.get(loss)
    Z = values(rng, (n, 40), dtype)
    A = activation.forward(Z)
    Y = rng.random((n, 40)).astype(dtype)
    weights = rng.random(40).astype(dtype) if weighted else None
    expected = losses.output_gradient(loss, activation, A, Z, Y, weights)
    same_bits(fast_losses.output_gradient(loss, activation, A, Z, Y, weights,
                                          np.empty_like(A)), expected)


def core(cls):
    """``cls`` as a subclass that changes nothing: no runner, the core's ``update``."""
    return type("Core" + cls.__name__, (cls,), {})


RULES = [
    (barenet.GD, {"lr": 0.1}), (barenet.GD, {"lr": 0.01, "clipnorm": 1.0}),
    (barenet.Momentum, {}), (barenet.Momentum, {"beta": 0.8, "nesterov": True}),
    (barenet.RMSProp, {}), (barenet.RMSProp, {"beta": 0.8, "eps": 1e-3, "bias_correction": True}),
    (barenet.Adam, {}), (barenet.Adam, {"lr": 0.05, "beta1": 0.0, "clipnorm": 0.5}),
    (barenet.AdamW, {}), (barenet.AdamW, {"lr": 0.05, "weight_decay": 0.1}),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("cls, kwargs", RULES, ids=[f"{c.__name__}-{k}" for c, k in RULES])
def test_each_rules_passes_equal_the_core(cls, kwargs, dtype):
    rng = np.random.default_rng(7)
    shapes = [(40, 9), (9,), (300,)]
    fast, reference = cls(**kwargs), core(cls)(**kwargs)
    assert cls in RUNNERS and type(reference) not in RUNNERS
    params = [rng.standard_normal(s).astype(dtype) for s in shapes]
    twins = [p.copy() for p in params]
    for step in range(20):
        grads = [(rng.standard_normal(s) * 10.0 ** rng.integers(-6, 3, s)).astype(dtype)
                 for s in shapes]
        fast.step(params, grads)
        reference.step(twins, grads)
        for p, q in zip(params, twins):
            same_bits(p, q)
    a, b = fast.get_state(), reference.get_state()
    assert a["t"] == b["t"] == 20
    for name, arrays in a["arrays"].items():
        for x, y in zip(arrays, b["arrays"][name]):
            same_bits(x, y)
