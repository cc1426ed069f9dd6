"""barenet.plot.paths and barenet.plot.surfaces: optimizer paths on 2-D test
functions and on a network's loss landscape.

The assertions read the figures' contents, not pixels: each path's Line2D
holds exactly the iterates of a fresh optimizer stepped here by hand, the
shaded mesh holds the surface's (or the network's) values at its own
coordinates, contours are drawn, an animation has steps + 1 frames."""

import copy
import gc

import matplotlib
import numpy as np
import pytest
from matplotlib.animation import FuncAnimation, PillowWriter
from matplotlib.colors import LogNorm, to_hex
from matplotlib.contour import ContourSet
from matplotlib.figure import Figure
from PIL import Image

import barenet
from barenet.plot._style import CURVE_STYLES, OPTIMIZER_COLORS
from barenet.plot.landscape import network_paths
from barenet.plot.paths import optimizer_paths
from barenet.model.recorders import Snapshots
from barenet.plot.surfaces import (Directions, Quadratic, Rosenbrock, loss_directions,
                                   loss_surface, project, walk, weight_views)

NAMES = {"GD": barenet.GD, "Momentum": barenet.Momentum, "RMSProp": barenet.RMSProp,
         "Adam": barenet.Adam}

# ----------------------------------------------------------------- helpers


def figure_text(fig):
    """The figure's own texts, its title among them (``Figure.get_suptitle``
    is matplotlib 3.8's)."""
    return " ".join(text.get_text() for text in fig.texts)


def stepped(optimizer, surface, start, steps):
    """The iterates of a fresh copy of ``optimizer`` stepped here directly:
    ``opt.step([p], [surface.gradient(p)])``."""
    opt = type(optimizer)(**optimizer.get_config())
    p = np.array(start, dtype=np.float64)
    points = [p.copy()]
    for _ in range(steps):
        opt.step([p], [surface.gradient(p)])
        points.append(p.copy())
    return np.array(points)


def panels(fig):
    return [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]


def path_lines(ax):
    """``{label: Line2D}`` of the paths (the lines with a label of their own)."""
    return {line.get_label(): line for line in ax.get_lines()
            if not line.get_label().startswith("_")
            and line.get_label() not in ("start", "minimum")
            and not line.get_label().startswith("final parameters")}


def xy(line):
    return np.column_stack([line.get_xdata(), line.get_ydata()]).astype(np.float64)


def shading_of(ax):
    """``(coords, values)`` of the shaded image: its pixels' centres, shape
    ``(rows, cols, 2)``, and its array, shape ``(rows, cols)``."""
    (image,) = ax.images
    values = np.ma.getdata(image.get_array())
    x0, x1, y0, y1 = image.get_extent()
    rows, cols = values.shape
    x = x0 + (np.arange(cols) + 0.5) * (x1 - x0) / cols
    y = y0 + (np.arange(rows) + 0.5) * (y1 - y0) / rows
    return np.stack(np.meshgrid(x, y), axis=-1), values


# a ContourSet is one artist from matplotlib 3.8 on; before, its levels are
# anonymous collections of the axes, and contours are not looked for
MPL_38 = tuple(int(part) for part in matplotlib.__version__.split(".")[:2]) >= (3, 8)


def contours_of(ax):
    return [c for c in ax.collections if isinstance(c, ContourSet)]


def loss_at(net, X, y, params):
    clone = copy.deepcopy(net)
    clone.flat.values[...] = params
    return clone.evaluate(X, y)["loss"]


# ----------------------------------------------------------- test functions


@pytest.mark.parametrize("surface", [Quadratic(), Quadratic(3, 0.5), Rosenbrock()])
def test_gradients_are_the_functions_derivatives(surface):
    rng = np.random.default_rng(0)
    for p in rng.uniform(-1.5, 1.5, size=(5, 2)):
        h = 1e-6
        numeric = [(surface.value(p + h * e) - surface.value(p - h * e)) / (2 * h)
                   for e in np.eye(2)]
        np.testing.assert_allclose(surface.gradient(p), numeric, rtol=1e-6, atol=1e-6)
    assert surface.value(surface.minimum) == 0
    np.testing.assert_array_equal(surface.gradient(surface.minimum), [0, 0])


