"""Pictures of training: learning curves, decision boundaries, optimizer
comparisons and confusion matrices.

Every function returns a ``matplotlib.figure.Figure`` built with matplotlib's
object-oriented API (no pyplot, no global state), so it works headless, shows
itself in a Jupyter notebook, and saves with ``fig.savefig(path)``. Plots read
only what they are given: a History (a dict of per-epoch lists), a model with
a ``predict`` method, or a matrix of counts.
"""

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ._checks import check_bool, check_int, check_matrix, check_nonnegative

# Colour-blind-safe colours, one per class (Okabe and Ito).
CLASS_COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
                "#F0E442", "#000000"]

# Line styles and markers that tell the curves of optimizer_comparison apart
# where they overlap; the i-th curve takes the i-th of each (cycling).
CURVE_STYLES = ["-", "--", "-.", ":"]
CURVE_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]

# Share of each axis's span left between the outermost points and the edge.
MARGIN = 0.04


def _check_history(history, name="history"):
    if not isinstance(history, dict) or not history.get("loss"):
        raise ValueError(f"{name} must be a History (a dict with a non-empty 'loss' list)")
    return history


def _check_text(name, value):
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    return value


def learning_curves(history, title=None, validation_label="validation"):
    """Training (and validation) loss and metric per epoch, side by side.

    One axes per quantity -- ``'loss'`` first, then each metric -- with epochs
    ``1 .. n`` on the x axis, the training curve labelled ``'training'`` and
    its ``'val_'`` twin, when present and non-empty, ``validation_label``.

    Parameters
    ----------
    history : dict of lists
        As returned by :meth:`barenet.Network.fit`: ``'loss'``, a metric such
        as ``'accuracy'``, and optionally their ``'val_'`` twins.
    title : str, optional
        The figure's title.
    validation_label : str, default ``'validation'``
        The name of the ``'val_'`` curves in the legends: ``'test'`` when the
        data scored after each epoch was the test split.
    """
    history = _check_history(history)
    validation_label = _check_text("validation_label", validation_label)
    metrics = [k for k in history if k != "loss" and not k.startswith("val_")]
    fig = Figure(figsize=(5 * (1 + len(metrics)), 4), layout="constrained")
    axes = fig.subplots(1, 1 + len(metrics), squeeze=False)[0]
    for ax, key in zip(axes, ["loss"] + metrics):
        epochs = np.arange(1, len(history[key]) + 1)
        ax.plot(epochs, history[key], label="training")
        if history.get("val_" + key):
            ax.plot(epochs, history["val_" + key], "--", label=validation_label)
        ax.set_xlabel("epoch")
        ax.set_ylabel(key)
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    return fig


# ----------------------------------------------------------- decision boundary


def _check_points(X_name, X, y_name, y):
    X = check_matrix(X_name, X)
    if X.shape[1] != 2:
        raise ValueError(f"a decision boundary needs 2-D inputs, {X_name} has {X.shape[1]} "
                         "features")
    y = np.asarray(y)
    if y.shape != (X.shape[0],):
        raise ValueError(f"{y_name} must have shape ({X.shape[0]},) to match {X_name}, "
                         f"got {y.shape}")
    return X, y


def _feature_names(feature_names):
    if feature_names is None:
        return ["feature 1", "feature 2"]
    if isinstance(feature_names, str):
        raise ValueError(f"feature_names must be 2 names, one per feature, got {feature_names!r}")
    names = list(feature_names)
    if len(names) != 2:
        raise ValueError(f"feature_names must be 2 names, one per feature, got {len(names)}: "
                         f"{names!r}")
    return [str(name) for name in names]


def _class_index(name, labels, classes):
    """The position of each item of ``labels`` in ``classes``."""
    position = {c: i for i, c in enumerate(classes.tolist())}
    try:
        return np.array([position[v] for v in labels.tolist()], dtype=np.intp)
    except KeyError:
        unknown = sorted({str(v) for v in labels.tolist() if v not in position})
        raise ValueError(f"{name} holds labels that are not among the classes "
                         f"{', '.join(map(str, classes.tolist()))}: {', '.join(unknown)}") \
            from None


