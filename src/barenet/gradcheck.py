r"""Gradient checking by centered finite differences.

For every parameter $\theta_i$,

$$
g_i^{num} = \frac{J(\theta + \epsilon e_i) - J(\theta - \epsilon e_i)}{2 \epsilon}
$$

and the analytic gradient $g$ from back propagation is compared through

$$
\text{relative error} = \frac{\lVert g - g^{num} \rVert_2}{\lVert g \rVert_2 + \lVert g^{num}
\rVert_2}
$$

In float64 a correct gradient gives about 1e-9 or less; above 1e-7 there is
very likely a bug. Do it in float32 and the rounding drowns the signal, so the
check insists on float64.

The check runs in the library of its inputs, as everything else: a network
on PyTorch (CPU or GPU), CuPy or ``array_api_strict``, or the notebook's
parameters as arrays of such a library, are nudged and evaluated there, on
their device; the two gradients are then compared on the host.
"""

import math

import numpy as np

from .core import losses as _losses
from .core.namespace import NUMPY, namespace, to_numpy
from ._buffers import flat_views
from ._checks import check_array, check_matrix, check_positive


def relative_error(g, g_num):
    """``||g - g_num|| / (||g|| + ||g_num||)``, 0 when both are zero."""
    denominator = np.linalg.norm(g) + np.linalg.norm(g_num)
    return 0.0 if denominator == 0 else float(np.linalg.norm(g - g_num) / denominator)


def numerical_gradient(cost, theta, epsilon=1e-6):
    """Centered differences of ``cost()`` over every entry of the flat vector ``theta``.

    ``cost`` reads ``theta`` (or views of it); each entry is nudged in place
    and restored, so ``theta`` ends as it began. ``theta`` may be an array of
    any library (nudged there, on its device); the result is a NumPy array.
    """
    if isinstance(theta, np.ndarray):
        g, entry = np.empty_like(theta), lambda i: theta[i]  # a NumPy scalar is a copy
    else:  # another library's index may be a view: each entry kept as a 0-d copy
        xp = namespace(theta)
        g = np.empty(math.prod(theta.shape), dtype=to_numpy(theta[:0]).dtype)
        entry = lambda i: xp.asarray(theta[i], copy=True)  # noqa: E731
    for i in range(g.size):
        old = entry(i)
        theta[i] = old + epsilon
        plus = cost()
        theta[i] = old - epsilon
        minus = cost()
        theta[i] = old
        g[i] = float((plus - minus) / (2 * epsilon))
    return g


def gradient_check(model, X, y, epsilon=1e-6, layer_activations=None,
                   loss="binary_crossentropy", lambd=0.0, keep_prob=1.0, seed=0):
    """Relative error between back propagation's gradient and finite differences.

    Two forms:

    - ``gradient_check(network, X, y)`` for a float64 [`barenet.Network`][barenet.Network],
      with ``X`` of shape (n_samples, n_features) and ``y`` its targets; a
      network with a ``scaler_`` standardizes ``X`` first, as its other
      methods do, and the gradient is the one training follows (with respect
      to the parameters, on the standardized inputs);
    - ``gradient_check(parameters, X, Y, layer_activations=[...], loss=...,
      lambd=..., keep_prob=..., seed=...)`` for the notebook's parameter dict,
      ``X`` of shape (n_0, m) and ``Y`` of shape (n_L, m), as in
      [`barenet.notebook`][barenet.notebook].

    The check runs in training mode -- batch normalization with the batch's
    statistics, L2 included -- and with one dropout mask, drawn once and held
    fixed while the parameters are nudged. Returns the relative error over
    all trained parameters (a float). Parameters and running statistics are
    left exactly as they were.

    Either form runs on any array library: a network on PyTorch, CuPy or
    ``array_api_strict`` (after ``fit`` or [`Network.to`][barenet.Network.to])
    takes ``X`` and ``y`` of its library and device (NumPy labels too), and a
    parameter dict of such arrays takes ``X`` and ``Y`` of the same library.
    The finite differences are computed there, on the device.
    """
    epsilon = check_positive("epsilon", epsilon)
    from .model.network import Network

    if isinstance(model, Network):
        return _check_network(model, X, y, epsilon)
    if isinstance(model, dict):
        if layer_activations is None:
            raise TypeError("gradient_check on a parameter dict needs layer_activations")
        return _check_parameters(model, X, y, layer_activations, loss, lambd, keep_prob, seed,
                                 epsilon)
    raise TypeError(
        f"model must be a barenet.Network or the notebook's parameter dict, got "
        f"{type(model).__name__}"
    )


def _check_network(net, X, y, epsilon):
    if net.dtype != np.float64:
        raise ValueError(
            "gradient_check needs a float64 network (float32 rounding hides the "
            "signal); build it with dtype='float64'"
        )
    X = net.prepare(X)
    Y, _ = net.encode(y, X.shape[0])
    X_T, Y_T, engine = X.T, Y.T, net.engine
    snapshot = net.flat.snapshot()
    _, ws = engine.forward(X_T, training=True, rng=net.rng)
    masks = list(ws.masks)
    engine.step_value_and_grad(X_T, Y_T, masks=masks)
    g = to_numpy(net.flat.grad).copy()  # on the host, whatever the network's library

    def cost():
        return engine.objective(engine.forward(X_T, training=True, masks=masks)[0], Y_T)

    g_num = numerical_gradient(cost, net.parameters, epsilon)
    net.flat.restore(snapshot)
    return relative_error(g, g_num)


def _check_parameters(parameters, X, Y, layer_activations, loss, lambd, keep_prob, seed,
                      epsilon):
    from . import notebook

    L = notebook.checks.n_layers(parameters)
    notebook.checks.check_layer_activations(layer_activations, L)
    X = check_matrix("X", X, dtype=np.float64, any_library=True)
    Y = check_array("Y", Y, dtype=np.float64, any_library=True)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError("seed must be an integer here: each pass redraws the same dropout masks")
    notebook.checks.keep_probs(keep_prob, L)
    notebook.checks.check_lambd(lambd)
    _losses.get(loss)
    keys = notebook.checks.trainable_keys(parameters, L)
    # Work on a copy packed into one vector, with a dict of views into it;
    # running statistics are copied too, so the caller's stay as they were.
    xp = namespace(X, Y, *parameters.values())  # a TypeError for mixed libraries
    if xp is NUMPY:
        theta = np.concatenate([np.asarray(parameters[k], dtype=np.float64).ravel()
                                for k in keys])
        views = dict(zip(keys, flat_views(theta, [np.shape(parameters[k]) for k in keys])))
        views.update({k: np.array(v, dtype=np.float64) for k, v in parameters.items()
                      if k not in views})
    else:  # the same on the parameters' library and device
        theta = xp.concat([xp.reshape(xp.astype(parameters[k], xp.float64), (-1,))
                           for k in keys])
        views = dict(zip(keys, flat_views(theta, [tuple(parameters[k].shape) for k in keys])))
        views.update({k: xp.astype(v, xp.float64, copy=True)
                      for k, v in parameters.items() if k not in views})

    def forward():
        return notebook.forward_prop(X, layer_activations, views, keep_prob, seed)

    AL, caches = forward()
    grads = notebook.backward_prop(AL, Y, caches, layer_activations, loss, lambd)
    g = np.concatenate([to_numpy(grads[f"d{k}"]).ravel() for k in keys])

    def cost():
        return notebook.cost(forward()[0], Y, loss, views, lambd)

    return relative_error(g, numerical_gradient(cost, theta, epsilon))
