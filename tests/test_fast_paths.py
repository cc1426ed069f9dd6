"""The training loop's speed-ups change no number: each fast path is checked
against the plain one it replaces, bit for bit."""

import math

import numpy as np
import pytest

import barenet
from barenet import notebook as nb
from barenet import training


def data(m=90, n=3, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n))
    y = rng.integers(0, classes, m)
    return X, y


def fitted(dtype, **kwargs):
    X, y = data()
    net = barenet.Network([3, 6, 5, 3], ["relu", "tanh", "softmax"], seed=1, dtype=dtype,
                          **kwargs)
    net.fit(X, y, optimizer=barenet.Adam(lr=0.01), epochs=4, batch_size=16,
            sample_weight=np.linspace(0.5, 1.5, len(y)))
    return net


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kwargs", [{}, {"dropout": 0.3, "batch_norm": True, "l2": 0.1}])
def test_shuffled_copy_and_per_batch_gather_train_identically(dtype, kwargs, monkeypatch):
    fast = fitted(dtype, **kwargs)  # a small set: shuffled as a whole, batches are slices
    monkeypatch.setattr(training, "SHUFFLE_COPY_BYTES", 0)  # gather every batch instead
    plain = fitted(dtype, **kwargs)
    np.testing.assert_array_equal(fast.parameters, plain.parameters, strict=True)
    np.testing.assert_array_equal(fast.flat.state, plain.flat.state, strict=True)
    assert fast.history_ == plain.history_


def test_workspaces_are_made_once_per_batch_size():
    X, y = data(m=40)
    net = barenet.Network([3, 4, 3], ["relu", "softmax"], seed=0)
    net.fit(X, y, epochs=3, batch_size=16)  # batches of 16, 16 and 8
    assert sorted(net.engine.workspaces) == [8, 16]
    buffers = [id(a) for a in net.engine.workspaces[16].Z]
    net.fit(X, y, epochs=2, batch_size=16)
    assert [id(a) for a in net.engine.workspaces[16].Z] == buffers


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_inference_in_place_equals_a_training_pass(dtype):
    """Inference applies activations in place; training keeps Z and A apart.
    Without dropout and batch normalization both give the same outputs."""
    X, y = data()
    for output, hidden in (("softmax", ["sigmoid", "leaky_relu"]), ("linear", ["tanh", "relu"])):
        net = barenet.Network([3, 6, 5, 3], hidden + [output], seed=2, dtype=dtype)
        A_train, _ = net.engine.forward(X.T.astype(dtype), training=True, rng=net.rng)
        A_infer, _ = net.engine.forward(X.T.astype(dtype))
        np.testing.assert_array_equal(A_train, A_infer, strict=True)


