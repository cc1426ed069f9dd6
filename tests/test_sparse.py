"""SciPy sparse inputs: the same numbers as their dense copies, without a
dense copy of the whole matrix (barenet.model.sparse)."""

import contextlib
import subprocess
import sys
import tracemalloc
import warnings

import numpy as np
import pytest

import barenet
from barenet.model import sparse

sp = pytest.importorskip("scipy.sparse")


def _data(m=240, n=30, density=0.15, seed=0, classes=2):
    X = sp.random(m, n, density=density, format="csr", random_state=seed, dtype=np.float64)
    score = X.toarray() @ np.linspace(-1, 1, n)
    y = np.digitize(score, np.quantile(score, np.linspace(0, 1, classes + 1)[1:-1]))
    return X, y


def _trained(X, y, dtype="float64", fit=None, **options):
    classes = len(np.unique(y))
    out = ["sigmoid"] if classes == 2 else ["softmax"]
    net = barenet.Network([X.shape[1], 12, 6, 1 if classes == 2 else classes],
                          ["relu", "tanh", *out], seed=3, dtype=dtype, **options)
    history = net.fit(X, y, epochs=4, **{"batch_size": 32, **(fit or {})})
    return net, history


CASES = {
    "shuffle": ({}, {}),
    "no shuffle, multiclass": ({}, {"shuffle": False}),
    "batch norm": ({"batch_norm": True}, {}),
    "dropout": ({"dropout": 0.3}, {}),
    "validation split, sample weights": (
        {}, {"validation_split": 0.25, "sample_weight": np.linspace(0.2, 2.0, 240)}),
    "class weight, full batch": ({}, {"class_weight": "balanced", "batch_size": None}),
}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", list(CASES))
def test_training_on_sparse_X_gives_the_numbers_of_its_dense_copy(case, dtype):
    options, fit = CASES[case]
    X, y = _data(classes=3 if "multiclass" in case else 2)
    results = []
    for data in (X.toarray(), X, X.tocsc(), sp.csr_array(X), X.tocoo()):
        net, history = _trained(data, y, dtype, fit, **options)
        results.append((net.parameters.copy(), dict(history), net.predict_proba(data),
                        net.predict(data), net.evaluate(data, y), net.layer_outputs(data)))
    dense = results[0]
    for result in results[1:]:  # the same batches, bit for bit
        np.testing.assert_array_equal(result[0], dense[0])
        assert result[1] == dense[1]
        np.testing.assert_array_equal(result[2], dense[2])
        np.testing.assert_array_equal(result[3], dense[3])
        assert result[4] == dense[4]
        for ours, theirs in zip(result[5], dense[5]):
            np.testing.assert_array_equal(ours, theirs)


