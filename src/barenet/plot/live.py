"""Watch a network learn: [`LivePlot`][barenet.plot.live.LivePlot], a callback
that redraws the learning curves, and the decision boundary of 2-D data, in
place in a Jupyter notebook -- or into a file, wherever training runs.

matplotlib and IPython are imported only when something is drawn, so that
``import barenet`` stays light.
"""

import numbers
import os
import sys

import numpy as np

from .._checks import check_int, check_matrix
from ..io.files import write_atomically
from ..model.callbacks import Callback


def in_jupyter():
    """Whether this Python runs in a Jupyter kernel: IPython is loaded (a
    kernel always has it) and its shell's config names ``IPKernelApp``;
    False in a plain interpreter or the IPython terminal."""
    if "IPython" not in sys.modules:
        return False
    from IPython import get_ipython

    shell = get_ipython()
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


class Snapshot:
    """What a notebook displays at a redraw: the ``figure`` and its PNG bytes,
    rendered once (``_repr_png_``), so the output does not depend on the
    notebook's matplotlib backend."""

    def __init__(self, figure, png):
        self.figure, self.png = figure, png

    def _repr_png_(self):
        return self.png


def draw_curve(ax, history, key, epochs=None, validation_label="validation",
               training_label="training"):
    """``history[key]`` per epoch (``1 .. n``) on ``ax`` as
    [`learning_curves`][barenet.plot.curves.learning_curves] draws it: a solid
    near-black line labelled ``training_label``, and its ``'val_'`` twin,
    when present, dashed grey and labelled ``validation_label`` (a shorter
    one drawn over the last epochs); the loss on a log scale when it is
    positive, accuracy on 0 .. 1. With ``epochs`` the x axis spans the whole
    run ``1 .. epochs``."""
    from .curves import _draw_curves

    _draw_curves(ax, history, key, epochs, validation_label=validation_label,
                training_label=training_label)


def _check_every(every):
    if isinstance(every, bool) or not isinstance(every, numbers.Integral) or every < 1:
        raise ValueError(f"every must be a positive integer (epochs between redraws), "
                         f"got {every!r}")
    return int(every)


