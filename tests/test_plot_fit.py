"""barenet.plot.fit.regression_fit: a regressor's predictions against its
targets -- the prediction curve over one feature, predicted against true values
for more, R^2 per target -- checked by what the figure holds, not its pixels."""

import re

import numpy as np
import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

import barenet
from barenet.metrics import r2_score
from barenet.plot._style import MARGIN
from barenet.plot.fit import MAX_TARGETS, regression_fit


def sine(m, seed):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-3, 3, size=(m, 1))
    return X, np.sin(X[:, 0]) + rng.normal(scale=0.1, size=m)


def trained(sizes, X, y, seed=0):
    net = barenet.Network(sizes, ["tanh", "linear"], seed=seed)
    net.fit(X, y, optimizer=barenet.Adam(lr=0.02), epochs=40, batch_size=32)
    return net


@pytest.fixture(scope="module")
def one_feature():
    X, y = sine(80, 0)
    X_test, y_test = sine(30, 1)
    return trained([1, 12, 1], X, y), X, y, X_test, y_test


@pytest.fixture(scope="module")
def four_features():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(120, 4))
    Y = np.c_[X @ [1.0, -2.0, 0.5, 0.0], np.tanh(X[:, 0] * X[:, 1]), X[:, 2] ** 2]
    return trained([4, 16, 3], X[:90], Y[:90]), X[:90], Y[:90], X[90:], Y[90:]


def visible_axes(fig):
    return [ax for ax in fig.axes if ax.get_visible()]


def points(ax, label):
    """The offsets of the scatter labelled ``label``, shape (n, 2)."""
    [collection] = [c for c in ax.collections if c.get_label() == label]
    return np.asarray(collection.get_offsets())


def line(ax, label):
    [found] = [ln for ln in ax.get_lines() if ln.get_label() == label]
    return np.asarray(found.get_xdata(), dtype=np.float64), \
        np.asarray(found.get_ydata(), dtype=np.float64)


def r2_in_title(ax):
    """``{split: R²}`` read from a panel title such as 'y: R² 0.953 training, 0.921 test'."""
    return {split: float(value) for value, split in
            re.findall(r"(-?\d+\.\d{3}) (training|test)", ax.get_title())}


def legend_labels(fig):
    legends = fig.legends or [ax.get_legend() for ax in fig.axes if ax.get_legend()]
    return [t.get_text() for t in legends[0].get_texts()]


# ------------------------------------------------------------------ one feature


def test_the_curve_is_the_prediction_on_a_sorted_grid_over_the_data(one_feature):
    net, X, y, X_test, y_test = one_feature
    fig = regression_fit(net, X, y, resolution=123, X_test=X_test, y_test=y_test)
    assert isinstance(fig, Figure)
    [ax] = visible_axes(fig)
    x, curve = line(ax, "prediction")
    assert len(x) == 123 and np.all(np.diff(x) > 0)
    # from the smallest to the largest x of all the points, widened by MARGIN of the span
    lo, hi = min(X.min(), X_test.min()), max(X.max(), X_test.max())
    np.testing.assert_allclose([x[0], x[-1]], [lo - MARGIN * (hi - lo), hi + MARGIN * (hi - lo)])
    np.testing.assert_allclose(curve, net.predict(x.reshape(-1, 1)), rtol=1e-6, atol=1e-6)
    assert ax.get_xlim() == (x[0], x[-1])


def test_one_feature_points_are_the_data_training_filled_test_hollow(one_feature):
    net, X, y, X_test, y_test = one_feature
    fig = regression_fit(net, X, y, X_test=X_test, y_test=y_test)
    [ax] = visible_axes(fig)
    np.testing.assert_array_equal(points(ax, "training"), np.c_[X[:, 0], y])
    np.testing.assert_array_equal(points(ax, "test"), np.c_[X_test[:, 0], y_test])
    [test] = [c for c in ax.collections if c.get_label() == "test"]
    assert test.get_facecolors().size == 0 or test.get_facecolors()[0][3] == 0  # hollow
    assert legend_labels(fig) == ["training", "test", "prediction"]


