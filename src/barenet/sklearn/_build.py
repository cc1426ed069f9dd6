"""From an estimator's parameters to barenet's objects: the
[`Network`][barenet.Network] and its optimizer.

Each function reads the parameters from the estimator (``params``) by their
names; none changes it.
"""

import copy
import inspect

from .. import optimizers as _optimizers
from .._checks import check_bool, check_float_dtype
from ..core import activations as _activations
from ..model.network import Network
from ._params import hidden_activations, hidden_sizes, seed

# The plain optimizer settings, each passed to the optimizers that take it.
OPTIMIZER_SETTINGS = ("beta", "beta1", "beta2", "eps", "weight_decay", "nesterov", "clipnorm")


def make_optimizer(params):
    """A new optimizer with no state: a copy of an optimizer object, or
    the named one with ``learning_rate`` and the settings it takes."""
    optimizer = params.optimizer
    if isinstance(optimizer, _optimizers.Optimizer):
        optimizer = copy.deepcopy(optimizer)
        optimizer.reset()
        return optimizer
    if not (isinstance(optimizer, str) and optimizer in _optimizers.REGISTRY):
        raise ValueError(
            f"optimizer must be a barenet Optimizer or one of "
            f"{', '.join(map(repr, _optimizers.REGISTRY))}, got {optimizer!r}"
        )
    cls = _optimizers.REGISTRY[optimizer]
    settings = {"lr": params.learning_rate}
    settings.update((name, getattr(params, name)) for name in OPTIMIZER_SETTINGS)
    taken = inspect.signature(cls).parameters
    return cls(**{k: v for k, v in settings.items() if k in taken})


def make_network(params, n_features, n_outputs, output_activation):
    """A new Network: ``n_features`` inputs, the hidden layers the parameters
    describe, ``n_outputs`` units of ``output_activation``."""
    hidden = hidden_sizes(params.hidden_layer_sizes)
    return Network(
        [n_features, *hidden, n_outputs],
        hidden_activations(params.activation, len(hidden)) + [output_activation],
        init=params.init, seed=seed(params.random_state), dtype=params.dtype,
        l2=float(params.alpha), dropout=params.dropout, batch_norm=params.batch_norm,
        standardize=params.standardize,
    )


def same_architecture(params, net, n_features, n_outputs):
    """Whether ``net`` is the network the parameters describe (for warm starts)."""
    hidden = hidden_sizes(params.hidden_layer_sizes)
    n_hidden = len(hidden)

    def per_layer(value, off):
        value = off if value is None else value
        return list(value) if isinstance(value, (list, tuple)) else [value] * n_hidden

    try:
        wanted = [_activations.get(a) for a in hidden_activations(params.activation, n_hidden)]
        return (net.layer_sizes == (n_features, *hidden, n_outputs)
                and net.dtype == check_float_dtype("dtype", params.dtype)
                and net.standardize == check_bool("standardize", params.standardize)
                and list(net.activations[:-1]) == wanted
                and list(net.dropout[:-1]) == [float(r) for r in per_layer(params.dropout, 0.0)]
                and list(net.batch_norm[:-1]) == [bool(b) for b in
                                                  per_layer(params.batch_norm, False)])
    except (TypeError, ValueError):
        return False
