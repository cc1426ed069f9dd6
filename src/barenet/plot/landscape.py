"""A network's training trajectories over its loss landscape:
[`network_paths`][barenet.plot.landscape.network_paths] projects the
parameters a [`Snapshots`][barenet.model.recorders.Snapshots] recorder kept on
a plane of the parameter space through one run's final parameters, and
draws them over the loss on that plane (Li et al. 2018, "Visualizing the
Loss Landscape of Neural Nets", NeurIPS), as
[`barenet.plot.paths`][barenet.plot.paths] draws optimizers on classic
surfaces.
"""

import numpy as np
from matplotlib.figure import Figure

from .._checks import check_bool, check_int
from ..model.recorders import Snapshots
from .paths import _and, _animate, _draw_paths, _draw_surface, _legend, _mark
from .surfaces import _check_network, _points, _window, loss_directions, loss_surface, project


def _trajectories(trajectories, n):
    """``{label: (k, n) float64 array}`` from a dict or one sequence."""
    if not isinstance(trajectories, dict):
        trajectories = {"trajectory": trajectories}
    if not trajectories:
        raise ValueError("trajectories is empty: nothing to draw")
    return {str(label): _points(f"trajectories[{label!r}]", _vectors(points), n)
            for label, points in trajectories.items()}


def _vectors(points):
    """A recorder's parameter vectors in order; anything else as it is."""
    if isinstance(points, Snapshots):
        return [snapshot.values for snapshot in points.snapshots]
    return points


def _epochs(trajectories):
    """``{label: epochs or None}``: the epoch of each point, for trajectories
    given as a Snapshots recorder."""
    if not isinstance(trajectories, dict):
        trajectories = {"trajectory": trajectories}
    return {str(label): list(points.epochs) if isinstance(points, Snapshots) else None
            for label, points in trajectories.items()}


# Two paths drawn closer than this share of the window's larger side, point by
# point, are drawn on top of each other: the title names them.
PATH_RTOL = 0.01


