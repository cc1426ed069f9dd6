"""How a regressor fits its data: its predictions against the targets.

[`regression_fit`][barenet.plot.fit.regression_fit] draws, for one input
feature, the points and the model's prediction as a curve over the feature's
range; for more features, each prediction against its true value, around the
diagonal ``predicted = true``. One panel per target, ``R^2`` in its title.
"""

import math

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import EngFormatter, MaxNLocator

from .._checks import check_array, check_int, check_matrix
from ..metrics import r2_score
from ._style import CLASS_COLORS, MARGIN, data_window, legend_below

# The most panels (targets) drawn by default; more targets show the first ones
# and the figure's title says how many there are.
MAX_TARGETS = 6
# Panels per row.
COLUMNS = 3
# Training points filled in blue, test points hollow in vermillion, the
# prediction curve black (Okabe and Ito's colours, as the class colours).
TRAINING_COLOR, TEST_COLOR, CURVE_COLOR = CLASS_COLORS[0], CLASS_COLORS[1], "k"


def _check_targets(name, y, X_name, n_samples):
    """``y`` as float64 of shape ``(n_samples, n_targets)``."""
    y = check_array(name, y, dtype=np.float64)
    if y.ndim not in (1, 2) or len(y) != n_samples:
        raise ValueError(f"{name} must have shape ({n_samples},) or ({n_samples}, n_targets) "
                         f"to match {X_name}, got {y.shape}")
    return y.reshape(n_samples, -1)


def _check_names(name, names, n, what, default):
    """``names`` as ``n`` strings; None gives ``default``."""
    if names is None:
        return default
    if isinstance(names, str) or len(list(names)) != n:
        raise ValueError(f"{name} must be {n} name{'s' if n != 1 else ''}, one per {what}, "
                         f"got {names!r}")
    return [str(v) for v in names]


def _check_regressor(model):
    if not hasattr(model, "predict"):
        raise TypeError(f"model must have a predict method, got {type(model).__name__}")
    task = getattr(model, "task", None)
    if task is not None and task != "regression":
        raise ValueError(f"regression_fit needs a regressor; this network is a {task} "
                         "classifier (plot.decision_boundary draws a classifier on 2-D data)")
    if task is None and getattr(model, "classes_", None) is not None:
        raise ValueError("regression_fit needs a regressor; model has classes_, a classifier")


def _predict(model, X, n_targets, X_name):
    """``model.predict(X)`` as float64 of shape ``(len(X), n_targets)``."""
    P = np.asarray(model.predict(X))
    if P.shape not in ((len(X),), (len(X), n_targets)) or (P.ndim == 1 and n_targets != 1):
        raise ValueError(f"model.predict({X_name}) has shape {P.shape}, but the targets have "
                         f"shape ({len(X)}, {n_targets})")
    return check_array(f"model.predict({X_name})", P, dtype=np.float64).reshape(len(X), -1)


def _r2_title(name, scores):
    """``'name: R² 0.953 training, 0.921 test'`` from ``{split: R²}``."""
    return f"{name}: R² " + ", ".join(f"{v:.3f} {split}" for split, v in scores.items())


def _handles(with_test, one_feature):
    handles = [Line2D([], [], linestyle="", marker="o", markersize=5, color=TRAINING_COLOR,
                      markeredgecolor="k", markeredgewidth=0.3, label="training")]
    if with_test:
        handles.append(Line2D([], [], linestyle="", marker="o", markersize=6,
                              markerfacecolor="none", markeredgecolor=TEST_COLOR,
                              markeredgewidth=1.2, label="test"))
    if one_feature:
        handles.append(Line2D([], [], color=CURVE_COLOR, linewidth=1.8,
                              label="prediction"))
    else:
        handles.append(Line2D([], [], color="0.35", linestyle="--", linewidth=1,
                              label="predicted = true"))
    return handles


