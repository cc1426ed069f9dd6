"""ONNX export (barenet.onnx): onnxruntime's outputs equal barenet's for every
activation, several depths, batch normalization (folded) and dropout (removed),
every task and label type, any batch size; the files pass onnx.checker; the
``barenet export`` command; clear errors."""

import os
import subprocess
import sys

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

import barenet  # noqa: E402
from barenet import activations, cli  # noqa: E402
from barenet import onnx as bonnx  # noqa: E402
from barenet.activations import LeakyReLU, ReLU  # noqa: E402

FLOATS = ["float32", "float64"]
TOLERANCE = {"float32": 1e-5, "float64": 1e-10}
BATCHES = (1, 7, 1000)


# ----------------------------------------------------------------- helpers


def make(sizes, acts, dtype="float32", classes=None, loss=None, batch_norm=False,
         dropout=None, seed=0):
    """A briefly trained Network, then given random biases and batch-norm
    statistics so that every parameter the export folds in matters.
    ``classes``: the labels of a classifier, None for a regressor."""
    rng = np.random.default_rng(seed)
    net = barenet.Network(sizes, acts, dtype=dtype, loss=loss, batch_norm=batch_norm,
                          dropout=dropout, seed=seed)
    X = rng.normal(size=(60, sizes[0]))
    if classes is None:
        y = rng.normal(size=(60, sizes[-1]))
    else:
        y = np.asarray(classes)[np.arange(60) % len(classes)]
    net.fit(X, y, epochs=2, batch_size=16)
    for l in range(len(net.weights)):
        net.biases[l][...] = rng.normal(scale=0.5, size=net.biases[l].shape)
        if net.batch_norm[l]:
            shape = net.gammas[l].shape
            net.gammas[l][...] = rng.uniform(0.5, 1.5, shape)
            net.betas[l][...] = rng.normal(scale=0.5, size=shape)
            net.running_means[l][...] = rng.normal(scale=0.5, size=shape)
            net.running_vars[l][...] = rng.uniform(0.5, 2.0, shape)
    return net


def exported(model, path):
    """Export ``model`` to ``path``; check the file; return ``(session, proto)``."""
    bonnx.export(model, path)
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto, full_check=True)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session, proto


def run(session, X):
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(None, {"X": X})))


def assert_same(net, session, n_features, dtype, seed=1):
    """onnxruntime's outputs equal barenet's on random inputs of 1, 7 and 1000 rows."""
    tol = TOLERANCE[np.dtype(dtype).name]
    rng = np.random.default_rng(seed)
    for m in BATCHES:
        X = rng.normal(size=(m, n_features)).astype(dtype)
        out = run(session, X)
        if net.task == "regression":
            expected = net.predict(X)
            assert out["variable"].dtype == net.dtype
            assert out["variable"].shape == expected.shape
            np.testing.assert_allclose(out["variable"], expected, rtol=tol, atol=tol,
                                       err_msg=f"onnxruntime vs barenet, {m} rows")
        else:
            expected = net.predict_proba(X)
            assert out["probabilities"].dtype == net.dtype
            assert out["probabilities"].shape == expected.shape
            np.testing.assert_allclose(out["probabilities"], expected, rtol=tol, atol=tol,
                                       err_msg=f"onnxruntime vs barenet, {m} rows")
            labels = net.predict(X)
            assert out["label"].shape == (m,)
            assert out["label"].tolist() == labels.tolist()
    return out


def op_types(proto):
    return [node.op_type for node in proto.graph.node]


# ------------------------------------------------------------ the mapping


def test_every_registered_activation_has_an_onnx_mapping():
    assert set(bonnx.ACTIVATIONS) == set(activations.REGISTRY)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("hidden", [*activations.REGISTRY, LeakyReLU(slope=0.25)],
                         ids=str)
