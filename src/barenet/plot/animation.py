"""Training as a film, from the snapshots a [`Snapshots`][barenet.model.recorders.Snapshots]
recorder kept during ``fit``:

- [`animate`][barenet.plot.animation.animate] -- one run's decision boundary beside its
  learning curves;
- [`animate_comparison`][barenet.plot.animation.animate_comparison] -- runs from the same
  start side by side, as ``barenet compare`` trains them;
- [`save_animation`][barenet.plot.frames.save_animation] -- a GIF, or an MP4 where ffmpeg
  is installed ([`barenet.plot.frames`][barenet.plot.frames], with the
  [`TrainingAnimation`][barenet.plot.frames.TrainingAnimation] both functions return).

In a notebook, ``IPython.display.HTML(anim.to_jshtml())`` plays one.

Each boundary's grid is made once; a frame writes its snapshot into one copy of
the network, scores the grid and redraws only what changed.
"""

import bisect

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from .._checks import check_int, check_positive
from ..model.recorders import Snapshots
from ._style import (CLASS_COLORS, TRAINING_STYLE, VALIDATION_STYLE, _check_text, artists_of,
                     curve_axis, data_window, figure_text, finite_values, plane, region_shade)
from .boundary import _check_points, _class_index, _class_scores, _feature_names, _margins
from .curves import _curve_style
from .frames import TrainingAnimation, save_animation

__all__ = ["animate", "animate_comparison", "save_animation", "TrainingAnimation"]

# Shades of each class colour in a region's colormap (`region_shade`).
SHADES = 64


def _region_colormap(colors):
    """The colour of ``k + m`` (class ``k``, margin ``m`` in [0, 1)): class
    ``k``'s colour over white, from FAINT at ``m = 0`` to FAINT + RAMP
    (``region_shade``)."""
    return ListedColormap([region_shade(color, t) for color in colors
                           for t in (np.arange(SHADES) + 0.5) / SHADES])


class _Boundary:
    """The decision regions of a network over one grid on ``ax``, redrawn
    per frame: the image holds ``k + m`` per grid point, ``k`` the index of
    the predicted class and ``m`` its margin over the runner-up (`_margins`,
    below 1), so that the colour fades towards the boundary; the boundary
    itself is the black zero line of the margins."""

    def __init__(self, ax, net, X, y, resolution, feature_names):
        lo, hi = data_window(X)
        self.xx, self.yy = plane(lo, hi, resolution)
        self.points = np.c_[self.xx.ravel(), self.yy.ravel()]
        self.ax, self.y, self.lines = ax, y, []
        classes, _ = _class_scores(net, self.points[:1], [y])
        colors = [CLASS_COLORS[i % len(CLASS_COLORS)] for i in range(len(classes))]
        self.image = ax.imshow(np.zeros(self.xx.shape), origin="lower", aspect="auto",
                               extent=(lo[0], hi[0], lo[1], hi[1]), interpolation="nearest",
                               cmap=_region_colormap(colors), vmin=0, vmax=len(classes))
        index = _class_index("y", y, classes)
        # one marker line per class: stamped faster than a scatter's collection
        self.marks = [ax.plot(*X[index == i].T, "o", color=color, markersize=3.6, zorder=2,
                              markeredgecolor="k", markeredgewidth=0.3)[0]
                      for i, color in enumerate(colors)]
        ax.set(xlim=(lo[0], hi[0]), ylim=(lo[1], hi[1]))
        ax.set_xlabel(_feature_names(feature_names)[0])
        ax.set_ylabel(_feature_names(feature_names)[1])

    def update(self, net):
        """Score the grid with ``net`` and redraw the regions and boundary;
        returns the artists that changed, in the order to draw them."""
        _, scores = _class_scores(net, self.points, [self.y])
        margins = _margins(scores)
        best = scores.argmax(axis=1)
        levels = best + np.minimum(margins[np.arange(len(best)), best], 1 - 0.5 / SHADES)
        self.image.set_data(levels.reshape(self.xx.shape))
        for lines in self.lines:
            lines.remove()
        self.lines = []
        # every boundary separates two classes, one of them not classes[0], so
        # the zero lines of the margins of classes[1:] draw each boundary once
        for k in range(1, margins.shape[1]):
            f = margins[:, k].reshape(self.xx.shape)
            if f.min() <= 0 < f.max():  # a tie (f = 0) predicts the first class
                self.lines += artists_of(self.ax.contour(self.xx, self.yy, f, levels=[0],
                                                         colors="k", linewidths=1.0, zorder=1))
        return [self.image, *self.lines, *self.marks, *self.ax.spines.values()]


