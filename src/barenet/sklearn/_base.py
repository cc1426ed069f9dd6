"""What the estimators share: `NetworkEstimatorMixin`, for every estimator
that keeps a fitted [`Network`][barenet.Network] as ``network_`` (the
``Barenet*`` ones and the ``MLP*`` ones), and `BaseBarenetEstimator`, what
[`BarenetClassifier`][barenet.sklearn.BarenetClassifier] and
[`BarenetRegressor`][barenet.sklearn.BarenetRegressor] share besides.

The base holds the parameters both estimators take (its ``__init__`` lists
them, once), trains (``fit``, the ``partial_fit`` and ``warm_start`` logic,
early stopping on a validation split, sample and class weights), and gives
``transform``, ``save``, the tags, the feature names and the pickling.

An estimator is a subclass that provides

- ``_y_checks``: what ``validate_data`` checks of ``y`` (a dict of its
  keyword arguments);
- ``_output_activation(n_outputs)``: the output layer's activation;
- ``_targets(y, first, classes, fit)``: the targets in the form training
  takes (class indices for a classifier), the classes (None for a
  regressor) and the number of output units; ``first`` says whether a new
  network is made, ``fit`` whether this is ``fit`` (not ``partial_fit``);

and, where it has classes,

- ``_class_weights(y, classes)``: each sample's class weight, or None;
- ``_network_targets(net, y, classes)``: the targets ``net.fit`` takes
  (labels), after giving ``net`` its ``classes_``.

A subclass with parameters of its own writes
``__init__(self, *args, <its own keyword-only parameters>, **shared)``,
passing ``args`` and ``shared`` on to the base, under `adds_parameters`.
"""

import copy
import inspect
import os
import tempfile

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from .. import optimizers as _optimizers
from .._checks import check_float_dtype
from ..core.namespace import like
from ..io import load as _load
from ..model.callbacks import EarlyStopping
from ..model.placement import to_host
from ._arrays import check_same_place, input_dtype, placed
from ._build import make_network, make_optimizer, same_architecture
from ._params import check_params, transform_index


class NetworkEstimatorMixin:
    """What an estimator that keeps its fitted [`Network`][barenet.Network] as
    ``network_`` (and the network's optimizer as ``optimizer_``) shares:
    ``save``, scikit-learn's fitted check, and pickling in barenet's own
    file format. It goes before ``BaseEstimator`` among the bases."""

    def _fitted(self):
        return hasattr(self, "network_")

    def save(self, path, training_state=False):
        """Write the fitted network to ``path`` in barenet's own format, the way
        to keep a model: ``barenet.load(path)`` gives back the
        [`Network`][barenet.Network] (``network_``), whose ``predict`` returns the
        same labels. See [`barenet.Network.save`][barenet.Network.save]."""
        check_is_fitted(self)
        self.network_.save(path, training_state=training_state)

    def __sklearn_is_fitted__(self):
        return self._fitted()

    # --------------------------------------------------------------- pickling

    def __getstate__(self):
        # A Network's weights are views into one parameter vector, which pickle
        # would turn into separate copies (so that training on would no longer
        # move them); the pickle holds the network in barenet's own file format
        # instead, with the optimizer's state and the random state when the
        # optimizer is one of barenet's (a custom one is pickled as it is; a
        # network without one, trained by L-BFGS, is saved without them).
        # A network on another library's device keeps an empty array of that
        # library and device beside it, which the unpickled network moves to.
        state = super().__getstate__()
        if "network_" in state:
            state = dict(state)
            net = state["network_"]
            optimizer = net.optimizer_  # None for a network trained by L-BFGS
            custom = (optimizer is not None
                      and type(optimizer) is not _optimizers.REGISTRY.get(optimizer.name))
            state["network_"] = _network_to_bytes(
                net, training_state=optimizer is not None and not custom)
            if not custom:
                state.pop("optimizer_", None)
            if type(net.parameters) is not np.ndarray:
                state[_PLACE] = like(np.empty(0, dtype=net.dtype), net.parameters)
        return state

    def __setstate__(self, state):
        if isinstance(state.get("network_"), bytes):
            state = dict(state)
            net = state["network_"] = _network_from_bytes(state["network_"])
            if "optimizer_" in state:
                net.optimizer_ = state["optimizer_"]
            state["optimizer_"] = net.optimizer_
            if _PLACE in state:
                net.to(state.pop(_PLACE))
        super().__setstate__(state)