def test_inference_in_blocks_gives_the_dense_outputs(monkeypatch):
    X, y = _data(m=500)
    net, _ = _trained(X, y)
    monkeypatch.setattr(sparse, "BLOCK_BYTES", 7 * X.shape[1] * 8)  # blocks of 7 rows
    assert sparse.block_rows(X.shape[1], np.float64) == 7
    D = X.toarray()
    np.testing.assert_allclose(net.forward(X), net.forward(D), rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(net.predict(X), net.predict(D))
    for ours, theirs in zip(net.layer_outputs(X), net.layer_outputs(D)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)
    ours, theirs = net.evaluate(X, y), net.evaluate(D, y)
    assert ours["loss"] == pytest.approx(theirs["loss"], rel=1e-12)
    assert ours["accuracy"] == theirs["accuracy"]


class _StopAt(barenet.Callback):
    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_end(self, epoch, history):
        return epoch == self.epoch


def test_resume_and_validation_data_take_sparse_X():
    X, y = _data()
    X_val, y_val = _data(m=60, seed=1)
    results = []
    for train, val in ((X.toarray(), X_val.toarray()), (X, X_val), (X.toarray(), X_val)):
        net = barenet.Network([X.shape[1], 8, 1], ["relu", "sigmoid"], seed=1, dtype="float64")
        net.fit(train, y, epochs=5, batch_size=40, validation_data=(val, y_val),
                callbacks=[_StopAt(2)])
        history = net.resume(train, y, validation_data=(val, y_val))
        results.append((net.parameters.copy(), dict(history)))
    for parameters, history in results[1:]:
        np.testing.assert_array_equal(parameters, results[0][0])
        assert history == results[0][1]
        assert len(history["val_loss"]) == 5


def test_a_validation_split_of_sparse_X_stays_sparse():
    X, y = _data()
    net = barenet.Network([X.shape[1], 8, 1], ["relu", "sigmoid"], seed=1)
    X_checked = net.prepare(X)
    Y, _ = net.encode(y, X.shape[0])
    X_train, _, _, (X_val, _) = barenet.model.runs.split(
        net, X_checked, Y, y, np.random.default_rng(0).permutation(240), 60, None, None, None)
    assert sparse.is_sparse(X_train) and sparse.is_sparse(X_val)
    assert X_train.format == X_val.format == "csr" and X_val.shape == (60, X.shape[1])


def _one_blas_thread():
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")


def test_fit_on_a_large_sparse_matrix_never_makes_it_dense():
    """20,000 x 5,000 with 0.1% nonzeros: 800 MB dense, 1.2 MB sparse."""
    rng = np.random.default_rng(0)
    m, n, nnz = 20_000, 5_000, 100_000
    X = sp.csr_matrix((rng.random(nnz), (rng.integers(0, m, nnz), rng.integers(0, n, nnz))),
                      shape=(m, n))
    y = np.asarray(X.sum(axis=1)).ravel()
    batch = 200 * n * 8  # one dense batch: 8 MB
    net = barenet.Network([n, 2, 1], ["relu", "linear"], seed=0, dtype="float64")
    net.fit(X[:400], y[:400], epochs=1, batch_size=200)  # what loads on first use
    # products this small gain nothing from BLAS threads, which a busy machine slows down
    with _one_blas_thread():
        tracemalloc.start()
        try:
            net.fit(X, y, epochs=1, batch_size=200)
            fit_peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.reset_peak()
            outputs = net.predict(X)
            predict_peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert outputs.shape == (m,)
    assert fit_peak < 2 * batch + 8 * 2**20, fit_peak  # the dense X: 800 MB
    assert predict_peak < 4 * sparse.BLOCK_BYTES + 8 * 2**20, predict_peak


def test_sparse_inputs_are_checked():
    X, y = _data(m=40, n=6)
    net = barenet.Network([6, 4, 1], ["relu", "sigmoid"], seed=0)
    bad = X.copy()
    bad.data[0] = np.nan
    with pytest.raises(ValueError, match="NaN or infinity"):
        net.fit(bad, y)
    with pytest.raises(ValueError, match="7 features"):
        net.fit(sp.random(40, 7, density=0.3, format="csr"), y)
    with pytest.raises(ValueError, match="empty"):
        net.forward(sp.csr_matrix((0, 6)))
    with pytest.raises(TypeError, match="real numbers"):
        net.forward(sp.csr_matrix(np.ones((2, 6), dtype=complex)))
    huge = X.copy()
    huge.data[0] = 1e300
    with pytest.raises(ValueError, match="beyond the range of float32"):
        net.forward(huge)


def test_standardize_refuses_sparse_inputs():
    X, y = _data(m=40, n=6)
    net = barenet.Network([6, 4, 1], ["relu", "sigmoid"], seed=0, standardize=True)
    with pytest.raises(ValueError, match="standardize.*MaxAbsScaler"):
        net.fit(X, y, epochs=1)
    assert net.scaler_ is None and net.history_ is None  # nothing changed
    with pytest.raises(ValueError, match="standardize"):
        net.fit(X.toarray(), y, epochs=1, validation_data=(X, y))
    net.fit(X.toarray(), y, epochs=1)
    with pytest.raises(ValueError, match="standardize"):
        net.predict(X)


def test_a_network_on_another_library_refuses_sparse_inputs():
    torch = pytest.importorskip("torch")
    X, y = _data(m=40, n=6)
    net = barenet.Network([6, 4, 1], ["relu", "sigmoid"], seed=0)
    net.fit(X, y, epochs=1)
    net.to(torch.zeros(1))
    for method in (net.forward, net.predict, net.layer_outputs):
        with pytest.raises(TypeError, match="sparse.*NumPy.*torch"):
            method(X)
    with pytest.raises(TypeError, match="sparse"):
        net.evaluate(X, y)
    net.fit(X, y, epochs=1)  # fit moves the network to its data, NumPy's, as for arrays
    assert type(net.parameters) is np.ndarray


def test_barenet_imports_and_trains_without_scipy():
    code = ("import sys; sys.modules['scipy'] = None\n"
            "import numpy as np, barenet\n"
            "net = barenet.Network([2, 3, 1], ['relu', 'sigmoid'], seed=0)\n"
            "net.fit(np.eye(2), [0, 1], epochs=1); print(net.predict(np.eye(2)).shape)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "(2,)"


@pytest.mark.parametrize("options", [
    {"solver": "adam"}, {"solver": "sgd", "early_stopping": True}, {"solver": "lbfgs"},
    {"solver": "adam", "standardize": True}])
def test_mlp_estimators_on_sparse_X_equal_their_dense_results(options):
    from barenet.sklearn import MLPClassifier, MLPRegressor

    X, y = _data(n=20)
    D = X.toarray()
    for estimator, target in ((MLPClassifier, y), (MLPRegressor, D.sum(axis=1))):
        fitted = []
        for data in (D, X, X.tocsc()):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # not converged in 15 iterations
                model = estimator(hidden_layer_sizes=(8,), max_iter=15, random_state=0,
                                  **options).fit(data, target)
            fitted.append((model, data))
        dense_model = fitted[0][0]
        for model, data in fitted[1:]:
            for ours, theirs in zip(model.coefs_, dense_model.coefs_):
                np.testing.assert_array_equal(ours, theirs)
            np.testing.assert_array_equal(model.predict(data), dense_model.predict(D))


def test_barenet_estimators_take_sparse_X():
    from barenet.sklearn import BarenetClassifier, BarenetRegressor

    X, y = _data(n=20)
    D = X.toarray()
    for estimator, target in ((BarenetClassifier, y), (BarenetRegressor, D.sum(axis=1))):
        models = [estimator(hidden_layer_sizes=(8,), max_iter=5, random_state=0,
                            early_stopping=True).fit(data, target) for data in (D, X)]
        np.testing.assert_array_equal(models[1].network_.parameters,
                                      models[0].network_.parameters)
        np.testing.assert_array_equal(models[1].predict(X), models[0].predict(D))
        np.testing.assert_array_equal(models[1].transform(X), models[0].transform(D))
