"""barenet.plot.diagram.network: the network drawn as columns of neurons,
weights as lines, each neuron showing what it computes (TensorFlow Playground)."""

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba

import barenet
from barenet.plot import CLASS_COLORS, MARGIN
from barenet.plot import diagram
from barenet.plot._style import region_shade
from barenet.plot.diagram import CMAP, NEGATIVE, POSITIVE, input_grid, network


# ----------------------------------------------------------------- helpers


def moons_like(m=120, seed=0):
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, np.pi, m)
    y = np.arange(m) % 2
    X = np.c_[np.cos(t) + y, np.sin(t) * (1 - 2 * y) + 0.5 * y]
    return X + rng.normal(scale=0.1, size=X.shape), y


def iris_like(m=90, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=2.0, size=(3, 4))
    y = np.arange(m) % 3
    return centres[y] + rng.normal(size=(m, 4)), np.array(["setosa", "versicolor",
                                                            "virginica"])[y]


@pytest.fixture(scope="module")
def moons_net():
    X, y = moons_like()
    net = barenet.Network([2, 6, 4, 1], ["tanh", "relu", "sigmoid"], seed=0)
    net.fit(X, y, optimizer=barenet.Adam(lr=0.02), epochs=5, batch_size=32)
    return net, X


@pytest.fixture(scope="module")
def iris_net():
    X, y = iris_like()
    net = barenet.Network([4, 16, 3], ["relu", "softmax"], seed=0)
    net.fit(X, y, optimizer="adam", epochs=3, batch_size=32)
    return net, X


@pytest.fixture(scope="module")
def moons_fig(moons_net):
    net, X = moons_net
    return network(net, X, resolution=12)


@pytest.fixture(scope="module")
def iris_fig(iris_net):
    net, X = iris_net
    return network(net, X, feature_names=["sl", "sw", "pl", "pw"])


def neuron_axes(fig):
    """{(l, i): axes} of every neuron drawn."""
    found = {}
    for ax in fig.axes:
        words = ax.get_label().split()
        if words and words[0] == "neuron":
            found[int(words[1]), int(words[2])] = ax
    return found


def weight_lines(fig):
    """{(l, j, i): Line2D} of every weight drawn."""
    canvas = next(ax for ax in fig.axes if ax.get_label() == "connections")
    found = {}
    for line in canvas.lines:
        gid = line.get_gid() or ""
        if gid.startswith("weight "):
            l, j, i = map(int, gid.split()[1:])
            found[l, j, i] = line
    return found


def texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts] + \
        [t.get_text() for t in fig.texts]


def window_of(X, margin=MARGIN):
    lo, hi = X.min(axis=0), X.max(axis=0)
    return lo - margin * (hi - lo), hi + margin * (hi - lo)


# ------------------------------------------------------------------ layout


def test_one_axes_per_neuron_and_one_line_per_weight(moons_fig):
    fig = moons_fig
    axes = neuron_axes(fig)
    assert sorted(axes) == [(l, i) for l, n in enumerate([2, 6, 4, 1]) for i in range(n)]
    assert sorted(weight_lines(fig)) == [(l, j, i) for l, (n_in, n_out)
                                         in enumerate([(2, 6), (6, 4), (4, 1)])
                                         for j in range(n_out) for i in range(n_in)]


def test_each_line_joins_the_neurons_of_its_weight(moons_fig):
    fig = moons_fig
    width, height = fig.get_size_inches()
    axes = neuron_axes(fig)
    for (l, j, i), line in weight_lines(fig).items():
        (x0, x1), (y0, y1) = line.get_xdata(), line.get_ydata()
        start, end = axes[l, i].get_position(), axes[l + 1, j].get_position()
        assert x0 == pytest.approx(start.x1 * width) and x1 == pytest.approx(end.x0 * width)
        assert y0 == pytest.approx((start.y0 + start.y1) / 2 * height)
        assert y1 == pytest.approx((end.y0 + end.y1) / 2 * height)


