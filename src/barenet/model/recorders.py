"""Recorders: callbacks that keep the parameters of a network as it trains,
for [`barenet.plot.animation`][barenet.plot.animation] to turn into a film.

[`Snapshots`][barenet.model.recorders.Snapshots] copies the flat parameter vector
(``net.flat.values``) and batch normalization's running statistics
(``net.flat.state``) at the start of a run and every few epochs, in bounded
memory whatever the number of epochs: when it holds ``max_snapshots`` it drops
every other snapshot and records half as often from then on. Nothing here
draws (the model layer never imports matplotlib).
"""

import copy
from typing import NamedTuple

import numpy as np

from .._checks import check_int
from ..core.namespace import to_numpy
from .callbacks import Callback


class Snapshot(NamedTuple):
    """One recorded moment of a run: after epoch ``epoch`` (0: before the
    first step), the parameters ``values`` (shape ``(n_parameters,)``, a NumPy
    copy of ``net.flat.values``), the running statistics ``state`` (a copy of
    ``net.flat.state``, empty without batch normalization) and ``lengths``,
    the length of each History list then: the figures of the epochs up to
    this one are ``history[key][:lengths[key]]``."""

    epoch: int
    values: np.ndarray
    state: np.ndarray
    lengths: dict


def _host_copy(array, out=None):
    """A NumPy copy of ``array`` (of any library), into ``out`` when given."""
    array = to_numpy(array)
    if out is None or out.shape != array.shape:
        return np.array(array, copy=True)
    np.copyto(out, array)
    return out


