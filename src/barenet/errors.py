"""barenet's own exceptions, each a subclass of the built-in one it refines."""


class NotFittedError(ValueError, AttributeError):
    """A model was asked for something that needs ``fit`` to have run first."""


class TrainingDiverged(FloatingPointError):
    """The loss, the gradient or an update became nan or infinite during training.

    ``what`` names which (``'loss'``, ``'gradient'``, ``'update'``). Raised by
    the training loop ([`Trainer`][barenet.model.trainer.Trainer]), it also holds
    ``epoch`` and ``step`` (counted from 1; ``step`` is None when the epoch's
    loss as a whole was not finite) and ``restored_epoch``: the model's
    parameters are those of the start of that epoch, or None when a callback
    changed them as training ended. Raised by an optimizer's ``step``, these
    three are None.
    """

    what = epoch = step = restored_epoch = None
