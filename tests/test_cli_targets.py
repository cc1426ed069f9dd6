"""Real-valued targets on the command line: standardized for training, the
scaling folded into the saved model's output layer (barenet.cli.targets)."""

import contextlib
import os
import signal

import numpy as np
import pytest

import barenet
from barenet import cli
from barenet.cli.targets import folded, scaled, standardizes_targets, target_scale
from barenet.datasets import Dataset
from barenet.metrics import r2_score


def prices(n=600, seed=0, columns=1):
    """A table whose targets are large (about 150,000) and smooth in X."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    base = X @ [1.0, -0.5, 0.3, 0.2] + 0.2 * np.sin(3 * X[:, 0])
    y = 150_000 + 40_000 * base + rng.normal(0, 1_000, n)
    if columns > 1:
        y = np.stack([y, 30 * base - 7.0], axis=1)
    cut = n * 3 // 4
    return Dataset(X[:cut], y[:cut], X[cut:], y[cut:], "prices")


def test_the_folded_model_predicts_in_the_targets_units():
    data = prices(columns=2)
    target = target_scale(data.y_train)
    np.testing.assert_allclose(target.mean, data.y_train.mean(axis=0), rtol=1e-15)
    np.testing.assert_allclose(target.scale, data.y_train.std(axis=0), rtol=1e-15)
    fitted = scaled(data, target)
    np.testing.assert_allclose(fitted.y_test, (data.y_test - target.mean) / target.scale)
    net = barenet.Network([4, 16, 2], ["tanh", "linear"], seed=0, dtype="float64",
                          standardize=True)
    net.fit(fitted.X_train, fitted.y_train, epochs=5)
    model = folded(net, target)
    # sigma (W a + b) + mu, to rounding
    np.testing.assert_allclose(model.predict(data.X_test),
                               net.predict(data.X_test) * target.scale + target.mean,
                               rtol=1e-13)
    assert model.history_ == net.history_ and model is not net
    assert np.array_equal(net.predict(data.X_test), net.predict(data.X_test))  # net untouched
    # the model's views are still views of its own flat vector
    assert np.shares_memory(model.weights[-1], model.flat.values)
    assert not np.shares_memory(model.flat.values, net.flat.values)


def test_a_constant_target_column_keeps_its_scale_of_one():
    target = target_scale(np.stack([np.full(10, 5.0), np.arange(10.0)], axis=1))
    assert target.scale[0] == 1.0 and target.mean[0] == 5.0
    assert standardizes_targets(barenet.Network([2, 3, 1], ["relu", "linear"], standardize=True))
    assert not standardizes_targets(barenet.Network([2, 3, 1], ["relu", "linear"]))
    assert not standardizes_targets(barenet.Network([2, 3, 1], ["relu", "sigmoid"],
                                                    standardize=True))


@contextlib.contextmanager
def ctrl_c_at(monkeypatch, epoch, step):
    """Inside, every fit gets a Ctrl-C as the OS sends it at ``step`` of
    ``epoch`` (training ends with that epoch)."""
    class CtrlC(barenet.Callback):
        def on_step_end(self, e, s, logs):
            if (e, s) == (epoch, step):
                os.kill(os.getpid(), signal.SIGINT)

    fit = barenet.Network.fit
    monkeypatch.setattr(barenet.Network, "fit", lambda self, *a, callbacks=(), **k: fit(
        self, *a, callbacks=[*callbacks, CtrlC()], **k))
    try:
        yield
    finally:
        monkeypatch.setattr(barenet.Network, "fit", fit)


@pytest.fixture
def table(tmp_path):
    data = prices()
    path = tmp_path / "prices.npz"
    np.savez(path, X_train=data.X_train, y_train=data.y_train, X_test=data.X_test,
             y_test=data.y_test)
    return data, path


def test_train_learns_large_targets_with_its_defaults(table, tmp_path, capsys):
    data, path = table
    assert cli.main(["train", "--data", str(path), "--quiet", "--out", str(tmp_path / "a")]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert "standardized inputs and targets" in first and "L2 0.3" in first
    assert "early stopping" in first
    model = barenet.load(tmp_path / "a" / "model.npz")
    assert r2_score(data.y_test, model.predict(data.X_test)) > 0.95
    assert abs(model.predict(data.X_test).mean() - 150_000) < 5_000  # in the targets' units
    # without scaling, the same defaults learn next to nothing in as many epochs
    assert cli.main(["train", "--data", str(path), "--quiet", "--no-scale",
                     "--out", str(tmp_path / "b")]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert "raw inputs" in first and "targets" not in first and "early stopping" not in first
    raw = barenet.load(tmp_path / "b" / "model.npz")
    assert r2_score(data.y_test, raw.predict(data.X_test)) < 0.5


def test_early_stopping_zero_turns_the_default_off(table, tmp_path, capsys):
    _, path = table
    assert cli.main(["train", "--data", str(path), "--quiet", "--epochs", "7",
                     "--early-stopping", "0", "--out", str(tmp_path)]) == 0
    assert "early stopping" not in capsys.readouterr().out
    assert barenet.load(tmp_path / "model.npz").history_.epochs == 7


def test_an_interrupted_regression_resumes_to_the_model_of_a_straight_run(table, tmp_path,
                                                                        monkeypatch, capsys):
    _, path = table
    common = ["train", "--data", str(path), "--quiet", "--epochs", "12", "--early-stopping", "0"]
    assert cli.main(common + ["--out", str(tmp_path / "straight")]) == 0

    with ctrl_c_at(monkeypatch, 4, 3):
        assert cli.main(common + ["--out", str(tmp_path / "cut")]) == 130
    assert "interrupted after epoch 4" in capsys.readouterr().err
    checkpoint = tmp_path / "cut" / "checkpoint.npz"
    assert barenet.load(checkpoint).run_.epoch == 4
    assert cli.main(["train", "--data", str(path), "--quiet", "--out", str(tmp_path / "cut"),
                     "--early-stopping", "0", "--resume", str(checkpoint)]) == 0
    straight = barenet.load(tmp_path / "straight" / "model.npz")
    resumed = barenet.load(tmp_path / "cut" / "model.npz")
    np.testing.assert_array_equal(resumed.parameters, straight.parameters)
    assert resumed.history_ == straight.history_


def test_ctrl_c_with_early_stopping_checkpoints_the_last_epoch_and_saves_the_best(
        table, tmp_path, monkeypatch, capsys):
    """The model is the best epoch's (early stopping put it back); the
    checkpoint holds the last completed epoch, whose optimizer and random
    state it carries, so that --resume gives the straight run."""
    _, path = table
    common = ["train", "--data", str(path), "--quiet", "--epochs", "30", "--early-stopping",
              "25", "--lr", "0.05"]
    assert cli.main(common + ["--out", str(tmp_path / "straight")]) == 0

    with ctrl_c_at(monkeypatch, 20, 2):
        assert cli.main(common + ["--out", str(tmp_path / "cut")]) == 130
    err = capsys.readouterr().err
    checkpoint = barenet.load(tmp_path / "cut" / "checkpoint.npz")
    assert checkpoint.run_.epoch == 20 and "a checkpoint of epoch 20" in err
    model = barenet.load(tmp_path / "cut" / "model.npz")
    best = int(np.argmin(checkpoint.history_["val_loss"])) + 1
    if best != 20:  # the model is the best epoch's, the checkpoint the last one's
        assert f"saved the model of epoch {best}, the best on the validation split" in err
        assert not np.array_equal(model.weights[0], checkpoint.weights[0])
    assert cli.main(common + ["--out", str(tmp_path / "cut"), "--resume",
                              str(tmp_path / "cut" / "checkpoint.npz")]) == 0
    straight = barenet.load(tmp_path / "straight" / "model.npz")
    resumed = barenet.load(tmp_path / "cut" / "model.npz")
    assert resumed.history_ == straight.history_
