"""Whole models: mini-batches ([`random_mini_batches`][barenet.notebook.random_mini_batches]), the
training loop of the notebook's outline ([`L_layer_model`][barenet.notebook.L_layer_model]) and
predictions ([`predict`][barenet.notebook.predict]), built from the functions of the other
modules."""

import array_api_compat
import numpy as np

from .._checks import as_generator, check_int
from ..core.namespace import NUMPY, all_finite, namespace
from ..errors import TrainingDiverged
from ..core import activations as _activations
from ..model.batches import minibatch_indices
from . import checks
from .backward import backward_prop
from .cost_function import cost
from .forward import forward_prop
from .parameters import initialize_parameters
from .update import update_parameters


def random_mini_batches(X, Y, mini_batch_size=64, seed=None):
    """Shuffle the columns of ``(X, Y)`` together and split them into mini-batches.

    Returns a list of ``(X_batch, Y_batch)`` pairs; the last holds the
    ``m % mini_batch_size`` samples left over, when there are any.
    """
    X, Y, mini_batch_size = checks.check_mini_batch_arguments(X, Y, mini_batch_size)
    batches = minibatch_indices(X.shape[1], mini_batch_size, as_generator(seed))
    xp = namespace(X, Y)
    if xp is NUMPY:
        return [(X[:, idx], Y[:, idx]) for idx in batches]
    # the same order, as index arrays of X's library, on its device
    device = array_api_compat.device(X)
    indices = [xp.asarray(idx, device=device) for idx in batches]
    return [(xp.take(X, idx, axis=1), xp.take(Y, idx, axis=1)) for idx in indices]


def predict(X, parameters, layer_activations):
    """Predictions of a trained network: 0/1 labels for a sigmoid output
    (threshold 0.5), class indices for softmax, the outputs otherwise."""
    AL, _ = forward_prop(X, layer_activations, parameters, training=False)
    output = _activations.get(layer_activations[-1]).name
    xp = namespace(AL)
    if output == "sigmoid":
        return (AL > 0.5).astype(int) if xp is NUMPY else xp.astype(AL > 0.5, xp.int64)
    if output == "softmax":
        return AL.argmax(axis=0) if xp is NUMPY else xp.argmax(AL, axis=0)
    return AL


def L_layer_model(X, Y, layer_shape, layer_activations, optimizer=0.0075, num_epochs=3000,
                  mini_batch_size=64, initialization_method="he", seed=None,
                  loss="binary_crossentropy", lambd=0.0, keep_prob=1.0, batch_norm=False,
                  print_cost=False):
    """Train an L-layer network with the notebook's functions; the notebook's outline end to end.

    Arguments:
    X, Y -- training data, (n_0, m) and (n_L, m)
    layer_shape -- [n_0, ..., n_L]
    layer_activations -- one activation per weight layer
    optimizer -- a barenet optimizer or a learning rate for gradient descent
    num_epochs -- passes over the data
    mini_batch_size -- samples per step; m for batch gradient descent
    seed -- randomness for initialization, shuffling and dropout
    lambd, keep_prob, batch_norm -- L2 strength, dropout keep probability,
        batch normalization of the hidden layers

    Returns:
    parameters -- the trained parameters
    costs -- the cost of every step (one mini-batch each), in order
    """
    num_epochs = check_int("num_epochs", num_epochs, minimum=1)
    optimizer = checks.as_optimizer(optimizer, by_name=True)
    # every argument is checked before the first draw and the first step
    sizes, X, Y = checks.check_model_arguments(X, Y, layer_shape, layer_activations, loss,
                                               mini_batch_size, lambd, keep_prob)
    rng = as_generator(seed)
    parameters = initialize_parameters(sizes, initialization_method, rng, batch_norm, like=X)
    costs = []
    # an overflow on the way to divergence is raised below, with what to do
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for epoch in range(1, num_epochs + 1):
            batches = random_mini_batches(X, Y, mini_batch_size, rng)
            for step, (X_batch, Y_batch) in enumerate(batches, 1):
                AL, caches = forward_prop(X_batch, layer_activations, parameters, keep_prob, rng)
                if not all_finite(AL):
                    raise _diverged(epoch, step, optimizer)
                costs.append(cost(AL, Y_batch, loss, parameters, lambd))
                grads = backward_prop(AL, Y_batch, caches, layer_activations, loss, lambd)
                update_parameters(parameters, grads, optimizer)
            if print_cost and (epoch % 100 == 1 or epoch == num_epochs):
                print(f"cost after epoch {epoch - 1}: {costs[-1]:.6f}")
    return parameters, costs


def _diverged(epoch, step, optimizer):
    """The TrainingDiverged of an output AL that is no longer finite."""
    error = TrainingDiverged(
        f"AL became nan or infinite at epoch {epoch}, step {step}: the updates made the "
        f"parameters too large. Try a smaller learning rate (this run's was {optimizer.lr:g})")
    error.what, error.epoch, error.step = "loss", epoch, step
    return error