def _coinciding_paths(paths, window, rtol=PATH_RTOL):
    """The paths that coincide on the picture, as sentences for its title.

    ``paths`` is ``{label: (points, epochs)}``, the ``(k, 2)`` points drawn
    and their epochs (or None), in the order drawn; ``window`` is
    ``((a_lo, a_hi), (b_lo, b_hi))``. Two paths coincide at a point when
    their i-th points are within ``rtol`` of the window's larger side: at 1%
    their lines and markers are drawn on top of each other. Paths of the
    same length that coincide at every point form groups (connected
    components), named as ``'GD and Momentum coincide (every point within
    1% of the window)'``; a pair that coincides over its first points only
    (at least 3, and a tenth of the shorter path) as ``'GD and Momentum
    coincide up to epoch 120'`` (or ``over their first 30 points`` without
    epochs). Empty when no paths coincide.
    """
    (a0, a1), (b0, b1) = window
    tol = rtol * max(a1 - a0, b1 - b0)
    labels = list(paths)
    points = [np.asarray(paths[label][0]) for label in labels]
    epochs = [paths[label][1] for label in labels]
    group, partial = list(range(len(labels))), []
    for j in range(len(labels)):
        for i in range(j):
            n = min(len(points[i]), len(points[j]))
            close = np.linalg.norm(points[i][:n] - points[j][:n], axis=1) <= tol
            k = n if close.all() else int(np.argmin(close))  # the first points that coincide
            if k == n and len(points[i]) == len(points[j]):
                old, new = max(group[i], group[j]), min(group[i], group[j])
                group = [new if g == old else g for g in group]
            elif k >= max(3, n // 10):
                where = (f"up to epoch {epochs[i][k - 1]}"
                         if epochs[i] is not None and epochs[i][:k] == (epochs[j] or [])[:k]
                         else f"over their first {k} points")
                partial.append(f"{labels[i]} and {labels[j]} coincide {where}")
    whole = [[label for label, g in zip(labels, group) if g == first]
             for first in sorted(set(group))]
    sentences = [f"{_and(members)} coincide (every point within {rtol:.0%} of the window)"
                 for members in whole if len(members) > 1]
    return sentences + partial


def _network_window(coords, kind):
    """A window around the projected paths and the center (and, for random
    directions, at least [-1, 1] on both axes)."""
    points = np.concatenate(list(coords.values()) + [np.zeros((1, 2))])
    lo, hi = points.min(axis=0), points.max(axis=0)
    if kind == "random":
        lo, hi = np.minimum(lo, -1.0), np.maximum(hi, 1.0)
    width = np.maximum(hi - lo, 0.1 * (hi - lo).max())
    middle = (hi + lo) / 2
    return tuple(zip(middle - 0.6 * width, middle + 0.6 * width))


def network_paths(net, X, y, trajectories, kind="pca", span=None, resolution=41, seed=0,
                  animate=False, title=None):
    """Training trajectories over a network's loss landscape (Li et al. 2018).

    The plane goes through the network's parameters ``theta*``
    (``net.flat.values``: the end of training) along two directions
    ([`loss_directions`][barenet.plot.surfaces.loss_directions]): with ``kind='pca'`` the
    first two principal directions of all the trajectories' points (pooled)
    around ``theta*``; with ``kind='random'`` two filter-normalized random
    directions (seeded by ``seed``). The shading and contour lines are the
    training objective at ``theta* + a d1 + b d2`` on a ``resolution x
    resolution`` grid ([`loss_surface`][barenet.plot.surfaces.loss_surface]), on a log
    scale (as the optimizer paths' Rosenbrock valley); each trajectory is
    drawn through its points' coordinates ``(a, b)`` on the plane
    ([`project`][barenet.plot.surfaces.project]), its colour its optimizer's
    (``OPTIMIZER_COLORS``) when its label names one. The paths' points lie
    off the plane by what the two directions leave out (the axis labels say
    how much of the trajectories' spread PCA holds), so their loss is not
    the contour's.

    The figure says so over the axes: which run's end ``theta*`` is (the
    trajectory whose last point it is), and that the points lie off the
    plane -- the other runs' ends too. Paths drawn on top of each other
    (every point within 1% of the window, as GD and Momentum from the same
    start at a small rate often are) are named there too, or, when they
    part, up to which epoch (for recorders) or point they coincide.

    Parameters
    ----------
    net : Network
        The trained network (a NumPy one, or any: a copy is moved to NumPy).
    X, y : arrays
        The data the loss is computed on, as ``net.evaluate`` takes them.
    trajectories : dict or sequence
        ``{label: points}`` or one ``points``: a sequence of flat parameter
        vectors (each of the length of ``net.flat.values``) or a
        [`Snapshots`][barenet.model.recorders.Snapshots] recorder of the run,
        whose snapshots' ``values`` are taken in order.
    kind : {'pca', 'random'}, default 'pca'
    span : float or ((a_lo, a_hi), (b_lo, b_hi)), optional
        The window: half-width of a square around ``theta*`` or the ranges;
        default the paths' extent plus 10% each side, at least [-1, 1] for ``'random'``.
    resolution : int >= 2, default 41
    seed : int, default 0
    animate : bool, default False
        Return a ``FuncAnimation`` whose frame ``k`` shows each path's points
        ``0 .. k`` (as many frames as the longest path has points).
    title : str, optional
        Replaces the default title, over the figure; the notes over the axes stay.
    """
    net = _check_network(net)
    if kind not in ("random", "pca"):
        raise ValueError(f"kind must be 'random' or 'pca', got {kind!r}")
    paths = _trajectories(trajectories, int(np.size(net.flat.values)))
    window = None if span is None else _window(span)
    resolution = check_int("resolution", resolution, 2)
    seed = check_int("seed", seed, 0)
    animate = check_bool("animate", animate)
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a string, got {title!r}")
    net.encode(y, net.prepare(X).shape[0])  # checks the data before any work

    directions = loss_directions(net, kind, paths if kind == "pca" else None, seed)
    coords = {label: project(directions, P) for label, P in paths.items()}
    window = window or _network_window(coords, kind)
    grid = loss_surface(net, X, y, directions, window, resolution)
    epochs = _epochs(trajectories)
    # the run whose last point is the centre: the plane goes through its end
    owner = next((label for label, P in paths.items()
                  if np.allclose(P[-1], directions.center, rtol=0, atol=1e-12)), None)
    notes = [_plane_note(owner, len(paths))]
    notes += _coinciding_paths({label: (c, epochs[label]) for label, c in coords.items()},
                              (tuple(grid.a[[0, -1]]), tuple(grid.b[[0, -1]])))
    fig = Figure(figsize=(7, 6.6), layout="constrained")
    drawn = _draw_network(fig.subplots(), grid, coords, directions, title, notes,
                          bool(getattr(net, "l2", 0)))
    if animate:
        return _animate(fig, drawn, list(coords.values()), max(map(len, coords.values())))
    return fig


def _plane_note(owner, runs):
    """What the shading is, and that the paths are off it: the plane goes
    through the end of the run ``owner`` (None: through the network's
    parameters, the end of none of the ``runs``)."""
    through = (f"{owner}'s final parameters θ*" if owner is not None and runs > 1
               else "the final parameters θ*" if owner is not None
               else "the network's parameters θ*")
    if runs == 1:
        off = "the path is projected onto it: its points" + (" but θ*" if owner else "")
    elif owner is not None:
        off = "the paths are projected onto it: their points, the other runs' ends among them,"
    else:
        off = "the paths are projected onto it: their points"
    return f"shading: the loss on the plane through {through}\n{off} lie off the plane"


def _draw_network(ax, grid, coords, directions, title, notes, l2):
    """The loss on the plane (log scale), the projected paths, the centre,
    the labels; the title over the figure, ``notes`` (lines) over the axes.
    Returns `_draw_paths`'s ``(lines, heads)``."""
    _draw_surface(ax, grid.a, grid.b, grid.loss,
                  "training loss + L2 penalty" if l2 else "training loss", log=True)
    drawn = _draw_paths(ax, coords)
    _mark(ax, (0, 0), "final parameters θ*")
    ax.set_xlim(grid.a[0], grid.a[-1])
    ax.set_ylim(grid.b[0], grid.b[-1])
    pca = directions.kind == "pca"
    for i, setter in enumerate((ax.set_xlabel, ax.set_ylabel)):
        setter(f"PC {i + 1}: {directions.explained[i]:.0%} of the paths' spread" if pca
               else f"filter-normalized random direction {i + 1}")
    plane = ("the trajectories' first two principal directions" if pca else
             "two filter-normalized random directions (Li et al. 2018)")
    ax.figure.suptitle(title or f"Training loss around the final parameters θ*,\non the "
                                f"plane of {plane}", fontsize="medium")
    ax.set_title("\n".join(notes), fontsize="small")
    _legend(ax)
    return drawn