def test_network_and_notebook_train_identically():
    """The Network's buffered step and the notebook's plain functions share the
    formulas; with the same start, data order and optimizer they agree."""
    X, y = data(m=64, classes=2)
    Y = y.astype(float)[None, :]
    net = barenet.Network([3, 5, 1], ["relu", "sigmoid"], seed=0, dtype="float64")
    params = {"W1": net.weights[0].copy(), "b1": net.biases[0].copy(),
              "W2": net.weights[1].copy(), "b2": net.biases[1].copy()}
    net.fit(X, y, optimizer=barenet.Adam(lr=0.05), epochs=20, batch_size=None, shuffle=False)
    optimizer = barenet.Adam(lr=0.05)
    for _ in range(20):
        AL, caches = nb.forward_prop(X.T, ["relu", "sigmoid"], params)
        grads = nb.backward_prop(AL, Y, caches, ["relu", "sigmoid"])
        nb.update_parameters(params, grads, optimizer)
    for l in range(2):
        np.testing.assert_allclose(net.weights[l], params[f"W{l + 1}"], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(net.biases[l], params[f"b{l + 1}"], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", sorted(barenet.optimizers.REGISTRY))
def test_optimizer_steps_on_one_flat_vector_equal_steps_on_its_pieces(name):
    """Network hands the optimizer one flat vector; elementwise rules give the
    same numbers as on the separate arrays the notebook API passes."""
    rng = np.random.default_rng(3)
    pieces = [rng.normal(size=s) for s in ((4, 3), (4, 1), (2, 4), (2, 1))]
    flat = np.concatenate([p.ravel() for p in pieces])
    a, b = barenet.optimizers.get(name), barenet.optimizers.get(name)
    for _ in range(5):
        grads = [rng.normal(size=p.shape) for p in pieces]
        a.step(pieces, grads)
        b.step([flat], [np.concatenate([g.ravel() for g in grads])])
    np.testing.assert_array_equal(np.concatenate([p.ravel() for p in pieces]), flat)


@pytest.mark.parametrize("m", [1, 7, 64])
def test_sums_of_a_prescaled_dz_equal_the_means(m):
    """Network divides the output layer's dZ by m once and asks for sums;
    linear_backward and batchnorm_backward then give the gradients of the
    mean cost, as they do from the per-sample dZ (float64, to rounding)."""
    from barenet.linear import linear_backward
    from barenet.normalization import batchnorm_backward, batchnorm_forward

    rng = np.random.default_rng(m)
    W, A, dZ = rng.normal(size=(4, 3)), rng.normal(size=(3, m)), rng.normal(size=(4, m))
    plain = linear_backward(dZ, A, W)
    summed = linear_backward(dZ / m, A, W, mean=False)
    for a, b in zip(plain, summed):
        np.testing.assert_allclose(b, a / m if a.shape == (3, m) else a, rtol=1e-13, atol=1e-15)
    if m > 1:
        Z = rng.normal(size=(4, m))
        _, cache = batchnorm_forward(Z, rng.normal(size=(4, 1)), rng.normal(size=(4, 1)))
        for a, b in zip(batchnorm_backward(dZ, cache), batchnorm_backward(dZ / m, cache, mean=False)):
            np.testing.assert_allclose(b, a / m if a.shape == (4, m) else a, rtol=1e-12,
                                       atol=1e-15)


class _StepWatcher(barenet.Callback):
    """Looks at every step's figures, which keeps them computed per step."""

    def __init__(self):
        self.steps = 0

    def on_step_end(self, epoch, step, logs):
        self.steps += 1


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kind, kwargs", [
    ("binary", {}), ("multiclass", {}), ("multiclass", {"l2": 0.3, "dropout": 0.2}),
])
def test_training_figures_per_epoch_equal_those_per_step(dtype, kind, kwargs):
    """Without a callback that reads every step, the loop scores the epoch's
    kept outputs at once; the History is the same as step by step (to
    rounding) and the parameters bit for bit."""
    X, y = data(m=70, classes=2 if kind == "binary" else 3)
    sizes, acts = ([3, 6, 1], ["relu", "sigmoid"]) if kind == "binary" else \
        ([3, 6, 3], ["tanh", "softmax"])
    weights = np.linspace(0.5, 2.0, len(y))
    runs = []
    for callbacks in ([], [_StepWatcher()]):
        net = barenet.Network(sizes, acts, seed=3, dtype=dtype, **kwargs)
        assert net.engine.figures_per_epoch
        net.fit(X, y, optimizer=barenet.Adam(lr=0.05), epochs=5, batch_size=16,
                sample_weight=weights, validation_data=(X[:20], y[:20]), callbacks=callbacks)
        runs.append(net)
    assert callbacks[0].steps == 5 * 5
    np.testing.assert_array_equal(runs[0].parameters, runs[1].parameters, strict=True)
    rtol = 1e-5 if dtype == "float32" else 1e-12
    assert runs[0].history_.keys() == runs[1].history_.keys()
    for key in runs[0].history_:
        np.testing.assert_allclose(runs[0].history_[key], runs[1].history_[key], rtol=rtol,
                                   err_msg=key)


