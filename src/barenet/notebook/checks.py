"""The notebook API's argument checks, apart from the notebook's functions.

initialize_parameters, forward_prop, cost, backward_prop, update_parameters,
random_mini_batches and L_layer_model check what they are given before they
compute anything, so that a mistake is a TypeError or ValueError that names
the argument, not a NumPy error deep inside or a wrong number. The checks are
written here, so that those functions read as the notebook's outline does: a
few lines of checks, then the formulas.

This module is the package's internal interface, not public API: the modules
of [`barenet.notebook`][barenet.notebook] and [`barenet.gradcheck`][barenet.gradcheck] call these
functions, which is why their names carry no leading underscore. They may change
without notice; nothing outside barenet should rely on them.

A check that returns something returns what it checked, converted where the
caller goes on with the converted value (a list of ints, floats, an array,
the activation objects); a check that returns nothing only raises.
"""

import numpy as np

from .._checks import (
    check_array,
    check_bounds,
    check_int,
    check_matrix,
    check_nonnegative,
    check_positive,
    check_real,
)
from ..core import activations as _activations
from ..core import losses as _losses
from ..core.namespace import is_floating, namespace
from ..optim import GD, Optimizer
from ..optim import get as _get_optimizer
from .caches import LayerCache, LinearCache

# the keys a batch-normalized hidden layer l adds to the parameters: gamma{l}, ...
BATCH_NORM_KEYS = ("gamma", "beta", "running_mean", "running_var")


# --------------------------------------------------------------- the network

def check_layer_shape(layer_shape):
    """``layer_shape`` as a list of ints >= 1, at least two of them."""
    if isinstance(layer_shape, (str, bytes)) or not hasattr(layer_shape, "__len__"):
        raise TypeError(f"layer_shape must be a list of integers, got {layer_shape!r}")
    if len(layer_shape) < 2:
        raise ValueError(f"layer_shape needs at least two entries, got {list(layer_shape)}")
    return [check_int(f"layer_shape[{i}]", n, minimum=1) for i, n in enumerate(layer_shape)]


def trainable_keys(parameters, L):
    """The trained parameters' keys in a fixed order: W1, b1, [gamma1, beta1,] W2, ..."""
    keys = []
    for l in range(1, L + 1):
        keys += [f"W{l}", f"b{l}"]
        if f"gamma{l}" in parameters:
            keys += [f"gamma{l}", f"beta{l}"]
    return keys


def n_layers(parameters):
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
                check_array(key, parameters[key], any_library=True)  # numbers, finite, not empty
    for l in range(1, L + 1):
        W, b = parameters[f"W{l}"], parameters[f"b{l}"]
        if len(np.shape(W)) != 2 or np.shape(b) != (np.shape(W)[0], 1):
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


def check_layer_activations(layer_activations, L, caches=False):
    """The activation objects for ``layer_activations``, after checking it is a
    list of exactly ``L`` entries, one per weight layer. ``caches`` says the
    ``L`` comes from backward_prop's caches, for the error message."""
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


def keep_probs(keep_prob, L):
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


def check_lambd(lambd):
    """``lambd``, the L2 strength, as a finite number >= 0."""
    return check_nonnegative("lambd", lambd)


def as_optimizer(optimizer, by_name=False):
    """``optimizer`` as a barenet optimizer: an Optimizer as it is, a positive
    number as the learning rate of gradient descent (GD). A name is looked up
    in barenet.optim.REGISTRY when ``by_name`` (L_layer_model makes its own
    optimizer); otherwise (update_parameters, which must be given the same
    object every step, for its state) it is a TypeError."""
    if isinstance(optimizer, Optimizer):
        return optimizer
    if isinstance(optimizer, str):
        if by_name:
            return _get_optimizer(optimizer)
        raise TypeError(
            "optimizer must be an optimizer object such as barenet.Adam(lr=0.01), "
            "which keeps its state between calls, or a learning rate; got a name"
        )
    return GD(lr=check_positive("optimizer (learning rate)", optimizer))


# ---------------------------------------------------------- data and targets

