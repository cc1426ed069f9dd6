"""Backward propagation: a layer's linear step
([`backward_linear`][barenet.notebook.backward_linear]) and activation
([`backward_activation`][barenet.notebook.backward_activation]), then the pass back through all L
layers ([`backward_prop`][barenet.notebook.backward_prop]), reusing the caches of the forward
pass."""

from ..core import activations as _activations
from ..core import losses as _losses
from ..core.linear import linear_backward
from ..core.normalization import batchnorm_backward
from ..core.regularization import add_l2_gradient
from . import checks


def backward_linear(dZ, cache):
    """Linear part of a layer's backward pass.

    Arguments:
    dZ -- each sample's loss gradient with respect to Z (without the 1/m,
          which dW and db apply), shape (n_l, m)
    cache -- the LinearCache (A_prev, W, b) of this layer: a LayerCache's
             ``linear_cache``

    Returns:
    dA_prev -- W^T dZ
    dW -- dZ A_prev^T / m
    db -- mean of dZ over samples, shape (n_l, 1)
    """
    A_prev, W, _ = checks.check_linear_cache(cache)
    return linear_backward(dZ, A_prev, W)


def backward_activation(dA, Z, activation):
    """dZ = dA * g'(Z) for the layer's activation (a Jacobian product for
    softmax); ``Z`` is the layer's activation input, a LayerCache's
    ``activation_cache``."""
    if isinstance(Z, tuple):
        raise TypeError("Z is a cache; backward_activation takes the layer's activation "
                        "input Z: a LayerCache's activation_cache")
    activation = _activations.get(activation)
    return activation.backward(dA, Z, activation.forward(Z))


def backward_prop(AL, Y, caches, layer_activations, loss="binary_crossentropy", lambd=0.0):
    """One backward pass through all L layers.

    Arguments:
    AL -- output of forward_prop
    Y -- targets, same shape as AL
    caches -- caches from forward_prop (their dropout masks are reused)
    layer_activations -- the same list given to forward_prop
    loss -- the cost's loss (default: the notebook's binary cross-entropy)
    lambd -- the L2 regularization strength given to cost

    Returns:
    grads -- dict with ``dA{L}`` (the elementwise derivative of each sample's
    loss with respect to AL), and ``dW{l}``, ``db{l}``, ``dA{l-1}`` for each
    layer l (and ``dgamma{l}``, ``dbeta{l}`` for batch-normalized ones). For
    sigmoid + binary cross-entropy and softmax + categorical cross-entropy
    the output's dZ is the fused ``AL - Y``.
    """
    caches, activations = checks.check_caches(caches, layer_activations)
    L = len(caches)
    loss = _losses.get(loss)
    lambd = checks.check_lambd(lambd)
    AL, Y = checks.check_targets(AL, Y, loss)
    checks.check_output_shape(AL, caches)
    m = AL.shape[1]

    grads = {f"dA{L}": loss.gradient(AL, Y)}
    cache = caches[L - 1]
    dZ = _losses.output_gradient(loss, activations[L - 1], AL, cache.activation_cache, Y)
    for l in range(L, 0, -1):
        cache = caches[l - 1]
        if l < L:
            dA = grads[f"dA{l}"]
            if cache.dropout_mask is not None:
                dA = dA * cache.dropout_mask
            dZ = backward_activation(dA, cache.activation_cache, activations[l - 1])
        if cache.batchnorm_cache is not None:
            dZ, grads[f"dgamma{l}"], grads[f"dbeta{l}"] = batchnorm_backward(
                dZ, cache.batchnorm_cache)
        dA_prev, dW, db = backward_linear(dZ, cache.linear_cache)
        add_l2_gradient([dW], [cache.linear_cache.W], lambd, m)
        grads[f"dA{l - 1}"] = dA_prev
        grads[f"dW{l}"] = dW
        grads[f"db{l}"] = db
    return grads
