"""The scikit-learn regressor: [`BarenetRegressor`][barenet.sklearn.BarenetRegressor].

What is the regressor's own: a linear output layer, one unit per target
column, trained on the mean squared error, and ``predict``. Its parameters are
exactly those of `BaseBarenetEstimator`, whose
``__init__`` it takes as it is; the rest is the base's too.
"""

from sklearn.base import RegressorMixin

from ._arrays import as_float64, dispatching, r2
from ._base import BaseBarenetEstimator


class BarenetRegressor(RegressorMixin, BaseBarenetEstimator):
    """A barenet network as a scikit-learn regressor.

    The output layer is linear, one unit per target column, trained on the
    mean squared error; ``score`` is R^2.

    Parameters
    ----------
    hidden_layer_sizes, activation, init, optimizer, learning_rate, beta, beta1, beta2, eps, \
weight_decay, nesterov, clipnorm, alpha, dropout, batch_norm, schedule, max_iter, batch_size, \
shuffle, early_stopping, validation_fraction, n_iter_no_change, tol, random_state, \
warm_start, verbose, dtype, transform_layer, standardize
        As for [`BarenetClassifier`][barenet.sklearn.BarenetClassifier] (which has ``class_weight``
        besides).

    Attributes
    ----------
    network_ : barenet.Network
        The trained network. ``save(path)`` writes it in barenet's format.
    optimizer_ : barenet Optimizer
        Its optimizer, with its state (what ``warm_start`` and
        ``partial_fit`` carry on with).
    history_ : dict of lists
        Per-epoch figures of every epoch trained, over all calls: 'loss' (the
        training objective, L2 included) and 'mae' on the training
        batches; with early stopping 'val_loss' and 'val_mae' on the
        held-out fraction; with a schedule 'lr'.
    n_iter_ : int
        Epochs trained, over all calls (``len(history_['loss'])``).
    best_epoch_ : int or None
        With ``early_stopping``, the epoch (of the last ``fit``) whose weights were kept.
    n_outputs_ : int
        Units of the output layer.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` had feature names (a DataFrame).

    Examples
    --------
    >>> import numpy as np
    >>> from barenet.sklearn import BarenetRegressor
    >>> X = np.random.default_rng(0).normal(size=(200, 3))
    >>> y = X @ [1.0, -2.0, 0.5]
    >>> reg = BarenetRegressor((32,), learning_rate=0.01, max_iter=100, random_state=0)
    >>> reg.fit(X, y).score(X, y) > 0.95
    True
    """

    _y_checks = {"multi_output": True, "y_numeric": True}

    def partial_fit(self, X, y, sample_weight=None):
        """Train one epoch on ``(X, y)``, going on from the fitted network if
        there is one.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X):
        """Predicted targets.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        array of shape (n_samples,) or (n_samples, n_targets), float64
            1-D when the network has one output. An array of the library and
            device the estimator was fitted on (NumPy's, without
            ``array_api_dispatch``).
        """
        X = self._validated(X, "predict")
        return as_float64(self.network_.predict(X))

    def score(self, X, y, sample_weight=None):
        """The coefficient of determination R^2 of ``predict(X)`` against
        ``y`` (weighted by ``sample_weight``), as a Python float.

        With ``array_api_dispatch`` on, it is computed where the predictions
        are, ``y`` and the weights moved there first when they are elsewhere
        (NumPy data, lists).
        """
        if not dispatching():
            return super().score(X, y, sample_weight)
        return r2(y, self.predict(X), sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    # ------------------------------------------------------------- internals

    def _output_activation(self, n_outputs):
        return "linear"

    def _targets(self, y, first, classes, fit):
        n_outputs = 1 if y.ndim == 1 else y.shape[1]
        if not first and n_outputs != self.n_outputs_:
            raise ValueError(
                f"y has {n_outputs} target columns but the fitted network has "
                f"{self.n_outputs_} outputs"
            )
        return y, None, n_outputs
