"""Callbacks: hooks into the training loop, and the ones barenet ships.

- [`ProgressBar`][barenet.callbacks.ProgressBar] -- a one-line progress bar on a terminal, and
  [`ProgressLog`][barenet.callbacks.ProgressLog] -- a plain line every few epochs, for a pipe or a
  log file (``fit(verbose=True)`` shows the one that suits its stream);
- [`EarlyStopping`][barenet.callbacks.EarlyStopping] -- stop when a validation figure stops
  improving, and go back to the best weights;
- [`LearningRateScheduler`][barenet.callbacks.LearningRateScheduler] -- set the optimizer's learning
  rate from a schedule at the start of every epoch (``fit(schedule=...)``);
- [`ModelCheckpoint`][barenet.callbacks.ModelCheckpoint] -- save checkpoints during training, every
  few epochs or when a validation figure improves.

Write your own by subclassing [`Callback`][barenet.callbacks.Callback].
"""

import math
import sys
import time

from ..optim import schedules as _schedules
from .._checks import check_int, check_nonnegative


class Callback:
    """A hook into the training loop; override the methods you need.

    Epochs are numbered from 1. ``on_epoch_end`` sees the History so far and
    stops training by returning True. ``on_step_end`` runs after every
    parameter update with the batch's ``logs`` (``'loss'``, the metric, and
    ``'size'``, the batch's sample count), so keep it cheap. Override it only
    when you use it: without such a callback the loop scores the epoch's
    outputs once instead of every batch (the same figures, fewer NumPy calls).
    ``on_train_end`` runs however training ends, by a callback, by an error
    or by Ctrl-C.

    ``wants_steps`` says whether the loop calls ``on_step_end``: true for a
    class that defines it or has a base other than this one that does (set
    when the class is made), false otherwise; a class may set it itself.
    """

    wants_steps = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "wants_steps" not in vars(cls):  # defined here, or by a mixin before Callback
            cls.wants_steps = any("on_step_end" in vars(c) for c in cls.__mro__
                                  if c is not Callback and c is not object)

    def on_train_begin(self, model, epochs, steps_per_epoch):
        """Training starts: ``model`` (its ``optimizer_`` is set), the last
        epoch's number and the steps in each epoch."""

    def on_epoch_begin(self, epoch):
        """Epoch ``epoch`` (counted from 1) starts."""

    def on_step_end(self, epoch, step, logs):
        """A parameter update is done; ``logs`` has the batch's 'loss', metric and 'size'."""

    def on_epoch_end(self, epoch, history):
        """Epoch ``epoch`` is done and recorded in ``history``; return True to stop."""
        return False

    def on_train_end(self, history):
        """Training ends, whatever the reason (completion, a stop, an error)."""


def _is_terminal(stream):
    """Whether ``stream`` redraws a line on a carriage return: a terminal, or
    a Jupyter kernel's output stream (whose ``isatty`` is false, but whose
    front ends draw ``\r`` in place). False for objects without ``isatty``,
    or whose ``isatty`` fails, as a closed file's does."""
    if type(stream).__module__.startswith("ipykernel."):
        return True
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