def test_every_activation_as_hidden_layer(hidden, dtype, tmp_path):
    # exp after exp overflows float32 (e^(e^z)); one exp layer, then tanh
    net = make([5, 7, 6, 3], [hidden, "tanh" if hidden == "exp" else hidden, "linear"], dtype)
    session, proto = exported(net, tmp_path / "m.onnx")
    assert_same(net, session, 5, dtype)
    assert op_types(proto).count("Gemm") == 3


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("output", list(activations.REGISTRY))
def test_every_activation_as_regression_output(output, dtype, tmp_path):
    # with an explicit mean squared error, sigmoid and softmax outputs are regressors too
    net = make([4, 6, 3], ["tanh", output], dtype, loss="mse")
    assert net.task == "regression"
    session, _ = exported(net, tmp_path / "m.onnx")
    assert_same(net, session, 4, dtype)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("sizes, acts", [
    ([3, 4], ["softmax"]),
    ([4, 8, 3], ["relu", "softmax"]),
    ([5, 16, 8, 3], ["tanh", "leaky_relu", "softmax"]),
    ([6, 32, 16, 8, 3], ["relu", "sigmoid", "tanh", "softmax"]),
], ids=["1-layer", "2-layers", "3-layers", "4-layers"])
def test_architectures_of_one_to_four_weight_layers(sizes, acts, dtype, tmp_path):
    net = make(sizes, acts, dtype, classes=list(range(sizes[-1])))
    session, proto = exported(net, tmp_path / "m.onnx")
    assert_same(net, session, sizes[0], dtype)
    assert op_types(proto).count("Gemm") == len(acts)


@pytest.mark.parametrize("dtype", FLOATS)
def test_float64_leaky_relu_keeps_a_slope_float32_cannot_hold(dtype, tmp_path):
    # ONNX attributes are float32: LeakyRelu(alpha=0.01) would be off by 2e-10 * |z|
    net = make([3, 5, 5, 2], [LeakyReLU(0.01), LeakyReLU(0.5), "linear"], dtype)
    session, proto = exported(net, tmp_path / "m.onnx")
    assert_same(net, session, 3, dtype)
    ops = op_types(proto)
    if dtype == "float64":
        assert ops == ["Gemm", "Mul", "Max", "Gemm", "LeakyRelu", "Gemm"]
    else:
        assert ops == ["Gemm", "LeakyRelu", "Gemm", "LeakyRelu", "Gemm"]


# --------------------------------------------- batch normalization, dropout


@pytest.mark.parametrize("dtype", FLOATS)
def test_batch_norm_is_folded_and_dropout_removed(dtype, tmp_path):
    net = make([6, 16, 8, 3], ["relu", "tanh", "softmax"], dtype, classes=[0, 1, 2],
               batch_norm=True, dropout=0.3)
    session, proto = exported(net, tmp_path / "m.onnx")
    assert_same(net, session, 6, dtype)
    assert op_types(proto) == ["Gemm", "Relu", "Gemm", "Tanh", "Gemm", "Softmax", "ArgMax"]


@pytest.mark.parametrize("dtype", FLOATS)
def test_batch_norm_statistics_from_training_are_folded(dtype, tmp_path):
    rng = np.random.default_rng(3)
    X = rng.normal(loc=2.0, scale=3.0, size=(200, 4))
    y = (X[:, 0] > 2).astype(int)
    net = barenet.Network([4, 12, 6, 1], ["relu", "leaky_relu", "sigmoid"], dtype=dtype,
                          batch_norm=[True, False], dropout=[0.2, 0.1], seed=0)
    net.fit(X, y, epochs=5, batch_size=32)
    assert not np.allclose(net.running_means[0], 0)
    session, proto = exported(net, tmp_path / "m.onnx")
    assert_same(net, session, 4, dtype)
    assert not {"BatchNormalization", "Dropout"} & set(op_types(proto))


# ---------------------------------------------------------------- the tasks


@pytest.mark.parametrize("dtype", FLOATS)
def test_binary_classifier_with_string_labels(dtype, tmp_path):
    net = make([4, 8, 1], ["relu", "sigmoid"], dtype, classes=["cat", "dog"])
    session, proto = exported(net, tmp_path / "m.onnx")
    out = assert_same(net, session, 4, dtype)
    assert [o.name for o in session.get_outputs()] == ["label", "probabilities"]
    assert session.get_outputs()[0].type == "tensor(string)"
    assert set(out["label"].tolist()) <= {"cat", "dog"}
    assert {"Sub", "Concat", "ArgMax", "Gather"} <= set(op_types(proto))


def test_binary_label_is_p_above_one_half_even_at_the_boundary(tmp_path):
    # p = sigmoid(x): exactly 0.5 at x = 0 (a tie goes to the first class, as p > 0.5
    # decides in Network.predict), then just above and below it
    net = make([1, 1], ["sigmoid"], "float64", classes=[0, 1])
    net.weights[0][...] = 1.0
    net.biases[0][...] = 0.0
    session, _ = exported(net, tmp_path / "m.onnx")
    X = np.array([[0.0], [1e-6], [-1e-6], [3.0], [-3.0]])
    out = run(session, X)
    assert out["probabilities"][0].tolist() == [0.5, 0.5]
    assert out["label"].tolist() == [0, 1, 0, 1, 0]
    assert out["label"][1:].tolist() == net.predict(X[1:]).tolist()


