r"""Losses: the cost's value and its gradient, side by side.

Layout: predictions ``A`` and targets ``Y`` have shape ``(n_outputs, m)``, one
column per sample. Every cost is a mean over the ``m`` samples of a per-sample
loss $\ell_i$:

$$
J = \frac{1}{m} \sum_{i=1}^{m} \ell_i
$$

``per_sample(A, Y)`` returns the ``m`` values $\ell_i$, and
``value(A, Y, weights=None)`` the cost; with sample weights $w_i$ it is
$\frac{1}{m} \sum_i w_i \ell_i$ (the weights scale each sample's
share, as in Keras; [`output_gradient`][barenet.core.losses.output_gradient] scales the gradient to
match).

**Where the 1/m goes.** ``gradient(A, Y)`` and
[`output_gradient`][barenet.core.losses.output_gradient] are per sample:
$\partial \ell_i / \partial a_i$ and $\partial \ell_i / \partial z_i$, *not* divided by ``m``. The
mean's $1/m$ is applied once, further on: by
[`barenet.core.linear.linear_backward`][barenet.core.linear.linear_backward]
(``dW = dZ A_prev^T / m``, as in the notebook, whose functions work that way), or, in ``Network``'s
training step, to the output layer's ``dZ`` itself, from where it flows back linearly (every ``dW``
and ``db`` is then a sum, ``mean=False``).

Probabilities are clipped to ``[eps, 1 - eps]`` (``eps`` the machine epsilon
of their dtype) before any logarithm or division, so predictions of exactly 0
or 1 give a large finite cost, never nan or inf; the Poisson loss takes the
logarithm of its predictions raised to the smallest normal number of their
dtype, for the same reason.

A loss may accept only some targets (the Poisson loss, ``y >= 0``): its
``check_targets(Y, name)`` raises a ValueError naming them, and
[`barenet.Network`][barenet.Network] calls it on every regression target it encodes.
"""

import numpy as np

from .._checks import from_registry
from ._settings import Settings
from .namespace import NUMPY, namespace

# NumPy inputs, the common case, skip the call to namespace(): xp = NUMPY
_ndarray = np.ndarray


def clip_probabilities(A):
    """``A`` limited to ``[eps, 1 - eps]``, ``eps`` the machine epsilon of its
    dtype, in a new array."""
    xp = NUMPY if type(A) is _ndarray else namespace(A)
    eps = xp.finfo(A.dtype).eps
    return xp.minimum(xp.maximum(A, eps), 1 - eps)


class Loss(Settings):
    """Base class. ``fused_activation`` names the output activation whose
    derivative cancels against this loss's, giving ``dZ = A - Y``."""

    name = None
    fused_activation = None

    def elementwise(self, A, Y):
        """The loss of every output of every sample, shape ``(n_outputs, m)``;
        each sample's loss is its column's sum."""
        raise NotImplementedError

    def per_sample(self, A, Y):
        """The ``m`` per-sample losses."""
        return namespace(A, Y).sum(self.elementwise(A, Y), axis=0)

    def value(self, A, Y, weights=None):
        """The cost, a Python float: the mean of the per-sample losses, each
        times its weight."""
        losses = self.elementwise(A, Y)
        if weights is not None:
            losses = losses * weights
        if type(losses) is _ndarray:
            return float(losses.sum()) / A.shape[1]
        return float(namespace(losses).sum(losses)) / A.shape[1]

    def gradient(self, A, Y):
        """Each sample's derivative with respect to ``A``, elementwise."""
        raise NotImplementedError

    def check_targets(self, Y, name="y"):
        """Raise a ValueError if the targets ``Y`` (a NumPy array) are outside
        the loss's domain; every finite target is in it unless a loss says
        otherwise."""


class BinaryCrossEntropy(Loss):
    r"""The notebook's cost, summed over output units, averaged over samples:

    $$
    \ell_i = -\sum_k \left[ y_{ki} \log a_{ki} + (1 - y_{ki}) \log(1 - a_{ki}) \right]
    $$

    computed as $-(\log(1 - a) + y (\log a - \log(1 - a)))$, with ``a``
    clipped. Gradient, elementwise: $-(y / a - (1 - y) / (1 - a))$.
    After a sigmoid output it fuses to ``A - Y``.
    """

    name = "binary_crossentropy"
    fused_activation = "sigmoid"

    def elementwise(self, A, Y):
        A = clip_probabilities(A)
        xp = NUMPY if type(A) is _ndarray and type(Y) is _ndarray else namespace(A, Y)
        log_1ma = xp.log(1 - A)
        return -((xp.log(A) - log_1ma) * Y + log_1ma)

    def gradient(self, A, Y):
        A = clip_probabilities(A)
        return (1 - Y) / (1 - A) - Y / A


class CategoricalCrossEntropy(Loss):
    r"""Cross-entropy against one-hot (or any probability) targets:

    $$
    \ell_i = -\sum_k y_{ki} \log a_{ki}
    $$

    Gradient, elementwise: $-y / a$. After a softmax output it fuses to
    ``A - Y`` (which needs each column of ``Y`` to sum to 1).
    """

    name = "categorical_crossentropy"
    fused_activation = "softmax"

    def elementwise(self, A, Y):
        xp = NUMPY if type(A) is _ndarray and type(Y) is _ndarray else namespace(A, Y)
        return -(xp.log(clip_probabilities(A)) * Y)

    def gradient(self, A, Y):
        return -Y / clip_probabilities(A)


