"""Activation functions: [`barenet.core.activations`][barenet.core.activations], under the name
barenet has always given them."""

from .core.activations import (
    REGISTRY,
    Activation,
    Exp,
    LeakyReLU,
    Linear,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
    get,
)

__all__ = ["Activation", "Linear", "Sigmoid", "ReLU", "LeakyReLU", "Tanh", "Softmax", "Exp",
           "REGISTRY", "get"]
