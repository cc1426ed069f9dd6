r"""L2 regularization and (inverted) dropout.

**L2**, the course's form, on the weights only (not biases, not batch-norm
scales and shifts): for a batch of ``m`` samples,

$$
J_{L2} = J + \frac{\lambda}{2m} \sum_l \lVert W^{[l]} \rVert_F^2 \qquad
\frac{\partial J_{L2}}{\partial W^{[l]}} = \frac{\partial J}{\partial W^{[l]}}
    + \frac{\lambda}{m} W^{[l]}
$$

**Inverted dropout** on a hidden layer's activations, with drop ``rate``
$r$ (keep probability $p = 1 - r$): during training each unit of
each sample is kept with probability $p$ and the kept ones are divided
by $p$,

$$
\tilde A = A \odot M / p, \qquad M_{ki} \sim \text{Bernoulli}(p)
$$

so that $E[\tilde A] = A$ and inference needs no change: it simply
skips dropout. The backward pass multiplies by the same ``M / p``.
"""

import numpy as np

import array_api_compat

from .namespace import NUMPY, namespace


def l2_penalty(weights, l2, m):
    """``l2 / (2 m) * sum of squared weights`` over the list ``weights``."""
    if not l2:
        return 0.0
    xp = namespace(*weights)
    return l2 / (2 * m) * sum(float(xp.sum(W * W)) for W in weights)


def add_l2_gradient(dweights, weights, l2, m):
    """Add ``(l2 / m) W`` to each ``dW`` in place."""
    if l2:
        for dW, W in zip(dweights, weights):
            dW += (l2 / m) * W


def dropout_mask(rng, shape, rate, dtype, like=None):
    """The scaled mask ``M / p``: ``1 / p`` where a unit is kept, 0 where dropped.

    Drawn from the ``numpy.random.Generator`` ``rng``; ``rate`` in [0, 1).
    With ``like``, an array of another library (a torch tensor...), the
    mask is drawn the same way in NumPy and moved to ``like``'s library and
    device, in ``like``'s dtype: a seed gives the same masks on every library.
    """
    if like is not None and namespace(like) is not NUMPY:
        xp = namespace(like)
        numpy_dtype = np.dtype(f"float{xp.finfo(like.dtype).bits}")
        mask = dropout_mask(rng, tuple(shape), rate, numpy_dtype)
        return xp.asarray(mask, dtype=like.dtype, device=array_api_compat.device(like))
    keep = 1.0 - rate
    mask = rng.random(shape, dtype=dtype) < keep
    return mask.astype(dtype) / np.asarray(keep, dtype=dtype)
