"""``Network``: [`barenet.model.network`][barenet.model.network], under the name barenet has
always given it."""

from .model.network import Network
from .model.parameters import PARAMETER_LAYOUT

__all__ = ["Network", "PARAMETER_LAYOUT"]