def test_one_feature_titles_and_axes_name_the_feature_and_target(one_feature):
    net, X, y, X_test, y_test = one_feature
    fig = regression_fit(net, X, y, X_test=X_test, y_test=y_test, title="waves",
                         feature_names=["hours"], target_names=["height"])
    [ax] = visible_axes(fig)
    assert fig._suptitle.get_text() == "waves"
    assert ax.get_xlabel() == "hours" and ax.get_ylabel() == "height"
    assert ax.get_title().startswith("height: R² ")
    scores = r2_in_title(ax)
    assert scores["training"] == round(r2_score(y, net.predict(X)), 3)
    assert scores["test"] == round(r2_score(y_test, net.predict(X_test)), 3)
    # without test points: the training points alone, and no test R²
    fig = regression_fit(net, X, y)
    [ax] = visible_axes(fig)
    assert list(r2_in_title(ax)) == ["training"]
    assert [c.get_label() for c in ax.collections] == ["training"]
    assert ax.get_xlabel() == "feature 1" and ax.get_ylabel() == "target"


def test_one_feature_several_targets_one_curve_per_panel():
    X, y = sine(60, 3)
    Y = np.c_[y, np.cos(X[:, 0])]
    net = trained([1, 12, 2], X, Y)
    fig = regression_fit(net, X, Y, resolution=50, target_names=["sin", "cos"])
    axes = visible_axes(fig)
    assert len(axes) == 2
    for k, ax in enumerate(axes):
        x, curve = line(ax, "prediction")
        np.testing.assert_allclose(curve, net.predict(x.reshape(-1, 1))[:, k], rtol=1e-6,
                                   atol=1e-6)
        np.testing.assert_array_equal(points(ax, "training"), np.c_[X[:, 0], Y[:, k]])
        assert ax.get_title().startswith(["sin", "cos"][k] + ": R² ")


# --------------------------------------------------------------- more features


def test_more_features_draw_predicted_against_true_around_the_diagonal(four_features):
    net, X, Y, X_test, Y_test = four_features
    fig = regression_fit(net, X, Y, X_test=X_test, y_test=Y_test)
    axes = visible_axes(fig)
    assert len(axes) == 3
    P, P_test = net.predict(X), net.predict(X_test)
    for k, ax in enumerate(axes):
        np.testing.assert_allclose(points(ax, "training"), np.c_[Y[:, k], P[:, k]], rtol=1e-12)
        np.testing.assert_allclose(points(ax, "test"), np.c_[Y_test[:, k], P_test[:, k]],
                                   rtol=1e-12)
        x, diagonal = line(ax, "predicted = true")
        np.testing.assert_array_equal(x, diagonal)
        # the diagonal spans both axes, which hold every point
        assert ax.get_xlim() == ax.get_ylim() == (x[0], x[-1])
        values = np.r_[Y[:, k], P[:, k], Y_test[:, k], P_test[:, k]]
        assert x[0] < values.min() and values.max() < x[-1]
        assert ax.get_xlabel() == f"true target {k + 1}"
        assert ax.get_ylabel() == f"predicted target {k + 1}"
        assert r2_in_title(ax) == {"training": round(r2_score(Y[:, k], P[:, k]), 3),
                                   "test": round(r2_score(Y_test[:, k], P_test[:, k]), 3)}
    assert legend_labels(fig) == ["training", "test", "predicted = true"]


def test_one_target_r2_in_the_title_is_barenet_metrics_r2():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(70, 3))
    y = X @ [1.0, 2.0, -1.0] + rng.normal(scale=0.3, size=70)
    net = trained([3, 8, 1], X, y)
    [ax] = visible_axes(regression_fit(net, X, y))
    assert r2_in_title(ax) == {"training": round(r2_score(y, net.predict(X)), 3)}
    np.testing.assert_allclose(points(ax, "training"), np.c_[y, net.predict(X)], rtol=1e-12)


def test_many_targets_are_capped_and_the_title_says_so(four_features):
    net, X, Y, _, _ = four_features
    fig = regression_fit(net, X, Y, max_targets=2, title="table")
    assert len(visible_axes(fig)) == 2
    assert fig._suptitle.get_text() == "table\nthe first 2 of 3 targets"
    assert MAX_TARGETS >= 3
    assert len(visible_axes(regression_fit(net, X, Y))) == 3