class MeanSquaredError(Loss):
    r"""Mean of the squared errors over all outputs and samples:

    $$
    \ell_i = \frac{1}{k} \sum_k (a_{ki} - y_{ki})^2
    $$

    for ``k`` output units. Gradient, elementwise: $2 (a - y) / k$.
    """

    name = "mse"

    def elementwise(self, A, Y):
        D = A - Y
        return D * D / A.shape[0]

    def gradient(self, A, Y):
        return (2 / A.shape[0]) * (A - Y)


class HalfSquaredError(Loss):
    r"""Half the mean of the squared errors over all outputs and samples,
    scikit-learn's squared loss for its MLP (``((Y - A) ** 2).mean() / 2``):

    $$
    \ell_i = \frac{1}{2k} \sum_k (a_{ki} - y_{ki})^2
    $$

    for ``k`` output units: half of [`MeanSquaredError`][barenet.core.losses.MeanSquaredError].
    Gradient, elementwise: $(a - y) / k$. Meant for a linear output.
    """

    name = "half_squared_error"

    def elementwise(self, A, Y):
        D = A - Y
        return D * D / (2 * A.shape[0])

    def gradient(self, A, Y):
        return (1 / A.shape[0]) * (A - Y)


class HalfPoisson(Loss):
    r"""Half the Poisson deviance, summed over output units, averaged over
    samples: scikit-learn's ``poisson_loss`` for its MLP,

    $$
    \ell_i = \sum_k \left[ y_{ki} \log \frac{y_{ki}}{a_{ki}} - y_{ki} + a_{ki} \right]
    $$

    with $0 \log 0 = 0$, for counts or rates $y \ge 0$ (``check_targets``
    refuses negative ones) and predictions $a > 0$; it is 0 where $a = y$.
    Gradient, elementwise: $1 - y / a$. After an exp output, $a = e^z$ (the
    log link), $\partial \ell / \partial z = a (1 - y / a)$ fuses to ``A - Y``.

    The logarithm is taken as $\log y - \log a$, with ``y`` and ``a``
    raised to the smallest normal number of their dtype: ``y = 0`` gives 0
    and an output that underflowed to 0 a large finite cost, and the cost is
    finite exactly when the outputs are. Each term is then raised to 0, the
    deviance's minimum, which rounding would otherwise cross by a few units
    in the last place where ``a`` is close to ``y``.
    """

    name = "half_poisson"
    fused_activation = "exp"

    def elementwise(self, A, Y):
        xp = NUMPY if type(A) is _ndarray and type(Y) is _ndarray else namespace(A, Y)
        tiny = xp.finfo(A.dtype).smallest_normal
        log_ratio = xp.log(xp.maximum(Y, tiny)) - xp.log(xp.maximum(A, tiny))
        return xp.maximum(Y * log_ratio - Y + A, 0)

    def gradient(self, A, Y):
        xp = NUMPY if type(A) is _ndarray and type(Y) is _ndarray else namespace(A, Y)
        return 1 - Y / xp.maximum(A, xp.finfo(A.dtype).smallest_normal)

    def check_targets(self, Y, name="y"):
        """Raise a ValueError for a negative target."""
        if (Y < 0).any():
            raise ValueError(
                f"{name} has negative values (the smallest is {Y.min():g}), but the Poisson "
                f"loss {self.name!r} needs targets >= 0 (counts or rates)"
            )


REGISTRY = {
    cls.name: cls for cls in (BinaryCrossEntropy, CategoricalCrossEntropy, MeanSquaredError,
                              HalfSquaredError, HalfPoisson)
}
"""The losses by name: ``'binary_crossentropy'``, ``'categorical_crossentropy'``, ``'mse'``,
``'half_squared_error'`` and ``'half_poisson'``, each mapped to its class."""


def get(loss):
    """Return the loss for a name in [`REGISTRY`][barenet.core.losses.REGISTRY], or the object
    itself."""
    return from_registry("loss", REGISTRY, loss, Loss)


def output_gradient(loss, activation, A, Z, Y, weights=None):
    """Per-sample gradient of ``loss`` with respect to the output layer's ``Z``
    (not divided by ``m``; see the module's docstring).

    For sigmoid + binary cross-entropy, softmax + categorical cross-entropy
    and exp + half Poisson (the activation named by ``loss.fused_activation``)
    the derivatives of the activation and the loss cancel to ``A - Y``, which
    is both cheaper and exact where ``A`` saturates. Every other pair goes the
    long way: ``activation.backward(loss.gradient(A, Y), Z, A)``. Sample
    ``weights`` (shape ``(m,)``) scale each sample's column.
    """
    if activation.name == loss.fused_activation:
        dZ = A - Y
    else:
        dZ = activation.backward(loss.gradient(A, Y), Z, A)
    if weights is not None:
        dZ = dZ * weights
    return dZ
