"""Values made of their settings: activations, initializers and losses."""


class Settings:
    """Base class of objects that are values: two are equal (and hash alike)
    when they are of the same class with the same constructor settings,
    ``vars(self)``; ``repr`` writes the call that makes them, e.g.
    ``LeakyReLU(slope=0.01)`` or ``ReLU()``. So ``ReLU() == ReLU()``, and a
    network compares and saves its blocks by what they compute, not by
    identity."""

    def __repr__(self):
        settings = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({settings})"

    def __eq__(self, other):
        return type(self) is type(other) and vars(self) == vars(other)

    def __hash__(self):
        return hash((type(self), tuple(sorted(vars(self).items()))))
