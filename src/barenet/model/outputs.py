"""What a network gives back is finite, or an error says why.

Inputs are checked finite where they enter, but finite inputs can still
overflow a network's arithmetic: values near float32's largest (3.4e38), or
only large enough that a layer's products pass it. NumPy would then give
inf or nan outputs with a RuntimeWarning, labels from nan probabilities and
a nan loss; `finite_outputs` and `finite_scores` raise a ValueError naming
``X`` instead.
"""

import math

import numpy as np

from ..core.namespace import namespace
from .placement import to_host


def _overflow(dtype):
    name = getattr(dtype, "name", None) or str(dtype).rsplit(".", 1)[-1]  # torch.float32 too
    return (f"the network's {name} arithmetic overflowed; give inputs of "
            "smaller magnitude (standardize them) or use a float64 network")


def finite_outputs(A):
    """``A``, a network's outputs of shape ``(n_samples, n_L)``, if every value
    is finite; else a ValueError naming the rows of ``X`` that overflowed."""
    xp = namespace(A)
    bad = ~xp.all(xp.isfinite(A), axis=1)
    if not bool(xp.any(bad)):
        return A
    rows = np.flatnonzero(to_host(bad))
    raise ValueError(f"X: the outputs are not finite for {rows.size} of its {A.shape[0]} rows "
                     f"(the first is row {rows[0]}): {_overflow(A.dtype)}")


def finite_scores(figures, dtype):
    """``figures`` (``{'loss': ..., metric: ...}``) if the loss is finite; else
    a ValueError naming ``X`` and ``y``."""
    if not math.isfinite(figures["loss"]):
        raise ValueError(f"X, y: the loss is {figures['loss']}: {_overflow(dtype)}")
    return figures
