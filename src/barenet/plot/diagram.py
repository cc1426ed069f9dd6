"""The network, drawn: layers as columns of neurons, weights as lines.

[`network`][barenet.plot.diagram.network] draws what TensorFlow Playground
(playground.tensorflow.org) shows: every neuron as a small picture of what it
computes -- over the input plane for 2-D inputs, as a histogram over the data
otherwise -- and every weight as a line whose width grows with ``|w|`` and
whose colour gives its sign. Signs are purple and green, colours no class
has; the output neurons' probabilities are drawn in the class colours, as the
decision boundary and the animations draw the classes.
"""

import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .._checks import check_int, check_matrix
from ._style import (CMAP, NEGATIVE, POSITIVE, PROBABILITY_GREYS, binary_colormap,
                     class_colormap, data_window, plane)

# The most neurons drawn per layer; the others are summed up as "+k more".
MAX_NEURONS = 12
# Bins of each histogram (inputs that are not 2-D).
BINS = 20
# Without X, the 2-D window is [-3, 3] in each feature -- or, for a network
# that standardizes its inputs, mean +- 3 standard deviations of each feature.
DEFAULT_HALF_WIDTH = 3.0
# Line widths (points) of the smallest and the largest |w|.
MIN_WIDTH, MAX_WIDTH = 0.3, 4.0

# Geometry, in inches: neuron box, gap between boxes, column pitch, margins.
_BOX, _GAP, _PITCH = 0.7, 0.22, 2.1
_LEFT, _RIGHT, _TOP, _BOTTOM = 1.35, 1.45, 1.75, 1.35


def _check_network(net):
    for attribute in ("layer_sizes", "weights", "activations", "layer_outputs"):
        if not hasattr(net, attribute):
            raise TypeError(f"net must be a barenet.Network, got {type(net).__name__} "
                            f"(it has no {attribute!r})")
    return [int(n) for n in net.layer_sizes]


def _check_names(feature_names, n):
    if feature_names is None:
        return [f"feature {i + 1}" for i in range(n)]
    if isinstance(feature_names, str) or len(list(feature_names)) != n:
        raise ValueError(f"feature_names must be {n} names, one per input feature, "
                         f"got {feature_names!r}")
    return [str(name) for name in feature_names]


def _window(net, X):
    """``(lo, hi)``, each of shape (2,): the input plane drawn -- the data's
    limits plus ``MARGIN`` of each span, or the default window without X."""
    if X is not None:
        return data_window(X)
    scaler = getattr(net, "scaler_", None)
    if scaler is not None:
        mean = np.asarray(scaler.mean_, dtype=np.float64).ravel()
        scale = np.asarray(scaler.scale_, dtype=np.float64).ravel()
        return mean - DEFAULT_HALF_WIDTH * scale, mean + DEFAULT_HALF_WIDTH * scale
    return np.full(2, -DEFAULT_HALF_WIDTH), np.full(2, DEFAULT_HALF_WIDTH)


def input_grid(lo, hi, resolution):
    """The ``resolution x resolution`` grid over ``[lo[0], hi[0]] x [lo[1],
    hi[1]]`` as rows of points, shape ``(resolution**2, 2)``: point ``r *
    resolution + c`` has the c-th x and the r-th y (``numpy.meshgrid``'s
    order), so a column of activations reshapes to an image with y up the rows."""
    xx, yy = plane(lo, hi, resolution)
    return np.c_[xx.ravel(), yy.ravel()]


def _label_text(net, sizes):
    """The output neurons' labels: class probabilities where the network has
    ``classes_``, else ``output i``."""
    n = sizes[-1]
    classes = getattr(net, "classes_", None)
    if classes is not None:
        classes = list(np.asarray(classes).tolist())
        if n == 1 and len(classes) == 2:
            c = classes[1]
            return [f"P({c})" if isinstance(c, str) else f"P(class {c})"]
        if len(classes) == n:
            if getattr(net, "task", None) == "multilabel":
                return [f"P(label {c})" for c in classes]
            return [f"P({c})" if isinstance(c, str) else f"P(class {c})" for c in classes]
    return ["output"] if n == 1 else [f"output {i + 1}" for i in range(n)]


def _boxes(drawn):
    """Lower-left corners (inches) of every drawn neuron's box, per column,
    each column centred vertically on the tallest."""
    rows = max(drawn)
    body = rows * (_BOX + _GAP) - _GAP
    corners = []
    for l, d in enumerate(drawn):
        top = _BOTTOM + (body + d * (_BOX + _GAP) - _GAP) / 2
        corners.append([(_LEFT + l * _PITCH, top - _BOX - i * (_BOX + _GAP))
                        for i in range(d)])
    return corners


