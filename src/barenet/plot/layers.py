r"""What happens inside the layers, drawn: the records of a
[`LayerStatistics`][barenet.model.layer_stats.LayerStatistics] per layer and
epoch, and the initialization lesson -- the spread of the activations and of
the gradients layer by layer under the seed notebook's three
initializations (random $\times 0.01$, Xavier, He).
"""

import inspect

import numpy as np
from matplotlib import colormaps
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from ..model.layer_stats import QUANTITIES, LayerStatistics, init_statistics
from ..optim import REGISTRY
from ._style import CLASS_COLORS, CURVE_MARKERS, _check_text, legend_below

# What each quantity is called on an axis.
LABELS = {
    "activation_mean": "mean of the activations $A_l$",
    "activation_std": "std of the activations $A_l$",
    # each delta a one-sample backward pass: J the objective of a batch of one
    "delta_mean": r"mean of $\delta_l = \partial J / \partial Z_l$ (per sample)",
    "delta_std": r"std of $\delta_l = \partial J / \partial Z_l$ (backward, per sample)",
    "gradient_mean": "mean of the weight gradient $dW_l$",
    "gradient_std": "std of the weight gradient $dW_l$",
    "update_ratio": r"update ratio $\|\Delta W_l\| / \|W_l\|$ per step",
}

# How each initialization is named in a legend.
INIT_NAMES = {"random": r"random $\times 0.01$",
              "xavier": r"Xavier $\sqrt{1/n_{in}}$ (Glorot & Bengio 2010)",
              "he": r"He $\sqrt{2/n_{in}}$ (He et al. 2015)"}


def _records(stats):
    """``stats`` (a LayerStatistics, or its ``as_dict()``) as a dict of arrays."""
    if isinstance(stats, LayerStatistics):
        stats = stats.as_dict()
    if not isinstance(stats, dict) or "epochs" not in stats or len(stats["epochs"]) == 0:
        raise ValueError("stats must be a LayerStatistics that has recorded (or its as_dict())")
    return stats


def _layers(names):
    """Layer names such as ``['1 tanh', '2 tanh', '3 sigmoid']`` in short:
    ``'1-2 tanh, 3 sigmoid'``."""
    groups = []
    for name in names:
        number, activation = name.split(" ", 1)
        if groups and groups[-1][2] == activation:
            groups[-1][1] = number
        else:
            groups.append([number, number, activation])
    return ", ".join(f"{a}-{b} {act}" if a != b else f"{a} {act}" for a, b, act in groups)


def layer_statistics(stats, quantities=("activation_std", "delta_std", "gradient_std",
                                        "update_ratio"), title=None):
    """Each recorded quantity per layer, one line per recorded epoch.

    One axes per name in ``quantities`` (any of
    [`QUANTITIES`][barenet.model.layer_stats.QUANTITIES]), the layers
    ``1 .. L`` on the x axis, one line per record coloured by its epoch
    (viridis, early dark, late light; a colour bar says which). Standard
    deviations and update ratios are drawn on a log scale (a zero, such as
    the spread of a constant output, is left out), means on a linear scale
    with a line at 0. The update-ratio axes mark $10^{-3}$, the rule of thumb for a
    well-tuned step (CS231n). The start of a run has no update ratio.

    Parameters
    ----------
    stats : LayerStatistics or dict
        A recorder after training, or its ``as_dict()``.
    quantities : sequence of str
    title : str, optional
    """
    stats = _records(stats)
    if isinstance(quantities, str) or not quantities or any(
            q not in QUANTITIES for q in quantities):
        raise ValueError(f"quantities must be a non-empty sequence of names from "
                         f"{', '.join(QUANTITIES)}, got {quantities!r}")
    epochs = np.asarray(stats["epochs"])
    layers = np.arange(1, np.shape(stats[quantities[0]])[1] + 1)
    cmap, norm = colormaps["viridis"], Normalize(epochs.min(), max(epochs.max(), epochs.min() + 1))
    fig = Figure(figsize=(4.2 * len(quantities) + 1, 4), layout="constrained")
    axes = fig.subplots(1, len(quantities), squeeze=False)[0]
    for ax, name in zip(axes, quantities):
        values = np.asarray(stats[name], dtype=np.float64)
        for epoch, row in zip(epochs, values):
            ax.plot(layers, row, marker="o", markersize=3, linewidth=1.2,
                    color=cmap(norm(epoch)))
        if name.endswith("_mean"):
            ax.axhline(0, color="0.6", linewidth=0.8)
        else:
            ax.set_yscale("log")
        if name == "update_ratio":
            ax.axhline(1e-3, color="0.4", linestyle="--", linewidth=1, label="$10^{-3}$")
            ax.legend(loc="best", fontsize="small")
        ax.set_xticks(layers, [str(layer) for layer in layers])
        ax.set_xlabel("layer")
        ax.set_title(LABELS[name], fontsize="medium")
        ax.grid(alpha=0.3, which="major")
    fig.colorbar(ScalarMappable(norm, cmap), ax=list(axes), label="epoch", aspect=30)
    fig.suptitle(_check_text("title", title) if title is not None else
                 f"Inside the layers ({_layers(stats.get('layer_names') or [])}): "
                 "one line per recorded epoch")
    return fig


