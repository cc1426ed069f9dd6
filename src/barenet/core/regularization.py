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

from .namespace import namespace


def l2_penalty(weights, l2, m):
    """``l2 / (2 m) * sum of squared weights`` over the list ``weights``."""
    if not l2:
        return 0.0
    return l2 / (2 * m) * sum(float(namespace(W).sum(W * W)) for W in weights)


def add_l2_gradient(dweights, weights, l2, m):
    """Add ``(l2 / m) W`` to each ``dW`` in place."""
    if l2:
        for dW, W in zip(dweights, weights):
            dW += (l2 / m) * W


def dropout_mask(rng, shape, rate, dtype):
    """The scaled mask ``M / p``: ``1 / p`` where a unit is kept, 0 where dropped.

    Drawn from the ``numpy.random.Generator`` ``rng``; ``rate`` in [0, 1).
    """
    keep = 1.0 - rate
    mask = rng.random(shape, dtype=dtype) < keep
    return mask.astype(dtype) / np.asarray(keep, dtype=dtype)
