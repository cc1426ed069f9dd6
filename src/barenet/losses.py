"""Losses: [`barenet.core.losses`][barenet.core.losses], under the name barenet has always given
them."""

from .core.losses import (
    REGISTRY,
    BinaryCrossEntropy,
    CategoricalCrossEntropy,
    HalfPoisson,
    HalfSquaredError,
    Loss,
    MeanSquaredError,
    get,
    output_gradient,
)

__all__ = ["Loss", "BinaryCrossEntropy", "CategoricalCrossEntropy", "MeanSquaredError",
           "HalfSquaredError", "HalfPoisson", "REGISTRY", "get", "output_gradient"]