def _points(ax, a, b, test):
    """Scatter ``(a, b)``: training points filled, test points hollow."""
    if test:
        ax.scatter(a, b, s=22, facecolors="none", edgecolors=TEST_COLOR, linewidths=1.2,
                   label="test", zorder=3)
    else:
        ax.scatter(a, b, s=14, color=TRAINING_COLOR, edgecolors="k", linewidths=0.3,
                   label="training", zorder=2)


def regression_fit(model, X, y, resolution=300, title=None, *, X_test=None, y_test=None,
                   feature_names=None, target_names=None, max_targets=MAX_TARGETS):
    """A regressor's predictions against its targets: one panel per target.

    With one input feature, a panel shows the points ``(x, y_k)`` and the
    prediction curve ``(x, model.predict(x)[:, k])`` over ``resolution``
    equally spaced values of ``x``, in increasing order, from the smallest to
    the largest ``x`` of the points widened by ``MARGIN`` of their span. With
    more features, it shows each sample's true value against its prediction,
    ``(y_k, model.predict(X)[:, k])``, and the diagonal ``predicted = true``
    (equal scales on both axes): points on it are predicted exactly, points
    above it over-predicted. Either way the panel's title is the target's
    name and its ``R^2`` (``barenet.metrics.r2_score`` of that target) on the
    training points, and on the test points when they are given, e.g.
    ``'target: R² 0.953 training, 0.921 test'``. Training points are filled
    (blue), test points hollow (vermillion); one legend below the panels.

    Parameters
    ----------
    model : regressor
        Anything with ``predict`` returning shape ``(n_samples,)`` for one target
        or ``(n_samples, n_targets)``; a ``barenet.Network`` whose task is not
        ``'regression'`` (or a model with ``classes_``) is refused.
    X : array-like of shape (n_samples, n_features)
        Training inputs, raw (as ``model.predict`` takes them).
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
        Their real-valued targets.
    resolution : int, default 300
        Points of the prediction curve (one feature), >= 2.
    title : str, optional
        The figure's title.
    X_test, y_test : array-likes, optional
        Test inputs and targets, shaped as ``X`` and ``y``; give both or neither.
    feature_names : sequence of str, optional
        One per input feature; with one feature, the x axis's label (default
        ``'feature 1'``).
    target_names : sequence of str, optional
        One per target, the panels' names (default ``'target'``, or
        ``'target 1'``, ... for several).
    max_targets : int, default 6 (``MAX_TARGETS``)
        The most panels, >= 1: with more targets the first ``max_targets`` are
        drawn and the figure's title says "the first 6 of 10 targets".
        Panels go ``COLUMNS`` (3) to a row.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``X`` or ``y`` is empty, not finite or of the wrong shape, ``y`` does
        not have one row per row of ``X``, ``X_test`` and ``y_test`` do not
        match them or come alone, a names list has the wrong length,
        ``resolution`` < 2 or ``max_targets`` < 1, the model is a classifier, or
        ``model.predict`` gives the wrong shape.
    TypeError
        If ``model`` has no ``predict``, or an array does not hold numbers.
    """
    _check_regressor(model)
    X = check_matrix("X", X, dtype=np.float64)
    Y = _check_targets("y", y, "X", len(X))
    n_features, n_targets = X.shape[1], Y.shape[1]
    if (X_test is None) != (y_test is None):
        raise ValueError("X_test and y_test go together: give both or neither")
    if X_test is not None:
        X_test = check_matrix("X_test", X_test, dtype=np.float64)
        if X_test.shape[1] != n_features:
            raise ValueError(f"X_test has {X_test.shape[1]} features; X has {n_features}")
        Y_test = _check_targets("y_test", y_test, "X_test", len(X_test))
        if Y_test.shape[1] != n_targets:
            raise ValueError(f"y_test has {Y_test.shape[1]} targets; y has {n_targets}")
    resolution = check_int("resolution", resolution, minimum=2)
    max_targets = check_int("max_targets", max_targets, minimum=1)
    features = _check_names("feature_names", feature_names, n_features, "input feature",
                            [f"feature {i + 1}" for i in range(n_features)])
    targets = _check_names("target_names", target_names, n_targets, "target",
                           ["target"] if n_targets == 1 else
                           [f"target {i + 1}" for i in range(n_targets)])

    splits = {"training": (X, Y, _predict(model, X, n_targets, "X"))}
    if X_test is not None:
        splits["test"] = (X_test, Y_test, _predict(model, X_test, n_targets, "X_test"))
    one_feature = n_features == 1
    curve = None
    if one_feature:
        everything = np.vstack([X] + ([X_test] if X_test is not None else []))
        lo, hi = data_window(everything)
        grid = np.linspace(lo[0], hi[0], resolution).reshape(-1, 1)
        curve = (grid, _predict(model, grid, n_targets, "the grid"))

    shown = min(n_targets, max_targets)
    columns = min(shown, COLUMNS)
    rows = math.ceil(shown / columns)
    fig = Figure(figsize=(4.6 * columns, 4.2 * rows + 0.4), layout="constrained")
    axes = fig.subplots(rows, columns, squeeze=False).ravel()
    for k in range(shown):
        if one_feature:
            _draw_curve(axes[k], splits, curve, k, features[0], targets[k])
        else:
            _draw_diagonal(axes[k], splits, k, targets[k])
    for ax in axes[shown:]:
        ax.set_visible(False)
    handles = _handles("test" in splits, one_feature)
    legend_below(fig, axes[0], handles, ncols=len(handles))
    lines = [title] if title else []
    if shown < n_targets:
        lines.append(f"the first {shown} of {n_targets} targets")
    if lines:
        fig.suptitle("\n".join(lines))
    return fig


