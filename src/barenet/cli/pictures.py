"""The pictures ``barenet train`` and ``barenet compare`` write: after
training (`figures`: the learning curves, the decision boundary or the fit,
the network drawn), and on request training as an animation (``--animate``),
the optimizers' paths (``--paths``) and the initialization lesson (``--init``).

Each option is checked against the data before any training (a boundary
needs 2-feature classification data), and each file is written whole or not
at all.
"""

import os

from ..model.recorders import Snapshots
from .common import UsageError

# Frames of an animation at most: the recorder thins its snapshots to stay
# under this, whatever the number of epochs (barenet.model.recorders).
FRAMES = 100

# network.png for data that is not 2-D (each neuron a histogram): at most this
# many features, and no layer wider than this many units; beyond, the drawing
# is unreadable. 2-D data (each neuron a map over the plane) is always drawn.
NETWORK_MAX_FEATURES, NETWORK_MAX_UNITS = 16, 64


def check_boundary_data(data, regression, option):
    """A UsageError unless ``data`` is 2-feature classification data, which
    ``option`` draws a decision boundary over."""
    n_features = data.X_train.shape[1]
    if n_features != 2 or regression:
        what = "regression data" if regression else f"{n_features}-feature data"
        raise UsageError(f"{option} draws decision boundaries over a plane: it needs "
                         f"2-feature classification data, and {data.name} is {what}")


def recorder(wanted):
    """A snapshot recorder for an animation or paths, or None if not ``wanted``."""
    return Snapshots(max_snapshots=FRAMES) if wanted else None


def write(console, picture, path, dpi=110):
    """Save a figure or an animation to ``path`` and say so."""
    from .. import plot

    if isinstance(picture, plot.TrainingAnimation):
        plot.save_animation(picture, path)
    else:
        picture.savefig(path, dpi=dpi)
    console.print(f"wrote {path}")


def training_label(net):
    """What the learning curves call the training curve of ``net``'s History:
    with L2 regularization (``net.l2 > 0``) its ``'loss'`` is the training
    objective, the loss plus the penalty, beside a test or validation curve
    of the plain loss -- the legend says so."""
    return "training (loss + L2 penalty)" if (getattr(net, "l2", 0) or 0) > 0 else "training"


def training(console, record, net, data, out, validation_label):
    """``out/training.gif``: the boundary and the learning curves, epoch by epoch."""
    from .. import plot

    anim = plot.animate(record, data.X_train, data.y_train, title=data.name,
                        feature_names=data.feature_names, validation_label=validation_label,
                        training_label=training_label(net))
    write(console, anim, os.path.join(out, "training.gif"))


def network(console, net, data, out):
    """``out/network.png``: every neuron's activation over the input plane."""
    from .. import plot

    write(console, plot.network(net, data.X_train, feature_names=data.feature_names,
                                title=f"{data.name}: the trained network"),
          os.path.join(out, "network.png"))


def comparison(console, runs, data, out):
    """``out/compare.gif``: the four optimizers' boundaries and losses, epoch by epoch."""
    from .. import plot

    anim = plot.animate_comparison(runs, data.X_train, data.y_train,
                                   title=f"{data.name}: the same network, four optimizers",
                                   feature_names=data.feature_names)
    write(console, anim, os.path.join(out, "compare.gif"))


def paths(console, runs, nets, data, out):
    """``out/paths.png``: the four rules on an ill-conditioned quadratic and
    on Rosenbrock's function; ``out/paths_network.png``: the four runs'
    parameters, epoch by epoch, on the plane of their two principal
    directions through the last run's final parameters, over its loss."""
    from .. import plot

    write(console, plot.optimizer_paths(surface=("quadratic", "rosenbrock")),
          os.path.join(out, "paths.png"))
    last = list(nets)[-1]
    write(console, plot.network_paths(
        nets[last], data.X_train, data.y_train, runs,
        title=f"{data.name}: the four runs on their two principal directions,\n"
              f"over the loss around {last}'s final parameters"),
        os.path.join(out, "paths_network.png"))


def initializations(console, data, seed, out):
    """``out/init.png``: a 10-layer network's activations and gradients, layer
    by layer, from the notebook's three initializations (tanh and ReLU)."""
    from .. import plot

    write(console, plot.init_comparison(data.X_train, data.y_train, seed=seed),
          os.path.join(out, "init.png"))


def write_figure(console, fig, path):
    fig.savefig(path, dpi=110)
    console.print(f"wrote {path}")


def draws_network(n_features, layer_sizes):
    """Whether train writes network.png: for 2-D data, and for other data of at
    most `NETWORK_MAX_FEATURES` features whose widest layer (inputs and
    outputs included) has at most `NETWORK_MAX_UNITS` units."""
    return n_features == 2 or (n_features <= NETWORK_MAX_FEATURES
                               and max(layer_sizes) <= NETWORK_MAX_UNITS)


def figures(console, net, data, history, paths, validation_label, targets=None,
             scaled=False):
    """The figures train writes after training: learning_curves.png; for a
    classifier on 2-D data decision_boundary.png; for a regressor fit.png
    (``targets`` naming its targets, or None); and network.png where
    `draws_network` says so. ``scaled``: the History is in the units of
    standardized targets (`barenet.cli.targets`)."""
    from .. import plot

    if history is not None and history.epochs:
        title = f"{data.name} (targets standardized)" if scaled else data.name
        write_figure(console, plot.learning_curves(history, title=title,
                                                    validation_label=validation_label,
                                                    training_label=training_label(net)),
                      paths["learning_curves.png"])
    n_features = data.X_train.shape[1]
    if n_features == 2 and net.task != "regression":
        fig = plot.decision_boundary(net, data.X_train, data.y_train, X_test=data.X_test,
                                     y_test=data.y_test, feature_names=data.feature_names,
                                     title=data.name)
        write_figure(console, fig, paths["decision_boundary.png"])
    if net.task == "regression":  # the predictions against the targets
        fig = plot.regression_fit(net, data.X_train, data.y_train, X_test=data.X_test,
                             y_test=data.y_test, feature_names=data.feature_names,
                             target_names=targets, title=data.name)
        write_figure(console, fig, paths["fit.png"])
    if draws_network(n_features, net.layer_sizes):
        # every neuron's activation: over the input plane (2-D), else its histogram
        network(console, net, data, os.path.dirname(paths["network.png"]))
