"""Weight initializations: [`barenet.core.initializers`][barenet.core.initializers], under the name
barenet has always given them."""

from .core.initializers import REGISTRY, get, he, initialize, random, xavier

__all__ = ["random", "xavier", "he", "REGISTRY", "get", "initialize"]
