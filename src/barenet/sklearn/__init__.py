"""scikit-learn estimators, two pairs of them, each wrapping a
[`barenet.Network`][barenet.Network]:

- [`MLPClassifier`][barenet.sklearn.MLPClassifier] and
  [`MLPRegressor`][barenet.sklearn.MLPRegressor], drop-ins for scikit-learn's
  own: the same parameters (with the same names, defaults and meaning), the
  same fitted attributes (``coefs_``, ``intercepts_``, ``loss_curve_``,
  ``validation_scores_``, ...) and the same behaviour (solvers, stopping
  rules, warnings, ``partial_fit``), plus barenet's extras under their own
  names: ``from barenet.sklearn import MLPClassifier`` in place of
  ``from sklearn.neural_network import MLPClassifier``;
- [`BarenetClassifier`][barenet.sklearn.BarenetClassifier] and
  [`BarenetRegressor`][barenet.sklearn.BarenetRegressor], with barenet's own
  names for its settings (an optimizer by name, ``learning_rate`` a number,
  ``init``, ``transform``), which the rest of this docstring describes.

Each wraps a [`barenet.Network`][barenet.Network] behind scikit-learn's estimator API, so
that it works in ``Pipeline``, ``GridSearchCV``, ``cross_val_score`` and with
joblib (and joblib's Dask backend):

    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from barenet.sklearn import BarenetClassifier

    model = make_pipeline(StandardScaler(), BarenetClassifier((64,), max_iter=50))
    search = GridSearchCV(model, {"barenetclassifier__alpha": [1e-4, 1e-2]}, n_jobs=2)

Every setting of barenet is a constructor parameter: the architecture
(``hidden_layer_sizes``, ``activation``, ``init``, ``dropout``,
``batch_norm``), the optimizer (``optimizer`` and ``learning_rate``, ``beta``,
``beta1``, ``beta2``, ``eps``, ``weight_decay``, ``nesterov``, ``clipnorm``),
L2 (``alpha``, barenet's ``l2``), the schedule, the epochs (``max_iter``), the
batch size, early stopping, class weights, the random state, the dtype and the
standardization of the inputs (``standardize``).
Arguments are checked by ``fit``, with messages naming the parameter.

The fitted [`Network`][barenet.Network] is ``network_``; ``save(path)`` writes it
in barenet's own file format (arrays and JSON, read back by
[`barenet.load`][barenet.load]), the recommended way to keep a model. The estimators
also pickle (joblib needs that): a pickle holds the network in that same format.

The estimators follow scikit-learn's Array API conventions (the
``array_api_support`` tag): with ``sklearn.set_config(array_api_dispatch=True)``,
``fit`` on torch tensors, CuPy arrays or ``array_api_strict`` arrays trains
the network on their library and device, where the fitted arrays stay and
whose arrays every method takes and returns; without dispatch, inputs are
converted to NumPy. See the guide's page on other array libraries.

The ``Barenet*`` names do not shadow scikit-learn's own estimators, so
``from barenet.sklearn import BarenetClassifier`` sits beside
``from sklearn.neural_network import MLPClassifier``; the ``MLP*`` ones are
meant to replace them.
"""

# The package's modules, each a piece of the estimators:
#   _base        BaseBarenetEstimator: the shared parameters (its __init__), training
#                (fit, partial_fit, warm_start, early stopping, sample and class
#                weights), transform, save, tags, pickling; the interface a subclass
#                provides is in its docstring
#   _classifier  BarenetClassifier: labels, class_weight, predict_proba
#   _regressor   BarenetRegressor: targets, predict
#   _params      the parameters' checks, run when fit starts
#   _build       the Network and the optimizer made from the parameters
#   _arrays      scikit-learn's Array API conventions: where inputs are computed
#                and fitted arrays kept, with array_api_dispatch on or off
#   _mlp         BaseMLP, the drop-ins' base: fit, the first network, stochastic
#                training and L-BFGS, coefs_ and intercepts_
#   _mlp_classifier, _mlp_regressor   MLPClassifier, MLPRegressor
#   _mlp_params  their parameters' constraints and the checks of barenet's extras
#   _mlp_solver  scikit-learn's 'sgd' and 'adam' as barenet optimizers; the rate
#                and the stopping decision (the estimators' _optimizer)
#   _mlp_training  around Network.fit: early stopping's split, the batch size,
#                the weights and L2, the end of each epoch (EpochEnd)
#   _lbfgs       L-BFGS-B on a network's flat parameter vector

from ._classifier import BarenetClassifier
from ._mlp_classifier import MLPClassifier
from ._mlp_regressor import MLPRegressor
from ._regressor import BarenetRegressor

__all__ = ["MLPClassifier", "MLPRegressor", "BarenetClassifier", "BarenetRegressor"]
