"""The fast layer gives the core's numbers bit for bit, and is taken only where it applies.

The optimizers' compiled loops and in-place NumPy passes (barenet.fast.optim,
barenet.fast.kernels; numba installed) against each rule's own ``update``
(barenet.optim), which a subclass that changes nothing runs: a runner is
registered for a rule's own class only. ReLU's compiled loops against its
NumPy passes."""

import copy
import os
import subprocess
import sys

import numpy as np
import pytest

import barenet
from barenet.fast import activations as fast_activations
from barenet.fast import kernels as _fused
from barenet.optim import RUNNERS
from barenet.errors import TrainingDiverged

pytest.importorskip("numba")
if os.environ.get("BARENET_NUMBA") == "0":
    pytest.skip("BARENET_NUMBA=0 keeps the NumPy passes", allow_module_level=True)


def core(cls):
    """``cls`` through the core's ``update``: a subclass that changes nothing,
    for which no runner is registered."""
    return type("Core" + cls.__name__, (cls,), {})


PlainAdam = core(barenet.Adam)


@pytest.fixture
def kernel_calls(monkeypatch):
    """Count the calls of the compiled Adam loop (which must compile here)."""
    kernels = _fused.kernels()
    assert "adam" in kernels, "numba is installed, but the Adam loop did not compile"
    calls = []
    compiled = kernels["adam"]

    def counted(*args):
        calls.append(args[0].shape)
        return compiled(*args)

    monkeypatch.setitem(kernels, "adam", counted)
    return calls


def gradients(rng, shapes, dtype, step):
    """Gradients over many magnitudes, some exact zeros, a different draw each step."""
    out = []
    for shape in shapes:
        g = rng.standard_normal(shape) * 10.0 ** rng.integers(-12, 4, shape)
        g[rng.random(shape) < 0.1] = 0
        out.append((g * (1 + step % 3)).astype(dtype))
    return out


def step_alike(fused, reference, rng, shapes, dtype, steps):
    """Step both optimizers on twin parameters with the same gradients; the
    parameters must agree bit for bit after every step."""
    params = [rng.standard_normal(s).astype(dtype) for s in shapes]
    twins = [p.copy() for p in params]
    for step in range(steps):
        grads = gradients(rng, shapes, dtype, step)
        fused.step(params, grads)
        reference.step(twins, grads)
        for p, q in zip(params, twins):
            np.testing.assert_array_equal(p, q, strict=True)


def assert_same_state(a, b):
    assert a.t == b.t
    for name in ("m", "v"):
        for x, y in zip(getattr(a, name), getattr(b, name)):
            np.testing.assert_array_equal(x, y, strict=True)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shapes", [[(1000,)], [(7, 5), (5,), (3, 1)], [(31,)]])
@pytest.mark.parametrize("kwargs", [{}, {"lr": 0.05, "beta1": 0.0, "eps": 1e-3},
                                    {"lr": 3e-4, "beta2": 0.9, "clipnorm": 1.0}])
def test_compiled_adam_equals_its_numpy_passes_bit_for_bit(dtype, shapes, kwargs, kernel_calls):
    fused, plain = barenet.Adam(**kwargs), PlainAdam(**kwargs)
    step_alike(fused, plain, np.random.default_rng(len(shapes)), shapes, dtype, 25)
    assert_same_state(fused, plain)
    assert type(fused) in RUNNERS and type(plain) not in RUNNERS
    assert len(kernel_calls) == 25 * len(shapes)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_training_with_the_compiled_loop_is_bit_identical(dtype, kernel_calls):
    data = barenet.datasets.make_moons(n_samples=200, noise=0.2, seed=0)
    nets = []
    for adam in (barenet.Adam(lr=0.01), PlainAdam(lr=0.01)):
        net = barenet.Network([2, 8, 6, 1], ["relu", "tanh", "sigmoid"], seed=3, dtype=dtype)
        net.fit(data.X_train, data.y_train, optimizer=adam, epochs=5, batch_size=32)
        nets.append(net)
    np.testing.assert_array_equal(nets[0].parameters, nets[1].parameters, strict=True)
    assert nets[0].history_ == nets[1].history_
    assert_same_state(nets[0].optimizer_, nets[1].optimizer_)
    assert kernel_calls  # the first network's steps took the loop