class LivePlot(Callback):
    """Redraw the learning curves -- and, given 2-D classification data, the
    decision boundary -- every ``every`` epochs and when training ends.

    In a Jupyter notebook the picture is shown once, under the cell, and then
    replaced in place (``IPython.display.display(..., display_id=True)``, then
    the handle's ``update``). Anywhere else -- a script, a terminal, a test --
    it draws nothing unless ``path`` is given; with ``path`` it writes the
    picture there at each redraw (in a notebook too), atomically: a temporary
    file in the same folder, then ``os.replace``, so a viewer never reads half
    a file. The format follows the file's extension (``.png``, ``.svg``,
    ``.pdf``, ...).

    The picture: one panel per History figure -- the loss, then the metric
    ('accuracy' or 'mae') -- training solid, validation dashed, the x axis
    spanning the whole run, the loss on a log scale and accuracy on 0 .. 1
    (a jitter of half a percent near 1 looks as small as it is), in the
    styles of [`learning_curves`][barenet.plot.curves.learning_curves]; then,
    with ``X`` and ``y``, the decision regions and the points
    ([`draw_decision_boundary`][barenet.plot.boundary.draw_decision_boundary]).
    The title gives the epoch and the latest figures, with 4 decimals as the
    command line prints them. Drawing only reads the model (``predict_proba``
    in inference mode): training is the same with and without it.

    Parameters
    ----------
    every : int, default 10
        Epochs between redraws, >= 1; the last epoch trained is always drawn.
    X, y : array-likes of shapes (n_samples, 2) and (n_samples,), optional
        Points under the decision boundary; give both or neither. Needs a
        classifier with one label per sample (binary or multi-class).
    path : str or path-like, optional
        Where to write the picture at each redraw.
    resolution : int, default 100
        Grid points per axis of the decision boundary, >= 2.
    feature_names : sequence of 2 str, optional
        The boundary's axis labels.
    dpi : int, default 80
        Pixels per inch of the picture shown and written.

    Attributes
    ----------
    redraws : int
        Pictures drawn during the last run.
    figure : matplotlib.figure.Figure or None
        The last picture drawn.
    handle : IPython DisplayHandle or None
        The notebook output it updates.

    Examples
    --------
    >>> live = barenet.LivePlot(every=20, X=X, y=y)  # doctest: +SKIP
    >>> net.fit(X, y, epochs=300, callbacks=[live])  # doctest: +SKIP
    """

    def __init__(self, every=10, X=None, y=None, path=None, *, resolution=100,
                 feature_names=None, dpi=80):
        self.every = _check_every(every)
        if (X is None) != (y is None):
            raise ValueError("X and y go together: give both or neither")
        if X is not None:
            X = check_matrix("X", X)
            if X.shape[1] != 2:
                raise ValueError(f"X must have 2 features to draw a decision boundary, got "
                                 f"{X.shape[1]}")
            y = np.asarray(y)
            if y.shape != (X.shape[0],):
                raise ValueError(f"y must have shape ({X.shape[0]},) to match X, got {y.shape}")
        self.X, self.y = X, y
        if path is not None and not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a str or path-like, got {path!r}")
        self.path = path
        self.resolution = check_int("resolution", resolution, minimum=2)
        self.feature_names = feature_names
        self.dpi = check_int("dpi", dpi, minimum=1)
        self.redraws, self.figure, self.handle = 0, None, None

    def on_train_begin(self, model, epochs, steps_per_epoch):
        task = getattr(model, "task", None)
        if self.X is not None and task not in ("binary", "multiclass"):
            raise ValueError("LivePlot draws a decision boundary for a classifier with one "
                             f"label per sample; this network's task is {task!r}")
        self.model, self.epochs = model, epochs
        self.live = in_jupyter()
        self.active = self.live or self.path is not None
        self.redraws, self.handle, self.last, self.drawn = 0, None, None, None

    def on_epoch_end(self, epoch, history):
        self.last = (epoch, history)
        if self.active and epoch % self.every == 0:
            self._redraw()
        return False

    def on_train_end(self, history):
        if self.active and self.last is not None and self.drawn != self.last[0]:
            self._redraw()

    # ----------------------------------------------------------------- drawing

    def _redraw(self):
        epoch, history = self.last
        fig = self.draw(history, epoch)
        if self.live:
            self._show(fig)
        if self.path is not None:
            self._write(fig)
        self.figure, self.drawn = fig, epoch
        self.redraws += 1

    def draw(self, history, epoch):
        """The picture at ``epoch``: a new Figure of the curves of
        ``history`` and, with ``X``, the model's decision boundary."""
        from matplotlib.figure import Figure

        from ._style import figure_text
        from .boundary import draw_decision_boundary

        keys = [k for k in ("loss", self.model.metric_name) if history.get(k)]
        panels = len(keys) + (self.X is not None)
        fig = Figure(figsize=(4.2 * panels, 3.6), layout="constrained")
        axes = fig.subplots(1, panels, squeeze=False)[0]
        for ax, key in zip(axes, keys):
            draw_curve(ax, history, key, self.epochs)
        if self.X is not None:
            draw_decision_boundary(axes[-1], self.model, self.X, self.y, self.resolution,
                                   feature_names=self.feature_names, title="decision boundary")
        figures = "  ".join(f"{k} {figure_text(history[k][-1])}" for k in history
                            if k != "lr" and history[k])
        fig.suptitle(f"epoch {epoch}/{self.epochs}   {figures}", fontsize="medium")
        return fig

    def _show(self, fig):
        """Show ``fig`` under the cell the first time, replace it after."""
        import io

        from IPython.display import display

        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=self.dpi)
        snapshot = Snapshot(fig, buffer.getvalue())
        if self.handle is None:
            self.handle = display(snapshot, display_id=True)
        else:
            self.handle.update(snapshot)

    def _write(self, fig):
        """Save ``fig`` to ``path`` through a temporary file beside it
        ([`write_atomically`][barenet.io.files.write_atomically]: a viewer never
        reads half a picture, and the file gets the usual permissions)."""
        suffix = os.path.splitext(os.fspath(self.path))[1]
        write_atomically(self.path, lambda f: fig.savefig(f, format=suffix[1:] or "png",
                                                          dpi=self.dpi))