@pytest.mark.parametrize("dtype", FLOATS)
def test_multiclass_classifier_with_integer_labels(dtype, tmp_path):
    net = make([4, 8, 3], ["relu", "softmax"], dtype, classes=[-3, 4, 10])
    session, proto = exported(net, tmp_path / "m.onnx")
    out = assert_same(net, session, 4, dtype)
    assert out["label"].dtype == np.int64
    assert set(out["label"].tolist()) <= {-3, 4, 10}
    assert "Gather" in op_types(proto)


def test_labels_zero_to_k_are_the_argmax_itself(tmp_path):
    net = make([4, 8, 3], ["relu", "softmax"], classes=np.array([0, 1, 2], np.int32))
    session, proto = exported(net, tmp_path / "m.onnx")
    out = assert_same(net, session, 4, "float32")
    assert out["label"].dtype == np.int64
    assert "Gather" not in op_types(proto)


@pytest.mark.parametrize("classes", [[0.0, 1.0, 2.0], [False, True]], ids=["float", "bool"])
def test_float_and_bool_labels_keep_their_type(classes, tmp_path):
    n_out = 1 if len(classes) == 2 else len(classes)
    net = make([3, 5, n_out], ["relu", "sigmoid" if n_out == 1 else "softmax"],
               classes=classes)
    session, _ = exported(net, tmp_path / "m.onnx")
    out = assert_same(net, session, 3, "float32")
    assert out["label"].dtype == net.classes_.dtype


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n_out", [1, 2])
def test_regression_with_one_and_two_outputs(n_out, dtype, tmp_path):
    net = make([5, 10, n_out], ["relu", "linear"], dtype)
    session, proto = exported(net, tmp_path / "m.onnx")
    out = assert_same(net, session, 5, dtype)
    assert [o.name for o in session.get_outputs()] == ["variable"]
    assert out["variable"].shape == ((1000,) if n_out == 1 else (1000, 2))
    assert op_types(proto) == ["Gemm", "Relu", "Gemm"] + ["Squeeze"] * (n_out == 1)


# ----------------------------------------------------------------- the file


@pytest.mark.parametrize("dtype, elem", [("float32", onnx.TensorProto.FLOAT),
                                         ("float64", onnx.TensorProto.DOUBLE)])
def test_the_file_declares_a_dynamic_batch_and_the_model_dtype(dtype, elem, tmp_path):
    net = make([4, 8, 3], ["relu", "softmax"], dtype, classes=["a", "b", "c"])
    _, proto = exported(net, tmp_path / "m.onnx")
    (x,) = proto.graph.input
    assert x.name == "X" and x.type.tensor_type.elem_type == elem
    assert [d.dim_param or d.dim_value for d in x.type.tensor_type.shape.dim] == ["N", 4]
    shapes = {o.name: [d.dim_param or d.dim_value for d in o.type.tensor_type.shape.dim]
              for o in proto.graph.output}
    assert shapes == {"label": ["N"], "probabilities": ["N", 3]}
    assert [(o.domain, o.version) for o in proto.opset_import] == [("", 17)]
    assert proto.ir_version == 8
    assert proto.producer_name == "barenet"