def test_an_update_that_could_overflow_takes_the_numpy_passes_and_their_check(kernel_calls):
    """A bound too large to prove the update safe (lr = 1e36 in float32) leaves
    the compiled loop out: the NumPy passes run and their check refuses the step."""
    outcomes = []
    for adam in (barenet.Adam(lr=1e36), PlainAdam(lr=1e36)):
        p = np.full(10, -3.4e38, np.float32)  # one step of ~1e36 down overflows
        g = np.full(10, 1.0, np.float32)
        with pytest.raises(TrainingDiverged, match="update"):
            adam.step([p], [g])
        outcomes.append((p.copy(), adam))
    np.testing.assert_array_equal(outcomes[0][0], outcomes[1][0], strict=True)
    assert_same_state(outcomes[0][1], outcomes[1][1])
    assert outcomes[0][1]._sum_bound == outcomes[1][1]._sum_bound
    assert kernel_calls == []


@pytest.mark.parametrize("case", ["strided", "mixed dtypes", "Fortran order", "float16",
                                  "longdouble"])
def test_arrays_the_loop_cannot_take_go_through_the_numpy_passes(case, kernel_calls):
    rng = np.random.default_rng(0)
    if case in ("float16", "longdouble"):  # numba cannot compile longdouble at all
        params = [rng.standard_normal(12).astype(case)]
        grads = [rng.standard_normal(12).astype(case)]
    elif case == "strided":
        base = rng.standard_normal((6, 8)).astype(np.float32)
        params, grads = [base[:, ::2]], [rng.standard_normal((6, 4)).astype(np.float32)]
    elif case == "mixed dtypes":
        params = [rng.standard_normal(9).astype(np.float32)]
        grads = [rng.standard_normal(9)]  # float64 gradients for float32 parameters
    else:
        params = [np.asfortranarray(rng.standard_normal((5, 3)).astype(np.float32))]
        grads = [np.asfortranarray(rng.standard_normal((5, 3)).astype(np.float32))]
    twins = [p.copy() for p in params]
    fused, plain = barenet.Adam(0.1), PlainAdam(0.1)
    for _ in range(3):
        fused.step(params, grads)
        plain.step(twins, grads)
    for p, q in zip(params, twins):
        np.testing.assert_array_equal(p, q, strict=True)
    assert kernel_calls == []


def test_rules_with_their_own_arithmetic_keep_it(kernel_calls):
    """A subclass that changes a formula is never run by the fast layer's
    loops or passes: its own arithmetic gives its own numbers."""

    class Decaying(barenet.Adam):
        def apply(self, p, u, s):
            p *= 0.5
            p -= u

    class Halved(barenet.AdamW):
        def decay_factor(self):
            return super().decay_factor() / 2

    class Doubled(barenet.Adam):
        def update(self, g, state, s):
            return 2 * super().update(g, state, s)

    g = np.full(4, 2.0)
    reference = barenet.Adam(0.1)
    p = np.ones(4)
    reference.step([p], [g])
    u = 1 - p  # Adam's first update, lr * g / (|g| + eps) ~ 0.1
    for optimizer, expected in ((Decaying(0.1), 0.5 - u), (Halved(0.1), (1 - 0.1 * 0.01) / 2 - u),
                                (Doubled(0.1), 1 - 2 * u)):
        q = np.ones(4)
        optimizer.step([q], [g])
        np.testing.assert_allclose(q, expected, rtol=1e-15)
        assert type(optimizer) not in RUNNERS
    assert len(kernel_calls) == 1  # the reference's step alone took the loop
    for cls in (barenet.Adam, barenet.AdamW, barenet.GD, barenet.Momentum, barenet.RMSProp):
        assert cls in RUNNERS


def test_a_copied_or_restored_optimizer_continues_exactly(kernel_calls):
    rng = np.random.default_rng(1)
    p = rng.standard_normal(50)
    adam = barenet.Adam(0.01)
    for step in range(4):
        adam.step([p], gradients(rng, [(50,)], np.float64, step))
    copied, q = copy.deepcopy(adam), p.copy()
    restored, r = barenet.Adam(0.01), p.copy()
    restored.set_state(adam.get_state())
    for step in range(6):
        g = gradients(rng, [(50,)], np.float64, step)
        for optimizer, x in ((adam, p), (copied, q), (restored, r)):
            optimizer.step([x], g)
    np.testing.assert_array_equal(p, q, strict=True)
    np.testing.assert_array_equal(p, r, strict=True)
    assert_same_state(adam, copied)
    assert_same_state(adam, restored)