def test_figures_stay_per_step_where_a_loss_could_hide_divergence():
    """A non-fused output (its loss can overflow while its gradient does not)
    and batch normalization keep the loss of every step."""
    assert not barenet.Network([2, 3, 1], ["relu", "linear"]).engine.figures_per_epoch
    assert not barenet.Network([2, 3, 1], ["relu", "sigmoid"], loss="mse").engine.figures_per_epoch
    assert not barenet.Network([2, 3, 1], ["relu", "sigmoid"],
                               batch_norm=True).engine.figures_per_epoch


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_divergence_is_caught_at_its_step_when_figures_are_per_epoch(dtype):
    X, y = data(m=64, classes=3)
    X = X * 1e4
    net = barenet.Network([3, 8, 3], ["relu", "softmax"], seed=0, dtype=dtype)
    optimizer = barenet.GD(lr=1e30 if dtype == "float32" else 1e300)
    with pytest.raises(barenet.TrainingDiverged, match=r"epoch \d+, step \d+") as info:
        net.fit(X, y, optimizer=optimizer, epochs=50, batch_size=16)
    assert np.isfinite(net.parameters).all(), str(info.value)


def test_every_training_step_runs_over_the_plan():
    """One training pass, batch normalization included: per-layer steps bound
    once per workspace; a batch-normalized layer's activation runs on the
    normalization's output at each step (no bound pass), the others bound."""
    net = barenet.Network([3, 6, 5, 3], ["relu", "tanh", "softmax"], seed=1,
                          batch_norm=[True, False])
    net.fit(*data(), epochs=1, batch_size=30)
    (ws,) = net.engine.workspaces.values()
    assert [step.norm is not None for step in ws.forward_plan] == [True, False, False]
    assert [step.activate is None for step in ws.forward_plan] == [True, False, False]
    assert [step.derive is None for step in ws.backward_plan] == [True, False, True]  # last first


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_inference_in_blocks_equals_one_pass(task, monkeypatch):
    """forward, predict, predict_proba and evaluate take the rows a block at a
    time; the outputs are those of one pass over all of them."""
    import barenet.fast.engine as engine

    rng = np.random.default_rng(5)
    X = rng.normal(size=(50, 3))
    if task == "regression":
        net = barenet.Network([3, 6, 2], ["tanh", "linear"], seed=2, dtype="float64")
        y = rng.normal(size=(50, 2))
    else:
        classes = 2 if task == "binary" else 3
        net = barenet.Network([3, 6, 1 if classes == 2 else 3],
                              ["relu", "sigmoid" if classes == 2 else "softmax"], seed=2,
                              dtype="float64")
        y = rng.integers(0, classes, 50)
    net.fit(X, y, epochs=2, batch_size=10)
    whole = net.engine.forward(X.T)[0].T
    monkeypatch.setattr(engine, "INFER_BLOCK", 7)  # 50 rows: 7 full blocks and one of 1
    np.testing.assert_allclose(net.forward(X), whole, rtol=1e-13, atol=1e-15)
    assert net.forward(X).flags.c_contiguous
    assert net.evaluate(X, y).keys() == {"loss", net.metric_name}
    if task != "regression":
        np.testing.assert_array_equal(net.predict(X), net.classes_[net.engine.label_index(whole.T)])
        assert net.predict_proba(X).shape == (50, len(net.classes_))


def test_inference_memory_stays_bounded():
    """Predicting many rows allocates about a block's worth of intermediates,
    not the whole batch's."""
    import tracemalloc

    from barenet.fast.engine import INFER_BLOCK

    net = barenet.Network([8, 256, 4], ["relu", "softmax"], seed=0)
    net.classes_ = np.arange(4)
    X = np.random.default_rng(0).normal(size=(8 * INFER_BLOCK, 8)).astype(np.float32)
    tracemalloc.start()
    try:
        net.predict_proba(X)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    one_pass = 256 * len(X) * 4  # the hidden layer's array for all the rows at once
    assert peak < one_pass / 4, (peak, one_pass)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ["adam", "momentum", "rmsprop", "gd"])