def _check_recorder(name, recorder):
    """``(network to draw into, recorder)`` for a Snapshots that recorded a run."""
    if not isinstance(recorder, Snapshots):
        raise TypeError(f"{name} must be a Snapshots recorder passed to fit, got "
                        f"{type(recorder).__name__}")
    if not len(recorder) or recorder.history is None:
        raise ValueError(f"{name} holds no snapshots: the network was not fitted with it "
                         "(net.fit(X, y, callbacks=[recorder]))")
    net = recorder.network_at(0)
    if net.task == "regression":
        raise ValueError(f"{name} recorded a regressor; decision boundaries need a classifier")
    return net, recorder


def _series(figures, key, epoch):
    """``(epochs, values)`` of a History list at ``epoch``: a ``'val_'`` list
    shorter than ``'loss'`` covers the last epochs."""
    values = figures.get(key, [])
    return np.arange(epoch - len(values) + 1, epoch + 1), values


def _limits(ax, key, values, epochs):
    """Fixed axes for the whole run: epochs 0 .. ``epochs`` (and 2% more, for
    the dot at the last); for History figure ``key`` the y axis of
    [`learning_curves`][barenet.plot.curves.learning_curves] (the loss on a log
    scale over ``values`` when they are positive, accuracy on 0 .. 1), else
    the values' range and 5% more each side."""
    finite = finite_values(values)
    ax.set_xlim(0, 1.02 * max(epochs, 1))
    curve_axis(ax, key, finite)
    if ax.get_yscale() == "linear" and key not in ("accuracy", "val_accuracy"):
        lo, hi = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
        pad = 0.05 * (hi - lo) if hi > lo else 0.05
        ax.set_ylim(lo - pad, hi + pad)
    ax.set_xlabel("epoch")
    ax.grid(alpha=0.3, which="both")


def _curve_panels(axes, recorder, metric, labels):
    """Lines on ``axes`` (loss, then the metric; training solid near-black,
    validation dashed grey: not the class colours; ``labels`` their names,
    ``(training, validation)``) redrawn to the frame's
    epoch, and one legend above them; returns ``draw(index)`` for snapshot
    ``index``, which returns the figures up to its epoch and the artists
    it changed."""
    final = recorder.figures(-1)
    keys = [k for k in ("loss", metric) if final.get(k)]
    artists = []
    for ax, key in zip(axes, keys):
        pairs = [(key, labels[0], TRAINING_STYLE)]
        if final.get("val_" + key):
            pairs.append(("val_" + key, labels[1], VALIDATION_STYLE))
        _limits(ax, key, [v for k, *_ in pairs for v in final[k]], recorder.epochs[-1])
        ax.set_ylabel(key)
        for k, label, style in pairs:
            line, = ax.plot([], [], label=label, linewidth=1.2, **style)
            dot, = ax.plot([], [], "o", color=style["color"], markersize=6,
                           markeredgecolor="k", markeredgewidth=0.5)
            artists.append((k, line, dot))
    if keys:
        axes[0].legend(loc="lower right", bbox_to_anchor=(1, 1), ncols=2, fontsize="small",
                       frameon=False, borderaxespad=0.2)

    def draw(index):
        epoch, figures = recorder.epochs[index], recorder.figures(index)
        for k, line, dot in artists:
            x, values = _series(figures, k, epoch)
            line.set_data(x, values)
            dot.set_data(x[-1:], values[-1:])
        return figures, [a for _, line, dot in artists for a in (line, dot)]
    return draw


