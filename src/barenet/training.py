"""Mini-batches, the training loop and its History.

The loop is written once and drives any model that offers
``_step_value_and_grad(X_T, Y_T)`` (forward, loss and backward on one batch,
filling the model's gradient buffer) and the flat ``parameters`` and
``_grad`` vectors; :class:`barenet.Network` is that model. A model whose
``_figures_per_epoch()`` is true also offers ``_step_grad`` (the step without
the loss) and ``_figures`` (the loss and metric of outputs): the loop then
keeps each batch's outputs and computes the epoch's loss and metric from all
of them at once, unless a callback wants the figures of every step.
"""

import math
import signal
import threading

import numpy as np

from ._checks import check_int
from .callbacks import Callback
from .errors import TrainingDiverged


def minibatch_indices(m, batch_size, rng, shuffle=True, min_size=1):
    """Split ``range(m)`` into batches of ``batch_size`` sample indices.

    The order is a permutation drawn from ``rng`` (a ``numpy.random.Generator``)
    when ``shuffle`` is true. The last batch keeps the ``m % batch_size``
    samples left over, so every sample is used once per epoch -- unless it
    would be smaller than ``min_size`` (batch normalization needs 2), in which
    case those samples join the batch before.
    ``batch_size=m`` is batch gradient descent, ``1`` stochastic gradient descent.
    """
    m = check_int("m", m, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    order = rng.permutation(m) if shuffle else np.arange(m)
    return [order[a:b] for a, b in _batch_bounds(m, batch_size, min_size)]


def _batch_bounds(m, batch_size, min_size=1):
    """The ``(start, stop)`` of each batch of :func:`minibatch_indices` in the
    epoch's order of samples."""
    starts = list(range(0, m, batch_size))
    if len(starts) > 1 and m - starts[-1] < min_size:
        starts.pop()
    return list(zip(starts, starts[1:] + [m]))


class History(dict):
    """Per-epoch figures of a training run: a dict of lists.

    Keys are ``'loss'`` and the metric (``'accuracy'`` for classifiers,
    ``'mae'`` for regression), and ``'val_loss'``, ``'val_<metric>'`` when
    validation data were given. Training figures are the sample-weighted means
    over the epoch's mini-batches, taken as the batches go (as Keras reports
    them); validation figures are computed after the epoch's last step.
    """

    @property
    def epochs(self):
        """Number of epochs recorded."""
        return len(self.get("loss", ()))

    def append(self, **figures):
        """Add one epoch's figures, e.g. ``append(loss=0.3, accuracy=0.9)``."""
        for key, value in figures.items():
            self.setdefault(key, []).append(float(value))


# Below this many bytes a training set is shuffled as a whole each epoch, and
# its batches are slices (views); above, each batch is gathered on its own,
# so that no copy of a large set is ever made.
SHUFFLE_COPY_BYTES = 16 * 2**20


def _gather(order, bounds, X, Y, weights):
    """The epoch's batches, and its targets and weights in ``order``.

    Returns ``(batches, Y_epoch, weights_epoch)``: ``batches`` yields the
    ``(X, Y, weights)`` rows of each batch, ``bounds`` giving each one's
    ``(start, stop)`` in ``order``; ``Y_epoch`` and ``weights_epoch`` are None
    when they were not made on the way (targets too large to gather at once).
    """
    if X.nbytes + Y.nbytes <= SHUFFLE_COPY_BYTES and len(bounds) > 1:
        X, Y = X.take(order, axis=0), Y.take(order, axis=0)
        weights = None if weights is None else weights.take(order)
        batches = ((X[a:b], Y[a:b], None if weights is None else weights[a:b])
                   for a, b in bounds)
        return batches, Y, weights
    # a large X: each batch of it gathered on its own; the targets and weights
    # (a few values per sample) at once, unless they are large as well
    if Y.nbytes > SHUFFLE_COPY_BYTES:
        batches = ((X.take(order[a:b], axis=0), Y.take(order[a:b], axis=0),
                    None if weights is None else weights.take(order[a:b])) for a, b in bounds)
        return batches, None, None
    Y = Y.take(order, axis=0)
    weights = None if weights is None else weights.take(order)
    batches = ((X.take(order[a:b], axis=0), Y[a:b], None if weights is None else weights[a:b])
               for a, b in bounds)
    return batches, Y, weights


def _diverged(what, epoch, step):
    return (
        f"the {what} became nan or infinite at epoch {epoch}, step {step}; the "
        "parameters keep their values from before that step. Try a smaller "
        "learning rate, or scale the inputs (e.g. to zero mean and unit variance)"
    )


class _DeferredInterrupt:
    """While active (in the main thread), Ctrl-C only raises a flag; the
    training loop raises KeyboardInterrupt at the end of the current step, so
    the parameters and the optimizer's state are never left half updated. A
    second Ctrl-C interrupts at once."""

    def __init__(self):
        self.requested = False
        self._previous = None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __exit__(self, *exc):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
        return False


def run_epochs(model, X, Y, optimizer, epochs, batch_size, rng, shuffle, history,
               validation=None, callbacks=(), weights=None, initial_epoch=0):
    """Train ``model`` in place for ``epochs`` passes over ``(X, Y)``.

    ``X`` has shape ``(m, n_features)`` and ``Y`` the encoded targets
    ``(m, n_outputs)``, both in the model's dtype; ``weights``, if given, has
    shape ``(m,)``. Each batch is gathered with one fancy index and handed to
    the model transposed (a view). ``validation``, when given, is an
    ``(X_val, Y_val)`` pair in the same form, scored by ``model._scores``
    after each epoch. ``callbacks`` are :class:`~barenet.callbacks.Callback`
    objects, called in order; training stops after an epoch where one of them
    asks to. Epochs ``initial_epoch + 1 .. epochs`` run (a resumed run starts
    after the epochs it already has); ``model._run['epoch']`` counts them.

    Ctrl-C stops training at the end of the step under way, with a
    KeyboardInterrupt: the model keeps consistent parameters, optimizer state
    and the History of the epochs completed.

    A non-finite batch loss or gradient, or an update that would make a
    parameter non-finite, stops training with :class:`TrainingDiverged`; the
    parameters keep their values from before that step (the optimizer checks
    the gradient and the update before it applies anything).
    """
    m = X.shape[0]
    metric = model._metric_name
    params = model.parameters
    # The loss and metric of each batch cost a dozen small NumPy calls; when
    # nothing looks at them step by step, the outputs are kept and scored once
    # per epoch. Only models whose outputs are finite exactly when their
    # gradient is (checked by the optimizer) allow it, so no divergence goes
    # unseen until the end of an epoch.
    per_epoch = getattr(model, "_figures_per_epoch", lambda: False)() and not any(
        type(callback).on_step_end is not Callback.on_step_end for callback in callbacks)
    if per_epoch:
        outputs = np.empty((Y.shape[1], m), dtype=Y.dtype)
    bounds = _batch_bounds(m, check_int("batch_size", batch_size, minimum=1),
                           min_size=2 if any(model.batch_norm) else 1)
    in_order = None if shuffle else np.arange(m)
    # the optimizer's step on the same two arrays at every step: checked once
    step_optimizer = optimizer._bind([params], [model._grad])
    for callback in callbacks:
        callback.on_train_begin(model, epochs, -(-m // batch_size))
    try:
        # Overflow is expected on the way to divergence; it is caught below,
        # with a message that says what to do, instead of as a stream of warnings.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"), \
                _DeferredInterrupt() as interrupt:
            for epoch in range(initial_epoch + 1, epochs + 1):
                for callback in callbacks:
                    callback.on_epoch_begin(epoch)
                total_loss = total_metric = 0.0
                start = 0
                # the order minibatch_indices(m, batch_size, rng, shuffle) draws
                order = rng.permutation(m) if shuffle else in_order
                batches, Y_epoch, weights_epoch = _gather(order, bounds, X, Y, weights)
                for step, (Xb, Yb, wb) in enumerate(batches, 1):
                    size = len(Xb)
                    if per_epoch:
                        AL, penalty = model._step_grad(Xb.T, Yb.T, wb)
                    else:
                        loss, AL = model._step_value_and_grad(Xb.T, Yb.T, wb)
                        if not math.isfinite(loss):
                            raise TrainingDiverged(_diverged("loss", epoch, step))
                    try:
                        step_optimizer()
                    except TrainingDiverged as error:  # nothing was applied
                        raise TrainingDiverged(_diverged(error.what, epoch, step)) from None
                    if per_epoch:
                        outputs[:, start:start + size] = AL
                        total_loss += penalty * size
                    else:
                        score = model._metric(AL, Yb.T)
                        total_loss += loss * size
                        total_metric += score * size
                        if callbacks:
                            logs = {"loss": loss, metric: score, "size": size}
                            for callback in callbacks:
                                callback.on_step_end(epoch, step, logs)
                    start += size
                    if interrupt.requested:
                        raise KeyboardInterrupt
                if per_epoch:
                    if Y_epoch is None:
                        Y_epoch = Y.take(order, axis=0)
                        weights_epoch = None if weights is None else weights.take(order)
                    figures = model._figures(outputs, Y_epoch.T, weights_epoch)
                    figures["loss"] += total_loss / m
                else:
                    figures = {"loss": total_loss / m, metric: total_metric / m}
                if validation is not None:
                    scores = model._scores(*validation)
                    figures["val_loss"] = scores["loss"]
                    figures["val_" + metric] = scores[metric]
                history.append(**figures)
                model._run["epoch"] = epoch
                # every callback sees the epoch, even when an earlier one stops
                stop = [callback.on_epoch_end(epoch, history) for callback in callbacks]
                if any(stop):
                    break
    finally:
        for callback in callbacks:
            callback.on_train_end(history)
    return history
