"""Mini-batches, the training loop and its History: [`barenet.model.batches`][barenet.model.batches]
and [`barenet.model.trainer`][barenet.model.trainer], under the name barenet has always given them."""

from .model.batches import SHUFFLE_COPY_BYTES, minibatch_indices
from .model.trainer import History, Run, Trainer

__all__ = ["History", "minibatch_indices", "Run", "Trainer", "SHUFFLE_COPY_BYTES"]