def test_line_width_grows_with_the_weight_and_colour_follows_its_sign(moons_net, moons_fig):
    net, _ = moons_net
    lines = weight_lines(moons_fig)
    w = np.array([float(net.weights[l][j, i]) for l, j, i in lines])
    widths = np.array([line.get_linewidth() for line in lines.values()])
    order = np.argsort(np.abs(w), kind="stable")
    assert np.all(np.diff(widths[order]) >= 0)
    assert widths[order[-1]] > 3 * widths[order[0]]  # the spread is visible
    for weight, line in zip(w, lines.values()):
        expected = POSITIVE if weight >= 0 else NEGATIVE
        assert to_rgba(line.get_color())[:3] == to_rgba(expected)[:3]
    assert (w > 0).any() and (w < 0).any()  # both colours were checked


def test_wide_layers_are_capped_with_a_more_mark(iris_net, iris_fig):
    net, X = iris_net
    fig = network(net, X, max_neurons=3)
    axes = neuron_axes(fig)
    assert len(axes) == 3 + 3 + 3
    assert sorted(i for l, i in axes if l == 1) == [0, 1, 2]
    assert len(weight_lines(fig)) == 3 * 3 + 3 * 3
    assert "+1 more" in texts(fig) and "+13 more" in texts(fig)
    default = texts(iris_fig)  # default cap: MAX_NEURONS = 12
    assert [t for t in default if t.endswith(" more")] == ["+4 more"]
    assert diagram.MAX_NEURONS == 12


def test_labels_title_and_legend(moons_fig, iris_fig):
    fig = iris_fig
    shown = texts(fig)
    for name in ["sl", "sw", "pl", "pw", "P(setosa)", "P(versicolor)", "P(virginica)"]:
        assert name in shown
    assert "Network [4, 16, 3]" in shown
    assert any("histogram" in t for t in shown)
    (legend,) = fig.legends
    labels = [t.get_text() for t in legend.get_texts()]
    assert labels == ["weight > 0", "weight < 0"]
    handles = getattr(legend, "legend_handles", None) or legend.legendHandles  # mpl < 3.7
    colours = [to_rgba(h.get_color()) for h in handles]
    assert colours == [to_rgba(POSITIVE), to_rgba(NEGATIVE)]

    shown = texts(moons_fig)
    assert "P(class 1)" in shown and "feature 1" in shown and "feature 2" in shown
    assert any("input plane" in t for t in shown)


def test_unfitted_network_is_drawn_with_its_initial_weights():
    net = barenet.Network([2, 3, 1], ["tanh", "sigmoid"], seed=0)
    fig = network(net, resolution=6)
    assert len(neuron_axes(fig)) == 6
    assert any("not fitted" in t for t in texts(fig))
    assert "output" in texts(fig)


def test_fitted_title_does_not_say_unfitted(moons_fig):
    assert not any("not fitted" in t for t in texts(moons_fig))


