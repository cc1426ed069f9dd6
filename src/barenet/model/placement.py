"""Where a network's arrays live: NumPy, or another array library on a device.

A network keeps its parameters, their gradient, batch normalization's
running statistics, its optimizer's state and its input scaling in one
library, on one device: NumPy by default, or the library and device of the
data [`Network.fit`][barenet.Network.fit] is given (a torch tensor on a GPU
puts the network there: one copy, before the first step). Every other method
that takes data checks that the data are where the network is, and converts
nothing: a mismatch is a TypeError that names both, and
[`Network.to`][barenet.Network.to] moves a network. Targets (class labels,
which may be strings) and sample weights are encoded with NumPy and moved
to the network's device once per call, never per step.
"""

import numpy as np
import array_api_compat

from ..core.namespace import NUMPY, device_of, like, namespace, to_numpy
from ..preprocessing import Standardizer


def library_of(x):
    """The namespace ``x`` computes in: NumPy's for NumPy arrays and for
    everything that is not an array of another library (lists, data frames)."""
    if isinstance(x, np.ndarray) or not array_api_compat.is_array_api_obj(x):
        return NUMPY
    return namespace(x)


def place_of(x):
    """``(namespace, device)`` of ``x`` (``(NUMPY, 'cpu')`` for NumPy data)."""
    xp = library_of(x)
    return xp, "cpu" if xp is NUMPY else device_of(x)


def describe(x):
    """``x``'s library and device in words, for messages."""
    xp, device = place_of(x)
    if xp is NUMPY:
        return "NumPy data"
    return f"an array of {type(x).__module__.split('.')[0]} on device {device}"


def check_same(parameters, X, name):
    """Raise a TypeError when ``X`` is not in the library and on the device
    of the network's ``parameters``."""
    if place_of(X) != place_of(parameters):
        raise TypeError(
            f"{name} is {describe(X)} but the network's parameters are {describe(parameters)}; "
            f"move the network with net.to({name}) first (fit moves it to its data itself)")


def to_host(x):
    """``x`` as NumPy data: arrays of other libraries copied to the host,
    everything else (labels, lists) as it is."""
    return x if library_of(x) is NUMPY else to_numpy(x)


def moved(x, parameters):
    """The NumPy array ``x`` (or None) where ``parameters`` are."""
    if x is None or type(parameters) is np.ndarray:
        return x
    return like(x, parameters)


def move_optimizer(optimizer, parameters):
    """Move ``optimizer``'s state (if any) to where ``parameters`` are."""
    if optimizer is None or optimizer.state is None:
        return
    state = optimizer.get_state()  # copies
    arrays = {name: [moved(to_numpy(a), parameters) for a in field]
              for name, field in state["arrays"].items()}
    optimizer.reset()
    optimizer.set_state({"t": state["t"], "arrays": arrays})


def move_scaler(scaler, parameters):
    """``scaler`` (a fitted Standardizer, or None) with its arrays where
    ``parameters`` are."""
    if scaler is None:
        return None
    moved_scaler = type(scaler)()
    moved_scaler.mean_, moved_scaler.scale_ = (
        moved(to_numpy(a).copy(), parameters) for a in (scaler.mean_, scaler.scale_))
    return moved_scaler


def labels(classes, index):
    """The class labels at ``index`` (an integer array of any library): an
    array of ``index``'s library and device, or NumPy's for labels that
    library cannot hold (strings)."""
    if type(index) is np.ndarray:
        return classes[index]
    if classes.dtype.kind not in "biuf":
        return classes[to_numpy(index)]
    xp = namespace(index)
    return xp.take(like(classes, index), index, axis=0)


def fit_scaler(X, dtype, parameters):
    """A Standardizer fitted on the rows of ``X`` (an array of any library,
    standardized on the host, in float64), in ``dtype``, where
    ``parameters`` are."""
    return move_scaler(Standardizer().fit(to_host(X)).astype(dtype), parameters)
