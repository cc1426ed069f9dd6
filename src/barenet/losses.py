"""Losses: [`barenet.core.losses`][barenet.core.losses], under the name barenet has always given
them."""

from .core.losses import (
    REGISTRY,
    BinaryCrossEntropy,
    CategoricalCrossEntropy,
    Loss,
    MeanSquaredError,
    get,
    output_gradient,
)

__all__ = ["Loss", "BinaryCrossEntropy", "CategoricalCrossEntropy", "MeanSquaredError",
           "REGISTRY", "get", "output_gradient"]