def test_walk_is_direct_stepping_and_leaves_the_optimizer_alone():
    opt = barenet.Adam(lr=0.1)
    opt.step([np.zeros(3)], [np.ones(3)])  # a used optimizer, of other shapes
    points = walk(opt, "quadratic", start=(1.0, -2.0), steps=20)
    assert points.shape == (21, 2) and points.dtype == np.float64
    np.testing.assert_array_equal(points, stepped(opt, Quadratic(), (1.0, -2.0), 20))
    assert opt.t == 1 and opt.shapes[0][0] == (3,)
    default = walk(barenet.GD(lr=0.001), Rosenbrock())
    assert default.shape == (501, 2)
    np.testing.assert_array_equal(default[0], [-1.5, 2.0])


def test_a_diverging_walk_stops_where_it_stops_being_finite():
    # GD above 2/L = 0.1 on the quadratic multiplies y by -9 each step
    points = walk(barenet.GD(lr=0.5), "quadratic", steps=400)
    assert 300 < len(points) < 401 and np.isfinite(points).all()
    fig = optimizer_paths([barenet.GD(lr=0.5)], steps=400)
    (line,) = path_lines(panels(fig)[0]).values()
    np.testing.assert_array_equal(xy(line), points)


def test_default_paths_are_the_optimizers_iterates_on_both_surfaces():
    fig = optimizer_paths(surface=("quadratic", "rosenbrock"))
    assert isinstance(fig, Figure)
    assert "GD, Momentum, RMSProp and Adam" in figure_text(fig)
    quadratic_ax, rosenbrock_ax = panels(fig)
    for ax, surface in ((quadratic_ax, Quadratic()), (rosenbrock_ax, Rosenbrock())):
        lines = path_lines(ax)
        assert list(lines) == [f"{name} (lr={surface.rates[name]:g})" for name in NAMES]
        for (name, cls), line in zip(NAMES.items(), lines.values()):
            expected = stepped(cls(lr=surface.rates[name]), surface, surface.start,
                               surface.steps)
            np.testing.assert_array_equal(xy(line), expected)
        # told apart by colour (each optimizer's own, as in the comparison) and line style
        assert [to_hex(line.get_color()) for line in lines.values()] == \
            [OPTIMIZER_COLORS[name].lower() for name in NAMES]
        assert [line.get_linestyle() for line in lines.values()] == CURVE_STYLES[:4]
        # the minimum and the start are marked, the axes labelled
        (minimum,) = [line for line in ax.get_lines() if line.get_label() == "minimum"]
        np.testing.assert_array_equal(xy(minimum)[0], surface.minimum)
        (start,) = [line for line in ax.get_lines() if line.get_label() == "start"]
        np.testing.assert_array_equal(xy(start)[0], surface.start)
        assert (ax.get_xlabel(), ax.get_ylabel()) == ("x", "y")
        assert f"{surface.steps} steps" in ax.get_title()
        # contours and the shading: the function's values at the image's pixels
        if MPL_38:
            (contours,) = contours_of(ax)
            assert len(contours.levels) >= 10
            ratios = contours.levels[1:] / contours.levels[:-1]
            np.testing.assert_allclose(ratios, ratios[0])  # log-spaced
        coords, values = shading_of(ax)
        np.testing.assert_allclose(values, surface.value(np.moveaxis(coords, -1, 0)),
                                   rtol=1e-12)
    assert "condition number 20" in quadratic_ax.get_title()
    assert "Rosenbrock" in rosenbrock_ax.get_title()


