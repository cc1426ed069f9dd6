"""Callbacks: `barenet.model.callbacks`, under the name barenet has
always given them."""

from .model.callbacks import (
    Callback,
    EarlyStopping,
    LearningRateScheduler,
    ModelCheckpoint,
    ProgressBar,
    ProgressLog,
)

__all__ = ["Callback", "ProgressLog", "ProgressBar", "EarlyStopping", "LearningRateScheduler",
           "ModelCheckpoint"]
