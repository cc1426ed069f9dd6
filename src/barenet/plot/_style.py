"""What the pictures share: class colours, optimizer colours, the colours of
signs and probabilities in the network's drawing, the styles of learning
curves, how figures are written in titles, margins, argument checks."""

import numpy as np
from matplotlib.colors import LinearSegmentedColormap, ListedColormap

# Colour-blind-safe colours, one per class (Okabe and Ito).
CLASS_COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
                "#F0E442", "#000000"]

# Line styles and markers that tell the curves of optimizer_comparison apart
# where they overlap; the i-th curve takes the i-th of each (cycling).
CURVE_STYLES = ["-", "--", "-.", ":"]
CURVE_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]

# How strongly a class's region is coloured where it is predicted: from FAINT
# (on the boundary, a margin of 0) to FAINT + RAMP (certain, a margin of 1), as
# a share of the class colour over white -- in the animations' boundaries and
# the output neurons of the network drawn.
FAINT, RAMP = 0.15, 0.45

# One colour per optimizer, in every picture that draws optimizers (the
# optimizer comparison, its animation, the optimizers' paths): dark grey and
# Okabe-Ito colours other than the blue and vermillion of classes 0 and 1,
# which the comparison's decision boundaries use beside them.
OPTIMIZER_COLORS = {"GD": "#333333", "Momentum": "#E69F00", "RMSProp": "#009E73",
                    "Adam": "#CC79A7", "AdamW": "#56B4E9"}

# Learning curves (learning_curves, LivePlot, the animations): training solid
# near-black, validation dashed grey -- never class colours.
TRAINING_STYLE = dict(color="0.1", linestyle="-")
VALIDATION_STYLE = dict(color="0.55", linestyle="--")

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


def _optimizer_name(label):
    """The optimizer a label names: itself (``'Adam'``) or its first word
    (``'Adam (lr=0.001)'``, ``'Adam lr 0.1'``)."""
    if str(label) in OPTIMIZER_COLORS:
        return str(label)
    words = str(label).split(" (")[0].split()
    return words[0] if words else ""


def optimizer_color(label, i, earlier=()):
    """The colour of the curve or path ``label``, the i-th drawn after the
    labels ``earlier``: the ``OPTIMIZER_COLORS`` entry of the optimizer it
    names, unless an earlier label names it too (a sweep of one optimizer's
    settings: each its own colour), else matplotlib's i-th default colour
    (``'C{i}'``)."""
    name = _optimizer_name(label)
    if name in OPTIMIZER_COLORS and name not in map(_optimizer_name, earlier):
        return OPTIMIZER_COLORS[name]
    return f"C{i % 10}"


def figure_text(value):
    """A History figure as the command line prints it: 4 decimals
    (``0.0625``, ``0.9700``); below 0.001, where 4 decimals keep a digit or
    two, 3 significant figures with their trailing zeros (``0.000120``,
    ``1.20e-05``)."""
    value = float(value)
    if value != 0 and abs(value) < 1e-3 and np.isfinite(value):
        return f"{value:#.3g}"
    return f"{value:.4f}"


def log_axis(ax, lo, hi):
    """A log-scale y axis from ``lo`` to ``hi`` (both > 0), its ticks labelled
    as plain numbers -- 0.05, 0.1, 0.2 (at 1, 2 and 5 times each power of ten
    over less than three decades, else at the powers) -- rather than powers
    of ten in mathtext, which also draws slowly in every frame of an animation."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    ax.set_yscale("log")
    subs = (1.0, 2.0, 5.0) if hi / lo < 1000 else (1.0,)
    ax.yaxis.set_major_locator(LogLocator(subs=subs))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_ylim(lo, hi)


def finite_values(values):
    """The finite numbers of ``values`` (a History list), as float64."""
    return np.asarray([v for v in values if np.isfinite(v)], dtype=np.float64)


def curve_axis(ax, key, values):
    """The y axis of a learning curve of History figure ``key`` over
    ``values`` (every curve drawn on ``ax``): for the loss, a log scale over
    the finite values (with 15% room each side) when they are all positive;
    for accuracy, 0 to 1 whatever the values, so that a jitter of half a
    percent near 1 looks as small as it is; else matplotlib's own limits."""
    finite = finite_values(values)
    if key in ("loss", "val_loss") and finite.size and finite.min() > 0:
        log_axis(ax, finite.min() / 1.15, finite.max() * 1.15)
    elif key in ("accuracy", "val_accuracy"):
        ax.set_ylim(0, 1.02)


def region_shade(color, margin):
    """The RGB colour of a region of the class of colour ``color`` where the
    margin of its probability over the runner-up's is ``margin`` (0 .. 1):
    ``FAINT + RAMP * margin`` of the colour over white."""
    from matplotlib.colors import to_rgb

    share = FAINT + RAMP * margin
    return tuple(1 - share + share * c for c in to_rgb(color))


# Purple and green (the dark ends of ColorBrewer's colour-blind-safe PRGn):
# the colours of positive and negative weights and values, far from every
# class colour (CLASS_COLORS).
POSITIVE, NEGATIVE = "#762A83", "#1B7837"
# Diverging colormap of the inputs' and hidden neurons' heatmaps (and of a
# regressor's outputs): purple above the layer's centre, green below, white at
# it -- the sides of the weights' colours.
CMAP = LinearSegmentedColormap.from_list(
    "barenet_sign", [NEGATIVE, "#A6DBA0", "#F7F7F7", "#C2A5CF", POSITIVE])
# Shades of a probability colormap.
_SHADES = 128
# The colour bar under several outputs, each in its own class's colour.
PROBABILITY_GREYS = LinearSegmentedColormap.from_list("barenet_probability", ["white", "0.35"])


def binary_colormap():
    """The colormap of P(class 1) (one sigmoid output): the animations'
    decision regions as a function of the probability -- class 0's colour
    below 0.5, class 1's above, each from its faintest at 0.5 (a margin of
    0) to its strongest at 0 or 1 (``region_shade``)."""
    t = (np.arange(_SHADES) + 0.5) / _SHADES
    return ListedColormap([region_shade(CLASS_COLORS[0], 1 - 2 * v) if v < 0.5 else
                           region_shade(CLASS_COLORS[1], 2 * v - 1) for v in t],
                          name="barenet_binary")


def class_colormap(k):
    """The colormap of P(class k) (softmax, or label k of a multi-label
    network): white at 0 to class k's colour at its strongest at 1."""
    color = CLASS_COLORS[k % len(CLASS_COLORS)]
    return LinearSegmentedColormap.from_list(f"barenet_class_{k}",
                                             ["white", region_shade(color, 1.0)])
