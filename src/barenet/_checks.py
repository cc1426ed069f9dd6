"""Argument checks shared by every entry point.

Each check names the argument it looks at, says what was expected, and raises
``TypeError`` for a value of the wrong kind or ``ValueError`` for a value out
of range, before any work is done.
"""

import math
import numbers

import numpy as np

from .core.namespace import NUMPY, namespace


def check_real(name, value):
    """Return ``value`` as a float if it is a finite real number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    try:
        value = float(value)
    except OverflowError:  # an int beyond the float range
        raise ValueError(f"{name} must be finite, got an integer of {len(str(value))} digits") \
            from None
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return value


def check_positive(name, value):
    """Return ``value`` as a float if it is a finite number > 0."""
    value = check_real(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return value


def check_nonnegative(name, value):
    """Return ``value`` as a float if it is a finite number >= 0."""
    value = check_real(name, value)
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return value


def check_fraction(name, value):
    """Return ``value`` as a float if it lies in [0, 1)."""
    value = check_real(name, value)
    if not 0 <= value < 1:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return value


def check_int(name, value, minimum=None):
    """Return ``value`` as an int if it is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def check_float_dtype(name, dtype):
    """Return ``dtype`` as a NumPy dtype if it is float32 or float64."""
    try:
        dtype = np.dtype(dtype)
    except (TypeError, ValueError, SyntaxError):
        raise TypeError(f"{name} must be 'float32' or 'float64', got {dtype!r}") from None
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"{name} must be 'float32' or 'float64', got {dtype.name!r}")
    return dtype


def check_bool(name, value):
    """Return ``value`` as a bool if it is one (Python or NumPy)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def _all_finite(A):
    """Whether every value of the float array ``A`` is finite, without a
    boolean copy of it: its sum of squares (one multithreaded BLAS pass) is
    finite when they are, unless it overflows; then min and max, which
    propagate NaN and show infinities, decide."""
    if A.flags.c_contiguous or A.flags.f_contiguous:
        flat = A.ravel(order="K")  # a view
        if math.isfinite(np.vdot(flat, flat)):
            return True
    return bool(np.isfinite(A.min()) and np.isfinite(A.max()))


def check_array(name, X, ndim=None, dtype=None, any_library=False):
    """Return ``X`` as a finite, non-empty numeric array, cast to ``dtype`` when
    given, with ``ndim`` dimensions when given.

    Rejects empty and ragged input, strings and objects, NaN and inf. With
    ``any_library``, an array of another library than NumPy (a torch tensor,
    a CuPy array) is checked and returned as an array of that library, on its
    device; otherwise everything becomes a NumPy array.
    """
    if any_library and type(X) is not np.ndarray:
        xp = namespace(X)
        if xp is not NUMPY:
            return _check_library_array(name, X, ndim, dtype, xp)
    try:
        X = np.asarray(X)
    except ValueError:
        raise ValueError(f"{name} is ragged: its rows have different lengths") from None
    if X.dtype == object or X.dtype.kind in "USV":
        raise TypeError(f"{name} must hold numbers, got an array of dtype {X.dtype}")
    if ndim is not None and X.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got an array of shape {X.shape}")
    if X.size == 0:
        raise ValueError(f"{name} is empty (shape {X.shape})")
    if X.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {X.dtype}")
    cast = X
    if dtype is not None:
        with np.errstate(over="ignore"):  # values too large for dtype are reported below
            cast = X.astype(dtype, copy=False)
    if cast.dtype.kind == "f" and not _all_finite(cast):
        if cast is not X and X.dtype.kind == "f" and _all_finite(X):
            raise ValueError(
                f"{name} holds values as large as {float(np.abs(X).max()):g}, beyond the range "
                f"of {cast.dtype.name} (about {float(np.finfo(cast.dtype).max):.3g}); scale "
                "the inputs, or use float64"
            )
        raise ValueError(f"{name} contains NaN or infinity")
    return cast


def _check_library_array(name, X, ndim, dtype, xp):
    """[`check_array`][barenet._checks.check_array] for an array of the
    namespace ``xp`` (not NumPy), with the standard's functions."""
    if not xp.isdtype(X.dtype, ("bool", "integral", "real floating")):
        raise TypeError(f"{name} must hold real numbers, got an array of dtype {X.dtype}")
    if ndim is not None and X.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got an array of shape {tuple(X.shape)}")
    if math.prod(X.shape) == 0:
        raise ValueError(f"{name} is empty (shape {tuple(X.shape)})")
    if dtype is not None:
        X = xp.astype(X, getattr(xp, np.dtype(dtype).name), copy=False)
    if xp.isdtype(X.dtype, "real floating") and not bool(xp.all(xp.isfinite(X))):
        raise ValueError(f"{name} contains NaN or infinity")
    return X


def check_matrix(name, X, dtype=None, any_library=False):
    """Return ``X`` as a finite 2-D numeric array, cast to ``dtype`` when given.

    Rejects empty, ragged, 1-D or 3-D input, strings and objects, NaN and inf.
    """
    return check_array(name, X, ndim=2, dtype=dtype, any_library=any_library)


def check_bounds(name, X, low, high, what, hint=""):
    """Check that every value of the numeric array ``X`` lies in ``[low, high]``;
    ``what`` says what the values are, ``hint`` ends the message."""
    if type(X) is np.ndarray:
        lowest, highest = X.min(), X.max()
    else:
        xp = namespace(X)
        lowest, highest = float(xp.min(X)), float(xp.max(X))
    if lowest < low or highest > high:
        raise ValueError(
            f"{name} must hold {what} in [{low:g}, {high:g}], got values from "
            f"{lowest:g} to {highest:g}{hint}"
        )
    return X


def as_generator(seed):
    """Return a ``numpy.random.Generator`` for ``seed``.

    ``seed`` may be None (fresh entropy), an integer, or a Generator, which is
    used as it is. Global NumPy random state is never touched.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng()
    seed = check_int("seed", seed, minimum=0)
    return np.random.default_rng(seed)


def from_registry(kind, registry, value, base):
    """``value`` itself if it is a ``base`` instance, else a new object of the
    class ``registry`` has under the name ``value``; an unknown name raises
    ValueError listing the valid ones."""
    if isinstance(value, base):
        return value
    if isinstance(value, str) and value in registry:
        return registry[value]()
    if isinstance(value, type) and issubclass(value, base):
        raise TypeError(f"{kind} {value.__name__} is a class: give an object of it, "
                        f"{value.__name__}(), or a name ({', '.join(registry)})")
    raise ValueError(f"unknown {kind} {value!r}; valid names are: {', '.join(registry)}")
