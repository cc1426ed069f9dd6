"""The ``barenet`` command end to end, in subprocesses as a user runs it."""

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import barenet
from barenet import cli

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def run(*args, cwd=None):
    """Run ``python -m barenet ARGS``; returns the CompletedProcess."""
    env = dict(os.environ)
    env.pop("BARENET_DEBUG", None)
    env.pop("DISPLAY", None)
    return subprocess.run([sys.executable, "-m", "barenet", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, env=env, timeout=300)


def assert_png(path):
    from matplotlib.image import imread

    assert path.read_bytes()[:8] == PNG_SIGNATURE
    image = imread(path)
    assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100


def read_csv(text):
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], rows[1:]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One short `barenet train` run, shared by the tests that read its output."""
    out = tmp_path_factory.mktemp("train")
    result = run("train", "--epochs", 30, "--out", out, "--seed", 3)
    return result, out


def test_compare_prints_the_table_and_writes_the_figure(tmp_path):
    result = run("compare", "--epochs", 20, "--out", tmp_path / "cmp")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("optimizer"))
    assert "final cost" in lines[header] and "test accuracy" in lines[header]
    assert "seconds" in lines[header]
    rows = [line.split() for line in lines[header + 1 : header + 5]]
    assert [row[0] for row in rows] == ["GD", "Momentum", "RMSProp", "Adam"]
    for row in rows:
        cost, train_acc, test_acc, seconds = map(float, row[1:])
        assert cost > 0 and 0 <= train_acc <= 1 and 0 <= test_acc <= 1 and seconds >= 0
    assert_png(tmp_path / "cmp" / "compare.png")


def test_compare_on_data_from_a_file_that_is_not_2d(tmp_path):
    data = barenet.datasets.make_blobs(n_samples=120, n_classes=3, n_features=4, seed=1)
    np.savez(tmp_path / "blobs4.npz", X_train=data.X_train, y_train=data.y_train,
             X_test=data.X_test, y_test=data.y_test)
    result = run("compare", "--data", tmp_path / "blobs4.npz", "--epochs", 5, "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    # not the notebook's example: one hidden layer chosen from the data (16 units here)
    assert "layers [4, 16, 3]" in result.stdout and "chosen from the data" in result.stdout
    assert_png(tmp_path / "compare.png")


def test_compare_on_2d_regression_data_draws_the_curves_alone(tmp_path):
    """A regressor has no decision boundary: the comparison draws its cost
    curves (once, the figure of a regressor's four optimizers, it tried to draw
    boundaries from 90,000 distinct predicted values and ran out of memory)."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(120, 2))
    y = X[:, 0] - 2 * X[:, 1] + rng.normal(scale=0.1, size=120)
    np.savez(tmp_path / "plane.npz", X=X, y=y)
    result = run("compare", "--data", tmp_path / "plane.npz", "--epochs", 3, "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    assert_png(tmp_path / "compare.png")
    from matplotlib.image import imread
    rows, columns = imread(tmp_path / "compare.png").shape[:2]
    assert rows < columns / 2  # one row of axes, 4 x 16 inches: the curves alone


def test_train_writes_model_curves_and_boundary(trained):
    result, out = trained
    assert result.returncode == 0, result.stderr
    assert "training" in result.stdout and "test" in result.stdout
    assert "accuracy" in result.stdout
    assert "epoch 30/30" in result.stderr  # the progress, a plain line in a pipe
    assert "\r" not in result.stderr
    # the test split is "test" in the progress too, as in the scores printed at the end
    assert "test_loss" in result.stderr and "val_" not in result.stderr
    for name in ("learning_curves.png", "decision_boundary.png"):
        assert_png(out / name)
    net = barenet.load(out / "model.npz")
    assert net.layer_sizes == (2, 5, 2, 1)
    assert [a.name for a in net.activations] == ["relu", "relu", "sigmoid"]
    assert net.fit_config_["epochs"] == 30 and len(net.history_["loss"]) == 30


def test_train_options(tmp_path):
    result = run("train", "--data", "spirals", "--layers", "8,6", "--activations", "tanh,relu",
                 "--init", "xavier", "--optimizer", "momentum", "--lr", "0.05", "--epochs", 3,
                 "--batch-size", 16, "--dtype", "float64", "--quiet", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "epoch" not in result.stderr  # --quiet: no progress bar
    net = barenet.load(tmp_path / "model.npz")
    assert net.layer_sizes == (2, 8, 6, 3)
    assert [a.name for a in net.activations] == ["tanh", "relu", "softmax"]
    assert net.dtype == np.float64
    assert net.fit_config_["optimizer"] == {"name": "momentum", "lr": 0.05, "beta": 0.9,
                                            "nesterov": False, "clipnorm": None}
    assert net.fit_config_["batch_size"] == 16


def test_predict_matches_network_predict(trained, tmp_path):
    _, out = trained
    net = barenet.load(out / "model.npz")
    X = np.random.default_rng(0).normal(size=(25, 2))
    np.savetxt(tmp_path / "inputs.csv", X, delimiter=",", header="x0,x1", comments="")

    result = run("predict", out / "model.npz", tmp_path / "inputs.csv")
    assert result.returncode == 0, result.stderr
    header, rows = read_csv(result.stdout)
    assert header == ["label"]
    # the CSV round-trips X through text; predict on exactly what was read back
    X_read = np.loadtxt(tmp_path / "inputs.csv", delimiter=",", skiprows=1)
    assert [int(r[0]) for r in rows] == net.predict(X_read).tolist()

    result = run("predict", out / "model.npz", tmp_path / "inputs.csv", "--proba",
                 "--out", tmp_path / "pred.csv")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    header, rows = read_csv((tmp_path / "pred.csv").read_text())
    assert header == ["label", "p_0", "p_1"]
    P = np.array([[float(v) for v in r[1:]] for r in rows])
    # four decimals by default (--precision)
    assert all(len(r[k].split(".")[1]) == 4 for r in rows for k in (1, 2))
    np.testing.assert_allclose(P, net.predict_proba(X_read).astype(np.float64), atol=5e-5)


def test_predict_on_npz_and_data_set_name(trained, tmp_path):
    _, out = trained
    net = barenet.load(out / "model.npz")
    X = np.random.default_rng(1).normal(size=(7, 2))
    np.savez(tmp_path / "inputs.npz", X=X)
    result = run("predict", out / "model.npz", tmp_path / "inputs.npz")
    assert result.returncode == 0, result.stderr
    assert [int(r[0]) for r in read_csv(result.stdout)[1]] == net.predict(X).tolist()

    result = run("predict", out / "model.npz", "moons")
    assert result.returncode == 0, result.stderr
    expected = net.predict(barenet.datasets.load("moons").X_test)
    assert [int(r[0]) for r in read_csv(result.stdout)[1]] == expected.tolist()


def test_predict_string_labels_and_regression(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    labels = np.where(X[:, 0] > 0, "yes", "no")
    clf = barenet.Network([3, 4, 1], ["relu", "sigmoid"], seed=0)
    clf.fit(X, labels, epochs=5)
    clf.save(tmp_path / "clf.npz")
    np.savez(tmp_path / "X.npz", X=X)
    result = run("predict", tmp_path / "clf.npz", tmp_path / "X.npz", "--proba")
    header, rows = read_csv(result.stdout)
    assert header == ["label", "p_no", "p_yes"]
    assert [r[0] for r in rows] == clf.predict(X).tolist()

    reg = barenet.Network([3, 4, 1], ["tanh", "linear"], seed=0)
    reg.fit(X, X.sum(axis=1), epochs=5)
    reg.save(tmp_path / "reg.npz")
    result = run("predict", tmp_path / "reg.npz", tmp_path / "X.npz")
    header, rows = read_csv(result.stdout)
    assert header == ["prediction"]
    # six significant digits (--precision 4, plus 2 for a target's own scale)
    np.testing.assert_allclose([float(r[0]) for r in rows], reg.predict(X).astype(np.float64),
                               rtol=5e-6, atol=1e-12)


@pytest.mark.parametrize("args", [
    ["train", "--layers", "x"],
    ["train", "--layers", "4,0"],
    ["train", "--epochs", "0"],
    ["train", "--epochs", "2.5"],
    ["train", "--batch-size", "-3"],
    ["train", "--lr", "-1"],
    ["train", "--lr", "nan"],
    ["train", "--seed", "-1"],
    ["train", "--init", "glorot"],
    ["train", "--optimizer", "lbfgs"],
    ["train", "--dtype", "int8"],
    ["train", "--bogus"],
    ["compare", "--data", "no-such-set"],
    ["compare", "--layers", "4", "--activations", "relu,tanh"],
    ["train", "--activations", "swish", "--epochs", "1"],
    ["train", "--data", "missing.csv"],
    ["predict", "missing-model.npz", "moons"],
    ["predict"],
    ["nonsense"],
])
def test_bad_arguments_give_one_clear_line(args, tmp_path):
    result = run(*args, "--out", tmp_path) if args[:1] in (["train"], ["compare"]) else run(*args)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "error" in lines[0]


def test_damaged_model_and_bad_inputs_are_one_line_errors(trained, tmp_path):
    _, out = trained
    (tmp_path / "bad.npz").write_bytes(b"not a model at all")
    (tmp_path / "wide.csv").write_text("1,2,3\n4,5,6\n")
    (tmp_path / "text.csv").write_text("1,2\n3,abc\n")
    for args in (["predict", tmp_path / "bad.npz", "moons"],
                 ["predict", out / "model.npz", tmp_path / "wide.csv"],
                 ["predict", out / "model.npz", tmp_path / "text.csv"]):
        result = run(*args)
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "takes 2 features" in run("predict", out / "model.npz", tmp_path / "wide.csv").stderr


def test_divergence_is_a_clear_error(tmp_path):
    result = run("train", "--optimizer", "gd", "--lr", "1e30", "--epochs", 5, "--quiet",
                 "--out", tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "Try a smaller --lr (this run's was 1e+30); saved the model" in result.stderr
    assert (tmp_path / "model.npz").exists()


@pytest.mark.parametrize("command", ["compare", "train", "predict"])
def test_help_describes_every_option(command, capsys):
    with pytest.raises(SystemExit) as exit:
        cli.main([command, "--help"])
    assert exit.value.code == 0
    text = capsys.readouterr().out
    subparsers = cli.build_parser()._subparsers._group_actions[0].choices
    for action in subparsers[command]._actions:
        for option in action.option_strings:
            assert option in text
        assert action.help, f"{command} {action.dest} has no help"


def test_top_level_help_and_version(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    text = capsys.readouterr().out
    for command in ("compare", "train", "predict"):
        assert command in text
    with pytest.raises(SystemExit):
        cli.main(["--version"])
    assert barenet.__version__ in capsys.readouterr().out


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "barenet"
    assert script.exists(), "pip install should put a 'barenet' script beside python"
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and barenet.__version__ in result.stdout


# ------------------------------------------- fit.png, network.png, counts in words

def wave_csv(path, n=80, seed=0):
    """A regression table of one feature: ``hours,height``, height ~ sin(hours)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 6, n)
    y = np.sin(x) + rng.normal(scale=0.1, size=n)
    np.savetxt(path, np.c_[x, y], delimiter=",", header="hours,height", comments="")
    return path


def test_train_writes_the_fit_of_regression_data_and_not_of_a_classifier(trained, tmp_path,
                                                                          capsys):
    table = wave_csv(tmp_path / "wave.csv")
    out = tmp_path / "out"
    assert cli.main(["train", "--data", str(table), "--epochs", "5", "--quiet",
                     "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    # one feature, in the singular; the test split's 20 samples in the plural
    assert "wave: 60 training and 20 test samples, 1 feature; layers [1, 16, 1]" in printed
    assert f"wrote {out / 'fit.png'}" in printed
    assert_png(out / "fit.png")
    assert_png(out / "network.png")  # 1 feature, 16 units at most: its histograms
    assert not (out / "decision_boundary.png").exists()
    # a classifier (the shared run on two moons) has a boundary and no fit
    result, moons = trained
    assert not (moons / "fit.png").exists() and "fit.png" not in result.stdout
    # the model takes 1 feature, in the singular too
    (tmp_path / "wide.csv").write_text("1,2\n3,4\n")
    assert cli.main(["predict", str(out / "model.npz"), str(tmp_path / "wide.csv")]) == 1
    assert "the model takes 1 feature\n" in capsys.readouterr().err


def test_the_fit_names_the_target_by_the_csv_header(tmp_path):
    from barenet.cli.train import target_names

    table = wave_csv(tmp_path / "wave.csv")
    data = barenet.datasets.load(str(table))
    assert target_names(str(table), None, data) == ["height"]  # the last column
    assert target_names(str(table), "height", data) == ["height"]
    flipped = barenet.datasets.load(str(table), label_column=0)
    assert target_names(str(table), "0", flipped) == ["hours"]
    np.savetxt(tmp_path / "bare.csv", np.loadtxt(table, delimiter=",", skiprows=1),
               delimiter=",")
    bare = barenet.datasets.load(str(tmp_path / "bare.csv"))
    assert target_names(str(tmp_path / "bare.csv"), None, bare) is None  # no header
    assert target_names("moons", None, barenet.datasets.load("moons")) is None


def test_train_draws_the_network_of_small_data_that_is_not_2d(tmp_path):
    data = barenet.datasets.make_blobs(n_samples=120, n_classes=3, n_features=4, seed=1)
    np.savez(tmp_path / "blobs4.npz", X_train=data.X_train, y_train=data.y_train,
             X_test=data.X_test, y_test=data.y_test)
    result = run("train", "--data", tmp_path / "blobs4.npz", "--epochs", 3, "--quiet",
                 "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert_png(tmp_path / "out" / "network.png")
    assert f"wrote {tmp_path / 'out' / 'network.png'}" in result.stdout
    for name in ("fit.png", "decision_boundary.png"):
        assert not (tmp_path / "out" / name).exists()


@pytest.mark.parametrize("n_features, sizes, drawn", [
    (2, (2, 128, 1), True),  # 2-D data: always, each neuron a map over the plane
    (4, (4, 16, 3), True),  # iris
    (16, (16, 64, 10), True),  # at the limits
    (17, (17, 32, 1), False),  # too many features
    (4, (4, 65, 3), False),  # a layer too wide
    (13, (13, 32, 70), False),  # the output layer counts too
])
def test_network_png_rule(n_features, sizes, drawn):
    from barenet.cli.pictures import NETWORK_MAX_FEATURES, NETWORK_MAX_UNITS, draws_network

    assert (NETWORK_MAX_FEATURES, NETWORK_MAX_UNITS) == (16, 64)  # as the help says
    assert draws_network(n_features, sizes) is drawn


def test_train_help_names_fit_png_and_the_network_rule(capsys):
    assert cli.main(["help", "train"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "DIR/fit.png" in text and "real-valued targets" in text and "R^2" in text
    assert "at most 16 features whose widest layer has at most 64 units" in text


def test_counts_are_in_the_singular_for_one(trained, tmp_path, capsys):
    from barenet.cli.common import counted

    assert [counted(1, "feature"), counted(2, "feature"), counted(0, "sample")] == \
        ["1 feature", "2 features", "0 samples"]
    assert [counted(1, "class"), counted(3, "class"), counted(2, "matrix", "matrices")] == \
        ["1 class", "3 classes", "2 matrices"]
    _, out = trained
    (tmp_path / "one.csv").write_text("x0,x1,label\n0.5,0.2,1\n")
    assert cli.main(["evaluate", str(out / "model.npz"), str(tmp_path / "one.csv"),
                     "--out", str(tmp_path)]) == 0
    assert f"{tmp_path / 'one.csv'}: 1 sample, model" in capsys.readouterr().out


def test_labels_a_classifier_cannot_learn_are_refused_before_training(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    # a real-valued target written as whole numbers (a price, a count)
    price = np.round(1000 * np.abs(X @ [3.0, -2.0, 1.0])).astype(int)
    np.savez(tmp_path / "price.npz", X_train=X[:150], y_train=price[:150], X_test=X[150:],
             y_test=price[150:])
    result = run("train", "--data", tmp_path / "price.npz", "--quiet", "--out", tmp_path / "a")
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "look like a real-valued target" in result.stderr and "--regression" in result.stderr
    assert not (tmp_path / "a").exists()  # refused before any work
    assert run("train", "--data", tmp_path / "price.npz", "--regression", "--epochs", 3,
               "--quiet", "--out", tmp_path / "b").returncode == 0
    # test labels the training split lacks
    y = (X[:, 0] > 0).astype(int)
    np.savez(tmp_path / "unseen.npz", X_train=X[:150], y_train=y[:150], X_test=X[150:],
             y_test=np.where(np.arange(50) < 3, 7, y[150:]))
    result = run("train", "--data", tmp_path / "unseen.npz", "--quiet", "--out", tmp_path / "c")
    assert result.returncode == 2
    assert "the test split of unseen has 1 label that its training split lacks (7)" \
        in result.stderr


def test_proba_of_a_regressor_is_a_usage_error(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    np.savez(tmp_path / "r.npz", X_train=X[:40], y_train=X[:40, 0] * 1.5, X_test=X[40:],
             y_test=X[40:, 0] * 1.5)
    assert run("train", "--data", tmp_path / "r.npz", "--epochs", 2, "--quiet",
               "--out", tmp_path).returncode == 0
    result = run("predict", tmp_path / "model.npz", tmp_path / "r.npz", "--proba")
    assert result.returncode == 2 and "--proba gives class probabilities" in result.stderr
    assert "is a regressor" in result.stderr and not result.stdout
