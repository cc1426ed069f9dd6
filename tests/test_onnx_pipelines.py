"""ONNX beyond one network: ``barenet.onnx.export(..., dtype=)`` (a float32
graph of a float64 model and the reverse), and skl2onnx's export of whole
scikit-learn pipelines ending in barenet's estimators
(``barenet.onnx.register_converters``), run with onnxruntime against the
pipelines' own predictions."""

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
pytest.importorskip("sklearn")

import barenet  # noqa: E402
from barenet import onnx as bonnx  # noqa: E402
from barenet.sklearn import (BarenetClassifier, BarenetRegressor, MLPClassifier,  # noqa: E402
                             MLPRegressor)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

F32 = dict(rtol=1e-5, atol=1e-5)  # float32 graphs of float64 models


def session(proto):
    return ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])


def outputs(proto, X):
    s = session(proto)
    return dict(zip([o.name for o in s.get_outputs()], s.run(None, {"X": X})))


def data(seed=0, n=120, d=5):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * rng.uniform(0.5, 5, d) + rng.normal(size=d)
    return X, rng


# ------------------------------------------------------- export(..., dtype=)


def float_types(proto):
    """The element types of the graph's input, float constants and float outputs."""
    inputs = {i.type.tensor_type.elem_type for i in proto.graph.input}
    consts = {t.data_type for t in proto.graph.initializer
              if t.data_type in (onnx.TensorProto.FLOAT, onnx.TensorProto.DOUBLE)}
    outs = {o.type.tensor_type.elem_type for o in proto.graph.output
            if o.type.tensor_type.elem_type in (onnx.TensorProto.FLOAT, onnx.TensorProto.DOUBLE)}
    return inputs, consts, outs


@pytest.mark.parametrize("batch_norm", [False, True])
def test_a_float32_graph_of_a_float64_classifier(tmp_path, batch_norm):
    X, rng = data()
    y = np.array(["low", "mid", "high"])[np.digitize(X[:, 0] + X[:, 1], [-1, 1])]
    model = BarenetClassifier((16,), max_iter=20, batch_norm=batch_norm, standardize=True,
                              random_state=0).fit(X, y)
    assert model.network_.dtype == np.float64
    path = tmp_path / "m.onnx"
    bonnx.export(model, path, dtype="float32")
    proto = onnx.load(str(path))
    FLOAT = onnx.TensorProto.FLOAT
    assert float_types(proto) == ({FLOAT}, {FLOAT}, {FLOAT})
    out = outputs(proto, X.astype(np.float32))
    assert out["probabilities"].dtype == np.float32
    np.testing.assert_allclose(out["probabilities"], model.predict_proba(X), **F32)
    np.testing.assert_array_equal(out["label"], model.predict(X))


def test_a_float32_graph_of_a_float64_binary_network_and_regressor():
    X, rng = data(1)
    net = barenet.Network([5, 12, 1], ["tanh", "sigmoid"], seed=0, dtype="float64")
    net.fit(X, (X[:, 0] > 0).astype(int), epochs=5)
    out = outputs(bonnx.to_onnx(net, dtype=np.float32), X.astype(np.float32))
    np.testing.assert_allclose(out["probabilities"], net.predict_proba(X), **F32)
    np.testing.assert_array_equal(out["label"], net.predict(X))

    reg = MLPRegressor(hidden_layer_sizes=(12,), activation="relu", max_iter=30,
                       random_state=0).fit(X, X[:, :2] @ [1.0, -2.0])
    out = outputs(bonnx.to_onnx(reg, dtype="float32"), X.astype(np.float32))
    assert out["variable"].dtype == np.float32 and out["variable"].shape == (len(X),)
    np.testing.assert_allclose(out["variable"], reg.predict(X), rtol=1e-5, atol=1e-4)


def test_a_float64_graph_of_a_float32_network():
    X, _ = data(2)
    net = barenet.Network([5, 8, 3], ["leaky_relu", "softmax"], seed=0, dtype="float32")
    net.fit(X, np.arange(len(X)) % 3, epochs=3)
    proto = bonnx.to_onnx(net, dtype="float64")
    DOUBLE = onnx.TensorProto.DOUBLE
    assert float_types(proto) == ({DOUBLE}, {DOUBLE}, {DOUBLE})
    out = outputs(proto, X)
    assert out["probabilities"].dtype == np.float64
    np.testing.assert_allclose(out["probabilities"], net.predict_proba(X.astype(np.float32)),
                               **F32)


def test_the_default_dtype_is_the_models():
    net = barenet.Network([3, 2], ["softmax"], seed=0, dtype="float64")
    net.fit(np.eye(3), [0, 1, 1], epochs=1)
    assert float_types(bonnx.to_onnx(net))[0] == {onnx.TensorProto.DOUBLE}


@pytest.mark.parametrize("bad, error", [("float16", ValueError), ("int64", ValueError),
                                        ("double-ish", TypeError), (3, TypeError)])
def test_a_bad_dtype_is_refused_by_name(tmp_path, bad, error):
    net = barenet.Network([3, 2], ["softmax"], seed=0)
    net.fit(np.eye(3), [0, 1, 1], epochs=1)
    with pytest.raises(error, match="dtype"):
        bonnx.export(net, tmp_path / "m.onnx", dtype=bad)
    assert not (tmp_path / "m.onnx").exists()


