"""The estimators' parameter checks.

scikit-learn asks that a constructor store its arguments unchanged and check
nothing; the estimators check them when ``fit`` starts, here, with messages
naming the parameter (``TypeError`` for a value of the wrong kind,
``ValueError`` for one out of range), before any training:

- `check_params` checks the parameters that barenet's own constructors do
  not check under the same names (the others are checked as the Network, its
  optimizer and its schedule are made, still before any training);
- `hidden_sizes`, `hidden_activations` and `seed` turn
  ``hidden_layer_sizes``, ``activation`` and ``random_state`` into what a
  [`Network`][barenet.Network] takes;
- `transform_index` checks ``transform_layer`` against a fitted network.

Each function reads the parameters from the estimator (``params``) by their
names, or takes the one value it checks.
"""

import numbers

import numpy as np

from .._checks import (
    check_bool,
    check_float_dtype,
    check_fraction,
    check_int,
    check_positive,
    check_real,
)


def check_params(params):
    """Check the parameters of the estimator ``params`` that barenet's
    constructors do not check under the same names."""
    check_positive("learning_rate", params.learning_rate)
    for name in ("beta", "beta1", "beta2"):
        check_fraction(name, getattr(params, name))
    check_positive("eps", params.eps)
    _check_nonnegative("weight_decay", params.weight_decay)
    check_bool("nesterov", params.nesterov)
    if params.clipnorm is not None:
        check_positive("clipnorm", params.clipnorm)
    _check_nonnegative("alpha", params.alpha)
    check_int("max_iter", params.max_iter, minimum=1)
    if params.batch_size is not None:
        check_int("batch_size", params.batch_size, minimum=1)
    check_bool("shuffle", params.shuffle)
    if check_bool("early_stopping", params.early_stopping):
        _check_early_stopping(params)
    check_bool("warm_start", params.warm_start)
    check_int("transform_layer", params.transform_layer)
    check_float_dtype("dtype", params.dtype)
    check_bool("standardize", params.standardize)


def _check_early_stopping(params):
    fraction = check_real("validation_fraction", params.validation_fraction)
    if not 0 < fraction < 1:
        raise ValueError(
            f"validation_fraction must be in (0, 1), got {params.validation_fraction!r}"
        )
    check_int("n_iter_no_change", params.n_iter_no_change, minimum=1)
    _check_nonnegative("tol", params.tol)


def _check_nonnegative(name, value):
    """Like `barenet._checks.check_nonnegative`, but the message shows the
    value as it was given (``-1``, not ``-1.0``)."""
    if check_real(name, value) < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")


def hidden_sizes(hidden_layer_sizes):
    """The sizes of the hidden layers as a tuple of ints >= 1 (an int is one layer)."""
    sizes = hidden_layer_sizes
    if isinstance(sizes, numbers.Integral) and not isinstance(sizes, bool):
        sizes = (sizes,)
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__"):
        raise TypeError(
            f"hidden_layer_sizes must be a tuple of integers, got {hidden_layer_sizes!r}"
        )
    return tuple(check_int(f"hidden_layer_sizes[{i}]", n, minimum=1)
                 for i, n in enumerate(sizes))


def hidden_activations(activation, n_hidden):
    """One activation per hidden layer: ``activation`` repeated, or the
    sequence of them (which must have one per layer)."""
    if isinstance(activation, (list, tuple)):
        if len(activation) != n_hidden:
            raise ValueError(
                f"activation has {len(activation)} entries but there are {n_hidden} "
                "hidden layers; give one name for all, or one per hidden layer"
            )
        return list(activation)
    return [activation] * n_hidden


def seed(random_state):
    """The ``seed`` for a [`Network`][barenet.Network] from a ``random_state``:
    None (fresh entropy each fit), an int >= 0, a ``numpy.random.Generator`` or a
    legacy ``numpy.random.RandomState`` (an int is drawn from either, so
    successive fits differ, as in scikit-learn's ``check_random_state``)."""
    if random_state is None:
        return None
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        return check_int("random_state", random_state, minimum=0)
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(2**63))
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(np.iinfo(np.int32).max))
    raise TypeError(
        "random_state must be None, an int >= 0, a numpy.random.Generator or a "
        f"numpy.random.RandomState, got {random_state!r}"
    )


def transform_index(transform_layer, n_hidden):
    """``transform_layer`` as an index in ``range(n_hidden)``, the hidden
    layers of the fitted network."""
    layer = check_int("transform_layer", transform_layer)
    if n_hidden == 0:
        raise ValueError("transform needs a hidden layer; hidden_layer_sizes is empty")
    if not -n_hidden <= layer < n_hidden:
        raise ValueError(
            f"transform_layer must index one of the {n_hidden} hidden layers "
            f"(from {-n_hidden} to {n_hidden - 1}), got {layer}"
        )
    return layer % n_hidden
