"""Learning-rate schedules: [`barenet.optim.schedules`][barenet.optim.schedules], under the name
barenet has always given them."""

from .optim.schedules import (
    REGISTRY,
    CosineDecay,
    ExponentialDecay,
    InverseTimeDecay,
    Schedule,
    StepDecay,
    get,
)

__all__ = ["Schedule", "StepDecay", "ExponentialDecay", "InverseTimeDecay", "CosineDecay",
           "REGISTRY", "get"]
