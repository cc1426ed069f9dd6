"""The notebook's step-by-step API, working, by the notebook's names.

Layout, as in the notebook: ``X`` has shape ``(n_features, m)`` (one column
per sample), ``Y`` has shape ``(n_outputs, m)``, and ``parameters`` is the dict
``{'W1': ..., 'b1': ..., 'W2': ...}`` with ``W{l}`` of shape
``(n_l, n_{l-1})`` and ``b{l}`` of shape ``(n_l, 1)``.

``layer_activations`` has **one entry per weight layer**: for ``layer_shape =
[n_0, n_1, ..., n_L]`` it is ``[g_1, ..., g_L]`` (``len(layer_shape) - 1``
entries), layer ``l`` using ``layer_activations[l - 1]`` both forward and
backward. Any other length is an error.

Every function here calls the same activation, loss, linear and optimizer code
as :class:`barenet.Network`; nothing is computed a second way.

A whole training run, as the notebook's outline puts it::

    parameters = initialize_parameters([2, 5, 2, 1], "he", seed=0)
    optimizer = Adam(lr=0.0075)
    for epoch in range(1000):
        for X_batch, Y_batch in random_mini_batches(X, Y, 64, seed=epoch):
            AL, caches = forward_prop(X_batch, ["relu", "relu", "sigmoid"], parameters)
            grads = backward_prop(AL, Y_batch, caches, ["relu", "relu", "sigmoid"])
            parameters = update_parameters(parameters, grads, optimizer)
"""

from typing import NamedTuple

import numpy as np

from . import activations as _activations
from . import losses as _losses
from . import optimizers as _optimizers
from ._checks import as_generator, check_int, check_matrix, check_positive
from .initializers import initialize
from .linear import linear_backward, linear_forward
from .training import minibatch_indices

__all__ = [
    "relu", "sigmoid", "tanh", "leaky_relu",
    "initialize_parameters", "forward_linear", "forward_activation", "forward_prop",
    "cost", "backward_linear", "backward_activation", "backward_prop",
    "update_parameters", "random_mini_batches", "predict", "L_layer_model",
]


# ----------------------------------------------------------------- activations
# The notebook's versions returned (A, Z) tuples, which forward_activation then
# stored as A. Here each returns A alone.

def relu(Z):
    """ReLU(Z) = max(0, Z)."""
    return _activations.ReLU().forward(Z)


def sigmoid(Z):
    """sigmoid(Z) = 1 / (1 + exp(-Z)), computed without overflow."""
    return _activations.Sigmoid().forward(Z)


def tanh(Z):
    """tanh(Z)."""
    return _activations.Tanh().forward(Z)


def leaky_relu(Z, slope=0.01):
    """max(slope * Z, Z)."""
    return _activations.LeakyReLU(slope).forward(Z)


# -------------------------------------------------------------- initialization

def initialize_parameters(layer_shape, initialization_method="he", seed=None):
    """Initialize ``W1, b1, ..., WL, bL`` for a network of shape ``layer_shape``.

    Arguments:
    layer_shape -- list of layer sizes ``[n_0, n_1, ..., n_L]``
    initialization_method -- 'random' (N(0, 1) * 0.01), 'xavier' (* sqrt(1/n_prev))
        or 'he' (* sqrt(2/n_prev)); biases are zero
    seed -- int, numpy.random.Generator or None: where the random draws come from

    Returns:
    parameters -- dict with ``W{l}`` of shape (n_l, n_{l-1}) and ``b{l}`` of shape (n_l, 1)
    """
    if isinstance(layer_shape, (str, bytes)) or not hasattr(layer_shape, "__len__"):
        raise TypeError(f"layer_shape must be a list of integers, got {layer_shape!r}")
    if len(layer_shape) < 2:
        raise ValueError(f"layer_shape needs at least two entries, got {list(layer_shape)}")
    sizes = [check_int(f"layer_shape[{i}]", n, minimum=1) for i, n in enumerate(layer_shape)]
    weights = [np.empty((n, n_prev)) for n_prev, n in zip(sizes[:-1], sizes[1:])]
    biases = [np.empty((n, 1)) for n in sizes[1:]]
    initialize(weights, biases, initialization_method, as_generator(seed))
    parameters = {}
    for l, (W, b) in enumerate(zip(weights, biases), 1):
        parameters[f"W{l}"] = W
        parameters[f"b{l}"] = b
    return parameters


def _n_layers(parameters):
    """Number of weight layers L, after checking ``parameters`` holds W1..WL, b1..bL."""
    if not isinstance(parameters, dict):
        raise TypeError(f"parameters must be a dict of W1, b1, ..., got {type(parameters).__name__}")
    L = 0
    while f"W{L + 1}" in parameters:
        L += 1
    expected = {f"{p}{l}" for l in range(1, L + 1) for p in "Wb"}
    if L == 0 or set(parameters) != expected:
        raise ValueError(
            f"parameters must hold exactly W1, b1, ..., WL, bL; got keys {sorted(parameters)}"
        )
    for l in range(1, L + 1):
        W, b = parameters[f"W{l}"], parameters[f"b{l}"]
        if np.ndim(W) != 2 or np.shape(b) != (np.shape(W)[0], 1):
            raise ValueError(
                f"W{l} must be 2-D and b{l} of shape (rows of W{l}, 1); got "
                f"{np.shape(W)} and {np.shape(b)}"
            )
        if l > 1 and np.shape(W)[1] != np.shape(parameters[f"W{l - 1}"])[0]:
            raise ValueError(
                f"W{l} has {np.shape(W)[1]} columns but W{l - 1} has "
                f"{np.shape(parameters[f'W{l - 1}'])[0]} rows"
            )
    return L