def init_comparison(X, y, depth=10, width=64, activations=("tanh", "relu"),
                    inits=("random", "xavier", "he"), epochs=5, seed=0, **training):
    """The initialization lesson as a figure, for ``init.png``: trains the
    networks ([`init_statistics`][barenet.model.layer_stats.init_statistics],
    which ``training`` -- ``optimizer``, ``lr``, ``batch_size``, ``probe``
    -- is handed to) and draws them ([`init_figure`][barenet.plot.layers.init_figure]),
    the title saying how they were trained: the optimizer, rate and batch
    size given, or ``init_statistics``'s defaults."""
    results = init_statistics(X, y, depth=depth, width=width, activations=activations,
                              inits=inits, epochs=epochs, seed=seed, **training)
    defaults = inspect.signature(init_statistics).parameters
    used = {name: training.get(name, defaults[name].default)
            for name in ("optimizer", "lr", "batch_size")}
    optimizer = REGISTRY[used["optimizer"]].__name__
    return init_figure(results, trained=f"{optimizer}, lr {used['lr']:g}, "
                                        f"batch {used['batch_size']}")


def init_figure(results, quantities=("activation_std", "delta_std", "gradient_std"), *,
                trained=None):
    """Spread per hidden layer under each initialization, at the start of
    training (solid) and after the last recorded epoch (dashed).

    One row per hidden activation of ``results``, one column per name in
    ``quantities``; on each axes one colour per initialization (Okabe-Ito),
    the hidden layers ``1 .. depth`` on the x axis (the output layer, of
    another activation, left out), a log scale on the y axis. Under random
    $\\times 0.01$ the activations shrink by a constant factor per layer
    going forward, and $\\delta$ going backward; the weight gradient
    $dW_l = \\delta_l A_{l-1}^T$, their product, is about as small at every
    layer (Glorot & Bengio 2010, section 4.2). Xavier keeps tanh layers
    alive, He ReLU layers.

    Parameters
    ----------
    results : dict
        ``{activation: {init: LayerStatistics}}``, as
        [`init_statistics`][barenet.model.layer_stats.init_statistics] returns.
    quantities : sequence of str
        Standard deviations or ratios of
        [`QUANTITIES`][barenet.model.layer_stats.QUANTITIES].
    trained : str, optional
        How the networks were trained, put in the title after the number of
        epochs: ``'GD, lr 0.1, batch 32'`` gives "after 5 epochs of GD, lr
        0.1, batch 32 (dashed)".
    """
    if not isinstance(results, dict) or not results or not all(
            isinstance(runs, dict) and runs for runs in results.values()):
        raise ValueError("results must be {activation: {init: LayerStatistics}}, non-empty")
    if isinstance(quantities, str) or not quantities or any(
            q not in QUANTITIES or q.endswith("_mean") for q in quantities):
        raise ValueError(f"quantities must be standard deviations or ratios of "
                         f"{', '.join(QUANTITIES)}, got {quantities!r}")
    if trained is not None:
        trained = _check_text("trained", trained)
    rows, cols = len(results), len(quantities)
    fig = Figure(figsize=(4.6 * cols, 3.4 * rows + 0.9), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    last = 0
    for r, (activation, runs) in enumerate(results.items()):
        for c, name in enumerate(quantities):
            last = max(last, _draw_inits(axes[r, c], runs, name))
            axes[r, c].set_title(f"{activation} layers: {LABELS[name]}", fontsize="medium")
            axes[r, c].set_xlabel("hidden layer" if r == rows - 1 else "")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    legend_below(fig, axes[0, 0], handles, labels, ncols=len(handles) // 2 or 1)
    first = next(iter(results.values()))
    sizes = next(iter(first.values())).layer_sizes
    shape = (f"{len(sizes) - 2} hidden layers of {sizes[1]} units"
             if len(set(sizes[1:-1])) == 1 else f"hidden layers of {sizes[1:-1]} units")
    how = f" of {trained}" if trained else ""
    fig.suptitle(f"{shape} from {len(first)} initializations: the spread per layer at the "
                 f"start (solid) and after {last} epoch{'s' if last != 1 else ''}{how} (dashed)")
    return fig


def _draw_inits(ax, runs, name):
    """One colour per initialization on ``ax``: ``name`` per hidden layer at
    the first record (solid) and the last (dashed). Returns the last epoch."""
    last = 0
    for i, (init, stats) in enumerate(runs.items()):
        values, epochs = getattr(stats, name)[:, :-1], stats.epochs
        layers = np.arange(1, values.shape[1] + 1)
        style = dict(color=CLASS_COLORS[i % len(CLASS_COLORS)],
                     marker=CURVE_MARKERS[i % len(CURVE_MARKERS)], markersize=4)
        label = INIT_NAMES.get(init, init)
        if not np.all(np.isnan(values[0])):  # the start has no update ratio
            ax.plot(layers, values[0], linewidth=2, label=f"{label}: start", **style)
        if len(epochs) > 1:
            ax.plot(layers, values[-1], linestyle="--", linewidth=1, alpha=0.8,
                    label=f"{label}: epoch {epochs[-1]}", **style)
            last = max(last, int(epochs[-1]))
    ax.set_yscale("log")
    ax.set_xticks(layers)
    ax.grid(alpha=0.3, which="major")
    return last
