"""The estimators follow scikit-learn's Array API conventions: with
``array_api_dispatch=True``, ``fit`` on ``array_api_strict`` arrays or torch
tensors trains the network on their library and device, where the fitted
arrays and every method's results then are -- the same numbers as on NumPy,
to 1e-12 relative in float64; without dispatch, inputs are converted to
NumPy, as always. scikit-learn's own Array API checks pass, for these and for
the drop-in MLP estimators."""

import pickle

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import estimator_checks
from sklearn.utils._array_api import NamespaceAndDevice

from barenet.sklearn import BarenetClassifier, BarenetRegressor, MLPClassifier, MLPRegressor

from _libraries import as_numpy, assert_close, dispatch, scipy_array_api  # noqa: F401

strict = pytest.importorskip("array_api_strict")
torch = pytest.importorskip("torch")

LIBRARIES = {"array_api_strict": strict.asarray, "torch": torch.asarray}

# five epochs do not converge, and need not
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


pytestmark = [pytestmark, pytest.mark.usefixtures("scipy_array_api")]


_numpy = as_numpy


def _close(result, expected, like, rtol=1e-12):
    assert_close(result, expected, rtol, like)


def _data(task, n=90, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    if task == "binary":
        y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    elif task == "multiclass":
        y = (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0.5)
    elif task == "one target":
        y = np.sin(X[:, 0]) + X[:, 1]
    else:
        y = np.stack([np.sin(X[:, 0]), X[:, 1] * X[:, 2]], axis=1)
    return X, y


# a few epochs of small networks, between them every kind of layer and setting
SETTINGS = {
    "plain": dict(hidden_layer_sizes=(7,), max_iter=4),
    "deep": dict(hidden_layer_sizes=(7, 5), activation=("tanh", "relu"), alpha=0.05,
                 dropout=0.2, optimizer="momentum", learning_rate=0.05, schedule="cosine",
                 max_iter=4),
    "scaled": dict(hidden_layer_sizes=(6,), batch_norm=True, standardize=True,
                   early_stopping=True, validation_fraction=0.2, optimizer="gd",
                   learning_rate=0.05, max_iter=6),
}


def _estimator(task, settings, **extra):
    cls = BarenetClassifier if task in ("binary", "multiclass") else BarenetRegressor
    return cls(**SETTINGS[settings], random_state=0, dtype="float64", **extra)


@pytest.mark.parametrize("library", sorted(LIBRARIES))
@pytest.mark.parametrize("settings", sorted(SETTINGS))
@pytest.mark.parametrize("task", ["binary", "multiclass", "one target", "two targets"])
def test_fit_and_every_method_equal_numpys_in_the_inputs_library(library, task, settings):
    X, y = _data(task)
    to = LIBRARIES[library]
    ref = _estimator(task, settings).fit(X, y)
    with dispatch():
        est = _estimator(task, settings).fit(to(X), to(y))
        Xl, yl = to(X), to(y)
        assert type(est.network_.parameters) is type(Xl)
        assert type(est.network_.engine).__name__ == "ArrayEngine"
        assert est.history_.keys() == ref.history_.keys()
        for key, values in ref.history_.items():
            assert all(type(v) is float for v in est.history_[key])
            np.testing.assert_allclose(est.history_[key], values, rtol=1e-12)
        assert est.n_iter_ == ref.n_iter_ and est.best_epoch_ == ref.best_epoch_
        _close(est.network_.parameters, ref.network_.parameters, like=Xl)
        if task in ("binary", "multiclass"):
            _close(est.classes_, ref.classes_, like=Xl)
            _close(est.predict_proba(Xl), ref.predict_proba(X), like=Xl)
            assert est.predict_proba(Xl).dtype == to(np.float64(0)).dtype
            predicted = est.predict(Xl)
            assert type(predicted) is type(Xl)
            np.testing.assert_array_equal(_numpy(predicted), ref.predict(X))
        else:
            assert not hasattr(est, "classes_")
            _close(est.predict(Xl), ref.predict(X), like=Xl)
        assert est.score(Xl, yl) == pytest.approx(ref.score(X, y), rel=1e-12, abs=1e-12)
        assert type(est.score(Xl, yl)) is float
        _close(est.transform(Xl), ref.transform(X), like=Xl)


@pytest.mark.parametrize("library", sorted(LIBRARIES))
def test_partial_fit_warm_start_and_weights_equal_numpys(library):
    X, y = _data("multiclass")
    to = LIBRARIES[library]
    weights = np.linspace(0.5, 2.0, len(y))
    ests = {}
    for name, convert in (("numpy", np.asarray), (library, to)):
        with dispatch():
            est = _estimator("multiclass", "plain", class_weight="balanced", warm_start=True)
            est.fit(convert(X), convert(y), sample_weight=convert(weights))
            est.fit(convert(X), convert(y))  # goes on, with its optimizer
            inc = _estimator("multiclass", "plain")
            for part in np.array_split(np.arange(len(y)), 3):
                inc.partial_fit(convert(X[part]), convert(y[part]), classes=convert([0, 1, 2]))
        ests[name] = (est, inc)
    (ref, ref_inc), (est, inc) = ests["numpy"], ests[library]
    assert est.n_iter_ == 8 and inc.n_iter_ == 3
    with dispatch():
        for fitted, expected in ((est, ref), (inc, ref_inc)):
            _close(fitted.network_.parameters, expected.network_.parameters, like=to(X))
            _close(fitted.predict_proba(to(X)), expected.predict_proba(X), like=to(X))
            for state, ref_state in zip(fitted.optimizer_.state, expected.optimizer_.state):
                _close(state[0], ref_state[0], like=to(X))


@pytest.mark.parametrize("library", sorted(LIBRARIES))
def test_labels_a_library_cannot_hold_stay_numpys(library):
    X, y = _data("multiclass")
    labels = np.array(["ant", "bee", "cat"])[y]
    ref = _estimator("multiclass", "plain").fit(X, labels)
    with dispatch():
        est = _estimator("multiclass", "plain").fit(LIBRARIES[library](X), labels)
        Xl = LIBRARIES[library](X)
        assert type(est.classes_) is np.ndarray and est.classes_.tolist() == ["ant", "bee", "cat"]
        predicted = est.predict(Xl)
        assert type(predicted) is np.ndarray
        np.testing.assert_array_equal(predicted, ref.predict(X))
        _close(est.predict_proba(Xl), ref.predict_proba(X), like=Xl)
        assert est.score(Xl, labels) == ref.score(X, labels)


@pytest.mark.parametrize("library", sorted(LIBRARIES))
def test_score_takes_targets_and_weights_from_anywhere(library):
    to = LIBRARIES[library]
    for task in ("multiclass", "one target"):
        X, y = _data(task)
        weights = np.linspace(0.5, 2.0, len(y))
        expected = _estimator(task, "plain").fit(X, y).score(X, y, weights)
        with dispatch():
            est = _estimator(task, "plain").fit(to(X), to(y))
            for targets in (y, y.tolist(), to(y)):
                for w in (weights, weights.tolist(), to(weights)):
                    assert est.score(to(X), targets, w) == pytest.approx(expected, rel=1e-12)


def test_without_dispatch_tensors_are_converted_to_numpy_as_before():
    X, y = _data("binary")
    ref = _estimator("binary", "plain").fit(X, y)
    est = _estimator("binary", "plain").fit(torch.asarray(X), torch.asarray(y))
    Xt = torch.asarray(X)
    assert type(est.network_.parameters) is np.ndarray
    assert type(est.classes_) is np.ndarray
    for method in ("predict_proba", "predict", "transform"):
        result = getattr(est, method)(Xt)
        assert type(result) is np.ndarray
        np.testing.assert_array_equal(result, getattr(ref, method)(X))
    assert est.score(Xt, torch.asarray(y)) == ref.score(X, y)
    reg_ref = _estimator("one target", "plain").fit(*_data("one target"))
    reg = _estimator("one target", "plain").fit(*map(torch.asarray, _data("one target")))
    assert type(reg.predict(Xt)) is np.ndarray
    np.testing.assert_array_equal(reg.predict(Xt), reg_ref.predict(X))


@pytest.mark.parametrize("library", sorted(LIBRARIES))
def test_data_of_another_library_than_fits_is_a_value_error(library):
    X, y = _data("binary")
    to = LIBRARIES[library]
    with dispatch():
        est = _estimator("binary", "plain").fit(to(X), to(y))
        for method in ("predict", "predict_proba", "transform"):
            with pytest.raises(ValueError, match=rf"BarenetClassifier\.{method}\(\) must use "
                                                 "the same namespace.*NumPy data"):
                getattr(est, method)(X)
        numpy_est = _estimator("binary", "plain").fit(X, y)
        with pytest.raises(ValueError, match=r"must use the same namespace.*fitted on NumPy"):
            numpy_est.predict(to(X))
    with pytest.raises(ValueError, match=r"converted to NumPy \(array_api_dispatch is off\)"):
        est.predict(X)


@pytest.mark.parametrize("library", sorted(LIBRARIES))
def test_pickle_and_move_estimator_to_keep_or_move_the_network(library):
    from sklearn.utils._array_api import get_namespace_and_device, move_estimator_to

    X, y = _data("binary")
    to = LIBRARIES[library]
    ref = _estimator("binary", "plain").fit(X, y)
    with dispatch():
        est = _estimator("binary", "plain").fit(to(X), to(y))
        copy = pickle.loads(pickle.dumps(est))
        assert type(copy.network_.parameters) is type(to(X))
        assert type(copy.optimizer_.state[0][0]) is type(to(X))
        _close(copy.predict_proba(to(X)), ref.predict_proba(X), like=to(X))

        xp, _, device = get_namespace_and_device(X)
        on_numpy = move_estimator_to(est, xp, device)
        assert type(on_numpy.network_.parameters) is np.ndarray
        assert type(on_numpy.classes_) is np.ndarray
        np.testing.assert_allclose(on_numpy.predict_proba(X), ref.predict_proba(X), rtol=1e-12)
        assert type(est.network_.parameters) is type(to(X))  # the original stays

        xp, _, device = get_namespace_and_device(to(X))
        back = move_estimator_to(on_numpy, xp, device)
        _close(back.classes_, ref.classes_, like=to(X))
        _close(back.predict_proba(to(X)), ref.predict_proba(X), like=to(X))


def test_a_pipeline_with_scikit_learns_scaler_runs_on_torch():
    X, y = _data("multiclass")
    ref = make_pipeline(StandardScaler(), _estimator("multiclass", "plain")).fit(X, y)
    with dispatch():
        Xt = torch.asarray(X)
        model = make_pipeline(StandardScaler(), _estimator("multiclass", "plain"))
        model.fit(Xt, torch.asarray(y))
        _close(model.predict_proba(Xt), ref.predict_proba(X), like=Xt)


# scikit-learn's own Array API checks, on the namespaces installed here (CuPy
# and GPUs where there are some; their combinations skip themselves otherwise)
COMBINATIONS = [("array_api_strict", "CPU_DEVICE", "float64"),
                ("array_api_strict", "device1", "float32"),
                ("torch", "cpu", "float64"), ("torch", "cpu", "float32"),
                ("torch", "cuda", "float64"), ("cupy", None, None)]
CHECKED = [BarenetClassifier((8,), max_iter=5),
           BarenetClassifier((8, 4), batch_norm=True, standardize=True, early_stopping=True,
                             class_weight="balanced", max_iter=5),
           BarenetRegressor((8,), dropout=0.2, schedule="cosine", max_iter=5),
           # the drop-in MLP estimators, 'lbfgs' included (its objective on the device)
           MLPClassifier((8,), max_iter=5),
           MLPRegressor(hidden_layer_sizes=(8,), solver="sgd", early_stopping=True, max_iter=5),
           MLPClassifier((8,), solver="lbfgs", max_iter=5)]


@pytest.mark.parametrize("estimator", CHECKED, ids=repr)
@pytest.mark.parametrize("namespace, device, dtype", COMBINATIONS)
def test_scikit_learns_array_api_input_checks(estimator, namespace, device, dtype):
    name = type(estimator).__name__
    estimator_checks.check_array_api_input(name, estimator, namespace, device, dtype)
    # the values too, on NumPy's data type: the networks are float64
    estimator_checks.check_array_api_input(name, estimator, namespace, device, dtype,
                                           check_values=True, check_sample_weight=True)


@pytest.mark.parametrize("estimator", CHECKED, ids=repr)
def test_scikit_learns_mixed_input_and_same_namespace_checks(estimator):
    name = type(estimator).__name__
    estimator_checks.check_array_api_mixed_inputs(
        name, estimator, X_ns_and_device=NamespaceAndDevice("torch", "cpu"),
        other_ns_and_device=NamespaceAndDevice("array_api_strict", "device1"),
        check_values=True)
    estimator_checks.check_array_api_same_namespace(name, estimator, "array_api_strict")
    estimator_checks.check_array_api_same_namespace(name, estimator, "torch", "cpu")