def _check_layer_activations(layer_activations, L):
    if isinstance(layer_activations, (str, bytes)) or not hasattr(layer_activations, "__len__"):
        raise TypeError(
            f"layer_activations must be a list with one activation per weight layer "
            f"({L} here), got {layer_activations!r}"
        )
    if len(layer_activations) != L:
        raise ValueError(
            f"layer_activations has {len(layer_activations)} entries but the network has "
            f"{L} weight layers; give one activation per weight layer (layer_shape[1:]), "
            "not one per entry of layer_shape"
        )
    return [_activations.get(a) for a in layer_activations]


# ---------------------------------------------------------- forward propagation

class LinearCache(NamedTuple):
    """What the linear step keeps for its backward pass."""

    A_prev: np.ndarray
    W: np.ndarray
    b: np.ndarray


def forward_linear(W, A, b):
    """Linear part of a layer's forward pass.

    Returns:
    Z -- W A + b
    linear_cache -- LinearCache(A_prev=A, W=W, b=b)
    """
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


def forward_prop(X, layer_activations, parameters):
    """One forward pass through all L layers.

    Arguments:
    X -- input data of shape (n_0, m)
    layer_activations -- one activation per weight layer (L entries)
    parameters -- output of initialize_parameters

    Returns:
    AL -- output of the last layer
    caches -- list of L (linear_cache, activation_cache) pairs, layer 1 first
    """
    L = _n_layers(parameters)
    activations = _check_layer_activations(layer_activations, L)
    A = check_matrix("X", X)
    if A.shape[0] != parameters["W1"].shape[1]:
        raise ValueError(
            f"X has {A.shape[0]} rows (features) but W1 expects {parameters['W1'].shape[1]}; "
            "the notebook's layout is features x samples"
        )
    caches = []
    for l in range(1, L + 1):
        Z, linear_cache = forward_linear(parameters[f"W{l}"], A, parameters[f"b{l}"])
        A, activation_cache = forward_activation(Z, activations[l - 1])
        caches.append((linear_cache, activation_cache))
    return A, caches


# ------------------------------------------------------------------------ cost

def _check_targets(AL, Y):
    AL = np.asarray(AL)
    Y = np.asarray(Y)
    if Y.size != AL.size:
        raise ValueError(f"Y has shape {Y.shape} but AL has shape {AL.shape}; they must match")
    return AL, Y.reshape(AL.shape)


def cost(AL, Y, loss="binary_crossentropy"):
    """The cost of predictions ``AL`` against targets ``Y`` (both (n_L, m)).

    By default the notebook's cross-entropy
    ``-1/m * sum(Y log AL + (1 - Y) log(1 - AL))``, computed so that
    predictions of exactly 0 or 1 give a finite cost; ``loss`` may name any
    loss in barenet.losses.REGISTRY.
    """
    AL, Y = _check_targets(AL, Y)
    return _losses.get(loss).value(AL, Y)


# ----------------------------------------------------------------- backward pass

def backward_linear(dZ, cache):
    """Linear part of a layer's backward pass.

    Arguments:
    dZ -- gradient of the cost with respect to Z (per sample), shape (n_l, m)
    cache -- the LinearCache (A_prev, W, b) of this layer

    Returns:
    dA_prev -- W^T dZ
    dW -- dZ A_prev^T / m
    db -- mean of dZ over samples, shape (n_l, 1)
    """
    A_prev, W, _ = cache
    return linear_backward(dZ, A_prev, W)


def backward_activation(dA, Z, activation):
    """dZ = dA * g'(Z) for the layer's activation (a Jacobian product for softmax)."""
    activation = _activations.get(activation)
    return activation.backward(dA, Z, activation.forward(Z))


def backward_prop(AL, Y, caches, layer_activations, loss="binary_crossentropy"):
    """One backward pass through all L layers.

    Arguments:
    AL -- output of forward_prop
    Y -- targets, same shape as AL
    caches -- caches from forward_prop
    layer_activations -- the same list given to forward_prop
    loss -- the cost's loss (default: the notebook's binary cross-entropy)

    Returns:
    grads -- dict with ``dA{L}`` (the elementwise derivative of each sample's
    loss with respect to AL), and ``dW{l}``, ``db{l}``, ``dA{l-1}`` for each
    layer l. For sigmoid + binary cross-entropy and softmax + categorical
    cross-entropy the output's dZ is the fused ``AL - Y``.
    """
    L = len(caches)
    activations = _check_layer_activations(layer_activations, L)
    AL, Y = _check_targets(AL, Y)
    loss = _losses.get(loss)

    grads = {f"dA{L}": loss.gradient(AL, Y)}
    linear_cache, Z = caches[L - 1]
    dZ = _losses.output_gradient(loss, activations[L - 1], AL, Z, Y)
    for l in range(L, 0, -1):
        linear_cache, Z = caches[l - 1]
        if l < L:
            dZ = backward_activation(grads[f"dA{l}"], Z, activations[l - 1])
        dA_prev, dW, db = backward_linear(dZ, linear_cache)
        grads[f"dA{l - 1}"] = dA_prev
        grads[f"dW{l}"] = dW
        grads[f"db{l}"] = db
    return grads


