"""The optimizers' rules on NumPy arrays: in-place passes, or one compiled loop.

[`barenet.optim`][barenet.optim] writes each rule once (``Optimizer.update``), as plain
operations that make new arrays. Here the same operations, in the same order,
run on NumPy arrays without allocating: each update is written into a scratch
array that the runner owns, through 0-d operands of the parameters' dtype
(`barenet.fast.buffers.scalars`: a Python float operand costs a small
array's ufunc call as much again; both are rounded to the dtype, so the
numbers are the same). Where numba is installed and the arrays suit it, the
rule's compiled loop (`barenet.fast.kernels`) does the update and its
subtraction in one pass per array, again the same numbers bit for bit.

Each rule is registered for its own class only ([`barenet.optim.RUNNERS`][barenet.optim.RUNNERS]):
a subclass runs its own ``update`` unless it registers itself.
"""

import numpy as np

from .buffers import scalars
from ..optim import RUNNERS, GD, Adam, AdamW, Momentum, RMSProp
from . import kernels as _kernels


def _gd(g, state, t, operands, s):
    (lr,) = operands
    lr[()] = s.lr
    return np.multiply(g, lr, out=t)


def _momentum(g, state, t, operands, s):
    (v,) = state
    beta, scale = operands
    beta[()], scale[()] = s.beta, s.scale
    v *= beta
    v += g
    if s.nesterov:
        np.multiply(v, beta, out=t)
        t += g
        t *= scale
        return t
    return np.multiply(v, scale, out=t)


def _add_square(squares, g, beta, t):
    """``squares = beta squares + g^2`` in place, ``g^2`` through ``t``."""
    np.multiply(g, g, out=t)
    squares *= beta
    squares += t


def _ratio(x, squares, shift, scale, t):
    """``x / (sqrt(squares) + shift) * scale`` into ``t``."""
    np.sqrt(squares, out=t)
    t += shift
    np.divide(x, t, out=t)
    t *= scale
    return t


def _rmsprop(g, state, t, operands, s):
    (squares,) = state
    beta, shift, scale = operands
    beta[()], shift[()], scale[()] = s.beta, s.shift, s.scale
    _add_square(squares, g, beta, t)
    return _ratio(g, squares, shift, scale, t)


def _adam(g, state, t, operands, s):
    m, v = state
    beta1, beta2, shift, scale = operands
    beta1[()], beta2[()], shift[()], scale[()] = s.beta1, s.beta2, s.shift, s.scale
    m *= beta1
    m += g
    _add_square(v, g, beta2, t)
    return _ratio(m, v, shift, scale, t)


def _loopable(p, g):
    """Whether a compiled loop can update ``p`` from ``g`` in place: both
    contiguous NumPy arrays of the same dtype, float32 or float64 (the loops
    are proven bit-identical for those two; numba cannot compile others,
    ``longdouble``, or may round them differently, ``float16``)."""
    return (type(p) is np.ndarray and type(g) is np.ndarray and p.dtype == g.dtype
            and p.dtype in _kernels.FLOATS and p.flags.c_contiguous and g.flags.c_contiguous
            and p.flags.writeable)


class NumpyRunner:
    """One optimizer's rule run on its NumPy parameter arrays.

    It owns, per parameter array, a scratch array that receives the update,
    the 0-d operands of the in-place ``passes`` (set from the step's scalars
    at every step) and, once the compiled loop ``loop_name`` runs, a row of
    the step's scalars in the array's dtype.
    """

    def __init__(self, passes, n_operands, loop_name, params):
        self.passes = passes
        self.loop_name = loop_name
        self.scratch = [np.empty_like(p) for p in params]
        self.operands = [scalars(p.dtype, n_operands) for p in params]
        self.rows = None

    def takes(self, params, grads):
        """Whether the compiled loop can run on these arrays."""
        for p, g in zip(params, grads):  # a loop: cheaper than all() over a generator
            if not _loopable(p, g):
                return False
        return True

    def updates(self, grads, states, s):
        """The updates, each in its scratch array; the states advanced."""
        return [self.passes(g, state, t, operands, s)
                for g, state, t, operands in zip(grads, states, self.scratch, self.operands)]

    def loop(self, params, grads, states, s, takes=None):
        """The whole step in one compiled loop per array, True; False, with
        nothing done, without numba or when the arrays do not suit the loop
        (``takes``: known to the caller, None to find out)."""
        kernel = _kernels.kernels().get(self.loop_name)
        if kernel is None or takes is False or (takes is None and not self.takes(params, grads)):
            return False
        if self.rows is None:
            self.rows = [np.empty(len(s), p.dtype) for p in params]
        for p, g, state, row in zip(params, grads, states, self.rows):
            row[...] = s  # rounded to the dtype, as the 0-d operands are
            if p.ndim == 1:  # Network's flat vector
                kernel(p, g, *state, row)
            else:  # flat views of contiguous arrays (g and the state have p's shape)
                kernel(*(a.reshape(-1) for a in (p, g, *state)), row)
        return True


def _factory(passes, n_operands, loop_name):
    def runner(optimizer, params):
        if not all(isinstance(p, np.ndarray) for p in params):
            return None
        return NumpyRunner(passes, n_operands, loop_name, params)
    return runner


# The rule's passes, their number of 0-d operands, and its compiled loop
# (AdamW's is Adam's: its scalars carry the decay factor, 1 for Adam).
RUNNERS.update({
    GD: _factory(_gd, 1, "gd"),
    Momentum: _factory(_momentum, 2, "momentum"),
    RMSProp: _factory(_rmsprop, 3, "rmsprop"),
    Adam: _factory(_adam, 4, "adam"),
    AdamW: _factory(_adam, 4, "adam"),
})
