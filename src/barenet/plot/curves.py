"""Curves per epoch: learning curves, and the optimizer comparison (its cost curves
and, for 2-D data, each optimizer's decision boundary)."""

import numpy as np
from matplotlib.figure import Figure

from .._checks import check_nonnegative
from ._style import (CURVE_MARKERS, CURVE_STYLES, TRAINING_STYLE, VALIDATION_STYLE, _check_history,
                     _check_text, curve_axis, legend_below, optimizer_color)

from .boundary import _draw


def learning_curves(history, title=None, validation_label="validation",
                    training_label="training"):
    """Training (and validation) loss and metric per epoch, side by side.

    One axes per quantity -- ``'loss'`` first, then each metric -- with epochs
    ``1 .. n`` on the x axis, the training curve solid near-black and
    labelled ``training_label``, its ``'val_'`` twin, when present and
    non-empty, dashed grey and labelled ``validation_label`` (the styles of
    [`animate`][barenet.plot.animation.animate]'s curves). A shorter ``'val_'``
    curve (a run resumed with validation data that it was first trained
    without) is drawn over the last epochs. The loss is drawn on a log scale
    when every value is positive, accuracy on 0 .. 1.

    Parameters
    ----------
    history : dict of lists
        As returned by [`barenet.Network.fit`][barenet.Network.fit]: ``'loss'``, a metric such
        as ``'accuracy'``, and optionally their ``'val_'`` twins.
    title : str, optional
        The figure's title.
    validation_label : str, default ``'validation'``
        The name of the ``'val_'`` curves in the legends: ``'test'`` when the
        data scored after each epoch was the test split.
    training_label : str, default ``'training'``
        The name of the training loss curve in its legend (a metric's is
        ``'training'``). With L2 regularization
        a History's ``'loss'`` is the training objective, the loss plus the L2
        penalty (averaged over the epoch's batches), while ``'val_loss'`` is
        the plain loss: say so, e.g. ``'training (loss + L2 penalty)'``.
    """
    history = _check_history(history)
    validation_label = _check_text("validation_label", validation_label)
    training_label = _check_text("training_label", training_label)
    metrics = [k for k in history if k != "loss" and not k.startswith("val_")]
    fig = Figure(figsize=(5 * (1 + len(metrics)), 4), layout="constrained")
    axes = fig.subplots(1, 1 + len(metrics), squeeze=False)[0]
    for ax, key in zip(axes, ["loss"] + metrics):  # a metric has no penalty in it
        _draw_curves(ax, history, key, validation_label=validation_label,
                    training_label=training_label if key == "loss" else "training")
    if title:
        fig.suptitle(title)
    return fig


def _draw_curves(ax, history, key, epochs=None, validation_label="validation",
                training_label="training"):
    """``history[key]`` per epoch (``1 .. n``) on ``ax``, solid near-black and
    labelled ``training_label``, and its ``'val_'`` twin, when present and
    non-empty, dashed grey and labelled ``validation_label`` (a shorter one
    drawn over the last epochs); the y axis as
    [`learning_curves`][barenet.plot.curves.learning_curves] draws it, with a
    legend. With ``epochs`` the x axis spans the whole run ``1 .. epochs``."""
    values = np.asarray(history[key], dtype=np.float64)
    epochs_done = np.arange(1, len(values) + 1)
    ax.plot(epochs_done, values, label=training_label, linewidth=1.2, **TRAINING_STYLE)
    drawn = list(values)
    validation = history.get("val_" + key)
    if validation:
        # a run resumed with validation data has figures for its last epochs only
        start = max(len(values) - len(validation), 0)
        ax.plot(np.arange(start + 1, start + len(validation) + 1),
                np.asarray(validation, dtype=np.float64), label=validation_label,
                linewidth=1.2, **VALIDATION_STYLE)
        drawn += list(validation)
    curve_axis(ax, key, drawn)
    if epochs:
        ax.set_xlim(1, max(epochs, 2))
    ax.set_xlabel("epoch")
    ax.set_ylabel(key)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize="small")

# ----------------------------------------------------------- optimizer comparison


def coinciding(curves, rtol=0.02):
    """Groups of curves that coincide.

    Two curves coincide when they have the same length and, at every point,
    values within ``rtol`` of each other: ``|a_t - b_t| <= rtol * max(|a_t|,
    |b_t|)``. The groups are the connected components of that relation: a
    curve that coincides with any curve of a group is in the group.

    Parameters
    ----------
    curves : dict
        ``{label: sequence of numbers}``.
    rtol : float, default 0.02
        The relative tolerance, >= 0. On a log axis a factor of 1.02 is under
        1/100 of a decade: curves that close are drawn on top of each other.

    Returns
    -------
    list of lists of labels
        The groups of two or more labels, each and their list in the order of
        ``curves``.
    """
    rtol = check_nonnegative("rtol", rtol)
    labels = list(curves)
    values = [np.asarray(curves[label], dtype=np.float64) for label in labels]
    group = list(range(len(labels)))  # group[i]: the first curve of i's group
    for j in range(len(labels)):
        for i in range(j):
            a, b = values[i], values[j]
            if (group[i] != group[j] and a.shape == b.shape
                    and np.all(np.abs(a - b) <= rtol * np.maximum(np.abs(a), np.abs(b)))):
                old, new = max(group[i], group[j]), min(group[i], group[j])
                group = [new if g == old else g for g in group]
    groups = [[label for label, g in zip(labels, group) if g == first]
              for first in sorted(set(group))]
    return [members for members in groups if len(members) > 1]


