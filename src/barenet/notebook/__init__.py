"""The notebook's step-by-step API, working, by the notebook's names.

Layout, as in the notebook: ``X`` has shape ``(n_features, m)`` (one column
per sample), ``Y`` has shape ``(n_outputs, m)``, and ``parameters`` is the dict
``{'W1': ..., 'b1': ..., 'W2': ...}`` with ``W{l}`` of shape
``(n_l, n_{l-1})`` and ``b{l}`` of shape ``(n_l, 1)``.

``layer_activations`` has **one entry per weight layer**: for ``layer_shape =
[n_0, n_1, ..., n_L]`` it is ``[g_1, ..., g_L]`` (``len(layer_shape) - 1``
entries), layer ``l`` using ``layer_activations[l - 1]`` both forward and
backward. Any other length is an error.

Regularization, as in the course: ``lambd`` (L2) in [`cost`][barenet.notebook.cost] and
[`backward_prop`][barenet.notebook.backward_prop]; ``keep_prob`` (inverted dropout on the hidden
layers) in [`forward_prop`][barenet.notebook.forward_prop], whose masks
[`backward_prop`][barenet.notebook.backward_prop] reuses; batch normalization of the hidden layers
with ``initialize_parameters(..., batch_norm=True)``, which adds ``gamma{l}``,
``beta{l}`` (trained) and ``running_mean{l}``, ``running_var{l}`` (updated by
training-mode forward passes, used when ``training=False``).

Every function here calls the core ([`barenet.core`][barenet.core],
[`barenet.optim`][barenet.optim]): the formulas [`barenet.Network`][barenet.Network] trains with,
each written once. ``Network`` runs them in place through the fast layer
([`barenet.fast`][barenet.fast]), whose tests prove it gives the core's numbers bit for bit.

A whole training run, as the notebook's outline puts it:

    parameters = initialize_parameters([2, 5, 2, 1], "he", seed=0)
    optimizer = Adam(lr=0.0075)
    for epoch in range(1000):
        for X_batch, Y_batch in random_mini_batches(X, Y, 64, seed=epoch):
            AL, caches = forward_prop(X_batch, ["relu", "relu", "sigmoid"], parameters)
            grads = backward_prop(AL, Y_batch, caches, ["relu", "relu", "sigmoid"])
            parameters = update_parameters(parameters, grads, optimizer)

Where each function is written, a module per step of the notebook's outline
(each name is importable from ``barenet.notebook`` itself):

- ``activations``: relu, sigmoid, tanh, leaky_relu
- ``parameters``: initialize_parameters
- ``caches``: LinearCache, LayerCache, what the forward pass keeps
- ``forward``: forward_linear, forward_activation, forward_prop
- ``cost_function``: cost
- ``backward``: backward_linear, backward_activation, backward_prop
- ``update``: update_parameters
- ``model``: random_mini_batches, predict, L_layer_model
- ``checks``: the argument checks, kept apart so that each function reads
  as the notebook's formulas (internal to barenet)
"""

from . import checks  # the argument checks; barenet.gradcheck uses them too
from .activations import relu, sigmoid, tanh, leaky_relu
from .parameters import initialize_parameters
from .forward import forward_linear, forward_activation, forward_prop
from .cost_function import cost
from .backward import backward_linear, backward_activation, backward_prop
from .update import update_parameters
from .model import random_mini_batches, predict, L_layer_model

# public too, though not in __all__ (as ever: ``import *`` leaves them out)
from .caches import LinearCache, LayerCache
from .checks import BATCH_NORM_KEYS
from .forward import BN_MOMENTUM, BN_EPS

__all__ = [
    "relu", "sigmoid", "tanh", "leaky_relu",
    "initialize_parameters", "forward_linear", "forward_activation", "forward_prop",
    "cost", "backward_linear", "backward_activation", "backward_prop",
    "update_parameters", "random_mini_batches", "predict", "L_layer_model",
]
