"""barenet's MLP estimators against scikit-learn's: test accuracy and R^2, same split and settings.

    python bench/mlp_quality.py                                  # every data set, 5 seeds
    python bench/mlp_quality.py --markdown docs/guide/sklearn-quality.md
    python bench/mlp_quality.py --quick                          # iris and diabetes, 1 seed

(On a busy machine, ``OPENBLAS_NUM_THREADS=1`` makes a full run seconds instead of minutes.)

For each data set (scikit-learn's bundled ones; California housing too when it
is already on disk, as nothing is downloaded), one fixed train/test split (a
quarter held out, stratified for the classifiers), a ``StandardScaler`` fitted
on the training part (and, for the regressors, the targets standardized by the
training part's mean and deviation, which leaves R^2 unchanged), then, for each
solver ('lbfgs', 'sgd', 'adam') and each ``random_state``,
``sklearn.neural_network.MLPClassifier`` / ``MLPRegressor`` and
``barenet.sklearn.MLPClassifier`` / ``MLPRegressor`` fitted with the same
settings: ``hidden_layer_sizes=(100,)`` and scikit-learn's defaults otherwise
(``max_iter=200`` unless ``--max-iter`` says otherwise). The table gives the
test accuracy (classifiers) or R^2 (regressors) of each library, the mean over
the seeds, their difference (barenet - scikit-learn), whether it is within the
target of 0.01, the largest difference of a single seed, the mean number of
iterations (``n_iter_``) and how many fits stopped at ``max_iter`` with a
``ConvergenceWarning`` (silenced, counted).
"""

import argparse
import statistics
import sys
import time
import warnings

import numpy as np
from sklearn import datasets as skdata
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as ScikitClassifier
from sklearn.neural_network import MLPRegressor as ScikitRegressor
from sklearn.preprocessing import StandardScaler

from barenet.sklearn import MLPClassifier, MLPRegressor

TARGET = 0.01
SOLVERS = ("lbfgs", "sgd", "adam")
# name: (loader, classifier?)
DATASETS = {
    "digits": (skdata.load_digits, True),
    "breast_cancer": (skdata.load_breast_cancer, True),
    "iris": (skdata.load_iris, True),
    "wine": (skdata.load_wine, True),
    "diabetes": (skdata.load_diabetes, False),
    "california_housing": (
        lambda return_X_y: skdata.fetch_california_housing(return_X_y=return_X_y,
                                                           download_if_missing=False), False),
}
QUICK = ("iris", "diabetes")


def load(name, split_seed=0):
    """``(X_train, X_test, y_train, y_test, classifier?)`` for data set ``name``:
    a quarter held out (stratified for a classifier), inputs standardized by the
    training part, a regressor's targets too. Raises OSError for California
    housing when it is not on disk."""
    loader, classifier = DATASETS[name]
    X, y = loader(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=split_seed, stratify=y if classifier else None)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    if not classifier:
        mean, std = y_train.mean(), y_train.std()
        y_train, y_test = (y_train - mean) / std, (y_test - mean) / std
    return X_train, X_test, y_train, y_test, classifier


