r"""Optimizers: the rules that turn gradients into parameter updates.

``opt.step(params, grads)`` updates a list of parameter arrays in place from
a list of gradient arrays of the same shapes; every optimizer takes
``clipnorm`` (:func:`clip_by_global_norm`). What an optimizer keeps and how
a step runs: :mod:`barenet.optim.base`.

The rules are written in :mod:`barenet.optim`, one short class each; this
module is their public home, by the names barenet has always given them.
"""

from .errors import TrainingDiverged
from .optim import (
    GD,
    REGISTRY,
    Adam,
    AdamW,
    Momentum,
    Optimizer,
    RMSProp,
    clip_by_global_norm,
    get,
    global_norm,
)

__all__ = ["Optimizer", "GD", "Momentum", "RMSProp", "Adam", "AdamW", "REGISTRY", "get",
           "global_norm", "clip_by_global_norm", "TrainingDiverged"]
