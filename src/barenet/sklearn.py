"""scikit-learn estimators: :class:`BarenetClassifier` and :class:`BarenetRegressor`.

Each wraps a :class:`barenet.Network` behind scikit-learn's estimator API, so
that it works in ``Pipeline``, ``GridSearchCV``, ``cross_val_score`` and with
joblib (and joblib's Dask backend)::

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

The fitted :class:`~barenet.Network` is ``network_``; ``save(path)`` writes it
in barenet's own file format (arrays and JSON, read back by
:func:`barenet.load`), the recommended way to keep a model. The estimators
also pickle (joblib needs that): a pickle holds the network in that same format.

The names do not shadow scikit-learn's own estimators, so
``from barenet.sklearn import BarenetClassifier`` sits beside
``from sklearn.neural_network import MLPClassifier``.
"""

import copy
import inspect
import numbers
import os
import tempfile

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    ClassNamePrefixFeaturesOutMixin,
    RegressorMixin,
    TransformerMixin,
)
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from .core import activations as _activations
from . import optimizers as _optimizers
from ._checks import (
    check_bool,
    check_float_dtype,
    check_fraction,
    check_int,
    check_positive,
    check_real,
)
from .callbacks import EarlyStopping
from .network import Network
from .persistence import load as _load

__all__ = ["BarenetClassifier", "BarenetRegressor"]

# The plain optimizer settings, each passed to the optimizers that take it.
_OPTIMIZER_SETTINGS = ("beta", "beta1", "beta2", "eps", "weight_decay", "nesterov", "clipnorm")