def fit_score(estimator, X_train, X_test, y_train, y_test):
    """``(test score, n_iter_, warned, seconds)`` of ``estimator`` fitted on the training part."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        start = time.perf_counter()
        estimator.fit(X_train, y_train)
        seconds = time.perf_counter() - start
    warned = any(issubclass(w.category, ConvergenceWarning) for w in caught)
    return estimator.score(X_test, y_test), estimator.n_iter_, warned, seconds


def compare(name, solver, seeds, max_iter=200):
    """One row: both libraries on data set ``name`` with ``solver``, over ``seeds``."""
    X_train, X_test, y_train, y_test, classifier = load(name)
    theirs_cls, ours_cls = ((ScikitClassifier, MLPClassifier) if classifier
                            else (ScikitRegressor, MLPRegressor))
    settings = dict(hidden_layer_sizes=(100,), solver=solver, max_iter=max_iter)
    runs = {"scikit-learn": [], "barenet": []}
    for seed in seeds:
        for library, cls in (("scikit-learn", theirs_cls), ("barenet", ours_cls)):
            runs[library].append(fit_score(cls(random_state=seed, **settings),
                                           X_train, X_test, y_train, y_test))
    theirs = [r[0] for r in runs["scikit-learn"]]
    ours = [r[0] for r in runs["barenet"]]
    row = {
        "dataset": name, "solver": solver, "metric": "accuracy" if classifier else "R2",
        "samples": (len(X_train), len(X_test)), "seeds": len(seeds),
        "scikit-learn": statistics.mean(theirs), "barenet": statistics.mean(ours),
        "largest seed difference": max(abs(a - b) for a, b in zip(ours, theirs)),
    }
    row["difference"] = row["barenet"] - row["scikit-learn"]
    row["within"] = abs(row["difference"]) <= TARGET
    for library, results in runs.items():
        row[f"{library} n_iter"] = statistics.mean(r[1] for r in results)
        row[f"{library} warnings"] = sum(r[2] for r in results)
        row[f"{library} seconds"] = sum(r[3] for r in results)
    return row


def run(names, seeds, max_iter=200, solvers=SOLVERS, skipped=None, progress=None):
    """Every row for data sets ``names`` (those not on disk are left out and
    named in ``skipped``, a list, with the reason)."""
    rows = []
    for name in names:
        try:
            load(name)
        except OSError as error:
            if skipped is not None:
                skipped.append((name, str(error)))
            continue
        for solver in solvers:
            row = compare(name, solver, seeds, max_iter)
            rows.append(row)
            if progress:
                progress(row)
    return rows


HEADER = ["| data set | solver | metric | scikit-learn | barenet | difference | within 0.01 "
          "| largest seed difference | n_iter (scikit-learn / barenet) "
          "| max_iter reached (scikit-learn / barenet) |",
          "|---|---|---|---:|---:|---:|:---:|---:|---:|---:|"]


def table_row(row):
    n = row["seeds"]
    return (f"| {row['dataset']} | {row['solver']} | {row['metric']} | {row['scikit-learn']:.4f} "
            f"| {row['barenet']:.4f} | {row['difference']:+.4f} "
            f"| {'yes' if row['within'] else '**no**'} | {row['largest seed difference']:.4f} "
            f"| {row['scikit-learn n_iter']:.0f} / {row['barenet n_iter']:.0f} "
            f"| {row['scikit-learn warnings']}/{n} / {row['barenet warnings']}/{n} |")


def report(rows, skipped, seeds, max_iter, command):
    """The markdown table, with how it was made."""
    import platform

    import sklearn

    import barenet

    lines = [
        f"Made by `{command}`: scikit-learn {sklearn.__version__}, barenet {barenet.__version__}, "
        f"NumPy {np.__version__}, Python {platform.python_version()}; "
        f"`hidden_layer_sizes=(100,)`, `max_iter={max_iter}`, scikit-learn's defaults otherwise; "
        f"the mean over `random_state` in {list(seeds)}.",
        "",
        *HEADER,
        *(table_row(row) for row in rows),
        "",
        *summary(rows, skipped),
    ]
    return "\n".join(lines) + "\n"


def summary(rows, skipped):
    """How many rows meet the target, and the data sets not run."""
    within = sum(row["within"] for row in rows)
    lines = [f"{within} of {len(rows)} rows within {TARGET} of scikit-learn."]
    lines += [f"{name}: not run ({reason})." for name, reason in skipped]
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"{', '.join(QUICK)} only, one seed")
    parser.add_argument("--datasets", help="comma-separated: " + ",".join(DATASETS))
    parser.add_argument("--seeds", type=int, help="how many random_states (0, 1, ...); 5, "
                        "or 1 with --quick")
    parser.add_argument("--max-iter", type=int, default=200)
    parser.add_argument("--markdown", metavar="FILE", help="also write the table to FILE")
    args = parser.parse_args(argv)
    names = (args.datasets.split(",") if args.datasets
             else list(QUICK) if args.quick else list(DATASETS))
    unknown = set(names) - set(DATASETS)
    if unknown:
        parser.error(f"unknown data sets: {', '.join(sorted(unknown))}")
    seeds = range(args.seeds or (1 if args.quick else 5))
    command = "python bench/mlp_quality.py" + "".join(
        f" {a}" for a in (argv if argv is not None else sys.argv[1:])
        if not a.startswith("--markdown") and a != args.markdown)
    print("\n".join(HEADER), flush=True)
    skipped = []
    rows = run(names, seeds, args.max_iter, skipped=skipped,
               progress=lambda row: print(table_row(row), flush=True))
    text = report(rows, skipped, seeds, args.max_iter, command)
    print("\n".join(["", *summary(rows, skipped)]), flush=True)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
