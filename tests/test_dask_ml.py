"""The drop-in estimators beyond one machine: dask-ml's ``Incremental``
(``partial_fit`` over the blocks of a Dask array) and ``ParallelPostFit``
(prediction block by block), run by a worker process of a local Dask
cluster.

Each result is compared with the same work done by hand in this process:
``Incremental`` must equal ``partial_fit`` called on the same blocks in the
same order (bit for bit: the estimator travels to the worker and back as a
pickle), and a blocked prediction must equal the prediction of the whole
array.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("dask_ml")
distributed = pytest.importorskip("dask.distributed")

import dask.array as da  # noqa: E402
from dask_ml.wrappers import Incremental, ParallelPostFit  # noqa: E402
from sklearn.datasets import make_classification, make_regression  # noqa: E402
from sklearn.utils import check_random_state  # noqa: E402

from barenet.sklearn import MLPClassifier, MLPRegressor  # noqa: E402

ROWS, BLOCK = 900, 200  # five blocks, the last one short


@pytest.fixture(scope="module")
def client():
    """A local cluster of one single-threaded worker process."""
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        yield client


def _classification():
    X, y = make_classification(ROWS, 8, n_informative=5, n_classes=3, random_state=0)
    return X, y


def _regression():
    X, y = make_regression(ROWS, 8, noise=0.1, random_state=0)
    return X, y / y.std()


def _blocks(X, y):
    return da.from_array(X, chunks=(BLOCK, X.shape[1])), da.from_array(y, chunks=BLOCK)


def _block_order(n_blocks, random_state):
    """The order in which ``Incremental(shuffle_blocks=True)`` visits the blocks."""
    order = list(range(n_blocks))
    check_random_state(random_state).shuffle(order)
    return order


def _by_hand(estimator, X, y, passes, random_state, **fit_kwargs):
    """``estimator.partial_fit`` over the row blocks of ``X`` in the order
    ``Incremental`` takes them, ``passes`` times."""
    starts = list(range(0, len(X), BLOCK))
    for _ in range(passes):
        for i in _block_order(len(starts), random_state):
            rows = slice(starts[i], starts[i] + BLOCK)
            estimator.partial_fit(X[rows], y[rows], **fit_kwargs)
    return estimator


def _same_network(a, b):
    for got, want in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        assert np.array_equal(got, want)
    assert a.t_ == b.t_ and a.loss_curve_ == b.loss_curve_


@pytest.mark.parametrize("Estimator, data, fit_kwargs", [
    (MLPClassifier, _classification, {"classes": [0, 1, 2]}),
    (MLPRegressor, _regression, {}),
])
def test_incremental_equals_partial_fit_over_the_same_blocks(client, Estimator, data,
                                                             fit_kwargs):
    X, y = data()
    Xd, yd = _blocks(X, y)
    params = dict(hidden_layer_sizes=(16,), learning_rate_init=0.01, batch_size=64,
                  random_state=0)
    wrapped = Incremental(Estimator(**params), shuffle_blocks=True, random_state=3)
    with distributed.get_task_stream(client) as tasks:
        wrapped.fit(Xd, yd, **fit_kwargs)
        wrapped.partial_fit(Xd, yd, **fit_kwargs)  # a second pass goes on from the first
    workers = set(client.scheduler_info()["workers"])
    assert {task["worker"] for task in tasks.data} <= workers and tasks.data
    fitted = wrapped.estimator_
    assert isinstance(fitted, Estimator) and fitted.t_ == 2 * ROWS
    _same_network(fitted, _by_hand(Estimator(**params), X, y, 2, 3, **fit_kwargs))
    # prediction is blocked too
    predicted = wrapped.predict(Xd)
    assert isinstance(predicted, da.Array)
    _same_as_by_blocks(predicted.compute(), fitted.predict, X)


def _same_as_by_blocks(blocked, predict, X):
    """``blocked`` is ``predict`` of each block of rows, bit for bit, and
    ``predict`` of the whole array to rounding (a matrix product's sums may
    be taken in another order for another number of rows)."""
    by_hand = np.concatenate([predict(X[i:i + BLOCK]) for i in range(0, len(X), BLOCK)])
    assert np.array_equal(blocked, by_hand)
    assert np.allclose(blocked, predict(X), rtol=1e-12, atol=1e-14)


def test_incremental_classifier_scores_and_learns(client):
    X, y = _classification()
    Xd, yd = _blocks(X, y)
    wrapped = Incremental(MLPClassifier(hidden_layer_sizes=(32,), learning_rate_init=0.01,
                                        random_state=0), scoring="accuracy", random_state=0)
    first = wrapped.partial_fit(Xd, yd, classes=[0, 1, 2]).score(Xd, yd)
    for _ in range(9):
        wrapped.partial_fit(Xd, yd)  # classes only on the first call, as partial_fit asks
    last = wrapped.score(Xd, yd)
    assert last > max(first, 0.8)
    assert last == pytest.approx(np.mean(wrapped.estimator_.predict(X) == y))


def test_incremental_refuses_a_solver_without_partial_fit(client):
    Xd, yd = _blocks(*_classification())
    wrapped = Incremental(MLPClassifier(solver="lbfgs"))
    # an lbfgs estimator has no partial_fit, as scikit-learn's has none
    assert not hasattr(MLPClassifier(solver="lbfgs"), "partial_fit")
    with pytest.raises(ValueError, match="does not implement 'partial_fit'"):
        wrapped.fit(Xd, yd, classes=[0, 1, 2])


@pytest.mark.parametrize("Estimator, data, methods", [
    (MLPClassifier, _classification, ("predict", "predict_proba", "predict_log_proba")),
    (MLPRegressor, _regression, ("predict",)),
])
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_parallel_post_fit_predicts_block_by_block_as_on_the_whole(client, Estimator, data,
                                                                   methods):
    X, y = data()
    Xd, _ = _blocks(X, y)
    wrapped = ParallelPostFit(Estimator(hidden_layer_sizes=(16,), max_iter=30,
                                        random_state=0))
    wrapped.fit(X, y)  # fits in memory; predicts on blocks
    assert wrapped.estimator.n_iter_ == 30
    for method in methods:
        blocked = getattr(wrapped, method)(Xd)
        assert isinstance(blocked, da.Array)
        _same_as_by_blocks(blocked.compute(), getattr(wrapped.estimator, method), X)


def test_the_out_of_core_example_trains_on_a_table_the_process_cannot_hold(tmp_path):
    """docs/examples/out_of_core.py, small: a 78 MB table, a training process
    allowed 64 MB more than its imports (so that the table cannot be loaded
    whole: the script checks it), trained and scored block by block."""
    script = Path(__file__).resolve().parent.parent / "docs" / "examples" / "out_of_core.py"
    if not sys.platform.startswith("linux"):
        pytest.skip("the example caps its memory with Linux's RLIMIT_DATA")
    out = subprocess.run(
        [sys.executable, str(script), "--dir", str(tmp_path / "table"), "--rows", "200000",
         "--chunk-rows", "20000", "--budget-mb", "64", "--passes", "2"],
        capture_output=True, text=True, check=True,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["rows"] == 200_000 and report["blocks"] == 10
    assert report["data_mb"] > report["budget_mb"]
    assert report["peak_rss_mb"] - report["rss_after_imports_mb"] < report["budget_mb"]
    assert report["test_accuracy"] > 0.8  # four classes: chance is about 0.25
