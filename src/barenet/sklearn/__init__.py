"""scikit-learn estimators: [`BarenetClassifier`][barenet.sklearn.BarenetClassifier] and
[`BarenetRegressor`][barenet.sklearn.BarenetRegressor].

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

The names do not shadow scikit-learn's own estimators, so
``from barenet.sklearn import BarenetClassifier`` sits beside
``from sklearn.neural_network import MLPClassifier``.
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

from ._classifier import BarenetClassifier
from ._regressor import BarenetRegressor

__all__ = ["BarenetClassifier", "BarenetRegressor"]
