"""Saving and loading networks: arrays plus a JSON document, never pickle.

A saved model is one ``.npz`` file (a zip of ``.npy`` arrays) holding

- ``parameters``: the network's flat parameter vector, in its dtype;
- ``classes``: the class labels of a classifier (numbers or strings);
- ``metadata``: a JSON document (as a string array) with the format name and
  version, the barenet version, layer sizes, activations, loss, dtype, the
  training configuration and the training History.

Loading reads it with ``allow_pickle=False`` and checks every field against
the others before building the network, so a file that is not a barenet model,
is damaged, or was altered by hand fails with :class:`ModelFileError` naming
the file and the problem. Nothing in a model file is ever executed.

Saving writes a temporary file in the target's directory, flushes it to disk,
and renames it over the target, so an interrupted save leaves any previous
file intact.
"""

import json
import os
import tempfile
import zipfile

import numpy as np

from . import activations as _activations

FORMAT = "barenet.network"
FORMAT_VERSION = 1


class ModelFileError(ValueError):
    """A file could not be read as a barenet model."""


def save(net, path):
    """Write ``net`` to ``path`` (conventionally ending in ``.npz``)."""
    from . import __version__

    for activation in net.activations:
        if _activations.REGISTRY.get(activation.name) is not type(activation):
            raise ValueError(
                f"cannot save the custom activation {activation!r}: only activations in "
                "barenet.activations.REGISTRY can be saved"
            )
    metadata = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "barenet_version": __version__,
        "layer_sizes": list(net.layer_sizes),
        "activations": [{"name": a.name, **a.get_config()} for a in net.activations],
        "loss": net.loss.name,
        "dtype": net.dtype.name,
        "init": net.init if isinstance(net.init, str) else None,
        "training": net.fit_config_,
        "history": dict(net.history_) if net.history_ is not None else None,
    }
    arrays = {"parameters": net.parameters, "metadata": np.array(json.dumps(metadata))}
    if net.classes_ is not None:
        arrays["classes"] = net.classes_

    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".barenet-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def load(path):
    """Read a network written by :meth:`barenet.Network.save`.

    Raises ``FileNotFoundError`` for a missing file and :class:`ModelFileError`
    (a ``ValueError``) for anything that is not an intact barenet model.
    """
    from .network import Network

    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no model file at {path}")
    with open(path, "rb") as f:
        if f.read(4) != b"PK\x03\x04":
            raise ModelFileError(f"{path} is not a barenet model file (not an .npz archive)")
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as exc:
        raise ModelFileError(
            f"{path} is not a readable barenet model file ({type(exc).__name__}: {exc})"
        ) from None

    def fail(problem):
        raise ModelFileError(f"{path}: {problem}")

    if "metadata" not in arrays or "parameters" not in arrays:
        fail("not a barenet model file (no 'metadata' and 'parameters' arrays)")
    try:
        metadata = json.loads(str(arrays["metadata"]))
    except ValueError:
        fail("its metadata is not valid JSON")
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        fail("not a barenet model file (its metadata does not name the format)")
    version = metadata.get("format_version")
    if version != FORMAT_VERSION:
        fail(
            f"format version {version!r} is not one this barenet reads "
            f"(it reads version {FORMAT_VERSION})"
        )
    try:
        activations = [
            _activations.REGISTRY[a["name"]](**{k: v for k, v in a.items() if k != "name"})
            for a in metadata["activations"]
        ]
        net = Network(
            metadata["layer_sizes"], activations, dtype=metadata["dtype"],
            loss=metadata["loss"], seed=0,
        )
    except (KeyError, TypeError, ValueError) as exc:
        fail(f"its metadata does not describe a valid network ({type(exc).__name__}: {exc})")

    parameters = arrays["parameters"]
    if parameters.shape != net.parameters.shape or parameters.dtype != net.dtype:
        fail(
            f"its parameters have shape {parameters.shape} and dtype {parameters.dtype}, but "
            f"the layer sizes {list(net.layer_sizes)} need shape {net.parameters.shape} "
            f"and dtype {net.dtype}"
        )
    if not np.isfinite(parameters).all():
        fail("its parameters contain NaN or infinity")
    net.parameters[...] = parameters

    if net.task != "regression":
        classes = arrays.get("classes")
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
    net.init = metadata.get("init")
    net.fit_config_ = metadata.get("training")
    history = metadata.get("history")
    if history is not None:
        from .training import History

        net.history_ = History(history)
    return net
