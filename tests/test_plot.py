"""barenet.plot: learning curves, decision boundaries and optimizer comparisons
as matplotlib Figures (object-oriented API, no pyplot), headless."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.image import imread

import barenet
from barenet import plot
from barenet.training import History

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# ----------------------------------------------------------------- helpers


def blobs(m=90, n_classes=3, seed=0):
    rng = np.random.default_rng(seed)
    centers = np.array([[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0]])[:n_classes]
    y = np.arange(m) % n_classes
    X = centers[y] + rng.normal(scale=0.7, size=(m, 2))
    return X, y


def binary_data(m=60, seed=0, labels=(0, 1)):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, 2))
    y = np.where(X[:, 0] - X[:, 1] > 0, labels[1], labels[0])
    return X, y


def fit(net, X, y, epochs=30, optimizer=None, **kwargs):
    history = net.fit(X, y, optimizer=optimizer or barenet.Adam(lr=0.05), epochs=epochs,
                      batch_size=16, **kwargs)
    return net, history


@pytest.fixture(scope="module")
def binary_model():
    X, y = binary_data()
    net, history = fit(barenet.Network([2, 8, 1], ["tanh", "sigmoid"], seed=0), X, y,
                       validation_data=(X[:10], y[:10]))
    return net, history, X, y


@pytest.fixture(scope="module")
def softmax_model():
    X, y = blobs()
    net, history = fit(barenet.Network([2, 8, 3], ["relu", "softmax"], seed=0), X, y)
    return net, history, X, y


@pytest.fixture(scope="module")
def string_model():
    X, y = binary_data(labels=("cat", "dog"))
    net, history = fit(barenet.Network([2, 8, 1], ["relu", "sigmoid"], seed=1), X, y)
    return net, history, X, y


def assert_png(path, fig, dpi):
    with open(path, "rb") as f:
        assert f.read(8) == PNG_SIGNATURE
    image = imread(path)
    width, height = np.round(fig.get_size_inches() * dpi).astype(int)
    assert image.shape == (height, width, 4)
    assert image.dtype == np.float32
    assert image.std() > 0  # something was drawn


def line_data(ax):
    return [(line.get_label(), line.get_xdata(), line.get_ydata()) for line in ax.get_lines()]


# ------------------------------------------------------------ learning curves


def test_learning_curves_with_validation(binary_model):
    _, history, _, _ = binary_model
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    fig = plot.learning_curves(history)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2
    for ax, key in zip(fig.axes, ["loss", "accuracy"]):
        assert ax.get_ylabel() == key
        assert ax.get_xlabel() == "epoch"
        lines = line_data(ax)
        assert [label for label, _, _ in lines] == ["training", "validation"]
        epochs = np.arange(1, history.epochs + 1)
        for (_, x, ydata), source in zip(lines, [history[key], history["val_" + key]]):
            assert np.array_equal(x, epochs)
            assert np.array_equal(ydata, source)
        legend = ax.get_legend()
        assert legend is not None
        assert [t.get_text() for t in legend.get_texts()] == ["training", "validation"]


def test_learning_curves_without_validation(softmax_model):
    _, history, _, _ = softmax_model
    assert set(history) == {"loss", "accuracy"}
    fig = plot.learning_curves(history, title="blobs")
    assert len(fig.axes) == 2
    for ax, key in zip(fig.axes, ["loss", "accuracy"]):
        lines = line_data(ax)
        assert len(lines) == 1
        label, x, ydata = lines[0]
        assert label == "training"
        assert np.array_equal(x, np.arange(1, 31))
        assert np.array_equal(ydata, history[key])
    assert fig._suptitle is not None and fig._suptitle.get_text() == "blobs"


def test_learning_curves_of_a_regressor_and_of_plain_dicts():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    net = barenet.Network([2, 4, 1], ["tanh", "linear"], seed=0)
    history = net.fit(X, X.sum(axis=1), epochs=4, validation_data=(X[:8], X[:8].sum(axis=1)))
    fig = plot.learning_curves(history)
    assert [ax.get_ylabel() for ax in fig.axes] == ["loss", "mae"]
    assert all(len(ax.get_lines()) == 2 for ax in fig.axes)

    # a plain dict with only a loss: one axes, one line
    fig = plot.learning_curves({"loss": [3.0, 2.0, 1.5]})
    assert len(fig.axes) == 1
    (_, x, ydata), = line_data(fig.axes[0])
    assert np.array_equal(x, [1, 2, 3]) and np.array_equal(ydata, [3.0, 2.0, 1.5])

    # two metrics: three axes; an empty val_ list draws no validation line
    fig = plot.learning_curves(History(loss=[1.0, 0.5], accuracy=[0.5, 0.7], mae=[2.0, 1.0],
                                       val_loss=[]))
    assert [ax.get_ylabel() for ax in fig.axes] == ["loss", "accuracy", "mae"]
    assert [len(ax.get_lines()) for ax in fig.axes] == [1, 1, 1]


@pytest.mark.parametrize("bad", [
    None, [1.0, 0.5], (1.0,), "loss", np.array([1.0, 0.5]), {}, {"accuracy": [0.5]},
    {"loss": []}, {"loss": None},
], ids=["None", "list", "tuple", "str", "array", "empty-dict", "no-loss", "empty-loss",
        "loss-None"])
def test_learning_curves_rejects_non_history(bad):
    with pytest.raises(ValueError, match="History"):
        plot.learning_curves(bad)


def test_learning_curves_rejects_a_network(binary_model):
    net, history, _, _ = binary_model
    with pytest.raises(ValueError, match="History"):
        plot.learning_curves(net)
    with pytest.raises(ValueError, match="History"):
        plot.learning_curves((net, history))


def test_learning_curves_png(tmp_path, binary_model):
    fig = plot.learning_curves(binary_model[1])
    fig.savefig(tmp_path / "curves.png", dpi=40)
    assert_png(tmp_path / "curves.png", fig, 40)


# ------------------------------------------------------------ decision boundary


@pytest.mark.parametrize("which", ["binary_model", "softmax_model", "string_model"])
def test_decision_boundary(request, tmp_path, which):
    net, _, X, y = request.getfixturevalue(which)
    fig = plot.decision_boundary(net, X, y, resolution=50, title=which)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    assert ax.get_title() == which

    # the points are drawn where they are, coloured by their class index
    scatters = [c for c in ax.collections if hasattr(c, "get_offsets") and len(c.get_offsets()) == len(X)]
    assert len(scatters) == 1
    assert np.allclose(scatters[0].get_offsets(), X)
    assert np.array_equal(scatters[0].get_array(), np.searchsorted(net.classes_, y))
    # the view covers every point
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    assert x0 < X[:, 0].min() and X[:, 0].max() < x1
    assert y0 < X[:, 1].min() and X[:, 1].max() < y1

    fig.savefig(tmp_path / "x.png", dpi=50)
    assert_png(tmp_path / "x.png", fig, 50)


def test_decision_boundary_default_resolution_png(tmp_path, softmax_model):
    net, _, X, y = softmax_model
    fig = plot.decision_boundary(net, X, y)
    fig.savefig(tmp_path / "x.png")
    assert_png(tmp_path / "x.png", fig, fig.dpi)


def test_decision_boundary_accepts_lists_and_model_without_classes(softmax_model):
    net, _, X, y = softmax_model
    fig = plot.decision_boundary(net, X.tolist(), y.tolist(), resolution=20)
    assert isinstance(fig, Figure)

    class Stump:  # any classifier with predict, no classes_
        def predict(self, X):
            return np.where(np.asarray(X)[:, 0] > 0, "right", "left")

    labels = np.where(X[:, 0] > 0, "right", "left")
    fig = plot.decision_boundary(Stump(), X, labels, resolution=20)
    assert len(fig.axes) == 1


@pytest.mark.parametrize("X_shape", [(90, 3), (90, 1)])
def test_decision_boundary_needs_two_features(softmax_model, X_shape):
    net, _, _, y = softmax_model
    X = np.ones(X_shape)
    with pytest.raises(ValueError, match=f"{X_shape[1]} features"):
        plot.decision_boundary(net, X, y)


@pytest.mark.parametrize("X", [np.ones(90), np.ones((90, 2, 1)), np.ones((0, 2))],
                         ids=["1-D", "3-D", "empty"])
def test_decision_boundary_rejects_non_matrix_X(softmax_model, X):
    net, _, _, y = softmax_model
    with pytest.raises(ValueError, match="X"):
        plot.decision_boundary(net, X, y)


@pytest.mark.parametrize("bad_y", [
    lambda y: y[:-1], lambda y: np.append(y, 0), lambda y: y.reshape(-1, 1),
    lambda y: np.stack([y, y]), lambda y: 0,
], ids=["short", "long", "column", "2-D", "scalar"])
def test_decision_boundary_rejects_y_of_wrong_shape(softmax_model, bad_y):
    net, _, X, y = softmax_model
    with pytest.raises(ValueError, match="y"):
        plot.decision_boundary(net, X, bad_y(y))


def test_decision_boundary_rejects_bad_resolution(softmax_model):
    net, _, X, y = softmax_model
    with pytest.raises(ValueError):
        plot.decision_boundary(net, X, y, resolution=1)
    with pytest.raises(TypeError):
        plot.decision_boundary(net, X, y, resolution=2.5)


# ------------------------------------------------------------ optimizer comparison

OPTIMIZERS = {"GD": lambda: barenet.GD(lr=0.1), "Momentum": lambda: barenet.Momentum(lr=0.1),
              "Adam": lambda: barenet.Adam(lr=0.02)}


def compare(X, y, layer_sizes, activations, epochs=8):
    results = {}
    for label, make in OPTIMIZERS.items():
        net = barenet.Network(layer_sizes, activations, seed=3)
        history = net.fit(X, y, optimizer=make(), epochs=epochs, batch_size=16)
        results[label] = (net, history)
    return results


@pytest.fixture(scope="module")
def comparison_2d():
    X, y = blobs(m=60)
    return compare(X, y, [2, 6, 3], ["relu", "softmax"]), X, y


@pytest.fixture(scope="module")
def comparison_3d():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3))
    y = (X.sum(axis=1) > 0).astype(int)
    return compare(X, y, [3, 5, 1], ["tanh", "sigmoid"], epochs=6), X, y


def assert_curves(ax, results):
    assert ax.get_yscale() == "log"
    lines = line_data(ax)
    assert [label for label, _, _ in lines] == list(results)
    for (_, x, ydata), (_, history) in zip(lines, results.values()):
        assert np.array_equal(x, np.arange(1, history.epochs + 1))
        assert np.array_equal(ydata, history["loss"])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(results)


def test_optimizer_comparison_2d(tmp_path, comparison_2d):
    results, X, y = comparison_2d
    fig = plot.optimizer_comparison(results, X, y, resolution=40)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 1 + len(results)
    curves, *boundaries = fig.axes
    assert_curves(curves, results)
    assert [ax.get_title() for ax in boundaries] == list(results)
    for ax in boundaries:
        assert ax.collections  # regions and points were drawn
        assert not ax.get_lines()
    fig.savefig(tmp_path / "compare.png", dpi=30)
    assert_png(tmp_path / "compare.png", fig, 30)


def test_optimizer_comparison_single_optimizer(comparison_2d):
    results, X, y = comparison_2d
    one = {"Adam": results["Adam"]}
    fig = plot.optimizer_comparison(one, X, y, resolution=20)
    assert len(fig.axes) == 2
    assert_curves(fig.axes[0], one)
    assert fig.axes[1].get_title() == "Adam"


def test_optimizer_comparison_keeps_the_given_order(comparison_2d):
    results, _, _ = comparison_2d
    reordered = {label: results[label] for label in ["Adam", "GD", "Momentum"]}
    fig = plot.optimizer_comparison(reordered)
    assert_curves(fig.axes[0], reordered)


def test_optimizer_comparison_without_2d_data(comparison_3d, comparison_2d):
    results, X, y = comparison_3d
    for fig in [plot.optimizer_comparison(results, X, y), plot.optimizer_comparison(results),
                plot.optimizer_comparison(results, None, None)]:
        assert len(fig.axes) == 1
        assert_curves(fig.axes[0], results)
    results_2d, _, _ = comparison_2d
    fig = plot.optimizer_comparison(results_2d)  # 2-D models, but no X given
    assert len(fig.axes) == 1


def test_optimizer_comparison_with_1d_X(comparison_3d):
    # a 1-D X has no 2 features: no boundaries (or a ValueError), not a crash
    results, _, _ = comparison_3d
    try:
        fig = plot.optimizer_comparison(results, np.ones(50), np.zeros(50))
    except ValueError:
        return
    assert len(fig.axes) == 1


@pytest.mark.parametrize("empty", [{}, None])
def test_optimizer_comparison_rejects_empty_results(empty):
    with pytest.raises(ValueError, match="empty"):
        plot.optimizer_comparison(empty)


def test_optimizer_comparison_rejects_a_bad_history(comparison_2d):
    results, _, _ = comparison_2d
    net, _ = results["GD"]
    with pytest.raises(ValueError, match="GD"):
        plot.optimizer_comparison({"GD": (net, {"accuracy": [0.5]})})


# ------------------------------------------------------------ headless


def test_plots_work_without_a_display(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("MPLBACKEND", "DISPLAY", "WAYLAND_DISPLAY")}
    env["MPLCONFIGDIR"] = str(tmp_path / "mplconfig")
    out = tmp_path / "headless.png"
    script = textwrap.dedent(f"""
        import sys
        import numpy as np
        import barenet.plot as plot
        from barenet.training import History

        fig = plot.learning_curves(History(loss=[1.0, 0.5, 0.25], accuracy=[0.5, 0.75, 1.0],
                                           val_loss=[1.1, 0.6, 0.4],
                                           val_accuracy=[0.4, 0.7, 0.9]))
        fig.savefig({str(out)!r}, dpi=30)

        class Half:
            classes_ = np.array([0, 1])
            def predict(self, X):
                return (np.asarray(X)[:, 0] > 0).astype(int)

        X = np.array([[-1.0, 0.0], [1.0, 1.0], [0.5, -1.0], [-0.5, 0.5]])
        fig = plot.decision_boundary(Half(), X, np.array([0, 1, 1, 0]), resolution=10)
        fig.savefig({str(tmp_path / "boundary.png")!r}, dpi=30)
        print("pyplot" if "matplotlib.pyplot" in sys.modules else "no pyplot")
    """)
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "no pyplot"
    for path in [out, tmp_path / "boundary.png"]:
        assert path.read_bytes()[:8] == PNG_SIGNATURE
        assert imread(path).ndim == 3