def _draw_weights(canvas, weights, corners):
    """One line per weight between drawn neurons: width and opacity linear in
    ``|w| / max |w|`` over the weights drawn, blue for w >= 0, vermillion below;
    each line's gid is ``'weight l j i'`` for ``weights[l][j, i]``."""
    shown = [np.asarray(W)[:len(corners[l + 1]), :len(corners[l])]
             for l, W in enumerate(weights)]
    largest = max(float(np.abs(W).max()) for W in shown) or 1.0
    for l, W in enumerate(shown):
        for j, (x1, y1) in enumerate(corners[l + 1]):
            for i, (x0, y0) in enumerate(corners[l]):
                w = float(W[j, i])
                share = abs(w) / largest
                canvas.add_line(Line2D(
                    [x0 + _BOX, x1], [y0 + _BOX / 2, y1 + _BOX / 2],
                    linewidth=MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * share,
                    alpha=0.3 + 0.6 * share, color=POSITIVE if w >= 0 else NEGATIVE,
                    solid_capstyle="butt", zorder=1, gid=f"weight {l} {j} {i}"))


def _scale(values, activation):
    """A layer's colour scale: centred on 0.5 for sigmoid and softmax, whose
    outputs are probabilities, on 0 otherwise, and symmetric about it."""
    centre = 0.5 if activation in ("sigmoid", "softmax") else 0.0
    half = float(np.abs(values - centre).max()) or 1.0
    return Normalize(centre - half, centre + half)


def _heatmap(ax, column, lo, hi, resolution, norm, cmap=CMAP):
    """``column``, one neuron's activation on the grid, as an image over the plane."""
    dx, dy = (hi - lo) / (resolution - 1)
    extent = (lo[0] - dx / 2, hi[0] + dx / 2, lo[1] - dy / 2, hi[1] + dy / 2)
    ax.imshow(column.reshape(resolution, resolution), origin="lower", extent=extent,
              cmap=cmap, norm=norm, aspect="auto", interpolation="nearest")


def _probabilities(net, names, n):
    """The colormaps of the output neurons when they are probabilities (a
    sigmoid or softmax output of a network that is not a regressor), one
    per neuron; None otherwise."""
    if names[-1] not in ("sigmoid", "softmax") or getattr(net, "task", None) == "regression":
        return None
    if n == 1 and names[-1] == "sigmoid":
        return [binary_colormap()]
    return [class_colormap(k) for k in range(n)]


def _number(value):
    """A short tick label: two decimals at most, ``0`` for what rounds to it."""
    if abs(value) >= 100:
        return f"{value:.3g}"
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _histogram(ax, column):
    """``column``, one neuron's activations over the samples, as a histogram."""
    ax.hist(column, bins=BINS, color="0.45", alpha=0.85)
    lo, hi = float(column.min()), float(column.max())
    ticks = [lo, hi] if hi > lo else [lo]
    ax.set_xticks(ticks, [_number(v) for v in ticks])
    ax.tick_params(axis="x", labelsize=7, length=2, pad=1)


def _colour_bar(fig, column, size, norm, own, cmap=CMAP, title=None):
    """Under a column of heatmaps, the colour bar of its scale: the layer's
    values, or for ``own`` (each neuron on its own scale) -max, 0, +max; a
    ``title`` over it."""
    width, height = size
    cax = fig.add_axes([column[0][0] / width, 0.72 / height, _BOX / width, 0.08 / height])
    ticks = [norm.vmin, (norm.vmin + norm.vmax) / 2, norm.vmax]
    bar = fig.colorbar(ScalarMappable(norm, cmap), cax=cax, orientation="horizontal")
    bar.set_ticks(ticks, labels=["-max", "0", "+max"] if own else [_number(t) for t in ticks])
    cax.tick_params(labelsize=7, length=2, pad=1)
    title = "each neuron: its own max" if own else title
    if title:
        cax.set_title(title, fontsize=8, pad=3)
    return cax