def test_given_optimizers_keep_their_rates_and_stay_unchanged():
    opts = {"slow GD": barenet.GD(lr=0.001), "fast Adam": barenet.Adam(lr=0.2)}
    fig = optimizer_paths(opts, surface="rosenbrock", start=(0.5, -0.5), steps=15)
    lines = path_lines(panels(fig)[0])
    assert list(lines) == ["slow GD", "fast Adam"]
    for label, opt in opts.items():
        np.testing.assert_array_equal(xy(lines[label]),
                                      stepped(opt, Rosenbrock(), (0.5, -0.5), 15))
        assert opt.t == 0 and opt.state is None
    # a list of names and objects: names take the surface's tuned rate
    fig = optimizer_paths(["momentum", barenet.RMSProp(lr=0.05)], steps=5)
    assert list(path_lines(panels(fig)[0])) == ["Momentum (lr=0.1)", "RMSProp (lr=0.05)"]


class Bowl:
    """A surface of the user's: value and gradient only (value of one point)."""

    def value(self, p):
        return float((p[0] - 1) ** 2 + 4 * p[1] ** 2)

    def gradient(self, p):
        return np.array([2 * (p[0] - 1), 8 * p[1]])


def test_a_users_surface_gets_a_window_around_its_paths():
    fig = optimizer_paths(["gd", "adam"], surface=Bowl(), start=(-2, 1), steps=30)
    (ax,) = panels(fig)
    for line in path_lines(ax).values():
        P = xy(line)
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        assert x0 < P[:, 0].min() and P[:, 0].max() < x1
        assert y0 < P[:, 1].min() and P[:, 1].max() < y1
    coords, values = shading_of(ax)
    assert values[3, 5] == pytest.approx(Bowl().value(coords[3, 5]), rel=1e-12)
    assert (contours_of(ax) or not MPL_38) and ax.get_title() and ax.get_xlabel() == "x"


def test_animation_draws_the_paths_step_by_step(tmp_path):
    anim = optimizer_paths(surface=["quadratic"], steps=5, animate=True)
    assert isinstance(anim, FuncAnimation)
    assert len(list(anim.new_frame_seq())) == 6
    (ax,) = panels(anim._fig)
    lines = path_lines(ax)
    assert len(lines) == 4 and all(len(line.get_xdata()) == 1 for line in lines.values())
    anim.save(tmp_path / "paths.gif", writer=PillowWriter(fps=5), dpi=15)
    with Image.open(tmp_path / "paths.gif") as gif:
        assert gif.n_frames == 6
    surface = Quadratic()
    for (name, cls), line in zip(NAMES.items(), lines.values()):  # the last frame: all
        np.testing.assert_array_equal(
            xy(line), stepped(cls(lr=surface.rates[name]), surface, surface.start, 5))


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(surface="himmelblau"), ValueError, "surface"),
    (dict(surface=42), TypeError, "surface"),
    (dict(surface=[]), ValueError, "surface"),
    (dict(start=(1, 2, 3)), ValueError, "start"),
    (dict(start="ab"), TypeError, "start"),
    (dict(start=(0, np.nan)), ValueError, "start"),
    (dict(surface=Bowl()), ValueError, "start"),
    (dict(steps=0), ValueError, "steps"),
    (dict(steps=2.5), TypeError, "steps"),
    (dict(animate="yes"), TypeError, "animate"),
    (dict(optimizers=[]), ValueError, "optimizers"),
    (dict(optimizers=["sgd"]), ValueError, "optimizers"),
    (dict(optimizers=[0.1]), TypeError, "optimizers"),
    (dict(optimizers=5), TypeError, "optimizers"),
])
def test_bad_arguments_are_named(kwargs, error, words):
    with pytest.raises(error, match=words) as info:
        optimizer_paths(**kwargs)
    assert "\n" not in str(info.value)


# ------------------------------------------------------------- the network


