"""Files, ONNX, pickles and gradient checks of a network on another array
library: ``array_api_strict`` (which refuses anything outside the standard)
and PyTorch CPU tensors.

A network on another library saves the file the same network on NumPy
writes (its arrays copied to NumPy), ``barenet.load(path, like=X)`` puts a
model back on ``X``'s library and device, a checkpoint loaded there resumes
exactly as an uninterrupted NumPy run, the ONNX graph is NumPy's, and
``gradient_check`` computes its finite differences on the library itself.
"""

import json
import math
import pickle

import numpy as np
import pytest

import barenet
from barenet import notebook as nb
from barenet.core.namespace import to_numpy
from barenet.io.files import read_npz

LIBRARIES = ["array_api_strict", "torch"]


@pytest.fixture(params=LIBRARIES)
def to(request):
    """The library's ``asarray``: NumPy data to that library."""
    return pytest.importorskip(request.param).asarray


def _host(x):
    """``x`` (an array of any library, or a list) as NumPy data."""
    return np.asarray(x) if isinstance(x, (list, tuple)) else to_numpy(x)


def _close(result, expected, rtol=1e-12):
    """``result`` (an array of any library) equals ``expected`` to ``rtol``,
    relative to each value and to the largest one (for values that cancel)."""
    expected = _host(expected)
    scale = float(np.abs(expected).max()) if expected.size else 0.0
    np.testing.assert_allclose(_host(result), expected, rtol=rtol, atol=rtol * scale)


def _same(result, expected):
    """Bit for bit the same values (of any libraries)."""
    np.testing.assert_array_equal(_host(result), _host(expected), strict=True)


def _data(task, n=80, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4)) * [1.0, 2.0, 0.5, 3.0] + [0.0, 1.0, -2.0, 0.5]
    if task == "strings":
        y = np.where(X[:, 0] * X[:, 1] > 0, "same", "other")
    elif task == "multiclass":
        y = (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 1.5)
    else:
        y = np.stack([np.sin(X[:, 0]), X[:, 1] * X[:, 2]], axis=1)
    return X, y


# name: (task, hidden layers' settings and output)
CONFIGS = {
    "plain": ("multiclass", dict(activations=["relu", "tanh", "softmax"], units=3)),
    "batch-norm": ("multiclass", dict(activations=["relu", "tanh", "softmax"], units=3,
                                      batch_norm=True)),
    "standardize": ("regression", dict(activations=["tanh", "leaky_relu", "linear"], units=2,
                                       standardize=True, l2=0.01)),
    "strings": ("strings", dict(activations=["relu", "relu", "sigmoid"], units=1,
                                dropout=0.2)),
}


def _network(config, seed=0):
    settings = dict(CONFIGS[config][1])
    activations, units = settings.pop("activations"), settings.pop("units")
    return barenet.Network([4, 6, 5, units], activations, seed=seed, dtype="float64",
                           **settings)


def _labels(y, to):
    """Targets for the library: string labels stay NumPy's (no other library
    holds strings), numbers move."""
    return y if y.dtype.kind == "U" else to(y)


def _fitted(config, to=np.asarray, epochs=3):
    task = CONFIGS[config][0]
    X, y = _data(task)
    net = _network(config)
    net.fit(to(X), _labels(y, to), optimizer=barenet.Momentum(lr=0.05), epochs=epochs,
            batch_size=16)
    return net, X, y


# ------------------------------------------------------------ save and load