# ------------------------------------------------------------------------ update

def update_parameters(parameters, grads, optimizer):
    """Update ``parameters`` in place with ``grads`` and return them.

    Arguments:
    parameters -- dict W1, b1, ..., WL, bL
    grads -- dict with dW1, db1, ..., dWL, dbL (as from backward_prop)
    optimizer -- a barenet optimizer (GD, Momentum, RMSProp, Adam), whose state
        carries from one call to the next; or a positive number, the learning
        rate of plain gradient descent ``W := W - lr * dW``
    """
    L = _n_layers(parameters)
    if not isinstance(optimizer, _optimizers.Optimizer):
        if isinstance(optimizer, str):
            raise TypeError(
                "optimizer must be an optimizer object such as barenet.Adam(lr=0.01), "
                "which keeps its state between calls, or a learning rate; got a name"
            )
        optimizer = _optimizers.GD(lr=check_positive("optimizer (learning rate)", optimizer))
    keys = [f"{p}{l}" for l in range(1, L + 1) for p in "Wb"]
    missing = [f"d{k}" for k in keys if f"d{k}" not in grads]
    if missing:
        raise ValueError(f"grads lacks {missing}")
    optimizer.step([parameters[k] for k in keys], [grads[f"d{k}"] for k in keys])
    return parameters


# ------------------------------------------------------------------ mini-batches

def random_mini_batches(X, Y, mini_batch_size=64, seed=None):
    """Shuffle the columns of ``(X, Y)`` together and split them into mini-batches.

    Returns a list of ``(X_batch, Y_batch)`` pairs; the last holds the
    ``m % mini_batch_size`` samples left over, when there are any.
    """
    X = check_matrix("X", X)
    Y = np.asarray(Y)
    if Y.ndim != 2 or Y.shape[1] != X.shape[1]:
        raise ValueError(f"Y must have shape (n_outputs, {X.shape[1]}) to match X, got {Y.shape}")
    batches = minibatch_indices(X.shape[1], mini_batch_size, as_generator(seed))
    return [(X[:, idx], Y[:, idx]) for idx in batches]


# ---------------------------------------------------------------- whole models

def predict(X, parameters, layer_activations):
    """Predictions of a trained network: 0/1 labels for a sigmoid output
    (threshold 0.5), class indices for softmax, the outputs otherwise."""
    AL, _ = forward_prop(X, layer_activations, parameters)
    output = _activations.get(layer_activations[-1]).name
    if output == "sigmoid":
        return (AL > 0.5).astype(int)
    if output == "softmax":
        return AL.argmax(axis=0)
    return AL


def L_layer_model(X, Y, layer_shape, layer_activations, optimizer=0.0075, num_epochs=3000,
                  mini_batch_size=64, initialization_method="he", seed=None,
                  loss="binary_crossentropy", print_cost=False):
    """Train an L-layer network with the functions above; the notebook's outline end to end.

    Arguments:
    X, Y -- training data, (n_0, m) and (n_L, m)
    layer_shape -- [n_0, ..., n_L]
    layer_activations -- one activation per weight layer
    optimizer -- a barenet optimizer or a learning rate for gradient descent
    num_epochs -- passes over the data
    mini_batch_size -- samples per step; m for batch gradient descent
    seed -- randomness for initialization and shuffling

    Returns:
    parameters -- the trained parameters
    costs -- the cost of every step (one mini-batch each), in order
    """
    num_epochs = check_int("num_epochs", num_epochs, minimum=1)
    if isinstance(optimizer, str):
        optimizer = _optimizers.get(optimizer)
    elif not isinstance(optimizer, _optimizers.Optimizer):
        optimizer = _optimizers.GD(check_positive("optimizer (learning rate)", optimizer))
    rng = as_generator(seed)
    parameters = initialize_parameters(layer_shape, initialization_method, rng)
    _check_layer_activations(layer_activations, len(layer_shape) - 1)
    costs = []
    for epoch in range(num_epochs):
        for X_batch, Y_batch in random_mini_batches(X, Y, mini_batch_size, rng):
            AL, caches = forward_prop(X_batch, layer_activations, parameters)
            costs.append(cost(AL, Y_batch, loss))
            grads = backward_prop(AL, Y_batch, caches, layer_activations, loss)
            update_parameters(parameters, grads, optimizer)
        if print_cost and (epoch % 100 == 0 or epoch == num_epochs - 1):
            print(f"cost after epoch {epoch}: {costs[-1]:.6f}")
    return parameters, costs
