"""A run of [`barenet.Network.fit`][barenet.Network.fit] or [`resume`][barenet.Network.resume],
prepared: the arguments that are not the network's own -- validation data or
split, callbacks and schedule, the optimizer -- checked before anything
changes, and the data split into what is trained on and what is held out.
"""

import numpy as np

from .. import optim as _optimizers
from .._checks import check_int, check_real
from .callbacks import Callback, LearningRateScheduler, ProgressBar
from . import targets
from ..core.namespace import like, namespace
from .placement import fit_scaler, moved, to_host
from .sparse import STANDARDIZE, is_sparse
from .trainer import Run


def start_fit(net, X, y, optimizer, epochs, batch_size, validation_data, validation_split,
              shuffle, sample_weight, class_weight, schedule, callbacks, verbose):
    """Check every argument of [`barenet.Network.fit`][barenet.Network.fit] (their meaning is
    there) before anything changes, then split off the validation hold-out
    (drawn from ``net.rng``) and, on a first fit with ``standardize``, fit
    the network's ``scaler_`` (`standardized`). Returns ``(X, Y, weights,
    validation, callbacks, classes, optimizer, run, fit_config)``: the data
    as the passes take it, the [`Run`][barenet.model.trainer.Run] and its settings
    as JSON."""
    epochs = check_int("epochs", epochs, minimum=1)
    if batch_size is not None:
        batch_size = check_int("batch_size", batch_size, minimum=1)
    optimizer = _optimizers.get(optimizer)
    X, Y, classes, weights = data(net, X, y, sample_weight, class_weight)
    if validation_data is not None and validation_split is not None:
        raise ValueError("give validation_data or validation_split, not both")
    validation = validation_pair(net, validation_data, classes)
    callbacks, scheduler = callbacks_for(net, callbacks, schedule, optimizer, epochs, verbose,
                                         validation is not None or validation_split is not None)
    check_optimizer(optimizer, net.parameters)
    n_val = None if validation_split is None else split_size(validation_split, X.shape[0])
    m = X.shape[0] - (n_val or 0)
    batch_size = m if batch_size is None else min(batch_size, m)
    if batch_size < 2 and any(net.batch_norm):
        raise ValueError("batch normalization needs batches of at least 2 samples")

    # Every argument has been checked: from here on the network changes.
    order = None
    if n_val is not None:
        order = net.rng.permutation(X.shape[0])
        X, Y, weights, validation = split(net, X, Y, y, order, n_val, sample_weight,
                                          class_weight, classes)
    if net.standardize and net.scaler_ is None:
        X, validation = standardized(net, X, validation)
    run = Run(epochs, batch_size, bool(shuffle), None if scheduler is None else scheduler.schedule,
              optimizer.lr, validation_split, order)
    return (X, Y, weights, validation, callbacks, classes, optimizer, run,
            fit_config(optimizer, epochs, batch_size, shuffle, scheduler, validation_split))


def standardized(net, X, validation):
    """The first fit of a network with ``standardize``: its ``scaler_``
    fitted on the samples trained on alone, which
    [`prepare`][barenet.Network.prepare] applies from now on; returns ``X``
    and the validation pair (or None) standardized."""
    net.scaler_ = fit_scaler(X, net.dtype, net.parameters)
    X = net.scaler_.apply(X)
    if validation is not None:
        validation = (net.scaler_.apply(validation[0]), validation[1])
    return X, validation


def data(net, X, y, sample_weight, class_weight):
    """``(X, Y, classes, weights)`` of a run: the inputs and targets as the
    passes take them, and the per-sample weights (or None)."""
    X = net.prepare(X)
    refuse_sparse_scaling(net, X, "X")
    Y, classes = net.encode(y, X.shape[0])
    weights = targets.sample_weights(sample_weight, class_weight, y, X.shape[0], classes,
                                     net.task, net.dtype)
    return X, Y, classes, moved(weights, net.parameters)


def refuse_sparse_scaling(net, X, name):
    """A network with ``standardize`` takes no sparse ``X`` (centering would
    make it dense; `barenet.model.sparse`), not even before its first fit."""
    if net.standardize and is_sparse(X):
        raise ValueError(f"{name} is sparse, but {STANDARDIZE}")


def check_callbacks(callbacks):
    """``callbacks`` as a new list, after checking it is a list of Callbacks."""
    if callbacks is None:
        return []
    if isinstance(callbacks, Callback) or not isinstance(callbacks, (list, tuple)):
        raise TypeError(f"callbacks must be a list of barenet.Callback objects, got {callbacks!r}")
    for callback in callbacks:
        if not isinstance(callback, Callback):
            raise TypeError(f"callbacks must be barenet.Callback objects, got {callback!r}")
    return list(callbacks)


