"""A network's configuration, checked: layer sizes, activations, the loss and
the task it implies, and settings given for all hidden layers or one each."""

from .._checks import check_int, check_real
from ..core import activations as _activations
from ..core import losses as _losses

# The loss each output activation implies when none is named.
DEFAULT_LOSS = {"sigmoid": "binary_crossentropy", "softmax": "categorical_crossentropy",
                "exp": "half_poisson"}


def check_layer_sizes(layer_sizes):
    """``layer_sizes`` as a tuple of at least two positive ints."""
    if isinstance(layer_sizes, (str, bytes)) or not hasattr(layer_sizes, "__len__"):
        raise TypeError(f"layer_sizes must be a list of integers, got {layer_sizes!r}")
    if len(layer_sizes) < 2:
        raise ValueError(
            f"layer_sizes needs at least two entries (inputs and outputs), got {list(layer_sizes)}"
        )
    return tuple(check_int(f"layer_sizes[{i}]", n, minimum=1) for i, n in enumerate(layer_sizes))


def check_activations(activations, layer_sizes):
    """One Activation per weight layer of ``layer_sizes``, from names or objects."""
    n_layers = len(layer_sizes) - 1
    if isinstance(activations, (str, bytes)) or not hasattr(activations, "__len__"):
        raise TypeError(
            f"activations must be a list with one activation per weight layer "
            f"({n_layers} here), got {activations!r}"
        )
    if len(activations) != n_layers:
        raise ValueError(
            f"activations has {len(activations)} entries but layer_sizes "
            f"{list(layer_sizes)} has {n_layers} weight layers; give one "
            "activation per weight layer, the last for the output"
        )
    return tuple(_activations.get(a) for a in activations)


def resolve_loss(loss, activations, layer_sizes):
    """The Loss object: ``loss``, or the one the output activation implies
    (`DEFAULT_LOSS`, else mean squared error), checked against the
    output layer: a loss fused with an output activation (binary
    cross-entropy with sigmoid, categorical cross-entropy with softmax, the
    half Poisson loss with exp) needs that output."""
    output = activations[-1].name
    if loss is None:
        loss = DEFAULT_LOSS.get(output, "mse")
    loss = _losses.get(loss)
    if loss.fused_activation is not None and loss.fused_activation != output:
        raise ValueError(
            f"loss {loss.name!r} needs a {loss.fused_activation!r} output layer, "
            f"but the last activation is {output!r}"
        )
    n_out = layer_sizes[-1]
    if loss.name == "categorical_crossentropy" and n_out < 2:
        raise ValueError(
            "a softmax output needs one unit per class (at least 2); for two "
            "classes a single sigmoid unit also works"
        )
    return loss


def task_of(loss, n_outputs=1):
    """What a network with ``loss`` and ``n_outputs`` output units does:
    'binary' (binary cross-entropy, one sigmoid unit), 'multilabel' (binary
    cross-entropy, ``n_outputs > 1`` sigmoid units: one yes/no label each),
    'multiclass' (categorical cross-entropy) or 'regression' (any other loss)."""
    if loss.name == "binary_crossentropy":
        return "binary" if n_outputs == 1 else "multilabel"
    if loss.name == "categorical_crossentropy":
        return "multiclass"
    return "regression"


def per_hidden_layer(name, value, off, check, n_hidden):
    """One setting per layer from a single value or a list for the
    ``n_hidden`` hidden layers, each checked by ``check(name, value)``; the
    output layer always gets ``off``."""
    if value is None:
        value = off
    if isinstance(value, (list, tuple)):
        if len(value) != n_hidden:
            raise ValueError(
                f"{name} has {len(value)} entries but the network has {n_hidden} hidden "
                "layers; give one value for all, or one per hidden layer"
            )
        values = [check(f"{name}[{i}]", v) for i, v in enumerate(value)]
    else:
        values = [check(name, value)] * n_hidden
    return tuple(values) + (off,)


def check_dropout(name, rate):
    """A drop rate in [0, 1)."""
    rate = check_real(name, rate)
    if not 0 <= rate < 1:
        raise ValueError(f"{name} is a drop rate and must be in [0, 1), got {rate!r}")
    return rate
