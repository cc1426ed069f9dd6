"""Mini-batches, the training loop and its History.

The loop is written once and drives any model that offers
``_step_value_and_grad(X_T, Y_T)`` (forward, loss and backward on one batch,
filling the model's gradient buffer) and the flat ``parameters`` and
``_grad`` vectors; :class:`barenet.Network` is that model.
"""

import sys
import time

import numpy as np

from ._checks import check_int
from .errors import TrainingDiverged


def minibatch_indices(m, batch_size, rng, shuffle=True):
    """Split ``range(m)`` into batches of ``batch_size`` sample indices.

    The order is a permutation drawn from ``rng`` (a ``numpy.random.Generator``)
    when ``shuffle`` is true. The last batch keeps the ``m % batch_size``
    samples left over, so every sample is used once per epoch.
    ``batch_size=m`` is batch gradient descent, ``1`` stochastic gradient descent.
    """
    m = check_int("m", m, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    order = rng.permutation(m) if shuffle else np.arange(m)
    return [order[k : k + batch_size] for k in range(0, m, batch_size)]


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
        for key, value in figures.items():
            self.setdefault(key, []).append(float(value))


class Callback:
    """A hook into the training loop; override the methods you need.

    ``on_epoch_end`` sees the History so far and stops training by returning
    True. ``on_step_end`` runs after every parameter update with the batch's
    ``logs`` (``'loss'``, the metric, and ``'size'``, the batch's sample count),
    so keep it cheap.
    """

    def on_train_begin(self, model, epochs, steps_per_epoch):
        pass

    def on_step_end(self, epoch, step, logs):
        pass

    def on_epoch_end(self, epoch, history):
        return False

    def on_train_end(self, history):
        pass


class ProgressBar(Callback):
    """One line, redrawn at most ``interval`` seconds apart: the epoch, a bar
    over the whole run, and the running loss and metric of the current epoch."""

    def __init__(self, stream=None, width=30, interval=0.1):
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.interval = interval

    def on_train_begin(self, model, epochs, steps_per_epoch):
        self.epochs, self.steps = epochs, steps_per_epoch
        self.metric = model._metric_name
        self.last = 0.0

    def on_step_end(self, epoch, step, logs):
        if step == 1:
            self.samples = self.loss = self.score = 0.0
        n = logs["size"]
        self.samples += n
        self.loss += logs["loss"] * n
        self.score += logs[self.metric] * n
        now = time.monotonic()
        if now - self.last >= self.interval or (epoch == self.epochs and step == self.steps):
            self.last = now
            done = ((epoch - 1) * self.steps + step) / (self.epochs * self.steps)
            filled = int(round(done * self.width))
            bar = "#" * filled + "." * (self.width - filled)
            self.stream.write(
                f"\repoch {epoch}/{self.epochs} [{bar}] loss {self.loss / self.samples:.4f} "
                f"{self.metric} {self.score / self.samples:.4f}"
            )
            self.stream.flush()

    def on_train_end(self, history):
        self.stream.write("\n")
        self.stream.flush()


def _diverged(what, epoch, step):
    return (
        f"the {what} became nan or infinite at epoch {epoch}, step {step}; the "
        "parameters keep their values from before that step. Try a smaller "
        "learning rate, or scale the inputs (e.g. to zero mean and unit variance)"
    )


def run_epochs(model, X, Y, optimizer, epochs, batch_size, rng, shuffle, history,
               validation=None, callbacks=()):
    """Train ``model`` in place for ``epochs`` passes over ``(X, Y)``.

    ``X`` has shape ``(m, n_features)`` and ``Y`` the encoded targets
    ``(m, n_outputs)``, both in the model's dtype; each batch is gathered with
    one fancy index and handed to the model transposed (a view).
    ``validation``, when given, is an ``(X_val, Y_val)`` pair in the same form,
    scored by ``model._scores`` after each epoch. ``callbacks`` are
    :class:`Callback` objects, called in order.
    A non-finite batch loss, or an update that would make a parameter
    non-finite, stops training with :class:`TrainingDiverged`; the parameters
    keep their values from before that step.
    """
    m = X.shape[0]
    metric = model._metric_name
    params = model.parameters
    backup = np.empty_like(params)
    for callback in callbacks:
        callback.on_train_begin(model, epochs, -(-m // batch_size))
    # Overflow is expected on the way to divergence; it is caught below, with
    # a message that says what to do, instead of as a stream of warnings.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for epoch in range(1, epochs + 1):
            total_loss = total_metric = 0.0
            batches = minibatch_indices(m, batch_size, rng, shuffle)
            for step, idx in enumerate(batches, 1):
                Xb, Yb = X[idx], Y[idx]
                loss, AL = model._step_value_and_grad(Xb.T, Yb.T)
                if not np.isfinite(loss):
                    raise TrainingDiverged(_diverged("loss", epoch, step))
                np.copyto(backup, params)
                optimizer.step([params], [model._grad])
                # A nan or inf gradient, or an update that overflows, shows in the sum.
                if not np.isfinite(params.sum()):
                    np.copyto(params, backup)
                    raise TrainingDiverged(_diverged("update", epoch, step))
                score = model._metric(AL, Yb.T)
                total_loss += loss * len(idx)
                total_metric += score * len(idx)
                if callbacks:
                    logs = {"loss": loss, metric: score, "size": len(idx)}
                    for callback in callbacks:
                        callback.on_step_end(epoch, step, logs)
            figures = {"loss": total_loss / m, metric: total_metric / m}
            if validation is not None:
                scores = model._scores(*validation)
                figures["val_loss"] = scores["loss"]
                figures["val_" + metric] = scores[metric]
            history.append(**figures)
            # every callback sees the epoch, even when an earlier one stops
            stop = [callback.on_epoch_end(epoch, history) for callback in callbacks]
            if any(stop):
                break
    for callback in callbacks:
        callback.on_train_end(history)
    return history
