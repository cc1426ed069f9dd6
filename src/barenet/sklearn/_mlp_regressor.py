"""The drop-in regressor: [`MLPRegressor`][barenet.sklearn.MLPRegressor].

What is the regressor's own: ``loss`` ('squared_error': a linear output and
barenet's ``'half_squared_error'``; 'poisson': an exp output and
``'half_poisson'``), one output unit per target column, R^2 as the
early-stopping score, and ``predict``. The rest is `BaseMLP`'s.
"""

from sklearn.base import RegressorMixin, _fit_context
from sklearn.metrics import r2_score
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from ..model.placement import to_host
from ._arrays import DispatchedScoreMixin, input_dtype
from ._mlp import FLOATS, BaseMLP, set_parameters

# Each loss: the output activation and barenet's loss.
LOSSES = {"squared_error": ("linear", "half_squared_error"), "poisson": ("exp", "half_poisson")}


class MLPRegressor(DispatchedScoreMixin, RegressorMixin, BaseMLP):
    """scikit-learn's ``MLPRegressor``, trained by barenet: the same
    parameters, fitted attributes and behaviour, on a barenet
    [`Network`][barenet.Network] (``network_``).

    It minimizes half the squared error (averaged over the samples and the
    target columns) or half the Poisson deviance, plus the L2 term
    ``alpha / (2 n) * sum of squared weights`` for a batch of ``n`` samples;
    ``score`` is R^2.

    With scikit-learn's ``array_api_dispatch`` on, it trains and predicts in
    the library and on the device of ``X``, every solver, as
    [`MLPClassifier`][barenet.sklearn.MLPClassifier] does (see there);
    ``score`` is computed where the predictions are.

    Parameters
    ----------
    loss : {'squared_error', 'poisson'}, default 'squared_error'
        Half the squared error with a linear output, or half the Poisson
        deviance with an exponential output (targets >= 0).
    hidden_layer_sizes, activation, solver, alpha, batch_size, learning_rate, \
learning_rate_init, power_t, max_iter, shuffle, random_state, tol, verbose, warm_start, \
momentum, nesterovs_momentum, early_stopping, validation_fraction, beta_1, beta_2, epsilon, \
n_iter_no_change, max_fun, optimizer, schedule, dropout, batch_norm, dtype, callbacks, \
standardize
        As for [`MLPClassifier`][barenet.sklearn.MLPClassifier] (which has
        ``class_weight`` besides); early stopping scores R^2 on a held-out
        fraction that is not stratified.

    Attributes
    ----------
    coefs_, intercepts_ : list of ndarray
        Each layer's weights ``(n_in, n_out)`` and biases ``(n_out,)``: views
        into the network's parameters, of its library and device.
    loss_ : float
        The objective of the last epoch (mean over its batches, L2 included),
        or for 'lbfgs' at the solution: half the squared error, as
        scikit-learn reports it.
    best_loss_, loss_curve_, validation_scores_, best_validation_score_, t_, n_iter_, \
n_layers_, n_outputs_, n_features_in_, feature_names_in_, network_, optimizer_
        As for [`MLPClassifier`][barenet.sklearn.MLPClassifier]; the scores
        are R^2.
    out_activation_ : str
        'identity' or 'exp'.

    Examples
    --------
    >>> import numpy as np
    >>> from barenet.sklearn import MLPRegressor
    >>> X = np.random.default_rng(0).normal(size=(200, 3))
    >>> y = X @ [1.0, -2.0, 0.5]
    >>> reg = MLPRegressor(hidden_layer_sizes=(32,), learning_rate_init=0.01, random_state=0)
    >>> reg.fit(X, y).score(X, y) > 0.95
    True
    """

    _parameter_constraints = {**BaseMLP._parameter_constraints,
                              "loss": [StrOptions(set(LOSSES))]}

    def __init__(self, loss="squared_error", hidden_layer_sizes=(100,), activation="relu", *,
                 solver="adam", alpha=0.0001, batch_size="auto", learning_rate="constant",
                 learning_rate_init=0.001, power_t=0.5, max_iter=200, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10, max_fun=15000,
                 optimizer=None, schedule=None, dropout=0.0, batch_norm=False, dtype=None,
                 callbacks=None, standardize=False):
        set_parameters(self, locals())

    @available_if(lambda est: est._check_solver())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Train one epoch on ``(X, y)``, going on from the fitted network if
        there is one ('sgd', 'adam' or an ``optimizer`` only).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
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
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_targets)
            In the network's dtype, library and device; 1-D for one target
            column.
        """
        check_is_fitted(self)
        return _ravelled(self._forward(X, "predict"))

    # ------------------------------------------------------------- internals

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], multi_output=True,
                             y_numeric=True, dtype=input_dtype(X, FLOATS), reset=reset)
        y = to_host(y)  # encoded with NumPy, from one host copy
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if self.loss == "poisson" and (y < 0).any():
            raise ValueError(
                f"loss='poisson' needs targets >= 0 (counts or rates); y has {y.min():g}")
        return X, y.reshape(len(y), -1)

    def _output_activation(self):
        return LOSSES[self.loss][0]

    def _network_loss(self):
        return LOSSES[self.loss][1]

    def _network_targets(self, net, Y):
        return Y

    def _stratify(self, Y):
        return None

    def _class_weights(self, Y):
        return None

    def _validation_score(self, X, Y, sample_weight):
        P = self._validation_outputs(X)
        if P is None:
            return float("nan")
        return float(r2_score(_ravelled(Y), _ravelled(P), sample_weight=sample_weight))


def _ravelled(A):
    """``A`` of shape (n, k), 1-D when ``k`` is 1."""
    return A[:, 0] if A.shape[1] == 1 else A
