"""Standardization of the inputs (barenet.preprocessing): the Standardizer
equals scikit-learn's StandardScaler, handles constant columns, and travels
with the model -- a Network with ``standardize=True`` trained on raw X is,
bit for bit, a plain Network trained on X standardized by hand with the same
arrays, computed from the training samples alone; saved files, the ONNX
export and the scikit-learn estimators take raw features."""

import json
import pickle

import numpy as np
import pytest
from sklearn.preprocessing import StandardScaler

import barenet
from barenet import Standardizer
from barenet.sklearn import BarenetClassifier, BarenetRegressor

FLOATS = ["float32", "float64"]


# ----------------------------------------------------------------- helpers


def raw_data(m=120, seed=0):
    """Features on very different scales and offsets (one constant column),
    binary labels and real targets that depend on them."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, 4)) * [1.0, 250.0, 0.004, 3.0] + [5.0, -900.0, 2.0, 0.0]
    X[:, 3] = 7.0
    y = ((X[:, 0] - 5) + (X[:, 1] + 900) / 250 > 0).astype(int)
    t = (X[:, 0] - 5) - (X[:, 2] - 2) / 0.004
    return X, y, t


def by_hand(X, scaler, dtype):
    """``X`` standardized with the scaler's arrays, in ``dtype``, by hand."""
    return (np.asarray(X).astype(dtype) - scaler.mean_.astype(dtype)) / scaler.scale_.astype(dtype)


def network(dtype, standardize, task="binary", seed=3, **settings):
    if task == "binary":
        return barenet.Network([4, 8, 1], ["relu", "sigmoid"], seed=seed, dtype=dtype,
                               standardize=standardize, **settings)
    return barenet.Network([4, 8, 1], ["tanh", "linear"], seed=seed, dtype=dtype,
                           standardize=standardize, **settings)


def read_arrays(path):
    with np.load(path, allow_pickle=False) as npz:
        return {name: npz[name] for name in npz.files}


def write_arrays(path, arrays, metadata):
    arrays = dict(arrays)
    arrays["metadata"] = np.frombuffer(json.dumps(metadata).encode("utf-8"), dtype=np.uint8)
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    return path


def metadata_of(arrays):
    return json.loads(arrays["metadata"].tobytes().decode("utf-8"))


# ------------------------------------------------------------ Standardizer


def test_standardizer_equals_scikit_learns_standard_scaler():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(500, 6)) * [1, 1e3, 1e-3, 0, 5, 1e-8] + [0, 5, 1e6, 3, -2, 1e9]
    ours, theirs = Standardizer().fit(X), StandardScaler().fit(X)
    np.testing.assert_allclose(ours.mean_, theirs.mean_, rtol=1e-15, atol=0)
    np.testing.assert_allclose(ours.scale_, theirs.scale_, rtol=1e-14, atol=0)
    np.testing.assert_allclose(ours.transform(X), theirs.transform(X), rtol=1e-12, atol=1e-12)
    # columns 3 (exactly constant) and 5 (1e9 with a spread of 1e-8: rounding
    # error of its mean) are constant for both
    assert ours.scale_[3] == ours.scale_[5] == 1.0
    assert ours.mean_.dtype == ours.scale_.dtype == np.float64
    Z = ours.transform(X)
    assert Z.dtype == np.float64 and Z.shape == X.shape
    # the other columns: mean 0, population standard deviation 1 (column 2,
    # a spread of 1e-3 around 1e6, keeps the mean's rounding, 1e-10 / 1e-3)
    np.testing.assert_allclose(Z[:, [0, 1, 4]].mean(axis=0), 0, atol=1e-14)
    np.testing.assert_allclose(Z[:, 2].mean(), 0, atol=1e-6)
    np.testing.assert_allclose(Z[:, [0, 1, 2, 4]].std(axis=0), 1, rtol=1e-12)


