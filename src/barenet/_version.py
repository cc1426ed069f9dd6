"""The version of barenet (the one pyproject.toml gives)."""

__version__ = "0.1.0"
