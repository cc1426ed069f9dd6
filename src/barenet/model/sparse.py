"""Sparse inputs: a ``scipy.sparse`` matrix or array, never made dense whole.

A NumPy network takes a SciPy sparse ``X`` wherever it takes an array
(``fit``, ``resume``, ``forward``, ``predict``, ``predict_proba``,
``evaluate``, ``layer_outputs``). `check_inputs` checks it (its shape,
a numeric dtype, finite stored values) and casts it to the network's dtype;
it stays sparse, in CSR form: a CSC matrix is converted to CSR once, as
every other format is, since training and inference take rows. Only rows
are ever made dense:

- a training step densifies the rows of its batch alone
  (``X[rows].toarray()``, of shape ``(batch_size, n_features)``; `gather`),
  the same array the dense path hands the engine, so that a sparse ``X``
  and its dense copy train to the same numbers;
- inference densifies blocks of `block_rows` rows, each at most
  ``BLOCK_BYTES`` dense (`infer`, `scores`, `layer_outputs`).

A validation split of a sparse ``X`` stays sparse. Standardization would
center the columns, which makes a sparse matrix dense: a network with
``standardize=True`` refuses sparse inputs (`STANDARDIZE` says what to do
instead). Networks on other array libraries take no sparse input.

SciPy is not needed to import barenet: a sparse matrix is recognized by its
type's module (`is_sparse`), and its own methods do the rest.
"""

import numpy as np

from ..fast.engine import INFER_BLOCK

# The most bytes of one dense block of rows at inference.
BLOCK_BYTES = 4 * 2**20

STANDARDIZE = (
    "standardize=True centers the columns of X, which would make a sparse matrix dense; "
    "scale a sparse X without centering instead (e.g. scikit-learn's MaxAbsScaler, or "
    "StandardScaler(with_mean=False)) and use standardize=False, or give X dense")


def is_sparse(X):
    """Whether ``X`` is a SciPy sparse matrix or array (without importing SciPy)."""
    return type(X).__module__.startswith("scipy.sparse") and hasattr(X, "tocsr")


def check_inputs(X, dtype, n_features, scaler=None, name="X", parameters=None):
    """The sparse ``X`` as a CSR matrix (or array) in ``dtype``, checked:
    2-D, not empty, of numbers, with finite stored values, ``n_features``
    columns; for a NumPy network (``parameters``) without input scaling."""
    if parameters is not None and type(parameters) is not np.ndarray:
        raise TypeError(
            f"{name} is a SciPy sparse matrix, which only a network on NumPy takes; this "
            f"network's parameters are an array of {type(parameters).__module__.split('.')[0]}"
            f": give {name} dense on that library, or move the network with net.to(numpy_array)")
    if scaler is not None:
        raise ValueError(f"{name} is sparse, but {STANDARDIZE}")
    if len(X.shape) != 2:
        raise ValueError(f"{name} must be 2-D, got a sparse array of shape {X.shape}")
    if 0 in X.shape:
        raise ValueError(f"{name} is empty (shape {X.shape})")
    if X.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got a sparse matrix of dtype {X.dtype}")
    X = X.tocsr()  # a CSR matrix as it is; CSC and the other formats converted once
    with np.errstate(over="ignore"):  # values too large for dtype are reported below
        cast = X.astype(dtype, copy=False)
    if cast.dtype.kind == "f" and not np.isfinite(cast.data).all():
        if cast is not X and X.dtype.kind == "f" and np.isfinite(X.data).all():
            raise ValueError(
                f"{name} holds values as large as {float(np.abs(X.data).max()):g}, beyond the "
                f"range of {cast.dtype.name}; scale the inputs, or use float64")
        raise ValueError(f"{name} contains NaN or infinity")
    if X.shape[1] != n_features:
        raise ValueError(
            f"{name} has {X.shape[1]} features but the network's input layer has {n_features}")
    return cast


def block_rows(n_features, dtype):
    """The rows of a block at inference: as many as fit in ``BLOCK_BYTES``
    dense (at least one, at most the dense path's ``INFER_BLOCK``)."""
    return max(1, min(INFER_BLOCK, BLOCK_BYTES // (n_features * np.dtype(dtype).itemsize)))


def _blocks(X):
    """``(start, stop, dense rows)`` of the sparse ``X``, block by block."""
    m, n = X.shape
    size = block_rows(n, X.dtype)
    for start in range(0, m, size):
        yield start, min(start + size, m), X[start:start + size].toarray()


def infer(engine, X):
    """``engine.infer(X)``, for a sparse ``X`` one block of rows at a time."""
    if not is_sparse(X):
        return engine.infer(X)
    out = np.empty((X.shape[0], engine.layer_sizes[-1]), engine.dtype)
    for start, stop, rows in _blocks(X):
        out[start:stop] = engine.infer(rows)
    return out


def scores(engine, X, Y):
    """``engine.scores(X, Y)``, for a sparse ``X`` over its blocks' outputs."""
    if not is_sparse(X):
        return engine.scores(X, Y)
    return engine.figures(infer(engine, X).T, Y.T)


def layer_outputs(engine, X):
    """Every layer's inference output for the rows of ``X``, as
    [`Network.layer_outputs`][barenet.Network.layer_outputs] gives them:
    transposed views of ``(n_l, n_samples)`` arrays."""
    if not is_sparse(X):
        _, ws = engine.forward(X.T)
        return [A.T for A in ws.A]
    outs = [np.empty((n, X.shape[0]), engine.dtype) for n in engine.layer_sizes[1:]]
    for start, stop, rows in _blocks(X):
        _, ws = engine.forward(rows.T)
        for out, A in zip(outs, ws.A):
            out[:, start:stop] = A
    return [out.T for out in outs]


def gather(order, bounds, X, Y, weights):
    """[`gather`][barenet.model.batches.gather] for a sparse ``X`` (CSR):
    each batch's rows densified alone, ``X[rows].toarray()``; the targets
    and weights (a few values per sample) in ``order`` at once."""
    Y = Y.take(order, axis=0)
    weights = None if weights is None else weights.take(order)
    batches = ((X[order[a:b]].toarray(), Y[a:b], None if weights is None else weights[a:b])
               for a, b in bounds)
    return batches, Y, weights