@pytest.mark.parametrize("column", [
    np.full(9, 0.0), np.full(9, -3.5), np.full(9, 0.9470809631292422), np.full(9, 1e300), np.full(9, -1.7e308),
    1e9 + np.arange(9) * 1e-7,
], ids=["zeros", "negative", "mean-an-ulp-off", "1e300", "-1.7e308", "rounding-error"])
def test_constant_columns_map_to_zero_never_nan_or_inf(column):
    # (the sum of nine 0.9470809631292422 divided by 9 is an ulp off it, as is
    # that of nine -1.7e308 computed in units of 2 ** 1023)
    X = np.column_stack([np.arange(9.0), column])
    scaler = Standardizer().fit(X)
    assert scaler.scale_[1] == 1.0
    Z = scaler.transform(X)
    assert np.isfinite(Z).all()
    if (column == column[0]).all():
        assert (Z[:, 1] == 0).all()  # a single value maps to 0 exactly
    np.testing.assert_allclose(Z[:, 1], 0, atol=1e-6)
    # the other column is standardized as usual
    np.testing.assert_allclose(Z[:, 0], (np.arange(9) - 4) / np.arange(9.0).std(), rtol=1e-14)


def test_float32_spread_below_its_smallest_normal_counts_as_constant():
    tiny = np.finfo(np.float32).tiny
    X = np.array([[0.0, 0.0], [tiny / 8, 1.0], [0.0, 2.0]], dtype=np.float32)
    scaler = Standardizer().fit(X)
    assert scaler.scale_[0] == 1.0 and scaler.scale_[1] != 1.0
    # the same values in float64: a spread float64 holds, kept
    assert Standardizer().fit(X.astype(np.float64)).scale_[0] != 1.0
    assert np.isfinite(scaler.astype("float32").transform(X)).all()


def test_huge_values_do_not_overflow_the_variance():
    X = np.array([[1e200, 0.0], [-1e200, 1.0], [3e200, 2.0]])
    scaler = Standardizer().fit(X)
    np.testing.assert_allclose(scaler.mean_, [1e200, 1.0], rtol=1e-15)
    np.testing.assert_allclose(scaler.scale_, [(X[:, 0] / 1e200).std() * 1e200, X[:, 1].std()],
                               rtol=1e-15)
    np.testing.assert_allclose(scaler.transform(X).std(axis=0), 1, rtol=1e-14)


def test_transform_computes_in_the_dtype_of_its_arrays():
    X = np.random.default_rng(2).normal(size=(50, 3)) * 40 + 7
    scaler = Standardizer().fit(X)
    single = scaler.astype("float32")
    assert single.mean_.dtype == single.scale_.dtype == np.float32
    assert np.array_equal(single.mean_, scaler.mean_.astype(np.float32))
    Z = single.transform(X)
    assert Z.dtype == np.float32
    expected = (X.astype(np.float32) - single.mean_) / single.scale_
    np.testing.assert_array_equal(Z, expected, strict=True)
    assert scaler.astype("float64").transform(X).dtype == np.float64


def test_from_arrays_round_trip_and_dtypes():
    scaler = Standardizer().fit(np.random.default_rng(3).normal(size=(20, 3)))
    again = Standardizer.from_arrays(scaler.mean_, scaler.scale_)
    X = np.random.default_rng(4).normal(size=(5, 3))
    assert np.array_equal(again.transform(X), scaler.transform(X))
    assert again.n_features_in_ == 3 and Standardizer().n_features_in_ is None
    single = Standardizer.from_arrays(np.zeros(2, np.float32), np.ones(2, np.float32))
    assert single.mean_.dtype == np.float32
    mixed = Standardizer.from_arrays(np.zeros(2, np.float32), [1, 2])
    assert mixed.mean_.dtype == mixed.scale_.dtype == np.float64


@pytest.mark.parametrize("mean, scale, error, words", [
    ([0.0, 1.0], [1.0], ValueError, ("mean has shape (2,)", "scale has shape (1,)")),
    ([[0.0]], [[1.0]], ValueError, ("mean", "1-D")),
    ([], [], ValueError, ("mean", "non-empty")),
    (["a"], [1.0], TypeError, ("mean", "real numbers")),
    ([np.nan], [1.0], ValueError, ("mean", "nan")),
    ([0.0], [np.inf], ValueError, ("scale", "finite")),
    ([0.0], [0.0], ValueError, ("scale", "> 0")),
    ([0.0], [-1.0], ValueError, ("scale", "> 0")),
])
def test_from_arrays_refuses_bad_arrays_naming_them(mean, scale, error, words):
    with pytest.raises(error) as info:
        Standardizer.from_arrays(mean, scale)
    for word in words:
        assert word.lower() in str(info.value).lower()