def test_a_training_step_allocates_no_copy_and_no_cast(dtype, name):
    """After the first step of a batch size, forward, backward and update run
    in preallocated buffers: a step allocates nothing near the size of the
    parameters or of the batch (a float64 cast or a copy of either would).
    What it does allocate is NumPy's iteration buffer for the broadcast bias
    addition (8192 elements), whatever the sizes."""
    import tracemalloc

    rng = np.random.default_rng(0)
    net = barenet.Network([256, 256, 64, 10], ["relu", "relu", "softmax"], seed=0, dtype=dtype)
    X_T = rng.normal(size=(256, 256)).astype(dtype)
    Y_T = np.eye(10, dtype=dtype)[rng.integers(0, 10, 256)].T
    optimizer = barenet.optimizers.get(name)
    net.engine.step_grad(X_T, Y_T, rng=net.rng)
    optimizer.step([net.parameters], [net.flat.grad])  # makes the optimizer's state
    tracemalloc.start()
    try:
        for _ in range(3):
            net.engine.step_grad(X_T, Y_T, rng=net.rng)
            optimizer.step([net.parameters], [net.flat.grad])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    smallest = min(net.parameters.nbytes, X_T.nbytes)
    assert peak < smallest / 4, (peak, net.parameters.nbytes, X_T.nbytes)


# ------------------------------------------------ cheap ufunc operands (_buffers)

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(5, 7), (3, 1000), (300, 700), (2, 0)])
def test_relu_against_zeros_equals_relu_against_the_scalar(dtype, shape):
    # (300, 700) is past ZEROS_SIZE: it goes through in blocks
    from barenet.fast.buffers import ZEROS_SIZE
    assert (300 * 700 > ZEROS_SIZE) and (3 * 1000 <= ZEROS_SIZE)
    rng = np.random.default_rng(0)
    Z = rng.normal(size=shape).astype(dtype)
    Z.flat[::7] = 0.0
    relu = barenet.activations.get("relu")
    expected = np.maximum(Z, 0)
    np.testing.assert_array_equal(relu.forward(Z), expected, strict=True)
    out = np.empty_like(Z)
    assert relu.forward(Z, out=out) is out
    np.testing.assert_array_equal(out, expected, strict=True)
    in_place = Z.copy()
    relu.forward(in_place, out=in_place)
    np.testing.assert_array_equal(in_place, expected, strict=True)
    # a transposed (non-contiguous) input takes the plain path, same numbers
    np.testing.assert_array_equal(relu.forward(Z.T), expected.T, strict=True)
    # backward: dA where a > 0, else 0, into a new array, into out, into dA itself
    dA = rng.normal(size=shape).astype(dtype)
    grad = dA * np.sign(expected)
    np.testing.assert_array_equal(relu.backward(dA, Z, expected), grad, strict=True)
    np.testing.assert_array_equal(relu.backward(dA, Z, expected, out=np.empty_like(Z)), grad,
                                  strict=True)
    dA_copy = dA.copy()
    assert relu.backward(dA_copy, Z, expected, out=dA_copy) is dA_copy
    np.testing.assert_array_equal(dA_copy, grad, strict=True)


def test_relu_keeps_integers_and_nan():
    relu = barenet.activations.get("relu")
    np.testing.assert_array_equal(relu.forward(np.array([[-2, 0, 3]])), [[0, 0, 3]], strict=True)
    out = relu.forward(np.array([[np.nan, -1.0, 2.0]]))
    assert np.isnan(out[0, 0]) and out[0, 1] == 0 and out[0, 2] == 2


