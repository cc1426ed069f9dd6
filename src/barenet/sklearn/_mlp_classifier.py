"""The drop-in classifier: [`MLPClassifier`][barenet.sklearn.MLPClassifier].

What is the classifier's own: the labels, binarized as scikit-learn's MLP
binarizes them (``LabelBinarizer``: one logistic unit for two classes, a
softmax layer for more, one logistic unit per label for a multilabel
indicator matrix), ``partial_fit``'s ``classes``, the probabilities,
accuracy as the early-stopping score, and ``class_weight``. The rest is
`BaseMLP`'s.
"""

from types import SimpleNamespace

import numpy as np
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.metrics import accuracy_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import _check_partial_fit_first_call, type_of_target, unique_labels
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from ..core.namespace import namespace
from ..model import targets
from ..model.placement import labels, to_host
from ._arrays import DispatchedScoreMixin, input_dtype, placed
from ._classifier import _network_labels
from ._mlp import FLOATS, BaseMLP, set_parameters

MULTILABEL = "multilabel-indicator"


class MLPClassifier(DispatchedScoreMixin, ClassifierMixin, BaseMLP):
    """scikit-learn's ``MLPClassifier``, trained by barenet: the same
    parameters, fitted attributes and behaviour, on a barenet
    [`Network`][barenet.Network] (``network_``).

    It minimizes the log-loss (binary, categorical, or one binary
    cross-entropy per label for multilabel targets) plus the L2 term
    ``alpha / (2 n) * sum of squared weights`` for a batch of ``n`` samples.

    **Other array libraries.** With scikit-learn's ``array_api_dispatch`` on
    (unlike scikit-learn's MLP), a torch tensor, CuPy or ``array_api_strict``
    array ``X`` trains the network in its library, on its device, every
    solver: for 'lbfgs' the objective and gradient are computed there and
    SciPy's L-BFGS-B, on the host, gets float64 copies of the parameter
    vector and gradient per evaluation. ``coefs_``, ``intercepts_``, numeric
    ``classes_`` and what the methods return are arrays there (data of
    another library is scikit-learn's ValueError); ``loss_``, the curves and
    ``score`` stay Python floats; labels and weights are encoded with NumPy
    (string labels stay NumPy's). Sparse matrices are NumPy's, as
    scikit-learn takes them.

    Parameters
    ----------
    hidden_layer_sizes : array-like of int, or int, default (100,)
        Units of each hidden layer.
    activation : {'identity', 'logistic', 'tanh', 'relu', 'leaky_relu'} or list, default 'relu'
        The hidden layers' activation; barenet also takes 'leaky_relu' and a
        list with one name per hidden layer.
    solver : {'lbfgs', 'sgd', 'adam'}, default 'adam'
        'sgd': gradient descent with scikit-learn's momentum; 'adam':
        scikit-learn's Adam; 'lbfgs': SciPy's L-BFGS-B on the full batch.
    alpha : float, default 0.0001
        L2 strength, barenet's ``l2``.
    batch_size : int or 'auto', default 'auto'
        Mini-batch size of 'sgd' and 'adam'; 'auto' is ``min(200, n_samples)``.
    learning_rate : {'constant', 'invscaling', 'adaptive'}, default 'constant'
        The rate of 'sgd': constant; ``learning_rate_init / (t + 1) ** power_t``
        after ``t`` samples, set at the end of each epoch; or divided by 5 each
        time ``n_iter_no_change`` epochs do not improve by ``tol``, training
        stopping once it is at most 1e-6. A new rate applies to the new
        gradients; the velocity keeps the rates it was gathered with.
    learning_rate_init : float, default 0.001
        The rate of 'sgd' and 'adam'.
    power_t : float, default 0.5
        The exponent of 'invscaling'.
    max_iter : int, default 200
        The most epochs ('sgd', 'adam') or iterations ('lbfgs').
    shuffle : bool, default True
        Shuffle the samples every epoch ('sgd', 'adam').
    random_state : int, RandomState instance or None, default None
        The initial weights (scikit-learn's draws: the same ``random_state``
        gives scikit-learn's initial weights), the early-stopping split (the
        same as scikit-learn's) and the seed of the shuffles and dropout.
    tol : float, default 1e-4
        The improvement that counts, of the training loss or the validation
        score; for 'lbfgs', the gradient's tolerance.
    verbose : bool or int, default False
        Print ``Iteration k, loss = ...`` after each epoch, on stdout.
    warm_start : bool, default False
        ``fit`` goes on from the fitted network (a new optimizer; the classes
        must be the same).
    momentum : float, default 0.9
        The momentum of 'sgd', in [0, 1) (scikit-learn also takes 1).
    nesterovs_momentum : bool, default True
        Nesterov's momentum for 'sgd'.
    early_stopping : bool, default False
        Hold out ``validation_fraction`` of the samples (stratified, but not
        for multilabel targets) and stop when their accuracy has not improved
        by ``tol`` for ``n_iter_no_change`` epochs; the network ends with the
        parameters of the best score.
    validation_fraction : float, default 0.1
        In [0, 1); used with ``early_stopping``.
    beta_1, beta_2 : float, default 0.9 and 0.999
        Adam's moment decays, in [0, 1).
    epsilon : float, default 1e-8
        Adam's epsilon, added to the square root of the uncorrected second
        moment, as scikit-learn adds it.
    n_iter_no_change : int or numpy.inf, default 10
        The epochs without improvement that stop 'sgd' and 'adam'.
    max_fun : int, default 15000
        The most evaluations of the objective by 'lbfgs'.
    class_weight : dict, 'balanced' or None, default None
        barenet's: weights per class label, multiplied into ``sample_weight``;
        'balanced' weighs class ``c`` by ``n_samples / (n_classes * count(c))``.
        Not for multilabel targets.
    optimizer : barenet Optimizer or None, default None
        barenet's: an optimizer object such as ``barenet.RMSProp(lr=1e-3)``,
        which replaces ``solver`` (each ``fit`` trains with a fresh copy; its
        own settings apply, ``learning_rate`` and ``momentum`` do not).
    schedule : str, barenet Schedule or None, default None
        barenet's: a learning-rate schedule over the epochs of ``fit``
        ([`barenet.schedules`][barenet.optim.schedules]); with 'sgd', only with
        ``learning_rate='constant'``.
    dropout : float or list of float, default 0.0
        barenet's: inverted-dropout rate of the hidden layers, for all or one
        each ('sgd', 'adam', an optimizer).
    batch_norm : bool or list of bool, default False
        barenet's: batch normalization of the hidden layers, for all or per layer.
    dtype : {'float64', 'float32'} or None, default None
        barenet's: the network's dtype; None follows the input as scikit-learn
        does (float32 stays float32, anything else is float64).
    callbacks : list of barenet Callback or None, default None
        barenet's: called during training ([`barenet.callbacks`][barenet.callbacks]),
        after the estimator's own bookkeeping of each epoch ('sgd', 'adam',
        an optimizer).
    standardize : bool, default False
        barenet's: standardize the inputs inside the network, from the
        samples of the first ``fit``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels (for multilabel targets, ``0 .. n_labels - 1``); an
        array of the network's library when they are numbers.
    coefs_, intercepts_ : list of ndarray
        Each layer's weights ``(n_in, n_out)`` and biases ``(n_out,)``: views
        into the network's parameters, of its library and device.
    loss_ : float
        The objective of the last epoch (mean over its batches, L2 included),
        or for 'lbfgs' at the solution.
    best_loss_ : float or None
        The lowest ``loss_`` seen; None with ``early_stopping``.
    loss_curve_ : list of float
        ``loss_`` of every epoch, over all calls ('sgd', 'adam').
    validation_scores_ : list of float or None
        The validation accuracy after every epoch, with ``early_stopping``.
    best_validation_score_ : float or None
        The best of them, with ``early_stopping``.
    t_ : int
        Training samples seen by the stochastic solver, over all calls.
    n_iter_ : int
        Epochs (iterations for 'lbfgs') of the last call.
    n_layers_, n_outputs_ : int
        Layers (inputs and outputs included) and output units.
    out_activation_ : str
        'logistic' or 'softmax'.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` had feature names (a DataFrame).
    network_ : barenet.Network
        The trained network, with its ``history_`` (the last call's epochs);
        ``save(path)`` writes it in barenet's format.
    optimizer_ : barenet Optimizer or None
        The network's optimizer and its state; None for 'lbfgs'.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.preprocessing import StandardScaler
    >>> from barenet.sklearn import MLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> clf = MLPClassifier((16,), learning_rate_init=0.01, max_iter=300, random_state=0)
    >>> clf.fit(X, y).score(X, y) > 0.95
    True
    """

    _parameter_constraints = {**BaseMLP._parameter_constraints,
                              "class_weight": [None, StrOptions({"balanced"}), dict]}

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="adam",
                 alpha=0.0001, batch_size="auto", learning_rate="constant",
                 learning_rate_init=0.001, power_t=0.5, max_iter=200, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10, max_fun=15000,
                 class_weight=None, optimizer=None, schedule=None, dropout=0.0,
                 batch_norm=False, dtype=None, callbacks=None, standardize=False):
        set_parameters(self, locals())

    @available_if(lambda est: est._check_solver())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Train one epoch on ``(X, y)``, going on from the fitted network if
        there is one ('sgd', 'adam' or an ``optimizer`` only).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Labels among ``classes``; a batch may hold only some of them.
        sample_weight : array-like of shape (n_samples,), optional
        classes : array-like of shape (n_classes,), optional
            Every label there will be: required on the first call, the same
            if given later.

        Returns
        -------
        self
        """
        if self._first_partial_fit(classes):
            self._label_binarizer = LabelBinarizer()
            if type_of_target(to_host(y)).startswith("multilabel"):
                self._label_binarizer.fit(to_host(y))
            else:
                self._label_binarizer.fit(self.classes_)
        return self._fit(X, y, sample_weight, incremental=True)

    def _first_partial_fit(self, classes):
        """Whether this is ``partial_fit``'s first call (setting ``classes_``):
        scikit-learn's ``_check_partial_fit_first_call``, on host copies."""
        known = getattr(self, "classes_", None)
        host = SimpleNamespace(classes_=None if known is None else to_host(known))
        first = _check_partial_fit_first_call(host, None if classes is None else to_host(classes))
        if first:
            self.classes_ = host.classes_
        return first

    def predict(self, X):
        """Labels: of the most probable class, or each label whose
        probability is above 0.5 (multilabel).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_labels)
            Values from ``classes_`` (0/1 for multilabel targets), of its library.
        """
        check_is_fitted(self)
        return self._labels(self._forward(X, "predict"))

    def predict_proba(self, X):
        """Class probabilities, columns in the order of ``classes_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            In the network's dtype, library and device; rows sum to 1, except
            for multilabel targets (one probability per label).
        """
        return self._proba(X, "predict_proba")

    def predict_log_proba(self, X):
        """The logarithm of `predict_proba`; ``-inf`` where a saturated
        output's probability is 0, as scikit-learn's, without a warning.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        P = self._proba(X, "predict_log_proba")
        with np.errstate(divide="ignore"):  # also for libraries computing with NumPy
            return np.log(P, out=P) if type(P) is np.ndarray else namespace(P).log(P)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags

    # ------------------------------------------------------------- internals

    def _proba(self, X, method):
        """``predict_proba`` for ``method`` (two columns for one output unit)."""
        P = self._forward(X, method)
        if self.n_outputs_ == 1:
            P = namespace(P).stack([1 - P[:, 0], P[:, 0]], axis=1)
        return P

    def _validate_input(self, X, y, incremental, reset):
        """``X`` and the labels binarized, as scikit-learn's MLP checks them:
        the classes are set by a new fit, kept (and checked) by a warm start
        or ``partial_fit``. Binarized with NumPy; numeric ``classes_`` go where ``X`` is."""
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], multi_output=True,
                             dtype=input_dtype(X, FLOATS), reset=reset)
        y = to_host(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            fitted = to_host(self.classes_)
            if self.warm_start:
                if set(classes) != set(fitted):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same classes as in "
                        f"the previous call to fit. Previously got {fitted}, `y` has "
                        f"{classes}"
                    )
            elif len(np.setdiff1d(classes, fitted, assume_unique=True)):
                raise ValueError(
                    f"`y` has classes not in `self.classes_`. `self.classes_` has "
                    f"{fitted}. 'y' has {classes}."
                )
        classes_ = to_host(self.classes_)
        if len(classes_) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of two or more classes; y has one "
                f"class only: {classes_.tolist()}"
            )
        self.classes_ = placed(classes_, X)
        return X, self._label_binarizer.transform(y).astype(bool)

    def _multilabel(self):
        return self._label_binarizer.y_type_ == MULTILABEL

    def _output_activation(self):
        return "softmax" if self._label_binarizer.y_type_ == "multiclass" else "sigmoid"

    def _network_loss(self):
        return None  # binary cross-entropy for sigmoid outputs, categorical for softmax

    def _network_targets(self, net, Y):
        """The labels ``net.fit`` takes (giving ``net`` its ``classes_``), or
        the indicator matrix for multilabel targets."""
        if self._multilabel():
            net.classes_ = np.arange(Y.shape[1])
            return Y.astype(np.int8)
        net.classes_ = _network_labels(self._label_binarizer.classes_)
        return net.classes_[self._indices(Y)]

    @staticmethod
    def _indices(Y):
        """Each sample's class index, from the binarized labels ``Y``."""
        return Y[:, 0].astype(np.intp) if Y.shape[1] == 1 else Y.argmax(axis=1)

    def _stratify(self, Y):
        return None if self._multilabel() else Y

    def _class_weights(self, Y):
        if self.class_weight is None:
            return None
        if self._multilabel():
            raise ValueError("class_weight needs one class per sample; for multilabel targets "
                             "weigh the samples with sample_weight instead")
        return targets.class_weights(self.class_weight, self._indices(Y), to_host(self.classes_))

    def _labels(self, P):
        """Labels from the network's outputs ``P`` as scikit-learn's MLP gives
        them (``LabelBinarizer.inverse_transform``: above 0.5 for a logistic
        unit, else the most probable class), in ``P``'s library if it can hold them."""
        if self.n_outputs_ == 1:
            P = P[:, 0]
        if type(P) is np.ndarray:
            return self._label_binarizer.inverse_transform(P)
        xp = namespace(P)
        above = xp.astype(P > 0.5, getattr(xp, np.dtype(int).name))  # int as NumPy's
        if self._multilabel():
            return above
        index = xp.argmax(P, axis=1) if P.ndim == 2 else above
        return labels(self._label_binarizer.classes_, index)

    def _validation_score(self, X, Y, sample_weight):
        P = self._validation_outputs(X)
        if P is None:
            return float("nan")
        y = self._label_binarizer.inverse_transform(Y)
        return float(accuracy_score(y, self._labels(P), sample_weight=sample_weight))
