r"""Learning-rate schedules: the learning rate of each epoch of a run.

A schedule is called with the starting learning rate $\alpha_0$, the
epoch $e$ (0-based) and the number of epochs $E$ of the run, and
returns the learning rate for that epoch as a Python float:

    schedule = CosineDecay(min_lr=1e-4)
    for epoch in range(epochs):
        optimizer.lr = schedule(base_lr, epoch, epochs)
        ...  # one epoch of steps

Epoch 0 gets $\alpha_0$ (up to rounding, for a cosine with a floor).
The schedules hold no state, so one object can serve any number of runs.
"""

import math

from .._checks import check_int, check_nonnegative, check_positive, check_real, from_registry


def _check_decay_factor(name, value):
    """Return ``value`` as a float if it lies in (0, 1]."""
    value = check_real(name, value)
    if not 0 < value <= 1:
        raise ValueError(f"{name} must be in (0, 1], got {value!r}")
    return value


class Schedule:
    """Base class: checks the arguments of a call, returns a float.

    A subclass implements ``_lr(lr0, epoch, epochs)`` with its formula and
    ``get_config()`` with its constructor's arguments.
    """

    name = None

    def __call__(self, lr0, epoch, epochs):
        """The learning rate for epoch ``epoch`` (0-based, ``0 <= epoch <
        epochs``) of a run of ``epochs`` epochs that starts from ``lr0``."""
        lr0 = check_positive("lr0", lr0)
        epochs = check_int("epochs", epochs, minimum=1)
        epoch = check_int("epoch", epoch, minimum=0)
        if epoch >= epochs:
            raise ValueError(
                f"epoch must be < epochs (epochs count from 0), got epoch={epoch} "
                f"for epochs={epochs}"
            )
        return float(self._lr(lr0, epoch, epochs))

    def _lr(self, lr0, epoch, epochs):
        raise NotImplementedError

    def get_config(self):
        """The constructor's arguments, as a dict of JSON-friendly values:
        ``type(s)(**s.get_config())`` is the same schedule."""
        return {}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class StepDecay(Schedule):
    r"""Multiply the learning rate by ``factor`` every ``step`` epochs:

    $$
    \alpha_e = \alpha_0 \cdot \text{factor}^{\lfloor e / \text{step} \rfloor}
    $$

    PyTorch's ``StepLR(step_size=step, gamma=factor)``, stepped once per epoch.

    Parameters
    ----------
    factor : float, default 0.5
        What the learning rate is multiplied by, in (0, 1].
    step : int, default 10
        Epochs between two multiplications, >= 1.
    """

    name = "step"

    def __init__(self, factor=0.5, step=10):
        self.factor = _check_decay_factor("factor", factor)
        self.step = check_int("step", step, minimum=1)

    def _lr(self, lr0, epoch, epochs):
        return lr0 * self.factor ** (epoch // self.step)

    def get_config(self):
        return {"factor": self.factor, "step": self.step}


class ExponentialDecay(Schedule):
    r"""Multiply the learning rate by ``rate`` every epoch:

    $$
    \alpha_e = \alpha_0 \cdot \text{rate}^{e}
    $$

    PyTorch's ``ExponentialLR(gamma=rate)``, stepped once per epoch.

    Parameters
    ----------
    rate : float, default 0.96
        What the learning rate is multiplied by every epoch, in (0, 1].
    """

    name = "exponential"

    def __init__(self, rate=0.96):
        self.rate = _check_decay_factor("rate", rate)

    def _lr(self, lr0, epoch, epochs):
        return lr0 * self.rate**epoch

    def get_config(self):
        return {"rate": self.rate}


class InverseTimeDecay(Schedule):
    r"""The course's learning-rate decay, applied every ``interval`` epochs:

    $$
    \alpha_e = \frac{\alpha_0}{1 + \text{decay} \cdot \lfloor e / \text{interval} \rfloor}
    $$

    ``interval=1`` is $\alpha_0 / (1 + \text{decay} \cdot e)$; a larger
    interval holds each rate for that many epochs (the course's "fixed
    interval scheduling").

    Parameters
    ----------
    decay : float, default 1.0
        The decay rate, >= 0; 0 keeps $\alpha_0$.
    interval : int, default 1
        Epochs each rate holds for, >= 1.
    """

    name = "inverse_time"

    def __init__(self, decay=1.0, interval=1):
        self.decay = check_nonnegative("decay", decay)
        self.interval = check_int("interval", interval, minimum=1)

    def _lr(self, lr0, epoch, epochs):
        return lr0 / (1 + self.decay * (epoch // self.interval))

    def get_config(self):
        return {"decay": self.decay, "interval": self.interval}


class CosineDecay(Schedule):
    r"""Half a cosine from $\alpha_0$ down towards ``min_lr`` over the run:

    $$
    \alpha_e = \text{min\_lr} + (\alpha_0 - \text{min\_lr})
               \frac{1 + \cos(\pi e / E)}{2}
    $$

    PyTorch's ``CosineAnnealingLR(T_max=epochs, eta_min=min_lr)``, stepped
    once per epoch. The last epoch, $e = E - 1$, is still a little above
    ``min_lr``, which would be reached at $e = E$.

    Parameters
    ----------
    min_lr : float, default 0.0
        The floor the learning rate decays towards, >= 0 and at most
        $\alpha_0$ (checked when the schedule is called).
    """

    name = "cosine"

    def __init__(self, min_lr=0.0):
        self.min_lr = check_nonnegative("min_lr", min_lr)

    def _lr(self, lr0, epoch, epochs):
        if self.min_lr > lr0:
            raise ValueError(
                f"min_lr must be <= the starting learning rate, got min_lr={self.min_lr!r} "
                f"and lr0={lr0!r}"
            )
        return self.min_lr + (lr0 - self.min_lr) * (1 + math.cos(math.pi * epoch / epochs)) / 2

    def get_config(self):
        return {"min_lr": self.min_lr}


REGISTRY = {cls.name: cls for cls in (StepDecay, ExponentialDecay, InverseTimeDecay, CosineDecay)}
"""The schedules by name (``'step'``, ``'exponential'``, ``'inverse_time'``, ``'cosine'``),
each mapped to its class."""


def get(schedule):
    """Return a schedule object for a name in [`REGISTRY`][barenet.optim.schedules.REGISTRY] (with
    its default settings), or the object itself."""
    return from_registry("schedule", REGISTRY, schedule, Schedule)
