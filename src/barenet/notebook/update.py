"""The update: one optimizer step over the trained parameters, by the rules of
[`barenet.optim`][barenet.optim] (plain gradient descent ``W := W - lr * dW`` for a
learning rate)."""

from . import checks


def update_parameters(parameters, grads, optimizer):
    """Update ``parameters`` in place with ``grads`` and return them.

    Arguments:
    parameters -- dict W1, b1, ..., WL, bL (and gamma{l}, beta{l}, which are
        trained; the running statistics are not)
    grads -- dict with dW1, db1, ..., dWL, dbL (as from backward_prop)
    optimizer -- a barenet optimizer (GD, Momentum, RMSProp, Adam), whose state
        carries from one call to the next; or a positive number, the learning
        rate of plain gradient descent ``W := W - lr * dW``
    """
    L = checks.n_layers(parameters)
    optimizer = checks.as_optimizer(optimizer)
    keys = checks.trainable_keys(parameters, L)
    checks.check_grads(grads, parameters, keys)
    optimizer.step([parameters[k] for k in keys], [grads[f"d{k}"] for k in keys])
    return parameters
