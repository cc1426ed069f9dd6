"""``Network`` on any array library: NumPy, ``array_api_strict`` (which
refuses anything outside the standard) and PyTorch CPU tensors.

A network fitted on another library's arrays moves there and trains with the
standard's passes (``barenet.model.passes``); its forward pass, gradient,
optimizer steps and epochs equal the NumPy network's (the fast layer's) to
1e-12 relative in float64, and its results come back in the caller's
library. PyTorch's autograd, run on the network's own tensors, gives the
same gradient.
"""

import math

import numpy as np
import pytest

import barenet
from barenet.model.passes import ArrayEngine

from _libraries import as_numpy, assert_close

strict = pytest.importorskip("array_api_strict")
torch = pytest.importorskip("torch")

LIBRARIES = {"numpy": np.asarray, "array_api_strict": strict.asarray, "torch": torch.asarray}
OTHERS = ["array_api_strict", "torch"]


_numpy, _close = as_numpy, assert_close


def _data(task, n=120, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    if task == "binary":
        y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    elif task == "multiclass":
        y = (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0.5)
    else:
        y = np.stack([np.sin(X[:, 0]), X[:, 1] * X[:, 2]], axis=1)
    return X, y


# (output activation, units, task), and hidden layers' settings
OUTPUTS = {"binary": ("sigmoid", 1), "multiclass": ("softmax", 3), "regression": ("linear", 2)}
CONFIGS = {
    "plain": dict(activations=["relu", "tanh"]),
    "leaky-l2": dict(activations=["leaky_relu", "sigmoid"], l2=0.05),
    "dropout": dict(activations=["relu", "relu"], dropout=[0.3, 0.1]),
    "batch-norm": dict(activations=["relu", "tanh"], batch_norm=True),
    "standardize": dict(activations=["tanh", "relu"], standardize=True),
}


def _network(task, config, dtype="float64", seed=0):
    settings = dict(CONFIGS[config])
    hidden = settings.pop("activations")
    output, units = OUTPUTS[task]
    return barenet.Network([4, 7, 5, units], hidden + [output], seed=seed, dtype=dtype,
                           **settings)


def _fit(library, task, config, optimizer="sgd", dtype="float64", **fit_args):
    X, y = _data(task)
    to = LIBRARIES[library]
    net = _network(task, config, dtype)
    opt = {"sgd": barenet.GD(lr=0.05), "momentum": barenet.Momentum(lr=0.05),
           "adam": barenet.Adam(lr=0.01)}[optimizer]
    args = dict(epochs=3, batch_size=16)
    args.update(fit_args)
    history = net.fit(to(X), to(y), optimizer=opt, **args)
    return net, history, to(X), to(y)


@pytest.mark.parametrize("library", OTHERS)
@pytest.mark.parametrize("config", sorted(CONFIGS))
@pytest.mark.parametrize("task", sorted(OUTPUTS))
def test_a_few_epochs_of_fit_equal_numpys(library, task, config):
    # Adam, except with batch normalization: the bias before a normalized
    # layer has a gradient of zero but for rounding, which Adam scales up
    # to steps of the learning rate's size; SGD keeps it to rounding
    optimizer = "sgd" if config == "batch-norm" else "adam"
    net, history, X, y = _fit(library, task, config, optimizer)
    ref, ref_history, X_np, y_np = _fit("numpy", task, config, optimizer)
    assert type(net.parameters) is type(X)
    assert type(net.engine) is ArrayEngine
    for key in ref_history:
        _close(history[key], ref_history[key])
    _close(net.parameters, ref.parameters, like=X)
    _close(net.forward(X), ref.forward(X_np), like=X)
    if task == "regression":
        _close(net.predict(X), ref.predict(X_np), like=X)
    else:
        _close(net.predict_proba(X), ref.predict_proba(X_np), like=X)
        np.testing.assert_array_equal(_numpy(net.predict(X)), ref.predict(X_np))
        assert type(net.predict(X)) is type(X)
    scores, ref_scores = net.evaluate(X, y), ref.evaluate(X_np, y_np)
    for key in ref_scores:
        assert math.isclose(scores[key], ref_scores[key], rel_tol=1e-12)
    for A, A_ref in zip(net.layer_outputs(X), ref.layer_outputs(X_np)):
        _close(A, A_ref, like=X)


@pytest.mark.parametrize("library", OTHERS)
@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_one_step_gradient_equals_numpys(library, config):
    X, y = _data("multiclass", n=30)
    nets = {}
    for name in ("numpy", library):
        net = _network("multiclass", config)
        to = LIBRARIES[name]
        net.to(to(X))
        Xp = net.prepare(to(X)) if not net.standardize else to(X)
        Y, _ = net.encode(to(y), 30)
        loss, _ = net.engine.step_value_and_grad(Xp.T, Y.T, rng=np.random.default_rng(5))
        nets[name] = (net, loss)
    (ref, ref_loss), (net, loss) = nets["numpy"], nets[library]
    assert math.isclose(loss, ref_loss, rel_tol=1e-12)
    _close(net.flat.grad, ref.flat.grad)
    _close(net.flat.state, ref.flat.state)


@pytest.mark.parametrize("library", OTHERS)
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_fifty_optimizer_steps_equal_numpys(library, optimizer):
    # 120 samples in batches of 12: 10 steps an epoch, 50 steps in 5 epochs
    net, _, X, _ = _fit(library, "binary", "leaky-l2", optimizer, epochs=5, batch_size=12)
    ref, _, _, _ = _fit("numpy", "binary", "leaky-l2", optimizer, epochs=5, batch_size=12)
    assert net.optimizer_.t == ref.optimizer_.t == 50
    _close(net.parameters, ref.parameters, like=X)
    for state, ref_state in zip(net.optimizer_.state, ref.optimizer_.state):
        _close(state[0], ref_state[0], like=X)


@pytest.mark.parametrize("library", OTHERS)
def test_float32_follows_numpy_to_float32_rounding(library):
    net, history, X, _ = _fit(library, "multiclass", "plain", "adam", dtype="float32")
    ref, ref_history, X_np, _ = _fit("numpy", "multiclass", "plain", "adam", dtype="float32")
    assert net.parameters.dtype == LIBRARIES[library](np.float32(0)).dtype
    _close(history["loss"], ref_history["loss"], rtol=1e-4)
    _close(net.forward(X), ref.forward(X_np), rtol=1e-4, like=X)


@pytest.mark.parametrize("library", OTHERS)
def test_weights_validation_and_a_schedule_on_any_library(library):
    args = dict(sample_weight=np.linspace(0.5, 2, 120), class_weight="balanced",
                validation_split=0.25, schedule=barenet.schedules.ExponentialDecay(0.9),
                epochs=4)
    net, history, X, _ = _fit(library, "multiclass", "plain", "adam", **args)
    ref, ref_history, _, _ = _fit("numpy", "multiclass", "plain", "adam", **args)
    assert set(history) == set(ref_history)
    for key in ref_history:
        _close(history[key], ref_history[key])
    _close(net.parameters, ref.parameters, like=X)


@pytest.mark.parametrize("library", OTHERS)
def test_validation_data_and_early_stopping_on_any_library(library):
    X_val, y_val = _data("binary", n=40, seed=3)
    to = LIBRARIES[library]
    stop = barenet.callbacks.EarlyStopping(monitor="val_loss", patience=1, restore_best=True)
    net, history, _, _ = _fit(library, "binary", "plain", "adam", epochs=30,
                              validation_data=(to(X_val), to(y_val)), callbacks=[stop])
    ref_stop = barenet.callbacks.EarlyStopping(monitor="val_loss", patience=1,
                                               restore_best=True)
    ref, ref_history, _, _ = _fit("numpy", "binary", "plain", "adam", epochs=30,
                                  validation_data=(X_val, y_val), callbacks=[ref_stop])
    assert history.epochs == ref_history.epochs
    _close(history["val_loss"], ref_history["val_loss"])
    _close(net.parameters, ref.parameters)


def test_the_gradient_equals_torch_autograd_on_the_networks_tensors():
    X, y = _data("multiclass", n=25)
    net = _network("multiclass", "leaky-l2")
    Xt, yt = torch.asarray(X), torch.asarray(y)
    net.to(Xt)
    Y, _ = net.encode(yt, 25)
    net.engine.step_value_and_grad(Xt.T, Y.T)

    # the same network written with torch's own functions, differentiated by autograd
    weights = [W.detach().clone().requires_grad_(True) for W in net.weights]
    biases = [b.detach().clone().requires_grad_(True) for b in net.biases]
    A = Xt.T
    for l, (W, b) in enumerate(zip(weights, biases)):
        Z = W @ A + b
        A = [torch.nn.functional.leaky_relu(Z, 0.01), torch.sigmoid(Z),
             torch.softmax(Z, dim=0)][l]
    loss = -(Y.T * torch.log(A)).sum() / 25 + 0.05 / (2 * 25) * sum((W ** 2).sum()
                                                                     for W in weights)
    loss.backward()
    for W, dW in zip(weights, net.flat.dweights):
        _close(dW, W.grad.numpy())
    for b, db in zip(biases, net.flat.dbiases):
        _close(db, b.grad.numpy())


@pytest.mark.parametrize("library", OTHERS)
def test_data_of_another_library_than_the_network_is_refused(library):
    X, y = _data("binary")
    to = LIBRARIES[library]
    net, _, _, _ = _fit(library, "binary", "plain")
    with pytest.raises(TypeError, match=r"^X is NumPy data but the network's parameters"):
        net.predict(X)
    with pytest.raises(TypeError, match=r"validation_data\[0\]"):
        net.fit(to(X), to(y), validation_data=(X, y), epochs=1)
    numpy_net = _network("binary", "plain")
    with pytest.raises(TypeError, match=r"^X is an array of .* on device .* NumPy data"):
        numpy_net.forward(to(X))


@pytest.mark.parametrize("library", OTHERS)
def test_to_and_back_keeps_the_network_and_its_optimizer(library):
    X, y = _data("binary")
    to = LIBRARIES[library]
    ref = _network("binary", "plain")
    opt_ref = barenet.Adam(lr=0.01)
    ref.fit(X, y, optimizer=opt_ref, epochs=2)
    ref.fit(X, y, optimizer=opt_ref, epochs=2)

    net = _network("binary", "plain")
    opt = barenet.Adam(lr=0.01)
    net.fit(X, y, optimizer=opt, epochs=2)  # on NumPy, then on to the other library
    assert net.to(to(X)) is net and type(net.parameters) is type(to(X))
    assert type(opt.state[0][0]) is type(to(X))  # the optimizer's state went along
    net.fit(to(X), to(y), optimizer=opt, epochs=2)
    _close(net.parameters, ref.parameters)
    net.to(X)
    assert type(net.parameters) is np.ndarray and type(net.engine).__name__ == "Engine"
    _close(net.predict_proba(X), ref.predict_proba(X), like=X)


@pytest.mark.parametrize("library", OTHERS)
def test_divergence_restores_the_same_epoch_start_as_numpy(library):
    X, y = _data("binary", n=160)
    errors, nets = [], []
    for to in (np.asarray, LIBRARIES[library]):
        net = barenet.Network([4, 16, 1], ["relu", "sigmoid"], seed=0, dtype="float32")
        with pytest.raises(barenet.TrainingDiverged) as caught:
            net.fit(to(X * 1e3), to(y), optimizer=barenet.GD(lr=1e6), epochs=100,
                    batch_size=32)
        errors.append(caught.value)
        nets.append(net)
    (ref_error, error), (ref, net) = errors, nets
    assert (error.epoch, error.step, error.restored_epoch) == (
        ref_error.epoch, ref_error.step, ref_error.restored_epoch)
    _close(net.parameters, ref.parameters, rtol=1e-5)
    assert np.isfinite(_numpy(net.predict_proba(LIBRARIES[library](X * 1e3)))).all()