class ProgressLog(Callback):
    """A plain line every ``every`` epochs, and one for the last epoch
    trained: ``epoch 10/100 loss 0.3121 accuracy 0.8800``, with
    ``val_loss`` and ``val_<metric>`` when validation data are given. For a
    pipe or a log file, where a redrawn bar would run into one endless line.

    ``every=None`` picks ``ceil(epochs / 10)``: ten lines a run at most, and
    the last epoch's when it is not a multiple of ``every``. It reads the
    History at the end of each epoch only, so the training loop keeps
    scoring each epoch's outputs at once. ``validation_name`` names the
    validation figures in the lines (``'test'`` prints ``test_loss``), for a
    caller whose validation data is the test split.
    """

    def __init__(self, stream=None, every=None, validation_name="val"):
        self.stream = stream if stream is not None else sys.stderr
        self.every = None if every is None else check_int("every", every, minimum=1)
        if not isinstance(validation_name, str) or not validation_name:
            raise TypeError(f"validation_name must be a non-empty str, got {validation_name!r}")
        self.validation_name = validation_name

    def on_train_begin(self, model, epochs, steps_per_epoch):
        self.epochs = epochs
        metric = model.metric_name
        self.keys = ["loss", metric, "val_loss", "val_" + metric]
        self.period = self.every if self.every is not None else -(-epochs // 10)
        self.last = self.written = None

    def on_epoch_end(self, epoch, history):
        self.last = (epoch, history)
        if epoch % self.period == 0 or epoch == self.epochs:
            self._write()
        return False

    def _write(self):
        epoch, history = self.last
        figures = " ".join(
            f"{self.validation_name + key[3:] if key.startswith('val_') else key} "
            f"{history[key][-1]:.4f}" for key in self.keys if key in history)
        self.stream.write(f"epoch {epoch}/{self.epochs} {figures}\n")
        self.stream.flush()
        self.written = epoch

    def on_train_end(self, history):
        if self.last is not None and self.written != self.last[0]:
            self._write()  # where training ended: an early stop, an error


class ProgressBar(ProgressLog):
    """On a terminal, one line redrawn at most ``interval`` seconds apart: the
    epoch, a bar over the whole run, and the running loss and metric of the
    current epoch. On any other stream (``isatty()`` false or missing) the
    plain lines of [`ProgressLog`][barenet.callbacks.ProgressLog], every ``every`` epochs.

    The bar reads every step's figures, so the training loop scores each
    batch as it goes; [`for_stream`][barenet.callbacks.ProgressBar.for_stream] gives a
    [`ProgressLog`][barenet.callbacks.ProgressLog] outright where the stream is not a terminal.
    """

    def __init__(self, stream=None, width=30, interval=0.1, every=None,
                 validation_name="val"):
        super().__init__(stream, every, validation_name)
        self.width = width
        self.interval = interval

    @classmethod
    def for_stream(cls, stream=None, validation_name="val"):
        """A ProgressBar on ``stream`` (default ``sys.stderr``) if it is a
        terminal, a [`ProgressLog`][barenet.callbacks.ProgressLog] otherwise: what
        ``fit(verbose=True)`` shows."""
        stream = stream if stream is not None else sys.stderr
        kind = cls if _is_terminal(stream) else ProgressLog
        return kind(stream, validation_name=validation_name)

    def on_train_begin(self, model, epochs, steps_per_epoch):
        super().on_train_begin(model, epochs, steps_per_epoch)
        self.terminal = _is_terminal(self.stream)
        self.steps = steps_per_epoch
        self.metric = model.metric_name
        self.time = 0.0
        self.position = self.drawn = None

    def on_step_end(self, epoch, step, logs):
        if not self.terminal:
            return
        if step == 1:
            self.samples = self.loss = self.score = 0.0
        n = logs["size"]
        self.samples += n
        self.loss += logs["loss"] * n
        self.score += logs[self.metric] * n
        self.position = (epoch, step)
        now = time.monotonic()
        if now - self.time >= self.interval:
            self.time = now
            self._draw()

    def _draw(self):
        epoch, step = self.position
        done = ((epoch - 1) * self.steps + step) / (self.epochs * self.steps)
        filled = int(round(done * self.width))
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(
            f"\repoch {epoch}/{self.epochs} [{bar}] loss {self.loss / self.samples:.4f} "
            f"{self.metric} {self.score / self.samples:.4f}"
        )
        self.stream.flush()
        self.drawn = self.position

    def on_epoch_end(self, epoch, history):
        return False if self.terminal else super().on_epoch_end(epoch, history)

    def on_train_end(self, history):
        if not self.terminal:
            super().on_train_end(history)
            return
        if self.position is not None and self.drawn != self.position:
            self._draw()  # where training ended, early stop included
        self.stream.write("\n")
        self.stream.flush()


class EarlyStopping(Callback):
    """Stop training when ``monitor`` has not improved for ``patience`` epochs
    in a row (as Keras counts them: with ``patience=2``, two epochs without
    improvement, and training stops at the end of the second).

    An epoch improves on the best so far when its value is lower (higher, for
    an accuracy) by more than ``min_delta``. With ``restore_best=True`` the
    model ends with the parameters (and batch-normalization statistics) of its
    best epoch. After training, ``best_epoch``, ``best`` and ``stopped_epoch``
    (None if training ran to the end) say what happened, and ``replaced``
    holds what the best epoch's parameters replaced (a snapshot of
    ``model.flat``, for a checkpoint that carries the run on from its last
    epoch; None when nothing was restored).

    Parameters
    ----------
    monitor : str, default 'val_loss'
        A History key: 'loss', 'val_loss', the metric or 'val_' + the metric.
    patience : int, default 10
    min_delta : float, default 0.0
    mode : {'auto', 'min', 'max'}, default 'auto'
        'auto' maximizes accuracies and minimizes everything else.
    restore_best : bool, default True
    """

    def __init__(self, monitor="val_loss", patience=10, min_delta=0.0, mode="auto",
                 restore_best=True):
        if not isinstance(monitor, str):
            raise TypeError(f"monitor must be a History key such as 'val_loss', got {monitor!r}")
        self.monitor = monitor
        self.patience = check_int("patience", patience, minimum=0)
        self.min_delta = check_nonnegative("min_delta", min_delta)
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
        self.mode = mode
        self.restore_best = bool(restore_best)
        self.replaced = None

    def on_train_begin(self, model, epochs, steps_per_epoch):
        self.model = model
        self.maximize = self.mode == "max" or (self.mode == "auto" and "accuracy" in self.monitor)
        self.best = -math.inf if self.maximize else math.inf
        self.best_epoch = self.stopped_epoch = None
        self.wait = 0
        self._best_state = None

    def on_epoch_end(self, epoch, history):
        if self.monitor not in history:
            raise ValueError(
                f"EarlyStopping monitors {self.monitor!r}, which training does not record; "
                f"it records {sorted(history)}"
            )
        value = history[self.monitor][-1]
        gain = value - self.best if self.maximize else self.best - value
        if gain > self.min_delta:
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best:
                self._best_state = self.model.flat.snapshot()
            return False
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            return True
        return False

    def on_train_end(self, history):
        self.replaced = None
        if self.restore_best and self._best_state is not None:
            self.replaced = self.model.flat.snapshot()
            self.model.flat.restore(self._best_state)


class LearningRateScheduler(Callback):
    """Set ``optimizer.lr = schedule(base_lr, epoch - 1, epochs)`` at the start of
    every epoch, where ``base_lr`` is the optimizer's rate when training starts,
    and put it back at the end. The rate of each epoch is recorded in the
    History as ``'lr'``.
    """

    def __init__(self, schedule):
        self.schedule = _schedules.get(schedule)

    def on_train_begin(self, model, epochs, steps_per_epoch):
        self.optimizer = model.optimizer_
        self.base_lr = self.optimizer.lr
        self.epochs = epochs

    def on_epoch_begin(self, epoch):
        self.optimizer.lr = self.schedule(self.base_lr, epoch - 1, self.epochs)

    def on_epoch_end(self, epoch, history):
        history.append(lr=self.optimizer.lr)
        return False

    def on_train_end(self, history):
        self.optimizer.lr = self.base_lr


class ModelCheckpoint(Callback):
    """Save a checkpoint of the model during training.

    Every ``every`` epochs -- or, with ``monitor`` set, whenever that History
    key improves on its best -- the model is saved to ``path`` with its
    training state ([`barenet.Network.save`][barenet.Network.save] with ``training_state=True``),
    so that ``barenet.load(path).resume(X, y)`` carries on bit for bit as if
    training had never stopped. ``path`` may contain ``{epoch}``, replaced by
    the epoch number. Each save replaces the file atomically: a crash while
    saving leaves the previous checkpoint intact.

    Parameters
    ----------
    path : str or path-like
        Where to save; ``{epoch}`` in it is replaced by the epoch number.
    every : int, default 1
        Save every ``every`` epochs (without ``monitor``), >= 1.
    monitor : str, optional
        A History key, such as 'val_loss': save whenever it improves on its
        best instead.
    mode : {'auto', 'min', 'max'}, default 'auto'
        Whether ``monitor`` improves by going down or up; 'auto' maximizes
        accuracies and minimizes everything else.
    """

    def __init__(self, path, every=1, monitor=None, mode="auto"):
        self.path = path
        self.every = check_int("every", every, minimum=1)
        if monitor is not None and not isinstance(monitor, str):
            raise TypeError(f"monitor must be a History key such as 'val_loss', got {monitor!r}")
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
        self.monitor, self.mode = monitor, mode
        self.saved = []

    def on_train_begin(self, model, epochs, steps_per_epoch):
        self.model = model
        self.maximize = self.mode == "max" or (
            self.mode == "auto" and self.monitor is not None and "accuracy" in self.monitor)
        self.best = -math.inf if self.maximize else math.inf

    def on_epoch_end(self, epoch, history):
        if self.monitor is None:
            if epoch % self.every:
                return False
        else:
            if self.monitor not in history:
                raise ValueError(
                    f"ModelCheckpoint monitors {self.monitor!r}, which training does not "
                    f"record; it records {sorted(history)}"
                )
            value = history[self.monitor][-1]
            if not (value > self.best if self.maximize else value < self.best):
                return False
            self.best = value
        path = str(self.path).format(epoch=epoch)
        self.model.save(path, training_state=True)
        self.saved.append(path)
        return False
