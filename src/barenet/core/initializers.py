r"""Initializations: a layer's first weights (and biases), drawn from a Generator.

==============  ==============================================  ==============================
name            W[l]                                            meant for
==============  ==============================================  ==============================
random          standard normal times 0.01                      the notebook's first attempt
xavier          standard normal times sqrt(1 / n_prev)          tanh and sigmoid layers
he              standard normal times sqrt(2 / n_prev)          ReLU layers
glorot_uniform  uniform in [-bound, bound], and b as well       scikit-learn's MLP
                (`GlorotUniform`)
==============  ==============================================  ==============================

An initialization is one of two things:

- a *scale function* ``scale(n_out, n_in)`` (the first three, or any callable):
  the weights are standard normal draws times the scale, the biases zero;
- an [`Initializer`][barenet.core.initializers.Initializer] object, which draws
  both: ``weights(n_out, n_in, rng)`` and ``biases(n_out, n_in, rng)``, layer by
  layer, the weights first (`GlorotUniform`).

The draws come from the ``numpy.random.Generator`` passed in, always in
float64, and are then cast: the same seed gives the same weights in float32
and float64, up to rounding.
"""

import numpy as np

from .._checks import check_positive
from ._settings import Settings


def random(n_out, n_in):
    """Scale of the notebook's 'random' initialization: a fixed 0.01."""
    return 0.01


def xavier(n_out, n_in):
    """Scale of Xavier initialization as the notebook states it: sqrt(1 / n_in)."""
    return np.sqrt(1.0 / n_in)


def he(n_out, n_in):
    """Scale of He initialization: sqrt(2 / n_in)."""
    return np.sqrt(2.0 / n_in)


class Initializer(Settings):
    """Base class: an initialization that draws a layer's weights and its
    biases itself, from the Generator ``rng``, in float64."""

    def weights(self, n_out, n_in, rng):
        """The weights of a layer of ``n_in`` inputs and ``n_out`` units, shape
        ``(n_out, n_in)``."""
        raise NotImplementedError

    def biases(self, n_out, n_in, rng):
        """The layer's biases, shape ``(n_out, 1)``: zeros unless a subclass
        draws them (drawn after the layer's weights)."""
        return np.zeros((n_out, 1))


class GlorotUniform(Initializer):
    r"""Glorot's uniform initialization, as scikit-learn's MLP draws it: ``W``
    and ``b`` both uniform in $[-\beta, \beta]$ with

    $$
    \beta = \sqrt{\frac{\text{factor}}{n_{in} + n_{out}}}
    $$

    ``factor`` is 6 (the registered ``'glorot_uniform'``), and 2 for logistic
    (sigmoid) hidden layers, as scikit-learn takes it. Each layer draws its
    weights in scikit-learn's layout, ``(n_in, n_out)``, then transposed, and
    then its biases: scikit-learn's order of draws.
    """

    name = "glorot_uniform"

    def __init__(self, factor=6.0):
        self.factor = check_positive("factor", factor)

    def bound(self, n_out, n_in):
        """$\\beta$ for a layer of ``n_in`` inputs and ``n_out`` units."""
        return np.sqrt(self.factor / (n_in + n_out))

    def weights(self, n_out, n_in, rng):
        bound = self.bound(n_out, n_in)
        return rng.uniform(-bound, bound, (n_in, n_out)).T

    def biases(self, n_out, n_in, rng):
        bound = self.bound(n_out, n_in)
        return rng.uniform(-bound, bound, n_out).reshape(n_out, 1)


REGISTRY = {"random": random, "xavier": xavier, "he": he, "glorot_uniform": GlorotUniform()}
"""The initializations by name: ``'random'``, ``'xavier'`` and ``'he'``, each mapped to its
scale function, and ``'glorot_uniform'`` to a `GlorotUniform` of factor 6."""


def get(init):
    """Return the initialization for a name in [`REGISTRY`][barenet.core.initializers.REGISTRY],
    or an [`Initializer`][barenet.core.initializers.Initializer] or a callable as is.

    A callable ``scale(n_out, n_in)`` returns the factor applied to standard
    normal draws.
    """
    if isinstance(init, str) and init in REGISTRY:
        return REGISTRY[init]
    if isinstance(init, Initializer) or (callable(init) and not isinstance(init, str)):
        return init
    raise ValueError(
        f"unknown initialization {init!r}; valid names are: {', '.join(REGISTRY)}"
    )


def initialize(weights, biases, init, rng):
    """Fill ``weights`` and ``biases`` (lists of arrays, written in place).

    ``weights[l]`` has shape ``(n_out, n_in)``; each layer is drawn from
    ``rng`` in turn (an Initializer's weights, then its biases), so the order
    of layers fixes the result.
    """
    init = get(init)
    drawn = isinstance(init, Initializer)
    for W, b in zip(weights, biases):
        n_out, n_in = W.shape
        if drawn:
            W[...] = init.weights(n_out, n_in, rng)
            b[...] = init.biases(n_out, n_in, rng)
        else:
            W[...] = rng.standard_normal((n_out, n_in)) * init(n_out, n_in)
            b[...] = 0
