"""barenet: fully connected neural networks in plain NumPy.

The notebook's L-layer network, every block correct and proven:

- :class:`Network` -- the high-level model (X is samples x features);
- :mod:`barenet.notebook` -- the notebook's step-by-step functions (X is
  features x samples);
- :class:`GD`, :class:`Momentum` (and Nesterov), :class:`RMSProp`,
  :class:`Adam`, :class:`AdamW` -- optimizers, with :mod:`barenet.schedules`
  for learning-rate schedules;
- L2, dropout and batch normalization (:class:`Network` arguments and the
  notebook functions); :mod:`barenet.callbacks` such as :class:`EarlyStopping`;
- :func:`gradient_check` -- finite-difference check of back propagation;
- :func:`load` and :meth:`Network.save` -- models as arrays plus JSON, no pickle;
- :class:`Standardizer` -- the inputs' standardization, which
  ``Network(..., standardize=True)`` fits, saves and exports with the model;
- :mod:`barenet.datasets` -- generated data sets and loaders; :mod:`barenet.plot`
  -- learning curves and decision boundaries; :mod:`barenet.cli` -- the
  ``barenet`` command;
- :mod:`barenet.activations`, :mod:`barenet.initializers`,
  :mod:`barenet.losses`, :mod:`barenet.linear` -- the shared math core.
"""

from . import (
    activations,
    callbacks,
    datasets,
    initializers,
    losses,
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

__version__ = "0.1.0"

__all__ = [
    "Network",
    "GD",
    "Momentum",
    "RMSProp",
    "Adam",
    "AdamW",
    "Callback",
    "EarlyStopping",
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