def check_input(X, parameters):
    """``X`` as a finite 2-D array with as many rows (features) as W1 has columns."""
    A = check_matrix("X", X, any_library=True)
    if type(A) is not np.ndarray or type(parameters["W1"]) is not np.ndarray:
        namespace(A, *parameters.values())  # one library for the data and the parameters
    if A.shape[0] != parameters["W1"].shape[1]:
        raise ValueError(
            f"X has {A.shape[0]} rows (features) but W1 expects {parameters['W1'].shape[1]}; "
            "the notebook's layout is features x samples"
        )
    return A


def check_target_values(Y, loss, name="Y"):
    """Cross-entropy targets are probabilities: 0/1 labels, one-hot columns or soft targets."""
    if isinstance(loss, (_losses.BinaryCrossEntropy, _losses.CategoricalCrossEntropy)):
        check_bounds(name, Y, 0, 1, f"targets for {loss.name}",
                     hint="; give labels 0 and 1, one-hot columns or probabilities, or use "
                     "loss='mse' for other targets")
    return Y


def check_targets(AL, Y, loss):
    """``AL`` and ``Y`` as finite numeric arrays of the same (n_L, m) shape, a
    1-D ``Y`` of m labels being taken for a one-row AL. For a cross-entropy,
    AL must be probabilities and Y targets in [0, 1]."""
    AL = check_matrix("AL", AL, any_library=True)
    if not (AL.dtype.kind == "f" if type(AL) is np.ndarray else is_floating(AL)):
        AL = check_matrix("AL", AL, np.float64, any_library=True)
    Y = check_array("Y", Y, any_library=True)
    if Y.shape != AL.shape:
        if not (Y.ndim == 1 and AL.shape[0] == 1 and Y.shape[0] == AL.shape[1]):
            raise ValueError(
                f"Y has shape {tuple(Y.shape)} but AL has shape {tuple(AL.shape)}; they must "
                "match (n_outputs x samples, one column per sample)"
            )
        Y = namespace(Y).reshape(Y, tuple(AL.shape))
    if isinstance(loss, (_losses.BinaryCrossEntropy, _losses.CategoricalCrossEntropy)):
        check_bounds("AL", AL, 0, 1, f"probabilities for {loss.name}",
                     hint="; AL is the output of a sigmoid or softmax layer")
    return AL, check_target_values(Y, loss)


def check_Y(Y):
    """``Y`` as a finite 2-D array, n_outputs x samples; a 1-D ``Y`` of m
    labels is one row, as `cost` and `backward_prop` take it."""
    Y = check_array("Y", Y, any_library=True)
    if Y.ndim == 1:
        return namespace(Y).reshape(Y, (1, Y.shape[0]))
    if Y.ndim != 2:
        raise ValueError(f"Y must be 2-D (n_outputs x samples), got an array of shape "
                         f"{tuple(Y.shape)}")
    return Y


def check_samples(X, Y):
    """A ValueError unless ``X`` and ``Y`` have one column per sample each,
    saying which looks transposed."""
    if Y.shape[1] == X.shape[1]:
        return
    if Y.shape[1] == X.shape[0]:
        hint = "X looks transposed: give X.T"
    elif Y.shape[0] == X.shape[1]:
        hint = "Y looks transposed: give Y.T"
    else:
        hint = "both have one column per sample"
    raise ValueError(f"Y has {Y.shape[1]} columns (samples) but X has {X.shape[1]}; the "
                     f"notebook's layout is features x samples ({hint})")


def check_mini_batch_arguments(X, Y, mini_batch_size):
    """``X`` and ``Y`` as finite 2-D arrays with one column per sample each
    (a 1-D ``Y``: one row), and ``mini_batch_size`` as an int >= 1."""
    X = check_matrix("X", X, any_library=True)
    Y = check_Y(Y)
    namespace(X, Y)  # one library for both
    check_samples(X, Y)
    return X, Y, check_int("mini_batch_size", mini_batch_size, minimum=1)


def check_linear_step(W, A, b):
    """forward_linear's arguments: ``W`` of shape (n_l, n_prev), ``A`` of
    shape (n_prev, m), ``b`` of shape (n_l, 1)."""
    W = check_matrix("W", W, any_library=True)
    A = check_matrix("A", A, any_library=True)
    b = check_array("b", b, any_library=True)
    if A.shape[0] != W.shape[1]:
        raise ValueError(f"W has shape {tuple(W.shape)} and A {tuple(A.shape)}: A needs "
                         f"{W.shape[1]} rows, one per column of W (forward_linear(W, A, b); "
                         "the notebook's layout is features x samples)")
    if tuple(b.shape) != (W.shape[0], 1):
        raise ValueError(f"b must have shape ({W.shape[0]}, 1), a column with one bias per "
                         f"row of W; got {tuple(b.shape)}")
    return W, A, b


