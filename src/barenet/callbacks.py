"""Callbacks: `barenet.model.callbacks`, under the name barenet has
always given them."""

from .model.layer_stats import LayerStatistics
from .model.recorders import Snapshots
from .model.callbacks import (
    Callback,
    EarlyStopping,
    LearningRateScheduler,
    ModelCheckpoint,
    ProgressBar,
    ProgressLog,
)

__all__ = ["Callback", "ProgressLog", "ProgressBar", "EarlyStopping", "LearningRateScheduler",
           "ModelCheckpoint", "Snapshots", "LayerStatistics", "LivePlot"]


def __getattr__(name):
    """``LivePlot`` (barenet.plot.live), imported when first asked for:
    importing barenet loads neither matplotlib nor IPython."""
    if name == "LivePlot":
        from .plot.live import LivePlot
        return LivePlot
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
