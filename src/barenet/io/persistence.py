"""Saving and loading networks: arrays plus a JSON document, never pickle.

A saved model is one ``.npz`` file (a zip of ``.npy`` arrays) holding

- ``parameters``: the network's parameters as one vector in its dtype: W
  (row-major), b, and gamma, beta with batch normalization, layer by layer
  (the order of the notebook's ``W1, b1, ..., WL, bL``, whatever the layout
  ``Network.parameters`` keeps in memory); a checkpoint's optimizer arrays
  shaped like it are in the same order;
- ``state``: the running statistics of batch normalization (empty without it);
- ``classes``: the class labels of a classifier (numbers or strings);
- ``scaler.mean`` and ``scaler.scale``: the inputs' standardization
  ([`Standardizer`][barenet.preprocessing.Standardizer], ``Network.scaler_``), each of
  shape ``(n_0,)`` in the network's dtype, when the network has one (its
  metadata then says ``"standardize": true``);
- ``metadata``: a JSON document (UTF-8 bytes, as a uint8 array) with the format name and
  version, the barenet version, layer sizes, activations, loss, dtype, the
  training configuration and the training History.

The metadata's ``format_version`` says what the file may hold:

- version 1: a network without input standardization -- no scaler arrays, and
  a ``standardize`` entry that is false or (in files written before
  standardization existed) absent. Networks without standardization are still
  written as version 1, so that older barenets keep reading them.
- version 2: a network with ``standardize=True``: the metadata says
  ``"standardize": true``, and the scaler arrays are there once the network
  has been fitted. An older barenet, which reads only version 1, refuses such
  a file instead of loading it without its scaler and predicting wrongly.

[`FORMAT_VERSIONS`][barenet.io.persistence.FORMAT_VERSIONS] lists the versions this barenet reads
and [`FORMAT_VERSION`][barenet.io.persistence.FORMAT_VERSION] is the newest of them.

Loading reads it with ``allow_pickle=False`` and checks every field against
the others before building the network, so a file that is not a barenet model,
is damaged (a version-1 file holding a scaler among others), or was altered by
hand fails with [`ModelFileError`][barenet.io.persistence.ModelFileError] naming the file and the
problem. Nothing in a model file is ever executed.

Saving writes a temporary file in the target's directory, flushes it to disk,
and renames it over the target, so an interrupted save leaves any previous
file intact.

A network on another array library (PyTorch, CuPy, ``array_api_strict``: see
[`barenet.model.placement`][barenet.model.placement]) is saved from NumPy copies
of its arrays, copied from its device: the file is the one the same network
on NumPy writes. [`load`][barenet.io.persistence.load] gives a NumPy network,
or one on the library and device of its ``like`` array (or the PyTorch
``device``).
"""

import json
import os

import numpy as np
import array_api_compat

from ..core import activations as _activations
from ..core.namespace import to_numpy
from ..model import network
from .checkpoint import restore_run, run_metadata
from .files import check_path, read_npz, write_atomically
from .restore import (
    build_network,
    check_layout,
    restore_arrays,
    restore_classes,
    restore_history,
    restore_scaler,
    restore_training_entries,
)

__all__ = ["save", "load", "ModelFileError", "FORMAT", "FORMAT_VERSIONS", "FORMAT_VERSION"]

FORMAT = "barenet.network"
FORMAT_VERSIONS = (1, 2)
"""The format versions [`load`][barenet.io.persistence.load] reads (see the module's
documentation)."""
FORMAT_VERSION = FORMAT_VERSIONS[-1]
"""The newest format version, written for networks with standardized inputs;
networks without standardization are written as version 1."""


class ModelFileError(ValueError):
    """A file could not be read as a barenet model."""


def save(net, path, training_state=False):
    """Write ``net`` to ``path`` (conventionally ending in ``.npz``); with
    ``training_state``, as a checkpoint of its current run (see
    [`barenet.Network.resume`][barenet.Network.resume])."""
    from .._version import __version__

    for activation in net.activations:
        if _activations.REGISTRY.get(activation.name) is not type(activation):
            raise ValueError(
                f"cannot save the custom activation {activation!r}: only activations in "
                "barenet.activations.REGISTRY can be saved"
            )
    metadata = {
        "format": FORMAT,
        # version 2 only when needed, so that older barenets read the rest
        "format_version": 2 if net.standardize else 1,
        "barenet_version": __version__,
        "layer_sizes": list(net.layer_sizes),
        "activations": [{"name": a.name, **a.get_config()} for a in net.activations],
        "loss": net.loss.name,
        "dtype": net.dtype.name,
        "l2": net.l2,
        "dropout": list(net.dropout[:-1]),
        "batch_norm": list(net.batch_norm[:-1]),
        "bn_momentum": net.bn_momentum,
        "bn_eps": net.bn_eps,
        "standardize": net.standardize,
        "init": net.init if isinstance(net.init, str) else None,
        "training": net.fit_config_,
        "history": dict(net.history_) if net.history_ is not None else None,
    }
    # files hold W and b apart, layer by layer, whatever the layout in memory
    # a network on another library is saved from NumPy copies (from its
    # device) of its flat vectors: the same file as on NumPy
    flat = net.flat if type(net.parameters) is np.ndarray else net.flat.moved(np.empty(0))
    order = flat.file_order()
    arrays = {"parameters": flat.values[order], "state": flat.state}
    if training_state:
        metadata["run"] = run_metadata(net, arrays, order)
    document = np.frombuffer(json.dumps(metadata).encode("utf-8"), dtype=np.uint8)
    arrays["metadata"] = document
    if net.classes_ is not None:
        arrays["classes"] = net.classes_
    if net.scaler_ is not None:
        arrays["scaler.mean"], arrays["scaler.scale"] = (to_numpy(net.scaler_.mean_),
                                                         to_numpy(net.scaler_.scale_))

    write_atomically(path, lambda f: np.savez(f, **arrays))


