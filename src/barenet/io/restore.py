"""Building a network from a model file, one named step at a time, for
[`barenet.io.persistence.load`][barenet.io.persistence.load].

Each step checks what it reads against the network and the rest of the file
before using it, and reports a problem by calling ``fail(problem)``, which
raises [`ModelFileError`][barenet.io.persistence.ModelFileError] naming the file. The
steps run in the order of [`load`][barenet.io.persistence.load]: the layout
before anything is built, then the network, its arrays, class labels,
training entries, standardization and History.
"""

import numpy as np

from ..core import activations as _activations
from ..model.network import Network
from ..preprocessing import Standardizer
from ..model.trainer import History


def check_layout(metadata, parameters, fail):
    """The metadata's ``batch_norm`` entry, once the layer sizes and it are
    checked against the number of ``parameters``: before anything is built,
    so that a file claiming enormous layers cannot make us allocate them."""
    sizes = metadata.get("layer_sizes")
    if not (isinstance(sizes, list) and len(sizes) >= 2
            and all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in sizes)):
        fail(f"its layer_sizes {sizes!r} are not a list of two or more positive integers")
    batch_norm = metadata.get("batch_norm", [])
    if not (isinstance(batch_norm, list) and len(batch_norm) == len(sizes) - 2
            and all(isinstance(bn, bool) for bn in batch_norm)):
        fail(
            f"its batch_norm entry {batch_norm!r} is not one True/False per hidden layer "
            f"of the layer sizes {sizes}"
        )
    expected_size = sum(n_out * (n_in + 1) + 2 * n_out * bn for n_in, n_out, bn
                        in zip(sizes[:-1], sizes[1:], batch_norm + [False]))
    if parameters.shape != (expected_size,):
        fail(
            f"its parameters have shape {parameters.shape}, but the layer sizes {sizes} "
            f"need shape ({expected_size},)"
        )
    return batch_norm


def build_network(metadata, batch_norm, fail):
    """The network the metadata describes, its parameters not yet restored."""
    try:
        activations = [
            _activations.REGISTRY[a["name"]](**{k: v for k, v in a.items() if k != "name"})
            for a in metadata["activations"]
        ]
        return Network(
            metadata["layer_sizes"], activations, dtype=metadata["dtype"],
            loss=metadata["loss"], seed=0, l2=metadata.get("l2", 0.0),
            dropout=metadata.get("dropout"), batch_norm=batch_norm,
            bn_momentum=metadata.get("bn_momentum", 0.9), bn_eps=metadata.get("bn_eps", 1e-5),
            standardize=metadata.get("standardize", False),
        )
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        fail(f"its metadata does not describe a valid network ({type(exc).__name__}: {exc})")


def restore_arrays(net, parameters, arrays, fail):
    """Give ``net`` its ``parameters`` (saved in the file's order) and its
    batch-normalization state; returns that order."""
    if parameters.dtype != net.dtype:
        fail(f"its parameters are {parameters.dtype}, but its metadata says {net.dtype}")
    if not np.isfinite(parameters).all():
        fail("its parameters contain NaN or infinity")
    order = net.flat.file_order()
    net.parameters[order] = parameters
    state = arrays.get("state", np.empty(0, net.dtype))
    if state.shape != net.flat.state.shape or state.dtype != net.dtype:
        fail(
            f"its batch-normalization state has shape {state.shape} and dtype {state.dtype}, "
            f"but the network needs {net.flat.state.shape} and {net.dtype}"
        )
    net.flat.state[...] = state
    if not np.isfinite(state).all() or any(
        (var < 0).any() for var in net.running_vars if var is not None
    ):
        fail("its batch-normalization statistics are not finite, or a variance is negative")
    return order


def restore_classes(net, classes, fail):
    """Give a classifier its class labels ``classes`` (None: not fitted); a
    regressor must have none."""
    if net.task == "regression" and classes is not None:
        fail(f"it holds class labels, but its loss {net.loss.name!r} makes it a regressor")
    if net.task != "regression":
        if classes is not None:
            expected = 2 if net.task == "binary" else net.layer_sizes[-1]
            if classes.ndim != 1 or len(classes) != expected or not np.array_equal(
                np.unique(classes), classes
            ):
                fail(
                    f"it holds class labels of shape {classes.shape}, but the output needs "
                    f"{expected} distinct ones in sorted order"
                )
            net.classes_ = classes


def restore_training_entries(net, metadata, fail):
    """Give ``net`` the metadata's ``init`` and ``training`` entries."""
    init, training = metadata.get("init"), metadata.get("training")
    if not (init is None or isinstance(init, str)) or not (training is None or isinstance(training, dict)):
        fail("its init or training entries are malformed")
    net.init, net.fit_config_ = init, training


def restore_scaler(net, arrays, version, fail):
    """Give ``net`` the standardization saved in ``scaler.mean`` and
    ``scaler.scale``, after checking them against the network and the file's
    format ``version``."""
    mean, scale = arrays.get("scaler.mean"), arrays.get("scaler.scale")
    if version == 1:
        if mean is not None or scale is not None or net.standardize:
            held = ("the scaler's arrays 'scaler.mean', 'scaler.scale'"
                    if mean is not None or scale is not None else "'standardize': true")
            fail(f"it is damaged: it says format version 1, which holds no input "
                 f"standardization, but it holds {held}")
        return
    if not net.standardize and mean is None and scale is None:
        fail(f"its format version {version} is for a network with standardized inputs, "
             "but its metadata does not say standardize")
    if mean is None and scale is None:
        # a network fitted with standardize=True always has a scaler
        if net.standardize and net.fit_config_ is not None:
            fail("its metadata says standardize, but the scaler's arrays "
                 "'scaler.mean' and 'scaler.scale' are missing")
        return
    if mean is None or scale is None:
        fail("it holds only one of the scaler's arrays 'scaler.mean' and 'scaler.scale'")
    if not net.standardize:
        fail("it holds a scaler ('scaler.mean', 'scaler.scale'), but its metadata does not "
             "say standardize")
    n_features = net.layer_sizes[0]
    for name, array in (("scaler.mean", mean), ("scaler.scale", scale)):
        if array.shape != (n_features,) or array.dtype != net.dtype:
            fail(f"its {name} has shape {array.shape} and dtype {array.dtype}, but the "
                 f"network needs ({n_features},) and {net.dtype}")
    if not (np.isfinite(mean).all() and np.isfinite(scale).all() and (scale > 0).all()):
        fail("its scaler's mean or scale is not finite, or a scale is not > 0")
    net.scaler_ = Standardizer.from_arrays(mean, scale)


def restore_history(net, history, fail):
    """Give ``net`` its training History (None: it has none)."""
    if history is not None:
        if not isinstance(history, dict) or not all(
            isinstance(v, list) and all(isinstance(x, (int, float)) for x in v)
            for v in history.values()
        ):
            fail("its history is not a dict of lists of numbers")
        net.history_ = History(history)
