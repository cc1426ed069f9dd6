r"""Activation functions, each with its derivative beside it.

Layout: a layer's pre-activation ``Z`` has shape ``(n_units, n_samples)``
(one column per sample, as in the notebook). Softmax normalizes over axis 0.

Every activation has

- ``forward(Z)`` returning ``A = g(Z)``;
- ``backward(dA, Z, A)`` returning ``dZ = dA * g'(Z)`` (for softmax, the
  Jacobian-vector product), given both the input ``Z`` and the output ``A``
  of the forward pass so that no value is computed twice.

Both return new arrays; ``out=``, when given, receives the result (it may be
``Z`` itself in ``forward``, or ``dA`` in ``backward``). Training runs the same
formulas in place, over buffers it reuses ([`barenet.fast.activations`][barenet.fast.activations]).

A subclass writes its own ``forward`` and ``backward``. ``get(name_or_activation)``
is the one way to look an activation up by name.
"""

import numpy as np

from .._checks import check_fraction, from_registry
from ._out import into
from ._settings import Settings
from .namespace import NUMPY, constant, is_floating, namespace

# NumPy inputs, the common case, skip the call to namespace(): xp = NUMPY
_ndarray = np.ndarray


class Activation(Settings):
    """Base class: an elementwise (or, for softmax, column-wise) nonlinearity."""

    name = None

    def forward(self, Z, out=None):
        raise NotImplementedError

    def backward(self, dA, Z, A, out=None):
        raise NotImplementedError

    def __call__(self, Z):
        return self.forward(Z)

    def get_config(self):
        """The constructor's arguments, as a dict (empty for most activations)."""
        return dict(vars(self))


class Linear(Activation):
    r"""Identity: $g(z) = z$, $g'(z) = 1$. Without ``out``, the
    input itself is returned (no copy)."""

    name = "linear"

    def forward(self, Z, out=None):
        return into(Z, out)

    def backward(self, dA, Z, A, out=None):
        return into(dA, out)


class Sigmoid(Activation):
    r"""Logistic function $\sigma(z) = 1 / (1 + e^{-z})$, $\sigma' = \sigma(1 - \sigma)$.

    Computed as $\sigma(z) = f / (f + g)$ with $f = e^{\min(z,
    0)}$ and $g = e^{-\max(z, 0)}$: that is $1 / (1 + e^{-z})$
    for $z \ge 0$ and $e^z / (e^z + 1)$ below. Both exponents
    are at most 0, so any input, 1e4 included, gives a finite result without
    warnings, and no step cancels: it is accurate to a few units in the last
    place (3 at most in float32 and float64 over the whole range; the tests
    measure it). Lists and integers give float64, as ``exp`` does.
    """

    name = "sigmoid"

    def forward(self, Z, out=None):
        if type(Z) is _ndarray and Z.dtype.kind == "f":
            xp = NUMPY
        else:  # lists and integers become float64
            xp = namespace(Z)
            if not is_floating(Z):
                Z = np.asarray(Z, dtype=float) if xp is NUMPY else xp.astype(Z, xp.float64)
        low = xp.minimum(Z, 0)  # min(z, 0)
        g = xp.exp(low - Z)  # e^{-max(z, 0)}
        f = xp.exp(low)  # one of f, g is 1
        return into(f / (g + f), out)

    def backward(self, dA, Z, A, out=None):
        return into(dA * A * (1 - A), out)


class ReLU(Activation):
    r"""Rectified linear unit $\max(0, z)$; derivative 1 for $z > 0$, else 0.

    ``max(-0.0, 0)`` is ``+0.0`` and a nan stays nan. The derivative is
    taken from the output $a = \max(z, 0) \ge 0$ as its sign,
    $dZ = dA \cdot \operatorname{sign}(a)$: 1 where $a > 0$, 0
    where $a = 0$, and a nan ``a`` gives nan (a nan is never hidden).
    """

    name = "relu"

    def forward(self, Z, out=None):
        xp = NUMPY if type(Z) is _ndarray else namespace(Z)
        return into(xp.maximum(Z, 0), out)

    def backward(self, dA, Z, A, out=None):
        xp = NUMPY if type(dA) is _ndarray and type(A) is _ndarray else namespace(dA, A)
        return into(dA * xp.sign(A), out)


