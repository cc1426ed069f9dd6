"""The parameters of [`MLPClassifier`][barenet.sklearn.MLPClassifier] and
[`MLPRegressor`][barenet.sklearn.MLPRegressor] and their checks.

scikit-learn's own parameters are checked as scikit-learn checks them, by
``_parameter_constraints`` (``sklearn.utils._param_validation``), all of them
when ``fit`` or ``partial_fit`` starts, whatever the others say (a
``validation_fraction`` of 1 is an error without early stopping too). The
same constraints admit barenet's extras -- per-layer activations,
``'leaky_relu'``, ``dropout``, ``batch_norm``, ``optimizer``, ``schedule``,
``dtype``, ``callbacks``, ``standardize``, the classifier's ``class_weight``
-- whose values `check_extras` then checks in full, with messages naming them.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, Options, StrOptions

from .. import optimizers as _optimizers
from .._checks import check_bool
from ..model import config
from ..model.runs import check_callbacks
from ..optim import schedules as _schedules

# scikit-learn's activation names, and barenet's extra one, as barenet names them.
ACTIVATIONS = {"identity": "linear", "logistic": "sigmoid", "tanh": "tanh", "relu": "relu",
               "leaky_relu": "leaky_relu"}

# scikit-learn's name for each output activation barenet gives the network.
OUTPUT_NAMES = {"sigmoid": "logistic", "softmax": "softmax", "linear": "identity", "exp": "exp"}

DTYPES = ("float32", "float64")

CONSTRAINTS = {
    # scikit-learn's, with the same meaning
    "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
    "activation": [StrOptions(set(ACTIVATIONS)), list, tuple],
    "solver": [StrOptions({"lbfgs", "sgd", "adam"})],
    "alpha": [Interval(Real, 0, None, closed="left")],
    "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
    "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
    "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
    "power_t": [Interval(Real, 0, None, closed="left")],
    "max_iter": [Interval(Integral, 1, None, closed="left")],
    "shuffle": ["boolean"],
    "random_state": ["random_state"],
    "tol": [Interval(Real, 0, None, closed="left")],
    "verbose": ["verbose"],
    "warm_start": ["boolean"],
    "momentum": [Interval(Real, 0, 1, closed="both")],
    "nesterovs_momentum": ["boolean"],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="left")],
    "beta_1": [Interval(Real, 0, 1, closed="left")],
    "beta_2": [Interval(Real, 0, 1, closed="left")],
    "epsilon": [Interval(Real, 0, None, closed="neither")],
    "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), Options(Real, {np.inf})],
    "max_fun": [Interval(Integral, 1, None, closed="left")],
    # barenet's extras
    "dropout": [Interval(Real, 0, 1, closed="left"), list, tuple],
    "batch_norm": ["boolean", list, tuple],
    "optimizer": [None, _optimizers.Optimizer],
    "schedule": [None, StrOptions(set(_schedules.REGISTRY)), _schedules.Schedule],
    "dtype": [None, StrOptions(set(DTYPES)), type, np.dtype],
    "callbacks": [None, list, tuple],
    "standardize": ["boolean"],
}


def hidden_sizes(hidden_layer_sizes):
    """The hidden layers' sizes as a list (an int is one layer), each >= 1."""
    sizes = hidden_layer_sizes
    if not hasattr(sizes, "__iter__"):
        sizes = [sizes]
    sizes = list(sizes)
    if any(not isinstance(n, (Integral, np.integer)) or isinstance(n, bool) for n in sizes):
        raise ValueError(f"hidden_layer_sizes must hold integers, got {hidden_layer_sizes!r}")
    if any(n <= 0 for n in sizes):
        raise ValueError(f"hidden_layer_sizes must be > 0, got {sizes}.")
    return [int(n) for n in sizes]


def hidden_activations(activation, n_hidden):
    """barenet's names of the hidden layers' activations: ``activation``
    (scikit-learn's name) for each, or one per layer from a list."""
    names = activation if isinstance(activation, (list, tuple)) else [activation] * n_hidden
    if len(names) != n_hidden:
        raise ValueError(
            f"activation has {len(names)} entries but there are {n_hidden} hidden layers; "
            "give one name for all, or one per hidden layer"
        )
    for name in names:
        if not isinstance(name, str) or name not in ACTIVATIONS:
            raise ValueError(
                f"activation must name one of {sorted(ACTIVATIONS)} (for all hidden layers, "
                f"or a list with one per layer), got {name!r}"
            )
    return [ACTIVATIONS[name] for name in names]


def network_dtype(dtype, X_dtype):
    """The network's dtype: ``dtype``, or with None the input's, as
    scikit-learn keeps it (float32 stays float32, anything else is float64)."""
    if dtype is None:
        return np.dtype(np.float32 if X_dtype == np.float32 else np.float64)
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        dtype = None
    if dtype is None or dtype.name not in DTYPES:
        raise ValueError(f"dtype must be None, 'float32' or 'float64', got {dtype!r}")
    return dtype


def check_extras(params, n_hidden):
    """Check barenet's extras on the estimator ``params`` in full (their
    kinds are checked by `CONSTRAINTS`), with ``n_hidden`` hidden layers;
    and the one of scikit-learn's values barenet cannot train with."""
    hidden_activations(params.activation, n_hidden)
    config.per_hidden_layer("dropout", params.dropout, 0.0, config.check_dropout, n_hidden)
    config.per_hidden_layer("batch_norm", params.batch_norm, False, check_bool, n_hidden)
    check_callbacks(params.callbacks)
    network_dtype(params.dtype, np.float64)
    if params.schedule is not None and params.solver == "sgd" and params.optimizer is None \
            and params.learning_rate != "constant":
        raise ValueError(
            f"schedule={params.schedule!r} and learning_rate={params.learning_rate!r} both set "
            "the rate of solver='sgd'; give one of them (learning_rate='constant' with a "
            "schedule)"
        )
    if params.solver == "sgd" and params.optimizer is None and params.momentum == 1:
        raise ValueError(
            "momentum=1 (a velocity that never decays) is not supported: barenet's Momentum "
            "takes momentum in [0, 1)"
        )
