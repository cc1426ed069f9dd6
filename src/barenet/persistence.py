"""Saving and loading networks: [`barenet.io.persistence`][barenet.io.persistence], under the name
barenet has always given it."""

from .io.persistence import FORMAT, FORMAT_VERSION, FORMAT_VERSIONS, ModelFileError, load, save

__all__ = ["save", "load", "ModelFileError", "FORMAT", "FORMAT_VERSIONS", "FORMAT_VERSION"]
