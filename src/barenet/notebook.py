"""The notebook's step-by-step API, working, by the notebook's names.

Layout, as in the notebook: ``X`` has shape ``(n_features, m)`` (one column
per sample), ``Y`` has shape ``(n_outputs, m)``, and ``parameters`` is the dict
``{'W1': ..., 'b1': ..., 'W2': ...}`` with ``W{l}`` of shape
``(n_l, n_{l-1})`` and ``b{l}`` of shape ``(n_l, 1)``.

``layer_activations`` has **one entry per weight layer**: for ``layer_shape =
[n_0, n_1, ..., n_L]`` it is ``[g_1, ..., g_L]`` (``len(layer_shape) - 1``
entries), layer ``l`` using ``layer_activations[l - 1]`` both forward and
backward. Any other length is an error.

Regularization, as in the course: ``lambd`` (L2) in :func:`cost` and
:func:`backward_prop`; ``keep_prob`` (inverted dropout on the hidden layers)
in :func:`forward_prop`, whose masks :func:`backward_prop` reuses; batch
normalization of the hidden layers with
``initialize_parameters(..., batch_norm=True)``, which adds ``gamma{l}``,
``beta{l}`` (trained) and ``running_mean{l}``, ``running_var{l}`` (updated by
training-mode forward passes, used when ``training=False``).

Every function here calls the core (:mod:`barenet.core`, :mod:`barenet.optim`):
the formulas :class:`barenet.Network` trains with, each written once.
``Network`` runs them in place through the fast layer (:mod:`barenet.fast`),
whose tests prove it gives the core's numbers bit for bit.

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

from .core import activations as _activations
from .core import losses as _losses
from . import optimizers as _optimizers
from ._checks import (
    as_generator,
    check_array,
    check_bool,
    check_nonnegative,
    check_bounds,
    check_int,
    check_matrix,
    check_positive,
    check_real,
)
from .core.initializers import initialize
from .core.linear import linear_backward, linear_forward
from .core.normalization import (
    batchnorm_backward,
    batchnorm_forward,
    batchnorm_inference,
    update_running_stats,
)
from .core.regularization import add_l2_gradient, dropout_mask, l2_penalty
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

def initialize_parameters(layer_shape, initialization_method="he", seed=None, batch_norm=False):
    """Initialize ``W1, b1, ..., WL, bL`` for a network of shape ``layer_shape``.

    Arguments:
    layer_shape -- list of layer sizes ``[n_0, n_1, ..., n_L]``
    initialization_method -- 'random' (N(0, 1) * 0.01), 'xavier' (* sqrt(1/n_prev))
        or 'he' (* sqrt(2/n_prev)); biases are zero
    seed -- int, numpy.random.Generator or None: where the random draws come from
    batch_norm -- also add batch normalization to every hidden layer: ``gamma{l}`` = 1,
        ``beta{l}`` = 0, ``running_mean{l}`` = 0, ``running_var{l}`` = 1, each (n_l, 1)

    Returns:
    parameters -- dict with ``W{l}`` of shape (n_l, n_{l-1}) and ``b{l}`` of shape (n_l, 1)
    """
    sizes = _check_layer_shape(layer_shape)
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
    return parameters


def _check_layer_shape(layer_shape):
    """``layer_shape`` as a list of ints >= 1, at least two of them."""
    if isinstance(layer_shape, (str, bytes)) or not hasattr(layer_shape, "__len__"):
        raise TypeError(f"layer_shape must be a list of integers, got {layer_shape!r}")
    if len(layer_shape) < 2:
        raise ValueError(f"layer_shape needs at least two entries, got {list(layer_shape)}")
    return [check_int(f"layer_shape[{i}]", n, minimum=1) for i, n in enumerate(layer_shape)]


BATCH_NORM_KEYS = ("gamma", "beta", "running_mean", "running_var")
BN_MOMENTUM = 0.9  # running statistics: rho * running + (1 - rho) * batch
BN_EPS = 1e-5


def _trainable_keys(parameters, L):
    """The trained parameters' keys in a fixed order: W1, b1, [gamma1, beta1,] W2, ..."""
    keys = []
    for l in range(1, L + 1):
        keys += [f"W{l}", f"b{l}"]
        if f"gamma{l}" in parameters:
            keys += [f"gamma{l}", f"beta{l}"]
    return keys


