"""The linear step: [`barenet.core.linear`][barenet.core.linear], under the name barenet has
always given it."""

from .core.linear import linear_backward, linear_forward

__all__ = ["linear_forward", "linear_backward"]
