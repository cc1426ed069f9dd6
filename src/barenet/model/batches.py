"""Mini-batches: the samples of an epoch in batches, and the batches' rows.

``minibatch_indices`` is the notebook's way (a list of index arrays);
the training loop takes the same order as batch bounds and gathers the rows
with `gather`, copying a small training set once per epoch and a large
one batch by batch.
"""

import numpy as np

from .._checks import check_int
from ..core.namespace import like, namespace
from . import sparse
from .sparse import is_sparse


def minibatch_indices(m, batch_size, rng, shuffle=True, min_size=1):
    """Split ``range(m)`` into batches of ``batch_size`` sample indices.

    The order is a permutation drawn from ``rng`` (a ``numpy.random.Generator``)
    when ``shuffle`` is true. The last batch keeps the ``m % batch_size``
    samples left over, so every sample is used once per epoch -- unless it
    would be smaller than ``min_size`` (batch normalization needs 2), in which
    case those samples join the batch before.
    ``batch_size=m`` is batch gradient descent, ``1`` stochastic gradient descent.
    """
    m = check_int("m", m, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    order = rng.permutation(m) if shuffle else np.arange(m)
    return [order[a:b] for a, b in batch_bounds(m, batch_size, min_size)]


def batch_bounds(m, batch_size, min_size=1):
    """The ``(start, stop)`` of each batch of
    [`minibatch_indices`][barenet.training.minibatch_indices] in the epoch's order of samples."""
    starts = list(range(0, m, batch_size))
    if len(starts) > 1 and m - starts[-1] < min_size:
        starts.pop()
    return list(zip(starts, starts[1:] + [m]))


# Below this many bytes a training set is shuffled as a whole each epoch, and
# its batches are slices (views); above, each batch is gathered on its own,
# so that no copy of a large set is ever made.
SHUFFLE_COPY_BYTES = 16 * 2**20


def gather(order, bounds, X, Y, weights):
    """The epoch's batches, and its targets and weights in ``order``.

    Returns ``(batches, Y_epoch, weights_epoch)``: ``batches`` yields the
    ``(X, Y, weights)`` rows of each batch, ``bounds`` giving each one's
    ``(start, stop)`` in ``order``; ``Y_epoch`` and ``weights_epoch`` are None
    when they were not made on the way (targets too large to gather at once).
    ``X``, ``Y`` and ``weights`` may be arrays of another library than NumPy,
    ``X`` a SciPy sparse matrix (see `gather_any`); ``order`` is NumPy's.
    """
    if type(X) is not np.ndarray:
        return gather_any(order, bounds, X, Y, weights)
    if X.nbytes + Y.nbytes <= SHUFFLE_COPY_BYTES and len(bounds) > 1:
        X, Y = X.take(order, axis=0), Y.take(order, axis=0)
        weights = None if weights is None else weights.take(order)
        batches = ((X[a:b], Y[a:b], None if weights is None else weights[a:b])
                   for a, b in bounds)
        return batches, Y, weights
    # a large X: each batch of it gathered on its own; the targets and weights
    # (a few values per sample) at once, unless they are large as well
    if Y.nbytes > SHUFFLE_COPY_BYTES:
        batches = ((X.take(order[a:b], axis=0), Y.take(order[a:b], axis=0),
                    None if weights is None else weights.take(order[a:b])) for a, b in bounds)
        return batches, None, None
    Y = Y.take(order, axis=0)
    weights = None if weights is None else weights.take(order)
    batches = ((X.take(order[a:b], axis=0), Y[a:b], None if weights is None else weights[a:b])
               for a, b in bounds)
    return batches, Y, weights


def gather_any(order, bounds, X, Y, weights):
    """`gather` for arrays of any library: ``order`` moved to their
    device once, the epoch's rows gathered at once, the batches slices
    (a SciPy sparse ``X``: [`barenet.model.sparse.gather`][barenet.model.sparse.gather])."""
    if is_sparse(X):
        return sparse.gather(order, bounds, X, Y, weights)
    xp = namespace(X)
    order = like(order, X)
    X, Y = xp.take(X, order, axis=0), xp.take(Y, order, axis=0)
    weights = None if weights is None else xp.take(weights, order, axis=0)
    batches = ((X[a:b, :], Y[a:b, :], None if weights is None else weights[a:b])
               for a, b in bounds)
    return batches, Y, weights
