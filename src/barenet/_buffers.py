"""One flat vector seen as a list of arrays."""

import math

import numpy as np


def flat_views(buffer, shapes):
    """Consecutive views of the 1-D ``buffer`` with the given shapes (no
    copies), for a NumPy array or an array of any library whose slices and
    reshapes are views (PyTorch, CuPy, array_api_strict)."""
    if isinstance(buffer, np.ndarray):
        reshape = np.ndarray.reshape
    else:
        from .core.namespace import namespace

        reshape = namespace(buffer).reshape
    views, start = [], 0
    for shape in shapes:
        size = math.prod(shape)
        views.append(reshape(buffer[start : start + size], shape))
        start += size
    return views
