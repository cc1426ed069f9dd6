"""Activation functions, each with its derivative beside it.

Layout: a layer's pre-activation ``Z`` has shape ``(n_units, n_samples)``
(one column per sample, as in the notebook). Softmax normalizes over axis 0.

Every activation has

- ``forward(Z)`` returning ``A = g(Z)``;
- ``backward(dA, Z, A)`` returning ``dZ = dA * g'(Z)`` (for softmax, the
  Jacobian-vector product), given both the input ``Z`` and the output ``A`` of
  the forward pass so that no value is computed twice.

``get(name_or_activation)`` is the one way to look an activation up by name.
"""

import numpy as np

from ._checks import check_real


class Activation:
    """Base class: an elementwise (or, for softmax, column-wise) nonlinearity."""

    name = None

    def forward(self, Z, xp=np):
        raise NotImplementedError

    def backward(self, dA, Z, A, xp=np):
        raise NotImplementedError

    def __call__(self, Z, xp=np):
        return self.forward(Z, xp)

    def get_config(self):
        """The constructor's arguments, as a dict (empty for most activations)."""
        return dict(vars(self))

    def __repr__(self):
        return f"{type(self).__name__}()"

    def __eq__(self, other):
        return type(self) is type(other) and vars(self) == vars(other)

    def __hash__(self):
        return hash((type(self), tuple(sorted(vars(self).items()))))


class Linear(Activation):
    r"""Identity: :math:`g(z) = z`, :math:`g'(z) = 1`."""

    name = "linear"

    def forward(self, Z, xp=np):
        return Z

    def backward(self, dA, Z, A, xp=np):
        return dA


class Sigmoid(Activation):
    r"""Logistic function :math:`\sigma(z) = 1 / (1 + e^{-z})`, :math:`\sigma' = \sigma(1 - \sigma)`.

    Computed from :math:`e^{-|z|}`, which never overflows: for :math:`z < 0`,
    :math:`\sigma(z) = e^{z} / (1 + e^{z})`.
    """

    name = "sigmoid"

    def forward(self, Z, xp=np):
        E = xp.exp(-xp.abs(Z))
        A = 1 / (1 + E)
        return xp.where(Z >= 0, A, E * A)

    def backward(self, dA, Z, A, xp=np):
        return dA * A * (1 - A)


class ReLU(Activation):
    r"""Rectified linear unit :math:`\max(0, z)`; derivative 1 for :math:`z > 0`, else 0."""

    name = "relu"

    def forward(self, Z, xp=np):
        return xp.maximum(Z, 0)

    def backward(self, dA, Z, A, xp=np):
        return dA * (Z > 0)


class LeakyReLU(Activation):
    r"""Leaky ReLU :math:`\max(sz, z)` for slope :math:`0 \le s < 1`.

    Derivative 1 for :math:`z > 0`, else :math:`s` (the notebook's convention at 0).
    """

    name = "leaky_relu"

    def __init__(self, slope=0.01):
        slope = check_real("slope", slope)
        if not 0 <= slope < 1:
            raise ValueError(f"slope must be in [0, 1), got {slope!r}")
        self.slope = slope

    def forward(self, Z, xp=np):
        return xp.where(Z > 0, Z, self.slope * Z)

    def backward(self, dA, Z, A, xp=np):
        return xp.where(Z > 0, dA, self.slope * dA)

    def __repr__(self):
        return f"LeakyReLU(slope={self.slope})"


class Tanh(Activation):
    r"""Hyperbolic tangent; :math:`\tanh'(z) = 1 - \tanh^2(z)`."""

    name = "tanh"

    def forward(self, Z, xp=np):
        return xp.tanh(Z)

    def backward(self, dA, Z, A, xp=np):
        return dA * (1 - A * A)


class Softmax(Activation):
    r"""Softmax over the units of each sample (axis 0).

    :math:`a_k = e^{z_k - \max z} / \sum_j e^{z_j - \max z}`; subtracting the
    column maximum keeps every exponent <= 0, so nothing overflows.

    Backward is the Jacobian-vector product
    :math:`dz_k = a_k (da_k - \sum_j da_j a_j)`. With categorical
    cross-entropy the output gradient is fused to ``A - Y`` instead
    (see :func:`barenet.losses.output_gradient`).
    """

    name = "softmax"

    def forward(self, Z, xp=np):
        E = xp.exp(Z - Z.max(axis=0, keepdims=True))
        E /= E.sum(axis=0, keepdims=True)
        return E

    def backward(self, dA, Z, A, xp=np):
        return A * (dA - (dA * A).sum(axis=0, keepdims=True))


REGISTRY = {cls.name: cls for cls in (Linear, Sigmoid, ReLU, LeakyReLU, Tanh, Softmax)}


def get(activation):
    """Return the activation for a name in :data:`REGISTRY`, or the object itself.

    >>> get("relu")
    ReLU()
    """
    if isinstance(activation, Activation):
        return activation
    if isinstance(activation, str) and activation in REGISTRY:
        return REGISTRY[activation]()
    raise ValueError(
        f"unknown activation {activation!r}; valid names are: {', '.join(REGISTRY)}"
    )
