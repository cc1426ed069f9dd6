"""Mini-batches, the training loop and its History.

The loop is written once and drives any model that offers
``_step_value_and_grad(X_T, Y_T)`` (forward, loss and backward on one batch,
filling the model's gradient buffer) and the flat ``parameters`` and
``_grad`` vectors; :class:`barenet.Network` is that model.
"""

import numpy as np

from ._checks import check_int
from .errors import TrainingDiverged


def minibatch_indices(m, batch_size, rng, shuffle=True):
    """Split ``range(m)`` into batches of ``batch_size`` sample indices.

    The order is a permutation drawn from ``rng`` (a ``numpy.random.Generator``)
    when ``shuffle`` is true. The last batch keeps the ``m % batch_size``
    samples left over, so every sample is used once per epoch.
    ``batch_size=m`` is batch gradient descent, ``1`` stochastic gradient descent.
    """
    m = check_int("m", m, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    order = rng.permutation(m) if shuffle else np.arange(m)
    return [order[k : k + batch_size] for k in range(0, m, batch_size)]


class History(dict):
    """Per-epoch figures of a training run: a dict of lists.

    Keys are ``'loss'`` and the metric (``'accuracy'`` for classifiers,
    ``'mae'`` for regression), and ``'val_loss'``, ``'val_<metric>'`` when
    validation data were given. Training figures are the sample-weighted means
    over the epoch's mini-batches, taken as the batches go (as Keras reports
    them); validation figures are computed after the epoch's last step.
    """

    @property
    def epochs(self):
        """Number of epochs recorded."""
        return len(self.get("loss", ()))

    def append(self, **figures):
        for key, value in figures.items():
            self.setdefault(key, []).append(float(value))


def run_epochs(model, X, Y, optimizer, epochs, batch_size, rng, shuffle, history,
               validation=None):
    """Train ``model`` in place for ``epochs`` passes over ``(X, Y)``.

    ``X`` has shape ``(m, n_features)`` and ``Y`` the encoded targets
    ``(m, n_outputs)``, both in the model's dtype; each batch is gathered with
    one fancy index and handed to the model transposed (a view).
    ``validation``, when given, is an ``(X_val, Y_val)`` pair in the same form,
    scored by ``model._scores`` after each epoch.
    A non-finite batch loss or gradient stops training before the parameters
    are updated with it, raising :class:`TrainingDiverged`.
    """
    m = X.shape[0]
    metric = model._metric_name
    # Overflow is expected on the way to divergence; it is caught below, with
    # a message that says what to do, instead of as a stream of warnings.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for epoch in range(1, epochs + 1):
            total_loss = total_metric = 0.0
            batches = minibatch_indices(m, batch_size, rng, shuffle)
            for step, idx in enumerate(batches, 1):
                Xb, Yb = X[idx], Y[idx]
                loss, AL = model._step_value_and_grad(Xb.T, Yb.T)
                grad = model._grad
                if not (np.isfinite(loss) and np.isfinite(grad.sum())):
                    what = "loss" if not np.isfinite(loss) else "gradient"
                    raise TrainingDiverged(
                        f"the {what} became nan or infinite at epoch {epoch}, step {step}; "
                        "the parameters keep their values from before that step. Try a "
                        "smaller learning rate, or scale the inputs (e.g. to zero mean "
                        "and unit variance)"
                    )
                optimizer.step([model.parameters], [grad])
                total_loss += loss * len(idx)
                total_metric += model._metric(AL, Yb.T) * len(idx)
            figures = {"loss": total_loss / m, metric: total_metric / m}
            if validation is not None:
                scores = model._scores(*validation)
                figures["val_loss"] = scores["loss"]
                figures["val_" + metric] = scores[metric]
            history.append(**figures)
    return history