def _n_layers(parameters):
    """Number of weight layers L, after checking ``parameters`` holds W1..WL, b1..bL."""
    if not isinstance(parameters, dict):
        raise TypeError(f"parameters must be a dict of W1, b1, ..., got {type(parameters).__name__}")
    L = 0
    while f"W{L + 1}" in parameters:
        L += 1
    expected = {f"{p}{l}" for l in range(1, max(L, 1) + 1) for p in "Wb"}
    for l in range(1, L):
        if any(f"{p}{l}" in parameters for p in BATCH_NORM_KEYS):
            expected |= {f"{p}{l}" for p in BATCH_NORM_KEYS}
    missing = sorted(expected - set(parameters), key=str)
    unexpected = sorted(set(parameters) - expected, key=str)
    if missing or unexpected:
        problems = [f"lacks {missing}"] * bool(missing)
        problems += [f"has unexpected keys {unexpected}"] * bool(unexpected)
        raise ValueError(
            f"parameters {' and '.join(problems)}: it must hold exactly W1, b1, ..., WL, bL "
            "(and gamma{l}, beta{l}, running_mean{l}, running_var{l} for batch-normalized "
            "hidden layers), as initialize_parameters returns"
        )
    for l in range(1, L + 1):
        for key in [f"W{l}", f"b{l}"] + [f"{p}{l}" for p in BATCH_NORM_KEYS]:
            if key in parameters:
                check_array(key, parameters[key])  # numbers, finite, not empty
    for l in range(1, L + 1):
        W, b = parameters[f"W{l}"], parameters[f"b{l}"]
        if np.ndim(W) != 2 or np.shape(b) != (np.shape(W)[0], 1):
            raise ValueError(
                f"W{l} must be 2-D and b{l} of shape (rows of W{l}, 1); got "
                f"{np.shape(W)} and {np.shape(b)}"
            )
        for p in BATCH_NORM_KEYS:
            if f"{p}{l}" in parameters and np.shape(parameters[f"{p}{l}"]) != np.shape(b):
                raise ValueError(
                    f"{p}{l} must have the shape of b{l}, {np.shape(b)}; got "
                    f"{np.shape(parameters[f'{p}{l}'])}"
                )
        if l > 1 and np.shape(W)[1] != np.shape(parameters[f"W{l - 1}"])[0]:
            raise ValueError(
                f"W{l} has {np.shape(W)[1]} columns but W{l - 1} has "
                f"{np.shape(parameters[f'W{l - 1}'])[0]} rows"
            )
    return L


def _check_layer_activations(layer_activations, L, caches=False):
    if isinstance(layer_activations, (str, bytes)) or not hasattr(layer_activations, "__len__"):
        raise TypeError(
            f"layer_activations must be a list with one activation per weight layer "
            f"({L} here), got {layer_activations!r}"
        )
    if len(layer_activations) != L:
        if caches:
            raise ValueError(
                f"layer_activations has {len(layer_activations)} entries but caches holds "
                f"{L} layers; give backward_prop the caches forward_prop returned and the "
                "same layer_activations, one activation per weight layer"
            )
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


class LayerCache(NamedTuple):
    """What a layer's forward pass keeps for :func:`backward_prop`."""

    linear_cache: LinearCache
    activation_cache: np.ndarray  # Z, the activation's input (after batch norm)
    dropout_mask: object = None  # the scaled mask M / keep_prob, or None
    batchnorm_cache: object = None  # a BatchNormCache, or None