def test_unfitted_and_bad_input_errors():
    with pytest.raises(barenet.NotFittedError, match="Standardizer has not been fitted"):
        Standardizer().transform(np.zeros((2, 2)))
    with pytest.raises(barenet.NotFittedError, match="not been fitted"):
        Standardizer().astype("float32")
    scaler = Standardizer().fit(np.arange(6.0).reshape(3, 2))
    with pytest.raises(ValueError, match="X has 3 features but the Standardizer was fitted on 2"):
        scaler.transform(np.zeros((1, 3)))
    with pytest.raises(ValueError, match="X contains NaN"):
        scaler.transform([[np.nan, 0.0]])
    with pytest.raises(ValueError, match="X contains NaN"):
        Standardizer().fit([[np.nan, 0.0]])
    with pytest.raises(ValueError, match="X must be 2-D"):
        Standardizer().fit(np.arange(3.0))
    with pytest.raises(ValueError, match="dtype must be 'float32' or 'float64'"):
        scaler.astype("float16")


# -------------------------------------------------------------- Network


@pytest.mark.parametrize("value", ["yes", 1, None, [True]])
def test_bad_standardize_value_is_named(value):
    with pytest.raises(TypeError, match="standardize must be True or False"):
        network("float64", value)


def test_default_path_has_no_scaler_and_no_copy_of_X():
    net = network("float64", False)
    assert net.standardize is False and net.scaler_ is None
    X = np.ascontiguousarray(raw_data()[0])
    assert net.prepare(X) is X  # the inputs go to the passes as they are
    assert "standardize" not in repr(net)
    assert "standardize=True" in repr(network("float64", True))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("validation", [None, "split", "data"])
@pytest.mark.parametrize("task", ["binary", "regression"])
def test_standardized_network_is_a_plain_network_on_standardized_inputs(dtype, validation,
                                                                          task):
    """The key identity: a Network with standardize=True trained on raw X
    equals, bit for bit, a plain Network with the same seed trained on X
    standardized by hand with the same arrays."""
    X, y, t = raw_data()
    target = y if task == "binary" else t
    X_train, y_train, X_val, y_val = X[:90], target[:90], X[90:], target[90:]
    settings = dict(optimizer=barenet.Adam(lr=0.01), epochs=4, batch_size=16)
    if validation == "split":
        settings["validation_split"] = 0.25
    if validation == "data":
        settings["validation_data"] = (X_val, y_val)
    ours = network(dtype, True, task)
    ours.fit(X_train, y_train, **settings)
    scaler = ours.scaler_
    assert scaler.mean_.dtype == scaler.scale_.dtype == np.dtype(dtype)

    if validation == "data":
        settings["validation_data"] = (by_hand(X_val, scaler, dtype), y_val)
    settings["optimizer"] = barenet.Adam(lr=0.01)
    plain = network(dtype, False, task)
    plain.fit(by_hand(X_train, scaler, dtype), y_train, **settings)

    assert np.array_equal(ours.parameters, plain.parameters)
    assert ours.history_ == plain.history_
    raw, standardized = X_val, by_hand(X_val, scaler, dtype)
    np.testing.assert_array_equal(ours.forward(raw), plain.forward(standardized), strict=True)
    np.testing.assert_array_equal(ours.predict(raw), plain.predict(standardized), strict=True)
    assert ours.evaluate(raw, y_val) == plain.evaluate(standardized, y_val)
    if task == "binary":
        np.testing.assert_array_equal(ours.predict_proba(raw), plain.predict_proba(standardized),
                                      strict=True)
    # the scaler is not the identity: raw inputs differ from standardized ones
    assert not np.array_equal(ours.forward(raw), plain.forward(raw.astype(dtype)))