class BaseBarenetEstimator(ClassNamePrefixFeaturesOutMixin, TransformerMixin,
                           NetworkEstimatorMixin, BaseEstimator):
    """The base of barenet's scikit-learn estimators (see the module's docstring
    for what a subclass provides). Its parameters are documented in
    [`BarenetClassifier`][barenet.sklearn.BarenetClassifier]."""

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, init="he",
                 optimizer="adam", learning_rate=0.001, beta=0.9, beta1=0.9, beta2=0.999,
                 eps=1e-8, weight_decay=0.01, nesterov=False, clipnorm=None, alpha=0.0001,
                 dropout=0.0, batch_norm=False, schedule=None, max_iter=200, batch_size=32,
                 shuffle=True, early_stopping=False, validation_fraction=0.1,
                 n_iter_no_change=10, tol=1e-4, random_state=None, warm_start=False,
                 verbose=False, dtype="float64", transform_layer=-1, standardize=False):
        # scikit-learn's rule: store every argument unchanged, check nothing
        # (fit checks them, _params.check_params)
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.init = init
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.beta = beta
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weight_decay = weight_decay
        self.nesterov = nesterov
        self.clipnorm = clipnorm
        self.alpha = alpha
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.schedule = schedule
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.dtype = dtype
        self.transform_layer = transform_layer
        self.standardize = standardize

    def fit(self, X, y, sample_weight=None):
        """Train a new network on ``(X, y)`` for ``max_iter`` epochs (or go on
        training the fitted one, with ``warm_start``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            With ``array_api_dispatch`` on, an array of another library (a
            torch tensor, a CuPy array) trains the network on its library
            and device, where the fitted arrays then live.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            For a classifier, class labels (one column), two or more
            distinct ones; for a regressor, the targets.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights; only their ratios matter.

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=False)

    # --------------------------------------------------------------- training

    def _fit(self, X, y, sample_weight, incremental, classes=None):
        """Train for ``max_iter`` epochs (``fit``) or one (``partial_fit``).

        A new network is made unless ``incremental`` or ``warm_start`` (and
        one has been fitted); an existing one goes on with its optimizer and
        its state, unless the optimizer's settings changed.
        """
        check_params(self)
        dtype = check_float_dtype("dtype", self.dtype)
        first = not self._fitted() or not (incremental or self.warm_start)
        X, y = validate_data(self, X, y, reset=first, dtype=input_dtype(X, dtype),
                             accept_sparse=["csr", "csc"], **self._y_checks)
        y = to_host(y)  # labels and targets are encoded with NumPy, from one host copy
        y, classes_, n_outputs = self._targets(y, first, classes, fit=not incremental)
        weights = self._weights(sample_weight, y, X.shape[0], classes_, fit=not incremental)
        net, optimizer, history = self._network(first, X.shape[1], n_outputs)
        if classes_ is not None:
            y = self._network_targets(net, y, classes_)

        early = self.early_stopping and not incremental
        callbacks = [EarlyStopping("val_loss", patience=self.n_iter_no_change,
                                   min_delta=float(self.tol))] if early else []
        net.fit(
            X, y, optimizer=optimizer, epochs=1 if incremental else self.max_iter,
            batch_size=self.batch_size, validation_split=self.validation_fraction if early
            else None, shuffle=self.shuffle, sample_weight=weights,
            schedule=None if incremental else self.schedule, callbacks=callbacks,
            verbose=bool(self.verbose),
        )
        self._keep(net, placed(classes_, X) if classes_ is not None else None, n_outputs,
                   history, callbacks[0] if early else None)
        return self

    def _network(self, first, n_features, n_outputs):
        """The network to train, its optimizer and the history so far: a new
        network, or (``first`` false) the fitted one, with the fitted optimizer
        if its settings are unchanged."""
        optimizer = make_optimizer(self)
        if first:
            net = make_network(self, n_features, n_outputs, self._output_activation(n_outputs))
            return net, optimizer, {}
        net = self.network_
        if not same_architecture(self, net, n_features, n_outputs):
            raise ValueError(
                "warm_start and partial_fit continue the fitted network, but the "
                "architecture parameters (hidden_layer_sizes, activation, dropout, "
                "batch_norm, dtype, standardize) have changed since; fit with "
                "warm_start=False to start afresh"
            )
        net.l2 = float(self.alpha)
        if type(self.optimizer_) is type(optimizer) and \
                self.optimizer_.get_config() == optimizer.get_config():
            optimizer = self.optimizer_  # its state carries on
        return net, optimizer, self.history_

    def _keep(self, net, classes, n_outputs, history, early_stopping):
        """Set the fitted attributes after ``net`` trained; ``history`` is the
        one before, ``early_stopping`` the callback (or None)."""
        self.network_ = net
        self.optimizer_ = net.optimizer_
        if classes is not None:
            self.classes_ = classes
        self.n_outputs_ = n_outputs
        history = {key: list(values) for key, values in history.items()}
        for key, values in net.history_.items():
            history.setdefault(key, []).extend(values)
        self.history_ = history
        self.n_iter_ = len(history["loss"])
        self.best_epoch_ = None if early_stopping is None else early_stopping.best_epoch

    def _weights(self, sample_weight, y, n_samples, classes, fit):
        """Sample weights times class weights, scaled to a mean of 1 (so that only
        their ratios matter); None when all are equal."""
        weights = np.ones(n_samples)
        if sample_weight is not None:
            weights = np.asarray(to_host(sample_weight), dtype=np.float64)
            if weights.shape != (n_samples,):
                raise ValueError(
                    f"sample_weight must have shape ({n_samples},), got {weights.shape}"
                )
            if not np.isfinite(weights).all() or (weights < 0).any():
                raise ValueError("sample_weight must be finite and >= 0")
        by_class = self._class_weights(y, classes)
        if by_class is not None:
            weights = weights * by_class
        total = weights.sum()
        if total <= 0:
            raise ValueError("sample weights are all zero: at least one must be positive")
        if fit and classes is not None:
            present = np.unique(y[weights > 0])
            if len(present) < 2:
                raise ValueError(
                    f"only one class ({classes[present[0]]!r}) has samples of positive "
                    "weight; a classifier needs two or more classes"
                )
        if (weights == weights[0]).all():
            return None
        return weights * (n_samples / total)

    def _class_weights(self, y, classes):
        """Each sample's class weight, or None (all the same): none here."""
        return None

    # ---------------------------------------------------------------- outputs

    def transform(self, X):
        """The activations of hidden layer ``transform_layer`` (by default the
        last) for each sample: learned features, e.g. for another model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        array of shape (n_samples, hidden_layer_sizes[transform_layer])
            In the network's dtype; dropout is off, batch normalization uses
            its running statistics. An array of the library and device the
            estimator was fitted on (NumPy's, without ``array_api_dispatch``).
        """
        X = self._validated(X, "transform")
        A = self.network_.layer_outputs(X)[self._transform_index()]  # scaled, with a scaler
        return np.ascontiguousarray(A) if type(A) is np.ndarray else A

    def _transform_index(self):
        return transform_index(self.transform_layer, len(self.network_.layer_sizes) - 2)

    @property
    def _n_features_out(self):
        return self.network_.layer_sizes[1 + self._transform_index()]

    def _validated(self, X, method):
        """``X`` for ``method`` of the fitted estimator: checked by
        ``validate_data``, in the network's dtype, in the library and on the
        device of the network (a ValueError otherwise)."""
        check_is_fitted(self)
        check_same_place(self, X, method)
        return validate_data(self, X, reset=False, dtype=input_dtype(X, self.network_.dtype),
                             accept_sparse=["csr", "csc"])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.array_api_support = True  # see ._arrays
        # kept sparse, the network densifies rows as it goes; standardizing refuses it
        tags.input_tags.sparse = self.standardize is False
        try:
            tags.transformer_tags.preserves_dtype = [check_float_dtype("dtype", self.dtype).name]
        except (TypeError, ValueError):
            tags.transformer_tags.preserves_dtype = []
        return tags

    def __sklearn_array_api_convert__(self, converter):
        """A copy of the estimator with its arrays converted by ``converter``
        (a function of one array), which scikit-learn's ``move_estimator_to``
        gives to move an estimator to another library and device: the
        network, its optimizer's state and numeric ``classes_`` go there."""
        moved = copy.deepcopy(self)
        if not self._fitted():
            return moved
        net = moved.network_
        net.to(converter(np.empty(0, dtype=net.dtype)))
        classes = getattr(moved, "classes_", None)
        if classes is not None:
            classes = to_host(classes)
            moved.classes_ = classes if classes.dtype.kind not in "biuf" else converter(classes)
        return moved


