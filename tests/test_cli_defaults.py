"""`barenet train` with only its defaults gives good models on real tables:
at least the accuracy the README's table promises on the built-in sets, and
within 0.03 of scikit-learn's `make_pipeline(StandardScaler(), MLPClassifier())`
on the same split (built-in sets and generated tables)."""

import contextlib
import io
import warnings

import numpy as np
import pytest

import barenet
from barenet import cli, datasets

sklearn = pytest.importorskip("sklearn")
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

# the floor for each built-in set, with the defaults alone
FLOORS = {"breast_cancer": 0.95, "wine": 0.94, "iris": 0.90, "digits": 0.96}


def train_with_defaults(spec, out, *extra):
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        assert cli.main(["train", "--data", str(spec), "--out", str(out), "--quiet",
                         *extra]) == 0
    return barenet.load(out / "model.npz"), printed.getvalue()


def sklearn_accuracy(data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its ConvergenceWarning at max_iter=200
        model = make_pipeline(StandardScaler(), MLPClassifier(random_state=0))
        return model.fit(data.X_train, data.y_train).score(data.X_test, data.y_test)


def tabular_csv(path, seed, n_classes, n_features, n_samples):
    X, y = make_classification(n_samples=n_samples, n_features=n_features,
                               n_informative=n_features // 2, n_classes=n_classes,
                               random_state=seed)
    header = ",".join([f"f{i}" for i in range(n_features)] + ["target"])
    np.savetxt(path, np.column_stack([X, y]), delimiter=",", header=header, comments="")
    return path


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_builtin_sets_reach_their_floor_and_scikit_learn(name, tmp_path):
    net, printed = train_with_defaults(name, tmp_path)
    assert "chosen from the data" in printed and "standardized inputs" in printed
    data = datasets.load(name, seed=0)
    accuracy = net.evaluate(data.X_test, data.y_test)["accuracy"]
    assert accuracy >= FLOORS[name]
    assert accuracy >= sklearn_accuracy(data) - 0.03


@pytest.mark.parametrize("seed, n_classes, n_features, n_samples",
                         [(0, 2, 20, 1000), (1, 3, 10, 600), (2, 4, 40, 2000)])
def test_generated_tables_are_within_003_of_scikit_learn(tmp_path, seed, n_classes,
                                                         n_features, n_samples):
    path = tabular_csv(tmp_path / "table.csv", seed, n_classes, n_features, n_samples)
    net, _ = train_with_defaults(path, tmp_path, "--label", "target")
    data = datasets.load(path, label_column="target", seed=0)
    accuracy = net.evaluate(data.X_test, data.y_test)["accuracy"]
    assert accuracy >= sklearn_accuracy(data) - 0.03
