r"""Optimizers: the rules that turn gradients into parameter updates.

``opt.step(params, grads)`` updates a list of parameter arrays in place from
a list of gradient arrays of the same shapes; every optimizer takes
``clipnorm`` ([`clip_by_global_norm`][barenet.optimizers.clip_by_global_norm]). What an optimizer
keeps and how a step runs: [`barenet.optim.base`][barenet.optim.base].

The rules are written in [`barenet.optim`][barenet.optim], one short class each; this
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
