"""barenet.plot: learning curves, decision boundaries, optimizer comparisons and
confusion matrices as matplotlib Figures (object-oriented API, no pyplot),
headless."""

import os
import subprocess
import sys
import textwrap

import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.contour import ContourSet
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


def test_learning_curves_are_drawn_as_the_animation_draws_them(binary_model):
    """Training solid near-black, validation dashed grey (never class colours);
    the loss on a log scale, accuracy from 0 to 1."""
    from matplotlib.colors import to_hex

    _, history, _, _ = binary_model
    loss, accuracy = plot.learning_curves(history).axes
    for ax in (loss, accuracy):
        training, validation = ax.get_lines()
        assert (to_hex(training.get_color()), training.get_linestyle()) == ("#1a1a1a", "-")
        assert (to_hex(validation.get_color()), validation.get_linestyle()) == ("#8c8c8c", "--")
    assert loss.get_yscale() == "log"
    lo, hi = loss.get_ylim()
    every = history["loss"] + history["val_loss"]
    assert lo < min(every) and max(every) < hi
    assert accuracy.get_yscale() == "linear" and accuracy.get_ylim() == (0, 1.02)
    # a loss that reaches 0 stays on a linear axis
    assert plot.learning_curves({"loss": [1.0, 0.0]}).axes[0].get_yscale() == "linear"


def test_learning_curves_name_the_training_curve(binary_model):
    """With L2, 'loss' is the loss plus the penalty and 'val_loss' the plain
    loss: the caller says so in the legend."""
    _, history, _, _ = binary_model
    fig = plot.learning_curves(history, validation_label="test",
                               training_label="training (loss + L2 penalty)")
    loss, metric = fig.axes
    assert [t.get_text() for t in loss.get_legend().get_texts()] == \
        ["training (loss + L2 penalty)", "test"]
    # a metric has no penalty in it
    assert [t.get_text() for t in metric.get_legend().get_texts()] == ["training", "test"]
    for bad in ("", "  ", None, 3):
        with pytest.raises(ValueError, match="training_label") as info:
            plot.learning_curves(history, training_label=bad)
        assert "\n" not in str(info.value)


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


_MPL = tuple(int(part) for part in matplotlib.__version__.split(".")[:2])
# these tests read the drawn contours back from ax.collections, where a
# ContourSet is one artist from matplotlib 3.8 on (before, a list of its own)
needs_contour_artists = pytest.mark.skipif(
    _MPL < (3, 8), reason="a ContourSet is one artist in ax.collections from matplotlib 3.8 on")


def contour_sets(ax, filled):
    return [c for c in ax.collections if isinstance(c, ContourSet) and c.filled == filled]


def boundary_vertices(ax):
    return np.vstack([path.vertices for c in contour_sets(ax, filled=False)
                      for path in c.get_paths() if len(path.vertices)])


def legend_texts(legend):
    return [t.get_text() for t in legend.get_texts()]


def test_learning_curves_validation_label(binary_model):
    _, history, _, _ = binary_model
    fig = plot.learning_curves(history, validation_label="test")
    for ax in fig.axes:
        assert [label for label, _, _ in line_data(ax)] == ["training", "test"]
        assert legend_texts(ax.get_legend()) == ["training", "test"]
    for bad in ["", "  ", None, 3]:
        with pytest.raises(ValueError, match="validation_label"):
            plot.learning_curves(history, validation_label=bad)


def test_decision_boundary_labels_axes_and_classes(string_model, softmax_model):
    net, _, X, y = string_model
    ax = plot.decision_boundary(net, X, y, resolution=20).axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("feature 1", "feature 2")
    assert legend_texts(ax.get_legend()) == ["class cat", "class dog"]

    net, _, X, y = softmax_model
    ax = plot.decision_boundary(net, X, y, resolution=20, feature_names=("petal length",
                                                                          "petal width")).axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("petal length", "petal width")
    legend = ax.get_legend()
    assert legend_texts(legend) == [f"class {c}" for c in net.classes_]
    # each class's legend patch has the colour of that class's points
    points, = [c for c in ax.collections if len(c.get_offsets()) == len(X)]
    for k, patch in enumerate(legend.get_patches()):
        first = np.flatnonzero(y == net.classes_[k])[0]
        assert np.allclose(patch.get_facecolor(), points.to_rgba(points.get_array()[first]))