def _class_scores(model, points, known_labels):
    """``(classes, scores)``: the classes, shape ``(n_classes,)``, and one score
    per point and class, shape ``(n_points, n_classes)``, the predicted class
    being the highest. The scores are ``predict_proba``'s probabilities when
    the model has it and ``classes_``; else 1 for the class ``predict`` gives
    and 0 for the others, the classes being ``classes_`` or the sorted labels
    of the predictions and ``known_labels``."""
    classes = getattr(model, "classes_", None)
    if classes is not None and hasattr(model, "predict_proba"):
        scores = np.asarray(model.predict_proba(points), dtype=np.float64)
        if scores.shape == (len(points), len(classes)):
            return np.asarray(classes), scores
    predicted = np.asarray(model.predict(points))
    if classes is None:
        classes = np.unique(np.concatenate([predicted] + known_labels))
    classes = np.asarray(classes)
    scores = np.zeros((len(points), len(classes)))
    scores[np.arange(len(points)), _class_index("model.predict", predicted, classes)] = 1.0
    return classes, scores


def _margins(scores):
    """``f[:, k] = scores[:, k] - max_{j != k} scores[:, j]``: positive where
    class ``k`` is predicted, 0 on its boundary with the runner-up, a smooth
    function of the input when the scores are. Shape as ``scores``."""
    if scores.shape[1] == 1:
        return np.ones_like(scores)
    top2 = np.sort(scores, axis=1)[:, -2:]
    best = scores.argmax(axis=1)
    others = np.where(np.arange(scores.shape[1]) == best[:, None], top2[:, :1], top2[:, 1:])
    return scores - others


def _legend_handles(classes, colors, with_test):
    handles = [Patch(facecolor=colors[i], edgecolor="k", linewidth=0.3, label=f"class {c}")
               for i, c in enumerate(classes.tolist())]
    if with_test:
        handles += [Line2D([], [], linestyle="", marker="o", markersize=5, color="0.45",
                           markeredgecolor="k", markeredgewidth=0.3, label="training"),
                    Line2D([], [], linestyle="", marker="o", markersize=6, markeredgewidth=1.2,
                           markerfacecolor="none", markeredgecolor="0.3", label="test")]
    return handles


def _draw(ax, model, X, y, resolution, X_test, y_test, feature_names):
    """Draw regions, boundary and points on ``ax``; return the legend handles."""
    X, y = _check_points("X", X, "y", y)
    if (X_test is None) != (y_test is None):
        raise ValueError("X_test and y_test go together: give both or neither")
    if X_test is not None:
        X_test, y_test = _check_points("X_test", X_test, "y_test", y_test)
    resolution = check_int("resolution", resolution, minimum=2)
    names = _feature_names(feature_names)

    # a grid over the points, with a margin of MARGIN of each axis's span
    every = X if X_test is None else np.vstack([X, X_test])
    lo, hi = every.min(axis=0), every.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    lo, hi = lo - MARGIN * span, hi + MARGIN * span
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], resolution),
                         np.linspace(lo[1], hi[1], resolution))

    known = [y] if y_test is None else [y, y_test]
    classes, scores = _class_scores(model, np.c_[xx.ravel(), yy.ravel()], known)
    colors = [CLASS_COLORS[i % len(CLASS_COLORS)] for i in range(len(classes))]
    margins = _margins(scores)

    # Regions and boundary are level sets of the margins, which contourf and
    # contour interpolate linearly between grid points: smooth where the
    # scores are, instead of the staircase of the grid's cells.
    for k, color in enumerate(colors):
        f = margins[:, k].reshape(xx.shape)
        if f.max() > 0:
            ax.contourf(xx, yy, f, levels=[0, f.max()], colors=[color], alpha=0.25)
    # every boundary separates two classes, one of which is not classes[0], so
    # the zero sets of the margins of classes[1:] draw each boundary once
    for k in range(1, len(classes)):
        f = margins[:, k].reshape(xx.shape)
        if f.min() < 0 < f.max():
            ax.contour(xx, yy, f, levels=[0], colors="k", linewidths=0.8)

    cmap = ListedColormap(colors)
    ax.scatter(X[:, 0], X[:, 1], c=_class_index("y", y, classes), cmap=cmap,
               vmin=-0.5, vmax=len(classes) - 0.5, s=14, edgecolors="k", linewidths=0.3)
    if X_test is not None:
        index = _class_index("y_test", y_test, classes)
        ax.scatter(X_test[:, 0], X_test[:, 1], s=22, facecolors="none",
                   edgecolors=[colors[i] for i in index], linewidths=1.2)
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    return _legend_handles(classes, colors, X_test is not None)


