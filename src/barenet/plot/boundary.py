"""Decision boundaries of a classifier over 2-D inputs."""

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .._checks import check_bool, check_int, check_matrix
from ._style import CLASS_COLORS, data_window, plane


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


# The most classes a model without ``classes_`` may predict on the grid: more
# distinct values are a regressor's outputs, not classes.
MAX_CLASSES = 100


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
    if getattr(model, "task", None) == "regression":
        raise ValueError("decision boundaries need a classifier; this network is a regressor")
    predicted = np.asarray(model.predict(points))
    if classes is None:
        classes = np.unique(np.concatenate([predicted] + known_labels))
        if len(classes) > MAX_CLASSES:
            raise ValueError(
                f"model.predict gives {len(classes)} distinct values on the grid; decision "
                f"boundaries need a classifier (at most {MAX_CLASSES} classes)")
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
    lo, hi = data_window(X if X_test is None else np.vstack([X, X_test]))
    xx, yy = plane(lo, hi, resolution)

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
        if f.min() <= 0 < f.max():  # a tie (f = 0: every ReLU off) predicts classes[0]
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

    A 5 x 5 inch figure with one axes, drawn by
    [`draw_decision_boundary`][barenet.plot.boundary.draw_decision_boundary] (same parameters), and
    the legend beside the axes. Works for any classifier with ``predict`` (binary or multi-class).
    """
    fig = Figure(figsize=(5, 5), layout="constrained")
    ax = fig.subplots()
    handles = _draw(ax, model, X, y, resolution, X_test, y_test, feature_names)
    if title:
        ax.set_title(title)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1),
              borderaxespad=0, fontsize="small")
    return fig
