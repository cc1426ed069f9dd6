"""barenet's files: networks saved as arrays plus JSON, never pickle
(:mod:`barenet.io.persistence`), their export to ONNX (:mod:`barenet.io.onnx`),
and writing and reading files safely (:mod:`barenet.io.files`).

:mod:`barenet.persistence` and :mod:`barenet.onnx` are the public names of
the first two, as they have always been; :func:`barenet.load` and
:meth:`barenet.Network.save` use :mod:`barenet.io.persistence`.

The package imports :mod:`barenet.network` (a model file builds a Network);
the network imports nothing of it at module level (``Network.save`` imports
:func:`~barenet.io.persistence.save` when called).
"""

from .persistence import FORMAT, FORMAT_VERSION, FORMAT_VERSIONS, ModelFileError, load, save

__all__ = ["save", "load", "ModelFileError", "FORMAT", "FORMAT_VERSIONS", "FORMAT_VERSION"]