def test_the_environment_variable_keeps_the_numpy_passes():
    code = ("import numpy as np, barenet; from barenet.fast import kernels; "
            "a = barenet.Adam(); a.step([np.ones(3)], [np.ones(3)]); "
            "print(sorted(kernels.kernels()), type(a) in barenet.optim.RUNNERS)")
    env = dict(os.environ, BARENET_NUMBA="0")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["[]", "True"]  # the rule has a runner; no loop is compiled, so none runs


# ------------------------------------------------------ the other rules

LOOPS = {barenet.GD: "gd", barenet.Momentum: "momentum", barenet.RMSProp: "rmsprop",
         barenet.Adam: "adam", barenet.AdamW: "adam"}  # AdamW's scalars carry its decay


RULES = [
    (barenet.GD, {"lr": 0.1}), (barenet.GD, {"lr": 0.01, "clipnorm": 1.0}),
    (barenet.Momentum, {}), (barenet.Momentum, {"beta": 0.8, "nesterov": True}),
    (barenet.Momentum, {"beta": 0.0, "clipnorm": 0.5}),
    (barenet.RMSProp, {}), (barenet.RMSProp, {"beta": 0.8, "eps": 1e-3, "bias_correction": True}),
    (barenet.RMSProp, {"lr": 0.01, "clipnorm": 1.0}),
    (barenet.AdamW, {}), (barenet.AdamW, {"lr": 0.05, "weight_decay": 0.1, "beta1": 0.0}),
    (barenet.AdamW, {"weight_decay": 0.0, "clipnorm": 1.0}),
]


@pytest.fixture
def rule_calls(monkeypatch):
    """Count the calls of each optimizer's compiled loop, by name."""
    kernels = _fused.kernels()
    calls = []
    for name in ("adam", "gd", "momentum", "rmsprop"):
        assert name in kernels, f"numba is installed, but the {name} loop did not compile"
        monkeypatch.setitem(kernels, name, lambda *args, name=name, compiled=kernels[name]: (
            calls.append(name), compiled(*args))[1])
    return calls


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("cls, kwargs", RULES, ids=[f"{c.__name__}-{k}" for c, k in RULES])
def test_each_rules_loop_equals_its_numpy_passes_bit_for_bit(cls, kwargs, dtype, rule_calls):
    shapes = [(40, 9), (9,), (300,)]
    fused, reference = cls(**kwargs), core(cls)(**kwargs)
    step_alike(fused, reference, np.random.default_rng(7), shapes, dtype, 20)
    assert_same_rule_state(fused, reference, 20)
    assert rule_calls == [LOOPS[cls]] * 20 * len(shapes)


def assert_same_rule_state(a, b, t):
    assert a.get_state()["t"] == b.get_state()["t"] == t
    for name, arrays in a.get_state()["arrays"].items():
        for x, y in zip(arrays, b.get_state()["arrays"][name]):
            np.testing.assert_array_equal(x, y, strict=True)


@pytest.mark.parametrize("cls, kwargs", RULES[::2], ids=[c.__name__ for c, _ in RULES[::2]])
def test_training_with_each_rules_loop_is_bit_identical(cls, kwargs, rule_calls):
    data = barenet.datasets.make_moons(n_samples=200, noise=0.2, seed=2)
    nets = []
    for rule in (cls(**kwargs), core(cls)(**kwargs)):
        net = barenet.Network([2, 8, 6, 1], ["tanh", "relu", "sigmoid"], seed=4)
        net.fit(data.X_train, data.y_train, optimizer=rule, epochs=4, batch_size=32)
        nets.append(net)
    np.testing.assert_array_equal(nets[0].parameters, nets[1].parameters, strict=True)
    assert nets[0].history_ == nets[1].history_
    assert rule_calls and set(rule_calls) == {LOOPS[cls]}


# ----------------------------------------------------------------- ReLU

