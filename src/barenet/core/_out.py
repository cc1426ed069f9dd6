"""The ``out`` argument of the core's functions."""


def into(value, out):
    """``value``, or when ``out`` is given, ``out`` holding it (``out[...] =
    value``): the core computes every result as a new array; ``out`` only
    says where the caller wants it (the fast layer, [`barenet.fast`][barenet.fast],
    computes in place instead)."""
    if out is None:
        return value
    out[...] = value
    return out