@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_a_saved_network_is_the_file_numpy_writes_and_loads_back(to, config, tmp_path):
    net, X, _ = _fitted(config, to)
    ref, _, _ = _fitted(config)
    net.save(tmp_path / "net.npz", training_state=True)
    ref.save(tmp_path / "ref.npz", training_state=True)
    arrays, ref_arrays = read_npz(tmp_path / "net.npz"), read_npz(tmp_path / "ref.npz")
    assert set(arrays) == set(ref_arrays)
    for name, ref_array in ref_arrays.items():
        array = arrays[name]
        assert type(array) is np.ndarray and array.dtype == ref_array.dtype
        if name == "metadata":  # the same, but for the figures' rounding
            metadata = json.loads(array.tobytes())
            ref_metadata = json.loads(ref_array.tobytes())
            history, ref_history = metadata.pop("history"), ref_metadata.pop("history")
            assert history.keys() == ref_history.keys()
            for key in ref_history:
                _close(history[key], ref_history[key])
            assert metadata == ref_metadata
            continue
        assert array.shape == ref_array.shape, name
        if array.dtype.kind == "f":
            _close(array, ref_array)
        else:
            _same(array, ref_array)

    # barenet.load gives NumPy; like= another library's array puts it there
    again = barenet.load(tmp_path / "net.npz")
    assert type(again.parameters) is np.ndarray
    _same(again.parameters, net.parameters)
    _same(again.flat.state, net.flat.state)
    moved = barenet.load(tmp_path / "net.npz", like=to(X))
    assert type(moved.parameters) is type(to(X))
    assert type(moved.optimizer_.state[0][0]) is type(to(X))
    _same(moved.parameters, net.parameters)
    _same(moved.forward(to(X)), net.forward(to(X)))
    _close(again.forward(X), net.forward(to(X)))
    if net.scaler_ is not None:
        assert type(moved.scaler_.mean_) is type(to(X))
        _same(moved.scaler_.mean_, net.scaler_.mean_)
        _same(moved.scaler_.scale_, net.scaler_.scale_)
    if net.task != "regression":
        _same(np.asarray(moved.predict(to(X))) if net.classes_.dtype.kind == "U"
              else moved.predict(to(X)), net.predict(to(X)))
        _same(again.classes_, ref.classes_)


def test_load_like_numpy_or_nothing_gives_numpy_and_bad_placements_are_refused(tmp_path):
    net, X, _ = _fitted("plain")
    net.save(tmp_path / "net.npz")
    for like in (None, X):
        assert type(barenet.load(tmp_path / "net.npz", like=like).parameters) is np.ndarray
    with pytest.raises(TypeError, match="like must be an array.*got str"):
        barenet.load(tmp_path / "net.npz", like="cuda")
    with pytest.raises(TypeError, match="not both"):
        barenet.load(tmp_path / "net.npz", like=X, device="cpu")


def test_load_device_names_a_torch_device(tmp_path):
    torch = pytest.importorskip("torch")
    net, X, _ = _fitted("batch-norm")
    net.save(tmp_path / "net.npz")
    again = barenet.load(tmp_path / "net.npz", device="cpu")
    assert type(again.parameters) is torch.Tensor and again.parameters.device.type == "cpu"
    _close(again.forward(torch.asarray(X)), net.forward(X))
    with pytest.raises(ValueError, match="not a PyTorch device"):
        barenet.load(tmp_path / "net.npz", device="no-such-device")


@pytest.mark.parametrize("moved_by", ["like", "resume"])
def test_a_checkpoint_resumed_on_the_library_equals_an_uninterrupted_numpy_run(
        to, moved_by, tmp_path):
    X, y = _data("multiclass")
    args = dict(epochs=6, batch_size=16, validation_split=0.25,
                schedule=barenet.schedules.ExponentialDecay(0.9))

    def network():
        return barenet.Network([4, 6, 3], ["relu", "softmax"], seed=3, dtype="float64",
                               dropout=0.2, standardize=True)

    ref = network()
    ref_history = ref.fit(X, y, optimizer=barenet.Adam(lr=0.01), **args)

    net = network()
    checkpoint = barenet.ModelCheckpoint(tmp_path / "ckpt-{epoch}.npz", every=3)
    net.fit(to(X), to(y), optimizer=barenet.Adam(lr=0.01), callbacks=[checkpoint], **args)
    assert checkpoint.saved == [str(tmp_path / "ckpt-3.npz"), str(tmp_path / "ckpt-6.npz")]

    like = to(X) if moved_by == "like" else None
    resumed = barenet.load(tmp_path / "ckpt-3.npz", like=like)
    assert resumed.run_.epoch == 3
    if moved_by == "like":
        assert type(resumed.parameters) is type(to(X))
        assert all(type(a) is type(to(X)) for field in resumed.optimizer_.state for a in field)
    history = resumed.resume(to(X), to(y))
    assert type(resumed.parameters) is type(to(X))
    assert resumed.optimizer_.t == ref.optimizer_.t
    assert set(history) == set(ref_history)
    for key in ref_history:
        _close(history[key], ref_history[key])
    _close(resumed.parameters, ref.parameters)
    for state, ref_state in zip(resumed.optimizer_.state, ref.optimizer_.state):
        _close(state[0], ref_state[0])
    _close(resumed.predict_proba(to(X)), ref.predict_proba(X))


# ------------------------------------------------------------------- ONNX

