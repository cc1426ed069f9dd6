"""Pictures of training: learning curves, decision boundaries, optimizer comparisons.

Every function returns a ``matplotlib.figure.Figure`` built with matplotlib's
object-oriented API (no pyplot, no global state), so it works headless, shows
itself in a Jupyter notebook, and saves with ``fig.savefig(path)``. Plots read
only what they are given: a History (a dict of per-epoch lists) or a model
with a ``predict`` method.
"""

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from ._checks import check_int, check_matrix

# Colour-blind-safe colours, one per class (Okabe and Ito).
CLASS_COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
                "#F0E442", "#000000"]


def _check_history(history, name="history"):
    if not isinstance(history, dict) or not history.get("loss"):
        raise ValueError(f"{name} must be a History (a dict with a non-empty 'loss' list)")
    return history


def learning_curves(history, title=None):
    """Training (and validation) loss and metric per epoch, side by side.

    Parameters
    ----------
    history : dict of lists
        As returned by :meth:`barenet.Network.fit`: ``'loss'``, a metric such
        as ``'accuracy'``, and optionally their ``'val_'`` twins.
    """
    history = _check_history(history)
    metrics = [k for k in history if k != "loss" and not k.startswith("val_")]
    fig = Figure(figsize=(5 * (1 + len(metrics)), 4), layout="constrained")
    axes = fig.subplots(1, 1 + len(metrics), squeeze=False)[0]
    for ax, key in zip(axes, ["loss"] + metrics):
        epochs = np.arange(1, len(history[key]) + 1)
        ax.plot(epochs, history[key], label="training")
        if history.get("val_" + key):
            ax.plot(epochs, history["val_" + key], label="validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(key)
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    return fig


def _grid(X, resolution):
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = 0.1 * np.maximum(hi - lo, 1e-9)
    xs = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution)
    ys = np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)
    return np.meshgrid(xs, ys)


def draw_decision_boundary(ax, model, X, y, resolution=200):
    """Draw ``model``'s decision regions over 2-D ``X`` and the points of
    ``(X, y)`` on the matplotlib Axes ``ax``."""
    X = check_matrix("X", X)
    if X.shape[1] != 2:
        raise ValueError(f"a decision boundary needs 2-D inputs, X has {X.shape[1]} features")
    y = np.asarray(y)
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},) to match X, got {y.shape}")
    resolution = check_int("resolution", resolution, minimum=2)
    xx, yy = _grid(X, resolution)
    grid_labels = np.asarray(model.predict(np.c_[xx.ravel(), yy.ravel()]))
    classes = getattr(model, "classes_", None)
    if classes is None:
        classes = np.unique(np.concatenate([grid_labels, y]))
    colors = ListedColormap([CLASS_COLORS[i % len(CLASS_COLORS)] for i in range(len(classes))])
    regions = np.searchsorted(classes, grid_labels).reshape(xx.shape)
    ax.contourf(xx, yy, regions, levels=np.arange(len(classes) + 1) - 0.5, cmap=colors,
                alpha=0.25)
    ax.contour(xx, yy, regions, levels=np.arange(len(classes)) + 0.5, colors="k",
               linewidths=0.6)
    ax.scatter(X[:, 0], X[:, 1], c=np.searchsorted(classes, y), cmap=colors,
               vmin=-0.5, vmax=len(classes) - 0.5, s=12, edgecolors="k", linewidths=0.3)
    ax.set_xlim(xx.min(), xx.max())
    ax.set_ylim(yy.min(), yy.max())
    ax.set_aspect("equal", adjustable="box")


def decision_boundary(model, X, y, resolution=200, title=None):
    """The decision regions of a classifier on 2-D data, with the points ``(X, y)``.

    Works for any classifier with ``predict`` (binary or multi-class); class
    colours follow ``model.classes_`` when it has them.
    """
    fig = Figure(figsize=(5, 5), layout="constrained")
    ax = fig.subplots()
    draw_decision_boundary(ax, model, X, y, resolution)
    if title:
        ax.set_title(title)
    return fig


def optimizer_comparison(results, X=None, y=None, resolution=150):
    """The optimizer comparison: cost curves on one axis, and for 2-D data the
    decision boundary each optimizer reached.

    Parameters
    ----------
    results : dict
        ``{label: (model, history)}``, in the order to show.
    X, y : arrays, optional
        Points to draw under the boundaries; boundaries are drawn only when
        ``X`` is given and has 2 features.
    """
    if not results:
        raise ValueError("results is empty: nothing to compare")
    boundaries = X is not None and np.ndim(X) == 2 and np.shape(X)[1] == 2
    n = len(results)
    fig = Figure(figsize=(4 * max(n, 2), 8 if boundaries else 4), layout="constrained")
    if boundaries:
        grid = fig.add_gridspec(2, n)
        curves = fig.add_subplot(grid[0, :])
    else:
        curves = fig.subplots()
    for label, (_, history) in results.items():
        history = _check_history(history, f"the history of {label!r}")
        curves.plot(np.arange(1, len(history["loss"]) + 1), history["loss"], label=label)
    curves.set_xlabel("epoch")
    curves.set_ylabel("training cost")
    curves.set_yscale("log")
    curves.grid(alpha=0.3, which="both")
    curves.legend()
    if boundaries:
        for i, (label, (model, _)) in enumerate(results.items()):
            ax = fig.add_subplot(grid[1, i])
            draw_decision_boundary(ax, model, X, y, resolution)
            ax.set_title(label)
    return fig
