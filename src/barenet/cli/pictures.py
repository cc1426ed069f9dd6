"""The pictures ``barenet train`` and ``barenet compare`` write on request:
training as an animation (``--animate``), the network drawn (``network.png``),
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


def training(console, record, net, data, out, validation_label):
    """``out/training.gif``: the boundary and the learning curves, epoch by epoch."""
    from .. import plot

    anim = plot.animate(record, data.X_train, data.y_train, title=data.name,
                        feature_names=data.feature_names, validation_label=validation_label)
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