def _seed(random_state):
    """The ``seed`` for a :class:`~barenet.Network` from a ``random_state``:
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


class _BarenetEstimator(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """What the classifier and the regressor share: checking the parameters,
    building the Network and its optimizer, training, ``transform``, pickling.

    A subclass gives ``_y_checks`` (what ``validate_data`` checks of y),
    ``_output_activation(n_outputs)`` and ``_targets(y, first, classes, fit)``,
    which returns the targets in the form training takes (class indices for a
    classifier), the classes (or None) and the number of output units.
    """

    # ------------------------------------------------------------ parameters

    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, numbers.Integral) and not isinstance(sizes, bool):
            sizes = (sizes,)
        if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__"):
            raise TypeError(
                f"hidden_layer_sizes must be a tuple of integers, got {self.hidden_layer_sizes!r}"
            )
        return tuple(check_int(f"hidden_layer_sizes[{i}]", n, minimum=1)
                     for i, n in enumerate(sizes))

    def _hidden_activations(self, n_hidden):
        activation = self.activation
        if isinstance(activation, (list, tuple)):
            if len(activation) != n_hidden:
                raise ValueError(
                    f"activation has {len(activation)} entries but there are {n_hidden} "
                    "hidden layers; give one name for all, or one per hidden layer"
                )
            return list(activation)
        return [activation] * n_hidden

    def _check_params(self):
        """Check the parameters that barenet's constructors do not check under
        the same names (the others are checked as the Network, its optimizer and
        its schedule are made, still before any training)."""
        check_positive("learning_rate", self.learning_rate)
        for name in ("beta", "beta1", "beta2"):
            check_fraction(name, getattr(self, name))
        check_positive("eps", self.eps)
        if check_real("weight_decay", self.weight_decay) < 0:
            raise ValueError(f"weight_decay must be >= 0, got {self.weight_decay!r}")
        check_bool("nesterov", self.nesterov)
        if self.clipnorm is not None:
            check_positive("clipnorm", self.clipnorm)
        if check_real("alpha", self.alpha) < 0:
            raise ValueError(f"alpha must be >= 0, got {self.alpha!r}")
        check_int("max_iter", self.max_iter, minimum=1)
        if self.batch_size is not None:
            check_int("batch_size", self.batch_size, minimum=1)
        check_bool("shuffle", self.shuffle)
        if check_bool("early_stopping", self.early_stopping):
            fraction = check_real("validation_fraction", self.validation_fraction)
            if not 0 < fraction < 1:
                raise ValueError(
                    f"validation_fraction must be in (0, 1), got {self.validation_fraction!r}"
                )
            check_int("n_iter_no_change", self.n_iter_no_change, minimum=1)
            if check_real("tol", self.tol) < 0:
                raise ValueError(f"tol must be >= 0, got {self.tol!r}")
        check_bool("warm_start", self.warm_start)
        check_int("transform_layer", self.transform_layer)
        check_float_dtype("dtype", self.dtype)
        check_bool("standardize", self.standardize)

    def _make_optimizer(self):
        """A new optimizer with no state: a copy of an optimizer object, or
        the named one with ``learning_rate`` and the settings it takes."""
        optimizer = self.optimizer
        if isinstance(optimizer, _optimizers.Optimizer):
            optimizer = copy.deepcopy(optimizer)
            optimizer.reset()
            return optimizer
        if not (isinstance(optimizer, str) and optimizer in _optimizers.REGISTRY):
            raise ValueError(
                f"optimizer must be a barenet Optimizer or one of "
                f"{', '.join(map(repr, _optimizers.REGISTRY))}, got {optimizer!r}"
            )
        cls = _optimizers.REGISTRY[optimizer]
        settings = {"lr": self.learning_rate}
        settings.update((name, getattr(self, name)) for name in _OPTIMIZER_SETTINGS)
        taken = inspect.signature(cls).parameters
        return cls(**{k: v for k, v in settings.items() if k in taken})

    def _make_network(self, n_features, n_outputs):
        hidden = self._hidden_sizes()
        return Network(
            [n_features, *hidden, n_outputs],
            self._hidden_activations(len(hidden)) + [self._output_activation(n_outputs)],
            init=self.init, seed=_seed(self.random_state), dtype=self.dtype,
            l2=float(self.alpha), dropout=self.dropout, batch_norm=self.batch_norm,
            standardize=self.standardize,
        )

    def _same_architecture(self, net, n_features, n_outputs):
        """Whether ``net`` is the network the parameters describe (for warm starts)."""
        hidden = self._hidden_sizes()
        n_hidden = len(hidden)

        def per_layer(value, off):
            value = off if value is None else value
            return list(value) if isinstance(value, (list, tuple)) else [value] * n_hidden

        try:
            wanted = [_activations.get(a) for a in self._hidden_activations(n_hidden)]
            return (net.layer_sizes == (n_features, *hidden, n_outputs)
                    and net.dtype == check_float_dtype("dtype", self.dtype)
                    and net.standardize == check_bool("standardize", self.standardize)
                    and list(net.activations[:-1]) == wanted
                    and list(net.dropout[:-1]) == [float(r) for r in per_layer(self.dropout, 0.0)]
                    and list(net.batch_norm[:-1]) == [bool(b) for b in
                                                      per_layer(self.batch_norm, False)])
        except (TypeError, ValueError):
            return False

    # --------------------------------------------------------------- training

    def _fitted(self):
        return hasattr(self, "network_")

    def _fit(self, X, y, sample_weight, incremental, classes=None):
        """Train for ``max_iter`` epochs (``fit``) or one (``partial_fit``).

        A new network is made unless ``incremental`` or ``warm_start`` (and
        one has been fitted); an existing one goes on with its optimizer and
        its state, unless the optimizer's settings changed.
        """
        self._check_params()
        dtype = check_float_dtype("dtype", self.dtype)
        first = not self._fitted() or not (incremental or self.warm_start)
        X, y = validate_data(self, X, y, reset=first, dtype=dtype, **self._y_checks)
        y, classes_, n_outputs = self._targets(y, first, classes, fit=not incremental)
        weights = self._weights(sample_weight, y, X.shape[0], classes_, fit=not incremental)

        optimizer = self._make_optimizer()
        if first:
            net = self._make_network(X.shape[1], n_outputs)
            history = {}
        else:
            net = self.network_
            if not self._same_architecture(net, X.shape[1], n_outputs):
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
            history = self.history_
        if classes_ is not None:
            net.classes_ = self._network_labels(classes_)
            y = net.classes_[y]  # Network.fit encodes the labels itself

        callbacks = []
        early = self.early_stopping and not incremental
        if early:
            callbacks.append(EarlyStopping("val_loss", patience=self.n_iter_no_change,
                                           min_delta=float(self.tol)))
        net.fit(
            X, y, optimizer=optimizer, epochs=1 if incremental else self.max_iter,
            batch_size=self.batch_size, validation_split=self.validation_fraction if early
            else None, shuffle=self.shuffle, sample_weight=weights,
            schedule=None if incremental else self.schedule, callbacks=callbacks,
            verbose=bool(self.verbose),
        )
        self.network_ = net
        self.optimizer_ = net.optimizer_
        if classes_ is not None:
            self.classes_ = classes_
        self.n_outputs_ = n_outputs
        history = {key: list(values) for key, values in history.items()}
        for key, values in net.history_.items():
            history.setdefault(key, []).extend(values)
        self.history_ = history
        self.n_iter_ = len(history["loss"])
        self.best_epoch_ = callbacks[0].best_epoch if early else None
        return self

    def _weights(self, sample_weight, y, n_samples, classes, fit):
        """Sample weights times class weights, scaled to a mean of 1 (so that only
        their ratios matter); None when all are equal."""
        weights = np.ones(n_samples)
        if sample_weight is not None:
            weights = np.asarray(sample_weight, dtype=np.float64)
            if weights.shape != (n_samples,):
                raise ValueError(
                    f"sample_weight must have shape ({n_samples},), got {weights.shape}"
                )
            if not np.isfinite(weights).all() or (weights < 0).any():
                raise ValueError("sample_weight must be finite and >= 0")
        class_weight = getattr(self, "class_weight", None)
        if class_weight is not None:
            weights = weights * self._class_weights(class_weight, y, classes)
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

    # ---------------------------------------------------------------- outputs

    def transform(self, X):
        """The activations of hidden layer ``transform_layer`` (by default the
        last) for each sample: learned features, e.g. for another model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, hidden_layer_sizes[transform_layer])
            In the network's dtype; dropout is off, batch normalization uses
            its running statistics.
        """
        check_is_fitted(self)
        net = self.network_
        layer = self._transform_index()
        X = validate_data(self, X, reset=False, dtype=net.dtype)
        _, workspace = net._forward(net._check_X(X).T)  # standardized, with a scaler
        return np.ascontiguousarray(workspace.A[layer].T)

    def _transform_index(self):
        n_hidden = len(self.network_.layer_sizes) - 2
        layer = check_int("transform_layer", self.transform_layer)
        if n_hidden == 0:
            raise ValueError("transform needs a hidden layer; hidden_layer_sizes is empty")
        if not -n_hidden <= layer < n_hidden:
            raise ValueError(
                f"transform_layer must index one of the {n_hidden} hidden layers "
                f"(from {-n_hidden} to {n_hidden - 1}), got {layer}"
            )
        return layer % n_hidden

    @property
    def _n_features_out(self):
        return self.network_.layer_sizes[1 + self._transform_index()]

    def _validated(self, X):
        check_is_fitted(self)
        return validate_data(self, X, reset=False, dtype=self.network_.dtype)

    def save(self, path, training_state=False):
        """Write the fitted network to ``path`` in barenet's own format, the way
        to keep a model: ``barenet.load(path)`` gives back the
        :class:`~barenet.Network` (``network_``), whose ``predict`` returns the
        same labels. See :meth:`barenet.Network.save`."""
        check_is_fitted(self)
        self.network_.save(path, training_state=training_state)

    def __sklearn_is_fitted__(self):
        return self._fitted()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        try:
            tags.transformer_tags.preserves_dtype = [check_float_dtype("dtype", self.dtype).name]
        except (TypeError, ValueError):
            tags.transformer_tags.preserves_dtype = []
        return tags

    # --------------------------------------------------------------- pickling

    def __getstate__(self):
        # A Network's weights are views into one parameter vector, which pickle
        # would turn into separate copies (so that training on would no longer
        # move them); the pickle holds the network in barenet's own file format
        # instead, with the optimizer's state and the random state when the
        # optimizer is one of barenet's (a custom one is pickled as it is).
        state = super().__getstate__()
        if "network_" in state:
            state = dict(state)
            net = state["network_"]
            ours = type(net.optimizer_) is _optimizers.REGISTRY.get(net.optimizer_.name)
            state["network_"] = _network_to_bytes(net, training_state=ours)
            if ours:
                del state["optimizer_"]
        return state

    def __setstate__(self, state):
        if isinstance(state.get("network_"), bytes):
            state = dict(state)
            net = state["network_"] = _network_from_bytes(state["network_"])
            if "optimizer_" in state:
                net.optimizer_ = state["optimizer_"]
            state["optimizer_"] = net.optimizer_
        super().__setstate__(state)


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


class BarenetClassifier(ClassifierMixin, _BarenetEstimator):
    """A barenet network as a scikit-learn classifier.

    Binary problems get one sigmoid output unit (binary cross-entropy), more
    classes a softmax layer (categorical cross-entropy). Labels may be
    integers, strings or any sortable values; ``classes_`` keeps them sorted,
    and the columns of ``predict_proba`` follow it.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default (100,)
        Units of each hidden layer; ``()`` has none (a linear model). The input
        and output layers follow from the data.
    activation : str or tuple of str, default 'relu'
        The hidden layers' activation (:data:`barenet.activations.REGISTRY`):
        one name for all, or one per hidden layer.
    init : {'he', 'xavier', 'random'} or callable, default 'he'
        Weight initialization (:mod:`barenet.initializers`).
    optimizer : str or barenet Optimizer, default 'adam'
        A name from :data:`barenet.optimizers.REGISTRY` ('gd', 'momentum',
        'rmsprop', 'adam', 'adamw'), built with ``learning_rate`` and those of
        the settings below that it takes; or an optimizer object such as
        ``barenet.AdamW(lr=1e-3, weight_decay=0.05)``, whose own settings are
        used (each ``fit`` trains with a fresh copy; the object is not changed).
    learning_rate : float, default 0.001
        The optimizer's ``lr`` (its rate before any ``schedule``).
    beta : float, default 0.9
        Momentum's and RMSProp's averaging factor.
    beta1, beta2 : float, default 0.9 and 0.999
        Adam's and AdamW's moment factors.
    eps : float, default 1e-8
        RMSProp's, Adam's and AdamW's epsilon.
    weight_decay : float, default 0.01
        AdamW's decoupled weight decay.
    nesterov : bool, default False
        Nesterov momentum (optimizer 'momentum').
    clipnorm : float or None, default None
        Clip each step's gradient to this global norm (every optimizer).
    alpha : float, default 0.0001
        L2 penalty, barenet's ``l2``: ``alpha / (2 m) * sum of squared
        weights`` for a batch of ``m`` samples (scikit-learn's MLP convention).
    dropout : float or tuple of float, default 0.0
        Inverted-dropout rate of the hidden layers: one for all, or one each.
    batch_norm : bool or tuple of bool, default False
        Batch normalization of the hidden layers: for all, or per layer.
    schedule : str or barenet Schedule or None, default None
        Learning-rate schedule over the epochs of ``fit``
        (:mod:`barenet.schedules`: 'step', 'exponential', 'inverse_time', 'cosine').
    max_iter : int, default 200
        Epochs of ``fit`` (the most, with ``early_stopping``). ``partial_fit``
        trains one epoch.
    batch_size : int or None, default 32
        Mini-batch size; None is full-batch gradient descent.
    shuffle : bool, default True
        Shuffle the samples each epoch.
    early_stopping : bool, default False
        Hold out ``validation_fraction`` of the training data and stop when
        its loss has not improved by more than ``tol`` for
        ``n_iter_no_change`` epochs, keeping the best epoch's weights
        (:class:`barenet.EarlyStopping` on 'val_loss'). ``fit`` only.
    validation_fraction : float, default 0.1
    n_iter_no_change : int, default 10
    tol : float, default 1e-4
        EarlyStopping's ``patience`` and ``min_delta``.
    random_state : int, numpy.random.Generator, numpy.random.RandomState or None
        The network's seed (initial weights, shuffling, dropout, validation
        split). An int makes ``fit`` reproducible; from a Generator or
        RandomState each ``fit`` draws a new seed; None draws fresh entropy.
    warm_start : bool, default False
        ``fit`` goes on training the fitted network, with its optimizer and
        the optimizer's state (a fresh optimizer if its settings changed).
    verbose : bool, default False
        Progress on stderr: a bar on a terminal, a plain line every tenth
        of the run elsewhere.
    dtype : {'float64', 'float32'}, default 'float64'
        The network's dtype; inputs are cast to it. float64 (scikit-learn's
        precision, unlike :class:`~barenet.Network`'s float32 default) makes
        a sample's prediction independent of the samples predicted with it;
        'float32' is faster, its outputs may differ in the last bit (~1e-7)
        from one batch to another.
    transform_layer : int, default -1
        The hidden layer whose activations ``transform`` returns (an index
        into ``hidden_layer_sizes``; -1 is the last).
    standardize : bool, default False
        Standardize the inputs inside the network (``Network``'s
        ``standardize``): ``fit`` computes each column's mean and standard
        deviation from the samples it trains on (not the early-stopping
        hold-out) and every method then takes raw features; the scaling is
        saved with the network and exported to ONNX. ``warm_start`` and
        ``partial_fit`` keep the scaling of the first call (for
        ``partial_fit``, computed from its batch alone).
    class_weight : dict, 'balanced' or None, default None
        Weights per class label, multiplied into ``sample_weight``;
        'balanced' weighs class ``c`` by ``n_samples / (n_classes * count(c))``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    network_ : barenet.Network
        The trained network. ``save(path)`` writes it in barenet's format.
    optimizer_ : barenet Optimizer
        Its optimizer, with its state (what ``warm_start`` and
        ``partial_fit`` carry on with).
    history_ : dict of lists
        Per-epoch figures of every epoch trained, over all calls: 'loss' (the
        training objective, L2 included) and 'accuracy' on the training
        batches; with early stopping 'val_loss' and 'val_accuracy' on the
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
    >>> from sklearn.datasets import load_iris
    >>> from barenet.sklearn import BarenetClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = BarenetClassifier((16,), learning_rate=0.01, max_iter=100, random_state=0)
    >>> clf.fit(X, y).score(X, y) > 0.95
    True
    """

    _y_checks = {}

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, init="he",
                 optimizer="adam", learning_rate=0.001, beta=0.9, beta1=0.9, beta2=0.999,
                 eps=1e-8, weight_decay=0.01, nesterov=False, clipnorm=None, alpha=0.0001,
                 dropout=0.0, batch_norm=False, schedule=None, max_iter=200, batch_size=32,
                 shuffle=True, early_stopping=False, validation_fraction=0.1,
                 n_iter_no_change=10, tol=1e-4, class_weight=None, random_state=None,
                 warm_start=False, verbose=False, dtype="float64", transform_layer=-1,
                 standardize=False):
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
        self.class_weight = class_weight
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
        y : array-like of shape (n_samples,)
            Class labels, two or more distinct ones.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights; only their ratios matter.

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=False)

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train one epoch on ``(X, y)``, going on from the fitted network if
        there is one.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Labels among ``classes``; a batch may hold only some of them.
        classes : array-like of shape (n_classes,), optional
            Every label there will be; required on the first call (when
            nothing has been fitted), and if given later, the same.
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        self
        """
        if not self._fitted() and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit")
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes), float64
            Columns in the order of ``classes_``; rows sum to 1.
        """
        X = self._validated(X)
        return self.network_.predict_proba(X).astype(np.float64)

    def predict(self, X):
        """Labels of the most probable classes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
            Values from ``classes_``.
        """
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    # ------------------------------------------------------------- internals

    def _output_activation(self, n_outputs):
        return "sigmoid" if n_outputs == 1 else "softmax"

    def _targets(self, y, first, classes, fit):
        """The labels as indices into the classes, the classes, the output units."""
        check_classification_targets(y)
        kind = type_of_target(y, input_name="y")
        if kind not in ("binary", "multiclass"):
            raise ValueError(
                f"{type(self).__name__} takes binary or multiclass labels, got {kind}"
            )
        if first:
            classes_ = np.unique(y if classes is None else np.asarray(classes))
            if len(classes_) < 2:
                where = "y" if classes is None else "classes"
                raise ValueError(
                    f"{where} has only one class ({classes_.tolist()}); a classifier needs "
                    "two or more"
                )
        else:
            classes_ = self.classes_
            if classes is not None and not np.array_equal(np.unique(classes), classes_):
                raise ValueError(
                    f"classes {np.unique(classes).tolist()} differ from those of the first "
                    f"call, {classes_.tolist()}"
                )
        index = np.searchsorted(classes_, y)
        unknown = (index >= len(classes_)) | (classes_[np.minimum(index, len(classes_) - 1)] != y)
        if unknown.any():
            raise ValueError(
                f"y has labels that are not among the classes {classes_.tolist()}: "
                f"{np.unique(y[unknown])[:5].tolist()}"
            )
        return index, classes_, 1 if len(classes_) == 2 else len(classes_)

    def _class_weights(self, class_weight, index, classes):
        """Each sample's class weight."""
        if isinstance(class_weight, str) and class_weight == "balanced":
            counts = np.bincount(index, minlength=len(classes))
            per_class = len(index) / (np.count_nonzero(counts) * np.maximum(counts, 1))
        elif isinstance(class_weight, dict):
            position = {label: i for i, label in enumerate(classes.tolist())}
            per_class = np.ones(len(classes))
            for label, weight in class_weight.items():
                if label not in position:
                    raise ValueError(
                        f"class_weight names {label!r}, which is not a class; the classes "
                        f"are {classes.tolist()}"
                    )
                weight = check_real(f"class_weight[{label!r}]", weight)
                if weight < 0:
                    raise ValueError(f"class_weight[{label!r}] must be >= 0, got {weight}")
                per_class[position[label]] = weight
        else:
            raise TypeError(
                f"class_weight must be a dict, 'balanced' or None, got {class_weight!r}"
            )
        return per_class[index]

    @staticmethod
    def _network_labels(classes):
        """The labels the Network keeps (and saves): the classes themselves,
        or for an object array its plain NumPy version, or failing that 0..K-1."""
        if classes.dtype != object:
            return classes
        try:
            plain = np.asarray(classes.tolist())
        except (TypeError, ValueError):
            plain = None
        if plain is not None and plain.dtype != object and plain.shape == classes.shape \
                and np.array_equal(np.unique(plain), plain):
            return plain
        return np.arange(len(classes))