def test_decision_boundary_marks_test_points(softmax_model):
    net, _, X, y = softmax_model
    X_train, y_train, X_test, y_test = X[:60], y[:60], X[60:] + 0.5, y[60:]
    ax = plot.decision_boundary(net, X_train, y_train, X_test=X_test, y_test=y_test,
                                resolution=20).axes[0]
    assert legend_texts(ax.get_legend())[-2:] == ["training", "test"]
    train, = [c for c in ax.collections if len(c.get_offsets()) == len(X_train)
              and np.allclose(c.get_offsets(), X_train)]
    test, = [c for c in ax.collections if len(c.get_offsets()) == len(X_test)
             and np.allclose(c.get_offsets(), X_test)]
    assert np.all(train.get_facecolors()[:, 3] == 1)  # training points filled
    assert len(test.get_facecolors()) == 0  # test points hollow...
    # ... with edges in their class's colour
    expected = [to_rgba(plot.CLASS_COLORS[list(net.classes_).index(label)]) for label in y_test]
    assert np.allclose(test.get_edgecolors(), expected)
    # the view covers the test points too
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    assert x0 < X_test[:, 0].min() and X_test[:, 0].max() < x1
    assert y0 < X_test[:, 1].min() and X_test[:, 1].max() < y1


def test_decision_boundary_view_fits_the_points(softmax_model):
    net, _, X, y = softmax_model
    for fig in [plot.decision_boundary(net, X, y, resolution=20),
                plot.optimizer_comparison({"Adam": (net, {"loss": [1.0, 0.5]})}, X, y,
                                          resolution=20)]:
        ax = fig.axes[-1]
        for limits, values in [(ax.get_xlim(), X[:, 0]), (ax.get_ylim(), X[:, 1])]:
            span = values.max() - values.min()
            below, above = values.min() - limits[0], limits[1] - values.max()
            assert 0 < below <= 0.05 * span and 0 < above <= 0.05 * span  # no empty bands


@needs_contour_artists
def test_decision_boundary_is_the_level_set_of_the_probabilities(binary_model, softmax_model):
    # a smooth boundary: its vertices lie where the classes are equally likely,
    # not on the edges of the grid's cells (there, |p - 0.5| reaches 0.1 and
    # the gap between the top two probabilities has a median of 0.06)
    net, _, X, y = binary_model
    ax = plot.decision_boundary(net, X, y, resolution=100).axes[0]
    P = net.predict_proba(boundary_vertices(ax))
    assert np.abs(P[:, 1] - 0.5).max() < 0.01

    net, _, X, y = softmax_model
    ax = plot.decision_boundary(net, X, y, resolution=100).axes[0]
    P = np.sort(net.predict_proba(boundary_vertices(ax)), axis=1)
    gap = P[:, -1] - P[:, -2]  # the top two tie, but where three boundaries meet
    assert np.median(gap) < 0.005 and gap.max() < 0.05


@needs_contour_artists
def test_decision_regions_are_the_predictions(softmax_model):
    net, _, X, y = softmax_model
    ax = plot.decision_boundary(net, X, y, resolution=100).axes[0]
    rng = np.random.default_rng(1)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    points = rng.uniform([x0, y0], [x1, y1], size=(3000, 2))
    P = np.sort(net.predict_proba(points), axis=1)
    points = points[P[:, -1] - P[:, -2] > 0.05]  # away from the boundary
    predicted = net.predict(points)
    fills = contour_sets(ax, filled=True)
    assert len(fills) == len(net.classes_)
    for fill in fills:
        k = plot.CLASS_COLORS.index(
            next(c for c in plot.CLASS_COLORS
                 if np.allclose(to_rgba(c)[:3], fill.get_facecolor()[0][:3])))
        inside = np.any([path.contains_points(points) for path in fill.get_paths()], axis=0)
        assert np.array_equal(inside, predicted == net.classes_[k])


@needs_contour_artists
def test_decision_boundary_of_a_model_with_only_predict(softmax_model):
    _, _, X, _ = softmax_model

    class Stump:  # labels only: the boundary lies between grid points either side of x = 0
        def predict(self, X):
            return np.where(np.asarray(X)[:, 0] > 0, "right", "left")

    labels = Stump().predict(X)
    ax = plot.decision_boundary(Stump(), X, labels, resolution=101).axes[0]
    cell = (X[:, 0].max() - X[:, 0].min()) / 100
    assert np.abs(boundary_vertices(ax)[:, 0]).max() <= cell
    assert legend_texts(ax.get_legend()) == ["class left", "class right"]


