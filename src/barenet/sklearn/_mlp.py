"""What [`MLPClassifier`][barenet.sklearn.MLPClassifier] and
[`MLPRegressor`][barenet.sklearn.MLPRegressor] share: `BaseMLP`.

The estimators take scikit-learn's MLP parameters and train a barenet
[`Network`][barenet.Network] (``network_``) the way scikit-learn's MLP trains
its coefficients: the same initial weights for the same ``random_state``
(scikit-learn's draws, in its order), the same steps ('sgd', 'adam': one
``Network.fit`` run of up to ``max_iter`` epochs, whose every epoch ends
in scikit-learn's bookkeeping, `EpochEnd`; 'lbfgs': SciPy's L-BFGS-B on the
network's flat parameter vector), the same stopping rules, warnings and
fitted attributes. ``coefs_`` and ``intercepts_`` are views into the
network's parameters.

They follow scikit-learn's Array API conventions as the ``Barenet*``
estimators do (`._arrays`): with ``array_api_dispatch`` on, the network
trains and predicts in the library and on the device of ``X`` (L-BFGS too:
its objective and gradient are computed there, SciPy's search runs on the
host, on float64 copies of the parameter vector), ``coefs_`` and
``intercepts_`` are views of that library, and labels, targets and sample
weights are encoded with NumPy from one host copy.

A subclass provides

- ``_validate_input(X, y, incremental, reset)``: ``X`` and the targets as a
  2-D array ``Y`` (scikit-learn's: a classifier's labels binarized);
- ``_output_activation()`` and ``_network_loss()``: the output layer's
  activation and the network's loss, by barenet's names;
- ``_network_targets(net, Y)``: what ``net.fit`` takes for ``Y`` (setting a
  classifier network's ``classes_``);
- ``_stratify(Y)``: the rows early stopping's split is stratified by, or None;
- ``_class_weights(Y)``: per-sample weights from ``class_weight``, or None;
- ``_validation_score(X, Y, sample_weight)``: scikit-learn's score of the
  network on held-out data (accuracy, R^2), nan for non-finite outputs.
"""

import warnings

import numpy as np
import scipy.sparse
from sklearn.base import BaseEstimator, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.optimize import _check_optimize_result
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from ..core.initializers import GlorotUniform, initialize
from ..core.namespace import all_finite, like
from ..errors import TrainingDiverged
from ..model.network import Network
from ..model.placement import fit_scaler, moved, to_host
from . import _lbfgs
from ._arrays import check_same_place, input_dtype, numpy_dtype
from ._base import BaseBarenetEstimator, NetworkEstimatorMixin
from ._mlp_params import (
    CONSTRAINTS,
    OUTPUT_NAMES,
    check_extras,
    hidden_activations,
    hidden_sizes,
    network_dtype,
)
from ._mlp_solver import StochasticSolver, make_optimizer
from ._mlp_training import EpochEnd, batch_size, split, weights_and_l2

NON_FINITE = ("Solver produced non-finite parameter weights. The input data may contain large "
              "values and need to be preprocessed.")

# What the estimators' methods take as X, as scikit-learn's MLP takes it.
FLOATS = (np.float64, np.float32)

# The attributes of stochastic training, which L-BFGS does not set.
_STOCHASTIC_ATTRIBUTES = ("loss_curve_", "best_loss_", "validation_scores_",
                          "best_validation_score_", "_no_improvement_count", "_optimizer")


def network_inputs(X, whole):
    """``X`` as the network takes it: a sparse matrix stays sparse, in CSR
    form (a CSC one converted once), and the network makes its rows dense
    batch by batch or block by block -- unless ``whole`` (L-BFGS's
    objective over every sample at once, or the network standardizes its
    inputs, which centering would make dense), when it is made dense whole."""
    if not scipy.sparse.issparse(X):
        return X
    X = X.tocsr()
    return X.toarray() if whole else X


def set_parameters(estimator, args):
    """Store an ``__init__``'s arguments (``locals()``) on ``estimator``
    unchanged, as scikit-learn asks; ``fit`` checks them."""
    for name, value in args.items():
        if name not in ("self", "__class__"):
            setattr(estimator, name, value)


