"""Optimizer updates as one compiled loop, when numba is installed (optional).

NumPy runs Adam's update as ten passes over the parameters (each of its
operations reads and writes whole arrays); the same operations done element by
element in one loop touch each value once. This module compiles that loop
with numba, if it can be imported, and otherwise offers nothing: the
optimizers then keep their NumPy passes.

Each loop takes the parameter, gradient and state arrays (1-D) and an array
of the step's scalars. It does exactly the NumPy path's operations, in the
same order, each rounded to the parameters' dtype (the scalars come in that dtype, and no
fast-math flag lets the compiler contract or reorder them): the same numbers
bit for bit, which the tests check. The compiler vectorizes it (square roots
and divisions are correctly rounded in SIMD as well); ``error_model='numpy'``
lets a division by zero give inf as NumPy's does, instead of a branch that
would stop the vectorizing.

Set the environment variable ``BARENET_NUMBA=0`` before the first step to
keep the NumPy passes although numba is installed.
"""

import math
import os

_kernels = None  # {name: compiled function} once tried; {} when numba is not usable


def kernels():
    """The compiled update loops by rule name, or ``{}`` without numba.

    Compiled on the first call (numba caches them on disk, so later processes
    only load them)."""
    global _kernels
    if _kernels is None:
        _kernels = {}
        if os.environ.get("BARENET_NUMBA", "1") != "0":
            try:
                _kernels = _compile()
            except Exception:  # no numba, or one that cannot compile here: NumPy passes
                _kernels = {}
    return _kernels


def _compile():
    import numba

    jit = numba.njit(cache=True, nogil=True, error_model="numpy")

    @jit
    def adam(p, g, m, v, scalars):  # pragma: no cover - compiled
        # the Adam rule's NumPy passes (optimizers.Adam._update, then p -= t), per value;
        # scalars holds (beta1, beta2, shift, scale) in the parameters' dtype
        beta1, beta2, shift, scale = scalars[0], scalars[1], scalars[2], scalars[3]
        for i in range(p.shape[0]):
            mi = beta1 * m[i]
            mi = mi + g[i]
            m[i] = mi
            square = g[i] * g[i]
            vi = beta2 * v[i]
            vi = vi + square
            v[i] = vi
            t = math.sqrt(vi)
            t = t + shift
            t = mi / t
            t = t * scale
            p[i] = p[i] - t

    return {"adam": adam}