def test_draw_decision_boundary_on_given_axes(softmax_model):
    net, _, X, y = softmax_model
    fig = Figure()
    left, right = fig.subplots(1, 2)
    plot.draw_decision_boundary(left, net, X, y, 20, title="mine", feature_names=["a", "b"])
    plot.draw_decision_boundary(right, net, X, y, resolution=20, legend=False)
    assert left.get_title() == "mine" and left.get_xlabel() == "a"
    assert legend_texts(left.get_legend()) == [f"class {c}" for c in net.classes_]
    assert right.get_legend() is None
    with pytest.raises(TypeError, match="legend"):
        plot.draw_decision_boundary(right, net, X, y, legend="yes")


def test_decision_boundary_rejects_bad_new_arguments(softmax_model):
    net, _, X, y = softmax_model
    with pytest.raises(ValueError, match="X_test and y_test"):
        plot.decision_boundary(net, X, y, X_test=X)
    with pytest.raises(ValueError, match="X_test and y_test"):
        plot.decision_boundary(net, X, y, y_test=y)
    with pytest.raises(ValueError, match="X_test has 3 features"):
        plot.decision_boundary(net, X, y, X_test=np.ones((5, 3)), y_test=y[:5])
    with pytest.raises(ValueError, match="y_test"):
        plot.decision_boundary(net, X, y, X_test=X[:5], y_test=y[:4])
    for bad in [["x"], ["x", "y", "z"], "xy"]:
        with pytest.raises(ValueError, match="feature_names"):
            plot.decision_boundary(net, X, y, feature_names=bad)
    with pytest.raises(ValueError, match="y holds labels .* 7"):
        plot.decision_boundary(net, X, np.where(y == 0, 7, y))
    with pytest.raises(ValueError, match="y_test holds labels"):
        plot.decision_boundary(net, X, y, X_test=X[:2], y_test=np.array([0, 9]))


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


def test_each_optimizer_has_one_colour_everywhere(comparison_2d):
    """The comparison's curves, its animation's and the optimizers' paths take
    each optimizer's colour from one table; other labels fall back on C{i}."""
    from matplotlib.colors import to_hex

    from barenet.plot._style import OPTIMIZER_COLORS, optimizer_color
    from barenet.plot.paths import optimizer_paths

    results, _, _ = comparison_2d
    curves = plot.optimizer_comparison(results).axes[0]
    assert [to_hex(line.get_color()) for line in curves.get_lines()] == \
        [OPTIMIZER_COLORS[label].lower() for label in results]
    paths = optimizer_paths().axes[0]
    drawn = {line.get_label(): to_hex(line.get_color()) for line in paths.get_lines()
             if " (lr=" in line.get_label()}
    assert drawn == {label: OPTIMIZER_COLORS[label.split(" (")[0]].lower() for label in drawn}
    assert len(drawn) == 4
    assert optimizer_color("AdamW (lr=0.001)", 0) == OPTIMIZER_COLORS["AdamW"]
    assert optimizer_color("my run", 2) == "C2"
    assert len(set(OPTIMIZER_COLORS.values())) == len(OPTIMIZER_COLORS)


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


def test_optimizer_comparison_curves_are_distinguishable(comparison_2d):
    results, _, _ = comparison_2d
    net = results["GD"][0]
    results = {label: (net, {"loss": list(np.geomspace(1, 0.1, 100))}) for label in results}
    lines = plot.optimizer_comparison(results).axes[0].get_lines()
    assert len({line.get_linestyle() for line in lines}) == len(results)
    assert len({line.get_marker() for line in lines}) == len(results)
    assert len({to_rgba(line.get_color()) for line in lines}) == len(results)
    # markers at intervals, at different epochs for different curves
    marked = [set(np.arange(100)[line.get_markevery()[0]::line.get_markevery()[1]])
              for line in lines]
    assert all(marked) and not set.intersection(*marked)


