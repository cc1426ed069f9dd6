"""The drop-in MLP estimators follow scikit-learn's Array API conventions, as
the Barenet* ones do: with ``array_api_dispatch=True``, ``fit`` and
``partial_fit`` on ``array_api_strict`` arrays or torch tensors train the
network in their library (solvers 'sgd' and 'adam', early stopping, warm
starts and sample weights included; 'lbfgs' computes its objective there too),
to the numbers NumPy gives -- 1e-12 relative in float64, 1e-4 in float32 --
with ``coefs_``, ``intercepts_``, numeric ``classes_`` and every method's
results in that library, and the curves as Python floats. Data of another
library than the fit's is scikit-learn's ValueError. (scikit-learn's own
Array API checks run on them in tests/test_array_api_sklearn.py.)"""

import pickle

import numpy as np
import pytest
import scipy.sparse

from barenet.sklearn import MLPClassifier, MLPRegressor

from _libraries import as_numpy, assert_close, dispatch, scipy_array_api  # noqa: F401

strict = pytest.importorskip("array_api_strict")
torch = pytest.importorskip("torch")

LIBRARIES = {"array_api_strict": strict.asarray, "torch": torch.asarray}
RTOL = {"float64": 1e-12, "float32": 1e-4}

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


pytestmark = [pytestmark, pytest.mark.usefixtures("scipy_array_api")]


def _data(cls, n=60, seed=0, dtype="float64"):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    if cls is MLPClassifier:
        y = (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0.5)
    else:
        y = np.stack([np.sin(X[:, 0]), X[:, 1] * X[:, 2]], axis=1)
    return X.astype(dtype), y


def _estimator(cls, solver="adam", **extra):
    settings = dict(hidden_layer_sizes=(6,), solver=solver, max_iter=4, random_state=0,
                    learning_rate_init=0.05 if solver == "sgd" else 0.01)
    return cls(**{**settings, **extra})


def _same_fit(est, ref, like, rtol):
    """``est`` (fitted on ``like``'s library) has ``ref``'s fitted state."""
    assert est.n_iter_ == ref.n_iter_ and est.t_ == ref.t_
    for name in ("coefs_", "intercepts_"):
        assert len(getattr(est, name)) == len(getattr(ref, name))
        for mine, theirs in zip(getattr(est, name), getattr(ref, name)):
            assert tuple(mine.shape) == theirs.shape
            assert_close(mine, theirs, rtol, like)
    assert type(est.loss_) is float
    np.testing.assert_allclose(est.loss_, ref.loss_, rtol=rtol)
    assert all(type(v) is float for v in est.loss_curve_)
    np.testing.assert_allclose(est.loss_curve_, ref.loss_curve_, rtol=rtol)
    if ref.best_loss_ is not None:
        assert type(est.best_loss_) is float
        np.testing.assert_allclose(est.best_loss_, ref.best_loss_, rtol=rtol)
    if ref.validation_scores_ is not None:
        assert all(type(v) is float for v in est.validation_scores_)
        np.testing.assert_allclose(est.validation_scores_, ref.validation_scores_, rtol=rtol)


def _same_outputs(est, ref, X, y, to, rtol):
    """``est``'s methods on ``to(X)`` give ``ref``'s on ``X``, in ``to``'s library."""
    Xl = to(X)
    if isinstance(est, MLPClassifier):
        assert_close(est.classes_, ref.classes_, like=Xl)
        for method in ("predict_proba", "predict_log_proba"):
            assert_close(getattr(est, method)(Xl), getattr(ref, method)(X), rtol, like=Xl)
        predicted = est.predict(Xl)
        assert type(predicted) is type(Xl) and predicted.dtype == to(ref.predict(X)).dtype
        np.testing.assert_array_equal(as_numpy(predicted), ref.predict(X))
    else:
        assert_close(est.predict(Xl), ref.predict(X), rtol, like=Xl)
    for targets in (to(y), y):
        score = est.score(Xl, targets)
        assert type(score) is float
        assert score == pytest.approx(ref.score(X, y), rel=rtol, abs=rtol)


@pytest.mark.parametrize("library", sorted(LIBRARIES))
@pytest.mark.parametrize("dtype", sorted(RTOL))
@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_fit_equals_numpys_in_the_inputs_library(cls, solver, dtype, library):
    X, y = _data(cls, dtype=dtype)
    to = LIBRARIES[library]
    ref = _estimator(cls, solver).fit(X, y)
    with dispatch():
        est = _estimator(cls, solver).fit(to(X), to(y))
        assert type(est.network_.parameters) is type(to(X))
        assert est.network_.dtype == np.dtype(dtype)
        _same_fit(est, ref, to(X), RTOL[dtype])
        _same_outputs(est, ref, X, y, to, RTOL[dtype])