def _keep_probs(keep_prob, L):
    """One keep probability per hidden layer, from a number or a list."""
    n_hidden = L - 1
    if isinstance(keep_prob, (list, tuple)):
        if len(keep_prob) != n_hidden:
            raise ValueError(
                f"keep_prob has {len(keep_prob)} entries but the network has {n_hidden} "
                "hidden layers; give one number for all, or one per hidden layer"
            )
        probs = list(keep_prob)
    else:
        probs = [keep_prob] * n_hidden
    probs = [check_real("keep_prob", p) for p in probs]
    for p in probs:
        if not 0 < p <= 1:
            raise ValueError(f"keep_prob must be in (0, 1], got {p!r}")
    return probs


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
    L = _n_layers(parameters)
    activations = _check_layer_activations(layer_activations, L)
    keep_probs = _keep_probs(keep_prob, L)
    rng = as_generator(seed) if training and min(keep_probs, default=1) < 1 else None
    A = check_matrix("X", X)
    if A.shape[0] != parameters["W1"].shape[1]:
        raise ValueError(
            f"X has {A.shape[0]} rows (features) but W1 expects {parameters['W1'].shape[1]}; "
            "the notebook's layout is features x samples"
        )
    caches = []
    for l in range(1, L + 1):
        Z, linear_cache = forward_linear(parameters[f"W{l}"], A, parameters[f"b{l}"])
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
            mask = dropout_mask(rng, A.shape, 1 - keep_probs[l - 1], A.dtype)
            A = A * mask
        caches.append(LayerCache(linear_cache, activation_cache, mask, bn_cache))
    return A, caches


# ------------------------------------------------------------------------ cost

def _check_target_values(Y, loss, name="Y"):
    """Cross-entropy targets are probabilities: 0/1 labels, one-hot columns or soft targets."""
    if isinstance(loss, (_losses.BinaryCrossEntropy, _losses.CategoricalCrossEntropy)):
        check_bounds(name, Y, 0, 1, f"targets for {loss.name}",
                     hint="; give labels 0 and 1, one-hot columns or probabilities, or use "
                     "loss='mse' for other targets")
    return Y


def _check_targets(AL, Y, loss):
    """``AL`` and ``Y`` as finite numeric arrays of the same (n_L, m) shape, a
    1-D ``Y`` of m labels being taken for a one-row AL. For a cross-entropy,
    AL must be probabilities and Y targets in [0, 1]."""
    AL = check_matrix("AL", AL)
    if AL.dtype.kind != "f":
        AL = AL.astype(np.float64)
    Y = check_array("Y", Y)
    if Y.shape != AL.shape:
        if not (Y.ndim == 1 and AL.shape[0] == 1 and Y.shape[0] == AL.shape[1]):
            raise ValueError(
                f"Y has shape {Y.shape} but AL has shape {AL.shape}; they must match "
                "(n_outputs x samples, one column per sample)"
            )
        Y = Y.reshape(AL.shape)
    if isinstance(loss, (_losses.BinaryCrossEntropy, _losses.CategoricalCrossEntropy)):
        check_bounds("AL", AL, 0, 1, f"probabilities for {loss.name}",
                     hint="; AL is the output of a sigmoid or softmax layer")
    return AL, _check_target_values(Y, loss)


def cost(AL, Y, loss="binary_crossentropy", parameters=None, lambd=0.0):
    """The cost of predictions ``AL`` against targets ``Y`` (both (n_L, m)).

    By default the notebook's cross-entropy
    ``-1/m * sum(Y log AL + (1 - Y) log(1 - AL))``, computed so that
    predictions of exactly 0 or 1 give a finite cost; ``loss`` may name any
    loss in barenet.losses.REGISTRY. With ``lambd`` > 0 the L2 penalty
    ``lambd / (2 m) * sum of ||W{l}||^2`` over the ``parameters`` is added.

    ``Y`` has the shape of ``AL`` (a 1-D ``Y`` of m labels is taken for a
    one-row ``AL``). For the cross-entropies, ``AL`` must hold probabilities
    and ``Y`` targets in [0, 1]; anything else is a ValueError naming it.
    """
    loss = _losses.get(loss)
    lambd = _check_lambd(lambd)
    AL, Y = _check_targets(AL, Y, loss)
    value = loss.value(AL, Y)
    if lambd:
        if parameters is None:
            raise TypeError("cost with lambd > 0 needs the parameters, for the L2 penalty")
        L = _n_layers(parameters)
        value += l2_penalty([parameters[f"W{l}"] for l in range(1, L + 1)], lambd, AL.shape[1])
    return value