def test_activations_still_take_lists_and_integers():
    relu, sigmoid = barenet.activations.get("relu"), barenet.activations.get("sigmoid")
    np.testing.assert_array_equal(relu.forward([[-2, 3]]), [[0, 3]])
    np.testing.assert_array_equal(relu.backward(np.ones((1, 2)), None, [[0, 3]]), [[0.0, 1.0]])
    expected = 1 / (1 + np.exp(-np.array([[1.0, -2.0, 0.0]])))
    for Z in ([[1, -2, 0]], np.array([[1, -2, 0]]), [[1.0, -2.0, 0.0]]):
        A = sigmoid.forward(Z)
        assert A.dtype == np.float64
        np.testing.assert_allclose(A, expected, rtol=1e-15)


def test_zeros_views_are_read_only_and_bounded(monkeypatch):
    from barenet.fast import buffers as _buffers
    zeros = _buffers.zeros_of((4, 5), np.dtype(np.float32))
    assert zeros.shape == (4, 5) and zeros.dtype == np.float32 and not zeros.any()
    with pytest.raises(ValueError):
        zeros[0, 0] = 1.0
    assert _buffers.zeros_of((4, 5), np.dtype(np.float32)) is zeros  # made once
    assert _buffers.zeros_of((_buffers.ZEROS_SIZE + 1,), np.dtype(np.float32)) is None
    monkeypatch.setattr(_buffers, "_zero_views", {})
    for m in range(1, 600):  # many shapes: the cache is cleared, never grows past 256
        _buffers.zeros_of((3, m), np.dtype(np.float64))
        assert len(_buffers._zero_views) <= 256


@pytest.mark.parametrize("name", ["gd", "momentum", "nesterov", "rmsprop", "rmsprop_bc", "adam",
                                  "adamw"])
def test_zero_d_operands_give_the_python_scalars_results(name):
    # the optimizers pass their scalars as 0-d arrays of the parameters' dtype:
    # the same numbers as the Python floats, which NumPy rounds to that dtype
    kwargs = {"nesterov": ("momentum", {"nesterov": True}),
              "rmsprop_bc": ("rmsprop", {"bias_correction": True})}
    base, extra = kwargs.get(name, (name, {}))
    rng = np.random.default_rng(3)
    for dtype in (np.float32, np.float64):
        p = rng.normal(size=50).astype(dtype)
        opt = barenet.optimizers.REGISTRY[base](lr=0.03, **extra)
        reference = p.copy()
        m = v = s = np.zeros_like(p)
        for t in range(1, 6):
            g = rng.normal(size=50).astype(dtype)
            opt.step([p], [g])
            if base == "gd":
                reference -= g * opt.lr
            elif base == "momentum":
                m = m * opt.beta + g
                step = (m * opt.beta + g) if opt.nesterov else m
                reference -= step * (opt.lr * (1 - opt.beta))
            elif base == "rmsprop":
                s = s * opt.beta + g * g
                c = 1 - opt.beta**t if opt.bias_correction else 1.0
                a = math.sqrt((1 - opt.beta) / c)
                reference -= g / (np.sqrt(s) + opt.eps / a) * (opt.lr / a)
            else:
                if base == "adamw":
                    reference *= 1 - opt.lr * opt.weight_decay
                m = m * opt.beta1 + g
                v = v * opt.beta2 + g * g
                b = (1 - opt.beta1) / (1 - opt.beta1**t)
                a = math.sqrt((1 - opt.beta2) / (1 - opt.beta2**t))
                reference -= m / (np.sqrt(v) + opt.eps / a) * (opt.lr * b / a)
            np.testing.assert_array_equal(p, reference, strict=True)


# ------------------------------------- biases inside the products past layer 1