@pytest.mark.parametrize("dtype", FLOATS)
def test_the_scaling_comes_from_the_training_samples_only(dtype):
    X, y, _ = raw_data()
    # held-out rows made extreme: they would move the mean and scale a lot
    net = network(dtype, True)
    net.fit(X, y, epochs=1, validation_split=0.25)
    n_val = 30
    held, kept = net.run_.order[:n_val], net.run_.order[n_val:]
    X_far = X.copy()
    X_far[held] *= 1000
    far = network(dtype, True)
    far.fit(X_far, y, epochs=1, validation_split=0.25)
    assert np.array_equal(far.run_.order, net.run_.order)  # the same split
    expected = Standardizer().fit(X.astype(dtype)[kept]).astype(dtype)
    for scaler in (net.scaler_, far.scaler_):
        assert np.array_equal(scaler.mean_, expected.mean_)
        assert np.array_equal(scaler.scale_, expected.scale_)
    everything = Standardizer().fit(X.astype(dtype)).astype(dtype)
    assert not np.array_equal(net.scaler_.mean_, everything.mean_)
    # validation_data is not part of it either
    data = network(dtype, True)
    data.fit(X[:90], y[:90], epochs=1, validation_data=(X_far[90:] * 1e3, y[90:]))
    assert np.array_equal(data.scaler_.mean_,
                          Standardizer().fit(X.astype(dtype)[:90]).astype(dtype).mean_)


def test_later_fits_keep_the_scaling():
    X, y, _ = raw_data()
    net = network("float64", True)
    net.fit(X, y, epochs=1)
    mean, scale = net.scaler_.mean_.copy(), net.scaler_.scale_.copy()
    net.fit(X * 10 + 3, y, epochs=1)
    assert np.array_equal(net.scaler_.mean_, mean) and np.array_equal(net.scaler_.scale_, scale)
    # a failed call before training leaves an unfitted network without one
    fresh = network("float64", True)
    with pytest.raises(ValueError):
        fresh.fit(X, y, epochs=0)
    assert fresh.scaler_ is None


def test_resume_from_a_checkpoint_is_bit_identical(tmp_path):
    X, y, _ = raw_data()
    whole = network("float64", True)
    checkpoint = barenet.ModelCheckpoint(str(tmp_path / "c-{epoch}.npz"), every=2)
    whole.fit(X, y, epochs=4, validation_split=0.2, callbacks=[checkpoint])
    again = barenet.load(tmp_path / "c-2.npz")
    assert np.array_equal(again.scaler_.mean_, whole.scaler_.mean_)
    again.resume(X, y)
    assert np.array_equal(again.parameters, whole.parameters)
    assert again.history_ == whole.history_


def test_gradient_check_standardizes_as_training_does():
    X, y, _ = raw_data(m=20)
    net = network("float64", True)
    net.fit(X, y, epochs=1)
    plain = network("float64", False)
    plain.parameters[...] = net.parameters
    error = barenet.gradient_check(net, X, y)
    assert error < 1e-7
    assert error == barenet.gradient_check(plain, by_hand(X, net.scaler_, "float64"), y)


def test_before_fit_inputs_go_through_as_they_are():
    X, _, t = raw_data()
    net = network("float64", True, "regression")
    plain = network("float64", False, "regression")
    assert net.scaler_ is None
    assert np.array_equal(net.predict(X), plain.predict(X))


# ---------------------------------------------------------------- files


@pytest.mark.parametrize("dtype", FLOATS)
def test_save_and_load_predict_the_same_on_raw_inputs(tmp_path, dtype):
    X, y, _ = raw_data()
    net = network(dtype, True)
    net.fit(X, y, epochs=3)
    net.save(tmp_path / "m.npz")
    arrays = read_arrays(tmp_path / "m.npz")
    assert metadata_of(arrays)["standardize"] is True
    assert metadata_of(arrays)["format_version"] == 2  # older barenets refuse it
    assert np.array_equal(arrays["scaler.mean"], net.scaler_.mean_)
    assert arrays["scaler.scale"].dtype == np.dtype(dtype)
    again = barenet.load(tmp_path / "m.npz")
    assert again.standardize and isinstance(again.scaler_, Standardizer)
    np.testing.assert_array_equal(again.predict_proba(X), net.predict_proba(X), strict=True)
    np.testing.assert_array_equal(again.predict(X), net.predict(X))


