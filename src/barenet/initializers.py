"""Weight initializations: [`barenet.core.initializers`][barenet.core.initializers], under the name
barenet has always given them."""

from .core.initializers import (
    REGISTRY,
    GlorotUniform,
    Initializer,
    get,
    he,
    initialize,
    random,
    xavier,
)

__all__ = ["random", "xavier", "he", "Initializer", "GlorotUniform", "REGISTRY", "get",
           "initialize"]