# ------------------------------------------------------- skl2onnx pipelines

skl2onnx = pytest.importorskip("skl2onnx")
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def converters():
    bonnx.register_converters()
    bonnx.register_converters()  # twice: no harm


def pipeline_outputs(pipe, X, **kwargs):
    proto = skl2onnx.to_onnx(pipe, X[:1], **kwargs)
    onnx.checker.check_model(proto)
    s = session(proto)
    return [o.name for o in s.get_outputs()], s.run(None, {s.get_inputs()[0].name: X})


def labelled(kind, X):
    if kind == "binary":
        return np.where(X[:, 0] + X[:, 2] > 0.5, 7, 3)
    return np.array(["cat", "dog", "eel", "fox"])[np.digitize(X[:, 0] - X[:, 1], [-2, 0, 2])]


CLASSIFIERS = {
    "MLPClassifier": lambda: MLPClassifier((10, 6), max_iter=40, random_state=0),
    "BarenetClassifier": lambda: BarenetClassifier((10,), max_iter=20, random_state=0),
}


@pytest.mark.parametrize("estimator", CLASSIFIERS)
@pytest.mark.parametrize("kind", ["binary", "multiclass"])
def test_a_classifier_pipeline_without_zipmap(estimator, kind):
    X, _ = data(3)
    pipe = make_pipeline(StandardScaler(), CLASSIFIERS[estimator]()).fit(X, labelled(kind, X))
    X32 = X.astype(np.float32)
    names, (label, proba) = pipeline_outputs(pipe, X32, options={"zipmap": False})
    assert names == ["label", "probabilities"]
    assert proba.dtype == np.float32 and proba.shape == (len(X), len(pipe.classes_))
    np.testing.assert_allclose(proba, pipe.predict_proba(X32), **F32)
    np.testing.assert_array_equal(label, pipe.predict(X32))


@pytest.mark.parametrize("kind", ["binary", "multiclass"])
def test_a_classifier_pipeline_with_skl2onnx_zipmap(kind):
    X, _ = data(4)
    pipe = make_pipeline(StandardScaler(), MLPClassifier((8,), max_iter=40, random_state=0))
    pipe.fit(X, labelled(kind, X))
    X32 = X.astype(np.float32)
    names, (label, maps) = pipeline_outputs(pipe, X32)
    assert names == ["output_label", "output_probability"]
    np.testing.assert_array_equal(label, pipe.predict(X32))
    proba = np.array([[row[c] for c in pipe.classes_.tolist()] for row in maps])
    np.testing.assert_allclose(proba, pipe.predict_proba(X32), **F32)


def test_a_float64_pipeline_is_exact():
    X, _ = data(5)
    pipe = make_pipeline(StandardScaler(), BarenetClassifier((8,), max_iter=10, random_state=0))
    pipe.fit(X, labelled("multiclass", X))
    _, (label, proba) = pipeline_outputs(pipe, X, options={"zipmap": False})
    assert proba.dtype == np.float64
    np.testing.assert_allclose(proba, pipe.predict_proba(X), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(label, pipe.predict(X))


@pytest.mark.parametrize("estimator, targets", [
    (lambda: MLPRegressor(hidden_layer_sizes=(10,), max_iter=40, random_state=0), 1),
    (lambda: MLPRegressor(hidden_layer_sizes=(10,), max_iter=40, random_state=0), 2),
    (lambda: BarenetRegressor((10,), max_iter=10, random_state=0), 1),
])
def test_a_regressor_pipeline(estimator, targets):
    X, rng = data(6)
    Y = X[:, :targets] * 2 - X[:, 1:targets + 1]
    pipe = make_pipeline(StandardScaler(), estimator()).fit(X, Y[:, 0] if targets == 1 else Y)
    X32 = X.astype(np.float32)
    names, (variable,) = pipeline_outputs(pipe, X32)
    assert variable.shape == (len(X), targets)  # skl2onnx's regressors: one column a target
    expected = pipe.predict(X32).reshape(len(X), targets)
    np.testing.assert_allclose(variable, expected, rtol=1e-5, atol=1e-4)


def test_a_multilabel_pipeline_without_zipmap():
    X, _ = data(7)
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0.5, X[:, 2] < 0]).astype(int)
    pipe = make_pipeline(StandardScaler(), MLPClassifier((8,), max_iter=40, random_state=0))
    pipe.fit(X, Y)
    X32 = X.astype(np.float32)
    _, (label, proba) = pipeline_outputs(pipe, X32, options={"zipmap": False})
    np.testing.assert_allclose(proba, pipe.predict_proba(X32), **F32)
    np.testing.assert_array_equal(label, pipe.predict(X32))


def test_an_opset_older_than_13_is_refused():
    X, _ = data(8)
    pipe = make_pipeline(StandardScaler(), MLPRegressor(hidden_layer_sizes=(4,), max_iter=5,
                                                        random_state=0)).fit(X, X[:, 0])
    with pytest.raises(ValueError, match="opset 13"):
        skl2onnx.to_onnx(pipe, X[:1].astype(np.float32), target_opset=12)
