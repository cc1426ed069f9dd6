"""The array namespace a formula computes in: the one its inputs come from.

Every formula of the core is written once, with the functions of the Array
API standard (https://data-apis.org/array-api/) called on ``xp``, the
namespace of its inputs: NumPy's functions for NumPy arrays (and Python
numbers and lists), otherwise the namespace ``array_api_compat`` gives for them --
PyTorch tensors (CPU or CUDA), CuPy arrays, ``array_api_strict`` arrays.
Results are arrays of that namespace, on the inputs' device. For NumPy
inputs the calls are NumPy's own, so NumPy results do not depend on this
module at all.

Mixing namespaces in one call (a NumPy array and a torch tensor) is an
error: nothing is converted behind the caller's back.
"""

import numpy as np
import array_api_compat

# what counts as NumPy: its arrays and scalars, and plain Python values
_NUMPY = (np.ndarray, np.generic, int, float, bool, list, tuple)
_ndarray = np.ndarray


def _as_method(name):
    """The reduction ``name(x, axis, keepdims)`` called as ``x``'s method."""

    def reduction(x, axis=None, keepdims=False):
        return getattr(x, name)(axis=axis, keepdims=keepdims)

    reduction.__name__ = name
    return reduction


class _NumPy:
    """NumPy as a namespace, with its reductions called as array methods:
    ``np.sum(x)`` and ``x.sum()`` give the same numbers, but the function
    adds a Python-level dispatch that costs more than a small reduction
    itself. Every other name is NumPy's own."""

    # staticmethod: a NumPy function written in Python would otherwise bind
    exp, log, sqrt, tanh, sign, abs = map(staticmethod, (np.exp, np.log, np.sqrt, np.tanh,
                                                         np.sign, np.abs))
    maximum, minimum, where, isfinite = map(staticmethod, (np.maximum, np.minimum, np.where,
                                                           np.isfinite))
    finfo, asarray, zeros_like = map(staticmethod, (np.finfo, np.asarray, np.zeros_like))

    sum, mean, max, min, all = (staticmethod(_as_method(name))
                                for name in ("sum", "mean", "max", "min", "all"))

    def __getattr__(self, name):
        return getattr(np, name)

    def __repr__(self):
        return "barenet's NumPy namespace"


NUMPY = _NumPy()
"""The namespace of NumPy inputs: NumPy's functions (reductions as methods)."""


def namespace(*arrays):
    """The namespace of ``arrays`` (None entries are skipped):
    [`NUMPY`][barenet.core.namespace.NUMPY] when all are NumPy arrays or Python values, else the array-API namespace
    of the others, which must agree (TypeError otherwise, as for a NumPy
    array among them)."""
    for a in arrays:  # NumPy arrays alone, the common case, cost one loop
        if type(a) is not _ndarray and a is not None:
            break
    else:
        return NUMPY
    # what is not an array of a library (a data frame...) is NumPy's to convert
    others = [a for a in arrays if a is not None and not isinstance(a, _NUMPY)
              and array_api_compat.is_array_api_obj(a)]
    if not others:
        return NUMPY
    if any(isinstance(a, np.ndarray) for a in arrays):
        kinds = sorted({type(a).__module__.split(".")[0] for a in arrays if a is not None})
        raise TypeError(
            f"the arrays come from different libraries ({', '.join(kinds)}); convert them "
            "to one before the call")
    return array_api_compat.array_namespace(*others)


def constant(value, like, dtype=None):
    """``value`` as a 0-d array of ``like``'s namespace, on its device, in
    ``dtype`` (``like``'s by default)."""
    xp = namespace(like)
    dtype = like.dtype if dtype is None else dtype
    if xp is NUMPY:
        return np.asarray(value, dtype=dtype)
    return xp.asarray(value, dtype=dtype, device=array_api_compat.device(like))


def is_floating(x):
    """Whether ``x`` is an array of real floating-point numbers."""
    dtype = getattr(x, "dtype", None)
    if dtype is None:
        return False
    if isinstance(dtype, np.dtype):
        return dtype.kind == "f"
    return namespace(x).isdtype(dtype, "real floating")


def all_finite(a):
    """Whether every value of the array ``a`` (of any library) is finite, as a bool."""
    xp = namespace(a)
    return bool(xp.all(xp.isfinite(a)))


def device_of(x):
    """The device of the array ``x`` ("cpu" for NumPy's)."""
    if type(x) is _ndarray:
        return "cpu"
    return array_api_compat.device(x)


def to_numpy(x):
    """The array ``x`` of any library as a NumPy array, copied to the host
    where it lives on a device (a NumPy array is returned as it is)."""
    if isinstance(x, np.ndarray):
        return x
    if array_api_compat.is_torch_array(x):
        return x.detach().cpu().numpy()
    if array_api_compat.is_cupy_array(x):
        return x.get()
    return np.from_dlpack(x)  # array_api_strict's, and other libraries' on the host


def like(a, array, dtype=None):
    """The NumPy array (or Python values) ``a`` as an array of ``array``'s
    library, on its device, in ``dtype`` (the library's dtype of that name;
    by default ``a``'s): a copy for any library but NumPy."""
    xp = namespace(array)
    if xp is NUMPY:
        return np.asarray(a, dtype=dtype)
    if dtype is not None:
        dtype = getattr(xp, np.dtype(dtype).name)
    return xp.asarray(a, dtype=dtype, device=array_api_compat.device(array))