def test_optimizer_comparison_names_coinciding_curves(comparison_2d):
    results, _, _ = comparison_2d
    (net, gd), (_, adam) = results["GD"], results["Adam"]
    close = {"loss": [v * 1.015 for v in gd["loss"]]}
    far = {"loss": [v * 1.03 for v in gd["loss"]]}
    ax = plot.optimizer_comparison({"GD": (net, gd), "Copy": (net, close),
                                    "Adam": (net, adam)}).axes[0]
    assert ax.get_title() == "GD and Copy coincide (every epoch within 2%)"
    assert legend_texts(ax.get_legend()) == ["GD", "Copy", "Adam"]
    ax = plot.optimizer_comparison({"GD": (net, gd), "Far": (net, far)}).axes[0]
    assert ax.get_title() == ""
    ax = plot.optimizer_comparison({"GD": (net, gd), "Far": (net, far)}, rtol=0.05).axes[0]
    assert ax.get_title() == "GD and Far coincide (every epoch within 5%)"


def test_coinciding():
    curves = {"a": [1.0, 0.5], "b": [1.005, 0.499], "c": [2.0, 1.0], "d": [2.0, 1.01],
              "e": [1.0, 0.5, 0.25], "f": [1.0, 0.6]}
    assert plot.coinciding(curves) == [["a", "b"], ["c", "d"]]
    assert plot.coinciding(curves, rtol=0.001) == []
    assert plot.coinciding(curves, rtol=0.2) == [["a", "b", "f"], ["c", "d"]]
    # d is within 50% of c only, c of a: one group all the same
    assert plot.coinciding(curves, rtol=0.5) == [["a", "b", "c", "d", "f"]]
    assert plot.coinciding({"x": [4.0], "y": [1.0], "z": [2.0]}, rtol=0.5) == [["x", "y", "z"]]

    assert plot.coinciding({"a": [1.0], "b": [1.0]}, rtol=0) == [["a", "b"]]
    with pytest.raises(ValueError, match="rtol"):
        plot.coinciding(curves, rtol=-0.1)


@pytest.mark.skipif(_MPL < (3, 7), reason="legends outside the axes came in matplotlib 3.7")
def test_optimizer_comparison_boundaries_have_labels_and_a_legend(comparison_2d):
    results, X, y = comparison_2d
    fig = plot.optimizer_comparison(results, X[:40], y[:40], resolution=20, X_test=X[40:],
                                    y_test=y[40:], feature_names=["x1", "x2"])
    for ax in fig.axes[1:]:
        assert (ax.get_xlabel(), ax.get_ylabel()) == ("x1", "x2")
        assert ax.get_legend() is None
        assert any(np.allclose(c.get_offsets(), X[40:]) for c in ax.collections
                   if len(c.get_offsets()) == 20)
    legend, = fig.legends
    classes = results["GD"][0].classes_
    assert legend_texts(legend) == [f"class {c}" for c in classes] + ["training", "test"]


# ------------------------------------------------------------ confusion matrix


def cell_texts(ax):
    """{(row, column): (text, rgba colour)} of the numbers written in the cells."""
    return {(round(t.get_position()[1]), round(t.get_position()[0])): (t.get_text(),
                                                                        to_rgba(t.get_color()))
            for t in ax.texts}


def test_confusion_matrix_figure(tmp_path):
    matrix = np.array([[50, 3, 0], [7, 40, 1], [0, 0, 12]])
    labels = ["setosa", "versicolor", "virginica"]
    fig = plot.confusion_matrix(matrix, labels, title="iris")
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("predicted label",
                                                                  "true label", "iris")
    assert [t.get_text() for t in ax.get_xticklabels()] == labels
    assert [t.get_text() for t in ax.get_yticklabels()] == labels
    cells = cell_texts(ax)
    assert len(cells) == 9
    for (i, j), (text, _) in cells.items():
        assert int(text) == matrix[i, j]  # rows true, columns predicted
    assert cells[0, 0][1] == to_rgba("white")  # the darkest cell
    assert cells[0, 2][1] == to_rgba("black")  # an empty one
    assert np.array_equal(ax.images[0].get_array(), matrix)
    fig.savefig(tmp_path / "cm.png", dpi=40)
    assert_png(tmp_path / "cm.png", fig, 40)