def draw_decision_boundary(ax, model, X, y, resolution=300, *, X_test=None, y_test=None,
                           feature_names=None, title=None, legend=True):
    """Draw ``model``'s decision regions over 2-D inputs, and the points, on
    the matplotlib Axes ``ax``.

    The regions are coloured by predicted class and the boundary drawn as a
    black line. For a model with ``predict_proba`` and ``classes_`` both come
    from the margins ``p_k - max_{j != k} p_j`` evaluated on a
    ``resolution x resolution`` grid and interpolated between its points (a
    smooth boundary); for any other classifier, from ``predict`` on the grid.
    The view spans the points plus a margin of 4% of each axis's span.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    model : classifier
        Anything with ``predict``; class colours and legend entries follow
        ``model.classes_`` when it has them, else the sorted labels.
    X : array-like of shape (n_samples, 2)
        Training points, drawn filled in the colour of their label ``y``.
    y : array-like of shape (n_samples,)
    resolution : int, default 300
        Grid points per axis, at least 2.
    X_test, y_test : array-likes of shapes (n_test, 2) and (n_test,), optional
        Test points, drawn hollow; give both or neither.
    feature_names : sequence of 2 str, optional
        The axis labels; default ``'feature 1'`` and ``'feature 2'``.
    title : str, optional
        The axes' title.
    legend : bool, default True
        Add a legend inside the axes: one entry per class and, when test
        points are drawn, one for training (filled) and one for test (hollow)
        points.

    Raises
    ------
    ValueError
        If ``X`` or ``X_test`` does not have 2 features, a ``y`` does not match
        its ``X``, a label is not among the model's classes, or
        ``feature_names`` does not hold 2 names.
    """
    legend = check_bool("legend", legend)
    handles = _draw(ax, model, X, y, resolution, X_test, y_test, feature_names)
    if title:
        ax.set_title(title)
    if legend:
        ax.legend(handles=handles, loc="best", fontsize="small", framealpha=0.85)


