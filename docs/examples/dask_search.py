"""A grid search over barenet's scikit-learn classifier, run on a Dask cluster.

scikit-learn's ``GridSearchCV`` fits one model per (parameter setting, fold)
through joblib. Inside ``joblib.parallel_config(backend="dask")`` joblib hands
those fits to a ``dask.distributed`` cluster instead of local processes: each
fit is a task, run by whichever worker is free. Nothing else changes -- the
estimator is pickled to the worker, fitted there and its scores come back.

Run it on this machine (a LocalCluster of two single-threaded worker
processes is started and shut down for you)::

    pip install "barenet[dask]"          # barenet, scikit-learn, dask[distributed]
    python docs/examples/dask_search.py

Run the *same code* on a real cluster by giving the scheduler's address. Start
a scheduler on one machine and workers on as many as you like, each with
barenet installed in the same version (workers import it to unpickle the
estimator)::

    dask scheduler                                   # prints tcp://10.0.0.5:8786
    dask worker tcp://10.0.0.5:8786 --nthreads 1     # on each worker machine
    python docs/examples/dask_search.py --scheduler tcp://10.0.0.5:8786

The only difference is ``Client("tcp://10.0.0.5:8786")`` in place of
``Client(LocalCluster(...))``. One thread per worker is usually best: each
fit already uses NumPy's BLAS threads.
"""

import argparse
import contextlib

import joblib
from dask.distributed import Client, LocalCluster
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from barenet.sklearn import BarenetClassifier


def make_search(max_iter=30):
    """A grid search over a scaler + barenet classifier pipeline: 3 settings x 3 folds."""
    model = make_pipeline(
        StandardScaler(),
        BarenetClassifier(hidden_layer_sizes=(128,), max_iter=max_iter, random_state=0),
    )
    grid = {"barenetclassifier__alpha": [1e-4, 1e-1, 1.0]}  # L2 strength
    return GridSearchCV(model, grid, cv=3)


def fit_on_cluster(search, X, y, client):
    """Fit ``search`` with every one of its fits run as a task on ``client``'s cluster."""
    with joblib.parallel_config(backend="dask", client=client):
        return search.fit(X, y)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="a running scheduler, e.g. tcp://10.0.0.5:8786 "
                             "(default: start a local cluster)")
    args = parser.parse_args(argv)

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25,
                                                        random_state=0, stratify=y)
    with contextlib.ExitStack() as stack:
        if args.scheduler:
            cluster = args.scheduler  # a real cluster: the same code, another address
        else:
            cluster = stack.enter_context(
                LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0"))
        client = stack.enter_context(Client(cluster))
        print(f"cluster at {client.scheduler.address} with "
              f"{len(client.scheduler_info()['workers'])} workers")
        search = fit_on_cluster(make_search(), X_train, y_train, client)

    print(f"best setting {search.best_params_}, cross-validated accuracy "
          f"{search.best_score_:.3f}")
    print(f"test accuracy {search.score(X_test, y_test):.3f}")
    # keep the model in barenet's own format (arrays + JSON; barenet.load reads it)
    search.best_estimator_[-1].save("digits-best.npz")
    print("saved the best network to digits-best.npz")


if __name__ == "__main__":  # worker processes import this file; start nothing then
    main()