def test_older_opset_and_bad_opsets(tmp_path):
    net = make([4, 8, 1], ["tanh", "linear"])
    proto = bonnx.to_onnx(net, opset=13)
    assert proto.opset_import[0].version == 13
    session = ort.InferenceSession(proto.SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    assert_same(net, session, 4, "float32")
    with pytest.raises(ValueError, match="opset must be >= 13"):
        bonnx.to_onnx(net, opset=12)
    with pytest.raises(TypeError, match="opset must be an integer"):
        bonnx.to_onnx(net, opset="17")
    with pytest.raises(ValueError, match="newer than the installed onnx"):
        bonnx.to_onnx(net, opset=onnx.defs.onnx_opset_version() + 1)


def test_export_replaces_the_file_atomically(tmp_path, monkeypatch):
    net = make([4, 8, 1], ["tanh", "linear"])
    path = tmp_path / "m.onnx"
    path.write_bytes(b"previous")

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        bonnx.export(net, path)
    assert path.read_bytes() == b"previous"
    assert os.listdir(tmp_path) == ["m.onnx"]  # no temporary file left behind
    monkeypatch.undo()
    bonnx.export(net, path)
    assert onnx.load(str(path)).producer_name == "barenet"
    assert os.listdir(tmp_path) == ["m.onnx"]


def test_bad_paths(tmp_path):
    net = make([4, 8, 1], ["tanh", "linear"])
    with pytest.raises(FileNotFoundError, match="there is no directory"):
        bonnx.export(net, tmp_path / "missing" / "m.onnx")
    with pytest.raises(IsADirectoryError, match="is a directory"):
        bonnx.export(net, tmp_path)


# --------------------------------------------- estimators and bad models


class StandIn:
    """The shape of barenet.sklearn's estimators: the fitted Network in
    ``network_``, and for a classifier the labels in ``classes_``."""

    def __init__(self, network=None, classes=None):
        if network is not None:
            self.network_ = network
        if classes is not None:
            self.classes_ = np.asarray(classes)

    def fit(self, X, y):
        raise NotImplementedError


def test_estimator_holding_a_network(tmp_path):
    net = make([4, 8, 3], ["relu", "softmax"], classes=[0, 1, 2])
    session, _ = exported(StandIn(net), tmp_path / "m.onnx")
    assert_same(net, session, 4, "float32")


def test_estimator_labels_come_from_the_estimator(tmp_path):
    # an estimator may encode the labels itself and fit its network on 0..k-1
    net = make([4, 8, 1], ["relu", "sigmoid"], classes=[0, 1])
    session, _ = exported(StandIn(net, ["neg", "pos"]), tmp_path / "m.onnx")
    X = np.random.default_rng(0).normal(size=(50, 4)).astype(np.float32)
    expected = np.array(["neg", "pos"])[net.predict(X)]
    assert run(session, X)["label"].tolist() == expected.tolist()


def test_estimator_regressor(tmp_path):
    net = make([4, 8, 1], ["relu", "linear"], "float64")
    session, _ = exported(StandIn(net), tmp_path / "m.onnx")
    assert_same(net, session, 4, "float64")


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("labels", [
    np.array(["no", "yes"]),
    np.array(["no", "yes"], dtype=object),  # strings as pandas holds them
    np.array([3, 5, 9]),
], ids=["strings", "object-strings", "integers"])
def test_sklearn_classifier(labels, dtype, tmp_path):
    pytest.importorskip("sklearn")
    sk = pytest.importorskip("barenet.sklearn")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 3))
    y = labels[np.arange(90) % len(labels)]
    clf = sk.BarenetClassifier((8, 4), "tanh", batch_norm=True, dropout=0.1, max_iter=5,
                               dtype=dtype, random_state=0).fit(X, y)
    session, _ = exported(clf, tmp_path / "c.onnx")
    X = X.astype(dtype)
    out = run(session, X)
    tol = TOLERANCE[dtype]
    np.testing.assert_allclose(out["probabilities"], clf.predict_proba(X), rtol=tol, atol=tol)
    assert out["label"].tolist() == clf.predict(X).tolist()


@pytest.mark.parametrize("n_targets", [1, 2])
def test_sklearn_regressor(n_targets, tmp_path):
    pytest.importorskip("sklearn")
    sk = pytest.importorskip("barenet.sklearn")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 3))
    y = X[:, :n_targets] * 2 if n_targets > 1 else X[:, 0] * 2
    reg = sk.BarenetRegressor((8,), max_iter=5, random_state=0).fit(X, y)
    session, _ = exported(reg, tmp_path / "r.onnx")
    out = run(session, X)["variable"]
    assert out.shape == reg.predict(X).shape
    np.testing.assert_allclose(out, reg.predict(X), rtol=1e-10, atol=1e-10)


def test_unfitted_sklearn_estimator_is_refused(tmp_path):
    pytest.importorskip("sklearn")
    sk = pytest.importorskip("barenet.sklearn")
    with pytest.raises(barenet.NotFittedError, match="BarenetClassifier has not been fitted"):
        bonnx.export(sk.BarenetClassifier(), tmp_path / "m.onnx")


def test_unfitted_classifiers_are_refused_clearly(tmp_path):
    path = tmp_path / "m.onnx"
    net = barenet.Network([2, 4, 1], ["relu", "sigmoid"])
    with pytest.raises(barenet.NotFittedError, match="not been fitted yet.*call fit"):
        bonnx.export(net, path)
    with pytest.raises(barenet.NotFittedError, match="StandIn has not been fitted yet"):
        bonnx.export(StandIn(), path)
    assert not path.exists()