def test_layers_past_the_first_keep_W_and_b_in_one_block():
    """Layer 1's W and b lie apart; every later layer's [W | b] is one row-major
    block (bias last), of the parameter vector and of the gradient vector alike."""
    net = barenet.Network([3, 4, 5, 2], ["relu", "tanh", "softmax"], seed=0,
                          batch_norm=[False, True], dtype="float64")
    net.parameters[...] = np.arange(net.parameters.size)
    start = 0
    for l, (n_in, n_out) in enumerate(zip(net.layer_sizes[:-1], net.layer_sizes[1:])):
        if l == 0:
            assert net.flat.blocks[0] is None
            np.testing.assert_array_equal(net.weights[0].ravel(), np.arange(12))
            np.testing.assert_array_equal(net.biases[0].ravel(), np.arange(12, 16))
            start = 16
        else:
            block = np.arange(start, start + n_out * (n_in + 1)).reshape(n_out, n_in + 1)
            np.testing.assert_array_equal(net.flat.blocks[l], block)
            np.testing.assert_array_equal(net.weights[l], block[:, :-1])
            np.testing.assert_array_equal(net.biases[l], block[:, -1:])
            assert net.biases[l].shape == (n_out, 1)
            start += block.size
        if net.batch_norm[l]:
            np.testing.assert_array_equal(net.gammas[l].ravel(), np.arange(start, start + n_out))
            np.testing.assert_array_equal(net.betas[l].ravel(),
                                          np.arange(start + n_out, start + 2 * n_out))
            start += 2 * n_out
    assert start == net.parameters.size
    for ours, theirs in ((net.flat.dweights, net.weights), (net.flat.dbiases, net.biases)):
        for g, p in zip(ours, theirs):
            assert g.shape == p.shape and g.strides == p.strides
            assert np.shares_memory(g, net.flat.grad)


def test_file_order_lists_every_layer_s_W_then_b():
    """_file_order puts the vector in the notebook's order W1, b1, (gamma1,
    beta1,) W2, b2, ...: one permutation of the positions."""
    net = barenet.Network([3, 4, 5, 2], ["relu", "tanh", "softmax"], seed=0,
                          batch_norm=[True, False], dtype="float64")
    order = net.flat.file_order()
    np.testing.assert_array_equal(np.sort(order), np.arange(net.parameters.size))
    pieces = []
    for l in range(3):
        pieces += [net.weights[l], net.biases[l]]
        if net.batch_norm[l]:
            pieces += [net.gammas[l], net.betas[l]]
    np.testing.assert_array_equal(net.parameters[order],
                                  np.concatenate([p.ravel() for p in pieces]))


@pytest.mark.parametrize("kwargs", [{}, {"dropout": 0.4}, {"batch_norm": True, "dropout": 0.2}])
def test_hidden_outputs_keep_their_row_of_ones(kwargs):
    """The row of ones under each hidden layer's output (the next layer's
    input to its [W | b]) survives training steps, dropout and inference."""
    X, y = data()
    net = barenet.Network([3, 6, 5, 3], ["relu", "tanh", "softmax"], seed=1, **kwargs)
    net.fit(X, y, epochs=3, batch_size=16)
    assert sorted(net.engine.workspaces) == [10, 16]
    for ws in net.engine.workspaces.values():
        assert len(ws.extended) == 2
        for l, extended in enumerate(ws.extended):
            assert np.all(extended[-1] == 1)
            output = ws.dropped[l] if net.dropout[l] else ws.A[l]
            assert np.shares_memory(output, extended) and output.shape == extended[:-1].shape
    _, ws = net.engine.forward(X.T.astype(net.dtype))
    assert all(np.all(extended[-1] == 1) for extended in ws.extended)


@pytest.mark.parametrize("kwargs", [{}, {"dropout": 0.3, "l2": 0.1},
                                    {"batch_norm": [False, True], "dropout": 0.2}])
