"""Pictures of training: learning curves, decision boundaries, optimizer
comparisons and confusion matrices; and pictures that show a network learn --
training as an animation, the network drawn neuron by neuron, optimizers'
paths on loss surfaces, statistics layer by layer, and a live plot for Jupyter.

Every function returns a ``matplotlib.figure.Figure`` built with matplotlib's
object-oriented API (no pyplot, no global state), so it works headless, shows
itself in a Jupyter notebook, and saves with ``fig.savefig(path)``. Plots read
only what they are given: a History (a dict of per-epoch lists), a model with
a ``predict`` method, or a matrix of counts.

The functions live in one module per picture -- [`barenet.plot.curves`][barenet.plot.curves]
(learning curves, the optimizer comparison), [`barenet.plot.boundary`][barenet.plot.boundary]
(decision boundaries), [`barenet.plot.fit`][barenet.plot.fit] (a regressor's predictions
against its targets), [`barenet.plot.confusion`][barenet.plot.confusion],
[`barenet.plot.animation`][barenet.plot.animation] and [`barenet.plot.frames`][barenet.plot.frames]
(training as an animation, from a [`Snapshots`][barenet.model.recorders.Snapshots] recorder,
and its file),
[`barenet.plot.diagram`][barenet.plot.diagram] (the network drawn),
[`barenet.plot.paths`][barenet.plot.paths], [`barenet.plot.landscape`][barenet.plot.landscape]
and [`barenet.plot.surfaces`][barenet.plot.surfaces] (optimizer paths, loss landscapes), [`barenet.plot.layers`][barenet.plot.layers] (statistics
per layer, from a [`LayerStatistics`][barenet.model.layer_stats.LayerStatistics] recorder) and
[`barenet.plot.live`][barenet.plot.live] (`LivePlot`) -- and are all imported here:
``barenet.plot.decision_boundary`` and the rest are what to use.
"""

from ._style import CLASS_COLORS, CURVE_MARKERS, CURVE_STYLES, MARGIN
from .boundary import decision_boundary, draw_decision_boundary
from .confusion import confusion_matrix
from .fit import regression_fit
from .curves import coinciding, learning_curves, optimizer_comparison
from .animation import animate, animate_comparison
from .frames import TrainingAnimation, save_animation
from .diagram import network
from .layers import init_comparison, init_figure, layer_statistics
from .live import LivePlot
from .landscape import network_paths
from .paths import optimizer_paths
from .surfaces import Quadratic, Rosenbrock, loss_directions, loss_surface, project, walk

__all__ = ["learning_curves", "decision_boundary", "draw_decision_boundary",
           "optimizer_comparison", "coinciding", "confusion_matrix", "regression_fit", "CLASS_COLORS",
           "CURVE_STYLES", "CURVE_MARKERS", "MARGIN", "animate", "animate_comparison",
           "save_animation", "TrainingAnimation", "network", "layer_statistics",
           "init_comparison", "init_figure", "LivePlot", "optimizer_paths", "network_paths",
           "Quadratic", "Rosenbrock", "walk", "loss_directions", "loss_surface", "project"]