class BarenetRegressor(RegressorMixin, _BarenetEstimator):
    """A barenet network as a scikit-learn regressor.

    The output layer is linear, one unit per target column, trained on the
    mean squared error; ``score`` is R^2.

    Parameters
    ----------
    hidden_layer_sizes, activation, init, optimizer, learning_rate, beta, beta1, beta2, eps, \
weight_decay, nesterov, clipnorm, alpha, dropout, batch_norm, schedule, max_iter, batch_size, \
shuffle, early_stopping, validation_fraction, n_iter_no_change, tol, random_state, \
warm_start, verbose, dtype, transform_layer, standardize
        As for :class:`BarenetClassifier` (which has ``class_weight`` besides).

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

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, init="he",
                 optimizer="adam", learning_rate=0.001, beta=0.9, beta1=0.9, beta2=0.999,
                 eps=1e-8, weight_decay=0.01, nesterov=False, clipnorm=None, alpha=0.0001,
                 dropout=0.0, batch_norm=False, schedule=None, max_iter=200, batch_size=32,
                 shuffle=True, early_stopping=False, validation_fraction=0.1,
                 n_iter_no_change=10, tol=1e-4, random_state=None, warm_start=False,
                 verbose=False, dtype="float64", transform_layer=-1, standardize=False):
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
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights; only their ratios matter.

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=False)

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
        ndarray of shape (n_samples,) or (n_samples, n_targets), float64
            1-D when the network has one output.
        """
        X = self._validated(X)
        return self.network_.predict(X).astype(np.float64)

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
