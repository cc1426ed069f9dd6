"""The training loop, written once: epochs of mini-batch steps over a
network's passes, with its History, callbacks, divergence and Ctrl-C handling.

A [`Trainer`][barenet.training.Trainer] is handed what it works on explicitly: the passes (a
[`barenet.fast.engine.Engine`][barenet.fast.engine.Engine]: ``step_value_and_grad``, ``step_grad``,
``figures``, ``metric``, ``scores``, ``infer``), the flat parameters and
gradient ([`barenet.model.parameters.FlatParameters`][barenet.model.parameters.FlatParameters]), the optimizer,
the Generator all randomness comes from, and the callbacks. When the engine's
``figures_per_epoch`` is true the loop keeps each batch's outputs and computes
the epoch's loss and metric from all of them at once, unless a callback wants
the figures of every step. After a divergence it puts back a copy it kept of
an epoch start whose inference pass over the training data is finite.
"""

import math
import signal
import sys
import threading
from dataclasses import dataclass

import numpy as np

from ..core.namespace import NUMPY, all_finite, device_of, namespace
from ..errors import TrainingDiverged
from . import sparse
from .batches import batch_bounds, gather


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


@dataclass
class Run:
    """A run of [`barenet.Network.fit`][barenet.Network.fit]: what it was asked for and how
    far it got, which [`barenet.Network.resume`][barenet.Network.resume] and checkpoints carry on.

    ``epoch`` counts the epochs done (of ``epochs``); ``schedule`` is the
    learning-rate schedule or None, ``base_lr`` the optimizer's rate when the
    run started; ``order`` is the permutation that split off the
    ``validation_split`` hold-out (or None).
    """

    epochs: int
    batch_size: int
    shuffle: bool
    schedule: object
    base_lr: float
    validation_split: object
    order: object
    epoch: int = 0


_ADVICE = (". Try a smaller learning rate, or scale the inputs (e.g. to zero mean and unit "
           "variance)")


class _DeferredInterrupt:
    """While active (in the main thread), Ctrl-C only raises a flag (and says
    so on stderr); the training loop raises KeyboardInterrupt at the end of
    the epoch under way, so that the model stops at an epoch's end: nothing
    half updated, and a run that `resume` carries on exactly. A second Ctrl-C
    interrupts at once."""

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
        try:
            print("\nCtrl-C: training stops at the end of this epoch "
                  "(Ctrl-C again stops it at once)", file=sys.stderr, flush=True)
        except (OSError, ValueError):  # no stderr to tell (closed, or none)
            pass

    def __exit__(self, *exc):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
        return False