def special_values(rng, shape, dtype):
    """Normal draws with exact zeros of both signs, nans and infinities spread through."""
    a = rng.standard_normal(shape).astype(dtype)
    flat = a.reshape(-1)
    for start, step, value in ((0, 7, 0.0), (1, 11, -0.0), (2, 13, np.nan), (3, 17, np.inf),
                               (4, 19, -np.inf), (5, 23, -1e-30)):
        flat[start::step] = value
    return a


def same_bits(x, y):
    """Equal bit for bit, where a nan may be any nan (its payload is the CPU's)."""
    assert x.dtype == y.dtype and x.shape == y.shape
    ints = np.int32 if x.dtype == np.float32 else np.int64
    same = (x.view(ints) == y.view(ints)) | (np.isnan(x) & np.isnan(y))
    assert same.all(), (x[~same][:5], y[~same][:5])


@pytest.fixture
def numpy_only(monkeypatch):
    """Run ``f()`` with the compiled loops unloaded (ReLU's NumPy passes)."""
    kernels = _fused.kernels()
    assert {"relu", "relu_backward"} <= set(kernels), "numba is installed, but ReLU's loops did not compile"

    def run(f):
        with monkeypatch.context() as patch:
            patch.setattr(_fused, "_kernels", {})
            return f()
    return run


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(2, 64), (64, 64), (300, 70)])
def test_relu_loops_and_passes_give_the_cores_numbers(dtype, shape, numpy_only):
    """ReLU's compiled loops and its in-place NumPy passes (barenet.fast.activations)
    against the core's ReLU (new arrays), on zeros of both signs, nans and infinities."""
    rng = np.random.default_rng(shape[0])
    relu = barenet.activations.ReLU()
    Z, dA = special_values(rng, shape, dtype), special_values(rng, shape, dtype)
    with np.errstate(invalid="ignore"):  # inf * 0
        A = relu.forward(Z)  # the core
        assert not np.signbit(A[Z == 0]).any()  # max(-0.0, 0) is +0.0, as NumPy has it
        for run in (lambda f: f(), numpy_only):  # the loops, then the NumPy passes
            same_bits(run(lambda: fast_activations.forward(relu, Z, np.empty_like(Z))), A)
            for a in (A, Z):  # a ReLU output, and any array (backward is public)
                same_bits(run(lambda: fast_activations.backward(relu, dA, Z, a, np.empty_like(Z))),
                          relu.backward(dA, Z, a))
            # in place, as the training step and inference call them
            in_place = Z.copy()
            assert run(lambda: fast_activations.forward(relu, in_place, in_place)) is in_place
            same_bits(in_place, A)
            d = dA.copy()
            assert run(lambda: fast_activations.backward(relu, d, Z, A, d)) is d
            same_bits(d, relu.backward(dA, Z, A))


def test_relu_arrays_the_loops_cannot_take_go_through_numpy(numpy_only, monkeypatch):
    calls = []
    kernels = _fused.kernels()
    for name in ("relu", "relu_backward"):
        monkeypatch.setitem(kernels, name, lambda *args, compiled=kernels[name]: (
            calls.append(args), compiled(*args))[1])
    relu = barenet.activations.ReLU()
    rng = np.random.default_rng(0)
    Z = rng.standard_normal((6, 8))
    for z in (Z[:, ::2], np.asfortranarray(Z), Z.astype(np.float16), Z.astype(np.float32)):
        out = np.empty(z.shape) if z.dtype == np.float32 else np.empty_like(z)  # mixed dtypes
        got = fast_activations.forward(relu, z, out)
        np.testing.assert_array_equal(got, relu.forward(z))
    overlapping = np.zeros(60)
    z, out = overlapping[:48].reshape(6, 8), overlapping[4:52].reshape(6, 8)
    z[...] = Z
    expected = relu.forward(z.copy())
    np.testing.assert_array_equal(fast_activations.forward(relu, z, out), expected)  # overlap
    assert calls == []
    fast_activations.forward(relu, Z, np.empty_like(Z))  # a plain array takes the loop
    assert len(calls) == 1


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("config", ["plain", "dropout", "batch norm"])
def test_training_with_relu_loops_is_bit_identical(dtype, config, numpy_only):
    data = barenet.datasets.make_moons(n_samples=300, noise=0.2, seed=1)
    kwargs = {"dropout": [0.2, 0.0]} if config == "dropout" else (
        {"batch_norm": True} if config == "batch norm" else {})

    def fit():
        net = barenet.Network([2, 70, 60, 1], ["relu", "relu", "sigmoid"], seed=5, dtype=dtype,
                              **kwargs)
        net.fit(data.X_train, data.y_train, optimizer=PlainAdam(0.01), epochs=3, batch_size=64)
        return net

    compiled, plain = fit(), numpy_only(fit)
    np.testing.assert_array_equal(compiled.parameters, plain.parameters, strict=True)
    assert compiled.history_ == plain.history_
    if config != "batch norm":  # the bound plan holds the loops, bound to its arrays
        plan = next(iter(compiled.engine.workspaces.values())).forward_plan
        assert plan[0].activate.func is _fused.kernels()["bias_relu"]
        assert plan[0].b is None  # the first layer's bias added by the loop
        plan = next(iter(plain.engine.workspaces.values())).forward_plan
        assert plan[0].activate.func is fast_activations.PASSES[barenet.activations.ReLU][0]
        assert plan[0].b is not None