class LeakyReLU(Activation):
    r"""Leaky ReLU $\max(sz, z)$ for slope $0 \le s < 1$.

    Derivative 1 for $z > 0$, else $s$ (the notebook's convention at 0).
    """

    name = "leaky_relu"

    def __init__(self, slope=0.01):
        self.slope = check_fraction("slope", slope)

    def forward(self, Z, out=None):
        # max(s z, z) is z for z > 0 and s z otherwise, since 0 <= s < 1
        return into(namespace(Z).maximum(Z, self.slope * Z), out)

    def backward(self, dA, Z, A, out=None):
        return into(dA * self.derivative(Z, dA.dtype), out)

    def derivative(self, Z, dtype):
        """$g'(z)$: 1 where ``Z > 0``, the slope elsewhere, in ``dtype``."""
        return namespace(Z).where(Z > 0, constant(1, Z, dtype), constant(self.slope, Z, dtype))


class Tanh(Activation):
    r"""Hyperbolic tangent; $\tanh'(z) = 1 - \tanh^2(z)$."""

    name = "tanh"

    def forward(self, Z, out=None):
        xp = NUMPY if type(Z) is _ndarray else namespace(Z)
        return into(xp.tanh(Z), out)

    def backward(self, dA, Z, A, out=None):
        return into((1 - A * A) * dA, out)


class Softmax(Activation):
    r"""Softmax over the units of each sample (axis 0).

    $a_k = e^{z_k - \max z} / \sum_j e^{z_j - \max z}$; subtracting the
    column maximum keeps every exponent <= 0, so nothing overflows.

    Backward is the Jacobian-vector product
    $dz_k = a_k (da_k - \sum_j da_j a_j)$. With categorical
    cross-entropy the output gradient is fused to ``A - Y`` instead
    (see [`barenet.core.losses.output_gradient`][barenet.core.losses.output_gradient]).
    """

    name = "softmax"

    def forward(self, Z, out=None):
        xp = NUMPY if type(Z) is _ndarray else namespace(Z)
        E = xp.exp(Z - xp.max(Z, axis=0, keepdims=True))
        return into(E / xp.sum(E, axis=0, keepdims=True), out)

    def backward(self, dA, Z, A, out=None):
        dot = namespace(dA, A).sum(dA * A, axis=0, keepdims=True)
        return into((dA - dot) * A, out)


class Exp(Activation):
    r"""Exponential $g(z) = e^z$, $g'(z) = e^z$: the backward pass is $dA \cdot a$.

    The output of a Poisson regressor (the log link: $\log a = z$); with
    [`HalfPoisson`][barenet.core.losses.HalfPoisson] the output gradient is
    fused to ``A - Y``. A large ``z`` overflows to ``inf``, which training
    reports as a divergence.
    """

    name = "exp"

    def forward(self, Z, out=None):
        xp = NUMPY if type(Z) is _ndarray else namespace(Z)
        return into(xp.exp(Z), out)

    def backward(self, dA, Z, A, out=None):
        return into(dA * A, out)


REGISTRY = {cls.name: cls for cls in (Linear, Sigmoid, ReLU, LeakyReLU, Tanh, Softmax, Exp)}
"""The activations by name: ``'linear'``, ``'sigmoid'``, ``'relu'``, ``'leaky_relu'``,
``'tanh'``, ``'softmax'`` and ``'exp'``, each mapped to its class."""


def get(activation):
    """Return the activation for a name in [`REGISTRY`][barenet.core.activations.REGISTRY], or the
    object itself.

    >>> get("relu")
    ReLU()
    """
    return from_registry("activation", REGISTRY, activation, Activation)