def quadrants(m=120, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(int)


@pytest.fixture(scope="module")
def trained():
    """Two runs from the same start, their trajectories recorded every epoch."""
    X, y = quadrants()
    trajectories, nets = {}, {}
    for name, opt in (("GD", barenet.GD(lr=0.5)), ("Adam", barenet.Adam(lr=0.03))):
        net = barenet.Network([2, 8, 1], ["tanh", "sigmoid"], seed=0, dtype="float64")
        record = Snapshots()
        net.fit(X, y, optimizer=opt, epochs=12, batch_size=40, callbacks=[record])
        trajectories[name], nets[name] = [s.values for s in record.snapshots], net
    return nets["Adam"], X, y, trajectories


def test_a_recorder_is_taken_as_its_snapshots_parameter_vectors(trained):
    net, X, y, trajectories = trained
    X2, y2 = quadrants(60)
    other = barenet.Network([2, 8, 1], ["tanh", "sigmoid"], seed=0, dtype="float64")
    record = Snapshots()
    other.fit(X2, y2, epochs=3, batch_size=20, callbacks=[record])
    vectors = [s.values for s in record.snapshots]
    assert len(vectors) == 4
    np.testing.assert_array_equal(vectors[-1], other.flat.values)
    by_recorder = network_paths(other, X2, y2, {"run": record}, resolution=5)
    by_list = network_paths(other, X2, y2, {"run": vectors}, resolution=5)
    for got, want in zip(by_recorder.axes[0].get_lines(), by_list.axes[0].get_lines()):
        np.testing.assert_array_equal(got.get_xydata(), want.get_xydata())


def test_random_directions_are_filter_normalized(trained):
    net = trained[0]
    d = loss_directions(net, "random", seed=3)
    assert isinstance(d, Directions) and d.kind == "random"
    np.testing.assert_array_equal(d.center, net.flat.values)
    in_weights = np.zeros_like(d.center)
    for view in weight_views(net, in_weights):
        view[...] = 1
    for direction in (d.d1, d.d2):
        for D, W in zip(weight_views(net, direction), net.flat.weights):
            np.testing.assert_allclose(np.linalg.norm(D, axis=1), np.linalg.norm(W, axis=1),
                                       rtol=1e-12)
        assert np.all(direction[in_weights == 0] == 0)  # biases get 0
    assert not np.allclose(d.d1, d.d2)
    np.testing.assert_array_equal(loss_directions(net, "random", seed=3).d1, d.d1)
    assert not np.allclose(loss_directions(net, "random", seed=4).d1, d.d1)


def test_pca_directions_are_orthonormal_and_reproduce_the_trajectory(trained):
    net, _, _, trajectories = trained
    d = loss_directions(net, "pca", trajectory=trajectories)
    D = np.stack([d.d1, d.d2])
    np.testing.assert_allclose(D @ D.T, np.eye(2), atol=1e-12)
    assert 0 < d.explained[1] <= d.explained[0] and sum(d.explained) <= 1 + 1e-12
    adam = np.array(trajectories["Adam"])
    coords = project(d, adam)
    np.testing.assert_allclose(coords, (adam - d.center) @ D.T, atol=1e-12)
    np.testing.assert_allclose(coords[-1], [0, 0], atol=1e-12)  # the end is the centre
    assert np.all(project(d, trajectories["GD"][:1]) <= 0)  # the pooled first point
    # a trajectory inside a plane: its coordinates give its points back
    rng = np.random.default_rng(1)
    basis = np.linalg.qr(rng.normal(size=(d.center.size, 2)))[0].T
    points = d.center + rng.normal(size=(9, 2)) @ basis
    plane = loss_directions(net, "pca", trajectory=list(points))
    coords = project(plane, points)
    np.testing.assert_allclose(plane.center + coords @ np.stack([plane.d1, plane.d2]), points,
                               atol=1e-12)
    np.testing.assert_allclose(sum(plane.explained), 1)


def test_the_loss_grid_is_the_networks_loss_at_its_points(trained):
    net, X, y, _ = trained
    before = net.flat.values.copy()
    d = loss_directions(net, "random", seed=0)
    grid = loss_surface(net, X, y, d, span=0.5, resolution=5)
    assert grid.loss.shape == (5, 5)
    np.testing.assert_array_equal(net.flat.values, before)  # the network is untouched
    for i, j in ((0, 0), (1, 3), (4, 2), (2, 2)):
        params = d.center + grid.a[j] * d.d1 + grid.b[i] * d.d2
        assert grid.loss[i, j] == pytest.approx(loss_at(net, X, y, params), rel=1e-12)
    assert grid.loss[2, 2] == pytest.approx(net.evaluate(X, y)["loss"], rel=1e-12)
    # with L2 the grid is the training objective: the loss plus l2 / (2 m) * sum W^2
    penalized = copy.deepcopy(net)
    penalized.l2 = 0.3
    grid = loss_surface(penalized, X, y, d, span=0.5, resolution=3)
    penalty = 0.3 / (2 * len(X)) * sum(float(np.sum(W ** 2)) for W in net.flat.weights)
    assert grid.loss[1, 1] == pytest.approx(net.evaluate(X, y)["loss"] + penalty, rel=1e-12)
    wide = loss_surface(net, X, y, d, span=((-1, 0), (2, 3)), resolution=3)
    np.testing.assert_array_equal(wide.a, [-1, -0.5, 0])
    np.testing.assert_array_equal(wide.b, [2, 2.5, 3])


def test_network_paths_draws_the_projected_trajectories_over_the_loss(trained):
    net, X, y, trajectories = trained
    fig = network_paths(net, X, y, trajectories, resolution=9)
    (ax,) = panels(fig)
    d = loss_directions(net, "pca", trajectory=trajectories)
    lines = path_lines(ax)
    assert list(lines) == ["GD", "Adam"]
    for label, line in lines.items():
        np.testing.assert_allclose(xy(line), project(d, trajectories[label]), atol=1e-12)
    coords, values = shading_of(ax)
    assert values.shape == (9, 9)
    for i, j in ((0, 0), (3, 7), (8, 4)):
        a, b = coords[i, j]
        params = d.center + a * d.d1 + b * d.d2
        assert values[i, j] == pytest.approx(loss_at(net, X, y, params), rel=1e-9)
    assert contours_of(ax) or not MPL_38
    assert ax.get_xlabel().startswith("PC 1: ") and ax.get_ylabel().startswith("PC 2: ")
    assert "principal directions" in figure_text(fig)
    # the loss on a log scale, and the picture says what the shading is
    (image,) = ax.images
    assert isinstance(image.norm, LogNorm)
    assert "shading: the loss on the plane through Adam's final parameters" in ax.get_title()
    assert "the other runs' ends among them" in ax.get_title()
    assert [to_hex(line.get_color()) for line in lines.values()] == \
        [OPTIMIZER_COLORS[name].lower() for name in lines]
    random = panels(network_paths(net, X, y, {"Adam": trajectories["Adam"]}, kind="random",
                                  resolution=5))[0]
    assert random.get_xlabel() == "filter-normalized random direction 1"
    x0, x1 = random.get_xlim()
    assert x0 <= -1 and x1 >= 1  # at least [-1, 1] along random directions


def test_network_paths_names_the_paths_that_coincide(trained):
    net, X, y, trajectories = trained
    twin = [p + 1e-9 for p in trajectories["GD"]]  # drawn on top of GD's
    fig = network_paths(net, X, y, {"GD": trajectories["GD"], "Momentum": twin,
                                    "Adam": trajectories["Adam"]}, resolution=5)
    title = panels(fig)[0].get_title()
    assert "GD and Momentum coincide (every point within 1% of the window)" in title
    assert "Adam" not in title.split("\n")[-1]
    # a pair that parts: named with how far it coincides, by epoch for recorders
    parted = [p.copy() for p in trajectories["GD"]]
    for p in parted[6:]:
        p += 5.0
    fig = network_paths(net, X, y, {"GD": trajectories["GD"], "Momentum": parted,
                                    "Adam": trajectories["Adam"]}, resolution=5)
    assert "GD and Momentum coincide over their first 6 points" in panels(fig)[0].get_title()
    fig = network_paths(net, X, y, trajectories, resolution=5)
    assert "coincide" not in panels(fig)[0].get_title()


def test_coinciding_paths_by_epoch():
    from barenet.plot.landscape import _coinciding_paths

    a = np.c_[np.arange(10.0), np.zeros(10)]
    b = a.copy()
    b[4:, 1] = 3.0
    epochs = list(range(0, 100, 10))
    window = ((0.0, 10.0), (0.0, 10.0))
    assert _coinciding_paths({"GD": (a, epochs), "Momentum": (b, epochs)}, window) == \
        ["GD and Momentum coincide up to epoch 30"]
    assert _coinciding_paths({"GD": (a, None), "Momentum": (a + 0.05, None),
                              "RMSProp": (a + 0.09, None)}, window) == \
        ["GD, Momentum and RMSProp coincide (every point within 1% of the window)"]
    assert _coinciding_paths({"GD": (a, None), "Adam": (a + 0.5, None)}, window) == []


def test_network_paths_animates_and_handles_batch_norm(trained):
    _, X, y, trajectories = trained
    anim = network_paths(trained[0], X, y, trajectories, resolution=5, animate=True)
    assert len(list(anim.new_frame_seq())) == len(trajectories["Adam"])
    with pytest.warns(UserWarning, match="deleted without rendering"):  # never shown
        del anim
        gc.collect()
    net = barenet.Network([2, 6, 6, 1], ["relu", "relu", "sigmoid"], batch_norm=True, seed=0)
    record = Snapshots()
    net.fit(X, y, epochs=4, batch_size=30, callbacks=[record])
    d = loss_directions(net, "random")
    in_weights = np.zeros_like(d.center)
    for view in weight_views(net, in_weights):
        view[...] = 1
    assert np.all(d.d1[in_weights == 0] == 0)  # biases, gammas and betas get 0
    grid = loss_surface(net, X, y, d, span=1.0, resolution=3)
    assert grid.loss[1, 1] == pytest.approx(net.evaluate(X, y)["loss"], rel=1e-6)
    assert isinstance(network_paths(net, X, y, record, resolution=5), Figure)


@pytest.mark.parametrize("change, error, words", [
    (dict(net=object()), TypeError, "net"),
    (dict(kind="hessian"), ValueError, "kind"),
    (dict(trajectories={}), ValueError, "trajectories"),
    (dict(trajectories={"GD": [np.zeros(3)]}), ValueError, "trajectories\\['GD'\\]"),
    (dict(trajectories={"GD": ["a", "b"]}), TypeError, "trajectories"),
    (dict(span=-1.0), ValueError, "span"),
    (dict(span="wide"), TypeError, "span"),
    (dict(span=((1, 0), (0, 1))), ValueError, "span"),
    (dict(resolution=1), ValueError, "resolution"),
    (dict(seed=-1), ValueError, "seed"),
    (dict(animate=1), TypeError, "animate"),
    (dict(title=3), TypeError, "title"),
    (dict(X=np.zeros((5, 3))), ValueError, "X"),
    (dict(y=np.zeros(7)), ValueError, "y"),
])
def test_bad_network_arguments_are_named(trained, change, error, words):
    net, X, y, trajectories = trained
    kwargs = dict(net=net, X=X, y=y, trajectories=trajectories) | change
    with pytest.raises(error, match=words) as info:
        network_paths(**kwargs)
    assert "\n" not in str(info.value)


def test_direction_arguments_are_checked(trained):
    net, X, y, trajectories = trained
    with pytest.raises(ValueError, match="trajectory"):
        loss_directions(net, "pca")
    with pytest.raises(ValueError, match="trajectory"):
        loss_directions(net, "random", trajectory=trajectories)
    with pytest.raises(ValueError, match="trajectory"):
        loss_directions(net, "pca", trajectory=[net.flat.values, net.flat.values])
    with pytest.raises(TypeError, match="directions"):
        loss_surface(net, X, y, (1, 2))
