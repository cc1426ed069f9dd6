"""The scikit-learn classifier: [`BarenetClassifier`][barenet.sklearn.BarenetClassifier].

What is the classifier's own: the labels (any sortable values, kept sorted in
``classes_``; one sigmoid unit for two classes, a softmax layer for more),
``class_weight``, ``partial_fit``'s ``classes``, ``predict_proba``. The rest is
`BaseBarenetEstimator`'s.
"""

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted

from ..core.namespace import namespace, to_numpy
from ..model import targets
from ..model.placement import to_host
from ._arrays import DispatchedScoreMixin, as_float64
from ._base import BaseBarenetEstimator, adds_parameters


class BarenetClassifier(DispatchedScoreMixin, ClassifierMixin, BaseBarenetEstimator):
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
        The hidden layers' activation
        ([`barenet.activations.REGISTRY`][barenet.activations.REGISTRY]): one name for all, or one
        per hidden layer.
    init : {'he', 'xavier', 'random'} or callable, default 'he'
        Weight initialization ([`barenet.initializers`][barenet.core.initializers]).
    optimizer : str or barenet Optimizer, default 'adam'
        A name from [`barenet.optimizers.REGISTRY`][barenet.optimizers.REGISTRY] ('gd', 'momentum',
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
        ([`barenet.schedules`][barenet.optim.schedules]: 'step', 'exponential', 'inverse_time',
        'cosine').
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
        ([`barenet.EarlyStopping`][barenet.EarlyStopping] on 'val_loss'). ``fit`` only.
    validation_fraction : float, default 0.1
    n_iter_no_change : int, default 10
    tol : float, default 1e-4
        EarlyStopping's ``patience`` and ``min_delta``.
    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, default None
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
        precision, unlike [`Network`][barenet.Network]'s float32 default) makes
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
    classes_ : array of shape (n_classes,)
        NumPy's, or for numeric labels fitted with ``array_api_dispatch`` on
        another library's data, an array of that library and device.
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

    @adds_parameters
    def __init__(self, *args, class_weight=None, **shared):
        super().__init__(*args, **shared)
        self.class_weight = class_weight

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
        array of shape (n_samples, n_classes), float64
            Columns in the order of ``classes_``; rows sum to 1. An array of
            the library and device the estimator was fitted on (NumPy's,
            without ``array_api_dispatch``).
        """
        return self._proba(X, "predict_proba")

    def predict(self, X):
        """Labels of the most probable classes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        array of shape (n_samples,)
            Values from ``classes_``, of its library and device.
        """
        check_is_fitted(self)
        P = self._proba(X, "predict")
        if type(P) is np.ndarray:
            return self.classes_[np.argmax(P, axis=1)]
        xp = namespace(P)
        index = xp.argmax(P, axis=1)
        if type(self.classes_) is np.ndarray:  # labels the library cannot hold
            return self.classes_[to_numpy(index)]
        return xp.take(self.classes_, index, axis=0)

    # ------------------------------------------------------------- internals

    def _proba(self, X, method):
        X = self._validated(X, method)
        return as_float64(self.network_.predict_proba(X))

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
        classes_ = self._new_classes(y, classes) if first else self._same_classes(classes)
        index = np.searchsorted(classes_, y)
        unknown = (index >= len(classes_)) | (classes_[np.minimum(index, len(classes_) - 1)] != y)
        if unknown.any():
            raise ValueError(
                f"y has labels that are not among the classes {classes_.tolist()}: "
                f"{np.unique(y[unknown])[:5].tolist()}"
            )
        return index, classes_, 1 if len(classes_) == 2 else len(classes_)

    @staticmethod
    def _new_classes(y, classes):
        """The classes of a new network: those of ``classes``, or else of ``y``."""
        classes_ = np.unique(y if classes is None else np.asarray(to_host(classes)))
        if len(classes_) < 2:
            where = "y" if classes is None else "classes"
            raise ValueError(
                f"{where} has only one class ({classes_.tolist()}); a classifier needs "
                "two or more"
            )
        return classes_

    def _same_classes(self, classes):
        """The fitted classes (as NumPy's), which ``classes`` (if given) must repeat."""
        fitted = to_host(self.classes_)
        if classes is not None and not np.array_equal(np.unique(to_host(classes)), fitted):
            raise ValueError(
                f"classes {np.unique(to_host(classes)).tolist()} differ from those of the "
                f"first call, {fitted.tolist()}"
            )
        return fitted

    def _class_weights(self, y, classes):
        """Each sample's class weight (``y`` holds class indices), or None."""
        if self.class_weight is None:
            return None
        return targets.class_weights(self.class_weight, y, classes)

    def _network_targets(self, net, y, classes):
        """Give ``net`` the labels it keeps (and saves) and return the class
        indices ``y`` as those labels (``Network.fit`` encodes them itself)."""
        net.classes_ = _network_labels(classes)
        return net.classes_[y]


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