def check_linear_cache(cache):
    """backward_linear's cache: a LinearCache ``(A_prev, W, b)``."""
    if isinstance(cache, LayerCache):
        raise TypeError("cache is a whole layer's LayerCache; backward_linear takes its "
                        "linear part: cache.linear_cache, (A_prev, W, b)")
    if not (isinstance(cache, tuple) and len(cache) == 3):
        raise TypeError(f"cache must be a LinearCache (A_prev, W, b), got {type(cache).__name__}")
    return cache


def check_model_arguments(X, Y, layer_shape, layer_activations, loss, mini_batch_size, lambd,
                          keep_prob):
    """L_layer_model's network, data and settings, every one checked before the
    first random draw and the first step. Returns the layer sizes (a list of
    ints), and ``X`` and ``Y`` as finite 2-D arrays whose shapes fit them."""
    sizes = check_layer_shape(layer_shape)
    check_layer_activations(layer_activations, len(sizes) - 1)
    X = check_matrix("X", X, any_library=True)
    Y = check_Y(Y)
    namespace(X, Y)  # one library for both
    if X.shape[0] != sizes[0]:
        raise ValueError(
            f"X has {X.shape[0]} rows (features) but layer_shape[0] is {sizes[0]}; the "
            "notebook's layout is features x samples"
        )
    check_samples(X, Y)
    if Y.shape[0] != sizes[-1]:
        raise ValueError(
            f"Y has {Y.shape[0]} rows but layer_shape[-1] is {sizes[-1]}: one row per "
            "output unit"
        )
    check_target_values(Y, _losses.get(loss))
    check_int("mini_batch_size", mini_batch_size, minimum=1)
    check_lambd(lambd)
    keep_probs(keep_prob, len(sizes) - 1)
    return sizes, X, Y


# --------------------------------------------------------- caches and grads

def check_caches(caches, layer_activations):
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
    activations = check_layer_activations(layer_activations, len(caches), caches=True)
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


def check_output_shape(AL, caches):
    """``AL`` has the shape of the last layer's output in ``caches`` (checked
    caches), as when both come from the same forward_prop call."""
    if AL.shape != np.shape(caches[-1].activation_cache):
        raise ValueError(
            f"AL has shape {AL.shape} but the last layer of caches has outputs of shape "
            f"{np.shape(caches[-1].activation_cache)}; give backward_prop the AL and the "
            "caches of the same forward_prop call"
        )


def check_grads(grads, parameters, keys):
    """``grads`` is a dict holding ``d{k}`` for every trained key ``k`` in
    ``keys``, a finite array of the shape of ``parameters[k]``, which must be
    a float array (it is updated in place) of the same library."""
    if not isinstance(grads, dict):
        raise TypeError(f"grads must be a dict of dW1, db1, ..., got {type(grads).__name__}")
    missing = [f"d{k}" for k in keys if f"d{k}" not in grads]
    if missing:
        raise ValueError(f"grads lacks {missing}")
    for k in keys:
        p, g = parameters[k], grads[f"d{k}"]
        if type(p) is np.ndarray and type(g) is np.ndarray and p.dtype.kind == "f":
            check_array(f"grads['d{k}']", g)  # NumPy arrays, the common case
            if g.shape != p.shape:
                raise ValueError(f"grads['d{k}'] has shape {g.shape} but {k} has shape {p.shape}")
            continue
        if not is_floating(p) or isinstance(p, np.generic):
            raise TypeError(
                f"parameters[{k!r}] must be a float array (it is updated in place), "
                f"got {type(p).__name__}" + (f" of dtype {p.dtype}" if hasattr(p, "dtype") else "")
            )
        if not hasattr(g, "shape") or isinstance(g, np.generic):
            raise TypeError(f"grads['d{k}'] must be an array, got {type(g).__name__}")
        namespace(p, g)  # one library for both
        check_array(f"grads['d{k}']", g, any_library=True)
        if tuple(g.shape) != tuple(p.shape):
            raise ValueError(f"grads['d{k}'] has shape {tuple(g.shape)} but {k} has shape "
                             f"{tuple(p.shape)}")