@pytest.mark.parametrize("library", sorted(LIBRARIES))
@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_early_stopping_weights_and_warm_start_equal_numpys(cls, solver, library):
    X, y = _data(cls, n=80)
    weights = np.linspace(0.5, 2.0, len(y))
    fitted = {}
    for name, to in (("numpy", np.asarray), (library, LIBRARIES[library])):
        with dispatch():
            est = _estimator(cls, solver, early_stopping=True, validation_fraction=0.25,
                             warm_start=True, n_iter_no_change=2)
            est.fit(to(X), to(y), sample_weight=to(weights))
            first = list(est.validation_scores_)
            est.set_params(early_stopping=False).fit(to(X), to(y))  # goes on from there
        fitted[name] = est, first
    (ref, ref_first), (est, first) = fitted["numpy"], fitted[library]
    np.testing.assert_allclose(first, ref_first, rtol=1e-12)
    _same_fit(est, ref, LIBRARIES[library](X), 1e-12)
    with dispatch():
        _same_outputs(est, ref, X, y, LIBRARIES[library], 1e-12)


@pytest.mark.parametrize("library", sorted(LIBRARIES))
@pytest.mark.parametrize("dtype", sorted(RTOL))
@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_partial_fit_equals_numpys(cls, solver, dtype, library):
    X, y = _data(cls, dtype=dtype)
    weights = np.linspace(0.5, 2.0, len(y))
    fitted = {}
    for name, to in (("numpy", np.asarray), (library, LIBRARIES[library])):
        est = _estimator(cls, solver)
        extra = {"classes": to(np.arange(3))} if cls is MLPClassifier else {}
        with dispatch():
            for part in np.array_split(np.arange(len(y)), 3):
                est.partial_fit(to(X[part]), to(y[part]), sample_weight=to(weights[part]),
                                **extra)
        fitted[name] = est
    ref, est = fitted["numpy"], fitted[library]
    assert est.n_iter_ == 1 and len(est.loss_curve_) == 3
    with dispatch():
        _same_fit(est, ref, LIBRARIES[library](X), RTOL[dtype])
        _same_outputs(est, ref, X, y, LIBRARIES[library], RTOL[dtype])


@pytest.mark.parametrize("library", sorted(LIBRARIES))
def test_coefs_are_views_into_the_network_in_its_library(library):
    X, y = _data(MLPRegressor)
    to = LIBRARIES[library]
    with dispatch():
        est = _estimator(MLPRegressor).fit(to(X), to(y))
        est.network_.flat.values[...] = 0.5  # the views see it
        assert all(float(as_numpy(c).min()) == 0.5 for c in est.coefs_ + est.intercepts_)
        # arrays assigned to coefs_ (of any library) are copied into the network
        est.coefs_ = [to(np.zeros(c.shape)) for c in est.coefs_]
        assert_close(est.predict(to(X)), np.full((len(y), 2), 0.5), like=to(X))
        assert type(est.coefs_[0]) is type(to(X))


@pytest.mark.parametrize("library", sorted(LIBRARIES))
def test_labels_a_library_cannot_hold_stay_numpys(library):
    X, y = _data(MLPClassifier)
    labels = np.array(["ant", "bee", "cat"])[y]
    to = LIBRARIES[library]
    ref = _estimator(MLPClassifier).fit(X, labels)
    with dispatch():
        est = _estimator(MLPClassifier).fit(to(X), labels)
        assert type(est.classes_) is np.ndarray and est.classes_.tolist() == ["ant", "bee", "cat"]
        predicted = est.predict(to(X))
        assert type(predicted) is np.ndarray
        np.testing.assert_array_equal(predicted, ref.predict(X))
        assert_close(est.predict_proba(to(X)), ref.predict_proba(X), like=to(X))
        assert est.score(to(X), labels) == ref.score(X, labels)


@pytest.mark.parametrize("library", sorted(LIBRARIES))
def test_binary_and_multilabel_labels_in_the_inputs_library(library):
    X, _ = _data(MLPClassifier)
    to = LIBRARIES[library]
    for y in ((X[:, 0] > 0).astype(np.int64), (X[:, :3] > 0).astype(np.int64)):
        ref = _estimator(MLPClassifier).fit(X, y)
        with dispatch():
            est = _estimator(MLPClassifier).fit(to(X), to(y))
            predicted = est.predict(to(X))
            assert type(predicted) is type(to(X)) and predicted.shape == y.shape
            np.testing.assert_array_equal(as_numpy(predicted), ref.predict(X))
            assert_close(est.predict_proba(to(X)), ref.predict_proba(X), like=to(X))