def test_confusion_matrix_normalized():
    matrix = np.array([[8, 2], [0, 0]])
    cells = cell_texts(plot.confusion_matrix(matrix, [0, 1], normalize=True).axes[0])
    assert {key: text for key, (text, _) in cells.items()} == {
        (0, 0): "0.80", (0, 1): "0.20", (1, 0): "0.00", (1, 1): "0.00"}


def test_confusion_matrix_of_ten_classes_stays_readable(tmp_path):
    rng = np.random.default_rng(0)
    matrix = rng.integers(0, 30, size=(10, 10)) + np.diag(rng.integers(900, 1200, size=10))
    small = plot.confusion_matrix(matrix[:2, :2], [0, 1])
    assert small.axes[0].images[0].get_clim() == (0, matrix[:2, :2].max())
    for normalize in [False, True]:
        fig = plot.confusion_matrix(matrix, range(10), normalize=normalize)
        assert fig.get_size_inches()[1] > small.get_size_inches()[1]
        ax = fig.axes[0]
        assert len(ax.texts) == 100
        canvas = FigureCanvasAgg(fig)
        fig.set_dpi(110)
        canvas.draw()
        renderer = canvas.get_renderer()
        # every number fits inside its cell, the axis labels inside the figure
        cell = ax.transData.transform([[1, 0]])[0] - ax.transData.transform([[0, 0]])[0]
        for text in ax.texts:
            box = text.get_window_extent(renderer)
            assert box.width < abs(cell[0]) and box.height < abs(cell[0])
        assert ax.yaxis.label.get_window_extent(renderer).x0 >= 0
        assert ax.xaxis.label.get_window_extent(renderer).y0 >= 0
        assert ax.images[0].get_clim()[1] == (1 if normalize else matrix.max())


def test_confusion_matrix_rejects_bad_input():
    with pytest.raises(ValueError, match="matrix must be square"):
        plot.confusion_matrix(np.ones((2, 3)), [0, 1])
    with pytest.raises(ValueError, match="matrix"):
        plot.confusion_matrix(np.ones(4), [0, 1, 2, 3])
    with pytest.raises(ValueError, match="matrix must hold counts >= 0"):
        plot.confusion_matrix([[1, -1], [0, 2]], [0, 1])
    with pytest.raises(ValueError, match="labels must hold one label per row"):
        plot.confusion_matrix(np.ones((2, 2)), [0, 1, 2])
    with pytest.raises(TypeError, match="normalize"):
        plot.confusion_matrix(np.ones((2, 2)), [0, 1], normalize="rows")


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


def test_decision_boundary_refuses_a_regressor():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    net = barenet.Network([2, 4, 1], ["tanh", "linear"], seed=0)
    net.fit(X, X[:, 0] + X[:, 1], epochs=2)
    with pytest.raises(ValueError, match="need a classifier; this network is a regressor"):
        plot.decision_boundary(net, X, np.zeros(40))

    class Regressor:  # no classes_: its predictions, all distinct, are no classes
        def predict(self, points):
            return points[:, 0] + 7 * points[:, 1]

    with pytest.raises(ValueError, match="distinct values on the grid"):
        plot.decision_boundary(Regressor(), X, np.zeros(40), resolution=20)


def test_learning_curves_draw_a_shorter_validation_curve_over_the_last_epochs():
    """A run resumed with validation data it was first trained without has
    validation figures for its last epochs only."""
    history = History(loss=list(np.linspace(1, 0.1, 10)), accuracy=[0.5] * 10,
                      val_loss=list(np.linspace(0.8, 0.3, 7)), val_accuracy=[0.6] * 7)
    fig = plot.learning_curves(history)
    for ax in fig.axes:
        training, validation = ax.get_lines()
        assert list(training.get_xdata()) == list(range(1, 11))
        assert list(validation.get_xdata()) == list(range(4, 11))


def test_a_sweep_of_one_optimizer_gives_each_curve_its_own_colour():
    from barenet.plot._style import OPTIMIZER_COLORS, optimizer_color

    labels = ["Adam lr 0.1", "Adam lr 0.01", "GD", "Adam lr 0.001"]
    colours = [optimizer_color(label, i, labels[:i]) for i, label in enumerate(labels)]
    assert colours[0] == OPTIMIZER_COLORS["Adam"] and colours[2] == OPTIMIZER_COLORS["GD"]
    assert len(set(colours)) == 4
