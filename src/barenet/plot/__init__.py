"""Pictures of training: learning curves, decision boundaries, optimizer
comparisons and confusion matrices.

Every function returns a ``matplotlib.figure.Figure`` built with matplotlib's
object-oriented API (no pyplot, no global state), so it works headless, shows
itself in a Jupyter notebook, and saves with ``fig.savefig(path)``. Plots read
only what they are given: a History (a dict of per-epoch lists), a model with
a ``predict`` method, or a matrix of counts.

The functions live in one module per picture -- [`barenet.plot.curves`][barenet.plot.curves]
(learning curves, the optimizer comparison), [`barenet.plot.boundary`][barenet.plot.boundary]
(decision boundaries) and [`barenet.plot.confusion`][barenet.plot.confusion] -- and are all
imported here: ``barenet.plot.decision_boundary`` and the rest are what to use.
"""

from ._style import CLASS_COLORS, CURVE_MARKERS, CURVE_STYLES, MARGIN
from .boundary import decision_boundary, draw_decision_boundary
from .confusion import confusion_matrix
from .curves import coinciding, learning_curves, optimizer_comparison

__all__ = ["learning_curves", "decision_boundary", "draw_decision_boundary",
           "optimizer_comparison", "coinciding", "confusion_matrix", "CLASS_COLORS",
           "CURVE_STYLES", "CURVE_MARKERS", "MARGIN"]
