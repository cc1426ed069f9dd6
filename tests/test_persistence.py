"""Saving and loading networks (barenet.persistence): bit-identical round trips,
the file format, no pickle ever, clear errors for damaged or altered files,
and atomic saves."""

import io
import json
import os
import zipfile

import numpy as np
import pytest

import barenet
from barenet.model.parameters import layer_views, shapes
from barenet import persistence
from barenet.io import persistence as io_persistence  # where save calls numpy.savez
from barenet.activations import Activation, LeakyReLU, ReLU
from barenet.training import History

FLOATS = ["float32", "float64"]


# ----------------------------------------------------------------- helpers


def blobs(m=60, n_classes=3, seed=0):
    rng = np.random.default_rng(seed)
    centers = np.array([[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0], [0.0, 0.0]])[:n_classes]
    y = np.arange(m) % n_classes
    X = centers[y] + rng.normal(scale=0.6, size=(m, 2))
    return X, y


def binary_data(m=40, seed=0, labels=(0, 1)):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, 2))
    y = np.where(X[:, 0] + X[:, 1] > 0, labels[1], labels[0])
    return X, y


def regression_data(m=40, n_out=1, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, 3))
    Y = np.stack([X[:, 0] - 2 * X[:, 1], X[:, 2] ** 2][:n_out], axis=1)
    return X, (Y[:, 0] if n_out == 1 else Y)


def fitted(kind, dtype):
    """A small fitted network of the given kind, and inputs to query it with."""
    if kind == "binary":
        X, y = binary_data()
        net = barenet.Network([2, 5, 1], ["tanh", "sigmoid"], seed=1, dtype=dtype)
    elif kind == "binary_str":
        X, y = binary_data(labels=("cat", "dog"))
        net = barenet.Network([2, 5, 1], ["relu", "sigmoid"], seed=1, dtype=dtype)
    elif kind == "softmax":
        X, y = blobs()
        net = barenet.Network([2, 6, 3], ["relu", "softmax"], seed=1, dtype=dtype)
    elif kind == "softmax_missing_class":
        X, y = blobs(n_classes=3)  # labels 0, 1, 2; the output has 4 units
        net = barenet.Network([2, 6, 4], ["relu", "softmax"], seed=1, dtype=dtype)
    elif kind == "regression1":
        X, y = regression_data(n_out=1)
        net = barenet.Network([3, 6, 1], ["tanh", "linear"], seed=1, dtype=dtype)
    elif kind == "regression2":
        X, y = regression_data(n_out=2)
        net = barenet.Network([3, 6, 2], ["relu", "linear"], seed=1, dtype=dtype)
    elif kind == "leaky":
        X, y = binary_data()
        net = barenet.Network([2, 5, 4, 1], [LeakyReLU(0.2), "leaky_relu", "sigmoid"],
                              seed=1, dtype=dtype)
    else:
        raise AssertionError(kind)
    n_val = len(X) // 4
    net.fit(X[n_val:], y[n_val:], optimizer=barenet.Adam(lr=0.01), epochs=5, batch_size=8,
            validation_data=(X[:n_val], y[:n_val]))
    return net, X


def saved_model(tmp_path, name="model.npz"):
    """A fitted binary classifier saved to ``tmp_path / name``."""
    net, _ = fitted("binary", "float32")
    path = tmp_path / name
    net.save(path)
    return net, path


def read_arrays(path):
    with np.load(path, allow_pickle=False) as npz:
        return {name: npz[name] for name in npz.files}


def decode_metadata(document):
    """The JSON document of a saved ``metadata`` array (UTF-8 bytes as uint8;
    a string array is read too)."""
    if document.dtype == np.uint8:
        return json.loads(document.tobytes().decode("utf-8"))
    return json.loads(str(document))


def encode_metadata(text, like=None):
    """``text`` (a str) stored the way barenet stores its metadata."""
    if like is not None and like.dtype != np.uint8:
        return np.array(text)
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def read_metadata(path):
    return decode_metadata(read_arrays(path)["metadata"])


def write_model(path, arrays, metadata=None):
    """Write ``arrays`` (with ``metadata`` stored as barenet stores it, when
    given) as an .npz."""
    arrays = dict(arrays)
    if metadata is not None:
        arrays["metadata"] = encode_metadata(json.dumps(metadata), arrays.get("metadata"))
    with open(path, "wb") as f:  # a file object: no '.npz' appended to the name
        np.savez(f, **arrays)
    return path


def npy_bytes(array):
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.asanyarray(array), allow_pickle=False)
    return buffer.getvalue()


def assert_refused(path, *words, error=barenet.ModelFileError):
    """Loading ``path`` raises ``error`` whose message names the file and
    contains each of ``words`` (case-insensitive)."""
    with pytest.raises(error) as info:
        barenet.load(path)
    message = str(info.value)
    assert str(path) in message, message
    for word in words:
        assert word.lower() in message.lower(), message
    return message