def callbacks_for(net, callbacks, schedule, optimizer, epochs, verbose, has_validation):
    """The run's callbacks: a [`LearningRateScheduler`][barenet.callbacks.LearningRateScheduler]
    first for ``schedule``, the user's, a progress bar last when ``verbose``.
    Each one's ``monitor`` must name a figure the run records. Returns
    ``(callbacks, scheduler)`` (None without a schedule)."""
    callbacks = check_callbacks(callbacks)
    scheduler = None
    if schedule is not None:
        scheduler = LearningRateScheduler(schedule)
        scheduler.schedule(optimizer.lr, 0, epochs)  # a schedule that cannot work fails now
        callbacks.insert(0, scheduler)
    if verbose:
        callbacks.append(ProgressBar.for_stream())
    keys = ["loss", net.metric_name]
    keys += ["val_" + k for k in keys]
    for callback in callbacks:
        monitor, who = getattr(callback, "monitor", None), type(callback).__name__
        if monitor is None:
            continue
        if monitor not in keys:
            raise ValueError(f"{who} monitor {monitor!r} is not one of {keys}")
        if monitor.startswith("val_") and not has_validation:
            raise ValueError(
                f"{who} monitors {monitor!r}, which needs validation_data or validation_split"
            )
    return callbacks, scheduler


def validation_pair(net, validation_data, classes):
    """``validation_data`` as the passes take it, ``(X_val, Y_val)``, or None."""
    if validation_data is None:
        return None
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
        raise TypeError("validation_data must be a pair (X_val, y_val)")
    X_val = net.prepare(validation_data[0], name="validation_data[0]")
    refuse_sparse_scaling(net, X_val, "validation_data[0]")
    Y_val, _ = net.encode(validation_data[1], X_val.shape[0], classes, name="validation_data[1]")
    return X_val, Y_val


def resumed(net, run, X, y, validation_data, sample_weight, class_weight, callbacks, verbose):
    """The data and callbacks of [`barenet.Network.resume`][barenet.Network.resume] for
    ``run``: ``(X, Y, weights, validation, callbacks)``, as `start_fit` gives
    them, its validation split held out again."""
    X, Y, classes, weights = data(net, X, y, sample_weight, class_weight)
    validation = resumed_validation(net, run, X, validation_data, classes)
    callbacks = check_callbacks(callbacks)
    if run.schedule is not None:
        callbacks.insert(0, LearningRateScheduler(run.schedule))
    if verbose:
        callbacks.append(ProgressBar.for_stream())
    if run.validation_split is not None:
        n_val = int(round(run.validation_split * X.shape[0]))
        X, Y, weights, validation = split(net, X, Y, y, run.order, n_val, sample_weight,
                                          class_weight, classes)
    return X, Y, weights, validation, callbacks


def resumed_validation(net, run, X, validation_data, classes):
    """The validation pair of a resumed ``run`` (None with a validation
    split, held out later from ``X``, the samples the run started with)."""
    if run.validation_split is None:
        return validation_pair(net, validation_data, classes)
    if validation_data is not None:
        raise ValueError("this run holds out a validation split; give no validation_data")
    if run.order is None or len(run.order) != X.shape[0]:
        raise ValueError(f"X must be the {len(run.order)} samples the run started with")
    return None


def check_optimizer(optimizer, parameters):
    """An optimizer with state must have it for ``parameters``' shape and dtype."""
    if optimizer.shapes is not None and optimizer.shapes != [(parameters.shape,
                                                              parameters.dtype)]:
        raise ValueError(
            f"this {type(optimizer).__name__} holds state for parameters of other shapes "
            "(it trained another model); give a new optimizer"
        )


def split_size(validation_split, n_samples):
    """The number of samples ``validation_split`` holds out of ``n_samples``."""
    split = check_real("validation_split", validation_split)
    if not 0 < split < 1:
        raise ValueError(f"validation_split must be in (0, 1), got {validation_split!r}")
    n_val = int(round(split * n_samples))
    if not 1 <= n_val < n_samples:
        raise ValueError(
            f"validation_split={split} of {n_samples} samples leaves no samples on one side"
        )
    return n_val


def split(net, X, Y, y, order, n_val, sample_weight, class_weight, classes):
    """Hold out ``order[:n_val]`` for validation; returns the training
    ``X, Y``, their weights (and 'balanced' class counts) from the samples
    trained on alone, and the validation pair (a sparse ``X``'s both sparse)."""
    held, kept = order[:n_val], order[n_val:]
    rows = _rows if type(X) is np.ndarray or is_sparse(X) else _rows_any
    validation = (rows(X, held), rows(Y, held))
    kept_weights = None if sample_weight is None else np.asarray(to_host(sample_weight))[kept]
    weights = targets.sample_weights(kept_weights, class_weight,
                                     np.asarray(to_host(y)).reshape(len(order), -1)[kept],
                                     len(kept), classes, net.task, net.dtype)
    return rows(X, kept), rows(Y, kept), moved(weights, net.parameters), validation


def _rows(A, index):
    return A[index]


def _rows_any(A, index):
    """The rows of ``A``, an array of any library, at the NumPy ``index``."""
    return namespace(A).take(A, like(index, A), axis=0)


def fit_config(optimizer, epochs, batch_size, shuffle, scheduler, validation_split):
    """The settings of a fit, as JSON (the model's ``fit_config_``)."""
    return {
        "optimizer": {"name": optimizer.name, **optimizer.get_config()},
        "epochs": epochs,
        "batch_size": batch_size,
        "shuffle": bool(shuffle),
        "schedule": None if scheduler is None else {
            "name": scheduler.schedule.name, **scheduler.schedule.get_config()},
        "validation_split": validation_split,
    }