def test_other_objects_and_custom_activations_are_refused(tmp_path):
    with pytest.raises(TypeError, match="needs a barenet Network or a fitted estimator"):
        bonnx.export(object(), tmp_path / "m.onnx")
    with pytest.raises(TypeError, match="network_ must be a barenet Network"):
        bonnx.export(StandIn(network="net"), tmp_path / "m.onnx")

    class MyReLU(ReLU):
        pass

    net = barenet.Network([2, 3, 1], [MyReLU(), "linear"])
    with pytest.raises(ValueError, match="cannot export the custom activation"):
        bonnx.export(net, tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()


def test_without_onnx_the_error_says_what_to_install(monkeypatch, tmp_path):
    net = make([4, 8, 1], ["tanh", "linear"])
    monkeypatch.setitem(sys.modules, "onnx", None)  # makes `import onnx` fail
    with pytest.raises(ImportError, match=r"pip install barenet\[onnx\]"):
        bonnx.export(net, tmp_path / "m.onnx")


def test_barenet_imports_without_onnx():
    code = ("import sys; sys.modules['onnx'] = None; "
            "import barenet, barenet.onnx, barenet.cli; print('ok')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


# ---------------------------------------------------------------- the CLI


def barenet_cli(*args):
    env = dict(os.environ)
    env.pop("BARENET_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "barenet", *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=300)


def test_cli_export_end_to_end(tmp_path):
    net = make([4, 12, 6, 1], ["relu", "tanh", "sigmoid"], classes=["no", "yes"],
               batch_norm=True, dropout=0.2)
    net.save(tmp_path / "model.npz")
    result = barenet_cli("export", tmp_path / "model.npz", tmp_path / "out.onnx")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"wrote {tmp_path / 'out.onnx'}"
    proto = onnx.load(str(tmp_path / "out.onnx"))
    onnx.checker.check_model(proto, full_check=True)
    session = ort.InferenceSession(str(tmp_path / "out.onnx"),
                                   providers=["CPUExecutionProvider"])
    assert_same(barenet.load(tmp_path / "model.npz"), session, 4, "float32")


def test_cli_export_bad_arguments_give_one_line(tmp_path):
    fitted = make([2, 3, 1], ["relu", "linear"])
    fitted.save(tmp_path / "model.npz")
    barenet.Network([2, 3, 1], ["relu", "sigmoid"]).save(tmp_path / "unfitted.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a model")
    cases = [
        ((), 2, "the following arguments are required: MODEL, OUT"),
        ((tmp_path / "model.npz",), 2, "the following arguments are required: OUT"),
        ((tmp_path / "nope.npz", tmp_path / "o.onnx"), 1, "no model file at"),
        ((tmp_path / "junk.npz", tmp_path / "o.onnx"), 1, "is not a barenet model file"),
        ((tmp_path / "unfitted.npz", tmp_path / "o.onnx"), 1, "has not been fitted yet"),
        ((tmp_path / "model.npz", tmp_path / "no" / "o.onnx"), 2, "there is no directory"),
        ((tmp_path / "model.npz", tmp_path / "o.onnx", "--opset", "12"), 2,
         "argument --opset: must be at least 13"),
        ((tmp_path / "model.npz", tmp_path / "o.onnx", "--opset", "x"), 2,
         "argument --opset: expected a whole number"),
        ((tmp_path / "model.npz", tmp_path / "o.onnx", "--opset", "999"), 1,
         "opset 999 is newer than the installed onnx"),
    ]
    for args, status, message in cases:
        result = barenet_cli("export", *args)
        assert result.returncode == status, (args, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("barenet export: error: "), lines
        assert message in lines[0], lines
    assert not (tmp_path / "o.onnx").exists()


def test_cli_without_onnx_says_what_to_install(tmp_path, monkeypatch, capsys):
    make([2, 3, 1], ["relu", "linear"]).save(tmp_path / "model.npz")
    monkeypatch.setitem(sys.modules, "onnx", None)
    status = cli.main(["export", str(tmp_path / "model.npz"), str(tmp_path / "o.onnx")])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 1
    assert err == ["barenet export: error: exporting to ONNX needs the onnx package: "
                   "pip install barenet[onnx]"]


def test_cli_export_help_describes_every_option():
    parser = cli.build_parser()
    export = parser._subparsers._group_actions[0].choices["export"]
    for action in export._actions:
        assert action.help, action
    assert "pip install barenet[onnx]" in export.description