def altered(tmp_path, name, change_arrays=None, change_metadata=None):
    """Save a model, then rewrite it by hand: ``change_arrays(arrays)`` and
    ``change_metadata(metadata)`` edit the loaded dicts in place."""
    _, path = saved_model(tmp_path, "original.npz")
    arrays = read_arrays(path)
    metadata = decode_metadata(arrays["metadata"])
    if change_arrays:
        change_arrays(arrays)
    if change_metadata:
        change_metadata(metadata)
    return write_model(tmp_path / name, arrays, metadata)


def snapshot(net):
    return (net.parameters.copy(), net.layer_sizes, net.activations, net.loss.name, net.dtype,
            None if net.classes_ is None else net.classes_.copy(),
            None if net.history_ is None else {k: list(v) for k, v in net.history_.items()},
            json.dumps(net.fit_config_), net.init, net.task)


def assert_same_snapshot(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        if isinstance(x, np.ndarray):
            assert isinstance(y, np.ndarray) and x.dtype == y.dtype
            assert np.array_equal(x, y)
        else:
            assert x == y


# ------------------------------------------------------------ round trips

KINDS = ["binary", "binary_str", "softmax", "softmax_missing_class", "regression1",
         "regression2", "leaky"]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("kind", KINDS)
def test_round_trip_is_bit_identical(tmp_path, kind, dtype):
    net, X = fitted(kind, dtype)
    path = tmp_path / "model.npz"
    net.save(path)
    loaded = barenet.load(path)

    assert isinstance(loaded, barenet.Network)
    assert loaded.layer_sizes == net.layer_sizes
    assert loaded.activations == net.activations
    assert [type(a) for a in loaded.activations] == [type(a) for a in net.activations]
    assert loaded.loss.name == net.loss.name
    assert loaded.task == net.task
    assert loaded.dtype == net.dtype == np.dtype(dtype)
    assert loaded.parameters.dtype == net.parameters.dtype
    assert np.array_equal(loaded.parameters, net.parameters)
    # the weight and bias views still point into the loaded parameter vector
    for W, W0 in zip(loaded.weights, net.weights):
        assert np.shares_memory(W, loaded.parameters) and np.array_equal(W, W0)

    if net.task == "regression":
        assert loaded.classes_ is None
    else:
        assert loaded.classes_.dtype == net.classes_.dtype
        assert np.array_equal(loaded.classes_, net.classes_)

    assert isinstance(loaded.history_, History)
    assert loaded.history_ == net.history_
    assert set(loaded.history_) >= {"loss", "val_loss"}
    assert loaded.fit_config_ == net.fit_config_
    assert loaded.init == net.init

    out = loaded.forward(X)
    assert out.dtype == net.dtype
    assert np.array_equal(out, net.forward(X))
    pred = loaded.predict(X)
    assert pred.dtype == net.predict(X).dtype
    assert np.array_equal(pred, net.predict(X))
    if net.task != "regression":
        assert np.array_equal(loaded.predict_proba(X), net.predict_proba(X))


def test_round_trip_specifics(tmp_path):
    # string labels come back as strings
    net, X = fitted("binary_str", "float32")
    net.save(tmp_path / "s.npz")
    loaded = barenet.load(tmp_path / "s.npz")
    assert loaded.classes_.tolist() == ["cat", "dog"]
    assert set(loaded.predict(X)) <= {"cat", "dog"}

    # a class missing from the training data is kept
    net, X = fitted("softmax_missing_class", "float64")
    net.save(tmp_path / "m.npz")
    loaded = barenet.load(tmp_path / "m.npz")
    assert loaded.classes_.tolist() == [0, 1, 2, 3]
    assert loaded.predict_proba(X).shape == (len(X), 4)

    # the slope of a leaky ReLU survives, the default one too
    net, X = fitted("leaky", "float64")
    net.save(tmp_path / "l.npz")
    loaded = barenet.load(tmp_path / "l.npz")
    assert loaded.activations[0].slope == 0.2
    assert loaded.activations[1].slope == LeakyReLU().slope

    # two regression outputs come back as two columns
    net, X = fitted("regression2", "float32")
    net.save(tmp_path / "r.npz")
    assert barenet.load(tmp_path / "r.npz").predict(X).shape == (len(X), 2)


def test_loaded_network_can_keep_training(tmp_path):
    net, X = fitted("softmax", "float64")
    net.save(tmp_path / "model.npz")
    loaded = barenet.load(tmp_path / "model.npz")
    _, y = blobs()
    history = loaded.fit(X, y, epochs=2, batch_size=16)
    assert len(history["loss"]) == 2
    assert np.isfinite(loaded.parameters).all()


@pytest.mark.parametrize("dtype", FLOATS)
def test_unfitted_network_saves_and_loads(tmp_path, dtype):
    net = barenet.Network([3, 4, 2], ["relu", "softmax"], seed=5, dtype=dtype)
    path = tmp_path / "unfitted.npz"
    net.save(path)
    loaded = barenet.load(path)
    assert loaded.layer_sizes == (3, 4, 2)
    assert loaded.dtype == np.dtype(dtype)
    assert np.array_equal(loaded.parameters, net.parameters)
    assert loaded.classes_ is None and loaded.history_ is None and loaded.fit_config_ is None
    X = np.random.default_rng(0).normal(size=(5, 3))
    assert np.array_equal(loaded.forward(X), net.forward(X))
    with pytest.raises(barenet.NotFittedError):
        loaded.predict(X)
    assert "classes" not in read_arrays(path)

    # an unfitted regressor predicts straight away
    reg = barenet.Network([2, 1], ["linear"], seed=0, dtype=dtype)
    reg.save(tmp_path / "reg.npz")
    Xr = np.ones((3, 2))
    assert np.array_equal(barenet.load(tmp_path / "reg.npz").predict(Xr), reg.predict(Xr))


@pytest.mark.parametrize("kind", ["softmax", "binary_str", "regression2"])
def test_saving_does_not_change_the_network(tmp_path, kind):
    net, X = fitted(kind, "float32")
    before = snapshot(net)
    optimizer, out = net.optimizer_, net.forward(X)
    net.save(tmp_path / "a.npz")
    net.save(tmp_path / "a.npz")
    assert_same_snapshot(before, snapshot(net))
    assert net.optimizer_ is optimizer
    assert type(net.history_) is History
    assert np.array_equal(net.forward(X), out)


def test_save_accepts_str_and_pathlike_and_keeps_the_name(tmp_path):
    net, X = fitted("binary", "float64")
    net.save(str(tmp_path / "as_str.npz"))
    net.save(tmp_path / "no_suffix")  # written exactly there, no '.npz' added
    assert sorted(os.listdir(tmp_path)) == ["as_str.npz", "no_suffix"]
    for name in ["as_str.npz", "no_suffix"]:
        for path in [tmp_path / name, str(tmp_path / name)]:
            assert np.array_equal(barenet.load(path).forward(X), net.forward(X))


# ------------------------------------------------------------ file format


def test_file_is_a_plain_npz_with_json_metadata(tmp_path):
    net, _ = fitted("binary_str", "float64")
    path = tmp_path / "model.npz"
    net.save(path)
    with open(path, "rb") as f:
        assert f.read(4) == b"PK\x03\x04"
    assert zipfile.is_zipfile(path)

    arrays = read_arrays(path)  # allow_pickle=False: nothing in it needs pickle
    assert set(arrays) == {"parameters", "state", "metadata", "classes"}
    for array in arrays.values():
        assert array.dtype != object
    assert np.array_equal(arrays["parameters"], net.parameters)
    assert arrays["parameters"].dtype == np.float64
    assert arrays["classes"].tolist() == ["cat", "dog"]

    assert arrays["metadata"].dtype == np.uint8 and arrays["metadata"].ndim == 1
    metadata = decode_metadata(arrays["metadata"])
    for key in ["format", "format_version", "barenet_version", "layer_sizes", "activations",
                "dtype", "loss", "training", "history"]:
        assert key in metadata, key
    assert metadata["format"] == "barenet.network"
    assert metadata["format_version"] == 1
    assert metadata["barenet_version"] == barenet.__version__
    assert metadata["layer_sizes"] == [2, 5, 1]
    assert [a["name"] for a in metadata["activations"]] == ["relu", "sigmoid"]
    assert metadata["dtype"] == "float64"
    assert metadata["loss"] == "binary_crossentropy"
    assert metadata["training"] == net.fit_config_
    assert metadata["training"]["optimizer"]["name"] == "adam"
    assert metadata["history"] == {k: list(v) for k, v in net.history_.items()}


def test_metadata_of_leaky_relu_and_unfitted_network(tmp_path):
    net = barenet.Network([2, 3, 1], [LeakyReLU(0.2), "linear"], seed=0)
    net.save(tmp_path / "m.npz")
    metadata = read_metadata(tmp_path / "m.npz")
    assert metadata["activations"] == [{"name": "leaky_relu", "slope": 0.2}, {"name": "linear"}]
    assert metadata["loss"] == "mse"
    assert metadata["dtype"] == "float32"
    assert metadata["training"] is None and metadata["history"] is None


# ------------------------------------------------------------ never pickle


class _Marker:
    """Unpickling this object would create the file ``path``."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_object_metadata_is_refused_and_never_unpickled(tmp_path):
    _, good = saved_model(tmp_path)
    arrays = read_arrays(good)
    marker = tmp_path / "pwned"
    evil = np.empty((), dtype=object)
    evil[()] = _Marker(marker)
    path = tmp_path / "evil.npz"
    with open(path, "wb") as f:
        np.savez(f, parameters=arrays["parameters"], classes=arrays["classes"], metadata=evil)
    assert not marker.exists()
    message = assert_refused(path)
    assert not marker.exists()
    assert "pickle" in message.lower() or "object" in message.lower(), message


def test_extra_pickled_array_is_refused_and_never_unpickled(tmp_path):
    _, good = saved_model(tmp_path)
    arrays = read_arrays(good)
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.npz"
    with open(path, "wb") as f:
        np.savez(f, **arrays, extra=np.array([_Marker(marker), 1], dtype=object))
    assert not marker.exists()
    assert_refused(path)
    assert not marker.exists()


def test_object_metadata_holding_valid_json_is_refused(tmp_path):
    # even harmless-looking JSON is refused when it is stored with pickle
    _, good = saved_model(tmp_path)
    arrays = read_arrays(good)
    arrays["metadata"] = np.array(json.dumps(decode_metadata(arrays["metadata"])), dtype=object)
    path = tmp_path / "object_json.npz"
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    assert_refused(path)


def test_load_never_calls_pickle(tmp_path, monkeypatch):
    import pickle

    def no_pickle(*args, **kwargs):
        raise AssertionError("pickle used")

    monkeypatch.setattr(pickle, "load", no_pickle)
    monkeypatch.setattr(pickle, "loads", no_pickle)
    net, path = saved_model(tmp_path)
    assert np.array_equal(barenet.load(path).parameters, net.parameters)


# ------------------------------------------------------------ damaged files


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere" / "model.npz"
    with pytest.raises(FileNotFoundError) as info:
        barenet.load(path)
    assert str(path) in str(info.value)
    assert not isinstance(info.value, barenet.ModelFileError)


def test_model_file_error_is_a_value_error():
    assert issubclass(barenet.ModelFileError, ValueError)
    assert barenet.ModelFileError is persistence.ModelFileError


@pytest.mark.parametrize("content", [
    b"",
    b"\x00",
    bytes(np.random.default_rng(0).integers(0, 256, 3000, dtype=np.uint8)),
    b"PK\x03\x04" + bytes(np.random.default_rng(1).integers(0, 256, 500, dtype=np.uint8)),
    b"parameters,metadata\n1,2\n",
], ids=["empty", "one-byte", "random", "zip-magic-then-random", "csv"])
def test_files_that_are_not_npz(tmp_path, content):
    path = tmp_path / "junk.npz"
    path.write_bytes(content)
    assert_refused(path)


def test_plain_npy_file(tmp_path):
    path = tmp_path / "array.npy"
    np.save(path, np.arange(5.0))
    assert_refused(path)


@pytest.mark.parametrize("fraction", [0.5, 0.9, 0.1])
def test_truncated_model_file(tmp_path, fraction):
    _, good = saved_model(tmp_path)
    data = good.read_bytes()
    path = tmp_path / "truncated.npz"
    path.write_bytes(data[: int(len(data) * fraction)])
    assert_refused(path)


def test_npz_that_is_not_a_barenet_model(tmp_path):
    path = tmp_path / "data.npz"
    np.savez(path, X=np.ones((3, 2)), y=np.arange(3))
    assert_refused(path, "not a barenet model")

    only_params = write_model(tmp_path / "only_params.npz", {"parameters": np.zeros(9, np.float32)})
    assert_refused(only_params, "not a barenet model")

    empty_zip = tmp_path / "empty_zip.npz"
    with zipfile.ZipFile(empty_zip, "w"):
        pass
    assert_refused(empty_zip)


def test_zip_with_other_files(tmp_path):
    path = tmp_path / "other.npz"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
        z.writestr("metadata.npy", b"not an npy file")
    assert_refused(path)


def as_bytes(data):
    return np.frombuffer(data, dtype=np.uint8)


@pytest.mark.parametrize("metadata", [
    as_bytes(b"{not json"),
    as_bytes(b""),
    as_bytes(b"\x80\x81 not UTF-8 {}"),
    as_bytes(b"[1, 2]"),
    as_bytes(b"3.5"),
    as_bytes(b'"a string"'),
    as_bytes(b"null"),
    as_bytes(b'{"format": "barenet.network"').reshape(1, -1),
    np.array("{not json"),
    np.array(["{", "}"]),
    np.array(3.5),
    np.array(b"\x80\x81 bytes"),
    np.arange(5, dtype=np.int64),
], ids=["broken", "empty", "not-utf8", "json-list", "json-number", "json-string", "json-null",
        "2-D", "str-array", "str-list", "float", "bytes-scalar", "int-array"])
def test_metadata_that_is_not_json_or_not_an_object(tmp_path, metadata):
    _, good = saved_model(tmp_path)
    arrays = read_arrays(good)
    arrays["metadata"] = metadata
    path = write_model(tmp_path / "bad_meta.npz", arrays)
    assert_refused(path)


def test_metadata_not_json_message(tmp_path):
    _, good = saved_model(tmp_path)
    arrays = read_arrays(good)
    arrays["metadata"] = encode_metadata("{not json", arrays["metadata"])
    assert_refused(write_model(tmp_path / "bad.npz", arrays), "json")


@pytest.mark.parametrize("fmt", ["keras.model", "", None, 1])
def test_wrong_format(tmp_path, fmt):
    path = altered(tmp_path, "fmt.npz", change_metadata=lambda m: m.update(format=fmt))
    assert_refused(path, "format")


def test_missing_format(tmp_path):
    path = altered(tmp_path, "fmt.npz", change_metadata=lambda m: m.pop("format"))
    assert_refused(path, "format")


@pytest.mark.parametrize("version", [999, 0, persistence.FORMAT_VERSION + 1, "1", "2", None,
                                     1.5, 2.0, True, -1])
def test_unknown_format_version(tmp_path, version):
    path = altered(tmp_path, "v.npz", change_metadata=lambda m: m.update(format_version=version))
    message = assert_refused(path, "version")
    assert repr(version) in message or str(version) in message, message


def test_format_version_999_message(tmp_path):
    path = altered(tmp_path, "v.npz", change_metadata=lambda m: m.update(format_version=999))
    assert_refused(path, "999", "version")


def test_unknown_format_version_message_lists_the_versions_read(tmp_path):
    path = altered(tmp_path, "v.npz", change_metadata=lambda m: m.update(format_version=99))
    message = assert_refused(path, "format version 99", "reads versions 1 and 2")
    assert persistence.FORMAT_VERSIONS == (1, 2)
    assert persistence.FORMAT_VERSION == max(persistence.FORMAT_VERSIONS)
    for version in persistence.FORMAT_VERSIONS:
        assert str(version) in message, message


# --------------------------------------- format versions: 1 plain, 2 standardized


def _standardized(tmp_path, name="std.npz", **save):
    X, y = binary_data()
    net = barenet.Network([2, 5, 1], ["tanh", "sigmoid"], seed=1, standardize=True)
    net.fit(X * 100 + 7, y, optimizer=barenet.Adam(lr=0.01), epochs=3, batch_size=8)
    net.save(tmp_path / name, **save)
    return net, X * 100 + 7, tmp_path / name


@pytest.mark.parametrize("kind", ["binary", "softmax", "regression2"])
def test_plain_model_file_says_format_version_1(tmp_path, kind):
    net, _ = fitted(kind, "float64")
    net.save(tmp_path / "plain.npz")
    arrays = read_arrays(tmp_path / "plain.npz")
    assert decode_metadata(arrays["metadata"])["format_version"] == 1
    assert not any(name.startswith("scaler.") for name in arrays)
    # unfitted and checkpoints too: only standardization needs version 2
    barenet.Network([2, 3, 1], ["relu", "sigmoid"]).save(tmp_path / "unfitted.npz")
    assert decode_metadata(read_arrays(tmp_path / "unfitted.npz")["metadata"])[
        "format_version"] == 1


def test_plain_checkpoint_says_format_version_1(tmp_path):
    X, y = binary_data()
    net = barenet.Network([2, 5, 1], ["tanh", "sigmoid"], seed=1)
    net.fit(X, y, epochs=1, batch_size=8)
    net.save(tmp_path / "c.npz", training_state=True)
    assert decode_metadata(read_arrays(tmp_path / "c.npz")["metadata"])["format_version"] == 1


def test_standardized_model_file_says_format_version_2_and_loads(tmp_path):
    net, X, path = _standardized(tmp_path)
    arrays = read_arrays(path)
    metadata = decode_metadata(arrays["metadata"])
    assert metadata["format_version"] == 2 and metadata["standardize"] is True
    assert "scaler.mean" in arrays and "scaler.scale" in arrays
    again = barenet.load(path)
    assert again.standardize
    assert np.array_equal(again.scaler_.mean_, net.scaler_.mean_)
    assert np.array_equal(again.scaler_.scale_, net.scaler_.scale_)
    np.testing.assert_array_equal(again.predict_proba(X), net.predict_proba(X), strict=True)


def test_standardized_checkpoint_says_format_version_2_and_resumes(tmp_path):
    net, X, path = _standardized(tmp_path, "ckpt.npz", training_state=True)
    assert decode_metadata(read_arrays(path)["metadata"])["format_version"] == 2
    again = barenet.load(path)
    assert again.optimizer_ is not None
    assert np.array_equal(again.scaler_.mean_, net.scaler_.mean_)


def test_unfitted_standardized_model_file_says_format_version_2(tmp_path):
    net = barenet.Network([2, 3, 1], ["relu", "sigmoid"], standardize=True)
    net.save(tmp_path / "u.npz")
    arrays = read_arrays(tmp_path / "u.npz")
    assert "scaler.mean" not in arrays
    assert decode_metadata(arrays["metadata"])["format_version"] == 2
    again = barenet.load(tmp_path / "u.npz")
    assert again.standardize and again.scaler_ is None


def _as_version(version, **changes):
    def change(metadata):
        metadata.update(format_version=version, **changes)
    return change


def test_version_1_file_with_scaler_arrays_is_refused(tmp_path):
    _, _, path = _standardized(tmp_path)
    arrays = read_arrays(path)
    metadata = decode_metadata(arrays["metadata"])
    metadata["format_version"] = 1
    bad = write_model(tmp_path / "v1-scaler.npz", arrays, metadata)
    assert_refused(bad, "damaged", "format version 1", "scaler.mean")
    # without the flag as well: the arrays alone are enough to refuse it
    metadata["standardize"] = False
    bad = write_model(tmp_path / "v1-scaler-no-flag.npz", arrays, metadata)
    assert_refused(bad, "damaged", "format version 1", "scaler.mean")


@pytest.mark.parametrize("which", ["scaler.mean", "scaler.scale"])
def test_version_1_file_with_one_scaler_array_is_refused(tmp_path, which):
    path = altered(tmp_path, "v1-one.npz",
                   change_arrays=lambda a: a.update({which: np.ones(2)}))
    assert_refused(path, "damaged", "format version 1", "scaler")


def test_version_1_file_saying_standardize_is_refused(tmp_path):
    # an unfitted standardized network (no arrays, only the flag) as version 1
    barenet.Network([2, 3, 1], ["relu", "sigmoid"], standardize=True).save(tmp_path / "u.npz")
    arrays = read_arrays(tmp_path / "u.npz")
    metadata = decode_metadata(arrays["metadata"])
    metadata["format_version"] = 1
    bad = write_model(tmp_path / "v1-flag.npz", arrays, metadata)
    assert_refused(bad, "damaged", "format version 1", "standardize")
    # and a fitted plain model whose flag says standardize
    path = altered(tmp_path, "v1-flag-fitted.npz", change_metadata=_as_version(1, standardize=True))
    assert_refused(path, "damaged", "format version 1", "standardize")


def test_version_2_file_must_say_standardize(tmp_path):
    path = altered(tmp_path, "v2-plain.npz", change_metadata=_as_version(2))
    assert_refused(path, "format version 2", "standardize")
    path = altered(tmp_path, "v2-plain-no-flag.npz",
                   change_metadata=lambda m: (m.update(format_version=2), m.pop("standardize")))
    assert_refused(path, "format version 2", "standardize")
    # a fitted standardized network without its scaler arrays
    _, _, path = _standardized(tmp_path)
    arrays = read_arrays(path)
    del arrays["scaler.mean"], arrays["scaler.scale"]
    assert_refused(write_model(tmp_path / "v2-no-arrays.npz", arrays), "standardize", "missing")


def test_version_1_file_without_the_standardize_entry_loads(tmp_path):
    """As written before standardization existed."""
    net, path = saved_model(tmp_path)
    arrays = read_arrays(path)
    metadata = decode_metadata(arrays["metadata"])
    del metadata["standardize"]
    old = barenet.load(write_model(tmp_path / "old.npz", arrays, metadata))
    assert old.standardize is False and old.scaler_ is None
    assert np.array_equal(old.parameters, net.parameters)


def _set(name, value):
    def change(arrays):
        arrays[name] = value(arrays[name]) if callable(value) else value
    return change


@pytest.mark.parametrize("change", [
    _set("parameters", lambda p: p[:-1]),
    _set("parameters", lambda p: np.concatenate([p, p[:1]])),
    _set("parameters", lambda p: p.astype(np.float64)),
    _set("parameters", lambda p: p.astype(np.float16)),
    _set("parameters", lambda p: np.round(p).astype(np.int32)),
    _set("parameters", lambda p: p.reshape(1, -1)),
    _set("parameters", lambda p: p.astype(str)),
    _set("parameters", np.array(1.0, np.float32)),
], ids=["short", "long", "float64", "float16", "int", "2-D", "str", "scalar"])
def test_parameters_of_wrong_length_or_dtype(tmp_path, change):
    path = altered(tmp_path, "params.npz", change_arrays=change)
    assert_refused(path, "parameters")


def test_metadata_dtype_contradicting_parameters(tmp_path):
    path = altered(tmp_path, "dtype.npz", change_metadata=lambda m: m.update(dtype="float64"))
    assert_refused(path, "dtype")


@pytest.mark.parametrize("sizes", [[2, 6, 1], [3, 5, 1], [2, 5, 2, 1], [2, 1]])
def test_layer_sizes_contradicting_parameters(tmp_path, sizes):
    def change(metadata):
        metadata["layer_sizes"] = sizes
        metadata["activations"] = [{"name": "relu"}] * (len(sizes) - 2) + [{"name": "sigmoid"}]
    path = altered(tmp_path, "sizes.npz", change_metadata=change)
    assert_refused(path, "layer sizes")


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_parameters(tmp_path, value):
    def change(arrays):
        arrays["parameters"] = arrays["parameters"].copy()
        arrays["parameters"][3] = value
    path = altered(tmp_path, "nan.npz", change_arrays=change)
    assert_refused(path, "nan")


@pytest.mark.parametrize("activations", [
    [{"name": "relu"}, {"name": "swish"}],
    [{"name": "relu"}, {"name": "Sigmoid"}],
    [{"name": "relu"}],
    [{"name": "relu"}, {"name": "sigmoid"}, {"name": "sigmoid"}],
    [{"slope": 0.1}, {"name": "sigmoid"}],
    [{"name": "relu", "slope": 0.1}, {"name": "sigmoid"}],
    [{"name": "leaky_relu", "slope": 2.0}, {"name": "sigmoid"}],
    [{"name": "leaky_relu", "slope": "steep"}, {"name": "sigmoid"}],
    ["relu", "sigmoid"],
    None,
], ids=["unknown", "capitalised", "too-few", "too-many", "no-name", "bad-arg", "bad-slope",
        "slope-str", "plain-strings", "null"])
def test_invalid_activations(tmp_path, activations):
    path = altered(tmp_path, "act.npz", change_metadata=lambda m: m.update(activations=activations))
    assert_refused(path)


def test_unknown_activation_name_is_named(tmp_path):
    path = altered(tmp_path, "act.npz", change_metadata=lambda m: m.update(
        activations=[{"name": "relu"}, {"name": "swish"}]))
    assert_refused(path, "swish")


@pytest.mark.parametrize("change", [
    {"layer_sizes": None},
    {"layer_sizes": [2]},
    {"layer_sizes": [2, 0, 1]},
    {"layer_sizes": [2, 5.0, 1]},
    {"layer_sizes": "2,5,1"},
    {"dtype": "int32"},
    {"dtype": "double-precision"},
    {"loss": "hinge"},
    {"loss": "categorical_crossentropy"},
], ids=lambda c: json.dumps(c))
def test_metadata_that_does_not_describe_a_network(tmp_path, change):
    path = altered(tmp_path, "meta.npz", change_metadata=lambda m: m.update(change))
    assert_refused(path)


@pytest.mark.parametrize("key", ["layer_sizes", "activations", "dtype", "loss"])
def test_metadata_missing_a_field(tmp_path, key):
    path = altered(tmp_path, "meta.npz", change_metadata=lambda m: m.pop(key))
    assert_refused(path)


@pytest.mark.parametrize("classes", [
    np.array([0, 1, 2]),
    np.array([0]),
    np.array([1, 0]),
    np.array(["dog", "cat"]),
    np.array([1, 1]),
    np.array([[0, 1]]),
    np.array(0),
], ids=["too-many", "too-few", "unsorted", "unsorted-str", "repeated", "2-D", "scalar"])
def test_binary_classes_of_wrong_length_or_order(tmp_path, classes):
    path = altered(tmp_path, "classes.npz", change_arrays=_set("classes", classes))
    assert_refused(path, "class")


@pytest.mark.parametrize("classes", [np.arange(2), np.arange(4), np.array([0, 2, 1])],
                         ids=["too-few", "too-many", "unsorted"])
def test_multiclass_classes_of_wrong_length_or_order(tmp_path, classes):
    net, _ = fitted("softmax", "float32")
    net.save(tmp_path / "good.npz")
    arrays = read_arrays(tmp_path / "good.npz")
    arrays["classes"] = classes
    path = write_model(tmp_path / "classes.npz", arrays)
    assert_refused(path, "class")


def test_good_hand_written_file_loads(tmp_path):
    # the rewriting helpers themselves do not damage a model
    net, good = saved_model(tmp_path)
    path = altered(tmp_path, "same.npz")
    loaded = barenet.load(path)
    assert np.array_equal(loaded.parameters, net.parameters)
    assert np.array_equal(loaded.classes_, net.classes_)


# Beyond the listed cases: other ways a crafted or damaged file can look. Each
# must still be a ModelFileError naming the file, as load's docstring promises.


def test_zip_members_that_are_not_npy_arrays(tmp_path):
    _, good = saved_model(tmp_path)
    arrays = read_arrays(good)
    path = tmp_path / "raw_members.npz"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("metadata.npy", npy_bytes(arrays["metadata"]))
        z.writestr("classes.npy", npy_bytes(arrays["classes"]))
        z.writestr("parameters", b"\x00" * 64)  # NpzFile hands back raw bytes for this
    assert_refused(path)


def test_corrupted_compressed_npz(tmp_path):
    _, good = saved_model(tmp_path)
    path = tmp_path / "compressed.npz"
    np.savez_compressed(path, **read_arrays(good))
    assert barenet.load(path).layer_sizes == (2, 5, 1)  # a compressed copy is fine
    data = bytearray(path.read_bytes())
    for i in range(60, 120):  # inside the first member's deflate stream
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    assert_refused(path)


@pytest.mark.parametrize("history", ["loss", 5, [1, 2]], ids=["str", "int", "list"])
def test_history_that_is_not_a_dict(tmp_path, history):
    path = altered(tmp_path, "history.npz", change_metadata=lambda m: m.update(history=history))
    assert_refused(path)


# ------------------------------------------------------------ atomic save


def leftovers(directory, keep):
    return sorted(set(os.listdir(directory)) - set(keep))


def test_saving_over_an_existing_file_replaces_it(tmp_path):
    first, X = fitted("binary", "float32")
    second = barenet.Network([2, 7, 3, 1], ["tanh", "relu", "sigmoid"], seed=9, dtype="float64")
    path = tmp_path / "model.npz"
    path.write_bytes(b"an older, unrelated file")
    first.save(path)
    assert np.array_equal(barenet.load(path).parameters, first.parameters)
    second.save(path)
    loaded = barenet.load(path)
    assert loaded.layer_sizes == (2, 7, 3, 1)
    assert loaded.dtype == np.float64
    assert np.array_equal(loaded.parameters, second.parameters)
    assert loaded.classes_ is None
    assert os.listdir(tmp_path) == ["model.npz"]


@pytest.mark.parametrize("exception", [OSError("disk full"), KeyboardInterrupt()],
                         ids=["OSError", "KeyboardInterrupt"])
def test_failed_save_leaves_the_previous_file_intact(tmp_path, monkeypatch, exception):
    old, X = fitted("softmax", "float64")
    path = tmp_path / "model.npz"
    old.save(path)
    before = path.read_bytes()
    new, _ = fitted("regression2", "float32")
    real_savez = np.savez
    calls = []

    def failing_savez(file, *args, **kwargs):
        calls.append(file)
        file.write(b"PK\x03\x04" + b"\x00" * 1000)  # some bytes are written...
        real_savez(io.BytesIO(), *args, **kwargs)
        raise exception  # ...and then the write fails

    monkeypatch.setattr(io_persistence.np, "savez", failing_savez)
    with pytest.raises(type(exception)):
        new.save(path)
    monkeypatch.undo()

    assert calls, "save did not go through numpy.savez"
    assert path.read_bytes() == before
    assert leftovers(tmp_path, ["model.npz"]) == []
    loaded = barenet.load(path)
    assert np.array_equal(loaded.parameters, old.parameters)
    assert np.array_equal(loaded.predict(X), old.predict(X))


def test_failed_first_save_leaves_nothing(tmp_path, monkeypatch):
    net, _ = fitted("binary", "float32")

    def failing_savez(file, *args, **kwargs):
        file.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(io_persistence.np, "savez", failing_savez)
    with pytest.raises(OSError, match="disk full"):
        net.save(tmp_path / "model.npz")
    assert os.listdir(tmp_path) == []


def test_successful_save_leaves_no_temporary_file(tmp_path):
    net, _ = fitted("binary", "float32")
    for _ in range(3):
        net.save(tmp_path / "model.npz")
    assert os.listdir(tmp_path) == ["model.npz"]


def test_save_into_a_missing_directory_fails_cleanly(tmp_path):
    net, _ = fitted("binary", "float32")
    with pytest.raises(FileNotFoundError):
        net.save(tmp_path / "no" / "such" / "dir" / "model.npz")
    assert os.listdir(tmp_path) == []


class Swish(Activation):
    name = "swish"

    def forward(self, Z, xp=np):
        return Z / (1 + xp.exp(-Z))

    def backward(self, dA, Z, A, xp=np):
        s = 1 / (1 + xp.exp(-Z))
        return dA * (s + Z * s * (1 - s))


class MyReLU(ReLU):
    """Pretends to be the registered 'relu' but is another class."""


@pytest.mark.parametrize("activation", [Swish(), MyReLU()], ids=["new-name", "same-name"])
def test_custom_activation_cannot_be_saved(tmp_path, activation):
    net = barenet.Network([2, 3, 1], [activation, "sigmoid"], seed=0)
    path = tmp_path / "custom.npz"
    with pytest.raises(ValueError, match="custom activation"):
        net.save(path)
    assert os.listdir(tmp_path) == []

    # and it does not clobber an existing file either
    path.write_bytes(b"keep me")
    with pytest.raises(ValueError):
        net.save(path)
    assert path.read_bytes() == b"keep me"
    assert os.listdir(tmp_path) == ["custom.npz"]


def test_saved_file_gets_the_usual_permissions(tmp_path):
    # not mkstemp's private 0o600: the mode a plain open(path, 'w') would give
    net, _ = fitted("binary", "float32")
    reference = tmp_path / "reference"
    reference.write_bytes(b"")
    net.save(tmp_path / "model.npz")
    mode = os.stat(tmp_path / "model.npz").st_mode & 0o777
    assert mode == os.stat(reference).st_mode & 0o777


def test_files_hold_each_layer_s_W_and_b_apart_in_the_notebook_s_order(tmp_path):
    """In memory, layers past the first keep [W | b] as one block; a file holds
    W1, b1, (gamma1, beta1,) W2, b2, ... whatever that layout, and so do a
    checkpoint's optimizer arrays."""
    X, y = blobs()
    net = barenet.Network([2, 6, 5, 3], ["relu", "tanh", "softmax"], seed=1, dtype="float64",
                          batch_norm=[True, False])
    net.fit(X, y, epochs=2, batch_size=20)
    path = tmp_path / "model.npz"
    net.save(path, training_state=True)
    arrays = read_arrays(path)

    def notebook_order(views):
        return np.concatenate([v.ravel() for layer in zip(*views) for v in layer
                               if v is not None])

    expected = notebook_order([net.weights, net.biases, net.gammas, net.betas])
    np.testing.assert_array_equal(arrays["parameters"], expected, strict=True)
    m_sums = net.optimizer_.state.m_sums[0]
    views = layer_views(barenet._buffers.flat_views(m_sums, shapes(net.layer_sizes, net.batch_norm)[0]),
                        net.batch_norm)
    np.testing.assert_array_equal(arrays["optimizer.m_sums.0"], notebook_order(views[:4]),
                                  strict=True)

    # a file written in that order by hand loads into the right views
    values = np.arange(expected.size, dtype=np.float64)
    hand = write_model(tmp_path / "hand.npz", {**arrays, "parameters": values},
                       decode_metadata(arrays["metadata"]))
    loaded = barenet.load(hand)
    np.testing.assert_array_equal(loaded.weights[0].ravel(), values[:12])
    np.testing.assert_array_equal(loaded.biases[0].ravel(), values[12:18])
    np.testing.assert_array_equal(loaded.gammas[0].ravel(), values[18:24])
    np.testing.assert_array_equal(loaded.betas[0].ravel(), values[24:30])
    np.testing.assert_array_equal(loaded.weights[1].ravel(), values[30:60])
    np.testing.assert_array_equal(loaded.biases[1].ravel(), values[60:65])
    np.testing.assert_array_equal(loaded.weights[2].ravel(), values[65:80])
    np.testing.assert_array_equal(loaded.biases[2].ravel(), values[80:83])
    assert values.size == 83
