"""One flat vector seen as a list of arrays."""

import numpy as np


def flat_views(buffer, shapes):
    """Consecutive views of the 1-D ``buffer`` with the given shapes (no copies)."""
    views, start = [], 0
    for shape in shapes:
        size = int(np.prod(shape))
        views.append(buffer[start : start + size].reshape(shape))
        start += size
    return views
