"""barenet's files: networks saved as arrays plus JSON, never pickle
([`barenet.io.persistence`][barenet.io.persistence]), their export to ONNX
([`barenet.io.onnx`][barenet.io.onnx]), and writing and reading files safely (`barenet.io.files`).

[`barenet.persistence`][barenet.io.persistence] and [`barenet.onnx`][barenet.io.onnx] are the public
names of the first two, as they have always been; [`barenet.load`][barenet.load] and
[`barenet.Network.save`][barenet.Network.save] use
[`barenet.io.persistence`][barenet.io.persistence].

The package imports `barenet.network` (a model file builds a Network);
the network imports nothing of it at module level (``Network.save`` imports
[`save`][barenet.io.persistence.save] when called).
"""

from .persistence import FORMAT, FORMAT_VERSION, FORMAT_VERSIONS, ModelFileError, load, save

__all__ = ["save", "load", "ModelFileError", "FORMAT", "FORMAT_VERSIONS", "FORMAT_VERSION"]