@pytest.mark.parametrize("library", sorted(LIBRARIES))
def test_lbfgs_trains_where_the_data_is(library):
    X, y = _data(MLPClassifier)
    to = LIBRARIES[library]
    weights = np.linspace(0.5, 2.0, len(y))
    ref = _estimator(MLPClassifier, "lbfgs", max_iter=10, alpha=0.01).fit(X, y, weights)
    with dispatch():
        est = _estimator(MLPClassifier, "lbfgs", max_iter=10, alpha=0.01)
        est.fit(to(X), to(y), sample_weight=to(weights))
        assert type(est.network_.parameters) is type(to(X))
        assert type(est.loss_) is float and not hasattr(est, "loss_curve_")
        assert est.n_iter_ == ref.n_iter_
        np.testing.assert_allclose(est.loss_, ref.loss_, rtol=1e-10)
        for mine, theirs in zip(est.coefs_, ref.coefs_):  # to rounding, over 10 iterations
            assert_close(mine, theirs, 1e-8, like=to(X))
        assert_close(est.predict_proba(to(X)), ref.predict_proba(X), 1e-8, like=to(X))


@pytest.mark.parametrize("library", sorted(LIBRARIES))
def test_data_of_another_library_than_fits_is_a_value_error(library):
    X, y = _data(MLPClassifier)
    to = LIBRARIES[library]
    with dispatch():
        est = _estimator(MLPClassifier).fit(to(X), to(y))
        for method in ("predict", "predict_proba", "predict_log_proba", "score"):
            args = (X, y) if method == "score" else (X,)
            with pytest.raises(ValueError, match=r"MLPClassifier\.\w+\(\) must use the same "
                                                 "namespace.*NumPy data"):
                getattr(est, method)(*args)
        with pytest.raises(ValueError, match=r"MLPClassifier\.partial_fit\(\) must use"):
            est.partial_fit(X, y)
        with pytest.raises(ValueError, match=r"\.fit\(\) must use"):
            est.set_params(warm_start=True).fit(X, y)
        with pytest.raises(ValueError, match="SciPy sparse matrix"):
            est.predict(scipy.sparse.csr_matrix(X))
        numpy_est = _estimator(MLPRegressor).fit(X, y.astype(float))
        with pytest.raises(ValueError, match=r"must use the same namespace.*fitted on NumPy"):
            numpy_est.predict(to(X))
    with pytest.raises(ValueError, match=r"converted to NumPy \(array_api_dispatch is off\)"):
        est.predict(X)


def test_sparse_inputs_train_on_numpy_as_scikit_learn_takes_them():
    # scikit-learn's get_namespace leaves sparse matrices out: they are NumPy's
    X, y = _data(MLPClassifier)
    ref = _estimator(MLPClassifier).fit(scipy.sparse.csr_matrix(X), y)
    with dispatch():
        est = _estimator(MLPClassifier).fit(scipy.sparse.csr_matrix(X), torch.asarray(y))
        assert type(est.network_.parameters) is np.ndarray
        assert type(est.classes_) is np.ndarray
        np.testing.assert_array_equal(est.predict_proba(X), ref.predict_proba(X))


def test_without_dispatch_tensors_are_converted_to_numpy_as_before():
    X, y = _data(MLPClassifier)
    ref = _estimator(MLPClassifier).fit(X, y)
    est = _estimator(MLPClassifier).fit(torch.asarray(X), torch.asarray(y))
    assert type(est.network_.parameters) is np.ndarray and type(est.classes_) is np.ndarray
    assert type(est.coefs_[0]) is np.ndarray
    np.testing.assert_array_equal(est.predict_proba(torch.asarray(X)), ref.predict_proba(X))
    assert est.score(torch.asarray(X), torch.asarray(y)) == ref.score(X, y)


@pytest.mark.parametrize("library", sorted(LIBRARIES))
def test_pickle_and_move_estimator_to_keep_or_move_the_network(library):
    from sklearn.utils._array_api import get_namespace_and_device, move_estimator_to

    X, y = _data(MLPClassifier)
    to = LIBRARIES[library]
    ref = _estimator(MLPClassifier, "sgd").fit(X, y)
    with dispatch():
        est = _estimator(MLPClassifier, "sgd").fit(to(X), to(y))
        copy = pickle.loads(pickle.dumps(est))
        assert type(copy.coefs_[0]) is type(to(X))
        assert_close(copy.predict_proba(to(X)), ref.predict_proba(X), like=to(X))

        xp, _, device = get_namespace_and_device(X)
        on_numpy = move_estimator_to(est, xp, device)
        assert type(on_numpy.coefs_[0]) is np.ndarray and type(on_numpy.classes_) is np.ndarray
        np.testing.assert_allclose(on_numpy.predict_proba(X), ref.predict_proba(X), rtol=1e-12)
        assert type(est.coefs_[0]) is type(to(X))  # the original stays

        xp, _, device = get_namespace_and_device(to(X))
        back = move_estimator_to(on_numpy, xp, device)
        assert_close(back.classes_, ref.classes_, like=to(X))
        assert_close(back.predict_proba(to(X)), ref.predict_proba(X), like=to(X))
        on_numpy.partial_fit(X, y)  # each trains on, its coefs_ views of its network
        back.partial_fit(to(X), to(y))
        for moved in (on_numpy, back):
            assert_close(moved.coefs_[0], as_numpy(moved.network_.weights[0]).T, 0)
        assert_close(back.coefs_[0], on_numpy.coefs_[0], like=to(X))
