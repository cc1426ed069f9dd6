"""What the forward pass keeps for the backward pass: one cache per layer.

[`barenet.notebook.forward_prop`][barenet.notebook.forward_prop] returns a list of
[`LayerCache`][barenet.notebook.LayerCache], layer 1 first, which
[`barenet.notebook.backward_prop`][barenet.notebook.backward_prop] takes back.
"""

from typing import NamedTuple

import numpy as np


class LinearCache(NamedTuple):
    """What the linear step keeps for its backward pass."""

    A_prev: np.ndarray
    W: np.ndarray
    b: np.ndarray


class LayerCache(NamedTuple):
    """What a layer's forward pass keeps for [`backward_prop`][barenet.notebook.backward_prop]."""

    linear_cache: LinearCache
    activation_cache: np.ndarray  # Z, the activation's input (after batch norm)
    dropout_mask: object = None  # the scaled mask M / keep_prob, or None
    batchnorm_cache: object = None  # a BatchNormCache, or None
