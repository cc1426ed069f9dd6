"""The activations run in place on NumPy arrays, for the training step and inference.

[`barenet.core.activations`][barenet.core.activations] writes each activation once, making new
arrays. Here the same operations, in the same order, write into arrays the
caller owns (a reused workspace): ``forward(activation, Z, out)`` and
``backward(activation, dA, Z, A, out)``; for ReLU, loops compiled with numba
once training has loaded them (`barenet.fast.kernels`), with ReLU's
numbers bit for bit. Only an activation of exactly a class listed in
[`PASSES`][barenet.fast.activations.PASSES] runs them; any other (a subclass may change the formula)
runs its own ``forward`` and ``backward`` with ``out=``.

A training step binds its passes once per workspace
([`bind_forward`][barenet.fast.activations.bind_forward],
[`bind_backward`][barenet.fast.activations.bind_backward],
[`bind_bias_forward`][barenet.fast.activations.bind_bias_forward]): each returns a function of no
arguments, a ``functools.partial`` that owns the arrays it works on.
"""

from functools import partial

import numpy as np

from .buffers import maximum_zero, zero_operand, zeros_of
from ..core.activations import Exp, LeakyReLU, Linear, ReLU, Sigmoid, Softmax, Tanh
from . import kernels as _kernels


def _linear_forward(activation, Z, out):
    if out is not Z:
        np.copyto(out, Z)
    return out


def _linear_backward(activation, dA, Z, A, out):
    if out is not dA:
        np.copyto(out, dA)
    return out


def _sigmoid_forward(activation, Z, out):
    low = np.minimum(Z, zero_operand(Z))  # a new array
    g = np.subtract(low, Z, out=out)  # out may be Z
    np.exp(g, out=g)
    np.exp(low, out=low)
    g += low
    return np.divide(low, g, out=g)


def _sigmoid_backward(activation, dA, Z, A, out):
    out = np.multiply(dA, A, out=out)
    out *= 1 - A
    return out


def _relu_forward(activation, Z, out):
    kernel = _kernels.loaded().get("relu")
    views = kernel and _kernels.flat_views(Z, out)
    if views:
        kernel(*views)
        return out
    # against zeros, which keeps NumPy in its SIMD loop (see fast.buffers)
    zeros = zeros_of(Z.shape, Z.dtype)
    return maximum_zero(Z, out) if zeros is None else np.maximum(Z, zeros, out=out)


def _relu_backward(activation, dA, Z, A, out):
    kernel = _kernels.loaded().get("relu_backward")
    views = kernel and _kernels.flat_views(dA, A, out)
    if views:
        kernel(*views)
        return out
    derivative = np.sign(A, out=None if out is dA else out)
    return np.multiply(dA, derivative, out=out)


def _leaky_forward(activation, Z, out):
    return np.maximum(Z, activation.slope * Z, out=out)


def _leaky_backward(activation, dA, Z, A, out):
    return np.multiply(dA, activation.derivative(Z, dA.dtype), out=out)


def _tanh_forward(activation, Z, out):
    return np.tanh(Z, out=out)


def _tanh_backward(activation, dA, Z, A, out):
    result = np.multiply(A, A, out=out if out is not dA else None)
    np.subtract(1, result, out=result)
    result *= dA
    if result is not out:
        np.copyto(out, result)
    return out


def _softmax_forward(activation, Z, out):
    out = np.subtract(Z, Z.max(axis=0, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= out.sum(axis=0, keepdims=True)
    return out


def _softmax_backward(activation, dA, Z, A, out):
    dot = (dA * A).sum(axis=0, keepdims=True)
    out = np.subtract(dA, dot, out=out)
    out *= A
    return out


def _exp_forward(activation, Z, out):
    return np.exp(Z, out=out)


def _exp_backward(activation, dA, Z, A, out):
    return np.multiply(dA, A, out=out)


PASSES = {
    Linear: (_linear_forward, _linear_backward),
    Sigmoid: (_sigmoid_forward, _sigmoid_backward),
    ReLU: (_relu_forward, _relu_backward),
    LeakyReLU: (_leaky_forward, _leaky_backward),
    Tanh: (_tanh_forward, _tanh_backward),
    Softmax: (_softmax_forward, _softmax_backward),
    Exp: (_exp_forward, _exp_backward),
}
"""``{activation class: (forward, backward)}``: the in-place passes, for
objects of exactly that class."""


def _float_array(A):
    return type(A) is np.ndarray and A.dtype.kind == "f"


def _held(result, out):
    """``out``, holding ``result`` (an activation of another class may return
    a new array rather than fill ``out``)."""
    if result is not out:
        out[...] = result
    return out


def forward(activation, Z, out):
    """``activation``'s forward pass of ``Z`` into ``out`` (which may be
    ``Z``); returns ``out``."""
    passes = PASSES.get(type(activation))
    if passes is None or not _float_array(Z):
        return _held(activation.forward(Z, out=out), out)
    return passes[0](activation, Z, out)


def backward(activation, dA, Z, A, out):
    """``activation``'s backward pass into ``out`` (which may be ``dA``); returns ``out``."""
    passes = PASSES.get(type(activation))
    if passes is None or not _float_array(A):
        return _held(activation.backward(dA, Z, A, out=out), out)
    return passes[1](activation, dA, Z, A, out)


def bind_forward(activation, Z, out):
    """``forward(activation, Z, out)`` as a function of no arguments; ReLU's
    compiled loop bound to flat views of the two arrays, where training has
    loaded it."""
    kernel = _kernels.loaded().get("relu") if type(activation) is ReLU else None
    views = kernel and _kernels.flat_views(Z, out)
    if views:
        return partial(kernel, *views)
    passes = PASSES.get(type(activation))
    if passes is None or not _float_array(Z):
        return partial(forward, activation, Z, out)
    return partial(passes[0], activation, Z, out)


def bind_bias_forward(activation, Z, b, out):
    """``Z += b`` and then ``forward(activation, Z, out)`` as one function of
    no arguments, where one loop does both (ReLU's, compiled, with the column
    ``b`` of one value per row of ``Z``); None otherwise (the caller does the
    two apart)."""
    kernel = _kernels.loaded().get("bias_relu") if type(activation) is ReLU else None
    if not (kernel and Z.ndim == 2 and type(b) is np.ndarray and b.shape == (Z.shape[0], 1)
            and b.dtype == Z.dtype and b.flags.c_contiguous and _kernels.flat_views(Z, out)):
        return None
    return partial(kernel, Z, b.reshape(-1), out)  # a view: the values b holds at each call


def bind_backward(activation, dA, Z, A, out):
    """``backward(activation, dA, Z, A, out)`` as a function of no arguments;
    ReLU's compiled loop bound to flat views of the arrays, where training
    has loaded it."""
    kernel = _kernels.loaded().get("relu_backward") if type(activation) is ReLU else None
    views = kernel and _kernels.flat_views(dA, A, out)
    if views:
        return partial(kernel, *views)
    passes = PASSES.get(type(activation))
    if passes is None or not _float_array(A):
        return partial(backward, activation, dA, Z, A, out)
    return partial(passes[1], activation, dA, Z, A, out)
