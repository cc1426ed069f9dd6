"""Initialization: the parameters dict ``{'W1': ..., 'b1': ..., 'W2': ...}``
(with ``gamma{l}``, ``beta{l}``, ``running_mean{l}``, ``running_var{l}`` for
batch-normalized hidden layers), drawn by
[`barenet.core.initializers`][barenet.core.initializers]."""

import numpy as np

import array_api_compat

from .._checks import as_generator, check_bool
from ..core.namespace import NUMPY, namespace
from ..core.initializers import initialize
from . import checks


def initialize_parameters(layer_shape, initialization_method="he", seed=None, batch_norm=False,
                          like=None):
    """Initialize ``W1, b1, ..., WL, bL`` for a network of shape ``layer_shape``.

    Arguments:
    layer_shape -- list of layer sizes ``[n_0, n_1, ..., n_L]``
    initialization_method -- 'random' (N(0, 1) * 0.01), 'xavier' (* sqrt(1/n_prev))
        or 'he' (* sqrt(2/n_prev)); biases are zero
    seed -- int, numpy.random.Generator or None: where the random draws come
            from; None draws fresh entropy from the operating system (NumPy's
            global np.random.seed is not used: pass seed=1 for the same
            network every time)
    batch_norm -- also add batch normalization to every hidden layer: ``gamma{l}`` = 1,
        ``beta{l}`` = 0, ``running_mean{l}`` = 0, ``running_var{l}`` = 1, each (n_l, 1)
    like -- an array of another library (a torch tensor, a CuPy array): the
        parameters are drawn in NumPy as without it, then moved to its library
        and device, in its dtype, so that a seed gives the same network everywhere

    Returns:
    parameters -- dict with ``W{l}`` of shape (n_l, n_{l-1}) and ``b{l}`` of shape (n_l, 1)
    """
    sizes = checks.check_layer_shape(layer_shape)
    batch_norm = check_bool("batch_norm", batch_norm)
    try:
        weights = [np.empty((n, n_prev)) for n_prev, n in zip(sizes[:-1], sizes[1:])]
        biases = [np.empty((n, 1)) for n in sizes[1:]]
    except MemoryError:
        raise ValueError(f"layer_shape {sizes} needs more memory than this machine has") \
            from None
    initialize(weights, biases, initialization_method, as_generator(seed))
    parameters = {}
    for l, (W, b) in enumerate(zip(weights, biases), 1):
        parameters[f"W{l}"] = W
        parameters[f"b{l}"] = b
        if batch_norm and l < len(weights):
            n = W.shape[0]
            parameters.update({f"gamma{l}": np.ones((n, 1)), f"beta{l}": np.zeros((n, 1)),
                               f"running_mean{l}": np.zeros((n, 1)),
                               f"running_var{l}": np.ones((n, 1))})
    if like is not None and namespace(like) is not NUMPY:
        xp, device = namespace(like), array_api_compat.device(like)
        parameters = {key: xp.asarray(value, dtype=like.dtype, device=device)
                      for key, value in parameters.items()}
    return parameters
