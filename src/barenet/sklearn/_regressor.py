"""The scikit-learn regressor: [`BarenetRegressor`][barenet.sklearn.BarenetRegressor].

What is the regressor's own: a linear output layer, one unit per target
column, trained on the mean squared error, and ``predict``. Its parameters are
exactly those of `BaseBarenetEstimator`, whose
``__init__`` it takes as it is; the rest is the base's too.
"""

from sklearn.base import RegressorMixin

from ._arrays import DispatchedScoreMixin, as_float64
from ._base import BaseBarenetEstimator


class BarenetRegressor(DispatchedScoreMixin, RegressorMixin, BaseBarenetEstimator):
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
    history_ : dict of lists
        Per-epoch figures of every epoch trained, over all calls: 'loss' (the
        training objective, L2 included) and 'mae' on the training
        batches; with early stopping 'val_loss' and 'val_mae' on the
        held-out fraction; with a schedule 'lr'.
    network_, optimizer_, n_iter_, best_epoch_, n_outputs_, n_features_in_, feature_names_in_
        As for [`BarenetClassifier`][barenet.sklearn.BarenetClassifier].

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