def _neurons(fig, corners, size, arrays, mode, window, resolution, names, outputs, labels):
    """The neuron axes (label ``'neuron l i'``), each with its picture, and
    under each column of heatmaps a colour bar; ``arrays`` is ``(values,
    scales)`` from `_activations`, ``outputs`` the output neurons' colormaps
    when they are probabilities (`_probabilities`), else None, and
    ``labels`` the output neurons' labels (`_label_text`). The inputs
    and the output layer share one scale per column -- probabilities 0 to 1
    -- each hidden neuron has its own (`network`)."""
    values, scales = arrays
    last = len(corners) - 1
    for l, column in enumerate(corners):
        norms, cmaps = [None] * len(column), [CMAP] * len(column)
        if mode == "heatmap":
            activation = "identity" if l == 0 else names[l]
            own = 0 < l < last
            if l == last and outputs is not None:
                norms, cmaps = [Normalize(0.0, 1.0)] * len(column), outputs[:len(column)]
                single = len(outputs) == 1
                cax = _colour_bar(fig, column, size, norms[0], False,
                                  outputs[0] if single else PROBABILITY_GREYS,
                                  labels[0] if single else "P, each in its class's colour")
            else:
                norms = ([_scale(scales[l][:, i], activation) for i in range(len(column))]
                         if own else [_scale(scales[l][:, :len(column)], activation)]
                         * len(column))
                cax = _colour_bar(fig, column, size, Normalize(-1, 1) if own else norms[0],
                                  own)
            if l == 0:
                cax.set_title("colour scale", fontsize=8, pad=3)
        for i, (x, y) in enumerate(column):
            ax = fig.add_axes([x / size[0], y / size[1], _BOX / size[0], _BOX / size[1]],
                              label=f"neuron {l} {i}")
            if mode == "heatmap":
                _heatmap(ax, values[l][:, i], *window, resolution, norms[i], cmaps[i])
            elif mode == "histogram":
                _histogram(ax, values[l][:, i])
            ax.set_yticks([])
            if mode != "histogram":
                ax.set_xticks([])


def _texts(canvas, sizes, corners, drawn, names, inputs, outputs):
    """Column headers (kind, activation, width), input and output labels, and
    the "+k more" marks."""
    headers = ["input"] + [f"hidden {l}\n{names[l]}" for l in range(1, len(sizes) - 1)]
    headers += [f"output\n{names[-1]}"]
    headers = [f"{h}\n({n})" for h, n in zip(headers, sizes)]
    for l, column in enumerate(corners):
        x = column[0][0] + _BOX / 2
        top = column[0][1] + _BOX
        canvas.text(x, top + 0.12, headers[l], ha="center", va="bottom", fontsize=9)
        if sizes[l] > drawn[l]:
            canvas.text(x, column[-1][1] - 0.22, f"+{sizes[l] - drawn[l]} more",
                        ha="center", va="top", fontsize=8, style="italic")
    for labels, column, side in ((inputs, corners[0], -1), (outputs, corners[-1], 1)):
        for text, (x, y) in zip(labels, column):
            edge = x - 0.08 if side < 0 else x + _BOX + 0.08
            canvas.text(edge, y + _BOX / 2, text, ha="right" if side < 0 else "left",
                        va="center", fontsize=8)


def _caption(fig, net, sizes, title, note):
    """The title (saying when the weights are the initial ones), the line
    below it saying what the neurons show, and the weights' legend."""
    height = fig.get_figheight()
    fitted = getattr(net, "history_", None) is not None or \
        getattr(net, "fit_config_", None) is not None
    first = title or f"Network {sizes}" + ("" if fitted else " -- not fitted: initial weights")
    fig.text(0.5, 1 - 0.12 / height, first, ha="center", va="top", fontsize=12)
    fig.text(0.5, 1 - 0.42 / height, note, ha="center", va="top", fontsize=9)
    handles = [Line2D([], [], color=POSITIVE, linewidth=2.5, label="weight > 0"),
               Line2D([], [], color=NEGATIVE, linewidth=2.5, label="weight < 0")]
    fig.legend(handles=handles, loc="lower center", ncols=2, fontsize=8, frameon=False,
               title="line width ~ |weight|, colour its sign (purple and green: no class's "
                     "colours)",
               title_fontsize=8)


def _activations(net, X, sizes, resolution):
    """``(mode, values, scales, window, note)``: how neurons are drawn, the
    values of every layer (the inputs first; rows are points or samples),
    the values each layer's colour scale spans (the activations at ``X``'s
    samples where given, else ``values``), the 2-D window, and what the
    figure shows."""
    if sizes[0] == 2:
        lo, hi = _window(net, X)
        points = input_grid(lo, hi, resolution)
        note = (f"each neuron's activation over the input plane "
                f"[{lo[0]:.3g}, {hi[0]:.3g}] x [{lo[1]:.3g}, {hi[1]:.3g}]")
        values = [points] + _layers(net, points)
        scales = values if X is None else [X] + _layers(net, X)
        return "heatmap", values, scales, (lo, hi), note
    if X is None:
        return "empty", None, None, None, "pass X to see each neuron's activations"
    note = f"histogram of each neuron's activations over X ({X.shape[0]} samples)"
    values = [X] + _layers(net, X)
    return "histogram", values, values, None, note


def _layers(net, points):
    return [np.asarray(A, dtype=np.float64) for A in net.layer_outputs(points)]


