"""The output layer's gradient, in place, for the training step.

The same operations as [`barenet.core.losses.output_gradient`][barenet.core.losses.output_gradient],
written into the workspace's ``dZ`` of the output layer.
"""

import numpy as np

from . import activations as _activations


def output_gradient(loss, activation, A, Z, Y, weights, out):
    """Per-sample gradient of ``loss`` with respect to the output layer's
    ``Z``, into ``out``: ``A - Y`` for the activation that ``loss`` fuses
    with, else the activation's backward pass of the loss's gradient; each
    column times its sample's weight when ``weights`` are given."""
    if activation.name == loss.fused_activation:
        dZ = np.subtract(A, Y, out=out)
    else:
        dZ = _activations.backward(activation, loss.gradient(A, Y), Z, A, out)
    if weights is not None:
        dZ *= weights
    return dZ