def test_a_step_equals_the_notebooks_functions_with_biases_added_apart(kwargs):
    """The biases inside the products compute W A + b, dW, db and W^T dZ: in
    float64 a training step agrees to rounding with linear_forward and
    linear_backward, which add b after the product and sum dZ for db."""
    from barenet.linear import linear_backward, linear_forward

    X, y = data(m=40)
    net = barenet.Network([3, 7, 6, 3], ["relu", "tanh", "softmax"], seed=3, dtype="float64",
                          **kwargs)
    Y = net.encode(y, len(y))[0]
    net.engine.step_value_and_grad(X.T, Y.T, rng=net.rng)
    ws = net.engine.workspace(len(y))
    masks = list(ws.masks)
    # the same pass with plain functions, on copies, with the step's dropout masks
    A, inputs = X.T, []
    for l in range(3):
        inputs.append(A)
        Z = linear_forward(net.weights[l].copy(), A, net.biases[l].copy())
        np.testing.assert_allclose(ws.Z[l], Z, rtol=1e-13, atol=1e-14)
        if net.batch_norm[l]:
            Z = ws.Zact[l]  # batch normalization's own output, checked elsewhere
        A = net.activations[l].forward(Z)
        if masks[l] is not None:
            A = A * masks[l]
    # backward: each layer's dZ (the output's with its 1/m, the others from
    # the activations) is in the workspace; a batch-normalized layer's
    # linear step gets batch normalization's dZ instead, checked elsewhere
    for l in (2, 1, 0):
        if net.batch_norm[l]:
            continue
        dA_prev, dW, db = linear_backward(ws.dZ[l], inputs[l], net.weights[l].copy(),
                                          mean=False)
        if l > 0:  # dA of the layer below, times its dropout mask in place
            mask = 1 if masks[l - 1] is None else masks[l - 1]
            np.testing.assert_allclose(ws.dA[l - 1], dA_prev * mask, rtol=1e-13, atol=1e-15)
        expected_dW = dW + (net.l2 / len(y)) * net.weights[l] if net.l2 else dW
        np.testing.assert_allclose(net.flat.dweights[l], expected_dW, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(net.flat.dbiases[l], db, rtol=1e-13, atol=1e-15)


def test_a_pickled_network_keeps_its_layout_and_refuses_another():
    """A pickle holds the flat vectors as laid out in memory, with the layout's
    number: a round trip gives views bound to the new vectors and the same
    outputs; a pickle without that number (another layout) is refused."""
    import pickle

    X, y = data()
    net = barenet.Network([3, 6, 5, 3], ["relu", "tanh", "softmax"], seed=1)
    net.fit(X, y, epochs=2, batch_size=16)
    again = pickle.loads(pickle.dumps(net))
    np.testing.assert_array_equal(again.parameters, net.parameters, strict=True)
    np.testing.assert_array_equal(again.predict_proba(X), net.predict_proba(X), strict=True)
    assert np.shares_memory(again.flat.blocks[2], again.parameters)
    assert np.shares_memory(again.weights[2], again.flat.blocks[2])
    state = net.__getstate__()
    del state["_layout"]
    old = barenet.Network.__new__(barenet.Network)
    with pytest.raises(ValueError, match="another layout.*Network.save"):
        old.__setstate__(state)


def test_a_network_pickled_in_the_older_form_loads_and_trains_on_exactly():
    """Before the flat vectors and the run had objects of their own, a pickle
    held them as ``parameters``, ``_grad``, ``_state``, ``_rng`` and a ``_run``
    dict: such a state loads into views bound to its vectors and trains on
    bit for bit like the network it was taken from."""
    import copy

    X, y = data()
    net = barenet.Network([3, 6, 5, 3], ["relu", "tanh", "softmax"], seed=1, l2=0.01,
                          batch_norm=[True, False], dropout=0.1)
    net.fit(X, y, epochs=2, batch_size=16, validation_split=0.25)
    net.run_.epochs = 4  # as if stopped half way: resume carries the run on
    twin = copy.deepcopy(net)
    state = copy.deepcopy(net.__getstate__())
    flat, run = state.pop("flat"), state.pop("run_")
    state.update(parameters=flat.values, _grad=flat.grad, _state=flat.state, _workspaces={},
                 _rng=state.pop("rng"), _run=vars(run))
    old = barenet.Network.__new__(barenet.Network)
    old.__setstate__(state)
    assert np.shares_memory(old.weights[1], old.parameters) and old.l2 == 0.01
    assert old.run_.epoch == net.run_.epoch == 2 and np.array_equal(old.run_.order, net.run_.order)
    old.resume(X, y)
    old.fit(X, y, epochs=2, batch_size=16)
    twin.resume(X, y)
    twin.fit(X, y, epochs=2, batch_size=16)
    np.testing.assert_array_equal(old.parameters, twin.parameters, strict=True)
    np.testing.assert_array_equal(old.flat.state, twin.flat.state, strict=True)


class _AtEpoch(barenet.callbacks.Callback):
    """Calls ``action()`` at the end of epoch ``epoch``."""

    def __init__(self, epoch, action):
        self.epoch, self.action = epoch, action

    def on_epoch_end(self, epoch, history):
        if epoch == self.epoch:
            self.action()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("make", [lambda: barenet.Adam(lr=0.01), lambda: barenet.GD(lr=0.1),
                                  lambda: barenet.Momentum(lr=0.1, nesterov=True),
                                  lambda: barenet.RMSProp(lr=0.01, clipnorm=0.5),
                                  lambda: barenet.AdamW(lr=0.01)],
                         ids=["adam", "gd", "nesterov", "rmsprop-clipped", "adamw"])
@pytest.mark.parametrize("reset", [False, True], ids=["", "reset-at-epoch-2"])
def test_the_loop_s_bound_optimizer_step_equals_step(dtype, make, reset, monkeypatch):
    """The training loop passes the optimizer the same two tuples at every
    step (what the arrays are is checked once); new lists at every step (every
    check at every step) give the same numbers, also when the state is made
    anew during training."""
    X, y = data()
    results = []
    step = barenet.optimizers.Optimizer.step
    for checked_once in (True, False):
        if not checked_once:
            monkeypatch.setattr(barenet.optimizers.Optimizer, "step",
                                lambda self, params, grads: step(self, list(params), list(grads)))
        optimizer = make()
        callbacks = [_AtEpoch(2, optimizer.reset)] if reset else []
        net = barenet.Network([3, 6, 5, 3], ["relu", "tanh", "softmax"], seed=1, dtype=dtype)
        net.fit(X, y, optimizer=optimizer, epochs=4, batch_size=16, callbacks=callbacks)
        results.append((net.parameters, optimizer.t, optimizer.get_state()))
    (p, t, state), (q, u, other) = results
    np.testing.assert_array_equal(p, q, strict=True)
    assert t == u == (2 if reset else 4) * 6
    for name, arrays in state["arrays"].items():
        for a, b in zip(arrays, other["arrays"][name]):
            np.testing.assert_array_equal(a, b, strict=True)


def test_a_state_set_during_training_is_checked_against_the_arrays_again():
    """A state of other shapes, set by a callback, is refused at the next step
    as ``step`` refuses it (the bound step does not trust the old check)."""
    X, y = data()
    other = barenet.Adam(lr=0.01)
    other.step([np.zeros(4)], [np.ones(4)])
    adam = barenet.Adam(lr=0.01)
    net = barenet.Network([3, 6, 5, 3], ["relu", "tanh", "softmax"], seed=1)
    with pytest.raises(ValueError, match="holds state for parameters of shapes"):
        net.fit(X, y, optimizer=adam, epochs=4, batch_size=16,
                callbacks=[_AtEpoch(1, lambda: adam.set_state(other.get_state()))])


def test_a_step_set_on_the_optimizer_is_the_one_training_calls():
    X, y = data()
    adam, calls = barenet.Adam(lr=0.01), []
    step = adam.step
    adam.step = lambda params, grads: calls.append(len(params)) or step(params, grads)
    barenet.Network([3, 6, 3], ["relu", "softmax"], seed=1).fit(
        X, y, optimizer=adam, epochs=2, batch_size=30)
    assert calls == [1] * 6 and adam.t == 6