def network(net, X=None, resolution=40, *, feature_names=None, max_neurons=MAX_NEURONS,
            title=None):
    """Draw ``net`` as TensorFlow Playground does: layers as columns of neurons,
    weights as lines.

    Column 0 holds the input features, column ``l`` the ``n_l`` neurons of
    layer ``l`` (activation named above it). Each neuron is a small axes
    (label ``'neuron l i'``) showing what it computes:

    - 2 input features: its activation over the input plane, a ``resolution x
      resolution`` grid (``net.layer_outputs``, in inference mode) drawn as a
      heatmap, y up. The plane spans ``X``'s limits plus ``MARGIN`` of each
      span, or without ``X`` ``[-3, 3]`` per feature (``mean +- 3 scale`` for
      a network that standardizes). The inputs and hidden neurons are
      coloured by ``CMAP``, diverging (colour bar under each column): purple
      above the centre, green below, white at it -- 0.5 for sigmoid and
      softmax layers, 0 otherwise; the inputs share one scale, and each
      hidden neuron has its own, from the centre to its largest distance
      from it, so that every neuron's pattern shows whatever its size (the
      weights' lines tell the sizes). Output neurons that are probabilities
      (sigmoid or softmax, not a regressor) are drawn on 0 .. 1 in the class
      colours of [`decision_boundary`][barenet.plot.boundary.decision_boundary]
      and the animations: one sigmoid unit, P(class 1), as the animations'
      decision regions (`binary_colormap`: class 0's colour below 0.5, class
      1's above, stronger the surer), several, P(class k) from white to class
      k's colour (`class_colormap`); other outputs share one scale, as the
      inputs do. Scales span the activations at ``X``'s samples (without
      ``X``, over the whole plane): where the plane reaches beyond the data,
      an unbounded activation such as ReLU's may grow past its scale, and
      its colour saturates there;
    - other inputs, with ``X``: a histogram (``BINS`` bins) of its
      activations over the rows of ``X``; without ``X``: an empty box.

    The line from neuron ``i`` of column ``l`` to neuron ``j`` of column ``l+1``
    is ``net.weights[l][j, i]`` (gid ``'weight l j i'``): width and opacity
    grow linearly with ``|w|`` (relative to the largest drawn), purple
    (``POSITIVE``, #762A83) for ``w >= 0``, green (``NEGATIVE``, #1B7837)
    below: colours that no class is drawn in, as the legend says. Biases
    are not drawn.
    A layer wider than ``max_neurons`` shows its first ``max_neurons`` neurons
    and a "+k more" mark. An unfitted network is drawn with its initial
    weights, and the title says so.

    Parameters
    ----------
    net : barenet.Network
    X : array-like of shape (n_samples, n_features), optional
        Inputs: the window of the 2-D plane, or the samples of the histograms.
    resolution : int, default 40
        Grid points per axis of the 2-D heatmaps, >= 2.
    feature_names : sequence of str, optional
        One per input feature, written left of the input column; default
        ``'feature 1'``, ... Output neurons are labelled ``P(class)`` by
        ``net.classes_`` when it has them, else ``output i``.
    max_neurons : int, default 12 (``MAX_NEURONS``)
        The most neurons drawn per layer, >= 1.
    title : str, optional
        Replaces the first line of the title (``Network [sizes]``).

    Raises
    ------
    ValueError
        If ``X`` does not have ``net``'s number of features, ``resolution`` < 2,
        ``max_neurons`` < 1, or ``feature_names`` does not hold one name per feature.
    """
    sizes = _check_network(net)
    if X is not None:
        X = check_matrix("X", X, dtype=np.float64)
        if X.shape[1] != sizes[0]:
            raise ValueError(f"X has {X.shape[1]} features; the network takes {sizes[0]}")
    resolution = check_int("resolution", resolution, minimum=2)
    cap = check_int("max_neurons", max_neurons, minimum=1)
    inputs = _check_names(feature_names, sizes[0])
    names = ["input"] + [getattr(a, "name", str(a)) for a in net.activations]
    mode, values, scales, window, note = _activations(net, X, sizes, resolution)

    drawn = [min(n, cap) for n in sizes]
    width = _LEFT + (len(sizes) - 1) * _PITCH + _BOX + _RIGHT
    height = _BOTTOM + max(drawn) * (_BOX + _GAP) - _GAP + _TOP
    fig = Figure(figsize=(width, height))
    canvas = fig.add_axes([0, 0, 1, 1], label="connections")
    canvas.set_xlim(0, width)
    canvas.set_ylim(0, height)
    canvas.set_axis_off()
    corners = _boxes(drawn)
    _draw_weights(canvas, net.weights, corners)
    outputs = _probabilities(net, names, sizes[-1])
    if mode == "heatmap":
        note += "\npurple above the centre of a neuron's colour scale, green below"
        if outputs:
            note += "\noutput: the probability, in the class colours of the decision boundary"
    labels = _label_text(net, sizes)
    _neurons(fig, corners, (width, height), (values, scales), mode, window, resolution, names,
             outputs, labels)
    _texts(canvas, sizes, corners, drawn, names, inputs, labels)
    _caption(fig, net, sizes, title, note)
    return fig