def animate(recorder, X, y, resolution=120, *, title=None, feature_names=None, fps=10,
            validation_label="validation", training_label="training"):
    """The decision boundary of a network at each recorded snapshot, beside
    its learning curves drawn up to that epoch.

    One frame per snapshot of ``recorder``: on the left, the regions each
    class is predicted in over the 2-D plane of ``X`` (coloured stronger
    where the network is surer: by the margin of the predicted class's
    probability over the runner-up's), the boundary in black and the points
    of ``(X, y)``; on the right, the loss (log scale) and the metric per
    epoch up to the frame's epoch (accuracy on 0 .. 1), with a dot at that
    epoch, in the styles of [`learning_curves`][barenet.plot.curves.learning_curves].
    The axes span the whole run from the first frame, so nothing moves but
    the curves. The title gives the epoch and the frame's training figures
    with 4 decimals, as the command line prints them (``loss 0.0625,
    accuracy 0.9700``).

    ``recorder`` is a [`Snapshots`][barenet.model.recorders.Snapshots] passed to a
    classifier's ``fit``; ``X`` (shape ``(n_samples, 2)``) and ``y`` (shape
    ``(n_samples,)``) the points drawn, coloured by label; ``resolution`` the
    grid points per axis (>= 2); ``title`` goes before the epoch in the
    figure's title; ``feature_names`` labels the axes; ``fps`` is the frames
    a second when played; ``validation_label`` names the ``'val_'`` curves
    and ``training_label`` the training ones (with L2 regularization the
    History's ``'loss'`` is the loss plus the penalty, the ``'val_loss'``
    the plain loss: say so, e.g. ``'training (loss + L2 penalty)'``). The
    saved GIF holds its last frame ([`save_animation`][barenet.plot.frames.save_animation]).

    Returns a [`TrainingAnimation`][barenet.plot.frames.TrainingAnimation] of
    ``len(recorder)`` frames, frame ``i`` at epoch ``recorder.epochs[i]``.
    """
    net, recorder = _check_recorder("recorder", recorder)
    X, y = _check_points("X", X, "y", y)
    resolution = check_int("resolution", resolution, minimum=2)
    fps = check_positive("fps", fps)
    fig = Figure(figsize=(10, 4.6), layout="constrained")
    grid = fig.add_gridspec(2, 2, width_ratios=(1.05, 1))
    boundary = _Boundary(fig.add_subplot(grid[:, 0]), net, X, y, resolution, feature_names)
    labels = (_check_text("training_label", training_label),
              _check_text("validation_label", validation_label))
    curves = _curve_panels([fig.add_subplot(grid[0, 1]), fig.add_subplot(grid[1, 1])],
                           recorder, net.metric_name, labels)
    heading = fig.suptitle("")
    last = recorder.epochs[-1]

    def update(i):
        epoch = recorder.epochs[i]
        changed = boundary.update(recorder.network_at(i, into=net))
        figures, lines = curves(i)
        done = "" if epoch else " (the start)"
        scores = ", ".join(f"{k} {figure_text(figures[k][-1])}" for k in ("loss", net.metric_name)
                           if figures.get(k))
        heading.set_text(f"{title + ': ' if title else ''}epoch {epoch} of {last}{done}"
                         f"{'  -  ' + scores if scores else ''}")
        return changed + lines + [heading]
    return TrainingAnimation(fig, update, recorder.epochs, fps)


