"""The pictures of ``barenet train`` and ``barenet compare``: ``network.png``,
``--animate`` (training.gif, compare.gif), ``--paths`` and ``--init`` alone
(init.png); and their refusals, before any training."""

import numpy as np
import pytest
from PIL import Image

import barenet
from barenet.model.recorders import Snapshots
from barenet.cli.pictures import FRAMES

from test_cli import assert_png, run


def frames(path):
    with Image.open(path) as image:
        return image.n_frames


def test_train_animate_writes_the_network_and_one_frame_per_snapshot(tmp_path):
    result = run("train", "--epochs", 250, "--animate", "--quiet", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    assert_png(tmp_path / "network.png")
    # as many frames as a recorder keeps over 250 epochs, whatever the network
    record = Snapshots(max_snapshots=FRAMES)
    X = np.random.default_rng(0).standard_normal((20, 2))
    barenet.Network([2, 1], ["sigmoid"], seed=0).fit(X, X[:, 0] > 0, epochs=250, callbacks=[record])
    assert frames(tmp_path / "training.gif") == len(record) <= FRAMES
    assert len(record) > FRAMES // 2  # thinned, never below half the bound
    assert "wrote" in result.stdout and "training.gif" in result.stdout


def test_compare_writes_its_animation_paths_and_the_initialization_lesson(tmp_path):
    result = run("compare", "--epochs", 40, "--animate", "--paths", "--init", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    for name in ("compare.png", "paths.png", "paths_network.png", "init.png"):
        assert_png(tmp_path / name)
    assert frames(tmp_path / "compare.gif") == 41  # the start and every epoch
    # --init alone compared the initializations; the network itself kept He's
    assert "init.png" in result.stdout


def test_train_draws_the_network_of_2d_regression_data_too(tmp_path):
    table = tmp_path / "plane.npz"  # 2 features, a real-valued target
    X = np.random.default_rng(0).standard_normal((60, 2))
    np.savez(table, X=X, y=X[:, 0] * X[:, 1])
    result = run("train", "--data", table, "--epochs", 5, "--quiet", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    assert_png(tmp_path / "network.png")
    assert not (tmp_path / "decision_boundary.png").exists()


def test_compare_init_with_a_name_is_the_initialization_as_before(tmp_path):
    result = run("compare", "--epochs", 5, "--init", "xavier", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "init.png").exists()


@pytest.mark.parametrize("args, words", [
    (["train", "--data", "{table}", "--animate"], "2-feature classification data"),
    (["compare", "--data", "{table}", "--animate"], "is 3-feature data"),
    (["train", "--regression", "--animate"], "regression data"),
])
def test_animate_refuses_data_without_a_plane_before_training(args, words, tmp_path):
    table = tmp_path / "three.npz"  # 3 features, 2 classes
    X = np.random.default_rng(0).standard_normal((40, 3))
    np.savez(table, X=X, y=(X[:, 0] > 0).astype(int))
    args = [arg.format(table=table) for arg in args]
    result = run(*args, "--epochs", 3, "--out", tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0] and "--animate" in lines[0]
    assert not (tmp_path / "model.npz").exists() and not (tmp_path / "compare.png").exists()


@pytest.mark.parametrize("l2, label", [(0.0, "training"), (0.03, "training (loss + L2 penalty)")])
def test_the_training_curve_says_when_it_holds_the_l2_penalty(monkeypatch, tmp_path, l2, label):
    """With L2 the History's 'loss' is the loss plus the penalty, its 'val_loss'
    the plain loss: training.gif's legend says which is which."""
    from types import SimpleNamespace

    from barenet import plot
    from barenet.cli import pictures

    net = barenet.Network([2, 3, 1], ["tanh", "sigmoid"], l2=l2, seed=0)
    assert pictures.training_label(net) == label
    asked = {}
    monkeypatch.setattr(plot, "animate", lambda *args, **kwargs: asked.update(kwargs))
    monkeypatch.setattr(pictures, "write", lambda *args: None)
    data = SimpleNamespace(X_train=np.zeros((4, 2)), y_train=np.zeros(4), name="plane",
                           feature_names=None)
    pictures.training(None, Snapshots(), net, data, str(tmp_path), "test")
    assert asked["training_label"] == label and asked["validation_label"] == "test"
