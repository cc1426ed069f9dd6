"""The activation functions, by the notebook's names.

The notebook's versions returned (A, Z) tuples, which forward_activation then
stored as A. Here each returns A alone, computed by
[`barenet.core.activations`][barenet.core.activations];
[`forward_activation`][barenet.notebook.forward_activation] returns
the notebook's ``(A, Z)``.
"""

from ..core import activations as _activations


def relu(Z):
    """ReLU(Z) = max(0, Z), elementwise: the array ``A`` alone, of the shape of
    ``Z`` (the notebook's version returned ``(A, Z)``; ``forward_activation`` does)."""
    return _activations.ReLU().forward(Z)


def sigmoid(Z):
    """sigmoid(Z) = 1 / (1 + exp(-Z)), elementwise, computed without overflow:
    the array ``A`` alone, of the shape of ``Z`` (the notebook's version
    returned ``(A, Z)``; ``forward_activation`` does)."""
    return _activations.Sigmoid().forward(Z)


def tanh(Z):
    """tanh(Z), elementwise: the array ``A`` alone, of the shape of ``Z`` (the
    notebook's version returned ``(A, Z)``; ``forward_activation`` does)."""
    return _activations.Tanh().forward(Z)


def leaky_relu(Z, slope=0.01):
    """max(slope * Z, Z), elementwise: the array ``A`` alone, of the shape of
    ``Z`` (the notebook's version returned ``(A, Z)``; ``forward_activation`` does)."""
    return _activations.LeakyReLU(slope).forward(Z)
