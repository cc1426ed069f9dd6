"""A network's parameters as flat vectors, with per-layer views into them.

All trained parameters live in one flat vector, ``values``; ``weights[l]``
(shape ``(n_{l+1}, n_l)``) and ``biases[l]`` (shape ``(n_{l+1}, 1)``) are
views into it, and the gradient fills a twin vector, ``grad``, the same way.
An optimizer step is therefore a few vector operations, whatever the depth.
Every layer after the first keeps its bias as the last column of one
row-major block ``[W | b]`` (``blocks[l]``): its input, a hidden layer's
output, carries a row of ones (see [`barenet.fast.engine`][barenet.fast.engine]), so one matrix
product gives ``W A + b`` and another both ``dW`` and ``db``. A
batch-normalized layer adds ``gamma`` and ``beta`` (shape ``(n_{l+1}, 1)``)
after its weights, and two running statistics in a third vector, ``state``.
Saved files hold W and b apart, layer by layer (`FlatParameters.file_order`).

The vectors are NumPy arrays, or arrays of another library on its device
(`FlatParameters.moved`): PyTorch tensors, CuPy arrays, any library whose
slices and reshapes are views that can be written in place.
"""

import math

import numpy as np

from .._buffers import flat_views
from ..core.namespace import NUMPY, device_of, like, namespace, to_numpy

# The layout of the flat vectors in memory (the module's docstring), which a
# pickle of a Network records (barenet.model.pickling): 2 since layers past
# the first keep [W | b] blocks.
PARAMETER_LAYOUT = 2

# the per-layer lists of views, rebuilt from the vectors (never pickled)
_VIEWS = ("weights", "biases", "gammas", "betas", "blocks", "dweights", "dbiases", "dgammas",
          "dbetas", "dblocks", "running_means", "running_vars")


def shapes(layer_sizes, batch_norm):
    """Shapes of the blocks of the parameter vector, layer by layer, and of
    the running statistics: the first layer's W and b, every other layer's
    ``[W | b]``, then gamma and beta where ``batch_norm[l]``."""
    blocks, state = [], []
    for l, ((n_in, n_out), bn) in enumerate(zip(zip(layer_sizes[:-1], layer_sizes[1:]),
                                                batch_norm)):
        blocks += [(n_out, n_in), (n_out, 1)] if l == 0 else [(n_out, n_in + 1)]
        blocks += [(n_out, 1), (n_out, 1)] * bn
        state += [(n_out, 1), (n_out, 1)] * bn
    return blocks, state


def layer_views(views, batch_norm):
    """Split consecutive views (as `shapes` lays them out) into
    per-layer lists ``(W, b, gamma, beta, [W | b])``: None for gamma and
    beta where a layer has no batch normalization, and for the first
    layer's ``[W | b]``."""
    views = iter(views)
    lists = ([], [], [], [], [])
    for l, bn in enumerate(batch_norm):
        if l == 0:
            W, b, block = next(views), next(views), None
        else:
            block = next(views)
            W, b = block[:, :-1], block[:, -1:]
        for target, view in zip(lists, (W, b, next(views) if bn else None,
                                         next(views) if bn else None, block)):
            target.append(view)
    return lists


