"""Activation functions, each with its derivative beside it.

Layout: a layer's pre-activation ``Z`` has shape ``(n_units, n_samples)``
(one column per sample, as in the notebook). Softmax normalizes over axis 0.

Every activation has

- ``forward(Z, out=None)`` returning ``A = g(Z)``;
- ``backward(dA, Z, A, out=None)`` returning ``dZ = dA * g'(Z)`` (for softmax,
  the Jacobian-vector product), given both the input ``Z`` and the output
  ``A`` of the forward pass so that no value is computed twice.

``out``, when given, is an array of the result's shape that receives it (it
may be ``Z`` itself in ``forward``, or ``dA`` in ``backward``): the training
loop reuses its buffers from step to step instead of allocating new ones.

A training step calls ``_bound_forward(Z, out)`` and ``_bound_backward(dA,
Z, A, out)`` once per workspace: each returns ``forward`` or ``backward``
itself, or a faster function bound to those arrays (ReLU's compiled loops,
see :mod:`barenet._fused`) that gives the same numbers.

``get(name_or_activation)`` is the one way to look an activation up by name.
"""

import numpy as np

from . import _fused
from ._buffers import maximum_zero, zero_operand, zeros_of
from ._checks import check_fraction, from_registry

# Up to this many elements, ReLU's derivative takes sign() (see ReLU.backward).
SMALL_SIZE = 4096


def _compiled(name, *inputs, out=None, flag=None):
    """Run the compiled loop ``name`` (:mod:`barenet._fused`) over ``inputs``
    into ``out`` (a new array when None) and return it; None, with nothing
    done, when the loops are not loaded or the arrays do not suit them
    (:func:`barenet._fused.flat_views`)."""
    kernel = _fused.loaded().get(name)
    if kernel is None:
        return None
    if out is None:
        first = inputs[0]
        if not (type(first) is np.ndarray and first.dtype in _fused.FLOATS
                and first.flags.c_contiguous):
            return None
        out = np.empty_like(first)
    views = _fused.flat_views(*inputs, out)
    if views is None:
        return None
    if flag is None:
        kernel(*views)
    else:
        kernel(*views, flag)
    return out


class Activation:
    """Base class: an elementwise (or, for softmax, column-wise) nonlinearity."""

    name = None

    def forward(self, Z, out=None, xp=np):
        raise NotImplementedError

    def backward(self, dA, Z, A, out=None, xp=np):
        raise NotImplementedError

    def _bound_forward(self, Z, out):
        """``forward`` for a training step that always passes ``(Z, out=out)``."""
        return self.forward

    def _bound_backward(self, dA, Z, A, out):
        """``backward`` for a training step that always passes ``(dA, Z, A, out=out)``."""
        return self.backward

    def _bound_bias_forward(self, Z, b, out):
        """A function that does ``Z += b`` and then ``forward(Z, out=out)`` in
        one go, for a training step that always passes ``(Z, out=out)``; None
        when there is none (the step then does the two apart)."""
        return None

    def __call__(self, Z, xp=np):
        return self.forward(Z, xp=xp)

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

    def forward(self, Z, out=None, xp=np):
        if out is None or out is Z:
            return Z
        xp.copyto(out, Z)
        return out

    def backward(self, dA, Z, A, out=None, xp=np):
        if out is None or out is dA:
            return dA
        xp.copyto(out, dA)
        return out


class Sigmoid(Activation):
    r"""Logistic function :math:`\sigma(z) = 1 / (1 + e^{-z})`, :math:`\sigma' = \sigma(1 - \sigma)`.

    Computed as :math:`\sigma(z) = f / (f + g)` with :math:`f = e^{\min(z,
    0)}` and :math:`g = e^{-\max(z, 0)}`: that is :math:`1 / (1 + e^{-z})`
    for :math:`z \ge 0` and :math:`e^z / (e^z + 1)` below. Both exponents
    are at most 0, so any input, 1e4 included, gives a finite result without
    warnings, and no step cancels: it is accurate to a few units in the last
    place (3 at most in float32 and float64 over the whole range; the tests
    measure it).
    """

    name = "sigmoid"

    def forward(self, Z, out=None, xp=np):
        if getattr(Z, "dtype", None) is None or Z.dtype.kind != "f":
            Z = xp.asarray(Z, dtype=float)  # lists and integers give float64, as exp does
        f = xp.minimum(Z, zero_operand(Z) if xp is np else 0)  # min(z, 0), a new array
        g = xp.subtract(f, Z, out=out)  # -max(z, 0); out may be Z
        xp.exp(g, out=g)
        xp.exp(f, out=f)
        g += f  # one of f, g is 1
        return xp.divide(f, g, out=g)

    def backward(self, dA, Z, A, out=None, xp=np):
        out = xp.multiply(dA, A, out=out)
        out *= 1 - A
        return out