def _and(labels):
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def optimizer_comparison(results, X=None, y=None, resolution=200, *, X_test=None, y_test=None,
                         feature_names=None, rtol=0.02):
    """The optimizer comparison: cost curves on one axis, and for 2-D data the
    decision boundary each optimizer reached.

    The curves share a log-scale axis; the i-th has its own colour (its
    optimizer's, ``OPTIMIZER_COLORS``, for a label that names one), line style
    (``CURVE_STYLES``) and marker (``CURVE_MARKERS``, about every tenth of the
    epochs, staggered between curves), so curves that overlap stay visible.
    Curves that coincide (see [`coinciding`][barenet.plot.curves.coinciding], with ``rtol``) are
    named in the axis title, e.g. "GD and Momentum coincide (every epoch within 2%)".

    Parameters
    ----------
    results : dict
        ``{label: (model, history)}``, in the order to show.
    X, y : arrays, optional
        Training points to draw under the boundaries; boundaries are drawn
        only when ``X`` is given and has 2 features.
    resolution : int, default 200
        Grid points per axis of each boundary.
    X_test, y_test : arrays, optional
        Test points, drawn hollow under the boundaries.
    feature_names : sequence of 2 str, optional
        The boundaries' axis labels.
    rtol : float, default 0.02
        Relative tolerance within which two cost curves coincide.
    """
    if not results:
        raise ValueError("results is empty: nothing to compare")
    histories = {label: _check_history(history, f"the history of {label!r}")
                 for label, (_, history) in results.items()}
    boundaries = X is not None and np.ndim(X) == 2 and np.shape(X)[1] == 2
    n = len(results)
    fig = Figure(figsize=(4 * max(n, 2), 8 if boundaries else 4), layout="constrained")
    if boundaries:
        grid = fig.add_gridspec(2, n)
        curves = fig.add_subplot(grid[0, :])
    else:
        curves = fig.subplots()
    _draw_cost_curves(curves, histories)
    title = _coinciding_title(histories, rtol)
    if title:
        curves.set_title(title, fontsize="medium")
    if boundaries:
        _draw_boundaries(fig, grid, results, X, y, resolution, X_test, y_test, feature_names)
    return fig


def _curve_style(label, i, n, epochs, earlier=()):
    """How the i-th of ``n`` cost curves, ``label``, ``epochs`` long, is drawn:
    its colour (the optimizer's unless one of the labels ``earlier`` names it
    too, `optimizer_color`), line style and marker,
    the markers about every tenth of the epochs and staggered between the curves."""
    step = max(1, epochs // 10)
    return dict(color=optimizer_color(label, i, earlier), linestyle=CURVE_STYLES[i % len(CURVE_STYLES)],
                marker=CURVE_MARKERS[i % len(CURVE_MARKERS)], markersize=6,
                markeredgecolor="k", markeredgewidth=0.5, markevery=(i * step // n, step))


def _coinciding_title(histories, rtol):
    """The title naming the cost curves that coincide within ``rtol``, or None
    when none do."""
    same = coinciding({label: h["loss"] for label, h in histories.items()}, rtol)
    if not same:
        return None
    return ("; ".join(_and(group) for group in same)
            + f" coincide (every epoch within {rtol:.0%})")


def _draw_cost_curves(ax, histories):
    """Each history's training cost per epoch on ``ax``, a log-scale axis."""
    for i, (label, history) in enumerate(histories.items()):
        epochs = len(history["loss"])
        ax.plot(np.arange(1, epochs + 1), history["loss"], label=label,
                **_curve_style(label, i, len(histories), epochs, list(histories)[:i]))
    ax.set_xlabel("epoch")
    ax.set_ylabel("training cost")
    ax.set_yscale("log")
    ax.grid(alpha=0.3, which="both")
    ax.legend()


def _draw_boundaries(fig, grid, results, X, y, resolution, X_test, y_test, feature_names):
    """Each model's decision boundary on its own axes, along the second row of
    ``grid``, and one legend for the points of them all."""
    handles = None
    for i, (label, (model, _)) in enumerate(results.items()):
        ax = fig.add_subplot(grid[1, i])
        handles = _draw(ax, model, X, y, resolution, X_test, y_test, feature_names)
        ax.set_title(label)
    legend_below(fig, ax, handles, ncols=len(handles))
