"""L2 regularization and dropout: [`barenet.core.regularization`][barenet.core.regularization],
under the name barenet has always given them."""

from .core.regularization import add_l2_gradient, dropout_mask, l2_penalty

__all__ = ["l2_penalty", "add_l2_gradient", "dropout_mask"]