def _check_lambd(lambd):
    return check_nonnegative("lambd", lambd)


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
    caches, activations = _check_caches(caches, layer_activations)
    L = len(caches)
    loss = _losses.get(loss)
    lambd = _check_lambd(lambd)
    AL, Y = _check_targets(AL, Y, loss)
    if AL.shape != np.shape(caches[-1].activation_cache):
        raise ValueError(
            f"AL has shape {AL.shape} but the last layer of caches has outputs of shape "
            f"{np.shape(caches[-1].activation_cache)}; give backward_prop the AL and the "
            "caches of the same forward_prop call"
        )
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


def _check_caches(caches, layer_activations):
    """``caches`` as a list of LayerCache, and the activations, after checking
    that the caches are what forward_prop returns: one cache per layer (and
    per activation), each layer's input the output of the layer before."""
    if isinstance(caches, (str, bytes)) or not isinstance(caches, (list, tuple)):
        raise TypeError(
            f"caches must be the list of layer caches forward_prop returned, got "
            f"{type(caches).__name__}"
        )
    if not caches:
        raise ValueError("caches is empty; give backward_prop the caches forward_prop returned")
    activations = _check_layer_activations(layer_activations, len(caches), caches=True)
    checked = []
    for l, cache in enumerate(caches):
        if not (isinstance(cache, tuple) and 2 <= len(cache) <= 4
                and isinstance(cache[0], tuple) and len(cache[0]) == 3):
            raise TypeError(
                f"caches[{l}] is not a layer cache from forward_prop, got "
                f"{type(cache).__name__}"
            )
        cache = LayerCache(LinearCache(*cache[0]), *cache[1:])
        A_prev, W, _ = cache.linear_cache
        shapes = np.shape(A_prev), np.shape(W), np.shape(cache.activation_cache)
        if (len(shapes[0]) != 2 or len(shapes[1]) != 2 or shapes[1][1] != shapes[0][0]
                or shapes[2] != (shapes[1][0], shapes[0][1])):
            raise ValueError(
                f"caches[{l}] is not a layer cache from forward_prop: its input, weights and "
                f"output have shapes {shapes[0]}, {shapes[1]} and {shapes[2]}"
            )
        if checked and np.shape(checked[-1].activation_cache) != shapes[0]:
            raise ValueError(
                f"caches[{l}] does not follow caches[{l - 1}]: its input has shape "
                f"{shapes[0]} but the layer before outputs "
                f"{np.shape(checked[-1].activation_cache)}; give backward_prop the caches "
                "forward_prop returned, in their order"
            )
        checked.append(cache)
    return checked, activations


# ------------------------------------------------------------------------ update