def load(path, like=None, device=None):
    """Read a network written by [`barenet.Network.save`][barenet.Network.save].

    Parameters
    ----------
    path : str or path-like
        The model file.
    like : array, optional
        An array of the library and device the network should live on: a
        torch tensor (on the CPU or a GPU), a CuPy array, an
        ``array_api_strict`` array. The loaded network -- parameters, running
        statistics, input scaling and a checkpoint's optimizer state -- is
        moved there ([`Network.to`][barenet.Network.to]); only the array's
        library and device count, not its dtype or values. By default, or
        for a NumPy array, the network is NumPy's.
    device : str or torch.device, optional
        Instead of ``like``: a PyTorch device (``"cuda"``, ``"cuda:1"``,
        ``"cpu"``, ``"mps"``...), meaning torch tensors on that device. Needs
        PyTorch; for another library, give ``like``.

    Returns
    -------
    Network
        A checkpoint's network carries on with ``resume`` (on the data's
        library, which it moves to if need be).

    Raises
    ------
    FileNotFoundError
        For a missing file.
    ModelFileError
        (a ``ValueError``) For anything that is not an intact barenet model.
    TypeError
        For a ``like`` that is not an array, or both ``like`` and ``device``.
    """
    path = check_path(path)
    like = _placement(like, device)
    arrays = _read_archive(path)

    def fail(problem):
        raise ModelFileError(f"{path}: {problem}")

    metadata, version = _read_metadata(arrays, fail)
    parameters = arrays["parameters"]
    batch_norm = check_layout(metadata, parameters, fail)
    net = build_network(metadata, batch_norm, fail)
    order = restore_arrays(net, parameters, arrays, fail)
    restore_classes(net, arrays.get("classes"), fail)
    restore_training_entries(net, metadata, fail)
    restore_scaler(net, arrays, version, fail)
    restore_history(net, metadata.get("history"), fail)
    if metadata.get("run") is not None:
        restore_run(net, metadata["run"], arrays, fail, order)
    if like is not None:
        net.to(like)
    return net


def _placement(like, device):
    """The array whose library and device a loaded network goes to (None:
    NumPy), from `load`'s ``like`` or ``device``, checked before the file
    is read."""
    if device is not None:
        if like is not None:
            raise TypeError("give load either like= (an array) or device= (a PyTorch "
                            "device), not both")
        try:
            import torch
        except ImportError:
            raise ImportError(
                f"device={device!r} names a PyTorch device, but PyTorch is not installed; "
                "for another library, give like= an array of it"
            ) from None
        try:
            return torch.empty(0, device=device)
        except (RuntimeError, AssertionError, TypeError, ValueError) as exc:
            raise ValueError(f"device={device!r} is not a PyTorch device available here "
                             f"({type(exc).__name__}: {exc})") from None
    if like is not None and not (isinstance(like, np.ndarray)
                                 or array_api_compat.is_array_api_obj(like)):
        raise TypeError(
            f"like must be an array of the library and device to load the network to "
            f"(a torch tensor, a CuPy array...), got {type(like).__name__}; a PyTorch device "
            "goes in device="
        )
    return like


def _read_archive(path):
    """The arrays of the model file at ``path``, once it is known to be an
    ``.npz`` archive of plain arrays."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"no model file at {path}")
    if not os.path.isfile(path):
        raise ModelFileError(f"{path} is not a file")
    with open(path, "rb") as f:
        if f.read(4) != b"PK\x03\x04":
            raise ModelFileError(f"{path} is not a barenet model file (not an .npz archive)")
    try:
        return read_npz(path)
    except ValueError as exc:
        raise ModelFileError(f"{path} is not a readable barenet model file: {exc}") from None


def _read_metadata(arrays, fail):
    """``(metadata, format version)`` of a model file's ``arrays``, once the
    file is known to be a barenet model of a version this barenet reads."""
    if "metadata" not in arrays or "parameters" not in arrays:
        fail("not a barenet model file (no 'metadata' and 'parameters' arrays)")
    for name, array in arrays.items():
        if not isinstance(array, np.ndarray):
            fail(f"its member {name!r} is not a NumPy array")
    document = arrays["metadata"]
    if document.dtype != np.uint8 or document.ndim != 1:
        fail("its metadata is not a JSON document stored as bytes")
    try:
        metadata = json.loads(document.tobytes().decode("utf-8"))
    except (ValueError, RecursionError):
        fail("its metadata is not valid JSON")
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        fail("not a barenet model file (its metadata does not name the format)")
    version = metadata.get("format_version")
    # exactly an int: not True (== 1) nor 2.0
    if type(version) is not int or version not in FORMAT_VERSIONS:
        read = ", ".join(map(str, FORMAT_VERSIONS[:-1])) + f" and {FORMAT_VERSIONS[-1]}"
        fail(
            f"format version {version!r} is not one this barenet reads "
            f"(it reads versions {read})"
        )
    return metadata, version


network.WRITERS["npz"] = save  # Network.save writes through it