_PLACE = "_network_place"  # the pickled state's key for where the network was


def _network_to_bytes(net, training_state):
    with tempfile.TemporaryDirectory(prefix="barenet-") as folder:
        path = os.path.join(folder, "network.npz")
        net.save(path, training_state=training_state)
        with open(path, "rb") as f:
            return f.read()


def _network_from_bytes(data):
    with tempfile.TemporaryDirectory(prefix="barenet-") as folder:
        path = os.path.join(folder, "network.npz")
        with open(path, "wb") as f:
            f.write(data)
        return _load(path)


def adds_parameters(init):
    """Declare the signature of a subclass's ``__init__`` written as
    ``__init__(self, *args, <its own keyword-only parameters>, **shared)``
    (passing ``args`` and ``shared`` on to `BaseBarenetEstimator`):
    the base's parameters, then its own.

    scikit-learn reads an estimator's parameters from
    ``inspect.signature(cls.__init__)`` (``get_params``, ``set_params``,
    ``clone``, ``repr``), which takes the declared signature; a call with
    a name that is neither the subclass's nor the base's fails in the base's
    ``__init__``, as with any function.
    """
    Parameter = inspect.Parameter
    own = list(inspect.signature(init).parameters.values())[1:]
    if [p.kind for p in own if p.kind is not Parameter.KEYWORD_ONLY] != [
            Parameter.VAR_POSITIONAL, Parameter.VAR_KEYWORD]:
        raise TypeError(f"{init.__qualname__} must take (self, *args, <keyword-only>, **shared)")
    shared = inspect.signature(BaseBarenetEstimator.__init__).parameters.values()
    init.__signature__ = inspect.Signature(
        [*shared, *(p for p in own if p.kind is Parameter.KEYWORD_ONLY)])
    return init
