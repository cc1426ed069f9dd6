"""What the pictures share: class colours, curve styles, margins, argument checks."""

import numpy as np

# Colour-blind-safe colours, one per class (Okabe and Ito).
CLASS_COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
                "#F0E442", "#000000"]

# Line styles and markers that tell the curves of optimizer_comparison apart
# where they overlap; the i-th curve takes the i-th of each (cycling).
CURVE_STYLES = ["-", "--", "-.", ":"]
CURVE_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]

# Share of each axis's span left between the outermost points and the edge.
MARGIN = 0.04


def data_window(X):
    """``(lo, hi)``, each of shape (2,): the limits of the points ``X`` (shape
    ``(n, 2)``) widened by ``MARGIN`` of each axis's span (a span of 0 counts
    as 1), the plane a picture over 2-D data shows."""
    lo, hi = X.min(axis=0), X.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    return lo - MARGIN * span, hi + MARGIN * span


def plane(lo, hi, resolution):
    """``(xx, yy)``, ``numpy.meshgrid`` of ``resolution`` points from ``lo``
    to ``hi`` on each axis: x along the rows, y up the columns."""
    return np.meshgrid(np.linspace(lo[0], hi[0], resolution),
                       np.linspace(lo[1], hi[1], resolution))


def _check_history(history, name="history"):
    if not isinstance(history, dict) or not history.get("loss"):
        raise ValueError(f"{name} must be a History (a dict with a non-empty 'loss' list)")
    return history


def _check_text(name, value):
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    return value


def legend_below(fig, ax, handles, labels=None, ncols=1):
    """One legend for the whole figure, below its axes; on matplotlib < 3.7,
    which has no legends outside the axes, on ``ax`` where it fits best."""
    labels = [h.get_label() for h in handles] if labels is None else labels
    try:
        return fig.legend(handles, labels, loc="outside lower center", ncols=ncols,
                          fontsize="small")
    except ValueError:
        return ax.legend(handles, labels, loc="best", fontsize="small")


def artists_of(contours):
    """The artists a contour set draws with: the set itself from matplotlib 3.8
    (an Artist), its collections before."""
    from matplotlib.artist import Artist

    return [contours] if isinstance(contours, Artist) else list(contours.collections)