def decision_boundary(model, X, y, resolution=300, title=None, *, X_test=None, y_test=None,
                      feature_names=None):
    """The decision regions of a classifier on 2-D data, with the points.

    A 5 x 5 inch figure with one axes, drawn by :func:`draw_decision_boundary`
    (same parameters), and the legend beside the axes. Works for any
    classifier with ``predict`` (binary or multi-class).
    """
    fig = Figure(figsize=(5, 5), layout="constrained")
    ax = fig.subplots()
    handles = _draw(ax, model, X, y, resolution, X_test, y_test, feature_names)
    if title:
        ax.set_title(title)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1),
              borderaxespad=0, fontsize="small")
    return fig


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

    The curves share a log-scale axis; the i-th has its own colour, line style
    (``CURVE_STYLES``) and marker (``CURVE_MARKERS``, about every tenth of the
    epochs, staggered between curves), so curves that overlap stay visible.
    Curves that coincide (see :func:`coinciding`, with ``rtol``) are named in
    the axis title, e.g. "GD and Momentum coincide (every epoch within 2%)".

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
    for i, (label, history) in enumerate(histories.items()):
        epochs = len(history["loss"])
        step = max(1, epochs // 10)
        curves.plot(np.arange(1, epochs + 1), history["loss"], label=label, color=f"C{i}",
                    linestyle=CURVE_STYLES[i % len(CURVE_STYLES)],
                    marker=CURVE_MARKERS[i % len(CURVE_MARKERS)], markersize=6,
                    markeredgecolor="k", markeredgewidth=0.5,
                    markevery=(i * step // n, step))
    curves.set_xlabel("epoch")
    curves.set_ylabel("training cost")
    curves.set_yscale("log")
    curves.grid(alpha=0.3, which="both")
    curves.legend()
    same = coinciding({label: h["loss"] for label, h in histories.items()}, rtol)
    if same:
        curves.set_title("; ".join(_and(group) for group in same)
                         + f" coincide (every epoch within {rtol:.0%})", fontsize="medium")
    if boundaries:
        handles = None
        for i, (label, (model, _)) in enumerate(results.items()):
            ax = fig.add_subplot(grid[1, i])
            handles = _draw(ax, model, X, y, resolution, X_test, y_test, feature_names)
            ax.set_title(label)
        try:
            fig.legend(handles=handles, loc="outside lower center",
                       ncols=len(handles), fontsize="small")
        except ValueError:  # matplotlib < 3.7 has no legends outside the axes
            ax.legend(handles=handles, loc="best", fontsize="small")
    return fig


# ----------------------------------------------------------- confusion matrix


def confusion_matrix(matrix, labels, title=None, normalize=False):
    """A confusion matrix as a heat map, with the value written in each cell.

    Rows are true labels, columns predicted ones (as
    :func:`barenet.metrics.confusion_matrix`), the class labels as ticks. Cell
    colours run from white (0) to dark blue (the largest count, or 1 when
    normalized); the text is
    white on dark cells, black on light ones. Figure and font sizes follow the
    number of classes, so 10 or more stay readable.

    Parameters
    ----------
    matrix : array-like of shape (n_classes, n_classes)
        Counts: ``matrix[i, j]`` samples of class ``labels[i]`` predicted as
        ``labels[j]``; finite and >= 0.
    labels : sequence of length n_classes
        The class labels, in the order of the rows and columns.
    title : str, optional
        The axes' title.
    normalize : bool, default False
        Show each row divided by its sum (the share of each true class given
        each prediction, written with 2 decimals; a row of zeros stays 0)
        instead of the counts.

    Raises
    ------
    ValueError
        If ``matrix`` is not square, holds negative values, or ``labels`` does
        not have one label per row.
    """
    matrix = check_matrix("matrix", matrix, dtype=np.float64)
    k = matrix.shape[0]
    if matrix.shape != (k, k):
        raise ValueError(f"matrix must be square (n_classes, n_classes), got shape {matrix.shape}")
    if (matrix < 0).any():
        raise ValueError("matrix must hold counts >= 0, it has negative values")
    labels = np.asarray(labels)
    if labels.shape != (k,):
        raise ValueError(f"labels must hold one label per row of matrix ({k}), got shape "
                         f"{labels.shape}")
    labels = [str(label) for label in labels.tolist()]
    normalize = check_bool("normalize", normalize)

    if normalize:
        sums = matrix.sum(axis=1, keepdims=True)
        values = np.divide(matrix, sums, out=np.zeros_like(matrix), where=sums > 0)
        text = [[f"{v:.2f}" for v in row] for row in values]
        bar_label = "share of the true class"
    else:
        values = matrix
        whole = np.all(values == np.round(values))
        text = [[f"{v:.0f}" if whole else f"{v:.3g}" for v in row] for row in values]
        bar_label = "samples"

    side = max(4.0, 1.8 + 0.55 * k)
    fig = Figure(figsize=(side + 1.0, side), layout="compressed")
    ax = fig.subplots()
    top = 1.0 if normalize else max(values.max(), 1.0)
    image = ax.imshow(values, cmap="Blues", vmin=0, vmax=top)
    fig.colorbar(image, ax=ax, label=bar_label, shrink=0.8)
    fontsize = 10 if k <= 6 else 8 if k <= 12 else 6
    for i in range(k):
        for j in range(k):
            r, g, b, _ = image.cmap(image.norm(values[i, j]))
            dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
            ax.text(j, i, text[i][j], ha="center", va="center", fontsize=fontsize,
                    color="white" if dark else "black")
    long = max(len(label) for label in labels) > 3
    ax.set_xticks(range(k), labels=labels, rotation=45 if long else 0,
                  ha="right" if long else "center", rotation_mode="anchor")
    ax.set_yticks(range(k), labels=labels)
    ax.set_xlabel("predicted label")
    ax.set_ylabel("true label")
    if title:
        ax.set_title(title)
    return fig