def _runs(runs):
    """``{name: (network to draw into, recorder)}`` from ``animate_comparison``'s ``runs``."""
    if not isinstance(runs, dict) or not runs:
        raise ValueError("runs must be a non-empty dict {name: recorder or (network, recorder)}")
    checked = {}
    for name, run in runs.items():
        label = f"runs[{name!r}]"
        if isinstance(run, tuple) and len(run) == 2:
            if getattr(run[0], "history_", None) is None:
                raise ValueError(f"{label}: the network has not been fitted")
            run = run[1]
        checked[str(name)] = _check_recorder(label, run)
    return checked


def animate_comparison(runs, X, y, resolution=80, *, title=None, feature_names=None, fps=10):
    """Runs from the same start side by side, epoch by epoch: one decision
    boundary per run on the top row, and every run's training loss on one
    shared panel below (log scale, the styles of
    [`optimizer_comparison`][barenet.plot.curves.optimizer_comparison]), each drawn up to
    the frame's epoch with a dot there.

    The frames are the union of the runs' snapshot epochs, in order; at each,
    a run shows its last snapshot at or before that epoch (a run that stopped
    early stays at its last epoch). Runs recorded alike (same ``every``,
    ``max_snapshots`` and epochs) share every frame.

    ``runs`` is ``{name: recorder}`` or ``{name: (network, recorder)}``, in
    the order to show, each a [`Snapshots`][barenet.model.recorders.Snapshots] passed
    to its run's ``fit``; the other arguments are
    [`animate`][barenet.plot.animation.animate]'s (``resolution`` per boundary).
    """
    runs = _runs(runs)
    X, y = _check_points("X", X, "y", y)
    resolution = check_int("resolution", resolution, minimum=2)
    fps = check_positive("fps", fps)
    n = len(runs)
    fig = Figure(figsize=(3.6 * max(n, 2), 7.2), dpi=80, layout="constrained")  # a smaller GIF
    grid = fig.add_gridspec(2, n, height_ratios=(1.1, 1))
    panels = {}
    for i, (name, (net, recorder)) in enumerate(runs.items()):
        ax = fig.add_subplot(grid[0, i])
        panels[name] = (_Boundary(ax, net, X, y, resolution, feature_names), ax)
        if i:
            ax.set_ylabel("")
    epochs = sorted({e for _, recorder in runs.values() for e in recorder.epochs})
    loss_lines = _loss_panel(fig.add_subplot(grid[1, :]), runs, epochs[-1])
    heading = fig.suptitle("")

    def update(frame):
        epoch, changed = epochs[frame], []
        for name, (net, recorder) in runs.items():
            index = bisect.bisect_right(recorder.epochs, epoch) - 1
            boundary, ax = panels[name]
            changed += boundary.update(recorder.network_at(index, into=net))
            x, values = _series(recorder.figures(index), "loss", recorder.epochs[index])
            line, dot = loss_lines[name]
            line.set_data(x, values)
            dot.set_data(x[-1:], values[-1:])
            changed += [line, dot, ax.title]
            ax.set_title(f"{name}: loss {figure_text(values[-1])}" if len(values) else name)
        heading.set_text(f"{title + ': ' if title else ''}epoch {epoch} of {epochs[-1]}")
        return changed + [heading]
    return TrainingAnimation(fig, update, epochs, fps)


def _loss_panel(ax, runs, last):
    """Every run's loss line on ``ax``, empty, and a dot for its current
    epoch: ``{name: (line, dot)}``; the legend beside the axes."""
    lines, every = {}, []
    for i, (name, (_, recorder)) in enumerate(runs.items()):
        losses = recorder.figures(-1).get("loss", [])
        every += losses
        style = _curve_style(name, i, len(runs), max(len(losses), 1), list(runs)[:i])
        line, = ax.plot([], [], label=name, **style)
        dot, = ax.plot([], [], "o", color=style["color"], markersize=8,
                       markeredgecolor="k", markeredgewidth=0.8)
        lines[name] = (line, dot)
    _limits(ax, "loss", every, last)
    ax.set_ylabel("training cost")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0)
    return lines
