"""Batch normalization: [`barenet.core.normalization`][barenet.core.normalization], under the name
barenet has always given it."""

from .core.normalization import (
    BatchNormCache,
    batchnorm_backward,
    batchnorm_forward,
    batchnorm_inference,
    update_running_stats,
)

__all__ = ["BatchNormCache", "batchnorm_forward", "batchnorm_backward", "batchnorm_inference",
           "update_running_stats"]
