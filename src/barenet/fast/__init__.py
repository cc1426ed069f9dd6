"""The fast layer: ways of running barenet's core faster on NumPy arrays.

The core ([`barenet.optim`][barenet.optim], and the formulas it holds) writes each
formula once, as plain code. This package runs the same operations, in the
same order and so with the same numbers bit for bit, without allocating:
in-place passes into arrays it owns, 0-d operands, and loops compiled with
numba where it is installed (`barenet.fast.kernels`). The core never
imports it; it plugs itself in through the core's registries
([`barenet.optim.RUNNERS`][barenet.optim.RUNNERS]) when barenet is imported.
"""

from . import optim  # noqa: F401  (registers the optimizers' runners)