class Trainer:
    """Train a network in place: ``engine`` its passes, ``flat`` its flat
    parameters, ``optimizer`` the rule that steps them, ``rng`` the Generator
    of shuffles and dropout masks, ``callbacks`` [`Callback`][barenet.callbacks.Callback]
    objects called in order with ``model`` (the network they see).

    [`train`][barenet.training.Trainer.train] runs epochs ``run.epoch + 1 .. run.epochs`` (a resumed
    run starts after the epochs it already has) and counts them in ``run.epoch``.

    Ctrl-C stops training at the end of the epoch under way, with a
    KeyboardInterrupt: the model is that of the epoch's end, its History
    complete, and [`resume`][barenet.Network.resume] carries the run on as if
    it had never stopped. A second Ctrl-C stops at once, possibly in the middle
    of a step: the parameters and the optimizer's state are then as that
    moment left them, and the History holds the epochs completed.

    A non-finite batch loss or gradient, an update that would make a
    parameter non-finite (the optimizer checks the gradient and the update
    before it applies anything), or an epoch's loss that is not finite, stops
    training with [`TrainingDiverged`][barenet.errors.TrainingDiverged]. The model then
    holds the parameters (and batch-normalization statistics) of an epoch
    start whose inference pass over ``X`` is finite, without an overflow on
    the way: the diverging epoch's own start if its first step went through,
    else the start of the epoch before, else the parameters training started
    from (kept even if they fail that test too; the message then says so).
    The error's message and its ``restored_epoch`` attribute name that epoch;
    ``epoch`` and ``step`` say where training diverged. The callbacks'
    ``on_train_end`` runs after the restore, so an
    [`EarlyStopping`][barenet.callbacks.EarlyStopping] with ``restore_best`` puts back
    its best epoch instead (the message then says that a callback changed
    the parameters, and ``restored_epoch`` is None). One copy of the
    parameters is made per epoch, none per step. The optimizer's state is
    not restored: it is that of the last step applied (with the refused
    step's moments when its update overflowed), so training on from the
    restored parameters takes a new optimizer.
    """

    def __init__(self, engine, flat, optimizer, rng, callbacks=(), model=None):
        self.engine, self.flat, self.optimizer, self.rng = engine, flat, optimizer, rng
        self.callbacks, self.model = list(callbacks), model

    def train(self, X, Y, run, history, validation=None, weights=None):
        """Train for the epochs left in ``run`` on ``(X, Y)`` and return ``history``.

        ``X`` has shape ``(m, n_features)`` and ``Y`` the encoded targets
        ``(m, n_outputs)``, both in the model's dtype; ``weights``, if given,
        has shape ``(m,)``. Each batch is gathered with one fancy index and
        handed to the engine transposed (a view); a SciPy sparse ``X`` (CSR)
        is made dense one batch at a time ([`barenet.model.sparse`][barenet.model.sparse]).
        ``validation``, when given, is an ``(X_val, Y_val)`` pair in the same
        form, scored after each epoch. Training stops after an epoch where a
        callback asks to.
        """
        self._begin(X, Y, run)
        self.diverged = None
        try:
            # Overflow is expected on the way to divergence; it is caught below,
            # with a message that says what to do, instead of as a stream of warnings.
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"), \
                    _DeferredInterrupt() as interrupt:
                for epoch in range(run.epoch + 1, run.epochs + 1):
                    figures = self._epoch(epoch, X, Y, weights)
                    if validation is not None:
                        scores = sparse.scores(self.engine, *validation)
                        figures["val_loss"] = scores["loss"]
                        figures["val_" + self.engine.metric_name] = scores[self.engine.metric_name]
                    history.append(**figures)
                    run.epoch = epoch
                    # every callback sees the epoch, even when an earlier one stops
                    if any([callback.on_epoch_end(epoch, history) for callback in self.callbacks]):
                        break
                    if interrupt.requested and epoch < run.epochs:  # Ctrl-C during it
                        raise KeyboardInterrupt
        finally:
            self._end(history)
        return history

    def _begin(self, X, Y, run):
        """What every epoch uses, made once; the callbacks' ``on_train_begin``."""
        m = X.shape[0]
        # The loss and metric of each batch cost a dozen small NumPy calls; when
        # nothing looks at them step by step, the outputs are kept and scored once
        # per epoch. Only engines whose outputs are finite exactly when their
        # gradient is (checked by the optimizer) allow it, so no divergence goes
        # unseen until the end of an epoch.
        self.per_epoch = self.engine.figures_per_epoch and not any(
            callback.wants_steps for callback in self.callbacks)
        self.xp = xp = namespace(X)
        self.outputs = None
        if self.per_epoch:
            self.outputs = (np.empty((Y.shape[1], m), dtype=Y.dtype) if xp is NUMPY else
                            xp.empty((Y.shape[1], m), dtype=Y.dtype, device=device_of(Y)))
        self.bounds = batch_bounds(m, run.batch_size,
                                   min_size=2 if any(self.engine.batch_norm) else 1)
        self.shuffle, self.in_order = run.shuffle, None if run.shuffle else np.arange(m)
        # the same two tuples at every step: the optimizer checks the arrays once
        self.step_arrays = ((self.flat.values,), (self.flat.grad,))
        for callback in self.callbacks:
            callback.on_train_begin(self.model, run.epochs, -(-m // run.batch_size))
        # restore points for a divergence: (epoch, snapshot) of the run's start,
        # of the epoch under way and of the one before (see _diverge); the
        # epochs after the first are copied into two arrays made once, in turn
        self.first = (run.epoch + 1, self.flat.snapshot())
        # written now: no page to fault in later
        self.copies = [self.flat.snapshot(), self.flat.snapshot()]
        self.previous = self.current = self.first

    def _epoch(self, epoch, X, Y, weights):
        """One epoch's steps; returns its figures, or raises TrainingDiverged."""
        self._keep_start(epoch)
        callbacks, engine, optimizer, rng = self.callbacks, self.engine, self.optimizer, self.rng
        per_epoch, outputs, step_arrays = self.per_epoch, self.outputs, self.step_arrays
        metric = engine.metric_name
        for callback in callbacks:
            callback.on_epoch_begin(epoch)
        total_loss = total_metric = 0.0
        start = 0
        # the order minibatch_indices(m, batch_size, rng, shuffle) draws
        order = rng.permutation(X.shape[0]) if self.shuffle else self.in_order
        batches, Y_epoch, weights_epoch = gather(order, self.bounds, X, Y, weights)
        for step, (Xb, Yb, wb) in enumerate(batches, 1):
            size = Xb.shape[0]
            if per_epoch:
                AL, penalty = engine.step_grad(Xb.T, Yb.T, wb, rng)
            else:
                loss, AL = engine.step_value_and_grad(Xb.T, Yb.T, wb, rng)
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
                score = engine.metric(AL, Yb.T)
                total_loss += loss * size
                total_metric += score * size
                if callbacks:
                    logs = {"loss": loss, metric: score, "size": size}
                    for callback in callbacks:
                        callback.on_step_end(epoch, step, logs)
            start += size
        else:
            step = None  # every step went through
        if step is not None:
            # the epoch's first step went through with its start's parameters
            # when it is not the one that failed
            points = [self.current] if step > 1 else []
            self._diverge(X, what, epoch, step, points + [self.previous, self.first])
        if per_epoch:
            if Y_epoch is None:
                Y_epoch = Y.take(order, axis=0)
                weights_epoch = None if weights is None else weights.take(order)
            figures = engine.figures(outputs, Y_epoch.T, weights_epoch)
            figures["loss"] += total_loss / X.shape[0]
        else:
            figures = {"loss": total_loss / X.shape[0], metric: total_metric / X.shape[0]}
        if not math.isfinite(figures["loss"]):  # an L2 penalty can overflow alone
            self._diverge(X, "loss", epoch, None, [self.current, self.previous, self.first])
        return figures

    def _keep_start(self, epoch):
        """Copy the epoch's start into the restore points (see `_diverge`)."""
        if epoch > self.first[0]:  # the epoch before went through, its start with it
            copy = self.copies[epoch % 2]  # not the previous epoch's
            self.flat.keep(copy)
            self.previous, self.current = self.current, (epoch, copy)

    def _diverge(self, X, what, epoch, step, points):
        """Restore the first of ``points`` -- ``(epoch, snapshot)`` pairs of
        epoch starts, the latest first, the run's start last -- whose inference
        pass over the training data ``X`` is finite, without an overflow on the
        way (the run's start if none is), and raise the
        [`TrainingDiverged`][barenet.errors.TrainingDiverged] for ``what`` (the loss, the
        gradient, the update) at ``epoch`` and ``step`` (None: the epoch's
        loss) that says which epoch's start the model now holds."""
        seen = set()
        for restored, snapshot in points:
            if id(snapshot) in seen:
                continue
            seen.add(id(snapshot))
            self.flat.restore(snapshot)
            try:
                with np.errstate(over="raise", invalid="raise"):
                    finite = all_finite(sparse.infer(self.engine, X))
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
        self.kept, self.diverged = snapshot, error
        raise error

    def _end(self, history):
        """The callbacks' ``on_train_end``, after a divergence's restore; the
        message then says if a callback changed the parameters it restored."""
        for callback in self.callbacks:
            callback.on_train_end(history)
        diverged = self.diverged
        if diverged is not None and not self.flat.holds(self.kept):
            diverged.args = (diverged.args[0].replace(_ADVICE, (
                "; then a callback changed them as training ended (as "
                "EarlyStopping(restore_best=True) puts back its best epoch)" + _ADVICE)),)
            diverged.restored_epoch = None
