"""Forward propagation: a layer's linear step ([`forward_linear`][barenet.notebook.forward_linear])
and activation ([`forward_activation`][barenet.notebook.forward_activation]), then the pass through
all L layers ([`forward_prop`][barenet.notebook.forward_prop]), with inverted dropout and batch
normalization on the hidden layers."""

from .._checks import as_generator
from ..core import activations as _activations
from ..core.linear import linear_forward
from ..core.normalization import batchnorm_forward, batchnorm_inference, update_running_stats
from ..core.regularization import dropout_mask
from . import checks
from .caches import LayerCache, LinearCache

BN_MOMENTUM = 0.9  # running statistics: rho * running + (1 - rho) * batch
BN_EPS = 1e-5


def forward_linear(W, A, b):
    """Linear part of a layer's forward pass.

    Arguments:
    W -- weights, (n_l, n_{l-1})
    A -- the previous layer's activations, (n_{l-1}, m)
    b -- biases, (n_l, 1)

    Returns:
    Z -- W A + b, (n_l, m)
    linear_cache -- LinearCache(A_prev=A, W=W, b=b)
    """
    W, A, b = checks.check_linear_step(W, A, b)
    return _linear(W, A, b)


def _linear(W, A, b):
    """forward_linear on arguments already checked (forward_prop checks the
    parameters and X once, not at each layer)."""
    return linear_forward(W, A, b), LinearCache(A, W, b)


def forward_activation(Z, activation):
    """A layer's activation.

    Arguments:
    Z -- output of the linear step
    activation -- a name from barenet.activations.REGISTRY, or an Activation

    Returns:
    A -- g(Z)
    activation_cache -- Z, for the backward pass
    """
    return _activations.get(activation).forward(Z), Z


def forward_prop(X, layer_activations, parameters, keep_prob=1.0, seed=None, training=True):
    """One forward pass through all L layers.

    Arguments:
    X -- input data of shape (n_0, m)
    layer_activations -- one activation per weight layer (L entries)
    parameters -- output of initialize_parameters
    keep_prob -- for (inverted) dropout on the hidden layers: the probability
        of keeping a unit, one number or one per hidden layer; 1 means no dropout
    seed -- int or numpy.random.Generator for the dropout masks
    training -- False for predictions: no dropout, and batch normalization
        uses the running statistics instead of the batch's (which a training
        pass folds into running_mean{l} and running_var{l})

    Returns:
    AL -- output of the last layer
    caches -- list of L LayerCache tuples (linear_cache, activation_cache,
        dropout_mask, batchnorm_cache), layer 1 first
    """
    L = checks.n_layers(parameters)
    activations = checks.check_layer_activations(layer_activations, L)
    keep_probs = checks.keep_probs(keep_prob, L)
    rng = as_generator(seed) if training and min(keep_probs, default=1) < 1 else None
    A = checks.check_input(X, parameters)
    caches = []
    for l in range(1, L + 1):
        Z, linear_cache = _linear(parameters[f"W{l}"], A, parameters[f"b{l}"])
        bn_cache = None
        if f"gamma{l}" in parameters:
            gamma, beta = parameters[f"gamma{l}"], parameters[f"beta{l}"]
            mean, var = parameters[f"running_mean{l}"], parameters[f"running_var{l}"]
            if training:
                Z, bn_cache = batchnorm_forward(Z, gamma, beta, BN_EPS)
                if Z.shape[1] > 1:
                    update_running_stats(mean, var, bn_cache, BN_MOMENTUM)
            else:
                Z = batchnorm_inference(Z, gamma, beta, mean, var, BN_EPS)
        A, activation_cache = forward_activation(Z, activations[l - 1])
        mask = None
        if rng is not None and l < L and keep_probs[l - 1] < 1:
            mask = dropout_mask(rng, A.shape, 1 - keep_probs[l - 1], A.dtype, like=A)
            A = A * mask
        caches.append(LayerCache(linear_cache, activation_cache, mask, bn_cache))
    return A, caches
