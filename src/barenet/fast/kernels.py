"""Loops compiled with numba, when it is installed (optional): the optimizers'
updates and ReLU.

Each loop does, value by value, exactly the operations of the NumPy passes it
stands for, in the same order, each rounded to the arrays' dtype (the scalars
come in that dtype, and no fast-math flag lets the compiler contract or
reorder them): the same numbers bit for bit, which the tests check. The
compiler vectorizes it (square roots and divisions are correctly rounded in
SIMD as well); ``error_model='numpy'`` lets a division by zero give inf as
NumPy's does, instead of a branch that would stop the vectorizing.

- ``adam`` (AdamW's too), ``gd``, ``momentum``, ``rmsprop``: one rule's
  update and its subtraction in one pass ([`barenet.fast.optim`][barenet.fast.optim] runs them;
  the rules themselves are in [`barenet.optim`][barenet.optim]). Each takes the
  parameter, gradient and state arrays (1-D) and an array of the step's
  scalars, the rule's ``step_scalars()`` in order.
- ``relu``, ``bias_relu``, ``relu_backward``: ReLU's passes
  (`flat_views` says which arrays they take). Those are used only once
  training has loaded the loops (`loaded`): inference, and the
  notebook's forward and backward functions, never pay numba's import (an
  optimizer's first step loads the loops).

Set the environment variable ``BARENET_NUMBA=0`` before the first step to
keep the NumPy passes although numba is installed.
"""

import math
import os

import numpy as np

FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
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


def loaded():
    """The compiled loops if `kernels` has loaded them (training does),
    else ``{}``; never loads them itself."""
    return _kernels or {}


def flat_views(*arrays):
    """1-D views of ``arrays`` (inputs, then the output) for an elementwise
    loop, or None unless they all are NumPy arrays (not subclasses) of one
    shape and one dtype, float32 or float64, C-contiguous, and the output is
    writeable and either one of the inputs or apart from all of them."""
    out = arrays[-1]
    shape, dtype = out.shape, out.dtype
    if not (type(out) is np.ndarray and dtype in FLOATS and out.flags.c_contiguous
            and out.flags.writeable):
        return None
    for a in arrays[:-1]:
        if not (type(a) is np.ndarray and a.shape == shape and a.dtype == dtype
                and a.flags.c_contiguous):
            return None
        if a is not out and np.may_share_memory(a, out):
            return None
    return [a.reshape(-1) for a in arrays]


# The loops, as Python that numba compiles (each is also plain Python: the
# same operations, value by value, run uncompiled).


def adam(p, g, m, v, scalars):  # pragma: no cover - compiled
    # Adam.update, then AdamW's apply (p *= decay; p -= t), per value; scalars
    # holds AdamScalars (beta1, beta2, shift, scale, decay) in the parameters'
    # dtype, decay 1 for Adam (p * 1 is p)
    beta1, beta2, shift, scale = scalars[0], scalars[1], scalars[2], scalars[3]
    decay = scalars[4]
    if g.shape[0] != p.shape[0] or m.shape[0] != p.shape[0] or v.shape[0] != p.shape[0]:
        raise ValueError("adam: arrays of different lengths")
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
        pi = p[i] * decay
        p[i] = pi - t

def gd(p, g, scalars):  # pragma: no cover - compiled
    # GD.update then p -= t; scalars holds (lr,)
    lr = scalars[0]
    if g.shape[0] != p.shape[0]:
        raise ValueError("gd: arrays of different lengths")
    for i in range(p.shape[0]):
        t = g[i] * lr
        p[i] = p[i] - t

def momentum(p, g, v, scalars):  # pragma: no cover - compiled
    # Momentum.update then p -= t; scalars holds (beta, scale, nesterov as 0 or 1)
    beta, scale, nesterov = scalars[0], scalars[1], scalars[2] != 0
    if g.shape[0] != p.shape[0] or v.shape[0] != p.shape[0]:
        raise ValueError("momentum: arrays of different lengths")
    for i in range(p.shape[0]):
        vi = beta * v[i]
        vi = vi + g[i]
        v[i] = vi
        if nesterov:
            t = vi * beta
            t = t + g[i]
            t = t * scale
        else:
            t = vi * scale
        p[i] = p[i] - t

def rmsprop(p, g, s, scalars):  # pragma: no cover - compiled
    # RMSProp.update then p -= t; scalars holds (beta, shift, scale)
    beta, shift, scale = scalars[0], scalars[1], scalars[2]
    if g.shape[0] != p.shape[0] or s.shape[0] != p.shape[0]:
        raise ValueError("rmsprop: arrays of different lengths")
    for i in range(p.shape[0]):
        square = g[i] * g[i]
        si = beta * s[i]
        si = si + square
        s[i] = si
        t = math.sqrt(si)
        t = t + shift
        t = g[i] / t
        t = t * scale
        p[i] = p[i] - t

def relu(z, a):  # pragma: no cover - compiled
    # ReLU.forward, np.maximum(z, 0): z above 0, a nan as it is, +0.0 for the rest
    # (-0.0 included)
    if a.shape[0] != z.shape[0]:
        raise ValueError("relu: arrays of different lengths")
    for i in range(z.shape[0]):
        zi = z[i]
        a[i] = zi if zi > 0 or zi != zi else 0

def bias_relu(z, b, a):  # pragma: no cover - compiled
    # z += b (b a column: one value per row), then relu(z, a), in one pass over z
    if b.shape[0] != z.shape[0] or a.shape != z.shape:
        raise ValueError("bias_relu: arrays of different shapes")
    for i in range(z.shape[0]):
        bi = b[i]
        for j in range(z.shape[1]):
            zi = z[i, j] + bi
            z[i, j] = zi
            a[i, j] = zi if zi > 0 or zi != zi else 0

def relu_backward(da, a, out):  # pragma: no cover - compiled
    # dA * sign(a): ReLU.backward. sign(a) is 1 above 0, -1 below, and a - a
    # (+0.0, or nan for a nan a) otherwise; selects, not branches, so that the
    # compiler vectorizes the loop
    if da.shape[0] != a.shape[0] or out.shape[0] != a.shape[0]:
        raise ValueError("relu_backward: arrays of different lengths")
    for i in range(a.shape[0]):
        ai = a[i]
        di = da[i]
        t = di * (ai - ai)
        t = -di if ai < 0 else t
        out[i] = di if ai > 0 else t


LOOPS = {"adam": adam, "gd": gd, "momentum": momentum, "rmsprop": rmsprop, "relu": relu,
         "bias_relu": bias_relu, "relu_backward": relu_backward}


def _compile():
    import numba

    jit = numba.njit(cache=True, nogil=True, error_model="numpy")
    return {name: jit(loop) for name, loop in LOOPS.items()}
