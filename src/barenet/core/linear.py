r"""The linear step of a layer and its backward pass, as the notebook writes them.

Layout: ``A_prev`` has shape ``(n_prev, m)``, ``W`` has shape ``(n, n_prev)``,
``b`` has shape ``(n, 1)``; ``Z`` and ``dZ`` have shape ``(n, m)``.

$$
Z = W A_{prev} + b \qquad
dW = \frac{1}{m} dZ\, A_{prev}^T \qquad
db = \frac{1}{m} \sum_{i=1}^{m} dZ^{(i)} \qquad
dA_{prev} = W^T dZ
$$

``dZ`` is the per-sample gradient (see [`barenet.core.losses`][barenet.core.losses]), so ``dW``
and ``db`` are the gradients of the mean cost. A caller whose ``dZ`` already
carries the factor $1/m$ passes ``mean=False`` and gets sums over the
samples instead. ``db`` is the product of ``dZ`` with a column of ``1/m`` (or
of ones): a matrix-vector product. ``out``, ``dW``, ``db`` and ``dA_prev``,
when given, receive the results.
"""

from functools import lru_cache

import numpy as np

from ._out import into
from .namespace import NUMPY, namespace


@lru_cache(maxsize=64)
def column(m, value, dtype):
    """The column ``(value, ..., value)`` of ``m`` rows: ``dZ @ column`` is
    the mean over the samples for ``value = 1/m``, the sum for 1. Made once
    per ``(m, value, dtype)`` and shared, so it is read-only."""
    values = np.full((m, 1), value, dtype=dtype)
    values.flags.writeable = False
    return values


def linear_forward(W, A_prev, b, out=None):
    """Return ``Z = W @ A_prev + b``."""
    return into(W @ A_prev + b, out)


def linear_backward(dZ, A_prev, W, dW=None, db=None, need_dA_prev=True, dA_prev=None,
                    mean=True):
    """Return ``(dA_prev, dW, db)``; ``dA_prev`` is None when not needed.

    With ``mean=False``, ``dW`` and ``db`` are sums over the samples instead
    of means (for a ``dZ`` already divided by ``m``).
    """
    m = A_prev.shape[1]
    weight_grad = dZ @ A_prev.T
    if mean:
        weight_grad = weight_grad * (1 / m)
    if type(dZ) is np.ndarray:  # NumPy: with the shared column (namespace() checks the rest)
        xp = NUMPY
    else:
        xp = namespace(dZ, A_prev, W)
    if xp is NUMPY:
        bias_grad = dZ @ column(m, 1 / m if mean else 1, dZ.dtype)
    else:  # the same sum, in the namespace of dZ (no column of NumPy's to multiply by)
        bias_grad = xp.sum(dZ, axis=1, keepdims=True)
        if mean:
            bias_grad = bias_grad * (1 / m)
    previous = into(W.T @ dZ, dA_prev) if need_dA_prev else None
    return previous, into(weight_grad, dW), into(bias_grad, db)