def test_any_model_with_predict_works_and_the_figure_saves(tmp_path):
    class Linear:  # no task, no classes_: a regressor as scikit-learn's are
        def predict(self, X):
            return np.asarray(X) @ [2.0, -1.0]

    X = np.random.default_rng(5).normal(size=(20, 2))
    y = Linear().predict(X)
    fig = regression_fit(Linear(), X, y)
    assert r2_in_title(visible_axes(fig)[0]) == {"training": 1.0}
    fig.savefig(tmp_path / "fit.png")
    assert (tmp_path / "fit.png").read_bytes()[:4] == b"\x89PNG"


# ------------------------------------------------------------------ bad input


class Spy:
    """A regressor that counts its predictions: bad input must fail before any."""

    calls = 0

    def predict(self, X):
        Spy.calls += 1
        return np.zeros(len(X))


X3 = np.arange(12.0).reshape(6, 2)
Y3 = np.arange(6.0)


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(X=np.arange(6.0)), ValueError, "X must be 2-D"),
    (dict(X=np.full((6, 2), np.nan)), ValueError, "X contains NaN"),
    (dict(y=np.arange(5.0)), ValueError, "y must have shape (6,) or (6, n_targets)"),
    (dict(y=np.zeros((6, 1, 1))), ValueError, "y must have shape"),
    (dict(y=np.array(list("abcdef"))), TypeError, "y must hold numbers"),
    (dict(X_test=X3), ValueError, "X_test and y_test go together"),
    (dict(y_test=Y3), ValueError, "X_test and y_test go together"),
    (dict(X_test=np.zeros((3, 3)), y_test=np.zeros(3)), ValueError, "X_test has 3 features"),
    (dict(X_test=np.zeros((3, 2)), y_test=np.zeros(4)), ValueError, "y_test must have shape"),
    (dict(X_test=np.zeros((3, 2)), y_test=np.zeros((3, 2))), ValueError, "y_test has 2 targets"),
    (dict(resolution=1), ValueError, "resolution must be >= 2"),
    (dict(resolution=2.5), TypeError, "resolution must be an integer"),
    (dict(max_targets=0), ValueError, "max_targets must be >= 1"),
    (dict(feature_names=["a"]), ValueError, "feature_names must be 2 names"),
    (dict(feature_names="ab"), ValueError, "feature_names must be 2 names"),
    (dict(target_names=["a", "b"]), ValueError, "target_names must be 1 name"),
])
def test_bad_input_is_one_error_naming_the_argument_before_any_prediction(kwargs, error,
                                                                          words):
    arguments = dict(model=Spy(), X=X3, y=Y3) | kwargs
    Spy.calls = 0
    with pytest.raises(error) as raised:
        regression_fit(**arguments)
    assert words in str(raised.value) and "\n" not in str(raised.value)
    assert Spy.calls == 0


def test_classifiers_and_models_without_predict_are_refused():
    X = np.random.default_rng(6).normal(size=(30, 2))
    classifier = barenet.Network([2, 1], ["sigmoid"], seed=0)
    classifier.fit(X, X[:, 0] > 0, epochs=2)
    with pytest.raises(ValueError, match="needs a regressor; this network is a binary"):
        regression_fit(classifier, X, X[:, 0])
    with pytest.raises(TypeError, match="model must have a predict method"):
        regression_fit(object(), X, X[:, 0])


def test_predictions_of_the_wrong_shape_are_an_error():
    class TwoOutputs:
        def predict(self, X):
            return np.zeros((len(X), 2))

    with pytest.raises(ValueError, match=r"model.predict\(X\) has shape \(6, 2\), but the "
                                         r"targets have shape \(6, 1\)"):
        regression_fit(TwoOutputs(), X3, Y3)


def test_colours_tell_training_from_test(one_feature):
    net, X, y, X_test, y_test = one_feature
    [ax] = visible_axes(regression_fit(net, X, y, X_test=X_test, y_test=y_test))
    [training] = [c for c in ax.collections if c.get_label() == "training"]
    [test] = [c for c in ax.collections if c.get_label() == "test"]
    assert not np.allclose(training.get_facecolors()[0], to_rgba(test.get_edgecolors()[0]))
