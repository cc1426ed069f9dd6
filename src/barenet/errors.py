"""barenet's own exceptions, each a subclass of the built-in one it refines."""


class NotFittedError(ValueError, AttributeError):
    """A model was asked for something that needs ``fit`` to have run first."""


class TrainingDiverged(FloatingPointError):
    """The loss became nan or infinite during training."""