def test_renders_to_png(moons_fig, tmp_path):
    fig = moons_fig
    FigureCanvasAgg(fig)
    fig.savefig(tmp_path / "network.png", dpi=40)
    with open(tmp_path / "network.png", "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_drawing_changes_nothing_in_the_network(moons_net):
    net, X = moons_net
    before = np.array(net.parameters, copy=True)
    network(net, X, resolution=8)
    assert np.array_equal(net.parameters, before)


# ------------------------------------------------------- what neurons show


def test_2d_heatmaps_are_the_activations_over_the_window(moons_net):
    net, X = moons_net
    resolution = 15
    axes = neuron_axes(network(net, X, resolution=resolution))
    lo, hi = window_of(X)
    grid = input_grid(lo, hi, resolution)
    assert grid.shape == (resolution ** 2, 2)
    assert grid[:, 0].min() == pytest.approx(lo[0]) and grid[:, 1].max() == pytest.approx(hi[1])
    values = [grid] + [np.asarray(A, dtype=np.float64) for A in net.layer_outputs(grid)]
    for (l, i), ax in axes.items():
        (image,) = ax.images
        expected = values[l][:, i].reshape(resolution, resolution)
        np.testing.assert_allclose(np.asarray(image.get_array()), expected, rtol=1e-6)
        assert image.origin == "lower"
        x0, x1, y0, y1 = image.get_extent()
        assert x0 < X[:, 0].min() and x1 > X[:, 0].max()
        assert y0 < X[:, 1].min() and y1 > X[:, 1].max()
        assert x1 - x0 < (1 + 2 * MARGIN + 0.2) * np.ptp(X[:, 0])  # a small margin


def test_a_rising_input_reads_left_to_right_and_bottom_to_top(moons_net):
    net, X = moons_net
    axes = neuron_axes(network(net, X, resolution=5))
    x = np.asarray(axes[0, 0].images[0].get_array())
    y = np.asarray(axes[0, 1].images[0].get_array())
    assert np.all(np.diff(x, axis=1) > 0) and np.all(np.diff(x, axis=0) == 0)
    assert np.all(np.diff(y, axis=0) > 0) and np.all(np.diff(y, axis=1) == 0)


def test_heatmap_colour_scale_is_centred_on_the_layer_kind(moons_net):
    net, X = moons_net
    axes = neuron_axes(network(net, X, resolution=10))
    at_samples = [X] + [np.asarray(A, dtype=np.float64) for A in net.layer_outputs(X)]
    for (l, i), ax in axes.items():
        norm = ax.images[0].norm
        if l == 3:  # the sigmoid output, a probability: 0 to 1
            assert (norm.vmin, norm.vmax) == (0.0, 1.0)
            continue
        assert (norm.vmin + norm.vmax) / 2 == pytest.approx(0.0)
        # the scale spans the activations at the samples, exactly: the whole
        # column's for the inputs, each hidden neuron's own
        own = at_samples[l][:, i] if l in (1, 2) else at_samples[l]
        half = np.abs(own).max()
        assert norm.vmax == pytest.approx(half, rel=1e-12)
    # without X, the scale spans the plane's values
    for (l, i), ax in neuron_axes(network(net, resolution=10)).items():
        data = np.asarray(ax.images[0].get_array())
        assert ax.images[0].norm.vmin <= data.min() and data.max() <= ax.images[0].norm.vmax


def colour(image, value):
    """The RGB colour ``image`` draws ``value`` in."""
    return np.asarray(image.cmap(image.norm(value)))[:3]


def test_output_probabilities_are_drawn_in_the_class_colours(moons_net):
    """One sigmoid unit: P(class 1) as the animations colour the decision
    regions -- class 0's colour below 0.5, class 1's above, strongest at 0
    and 1, faintest at the boundary -- and the hidden neurons in the sign's
    colours, which are no class's."""
    net, X = moons_net
    fig = network(net, X, resolution=10)
    axes = neuron_axes(fig)
    (image,) = axes[3, 0].images
    np.testing.assert_allclose(colour(image, 0.0), region_shade(CLASS_COLORS[0], 1.0), atol=0.02)
    np.testing.assert_allclose(colour(image, 1.0), region_shade(CLASS_COLORS[1], 1.0), atol=0.02)
    np.testing.assert_allclose(colour(image, 0.49), region_shade(CLASS_COLORS[0], 0.0), atol=0.02)
    np.testing.assert_allclose(colour(image, 0.51), region_shade(CLASS_COLORS[1], 0.0), atol=0.02)
    # the other neurons: purple above the centre, brown below, as the weights
    (hidden,) = axes[1, 0].images
    assert hidden.cmap is CMAP
    np.testing.assert_allclose(CMAP(1.0)[:3], to_rgba(POSITIVE)[:3])
    np.testing.assert_allclose(CMAP(0.0)[:3], to_rgba(NEGATIVE)[:3])
    # the output's colour bar says what it shows
    bars = [ax for ax in fig.axes if ax.get_title() == "P(class 1)"]
    assert len(bars) == 1


def test_the_signs_colours_are_no_class_colours_and_the_legend_says_so(moons_fig):
    classes = {to_rgba(c)[:3] for c in CLASS_COLORS}
    assert to_rgba(POSITIVE)[:3] not in classes and to_rgba(NEGATIVE)[:3] not in classes
    for c in CLASS_COLORS:  # far from every class colour
        for sign in (POSITIVE, NEGATIVE):
            assert np.abs(np.subtract(to_rgba(c)[:3], to_rgba(sign)[:3])).sum() > 0.4
    (legend,) = moons_fig.legends
    title = legend.get_title().get_text()
    assert "sign" in title and "no class" in title


def test_several_outputs_are_each_in_its_class_colour():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = np.arange(60) % 3
    X += np.array([[0, 3], [3, -2], [-3, -2]])[y]
    net = barenet.Network([2, 4, 3], ["tanh", "softmax"], seed=0)
    net.fit(X, y, epochs=2)
    axes = neuron_axes(network(net, X, resolution=6))
    for k in range(3):
        (image,) = axes[2, k].images
        assert (image.norm.vmin, image.norm.vmax) == (0.0, 1.0)
        np.testing.assert_allclose(colour(image, 0.0), [1, 1, 1], atol=0.01)
        np.testing.assert_allclose(colour(image, 1.0), region_shade(CLASS_COLORS[k], 1.0),
                                   atol=0.01)


def test_a_regressors_output_is_on_the_signs_scale():
    X = np.random.default_rng(0).normal(size=(40, 2))
    net = barenet.Network([2, 3, 1], ["tanh", "linear"], seed=0)
    net.fit(X, X[:, 0], epochs=2)
    (image,) = neuron_axes(network(net, X, resolution=6))[2, 0].images
    assert image.cmap is CMAP
    assert (image.norm.vmin + image.norm.vmax) / 2 == pytest.approx(0.0)


def test_the_small_texts_are_readable(moons_fig):
    """Nothing under 7 points: the colour bars' titles are 8, their ticks 7."""
    for ax in moons_fig.axes:
        for text in [ax.title, *ax.get_xticklabels(), *ax.texts]:
            if text.get_text():
                assert text.get_fontsize() >= 7, text.get_text()
    titles = [ax.get_title() for ax in moons_fig.axes]
    assert titles.count("each neuron: its own max") == 2


def test_without_x_the_default_window(moons_net):
    net, _ = moons_net
    (image,) = neuron_axes(network(net, resolution=7))[2, 0].images
    x0, x1, y0, y1 = image.get_extent()
    half_cell = 6 / 6 / 2  # a width of 6 over 6 gaps, half of it
    assert (x0, x1, y0, y1) == pytest.approx((-3 - half_cell, 3 + half_cell,
                                              -3 - half_cell, 3 + half_cell))


def test_without_x_a_standardizing_network_uses_its_scale():
    rng = np.random.default_rng(1)
    X = rng.normal(loc=[10.0, -5.0], scale=[2.0, 0.5], size=(80, 2))
    y = (X[:, 0] > 10).astype(int)
    net = barenet.Network([2, 3, 1], ["tanh", "sigmoid"], seed=0, standardize=True)
    net.fit(X, y, epochs=1)
    (image,) = neuron_axes(network(net, resolution=2))[1, 0].images
    x0, x1, y0, y1 = image.get_extent()
    mean, scale = net.scaler_.mean_.ravel(), net.scaler_.scale_.ravel()
    assert (x0 + x1) / 2 == pytest.approx(mean[0], rel=1e-5)
    # mean +- 3 scale, and half a cell (of 6 scale, at resolution 2) each side
    assert y1 - y0 == pytest.approx(12 * scale[1], rel=1e-5)


def test_other_inputs_show_histograms_of_the_activations(iris_net, iris_fig):
    net, X = iris_net
    axes = neuron_axes(iris_fig)
    values = [X] + [np.asarray(A, dtype=np.float64) for A in net.layer_outputs(X)]
    for (l, i), ax in axes.items():
        assert not ax.images
        heights = [p.get_height() for p in ax.patches]
        counts, edges = np.histogram(values[l][:, i], bins=diagram.BINS)
        np.testing.assert_array_equal(heights, counts)
        assert [p.get_x() for p in ax.patches] == pytest.approx(edges[:-1])
        assert sum(heights) == len(X)


def test_other_inputs_without_x_draw_empty_neurons(iris_net):
    net, _ = iris_net
    fig = network(net)
    axes = neuron_axes(fig)
    assert len(axes) == 4 + 12 + 3
    assert all(not ax.images and not ax.patches for ax in axes.values())
    assert any("pass X" in t for t in texts(fig))


# ------------------------------------------------------------ bad arguments


@pytest.mark.parametrize("kwargs, name", [
    (dict(X=np.zeros((5, 3))), "X"),
    (dict(resolution=1), "resolution"),
    (dict(max_neurons=0), "max_neurons"),
    (dict(feature_names=["a"]), "feature_names"),
    (dict(feature_names="ab"), "feature_names"),
])
def test_bad_arguments_are_one_line_value_errors(moons_net, kwargs, name):
    net, _ = moons_net
    with pytest.raises(ValueError) as info:
        network(net, **kwargs)
    message = str(info.value)
    assert name in message and "\n" not in message


def test_not_a_network_is_a_type_error():
    with pytest.raises(TypeError, match="net must be a barenet.Network"):
        network(object())
