"""Weight initializations: standard normal draws times a scale.

=========  ===========================  ==============================
name       scale of W[l]                meant for
=========  ===========================  ==============================
random     0.01                         the notebook's first attempt
xavier     sqrt(1 / n_prev)             tanh and sigmoid layers
he         sqrt(2 / n_prev)             ReLU layers
=========  ===========================  ==============================

Biases start at zero. The draws come from the ``numpy.random.Generator``
passed in, always in float64, and are then cast: the same seed gives the same
weights in float32 and float64, up to rounding.
"""

import numpy as np


def random(n_out, n_in):
    """Scale of the notebook's 'random' initialization: a fixed 0.01."""
    return 0.01


def xavier(n_out, n_in):
    """Scale of Xavier initialization as the notebook states it: sqrt(1 / n_in)."""
    return np.sqrt(1.0 / n_in)


def he(n_out, n_in):
    """Scale of He initialization: sqrt(2 / n_in)."""
    return np.sqrt(2.0 / n_in)


REGISTRY = {f.__name__: f for f in (random, xavier, he)}
"""The weight initializations by name: ``'random'``, ``'xavier'`` and ``'he'``, each mapped
to its scale function."""


def get(init):
    """Return the scale function for a name in [`REGISTRY`][barenet.core.initializers.REGISTRY], or
    a callable as is.

    A callable ``scale(n_out, n_in)`` returns the factor applied to standard
    normal draws.
    """
    if isinstance(init, str) and init in REGISTRY:
        return REGISTRY[init]
    if callable(init) and not isinstance(init, str):
        return init
    raise ValueError(
        f"unknown initialization {init!r}; valid names are: {', '.join(REGISTRY)}"
    )


def initialize(weights, biases, init, rng):
    """Fill ``weights`` and ``biases`` (lists of arrays, written in place).

    ``weights[l]`` has shape ``(n_out, n_in)``; each is drawn from ``rng`` in
    turn, so the order of layers fixes the result.
    """
    scale = get(init)
    for W, b in zip(weights, biases):
        n_out, n_in = W.shape
        W[...] = rng.standard_normal((n_out, n_in)) * scale(n_out, n_in)
        b[...] = 0
