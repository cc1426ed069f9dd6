"""Multilabel classification: ``k > 1`` sigmoid units with binary
cross-entropy are ``k`` yes/no labels (task ``'multilabel'``).

``y`` is a 0/1 indicator matrix ``(n_samples, k)``; ``classes_`` is
``arange(k)``; ``predict_proba`` gives each label's probability and
``predict`` the indicators ``P > 0.5``; the accuracy is the subset accuracy
(scikit-learn's ``accuracy_score``), the loss scikit-learn's
``binary_log_loss``. The same on torch tensors and ``array_api_strict``
arrays, through files and ONNX; ``class_weight`` is refused, anything but a
0/1 matrix an error naming ``y``. A single sigmoid unit stays binary.
"""

import numpy as np
import pytest

import barenet
from barenet.model.passes import MultilabelArrayEngine, MultilabelEngine

from _libraries import assert_close

torch = pytest.importorskip("torch")
strict = pytest.importorskip("array_api_strict")
sk_base = pytest.importorskip("sklearn.neural_network._base")
from sklearn.metrics import accuracy_score  # noqa: E402

LIBRARIES = {"array_api_strict": strict.asarray, "torch": torch.asarray}
K = 3


def _data(n=160, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    Y = np.stack([X[:, 0] > 0, X[:, 1] * X[:, 2] > 0, X[:, 3] > 0.5], axis=1).astype(np.int64)
    return X, Y


def _network(dtype="float64", seed=0, **settings):
    return barenet.Network([4, 12, K], ["relu", "sigmoid"], seed=seed, dtype=dtype, **settings)


def _fitted(X=None, Y=None, **fit_args):
    if X is None:
        X, Y = _data()
    net = _network()
    args = dict(optimizer=barenet.Adam(lr=0.02), epochs=40, batch_size=32)
    args.update(fit_args)
    history = net.fit(X, Y, **args)
    return net, history


def test_several_sigmoid_units_are_a_multilabel_classifier():
    net = _network()
    assert net.task == "multilabel" and net.loss.name == "binary_crossentropy"
    assert type(net.engine) is MultilabelEngine and net.metric_name == "accuracy"
    with pytest.raises(barenet.NotFittedError):
        net.predict(_data()[0])
    # one sigmoid unit is the binary classifier it always was
    binary = barenet.Network([4, 12, 1], ["relu", "sigmoid"], seed=0)
    assert binary.task == "binary" and type(binary.engine) is barenet.model.passes.Engine


def test_fit_predict_predict_proba_evaluate():
    X, Y = _data()
    net, history = _fitted(X, Y)
    np.testing.assert_array_equal(net.classes_, np.arange(K))
    P = net.predict_proba(X)
    assert P.shape == (len(X), K) and ((P > 0) & (P < 1)).all()
    np.testing.assert_array_equal(P, net.forward(X))
    labels = net.predict(X)
    assert labels.shape == (len(X), K) and labels.dtype.kind == "i"
    np.testing.assert_array_equal(labels, (P > 0.5).astype(int))
    scores = net.evaluate(X, Y)
    assert scores["accuracy"] == accuracy_score(Y, labels)  # subset accuracy
    assert 0.8 < scores["accuracy"] <= np.mean(labels == Y)  # all labels right, or none
    assert scores["loss"] == pytest.approx(sk_base.binary_log_loss(Y, P), rel=1e-12)
    assert history["accuracy"][-1] > history["accuracy"][0]


def test_the_history_records_subset_accuracy_per_epoch_and_per_step():
    X, Y = _data(60)

    class Steps(barenet.Callback):  # asks for every step's figures
        wants_steps = True

    for callbacks in (None, [Steps()]):
        net, history = _fitted(X, Y, epochs=1, batch_size=None, shuffle=False,
                               callbacks=callbacks)
        # one full batch: the epoch's figures are those of the outputs it started from
        start = _network()
        P = start.forward(X)
        assert history["accuracy"] == [accuracy_score(Y, (P > 0.5).astype(int))]
        assert history["loss"][0] == pytest.approx(sk_base.binary_log_loss(Y, P), rel=1e-12)


def test_any_numeric_indicator_matrix_and_validation():
    X, Y = _data()
    ref, ref_history = _fitted(X, Y, epochs=3, validation_data=(X[:20], Y[:20]))
    assert "val_accuracy" in ref_history
    for same in (Y.astype(bool), Y.astype(np.float32), Y.tolist()):
        net, history = _fitted(X, same, epochs=3, validation_data=(X[:20], Y[:20]))
        np.testing.assert_array_equal(net.parameters, ref.parameters)
        assert history == ref_history
    _, split = _fitted(X, Y, epochs=2, validation_split=0.25)
    assert len(split["val_accuracy"]) == 2


def test_sample_weight_works_and_class_weight_is_refused():
    X, Y = _data(80)
    weights = np.ones(len(X))
    weights[:10] = 0
    flipped = Y.copy()
    flipped[:10] = 1 - flipped[:10]
    args = dict(epochs=3, batch_size=None, sample_weight=weights)
    a, _ = _fitted(X, Y, **args)
    b, _ = _fitted(X, flipped, **args)  # the samples of weight 0 do not count
    np.testing.assert_array_equal(a.parameters, b.parameters)
    c, _ = _fitted(X, Y, epochs=3, batch_size=None)
    assert not np.array_equal(a.parameters, c.parameters)
    net = _network()
    for class_weight in ("balanced", {0: 2.0}):
        with pytest.raises(ValueError, match="class_weight.*multilabel.*sample_weight"):
            net.fit(X, Y, class_weight=class_weight)
    assert net.history_ is None  # refused before anything changed


@pytest.mark.parametrize("y, match", [
    (lambda Y: Y[:, 0], r"y must be a 0/1 indicator matrix of shape \(n_samples, 3\).*\(160,\)"),
    (lambda Y: Y[:, :2], r"shape \(n_samples, 3\).*got shape \(160, 2\)"),
    (lambda Y: Y + 1, r"y must hold only 0 and 1.*\[2\]"),
    (lambda Y: Y * 0.5, r"y must hold only 0 and 1.*\[0.5\]"),
    (lambda Y: np.where(Y == 1, np.nan, 0.0), r"y must hold only 0 and 1.*nan"),
    (lambda Y: np.where(Y == 1, "yes", "no"), r"y must hold only 0 and 1.*dtype <U3"),
])
def test_anything_but_an_indicator_matrix_is_an_error_naming_y(y, match):
    X, Y = _data()
    net = _network()
    with pytest.raises(ValueError, match=match):
        net.fit(X, y(Y), epochs=1)
    fitted, _ = _fitted(X, Y, epochs=1)
    with pytest.raises(ValueError, match=match.replace("y must", "validation_data\\[1\\] must")):
        fitted.fit(X, Y, epochs=1, validation_data=(X, y(Y)))
    with pytest.raises(ValueError, match=match):
        fitted.evaluate(X, y(Y))


def test_gradient_check():
    X, Y = _data(15)
    net = barenet.Network([4, 5, 4, K], ["tanh", "relu", "sigmoid"], seed=3, dtype="float64",
                          l2=0.05)
    assert barenet.gradient_check(net, X, Y) < 1e-7


@pytest.mark.parametrize("library", sorted(LIBRARIES))
def test_other_libraries_equal_numpy(library):
    to = LIBRARIES[library]
    X, Y = _data(96)
    ref, ref_history = _fitted(X, Y, epochs=3, validation_data=(X[:30], Y[:30]))
    Xx = to(X)
    net, history = _fitted(Xx, to(Y), epochs=3, validation_data=(to(X[:30]), to(Y[:30])))
    assert type(net.engine) is MultilabelArrayEngine
    for key in ref_history:
        assert_close(history[key], ref_history[key])
    assert_close(net.parameters, ref.parameters, like=Xx)
    assert_close(net.predict_proba(Xx), ref.predict_proba(X), like=Xx)
    labels = net.predict(Xx)
    assert type(labels) is type(Xx) and tuple(labels.shape) == (len(X), K)
    np.testing.assert_array_equal(np.from_dlpack(labels), ref.predict(X))
    assert net.evaluate(Xx, to(Y)) == pytest.approx(ref.evaluate(X, Y), rel=1e-12)
    # NumPy labels for data on the library, as for the other classifiers
    assert net.evaluate(Xx, Y) == pytest.approx(ref.evaluate(X, Y), rel=1e-12)
    AL = net.forward(Xx).T
    assert net.engine.metric(AL, to(Y.T.astype(np.float64))) == ref.engine.metric(
        ref.forward(X).T, Y.T.astype(np.float64))


def test_save_and_load(tmp_path):
    X, Y = _data()
    net, _ = _fitted(X, Y, epochs=3)
    net.save(tmp_path / "labels.npz")
    back = barenet.load(tmp_path / "labels.npz")
    assert back.task == "multilabel" and type(back.engine) is MultilabelEngine
    np.testing.assert_array_equal(back.classes_, np.arange(K))
    np.testing.assert_array_equal(back.predict_proba(X), net.predict_proba(X))
    np.testing.assert_array_equal(back.predict(X), net.predict(X))
    on_torch = barenet.load(tmp_path / "labels.npz", like=torch.zeros(1))
    assert type(on_torch.engine) is MultilabelArrayEngine
    np.testing.assert_array_equal(on_torch.predict(torch.asarray(X)).numpy(), net.predict(X))
    # a checkpoint resumes where it stopped
    net, _ = _fitted(X, Y, epochs=4)
    half, _ = _fitted(X, Y, epochs=4, callbacks=[_StopAfter(2)])
    half.save(tmp_path / "run.npz", training_state=True)
    resumed = barenet.load(tmp_path / "run.npz")
    resumed.resume(X, Y)
    np.testing.assert_array_equal(resumed.parameters, net.parameters)


class _StopAfter(barenet.Callback):
    def __init__(self, epochs):
        self.epochs = epochs

    def on_epoch_end(self, epoch, history):
        return epoch >= self.epochs


def test_onnx_export(tmp_path):
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    from barenet import onnx as bonnx

    X, Y = _data()
    for dtype in ("float32", "float64"):
        net = _network(dtype, standardize=True)
        net.fit(X, Y, epochs=3)
        path = tmp_path / f"labels-{dtype}.onnx"
        bonnx.export(net, path)
        proto = onnx.load(str(path))
        assert [o.name for o in proto.graph.output] == ["label", "probabilities"]
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        Xd = X.astype(dtype)
        label, P = session.run(None, {"X": Xd})
        assert label.dtype == np.int64 and label.shape == (len(X), K)
        np.testing.assert_array_equal(label, net.predict(Xd))
        np.testing.assert_allclose(P, net.predict_proba(Xd), rtol=1e-5 if dtype == "float32"
                                   else 1e-12, atol=1e-7)