class Snapshots(Callback):
    """Keep the network's parameters every ``every`` epochs of a run, and at
    its start and end, in at most ``max_snapshots`` copies.

    A snapshot is recorded at the run's start (epoch 0 for ``fit``, the
    epochs already done for ``resume``) and after every epoch
    ``start + k * stride``; ``stride`` starts at ``every``. When a snapshot
    is due and the recorder already holds ``max_snapshots``, it keeps every
    other one (the 1st, 3rd, 5th...) and doubles ``stride``, so the
    snapshots stay evenly spaced over the run: 5,000 epochs with
    ``every=1, max_snapshots=200`` end with 158 snapshots, epochs 0, 32,
    64, ..., 4992 and 5000. The last epoch trained (the end of the run, an
    early stop, the last epoch before a divergence or Ctrl-C) is always
    recorded, with the parameters it ended with (in place of the snapshot
    before it when the recorder is full).

    Memory bound: ``max_snapshots`` copies of the parameter vector and of
    the running statistics, plus one working copy of each (the latest
    epoch, in case it is the last), whatever the number of epochs, and
    after training one copy of the network (`network_at` writes snapshots
    into copies of it); the History is the network's own, not copied.
    Recording never changes training: it only reads the parameters.

    Each run (``fit`` or ``resume``) starts a new recording. After it,
    `network_at` gives a copy of the network with a snapshot's parameters,
    to draw or evaluate.

    Parameters
    ----------
    every : int, default 1
        Record every ``every`` epochs (before any thinning), >= 1.
    max_snapshots : int, default 200
        The most snapshots held, >= 2.

    Attributes
    ----------
    snapshots : list of Snapshot
        In order of epoch.
    epochs : list of int
        Their epochs.
    stride : int
        The epochs between snapshots now.
    history : History or None
        The run's History (the network's ``history_``).
    """

    def __init__(self, every=1, max_snapshots=200):
        self.every = check_int("every", every, minimum=1)
        self.max_snapshots = check_int("max_snapshots", max_snapshots, minimum=2)
        self.snapshots, self.stride, self.history = [], self.every, None
        self._network = self._model = self._pending = None

    # ------------------------------------------------------------ recording

    def on_train_begin(self, model, epochs, steps_per_epoch):
        self._model, self._network = model, None
        self.history = model.history_
        self.start = 0 if model.run_ is None else model.run_.epoch
        self.snapshots, self.stride, self._pending = [], self.every, None
        self.snapshots.append(self._take(self.start))

    def on_epoch_end(self, epoch, history):
        self.history = history
        due = (epoch - self.start) % self.stride == 0
        if due and len(self.snapshots) >= self.max_snapshots:
            self._thin()
            due = (epoch - self.start) % self.stride == 0
        if due:
            self.snapshots.append(self._take(epoch))
        else:  # kept in a working copy in case training ends here
            self._pending = self._take(epoch, self._pending)
        return False

    def on_train_end(self, history):
        pending = self._pending
        if pending is not None and pending.epoch > self.snapshots[-1].epoch:
            if len(self.snapshots) >= self.max_snapshots:
                self.snapshots.pop()  # the last epoch replaces the snapshot before it
            self.snapshots.append(pending)
        self._pending = None
        self._network = copy.deepcopy(self._model)  # what the snapshots are put into
        self._model = None

    def _take(self, epoch, reuse=None):
        """A Snapshot of the model now, after ``epoch``; written into the
        arrays of ``reuse`` when given (no new memory)."""
        flat = self._model.flat
        old_values, old_state = (None, None) if reuse is None else reuse[1:3]
        history = self.history if self.history is not None else {}
        return Snapshot(epoch, _host_copy(flat.values, old_values),
                        _host_copy(flat.state, old_state),
                        {key: len(values) for key, values in history.items()})

    def _thin(self):
        """Keep every other snapshot, the first included, and record half as often."""
        self.snapshots = self.snapshots[::2]
        self.stride *= 2

    # ------------------------------------------------------------- reading

    @property
    def epochs(self):
        """The epochs of the snapshots, in order."""
        return [snapshot.epoch for snapshot in self.snapshots]

    def __len__(self):
        return len(self.snapshots)

    def __getitem__(self, index):
        return self.snapshots[index]

    def figures(self, index):
        """The History of the run up to snapshot ``index``'s epoch: ``{key:
        list}``, each list as long as it was then (``'loss'`` has one value
        per epoch, ``'val_'`` lists may be shorter after a ``resume``)."""
        snapshot = self._get(index)
        history = self.history if self.history is not None else {}
        return {key: list(history[key][:n]) for key, n in snapshot.lengths.items()
                if key in history}

    def network_at(self, index, into=None):
        """A copy of the trained network with the parameters and running
        statistics of snapshot ``index``, on NumPy.

        The copy is made from the network as training ended (its classes,
        scaling and configuration), once per call; pass ``into``, a network
        this method returned before, to write the snapshot into it instead
        (no copy: what an animation does for each frame). Raises ValueError
        before any run has been recorded."""
        snapshot = self._get(index)
        if self._network is None:
            raise ValueError("the recorder's run has not ended: network_at works after fit")
        net = into
        if net is None:
            net = copy.deepcopy(self._network)
            if type(net.parameters) is not np.ndarray:
                net.to(np.empty(0, dtype=net.dtype))
        flat = net.flat
        if flat.values.shape != snapshot.values.shape or type(flat.values) is not np.ndarray:
            raise ValueError("into must be a network that network_at returned for this recorder")
        flat.values[...], flat.state[...] = snapshot.values, snapshot.state
        return net

    def _get(self, index):
        if not self.snapshots:
            raise ValueError("the recorder holds no snapshots: pass it to fit, as in "
                             "net.fit(X, y, callbacks=[recorder]), first")
        check_int("index", index)
        if not -len(self.snapshots) <= index < len(self.snapshots):
            raise IndexError(f"index {index} is out of range for {len(self.snapshots)} "
                             "snapshots")
        return self.snapshots[index]

    def __repr__(self):
        span = f", epochs {self.epochs[0]}..{self.epochs[-1]}" if self.snapshots else ""
        return (f"Snapshots(every={self.every}, max_snapshots={self.max_snapshots}): "
                f"{len(self.snapshots)} held, stride {self.stride}{span}")