class BaseMLP(NetworkEstimatorMixin, BaseEstimator):
    """The base of barenet's drop-in MLP estimators (see the module's
    docstring for what a subclass provides)."""

    _parameter_constraints = dict(CONSTRAINTS)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train the network on ``(X, y)``: a new one, or with ``warm_start``
        the fitted one, from where it is.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A sparse matrix (CSR, CSC) stays sparse: only the rows of each
            batch are made dense, as [`Network.fit`][barenet.Network.fit]
            does; with ``solver='lbfgs'`` or ``standardize=True`` it is made
            dense whole. With ``array_api_dispatch`` on, an array of another
            library (a torch tensor, a CuPy array) trains the network on its
            library and device, where the fitted arrays then live.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Class labels (a classifier; a 0/1 indicator matrix for multilabel
            classification) or targets (a regressor).
        sample_weight : array-like of shape (n_samples,), optional
            Each sample's weight in the loss, as scikit-learn weighs them.

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=False)

    # --------------------------------------------------------------- training

    def _stochastic(self):
        return self.optimizer is not None or self.solver in ("sgd", "adam")

    def _check_solver(self):
        """Whether ``partial_fit`` is available: for a stochastic solver (or
        an ``optimizer`` object) only, as in scikit-learn."""
        if not self._stochastic():
            raise AttributeError(
                "partial_fit is only available for stochastic optimizers. %s is not "
                "stochastic." % self.solver
            )
        return True

    def _fit(self, X, y, sample_weight, incremental):
        """``fit`` (``incremental`` false) or ``partial_fit`` (one epoch)."""
        hidden = hidden_sizes(self.hidden_layer_sizes)
        check_extras(self, len(hidden))
        if incremental and self.early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True")
        first = not self.__sklearn_is_fitted__() or (not self.warm_start and not incremental)
        if not first:  # the fitted network goes on, where it is
            self._sync()
            check_same_place(self, X, "partial_fit" if incremental else "fit")
        X, Y = self._validate_input(X, y, incremental, reset=first)
        X = network_inputs(X, whole=not self._stochastic() or bool(self.standardize))
        if sample_weight is not None:  # encoded with NumPy, as the labels
            sample_weight = to_host(_check_sample_weight(sample_weight, X))
        random_state = check_random_state(self.random_state)
        units = [X.shape[1], *hidden, Y.shape[1]]
        if first:
            self._initialize(units, network_dtype(self.dtype, numpy_dtype(X)), random_state, X)
        else:
            self._check_architecture(units)
        if self._stochastic():
            self._fit_stochastic(X, Y, sample_weight, random_state, incremental)
        else:
            self._fit_lbfgs(X, Y, sample_weight)
        if not all_finite(self.network_.parameters):
            raise ValueError(NON_FINITE)
        return self

    def _initialize(self, units, dtype, random_state, X):
        """A new network of layer sizes ``units``, with scikit-learn's initial
        weights drawn from ``random_state``, in the library and on the device
        of ``X`` (NumPy's for NumPy data and sparse matrices); the attributes
        of a first fit."""
        self.n_iter_, self.t_ = 0, 0
        self.n_outputs_, self.n_layers_ = units[-1], len(units)
        output = self._output_activation()
        self.out_activation_ = OUTPUT_NAMES[output]
        # scikit-learn's Glorot bounds: factor 2 for logistic hidden layers, else 6
        init = GlorotUniform(2.0) if self.activation == "logistic" else "glorot_uniform"
        net = Network(units, hidden_activations(self.activation, len(units) - 2) + [output],
                      init=init, seed=0, dtype=dtype, loss=self._network_loss(),
                      dropout=self.dropout, batch_norm=self.batch_norm,
                      standardize=self.standardize)
        # redrawn from random_state as scikit-learn draws them, layer by layer;
        # the Generator of the shuffles and dropout comes from it later (seed=0
        # only makes the constructor's own draws, replaced here)
        initialize(net.weights, net.biases, net.init, random_state)
        self._hold(net.to(X))
        self.optimizer_, self._best_parameters = None, net.flat.snapshot()
        for name in _STOCHASTIC_ATTRIBUTES:
            self.__dict__.pop(name, None)
        if self._stochastic():
            self._stochastic_attributes()

    def _stochastic_attributes(self):
        """The attributes of stochastic training as a first fit sets them
        (those missing, after L-BFGS; those of early stopping, when a warm
        start turns it on or off)."""
        if getattr(self, "loss_curve_", None) is None:
            self.loss_curve_, self._no_improvement_count = [], 0
        if self.early_stopping and getattr(self, "validation_scores_", None) is None:
            self.validation_scores_, self.best_validation_score_ = [], -np.inf
            self.best_loss_ = None
        elif not self.early_stopping and getattr(self, "best_loss_", None) is None:
            self.best_loss_ = np.inf
            self.validation_scores_ = self.best_validation_score_ = None

    def _hold(self, net):
        """Make ``net`` the estimator's network, ``coefs_`` and ``intercepts_``
        views into it (arrays of its library, on its device)."""
        self.network_ = net
        self.coefs_ = [W.T for W in net.weights]
        self.intercepts_ = [b[:, 0] for b in net.biases]
        self._views = (list(self.coefs_), list(self.intercepts_))

    def _sync(self):
        """Copy arrays assigned to ``coefs_`` or ``intercepts_`` (or to their
        items) in place of the views into the network, where scikit-learn's
        MLP, whose ``coefs_`` are its parameters, would use them; an estimator
        never fitted whose attributes were set by hand gets a network first."""
        if not self._fitted():
            self._network_from_coefs()
        for name, views in zip(("coefs_", "intercepts_"), self._views):
            given = getattr(self, name)
            if len(given) != len(views) or any(g is not v for g, v in zip(given, views)):
                _copy_into(views, given, name)
                setattr(self, name, list(views))

    def _network_from_coefs(self):
        """A network for the ``coefs_``, ``intercepts_``, ``activation`` and
        ``out_activation_`` set by hand on an estimator never fitted."""
        coefs = [np.asarray(to_host(c)) for c in self.coefs_]
        units = [coefs[0].shape[0], *(c.shape[1] for c in coefs)]
        output = {name: ours for ours, name in OUTPUT_NAMES.items()}[self.out_activation_]
        net = Network(units, hidden_activations(self.activation, len(units) - 2) + [output],
                      dtype=network_dtype(self.dtype, coefs[0].dtype), loss=self._network_loss())
        coefs_, intercepts_ = self.coefs_, self.intercepts_
        self._hold(net)
        self.coefs_, self.intercepts_ = coefs_, intercepts_  # copied in by _sync
        self.optimizer_, self._best_parameters = None, net.flat.snapshot()

    def _check_architecture(self, units):
        """Refuse to go on training when the layers asked for are not the
        fitted network's."""
        net = self.network_
        wanted = hidden_activations(self.activation, len(units) - 2)
        if list(net.layer_sizes) != units or \
                [a.name for a in net.activations[:-1]] != wanted:
            raise ValueError(
                f"warm_start and partial_fit go on training the fitted network, of layer "
                f"sizes {list(net.layer_sizes)}, but the data, hidden_layer_sizes and "
                f"activation ask for {units} with {wanted}; fit with warm_start=False to "
                "start afresh"
            )

    def _fit_stochastic(self, X, Y, sample_weight, random_state, incremental):
        """'sgd', 'adam' or an optimizer object: ``max_iter`` epochs of
        ``Network.fit`` at most, or one (``partial_fit``)."""
        net = self.network_
        if not incremental or getattr(self, "_optimizer", None) is None:
            self.optimizer_ = make_optimizer(self)
            self._optimizer = StochasticSolver(
                "optimizer" if self.optimizer is not None else self.solver,
                self.learning_rate_init, self.learning_rate, self.power_t)
        self._stochastic_attributes()
        X, Y, weights, validation = split(self, X, Y, sample_weight, random_state,
                                          self._stratify(Y))
        weights, net.l2 = weights_and_l2(weights, self._class_weights(Y), self.alpha)
        net.rng = np.random.default_rng(random_state.randint(np.iinfo(np.int32).max))
        end = EpochEnd(self, X.shape[0], validation)
        self.n_iter_ = 0
        try:
            net.fit(X, self._network_targets(net, Y), optimizer=self.optimizer_,
                    epochs=1 if incremental else self.max_iter,
                    batch_size=batch_size(self.batch_size, X.shape[0]), shuffle=self.shuffle,
                    sample_weight=weights, schedule=None if incremental else self.schedule,
                    callbacks=[end, *(self.callbacks or [])])
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.")
        except TrainingDiverged as error:
            if validation is None:
                raise ValueError(f"{NON_FINITE} Training stopped: {error}") from error
            end.diverged(error)
        else:
            if not incremental and not end.stopped and self.n_iter_ == self.max_iter:
                warnings.warn(
                    "Stochastic Optimizer: Maximum iterations (%d) reached and the "
                    "optimization hasn't converged yet." % self.max_iter, ConvergenceWarning)
        if validation is not None:
            net.flat.restore(self._best_parameters)

    def _fit_lbfgs(self, X, Y, sample_weight):
        """'lbfgs': the full batch's objective minimized by SciPy's L-BFGS-B."""
        net = self.network_
        weights, net.l2 = weights_and_l2(sample_weight, self._class_weights(Y), self.alpha)
        y = self._network_targets(net, Y)
        if net.standardize and net.scaler_ is None:
            net.scaler_ = fit_scaler(X, net.dtype, net.parameters)
        X = net.prepare(X)
        Y, _ = net.encode(y, X.shape[0])
        if weights is not None:
            weights = moved(weights.astype(net.dtype), net.parameters)
        try:
            result = _lbfgs.minimize(net, X, Y, weights, max_iter=self.max_iter,
                                     max_fun=self.max_fun, tol=float(self.tol),
                                     verbose=bool(self.verbose))
        except TrainingDiverged as error:
            raise ValueError(f"{NON_FINITE} Training stopped: {error}") from error
        self.n_iter_ = _check_optimize_result("lbfgs", result, self.max_iter)
        self.loss_ = float(result.fun)

    # ---------------------------------------------------------------- outputs

    def _validation_outputs(self, X):
        """The network's outputs for the (checked) validation split ``X``, on
        the host where they are scored, as scikit-learn's; None where they
        overflowed (a diverging run, whose score is then nan, as scikit-learn's)."""
        try:
            return to_host(self.network_.forward(X))
        except ValueError:  # barenet.model.outputs: not finite
            return None

    def _forward(self, X, method):
        """The network's outputs for ``X`` (checked as scikit-learn checks
        it, and to be where the network is: a ValueError naming ``method``
        otherwise), shape ``(n_samples, n_outputs_)``, in the network's
        dtype, library and device."""
        check_is_fitted(self)
        self._sync()
        check_same_place(self, X, method)
        X = validate_data(self, X, accept_sparse=["csr", "csc"], reset=False,
                          dtype=input_dtype(X, FLOATS))
        return self.network_.forward(network_inputs(X, whole=self.network_.standardize))

    def save(self, path, training_state=False):
        """Write the fitted network (with any arrays assigned to ``coefs_``
        and ``intercepts_``) to ``path`` in barenet's own format, the way to
        keep a model: ``barenet.load(path)`` gives back the
        [`Network`][barenet.Network] (``network_``). See
        [`barenet.Network.save`][barenet.Network.save]."""
        check_is_fitted(self)
        self._sync()
        super().save(path, training_state)

    def __sklearn_is_fitted__(self):
        return self._fitted() or "coefs_" in vars(self)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.array_api_support = True  # see ._arrays
        return tags

    def __sklearn_array_api_convert__(self, converter):
        """A copy of the estimator with its arrays converted by ``converter``,
        as scikit-learn's ``move_estimator_to`` moves an estimator (the
        ``Barenet*`` estimators' conversion, then the views made again)."""
        if self._fitted():
            self._sync()
        copy = BaseBarenetEstimator.__sklearn_array_api_convert__(self, converter)
        if copy._fitted():
            copy._hold(copy.network_)
            copy._best_parameters = tuple(like(to_host(a), copy.network_.parameters)
                                          for a in copy._best_parameters)
        return copy

    # ``coefs_`` and ``intercepts_`` are views into the network: a pickle (and a
    # copy) holds the network alone, and the views are made again from it.

    def __getstate__(self):
        state = super().__getstate__()
        for name in ("coefs_", "intercepts_", "_views"):
            state.pop(name, None)
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if self._fitted():
            self._hold(self.network_)


def _copy_into(views, values, name):
    """Copy the arrays ``values`` (of any library) into the network's
    ``views`` (through the host, for a network on another library)."""
    values = [np.asarray(to_host(v)) for v in values]
    shapes = [tuple(v.shape) for v in views]
    if [v.shape for v in values] != shapes:
        raise ValueError(f"{name} must be arrays of shapes {shapes}, got "
                         f"{[v.shape for v in values]}")
    for view, value in zip(views, values):
        view[...] = value if type(view) is np.ndarray else like(value, view, numpy_dtype(view))
