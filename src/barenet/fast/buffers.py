"""Cheap operands for NumPy's ufuncs.

NumPy's binary ufuncs convert a Python scalar operand at every call, and
``maximum`` against a scalar leaves its SIMD loop. A 0-d array of the other
operand's dtype, or a read-only zeros array of its shape, avoids both, with
the same result bit for bit (a Python float is rounded to that dtype first in
either case). ``docs/guide/speed.md`` has the measurements.
"""

import math

import numpy as np

# Largest zeros array handed out; a larger operand goes through in blocks.
ZEROS_SIZE = 1 << 16

_zero_buffers = {}  # dtype -> read-only zeros of ZEROS_SIZE elements
_zero_views = {}  # (shape, dtype) -> a view of that buffer


def scalars(dtype, count):
    """``count`` new 0-d arrays of ``dtype``: scalar operands for ufuncs, set
    with ``s[()] = value``."""
    return [np.zeros((), dtype) for _ in range(count)]


def constants(dtype, *values):
    """Read-only 0-d arrays of ``dtype`` holding ``values``: fixed scalar
    operands for ufuncs, to share."""
    arrays = tuple(np.array(value, dtype) for value in values)
    for array in arrays:
        array.flags.writeable = False
    return arrays


def zeros_of(shape, dtype):
    """Read-only zeros of ``shape`` and ``dtype`` (a view of one buffer per
    dtype, made once per shape), or None above ``ZEROS_SIZE`` elements."""
    key = (shape, dtype)
    view = _zero_views.get(key)
    if view is None:
        size = math.prod(shape)
        if size > ZEROS_SIZE:
            return None
        buffer = _zero_buffers.get(dtype)
        if buffer is None:
            buffer = _zero_buffers[dtype] = np.zeros(ZEROS_SIZE, dtype)
            buffer.flags.writeable = False
        if len(_zero_views) >= 256:  # many shapes seen (inference on any row count)
            _zero_views.clear()
        view = _zero_views[key] = buffer[:size].reshape(shape)
    return view


def zero_operand(A):
    """Zeros of ``A``'s shape and dtype from `zeros_of`, or the scalar 0
    for an array too large for them."""
    zeros = zeros_of(A.shape, A.dtype)
    return 0 if zeros is None else zeros


def maximum_zero(A, out=None):
    """``np.maximum(A, 0, out=out)`` for a float array larger than
    `zeros_of` hands out: against its zeros, in blocks of ``ZEROS_SIZE``
    elements (a smaller array takes ``np.maximum(A, zeros_of(...))`` at once)."""
    if out is None:
        out = np.empty_like(A)
    if not (A.flags.c_contiguous and out.flags.c_contiguous):
        return np.maximum(A, 0, out=out)
    a, o = A.reshape(-1), out.reshape(-1)
    zeros = zeros_of((ZEROS_SIZE,), A.dtype)
    for start in range(0, a.size, ZEROS_SIZE):
        stop = min(start + ZEROS_SIZE, a.size)
        np.maximum(a[start:stop], zeros[: stop - start], out=o[start:stop])
    return out
