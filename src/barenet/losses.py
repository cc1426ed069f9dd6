r"""Losses: the cost's value and its gradient, side by side.

Layout: predictions ``A`` and targets ``Y`` have shape ``(n_outputs, m)``, one
column per sample. Every cost is a mean over the ``m`` samples of a per-sample
loss :math:`\ell_i`:

.. math:: J = \frac{1}{m} \sum_{i=1}^{m} \ell_i

``per_sample(A, Y)`` returns the ``m`` values :math:`\ell_i`, and
``value(A, Y, weights=None)`` the cost; with sample weights :math:`w_i` it is
:math:`\frac{1}{m} \sum_i w_i \ell_i` (the weights scale each sample's
share, as in Keras; :func:`output_gradient` scales the gradient to match).

``gradient(A, Y)`` returns the per-sample derivative :math:`\partial \ell_i /
\partial a_i`, elementwise and *not* divided by ``m``: the ``1/m`` is applied
once, in :func:`barenet.linear.linear_backward` (``dW = dZ A_prev^T / m``), as
in the notebook.

Probabilities are clipped to ``[eps, 1 - eps]`` (``eps`` the machine epsilon
of their dtype) before any logarithm or division, so predictions of exactly 0
or 1 give a large finite cost, never nan or inf.
"""

import numpy as np

from ._buffers import constants
from ._checks import from_registry

# (eps, 1 - eps, 1) as 0-d arrays of each dtype: cheaper ufunc operands than
# Python floats (see barenet._buffers), the same numbers.
_CONSTANTS = {np.dtype(t): constants(t, np.finfo(t).eps, 1 - np.finfo(t).eps, 1)
              for t in (np.float32, np.float64)}


def _constants(A, xp):
    """``(eps, 1 - eps, 1)`` for ``A``'s dtype."""
    values = _CONSTANTS.get(A.dtype) if xp is np else None
    if values is None:
        eps = float(xp.finfo(A.dtype).eps)
        values = (eps, 1 - eps, 1)
    return values


def _clip(A, xp):
    """``A`` limited to ``[eps, 1 - eps]``, in a new array."""
    eps, top, _ = _constants(A, xp)
    out = xp.maximum(A, eps)
    return xp.minimum(out, top, out=out)


class Loss:
    """Base class. ``fused_activation`` names the output activation whose
    derivative cancels against this loss's, giving ``dZ = A - Y``."""

    name = None
    fused_activation = None

    def elementwise(self, A, Y, xp=np):
        """The loss of every output of every sample, shape ``(n_outputs, m)``;
        each sample's loss is its column's sum."""
        raise NotImplementedError

    def per_sample(self, A, Y, xp=np):
        """The ``m`` per-sample losses."""
        return self.elementwise(A, Y, xp).sum(axis=0)

    def value(self, A, Y, weights=None, xp=np):
        """The cost: the mean of the per-sample losses, each times its weight."""
        losses = self.elementwise(A, Y, xp)
        if weights is not None:
            losses *= weights
        total = np.add.reduce(losses, axis=None) if xp is np else losses.sum()
        return float(total) / A.shape[1]

    def gradient(self, A, Y, xp=np):
        """Each sample's derivative with respect to ``A``, elementwise."""
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}()"

    def __eq__(self, other):
        return type(self) is type(other)

    def __hash__(self):
        return hash(type(self))


class BinaryCrossEntropy(Loss):
    r"""The notebook's cost, summed over output units, averaged over samples:

    .. math:: \ell_i = -\sum_k \left[ y_{ki} \log a_{ki} + (1 - y_{ki}) \log(1 - a_{ki}) \right]

    Gradient, elementwise: :math:`-(y / a - (1 - y) / (1 - a))`. After a
    sigmoid output it fuses to ``A - Y``.
    """

    name = "binary_crossentropy"
    fused_activation = "sigmoid"

    def elementwise(self, A, Y, xp=np):
        A = _clip(A, xp)
        log_1ma = xp.log(xp.subtract(_constants(A, xp)[2], A))
        # -(y log a + (1 - y) log(1 - a)) = -(log(1 - a) + y (log a - log(1 - a)))
        loss = xp.log(A, out=A)
        loss -= log_1ma
        loss *= Y
        loss += log_1ma
        return xp.negative(loss, out=loss)

    def gradient(self, A, Y, xp=np):
        A = _clip(A, xp)
        return (1 - Y) / (1 - A) - Y / A


class CategoricalCrossEntropy(Loss):
    r"""Cross-entropy against one-hot (or any probability) targets:

    .. math:: \ell_i = -\sum_k y_{ki} \log a_{ki}

    Gradient, elementwise: :math:`-y / a`. After a softmax output it fuses to
    ``A - Y`` (which needs each column of ``Y`` to sum to 1).
    """

    name = "categorical_crossentropy"
    fused_activation = "softmax"

    def elementwise(self, A, Y, xp=np):
        loss = xp.log(_clip(A, xp))
        loss *= Y
        return xp.negative(loss, out=loss)

    def gradient(self, A, Y, xp=np):
        return -Y / _clip(A, xp)


class MeanSquaredError(Loss):
    r"""Mean of the squared errors over all outputs and samples:

    .. math:: \ell_i = \frac{1}{k} \sum_k (a_{ki} - y_{ki})^2

    for ``k`` output units. Gradient, elementwise: :math:`2 (a - y) / k`.
    """

    name = "mse"

    def elementwise(self, A, Y, xp=np):
        D = A - Y
        D *= D
        D /= A.shape[0]
        return D

    def gradient(self, A, Y, xp=np):
        return (2 / A.shape[0]) * (A - Y)


REGISTRY = {
    cls.name: cls for cls in (BinaryCrossEntropy, CategoricalCrossEntropy, MeanSquaredError)
}


def get(loss):
    """Return the loss for a name in :data:`REGISTRY`, or the object itself."""
    return from_registry("loss", REGISTRY, loss, Loss)


def output_gradient(loss, activation, A, Z, Y, weights=None, out=None, xp=np):
    """Per-sample gradient of ``loss`` with respect to the output layer's ``Z``.

    For sigmoid + binary cross-entropy and softmax + categorical cross-entropy
    the derivatives of the activation and the loss cancel to ``A - Y``, which
    is both cheaper and exact where ``A`` saturates. Every other pair goes the
    long way: ``activation.backward(loss.gradient(A, Y), Z, A)``. Sample
    ``weights`` (shape ``(m,)``) scale each sample's column. ``out``, when
    given, receives the result.
    """
    if activation.name == loss.fused_activation:
        dZ = xp.subtract(A, Y, out=out)
    else:
        dZ = activation.backward(loss.gradient(A, Y, xp=xp), Z, A, out=out, xp=xp)
    if weights is not None:
        dZ *= weights
    return dZ