class FlatParameters:
    """The flat vectors of a network with ``layer_sizes`` and, per layer,
    ``batch_norm`` (a sequence of bool, one per weight layer), in ``dtype``.

    Attributes
    ----------
    values, grad : array of shape (n_parameters,)
        The parameters and their gradient (filled by a training step), NumPy
        arrays or arrays of another library (``xp``, on ``device``).
    state : ndarray
        Batch normalization's running means and variances (empty without it).
    weights, biases, gammas, betas, blocks : list of ndarray or None
        Per-layer views into ``values`` (see the module's docstring).
    dweights, dbiases, dgammas, dbetas, dblocks : list of ndarray or None
        The same views into ``grad``.
    running_means, running_vars : list of ndarray or None
        Per-layer views into ``state``.
    xp, device
        The namespace of the vectors ([`barenet.core.namespace`][barenet.core.namespace])
        and their device ("cpu" for NumPy).
    """

    def __init__(self, layer_sizes, batch_norm, dtype, arrays=None):
        self.layer_sizes, self.batch_norm = tuple(layer_sizes), tuple(batch_norm)
        self.dtype = np.dtype(dtype)
        if arrays is None:
            arrays = self._allocate()
        self.values, self.grad, self.state = arrays
        self._bind()

    @property
    def xp(self):
        """The vectors' namespace."""
        return namespace(self.values)

    @property
    def device(self):
        """The vectors' device."""
        return device_of(self.values)

    def moved(self, array):
        """New flat vectors with these values, in the library and on the
        device of ``array`` (NumPy's for a NumPy array): copies, views bound
        anew."""
        arrays = [to_numpy(v) for v in (self.values, self.grad, self.state)]
        if namespace(array) is not NUMPY:
            arrays = [like(v, array) for v in arrays]
        elif arrays[0] is self.values:
            arrays = [v.copy() for v in arrays]
        return FlatParameters(self.layer_sizes, self.batch_norm, self.dtype, arrays)

    def _allocate(self):
        blocks, state = shapes(self.layer_sizes, self.batch_norm)
        size = sum(n_out * n_in for n_out, n_in in blocks)
        try:
            return (np.empty(size, dtype=self.dtype), np.zeros(size, dtype=self.dtype),
                    np.empty(sum(int(np.prod(s)) for s in state), dtype=self.dtype))
        except MemoryError:
            raise ValueError(
                f"layer_sizes {list(self.layer_sizes)} need {size} parameters, more than "
                "this machine's memory holds"
            ) from None

    def _bind(self):
        """The per-layer views into the vectors (no copies)."""
        blocks, state = shapes(self.layer_sizes, self.batch_norm)
        (self.weights, self.biases, self.gammas, self.betas,
         self.blocks) = layer_views(flat_views(self.values, blocks), self.batch_norm)
        (self.dweights, self.dbiases, self.dgammas, self.dbetas,
         self.dblocks) = layer_views(flat_views(self.grad, blocks), self.batch_norm)
        views = iter(flat_views(self.state, state))
        self.running_means, self.running_vars = [], []
        for bn in self.batch_norm:
            self.running_means.append(next(views) if bn else None)
            self.running_vars.append(next(views) if bn else None)

    def __getstate__(self):
        # the views are rebuilt on unpickling (a copy would cut them loose)
        return {k: v for k, v in self.__dict__.items() if k not in _VIEWS}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._bind()

    def reset_batch_norm(self):
        """gamma = 1, beta = 0, running mean 0 and variance 1."""
        for gamma, beta, mean, var in zip(self.gammas, self.betas, self.running_means,
                                          self.running_vars):
            if gamma is not None:
                gamma[...], beta[...], mean[...], var[...] = 1, 0, 0, 1

    def file_order(self):
        """Where each value of a saved parameter vector lives in ``values``:
        files hold W, b (gamma, beta) layer by layer, each row-major, so that
        the format does not depend on the layout kept in memory."""
        index = np.arange(math.prod(self.values.shape))
        views = flat_views(index, shapes(self.layer_sizes, self.batch_norm)[0])
        layers = zip(*layer_views(views, self.batch_norm)[:4])
        return np.concatenate([view.ravel() for layer in layers for view in layer
                               if view is not None])

    def snapshot(self):
        """Copies of everything training changes: ``(values, state)``."""
        if type(self.values) is np.ndarray:
            return self.values.copy(), self.state.copy()
        xp = self.xp
        return xp.asarray(self.values, copy=True), xp.asarray(self.state, copy=True)

    def holds(self, snapshot):
        """Whether the values are those of ``snapshot``."""
        return bool(self.xp.all(self.values == snapshot[0]))

    def restore(self, snapshot):
        """Put back a `snapshot`."""
        self.values[...], self.state[...] = snapshot

    def keep(self, snapshot):
        """Copy the current values and state into the arrays of ``snapshot``."""
        values, state = snapshot
        values[...] = self.values
        if math.prod(state.shape):  # batch normalization's running statistics
            state[...] = self.state