def update_parameters(parameters, grads, optimizer):
    """Update ``parameters`` in place with ``grads`` and return them.

    Arguments:
    parameters -- dict W1, b1, ..., WL, bL (and gamma{l}, beta{l}, which are
        trained; the running statistics are not)
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
    if not isinstance(grads, dict):
        raise TypeError(f"grads must be a dict of dW1, db1, ..., got {type(grads).__name__}")
    keys = _trainable_keys(parameters, L)
    missing = [f"d{k}" for k in keys if f"d{k}" not in grads]
    if missing:
        raise ValueError(f"grads lacks {missing}")
    for k in keys:
        p, g = parameters[k], grads[f"d{k}"]
        if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
            raise TypeError(
                f"parameters[{k!r}] must be a float NumPy array (it is updated in place), "
                f"got {type(p).__name__}" + (f" of dtype {p.dtype}" if hasattr(p, "dtype") else "")
            )
        if not isinstance(g, np.ndarray):
            raise TypeError(f"grads['d{k}'] must be a NumPy array, got {type(g).__name__}")
        check_array(f"grads['d{k}']", g)
        if g.shape != p.shape:
            raise ValueError(f"grads['d{k}'] has shape {g.shape} but {k} has shape {p.shape}")
    optimizer.step([parameters[k] for k in keys], [grads[f"d{k}"] for k in keys])
    return parameters


# ------------------------------------------------------------------ mini-batches

def random_mini_batches(X, Y, mini_batch_size=64, seed=None):
    """Shuffle the columns of ``(X, Y)`` together and split them into mini-batches.

    Returns a list of ``(X_batch, Y_batch)`` pairs; the last holds the
    ``m % mini_batch_size`` samples left over, when there are any.
    """
    X = check_matrix("X", X)
    Y = check_matrix("Y", Y)
    if Y.shape[1] != X.shape[1]:
        raise ValueError(f"Y must have shape (n_outputs, {X.shape[1]}) to match X, got {Y.shape}")
    mini_batch_size = check_int("mini_batch_size", mini_batch_size, minimum=1)
    batches = minibatch_indices(X.shape[1], mini_batch_size, as_generator(seed))
    return [(X[:, idx], Y[:, idx]) for idx in batches]


# ---------------------------------------------------------------- whole models

def predict(X, parameters, layer_activations):
    """Predictions of a trained network: 0/1 labels for a sigmoid output
    (threshold 0.5), class indices for softmax, the outputs otherwise."""
    AL, _ = forward_prop(X, layer_activations, parameters, training=False)
    output = _activations.get(layer_activations[-1]).name
    if output == "sigmoid":
        return (AL > 0.5).astype(int)
    if output == "softmax":
        return AL.argmax(axis=0)
    return AL


def L_layer_model(X, Y, layer_shape, layer_activations, optimizer=0.0075, num_epochs=3000,
                  mini_batch_size=64, initialization_method="he", seed=None,
                  loss="binary_crossentropy", lambd=0.0, keep_prob=1.0, batch_norm=False,
                  print_cost=False):
    """Train an L-layer network with the functions above; the notebook's outline end to end.

    Arguments:
    X, Y -- training data, (n_0, m) and (n_L, m)
    layer_shape -- [n_0, ..., n_L]
    layer_activations -- one activation per weight layer
    optimizer -- a barenet optimizer or a learning rate for gradient descent
    num_epochs -- passes over the data
    mini_batch_size -- samples per step; m for batch gradient descent
    seed -- randomness for initialization, shuffling and dropout
    lambd, keep_prob, batch_norm -- L2 strength, dropout keep probability,
        batch normalization of the hidden layers

    Returns:
    parameters -- the trained parameters
    costs -- the cost of every step (one mini-batch each), in order
    """
    num_epochs = check_int("num_epochs", num_epochs, minimum=1)
    if isinstance(optimizer, str):
        optimizer = _optimizers.get(optimizer)
    elif not isinstance(optimizer, _optimizers.Optimizer):
        optimizer = _optimizers.GD(check_positive("optimizer (learning rate)", optimizer))
    # every argument is checked before the first draw and the first step
    sizes = _check_layer_shape(layer_shape)
    _check_layer_activations(layer_activations, len(sizes) - 1)
    X = check_matrix("X", X)
    Y = check_matrix("Y", Y)
    if X.shape[0] != sizes[0]:
        raise ValueError(
            f"X has {X.shape[0]} rows (features) but layer_shape[0] is {sizes[0]}; the "
            "notebook's layout is features x samples"
        )
    if Y.shape[1] != X.shape[1]:
        raise ValueError(
            f"Y has {Y.shape[1]} columns (samples) but X has {X.shape[1]}; both have one "
            "column per sample"
        )
    if Y.shape[0] != sizes[-1]:
        raise ValueError(
            f"Y has {Y.shape[0]} rows but layer_shape[-1] is {sizes[-1]}: one row per "
            "output unit"
        )
    _check_target_values(Y, _losses.get(loss))
    check_int("mini_batch_size", mini_batch_size, minimum=1)
    _check_lambd(lambd)
    _keep_probs(keep_prob, len(sizes) - 1)
    rng = as_generator(seed)
    parameters = initialize_parameters(sizes, initialization_method, rng, batch_norm)
    costs = []
    for epoch in range(num_epochs):
        for X_batch, Y_batch in random_mini_batches(X, Y, mini_batch_size, rng):
            AL, caches = forward_prop(X_batch, layer_activations, parameters, keep_prob, rng)
            costs.append(cost(AL, Y_batch, loss, parameters, lambd))
            grads = backward_prop(AL, Y_batch, caches, layer_activations, loss, lambd)
            update_parameters(parameters, grads, optimizer)
        if print_cost and (epoch % 100 == 0 or epoch == num_epochs - 1):
            print(f"cost after epoch {epoch}: {costs[-1]:.6f}")
    return parameters, costs