def test_unfitted_standardized_network_saves_and_fits_its_scaler_later(tmp_path):
    X, y, _ = raw_data()
    network("float64", True).save(tmp_path / "u.npz")
    assert "scaler.mean" not in read_arrays(tmp_path / "u.npz")
    net = barenet.load(tmp_path / "u.npz")
    assert net.standardize and net.scaler_ is None
    net.fit(X, y, epochs=1)
    assert np.array_equal(net.scaler_.mean_, Standardizer().fit(X).mean_)


def test_file_without_standardization_loads_as_before(tmp_path):
    X, y, _ = raw_data()
    net = network("float64", False)
    net.fit(X, y, epochs=2)
    net.save(tmp_path / "new.npz")
    arrays = read_arrays(tmp_path / "new.npz")
    assert set(arrays) == {"parameters", "state", "metadata", "classes"}
    metadata = metadata_of(arrays)
    assert metadata["standardize"] is False
    assert metadata["format_version"] == 1  # older barenets still read it
    del metadata["standardize"]  # as files written before it existed
    write_arrays(tmp_path / "old.npz", arrays, metadata)
    old = barenet.load(tmp_path / "old.npz")
    assert old.standardize is False and old.scaler_ is None
    assert np.array_equal(old.predict_proba(X), net.predict_proba(X))


def _drop(*names):
    def change(arrays, metadata):
        for name in names:
            del arrays[name]
    return change


def _array(name, value):
    def change(arrays, metadata):
        arrays[name] = value(arrays[name])
    return change


def _metadata(key, value):
    def change(arrays, metadata):
        metadata[key] = value
    return change


@pytest.mark.parametrize("change, words", [
    (_array("scaler.mean", lambda a: a[:3]), ("scaler.mean", "shape (3,)", "(4,)")),
    (_array("scaler.scale", lambda a: np.tile(a, 2)), ("scaler.scale", "shape (8,)")),
    (_array("scaler.mean", lambda a: a.reshape(2, 2)), ("scaler.mean", "shape (2, 2)")),
    (_array("scaler.scale", lambda a: a.astype(np.float32)), ("scaler.scale", "float32")),
    (_array("scaler.mean", lambda a: a.astype(str)), ("scaler.mean", "dtype <u")),
    (_array("scaler.mean", lambda a: np.where(np.arange(4) == 1, np.nan, a)), ("not finite",)),
    (_array("scaler.scale", lambda a: np.where(np.arange(4) == 0, np.inf, a)), ("not finite",)),
    (_array("scaler.scale", lambda a: np.where(np.arange(4) == 2, 0.0, a)), ("scale", "> 0")),
    (_array("scaler.scale", lambda a: -a), ("scale", "> 0")),
    (_drop("scaler.scale"), ("only one of",)),
    (_drop("scaler.mean", "scaler.scale"), ("standardize", "missing")),
    (_metadata("standardize", False), ("holds a scaler", "does not say standardize")),
    (_metadata("standardize", "yes"), ("standardize must be true or false",)),
    (_metadata("format_version", 1), ("damaged", "format version 1", "scaler.mean")),
], ids=["mean-short", "scale-long", "mean-2d", "scale-float32", "mean-strings", "mean-nan",
        "scale-inf", "scale-zero", "scale-negative", "one-array", "arrays-missing",
        "flag-false", "flag-not-bool", "version-1"])
def test_damaged_scaler_is_refused_naming_the_file(tmp_path, change, words):
    X, y, _ = raw_data()
    net = network("float64", True)
    net.fit(X, y, epochs=1)
    net.save(tmp_path / "good.npz")
    arrays = read_arrays(tmp_path / "good.npz")
    metadata = metadata_of(arrays)
    change(arrays, metadata)
    path = write_arrays(tmp_path / "bad.npz", arrays, metadata)
    with pytest.raises(barenet.ModelFileError) as info:
        barenet.load(path)
    message = str(info.value)
    assert str(path) in message
    for word in words:
        assert word.lower() in message.lower(), message


# ----------------------------------------------------------------- ONNX


