"""Optimizers: the rules that turn gradients into parameter updates.

One short class per rule over a named state ([`barenet.optim.rules`][barenet.optim.rules],
[`barenet.optim.adam`][barenet.optim.adam]), on a base that holds what every rule shares
([`barenet.optim.base`][barenet.optim.base]), clipping by the global norm
([`barenet.optim.clipping`][barenet.optim.clipping]) and the learning-rate schedules
([`barenet.optim.schedules`][barenet.optim.schedules]). ``get(name_or_optimizer)`` is the one way to
look an optimizer up by name.
"""

from .._checks import from_registry
from .adam import Adam, AdamW
from .base import RUNNERS, Optimizer
from .clipping import clip_by_global_norm, global_norm
from .rules import GD, Momentum, RMSProp

REGISTRY = {cls.name: cls for cls in (GD, Momentum, RMSProp, Adam, AdamW)}
"""The optimizers by name: ``'gd'``, ``'momentum'``, ``'rmsprop'``, ``'adam'`` and ``'adamw'``,
each mapped to its class."""


def get(optimizer):
    """Return an optimizer object for a name in [`REGISTRY`][barenet.optimizers.REGISTRY] (with its
    default settings), or the object itself."""
    return from_registry("optimizer", REGISTRY, optimizer, Optimizer)


__all__ = ["Optimizer", "GD", "Momentum", "RMSProp", "Adam", "AdamW", "REGISTRY", "RUNNERS",
           "get", "global_norm", "clip_by_global_norm"]
