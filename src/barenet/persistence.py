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
  (:class:`~barenet.preprocessing.Standardizer`, ``Network.scaler_``), each of
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

:data:`FORMAT_VERSIONS` lists the versions this barenet reads and
:data:`FORMAT_VERSION` is the newest of them.

Loading reads it with ``allow_pickle=False`` and checks every field against
the others before building the network, so a file that is not a barenet model,
is damaged (a version-1 file holding a scaler among others), or was altered by
hand fails with :class:`ModelFileError` naming the file and the problem.
Nothing in a model file is ever executed.

Saving writes a temporary file in the target's directory, flushes it to disk,
and renames it over the target, so an interrupted save leaves any previous
file intact.
"""

import json
import os

import numpy as np

from .core import activations as _activations
from ._files import check_path, read_npz, write_atomically
from .preprocessing import Standardizer

FORMAT = "barenet.network"
#: The format versions :func:`load` reads (see the module's documentation).
FORMAT_VERSIONS = (1, 2)
#: The newest format version, written for networks with standardized inputs;
#: networks without standardization are written as version 1.
FORMAT_VERSION = FORMAT_VERSIONS[-1]


class ModelFileError(ValueError):
    """A file could not be read as a barenet model."""


def save(net, path, training_state=False):
    """Write ``net`` to ``path`` (conventionally ending in ``.npz``); with
    ``training_state``, as a checkpoint of its current run (see
    :meth:`barenet.Network.resume`)."""
    from . import __version__

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
    order = net._file_order()
    arrays = {"parameters": net.parameters[order], "state": net._state}
    if training_state:
        metadata["run"] = _run_metadata(net, arrays, order)
    document = np.frombuffer(json.dumps(metadata).encode("utf-8"), dtype=np.uint8)
    arrays["metadata"] = document
    if net.classes_ is not None:
        arrays["classes"] = net.classes_
    if net.scaler_ is not None:
        arrays["scaler.mean"], arrays["scaler.scale"] = net.scaler_.mean_, net.scaler_.scale_

    write_atomically(path, lambda f: np.savez(f, **arrays))


def _run_metadata(net, arrays, order):
    """The current run as JSON, its arrays added to ``arrays`` (those shaped
    like the parameters in the file's ``order``)."""
    run = net._run
    if run is None or net.optimizer_ is None:
        raise ValueError("training_state=True needs a run: call fit first")
    optimizer = net.optimizer_
    from . import optimizers

    if optimizers.REGISTRY.get(optimizer.name) is not type(optimizer):
        raise ValueError(
            f"cannot save the training state of the custom optimizer {optimizer!r}: only "
            "optimizers in barenet.optimizers.REGISTRY can be saved with it"
        )
    state = optimizer.get_state()
    for name, values in state["arrays"].items():
        for i, value in enumerate(values):
            arrays[f"optimizer.{name}.{i}"] = value[order] if value.shape == order.shape else value
    if run["order"] is not None:
        arrays["run.order"] = run["order"]
    schedule = run["schedule"]
    return {
        "epochs": run["epochs"], "epoch": run["epoch"], "batch_size": run["batch_size"],
        "shuffle": run["shuffle"], "base_lr": run["base_lr"],
        "validation_split": run["validation_split"],
        "schedule": None if schedule is None else {"name": schedule.name, **schedule.get_config()},
        "optimizer": {"name": optimizer.name, **optimizer.get_config()},
        "optimizer_t": state["t"],
        "optimizer_arrays": {name: len(values) for name, values in state["arrays"].items()},
        "random_state": net._rng.bit_generator.state,
    }


def _in_memory(order, saved):
    """A vector saved in a file's ``order`` (see :func:`save`), in the layout
    of the parameters in memory; one of another shape is left as it is (the
    checks that follow refuse it)."""
    if saved.shape != order.shape:
        return saved
    restored = np.empty_like(saved)
    restored[order] = saved
    return restored


def _restore_run(net, run, arrays, fail, order):
    """Give ``net`` the run saved by :func:`_run_metadata` (its optimizer
    arrays in the file's ``order``)."""
    from . import optimizers, schedules

    try:
        config = dict(run["optimizer"])
        optimizer = optimizers.REGISTRY[config.pop("name")](**config)
        state_arrays = {name: [_in_memory(order, arrays[f"optimizer.{name}.{i}"])
                               for i in range(count)]
                        for name, count in run["optimizer_arrays"].items()}
        shapes = {a.shape for values in state_arrays.values() for a in values}
        if len(shapes) > 1:
            raise ValueError(f"the optimizer's state arrays have different shapes {sorted(shapes)}")
        optimizer.set_state({"t": run["optimizer_t"], "arrays": state_arrays})
        schedule = None
        if run["schedule"] is not None:
            config = dict(run["schedule"])
            schedule = schedules.REGISTRY[config.pop("name")](**config)
        rng = np.random.default_rng()
        rng.bit_generator.state = run["random_state"]
        # NumPy 1.x takes some invalid states (a negative integer, wrapped)
        # where 2.x raises: a state that does not read back as saved is damaged
        if rng.bit_generator.state != run["random_state"]:
            raise ValueError("the random state does not read back as it was saved")
        order = arrays.get("run.order")
        epochs, epoch, batch_size = run["epochs"], run["epoch"], run["batch_size"]
        if not all(isinstance(v, int) and not isinstance(v, bool)
                   for v in (epochs, epoch, batch_size)):
            raise TypeError("epochs, epoch and batch_size must be integers")
        if not (0 <= epoch <= epochs and epochs >= 1 and batch_size >= 1):
            raise ValueError(f"epoch {epoch} of epochs {epochs}, batch_size {batch_size}")
        split = run["validation_split"]
        if split is not None and not (isinstance(split, float) and 0 < split < 1
                                      and order is not None and order.ndim == 1):
            raise ValueError(f"validation_split {split!r} is not in (0, 1) with its order")
        net._run = {"epochs": epochs, "epoch": epoch, "batch_size": batch_size,
                    "shuffle": bool(run["shuffle"]), "schedule": schedule,
                    "base_lr": float(run["base_lr"]),
                    "validation_split": run["validation_split"], "order": order}
    except (KeyError, TypeError, ValueError, OverflowError, AttributeError) as exc:
        fail(f"its training state is damaged ({type(exc).__name__}: {exc})")
    shapes = optimizer.shapes
    if shapes is not None and shapes != [(net.parameters.shape, net.dtype)]:
        fail("its optimizer state does not fit the parameters")
    net.optimizer_ = optimizer
    net._rng = rng


def _restore_scaler(net, arrays, version, fail):
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


def load(path):
    """Read a network written by :meth:`barenet.Network.save`.

    Raises ``FileNotFoundError`` for a missing file and :class:`ModelFileError`
    (a ``ValueError``) for anything that is not an intact barenet model.
    """
    from .network import Network

    path = check_path(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no model file at {path}")
    if not os.path.isfile(path):
        raise ModelFileError(f"{path} is not a file")
    with open(path, "rb") as f:
        if f.read(4) != b"PK\x03\x04":
            raise ModelFileError(f"{path} is not a barenet model file (not an .npz archive)")
    try:
        arrays = read_npz(path)
    except ValueError as exc:
        raise ModelFileError(f"{path} is not a readable barenet model file: {exc}") from None

    def fail(problem):
        raise ModelFileError(f"{path}: {problem}")

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
    # Compare the parameter count with the layer sizes before building anything,
    # so that a file claiming enormous layers cannot make us allocate them.
    parameters = arrays["parameters"]
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
    try:
        activations = [
            _activations.REGISTRY[a["name"]](**{k: v for k, v in a.items() if k != "name"})
            for a in metadata["activations"]
        ]
        net = Network(
            metadata["layer_sizes"], activations, dtype=metadata["dtype"],
            loss=metadata["loss"], seed=0, l2=metadata.get("l2", 0.0),
            dropout=metadata.get("dropout"), batch_norm=batch_norm,
            bn_momentum=metadata.get("bn_momentum", 0.9), bn_eps=metadata.get("bn_eps", 1e-5),
            standardize=metadata.get("standardize", False),
        )
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        fail(f"its metadata does not describe a valid network ({type(exc).__name__}: {exc})")

    if parameters.dtype != net.dtype:
        fail(f"its parameters are {parameters.dtype}, but its metadata says {net.dtype}")
    if not np.isfinite(parameters).all():
        fail("its parameters contain NaN or infinity")
    order = net._file_order()
    net.parameters[order] = parameters
    state = arrays.get("state", np.empty(0, net.dtype))
    if state.shape != net._state.shape or state.dtype != net.dtype:
        fail(
            f"its batch-normalization state has shape {state.shape} and dtype {state.dtype}, "
            f"but the network needs {net._state.shape} and {net.dtype}"
        )
    net._state[...] = state
    if not np.isfinite(state).all() or any(
        (var < 0).any() for var in net.running_vars if var is not None
    ):
        fail("its batch-normalization statistics are not finite, or a variance is negative")

    classes = arrays.get("classes")
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
    init, training = metadata.get("init"), metadata.get("training")
    if not (init is None or isinstance(init, str)) or not (training is None or isinstance(training, dict)):
        fail("its init or training entries are malformed")
    net.init, net.fit_config_ = init, training
    _restore_scaler(net, arrays, version, fail)
    history = metadata.get("history")
    if history is not None:
        from .training import History

        if not isinstance(history, dict) or not all(
            isinstance(v, list) and all(isinstance(x, (int, float)) for x in v)
            for v in history.values()
        ):
            fail("its history is not a dict of lists of numbers")
        net.history_ = History(history)
    if metadata.get("run") is not None:
        _restore_run(net, metadata["run"], arrays, fail, order)
    return net