def _session(proto, extra_output=None):
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    if extra_output is not None:
        proto.graph.output.append(onnx.helper.make_tensor_value_info(
            extra_output, proto.graph.input[0].type.tensor_type.elem_type, None))
    return ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_onnx_runtimes_take_raw_features(dtype, task, tmp_path):
    pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    from barenet import onnx as bonnx

    X, y, t = raw_data()
    if task == "multiclass":
        net = barenet.Network([4, 8, 3], ["relu", "softmax"], seed=0, dtype=dtype,
                              standardize=True)
        target = np.digitize(X[:, 1], [-1000, -800])
    else:
        net = network(dtype, True, task)
        target = y if task == "binary" else t
    net.fit(X, target, epochs=5)
    bonnx.export(net, tmp_path / "m.onnx")
    proto = bonnx.to_onnx(net)
    nodes = [node.op_type for node in proto.graph.node]
    assert nodes[:3] == ["Sub", "Div", "Gemm"]
    session = _session(proto, extra_output="X_standardized")
    X_test = raw_data(m=50, seed=9)[0].astype(dtype)
    outputs = dict(zip([o.name for o in session.get_outputs()],
                       session.run(None, {"X": X_test})))
    # Sub then Div in the model's dtype: barenet's standardized inputs, bit for bit
    np.testing.assert_array_equal(outputs["X_standardized"], net.prepare(X_test), strict=True)
    tol = 1e-12 if dtype == "float64" else 1e-5
    if task == "regression":
        np.testing.assert_allclose(outputs["variable"], net.predict(X_test), rtol=tol, atol=tol)
    else:
        np.testing.assert_allclose(outputs["probabilities"], net.predict_proba(X_test),
                                   rtol=tol, atol=tol)
        assert outputs["label"].tolist() == net.predict(X_test).tolist()
    # without standardize, the graph starts with the first Gemm
    assert bonnx.to_onnx(network(dtype, False, "regression")).graph.node[0].op_type == "Gemm"


# ----------------------------------------------------------- estimators


@pytest.mark.parametrize("Estimator", [BarenetClassifier, BarenetRegressor])
@pytest.mark.parametrize("early_stopping", [False, True])
def test_estimators_standardize_inside_the_network(Estimator, early_stopping):
    X, y, t = raw_data()
    target = y if Estimator is BarenetClassifier else t
    params = dict(hidden_layer_sizes=(8,), learning_rate=0.01, max_iter=4, random_state=0,
                  early_stopping=early_stopping, n_iter_no_change=2)
    ours = Estimator(standardize=True, **params).fit(X, target)
    assert ours.get_params()["standardize"] is True
    scaler = ours.network_.scaler_
    assert ours.network_.standardize and scaler is not None
    plain = Estimator(**params).fit(by_hand(X, scaler, "float64"), target)
    assert np.array_equal(ours.network_.parameters, plain.network_.parameters)
    Xs = by_hand(X, scaler, "float64")
    if Estimator is BarenetClassifier:
        np.testing.assert_array_equal(ours.predict_proba(X), plain.predict_proba(Xs))
    np.testing.assert_array_equal(ours.predict(X), plain.predict(Xs))
    np.testing.assert_array_equal(ours.transform(X), plain.transform(Xs))
    if early_stopping:  # the hold-out is not part of the scaling
        assert not np.array_equal(scaler.mean_, Standardizer().fit(X).mean_)
    else:
        assert np.array_equal(scaler.mean_, Standardizer().fit(X).mean_)
    again = pickle.loads(pickle.dumps(ours))
    np.testing.assert_array_equal(again.predict(X), ours.predict(X))


def test_estimator_checks_standardize_and_keeps_it_on_warm_start():
    X, y, _ = raw_data()
    with pytest.raises(TypeError, match="standardize must be True or False"):
        BarenetClassifier(standardize="yes").fit(X, y)
    clf = BarenetClassifier((8,), max_iter=2, warm_start=True, standardize=True,
                            random_state=0).fit(X, y)
    mean = clf.network_.scaler_.mean_.copy()
    clf.fit(X * 5, y)
    assert np.array_equal(clf.network_.scaler_.mean_, mean)
    with pytest.raises(ValueError, match="standardize"):
        clf.set_params(standardize=False).fit(X, y)
