"""barenet: fully connected neural networks in plain NumPy.

The notebook's L-layer network, every block correct and proven:

- [`Network`][barenet.Network] -- the high-level model (X is samples x features);
- [`barenet.notebook`][barenet.notebook] -- the notebook's step-by-step functions (X is
  features x samples);
- [`GD`][barenet.optimizers.GD], [`Momentum`][barenet.optimizers.Momentum] (and Nesterov),
  [`RMSProp`][barenet.optimizers.RMSProp], [`Adam`][barenet.optimizers.Adam],
  [`AdamW`][barenet.optimizers.AdamW] -- optimizers, with
  [`barenet.schedules`][barenet.optim.schedules] for learning-rate schedules;
- L2, dropout and batch normalization ([`Network`][barenet.Network] arguments and the
  notebook functions); [`barenet.callbacks`][barenet.callbacks] such as
  [`EarlyStopping`][barenet.callbacks.EarlyStopping];
- [`gradient_check`][barenet.gradcheck.gradient_check] -- finite-difference check of back
  propagation;
- [`load`][barenet.io.persistence.load] and [`Network.save`][barenet.Network.save] -- models as
  arrays plus JSON, no pickle;
- [`Standardizer`][barenet.preprocessing.Standardizer] -- the inputs' standardization, which
  ``Network(..., standardize=True)`` fits, saves and exports with the model;
- [`barenet.datasets`][barenet.datasets] -- generated data sets and loaders;
  [`barenet.plot`][barenet.plot]
  -- learning curves and decision boundaries; `barenet.cli` -- the
  ``barenet`` command;
- [`barenet.activations`][barenet.core.activations],
  [`barenet.initializers`][barenet.core.initializers], [`barenet.losses`][barenet.core.losses],
  [`barenet.linear`][barenet.core.linear] -- the shared math core.
"""

from . import (
    activations,
    callbacks,
    datasets,
    initializers,
    losses,
    metrics,
    notebook,
    optimizers,
    schedules,
)
from .callbacks import Callback, EarlyStopping, ModelCheckpoint
from .errors import NotFittedError, TrainingDiverged
from .gradcheck import gradient_check
from .network import Network
from .io import ModelFileError, load
from . import persistence  # noqa: F401  (barenet.persistence, as before)
from .preprocessing import Standardizer
from .optimizers import GD, Adam, AdamW, Momentum, RMSProp
from . import fast  # noqa: E402,F401  (plugs the NumPy fast layer into the core)
from .training import History

from ._version import __version__  # noqa: E402


def __getattr__(name):
    """``barenet.LivePlot`` ([`LivePlot`][barenet.plot.live.LivePlot]), imported when first
    asked for: importing barenet loads neither matplotlib nor IPython."""
    if name == "LivePlot":
        from .plot.live import LivePlot
        return LivePlot
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Network",
    "GD",
    "Momentum",
    "RMSProp",
    "Adam",
    "AdamW",
    "Callback",
    "EarlyStopping",
    "LivePlot",
    "ModelCheckpoint",
    "History",
    "gradient_check",
    "load",
    "ModelFileError",
    "Standardizer",
    "NotFittedError",
    "TrainingDiverged",
    "activations",
    "callbacks",
    "datasets",
    "initializers",
    "losses",
    "notebook",
    "optimizers",
    "schedules",
]