@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_onnx_export_is_numpys_graph_and_runs_as_forward(to, config, tmp_path):
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    import barenet.onnx

    net, X, _ = _fitted(config, to)
    on_numpy = pickle.loads(pickle.dumps(net)).to(X)
    assert type(on_numpy.parameters) is np.ndarray
    proto = barenet.onnx.to_onnx(net)
    assert proto.SerializeToString() == barenet.onnx.to_onnx(on_numpy).SerializeToString()

    barenet.onnx.export(net, tmp_path / "net.onnx")
    session = ort.InferenceSession(str(tmp_path / "net.onnx"),
                                   providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    out = dict(zip(names, session.run(None, {"X": X})))
    if net.task == "regression":
        _close(out["variable"], net.predict(to(X)), rtol=1e-10)
    else:
        _close(out["probabilities"], net.predict_proba(to(X)), rtol=1e-10)
        labels = net.predict(to(X))
        labels = labels if type(labels) is np.ndarray else to_numpy(labels)
        assert out["label"].tolist() == labels.tolist()


# ---------------------------------------------------------------- pickle

@pytest.mark.parametrize("config", ["batch-norm", "standardize"])
def test_a_pickled_network_stays_on_its_library_and_trains_on_identically(to, config):
    net, X, y = _fitted(config, to)
    again = pickle.loads(pickle.dumps(net))
    assert type(again.parameters) is type(net.parameters)
    assert type(again.engine) is type(net.engine)
    _same(again.parameters, net.parameters)
    _same(again.forward(to(X)), net.forward(to(X)))
    # the views are into the unpickled vectors, and training carries on the same
    for nn in (net, again):
        nn.fit(to(X), _labels(y, to), optimizer=nn.optimizer_, epochs=1, batch_size=16)
    _same(again.parameters, net.parameters)
    _same(again.weights[1], net.weights[1])
    _same(again.flat.state, net.flat.state)


# -------------------------------------------------------- gradient checks

@pytest.mark.parametrize("config", ["batch-norm", "standardize", "strings"])
def test_gradient_check_of_a_network_on_the_library(to, config):
    net, X, y = _fitted(config, to, epochs=1)
    ref, _, _ = _fitted(config, epochs=1)
    X, y = X[:20], y[:20]
    before = (to_numpy(net.parameters).copy(), to_numpy(net.flat.state).copy())
    error = barenet.gradient_check(net, to(X), _labels(y, to))
    ref_error = barenet.gradient_check(ref, X, y)
    assert error < 1e-7 and ref_error < 1e-7
    # the same gradient, so the same error but for the differences' rounding
    assert math.isclose(error, ref_error, rel_tol=0.5, abs_tol=1e-10)
    _same(net.parameters, before[0])
    _same(net.flat.state, before[1])
    with pytest.raises(TypeError, match="^X is NumPy data"):
        barenet.gradient_check(net, X, y)


def test_gradient_check_finds_a_wrong_gradient_on_the_library(to):
    net, X, y = _fitted("plain", to, epochs=1)
    engine = net.engine
    backward = engine.backward

    def wrong(ws, Y, weights=None):
        backward(ws, Y, weights)
        net.flat.grad[0] = net.flat.grad[0] + 0.1

    engine.backward = wrong
    assert barenet.gradient_check(net, to(X[:20]), to(y[:20])) > 1e-3


@pytest.mark.parametrize("batch_norm", [False, True])
def test_gradient_check_of_the_notebooks_parameters_on_the_library(to, batch_norm):
    X, y = _data("strings", n=30)
    X, Y = X.T, (y == "same").astype(np.float64)[None, :]
    args = dict(layer_activations=["relu", "tanh", "sigmoid"], lambd=0.1, keep_prob=0.8,
                seed=4)
    ref = nb.initialize_parameters([4, 5, 3, 1], seed=0, batch_norm=batch_norm)
    parameters = nb.initialize_parameters([4, 5, 3, 1], seed=0, batch_norm=batch_norm,
                                          like=to(X))
    before = {k: to_numpy(v).copy() for k, v in parameters.items()}
    error = barenet.gradient_check(parameters, to(X), to(Y), **args)
    ref_error = barenet.gradient_check(ref, X, Y, **args)
    assert error < 1e-7 and ref_error < 1e-7
    assert math.isclose(error, ref_error, rel_tol=0.5, abs_tol=1e-10)
    for k, v in parameters.items():
        assert type(v) is type(to(X))
        _same(v, before[k])
    with pytest.raises(TypeError, match="different libraries"):
        barenet.gradient_check(ref, to(X), to(Y), **args)
