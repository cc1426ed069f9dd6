r"""The linear step of a layer and its backward pass, as the notebook writes them.

Layout: ``A_prev`` has shape ``(n_prev, m)``, ``W`` has shape ``(n, n_prev)``,
``b`` has shape ``(n, 1)``; ``Z`` and ``dZ`` have shape ``(n, m)``.

.. math::

    Z = W A_{prev} + b \qquad
    dW = \frac{1}{m} dZ\, A_{prev}^T \qquad
    db = \frac{1}{m} \sum_{i=1}^{m} dZ^{(i)} \qquad
    dA_{prev} = W^T dZ

``dZ`` is the per-sample gradient (see :mod:`barenet.losses`), so ``dW`` and
``db`` are the gradients of the mean cost. A caller whose ``dZ`` already
carries the factor :math:`1/m` (``Network`` scales the output layer's, and
the factor flows back through every layer) passes ``mean=False`` and gets the
same gradients without a pass over ``dW`` to scale it. ``out`` arguments let
a caller write into preallocated buffers, such as views of a flat gradient
vector.
"""

from functools import lru_cache

import numpy as np


@lru_cache(maxsize=64)
def _constant_column(m, value, dtype, xp=np):
    """The column ``(value, ..., value)`` of ``m`` rows, read-only; ``dZ @ it``
    is the mean over the samples for ``value = 1/m``, the sum for 1."""
    column = xp.full((m, 1), value, dtype=dtype)
    column.flags.writeable = False
    return column


# The products use ``dot``: for 2-D arrays it is the same BLAS call as
# ``matmul``, with about half the per-call overhead (0.6 against 1.2 us),
# which is most of the cost of a small layer. Its ``out`` must be
# C-contiguous, as every buffer handed in here is.


def linear_forward(W, A_prev, b, out=None, xp=np):
    """Return ``Z = W @ A_prev + b``."""
    Z = xp.dot(W, A_prev, out=out)
    Z += b
    return Z


def linear_backward(dZ, A_prev, W, dW=None, db=None, need_dA_prev=True, dA_prev=None,
                    mean=True, xp=np):
    """Return ``(dA_prev, dW, db)``; ``dA_prev`` is None when not needed.

    ``dW``, ``db`` and ``dA_prev``, when given, are filled in place. With
    ``mean=False``, ``dW`` and ``db`` are sums over the samples instead of
    means (for a ``dZ`` already divided by ``m``).
    """
    m = A_prev.shape[1]
    dW = xp.dot(dZ, A_prev.T, out=dW)
    if mean:
        dW *= 1 / m
    db = xp.dot(dZ, _constant_column(m, 1 / m if mean else 1, dZ.dtype, xp), out=db)
    if need_dA_prev:
        dA_prev = xp.dot(W.T, dZ, out=dA_prev)
    return (dA_prev if need_dA_prev else None), dW, db
