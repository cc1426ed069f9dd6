r"""The global norm of a list of gradient arrays, and clipping by it.

Every optimizer takes ``clipnorm``: the gradients of one step are scaled down
together whenever their global norm exceeds it
([`clip_by_global_norm`][barenet.optim.clipping.clip_by_global_norm]).
"""

import math

import numpy as np

from ..core.namespace import all_finite, namespace

# np.vdot without the __array_function__ dispatch, which costs more than the
# BLAS call itself on a small array; vdot, unlike dot, overflows to inf
# without a warning.
_vdot = getattr(np.vdot, "_implementation", np.vdot)


def sum_of_squares(arrays):
    """The sum of the squares of all the values of ``arrays``, as a Python
    float: one BLAS dot product per array; not finite when a value is not, or
    when it overflows (values beyond about 1e19 in float32)."""
    total = 0.0
    for a in arrays:
        if type(a) is np.ndarray:
            total += float(_vdot(a, a))
        else:  # another array library's array: its own sum, on its device
            total += float(namespace(a).sum(a * a))
    return total


def finite_norm(arrays):
    """The global norm of ``arrays`` if they are all finite, else None.

    Only when the sum of squares is not finite are the arrays looked at value
    by value, and the norm of huge finite values computed after scaling them
    down by the largest magnitude.
    """
    total = sum_of_squares(arrays)
    if math.isfinite(total):
        return math.sqrt(total)
    if not all(all_finite(a) for a in arrays):
        return None
    big = max(max_abs(a) for a in arrays if math.prod(a.shape))
    return big * math.sqrt(sum_of_squares([a / big for a in arrays]))


def max_abs(a):
    """The largest magnitude in the non-empty array ``a``, as a Python float."""
    xp = namespace(a)
    return float(xp.max(xp.abs(a)))


def global_norm(grads):
    r"""The Euclidean norm of all the arrays of ``grads`` taken together:
    $\sqrt{\sum_k \sum g_k^2}$, as a Python float (nan when one of them
    is not finite)."""
    norm = finite_norm(grads)
    return math.nan if norm is None else norm


def clip_by_global_norm(grads, clipnorm, norm=None):
    r"""Scale a list of gradient arrays so that their global norm is at most ``clipnorm``.

    With $n$ the [`global_norm`][barenet.optim.clipping.global_norm] of ``grads`` (or ``norm``, when
    the caller has it already):

    $$
    g_k \leftarrow g_k \cdot \frac{\text{clipnorm}}{n} \quad
    \text{for every } k, \text{ if } n > \text{clipnorm}
    $$

    One factor for all the arrays, so the direction of the whole gradient is
    kept (clipping each array by its own norm would change it). Returns new
    arrays when it scales and ``grads`` itself when it does not: the caller's
    arrays are never modified.

    This is Keras's ``global_clipnorm`` (``tf.clip_by_global_norm``).
    PyTorch's ``clip_grad_norm_`` scales by $\text{clipnorm} / (n +
    10^{-6})$ instead (whenever that is below 1), a relative difference of
    about $10^{-6} / n$.
    """
    total = global_norm(grads) if norm is None else norm
    if total > clipnorm:
        scale = clipnorm / total
        return [g * scale for g in grads]
    return grads
