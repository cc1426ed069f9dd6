"""Mini-batches, the training loop and its History.

The loop is written once and drives any model that offers
``_step_value_and_grad(X_T, Y_T)`` (forward, loss and backward on one batch,
filling the model's gradient buffer) and the flat ``parameters`` and
``_grad`` vectors; :class:`barenet.Network` is that model. A model whose
``_figures_per_epoch()`` is true also offers ``_step_grad`` (the step without
the loss) and ``_figures`` (the loss and metric of outputs): the loop then
keeps each batch's outputs and computes the epoch's loss and metric from all
of them at once, unless a callback wants the figures of every step. After a
divergence the loop puts back a copy it kept of an epoch start
(``_snapshot``, ``_restore``) whose inference pass (``_infer``) over the
training data is finite.
"""

import math
import signal
import threading

import numpy as np

from ._checks import check_int
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


_ADVICE = (". Try a smaller learning rate, or scale the inputs (e.g. to zero mean and unit "
           "variance)")


def _keep(model, snapshot):
    """Copy the model's parameters and state into the arrays of
    ``snapshot``, laid out as its ``_snapshot()`` makes them."""
    parameters, state = snapshot
    parameters[...] = model.parameters
    if state.size:  # batch normalization's running statistics
        state[...] = model._state


def _diverged(model, X, what, epoch, step, points):
    """Restore the first of ``points`` -- ``(epoch, snapshot)`` pairs of
    epoch starts, the latest first, the run's start last -- whose inference
    pass over the training data ``X`` is finite, without an overflow on the
    way (the run's start if none is). Returns that snapshot and the
    :class:`TrainingDiverged` for ``what`` (the loss, the gradient, the
    update) at ``epoch`` and ``step`` (None: the epoch's loss) that says
    which epoch's start the model now holds."""
    seen = set()
    for restored, snapshot in points:
        if id(snapshot) in seen:
            continue
        seen.add(id(snapshot))
        model._restore(snapshot)
        try:
            with np.errstate(over="raise", invalid="raise"):
                finite = bool(np.isfinite(model._infer(X)).all())
        except FloatingPointError:  # an overflow on the way, in a hidden layer
            finite = False
        if finite:
            break
    where = f"at epoch {epoch}, step {step}" if step else f"over epoch {epoch}"
    which = f"those of the start of epoch {restored}"
    if restored == points[-1][0]:
        which += " (the ones training started from)"
    if not finite:
        which += ", and even these give nan or infinite outputs on the training data"
    error = TrainingDiverged(
        f"the {what} became nan or infinite {where}; the parameters are {which}{_ADVICE}")
    error.what, error.epoch, error.step, error.restored_epoch = what, epoch, step, restored
    return snapshot, error


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

    A non-finite batch loss or gradient, an update that would make a
    parameter non-finite (the optimizer checks the gradient and the update
    before it applies anything), or an epoch's loss that is not finite, stops
    training with :class:`TrainingDiverged`. The model then holds the
    parameters (and batch-normalization statistics) of an epoch start whose
    inference pass over ``X`` is finite, without an overflow on the way: the
    diverging epoch's own start if its first step went through, else the
    start of the epoch before, else the parameters training started from
    (kept even if they fail that test too; the message then says so). The
    error's message and its ``restored_epoch`` attribute name that epoch;
    ``epoch`` and ``step`` say where training diverged. The callbacks'
    ``on_train_end`` runs after the restore, so an
    :class:`~barenet.callbacks.EarlyStopping` with ``restore_best`` puts back
    its best epoch instead (the message then says that a callback changed
    the parameters, and ``restored_epoch`` is None). One copy of the
    parameters is made per epoch, none per step. The optimizer's state is
    not restored: it is that of the last step applied (with the refused
    step's moments when its update overflowed), so training on from the
    restored parameters takes a new optimizer.
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
        callback.wants_steps for callback in callbacks)
    if per_epoch:
        outputs = np.empty((Y.shape[1], m), dtype=Y.dtype)
    bounds = _batch_bounds(m, check_int("batch_size", batch_size, minimum=1),
                           min_size=2 if any(model.batch_norm) else 1)
    in_order = None if shuffle else np.arange(m)
    # the same two tuples at every step: the optimizer checks the arrays once
    step_arrays = ((params,), (model._grad,))
    for callback in callbacks:
        callback.on_train_begin(model, epochs, -(-m // batch_size))
    # restore points for a divergence: (epoch, snapshot) of the run's start,
    # of the epoch under way and of the one before (see _diverged); the
    # epochs after the first are copied into two arrays made once, in turn
    first = (initial_epoch + 1, model._snapshot())
    copies = [model._snapshot(), model._snapshot()]  # written now: no page to fault in later
    previous = current = first
    diverged = None
    try:
        # Overflow is expected on the way to divergence; it is caught below,
        # with a message that says what to do, instead of as a stream of warnings.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"), \
                _DeferredInterrupt() as interrupt:
            for epoch in range(initial_epoch + 1, epochs + 1):
                if epoch > first[0]:  # the epoch before went through, its start with it
                    copy = copies[epoch % 2]  # not the previous epoch's
                    _keep(model, copy)
                    previous, current = current, (epoch, copy)
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
                            what = "loss"
                            break
                    try:
                        optimizer.step(*step_arrays)
                    except TrainingDiverged as error:  # nothing was applied
                        what = error.what
                        break
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
                else:
                    step = None  # every step went through
                if step is not None:
                    # the epoch's first step went through with its start's
                    # parameters when it is not the one that failed
                    points = [current] if step > 1 else []
                    kept, diverged = _diverged(model, X, what, epoch, step,
                                               points + [previous, first])
                    raise diverged
                if per_epoch:
                    if Y_epoch is None:
                        Y_epoch = Y.take(order, axis=0)
                        weights_epoch = None if weights is None else weights.take(order)
                    figures = model._figures(outputs, Y_epoch.T, weights_epoch)
                    figures["loss"] += total_loss / m
                else:
                    figures = {"loss": total_loss / m, metric: total_metric / m}
                if not math.isfinite(figures["loss"]):  # an L2 penalty can overflow alone
                    kept, diverged = _diverged(model, X, "loss", epoch, None,
                                               [current, previous, first])
                    raise diverged
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
        if diverged is not None and not np.array_equal(params, kept[0]):
            diverged.args = (diverged.args[0].replace(_ADVICE, (
                "; then a callback changed them as training ended (as "
                "EarlyStopping(restore_best=True) puts back its best epoch)" + _ADVICE)),)
            diverged.restored_epoch = None
    return history