def test_inference_alone_does_not_load_numba(tmp_path):
    path = tmp_path / "net.npz"

    def run(code):
        code = f"import sys, numpy as np, barenet; path = {str(path)!r}; " + code
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=True).stdout.split()

    trained = run("net = barenet.Network([3, 4, 2], ['relu', 'softmax'], seed=0); "
                  "net.fit(np.ones((4, 3)), [0, 1, 0, 1], optimizer='gd', epochs=1); "
                  "net.save(path); print('numba' in sys.modules)")
    assert trained == ["True"]  # training loads the loops
    inferred = run("net = barenet.load(path); net.predict_proba(np.ones((5, 3))); "
                   "barenet.activations.ReLU().forward(np.ones(3)); print('numba' in sys.modules)")
    assert inferred == ["False"]


def test_a_relu_subclass_with_its_own_backward_keeps_it():
    calls = []

    class Counted(barenet.activations.ReLU):
        def backward(self, dA, Z, A, out=None):
            calls.append(A.shape)
            return super().backward(dA, Z, A, out=out)

    data = barenet.datasets.make_moons(n_samples=100, noise=0.2, seed=0)
    net = barenet.Network([2, 4, 1], [Counted(), "sigmoid"], seed=0)
    net.fit(data.X_train, data.y_train, epochs=2, batch_size=50)
    assert "relu" in _fused.kernels() and len(calls) == 2 * -(-len(data.X_train) // 50)


def test_a_copied_network_trains_on_its_own_arrays():
    """The bound plan's loops hold views of one network's workspace: a copy
    (deepcopy, pickle) starts without workspaces and binds its own."""
    data = barenet.datasets.make_moons(n_samples=200, noise=0.2, seed=3)
    net = barenet.Network([2, 16, 8, 1], ["relu", "relu", "sigmoid"], seed=2)
    net.fit(data.X_train, data.y_train, epochs=2, batch_size=40)
    twin = copy.deepcopy(net)
    assert twin.engine.workspaces == {}
    for model in (net, twin):
        model.fit(data.X_train, data.y_train, epochs=3, batch_size=40)
    np.testing.assert_array_equal(net.parameters, twin.parameters, strict=True)
    np.testing.assert_array_equal(net.predict_proba(data.X_test), twin.predict_proba(data.X_test))


@pytest.mark.parametrize("name, args", [
    ("adam", [(5,), (4,), (5,), (5,), "scalars"]),
    ("adam", [(5,), (5,), (5,), (6,), "scalars"]),
    ("gd", [(5,), (6,), "scalars"]),
    ("momentum", [(5,), (5,), (4,), "scalars"]),
    ("rmsprop", [(5,), (3,), (5,), "scalars"]),
    ("relu", [(5,), (3,)]),
    ("bias_relu", [(3, 4), (2,), (3, 4)]),
    ("bias_relu", [(3, 4), (3,), (3, 5)]),
    ("relu_backward", [(5,), (5,), (4,)]),
])
def test_a_loop_given_arrays_of_different_lengths_refuses_them(name, args):
    """The loops run without bounds checks; each compares its arrays' lengths
    first, so no caller's mistake reads or writes past an array."""
    kernel = _fused.kernels()[name]
    arrays = [np.ones(5) if a == "scalars" else a if a is True else np.ones(a) for a in args]
    with pytest.raises(ValueError, match="different"):
        kernel(*arrays)