class ReLU(Activation):
    r"""Rectified linear unit :math:`\max(0, z)`; derivative 1 for :math:`z > 0`, else 0."""

    name = "relu"

    # With numba loaded by training, both directions run as one compiled loop
    # (_fused.relu, _fused.relu_backward) on contiguous float arrays: the same
    # numbers as these NumPy calls, nan and signed zeros included.

    def forward(self, Z, out=None, xp=np):
        if xp is np and getattr(Z, "dtype", None) is not None and Z.dtype.kind == "f":
            result = _compiled("relu", Z, out=out)
            if result is not None:
                return result
            # against zeros: about 3x faster than against 0
            zeros = zeros_of(Z.shape, Z.dtype)
            return maximum_zero(Z, out) if zeros is None else np.maximum(Z, zeros, out=out)
        return xp.maximum(Z, 0, out=out)

    def _bound_forward(self, Z, out):
        kernel = _fused.loaded().get("relu")
        # only for ReLU's own forward: a subclass's (or a patched one) is called as it is
        views = kernel and type(self).forward is _RELU_FORWARD and _fused.flat_views(Z, out)
        if not views:
            return self.forward

        def forward(Z_, out=out):  # the step's arrays: views of them are bound
            kernel(*views)
            return out
        return forward

    def _bound_bias_forward(self, Z, b, out):
        kernel = _fused.loaded().get("bias_relu")
        if not (kernel and type(self).forward is _RELU_FORWARD and Z.ndim == 2
                and type(b) is np.ndarray and b.shape == (Z.shape[0], 1) and b.dtype == Z.dtype
                and b.flags.c_contiguous and _fused.flat_views(Z, out)):
            return None
        column = b.reshape(-1)  # a view: the values the step's b holds at each call

        def forward(Z_, out=out):  # the step's arrays: Z, b and out are bound
            kernel(Z, column, out)
            return out
        return forward

    def _bound_backward(self, dA, Z, A, out):
        kernel = _fused.loaded().get("relu_backward")
        views = kernel and type(self).backward is _RELU_BACKWARD and _fused.flat_views(dA, A, out)
        if not views:
            return self.backward
        sign = A.size <= SMALL_SIZE

        def backward(dA_, Z_, A_, out=out):  # the step's arrays: views of them are bound
            kernel(*views, sign)
            return out
        return backward

    def backward(self, dA, Z, A, out=None, xp=np):
        # the derivative is 1 where z > 0 (a = z > 0), 0 where a = 0: sign(a),
        # or (a > 0) as a float, the same for every a >= 0 (a nan gives nan
        # through sign, 0 through the comparison). sign is the faster call
        # on a small array, the comparison (against zeros) on a large one.
        if xp is np and isinstance(A, np.ndarray):
            result = _compiled("relu_backward", dA, A, out=out, flag=A.size <= SMALL_SIZE)
            if result is not None:
                return result
        if xp is not np or not isinstance(A, np.ndarray) or A.size <= SMALL_SIZE:
            derivative = xp.sign(A, out=None if out is dA else out)
        else:
            derivative = np.greater(A, zero_operand(A), out=None if out is dA else out)
        return xp.multiply(dA, derivative, out=out)


# ReLU's own passes, which its compiled loops stand for in a training step
_RELU_FORWARD, _RELU_BACKWARD = ReLU.forward, ReLU.backward


class LeakyReLU(Activation):
    r"""Leaky ReLU :math:`\max(sz, z)` for slope :math:`0 \le s < 1`.

    Derivative 1 for :math:`z > 0`, else :math:`s` (the notebook's convention at 0).
    """

    name = "leaky_relu"

    def __init__(self, slope=0.01):
        self.slope = check_fraction("slope", slope)

    def forward(self, Z, out=None, xp=np):
        # max(s z, z) is z for z > 0 and s z otherwise, since 0 <= s < 1
        return xp.maximum(Z, self.slope * Z, out=out)

    def backward(self, dA, Z, A, out=None, xp=np):
        return xp.multiply(dA, xp.where(Z > 0, 1, self.slope).astype(dA.dtype, copy=False),
                           out=out)

    def __repr__(self):
        return f"LeakyReLU(slope={self.slope})"


class Tanh(Activation):
    r"""Hyperbolic tangent; :math:`\tanh'(z) = 1 - \tanh^2(z)`."""

    name = "tanh"

    def forward(self, Z, out=None, xp=np):
        return xp.tanh(Z, out=out)

    def backward(self, dA, Z, A, out=None, xp=np):
        out = xp.multiply(A, A, out=out if out is not dA else None)
        xp.subtract(1, out, out=out)
        out *= dA
        return out


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

    def forward(self, Z, out=None, xp=np):
        out = xp.subtract(Z, Z.max(axis=0, keepdims=True), out=out)
        xp.exp(out, out=out)
        out /= out.sum(axis=0, keepdims=True)
        return out

    def backward(self, dA, Z, A, out=None, xp=np):
        dot = (dA * A).sum(axis=0, keepdims=True)
        out = xp.subtract(dA, dot, out=out)
        out *= A
        return out


REGISTRY = {cls.name: cls for cls in (Linear, Sigmoid, ReLU, LeakyReLU, Tanh, Softmax)}


def get(activation):
    """Return the activation for a name in :data:`REGISTRY`, or the object itself.

    >>> get("relu")
    ReLU()
    """
    return from_registry("activation", REGISTRY, activation, Activation)