def _ticks(ax):
    """At most 5 ticks an axis, numbers of 10,000 and more written with SI
    prefixes (150k, 2.5M), so that the labels of large targets do not run
    into each other."""
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(MaxNLocator(5))
        lo, hi = axis.get_view_interval()
        if max(abs(lo), abs(hi)) >= 1e4:
            axis.set_major_formatter(EngFormatter(sep=""))


def _draw_curve(ax, splits, curve, k, feature, target):
    """Panel of target ``k`` for one feature: the points and the prediction curve."""
    scores = {}
    for split, (X, Y, P) in splits.items():
        _points(ax, X[:, 0], Y[:, k], split == "test")
        scores[split] = r2_score(Y[:, k], P[:, k])
    grid, predicted = curve
    ax.plot(grid[:, 0], predicted[:, k], color=CURVE_COLOR, linewidth=1.8, label="prediction",
            zorder=4)
    ax.set_xlim(grid[0, 0], grid[-1, 0])
    _ticks(ax)
    ax.set_xlabel(feature)
    ax.set_ylabel(target)
    ax.set_title(_r2_title(target, scores), fontsize="medium")
    ax.grid(alpha=0.3)


def _draw_diagonal(ax, splits, k, target):
    """Panel of target ``k`` for several features: prediction against truth,
    and the diagonal."""
    scores, values = {}, []
    for split, (_, Y, P) in splits.items():
        _points(ax, Y[:, k], P[:, k], split == "test")
        scores[split] = r2_score(Y[:, k], P[:, k])
        values += [Y[:, k], P[:, k]]
    values = np.concatenate(values)
    lo, hi = float(values.min()), float(values.max())
    span = hi - lo if hi > lo else 1.0
    lo, hi = lo - MARGIN * span, hi + MARGIN * span
    ax.plot([lo, hi], [lo, hi], color="0.35", linestyle="--", linewidth=1,
            label="predicted = true", zorder=1)
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_aspect("equal")
    _ticks(ax)
    ax.set_xlabel(f"true {target}")
    ax.set_ylabel(f"predicted {target}")
    ax.set_title(_r2_title(target, scores), fontsize="medium")
    ax.grid(alpha=0.3)
