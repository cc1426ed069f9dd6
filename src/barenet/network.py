"""``Network``: a fully connected L-layer network on the shared math core.

The user-facing layout is samples x features, as in scikit-learn, Keras and
PyTorch: ``X`` has shape ``(n_samples, n_features)``. Inside, every layer works
on the transposed view (one column per sample), exactly as the notebook's
functions do, through the same :mod:`~barenet.activations`,
:mod:`~barenet.losses` and :mod:`~barenet.linear` code.

All parameters live in one flat vector, ``parameters``; ``weights[l]`` (shape
``(n_{l+1}, n_l)``) and ``biases[l]`` (shape ``(n_{l+1}, 1)``) are views into
it, and the gradients fill a twin vector the same way. An optimizer step is
therefore a few vector operations, whatever the depth.
"""

import numpy as np

from . import activations as _activations
from . import losses as _losses
from . import optimizers as _optimizers
from ._buffers import flat_views
from ._checks import as_generator, check_float_dtype, check_int, check_matrix
from .errors import NotFittedError
from .initializers import initialize
from .linear import linear_backward, linear_forward
from .training import Callback, History, ProgressBar, run_epochs

# The loss each output activation implies when none is named.
_DEFAULT_LOSS = {"sigmoid": "binary_crossentropy", "softmax": "categorical_crossentropy"}


class Network:
    """A fully connected network: layer sizes, one activation per weight layer.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[n_0, n_1, ..., n_L]``: ``n_0`` input features, ``n_L`` outputs.
    activations : sequence of str or Activation, length L
        One per weight layer, the last being the output activation; names from
        :data:`barenet.activations.REGISTRY`.
    init : {'he', 'xavier', 'random'} or callable, default 'he'
        Weight initialization (:mod:`barenet.initializers`).
    seed : int, numpy.random.Generator or None
        Source of all randomness: initial weights and mini-batch shuffling.
        The same seed gives bit-identical training on the same machine.
    dtype : {'float32', 'float64'}, default 'float32'
        Parameters, activations, gradients, optimizer state and outputs all
        stay in this dtype; inputs are cast to it.
    loss : str or Loss, optional
        By default implied by the output activation: sigmoid (1 unit) is a
        binary classifier with binary cross-entropy, softmax (>= 2 units) a
        multi-class classifier with categorical cross-entropy, anything else a
        regressor with mean squared error. A loss given here must agree.

    Examples
    --------
    >>> import numpy as np, barenet
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 2)); y = (X[:, 0] * X[:, 1] > 0).astype(int)
    >>> net = barenet.Network([2, 16, 1], ["relu", "sigmoid"], seed=0)
    >>> history = net.fit(X, y, optimizer=barenet.Adam(lr=0.01), epochs=200)
    >>> net.evaluate(X, y)["accuracy"] > 0.9
    True
    """

    def __init__(self, layer_sizes, activations, init="he", seed=None, dtype="float32",
                 loss=None):
        if isinstance(layer_sizes, (str, bytes)) or not hasattr(layer_sizes, "__len__"):
            raise TypeError(f"layer_sizes must be a list of integers, got {layer_sizes!r}")
        if len(layer_sizes) < 2:
            raise ValueError(
                f"layer_sizes needs at least two entries (inputs and outputs), got {list(layer_sizes)}"
            )
        self.layer_sizes = tuple(
            check_int(f"layer_sizes[{i}]", n, minimum=1) for i, n in enumerate(layer_sizes)
        )
        n_layers = len(self.layer_sizes) - 1
        if isinstance(activations, (str, bytes)) or not hasattr(activations, "__len__"):
            raise TypeError(
                f"activations must be a list with one activation per weight layer "
                f"({n_layers} here), got {activations!r}"
            )
        if len(activations) != n_layers:
            raise ValueError(
                f"activations has {len(activations)} entries but layer_sizes "
                f"{list(self.layer_sizes)} has {n_layers} weight layers; give one "
                "activation per weight layer, the last for the output"
            )
        self.activations = tuple(_activations.get(a) for a in activations)
        self.dtype = check_float_dtype("dtype", dtype)
        self.loss = self._resolve_loss(loss)
        self.task = self._task()

        shapes = []
        for n_in, n_out in zip(self.layer_sizes[:-1], self.layer_sizes[1:]):
            shapes += [(n_out, n_in), (n_out, 1)]
        size = sum(int(np.prod(s)) for s in shapes)
        self.parameters = np.empty(size, dtype=self.dtype)
        self._grad = np.zeros(size, dtype=self.dtype)
        views = flat_views(self.parameters, shapes)
        self.weights, self.biases = views[0::2], views[1::2]
        grads = flat_views(self._grad, shapes)
        self._dweights, self._dbiases = grads[0::2], grads[1::2]

        self._rng = as_generator(seed)
        self.init = init
        initialize(self.weights, self.biases, init, self._rng)

        self.classes_ = None
        self.history_ = None
        self.optimizer_ = None
        self.fit_config_ = None

    # ----------------------------------------------------------- configuration

    def _resolve_loss(self, loss):
        output = self.activations[-1].name
        if loss is None:
            loss = _DEFAULT_LOSS.get(output, "mse")
        loss = _losses.get(loss)
        if loss.fused_activation is not None and loss.fused_activation != output:
            raise ValueError(
                f"loss {loss.name!r} needs a {loss.fused_activation!r} output layer, "
                f"but the last activation is {output!r}"
            )
        n_out = self.layer_sizes[-1]
        if loss.name == "binary_crossentropy" and n_out != 1:
            raise ValueError(
                f"a sigmoid output for binary classification has 1 unit, not {n_out}; "
                "use a softmax output with one unit per class for more classes"
            )
        if loss.name == "categorical_crossentropy" and n_out < 2:
            raise ValueError(
                "a softmax output needs one unit per class (at least 2); for two "
                "classes a single sigmoid unit also works"
            )
        return loss

    def _task(self):
        return {
            "binary_crossentropy": "binary",
            "categorical_crossentropy": "multiclass",
        }.get(self.loss.name, "regression")

    @property
    def _metric_name(self):
        return "mae" if self.task == "regression" else "accuracy"

    def __repr__(self):
        acts = [a.name if a == _activations.get(a.name) else a for a in self.activations]
        return (
            f"Network({list(self.layer_sizes)}, {acts}, dtype='{self.dtype.name}', "
            f"loss='{self.loss.name}')"
        )

    # ---------------------------------------------------------------- the math

    def _forward(self, A):
        """Forward pass on ``A`` of shape ``(n_0, m)``; returns ``(AL, caches)``
        with one ``(A_prev, Z, A)`` triple per layer."""
        caches = []
        for W, b, activation in zip(self.weights, self.biases, self.activations):
            Z = linear_forward(W, A, b)
            A_next = activation.forward(Z)
            caches.append((A, Z, A_next))
            A = A_next
        return A, caches

    def _backward(self, caches, Y):
        """Fill the gradient vector from the caches of a forward pass."""
        _, Z, A = caches[-1]
        dZ = _losses.output_gradient(self.loss, self.activations[-1], A, Z, Y)
        for l in reversed(range(len(caches))):
            A_prev, Z, A = caches[l]
            if l < len(caches) - 1:
                dZ = self.activations[l].backward(dA, Z, A)
            dA, _, _ = linear_backward(
                dZ, A_prev, self.weights[l], dW=self._dweights[l], db=self._dbiases[l],
                need_dA_prev=l > 0,
            )

    def _step_value_and_grad(self, X_T, Y_T):
        """Loss on one batch (columns are samples) and its gradient, written to
        the gradient vector. Returns ``(loss, AL)``."""
        AL, caches = self._forward(X_T)
        loss = self.loss.value(AL, Y_T)
        self._backward(caches, Y_T)
        return loss, AL

    def _label_index(self, AL):
        """Index into ``classes_`` of each column of a classifier's output."""
        if self.task == "binary":
            return (AL[0] > 0.5).astype(np.intp)
        return AL.argmax(axis=0)

    def _metric(self, AL, Y_T):
        """Accuracy (classifiers) or mean absolute error (regression) of ``AL``."""
        if self.task == "regression":
            return float(np.abs(AL - Y_T).mean())
        return float((self._label_index(AL) == self._label_index(Y_T)).mean())

    def _scores(self, X, Y):
        AL, _ = self._forward(X.T)
        return {"loss": self.loss.value(AL, Y.T), self._metric_name: self._metric(AL, Y.T)}

    # ---------------------------------------------------------- inputs/targets

    def _check_X(self, X, name="X"):
        X = check_matrix(name, X, dtype=self.dtype)
        if X.shape[1] != self.layer_sizes[0]:
            raise ValueError(
                f"{name} has {X.shape[1]} features but the network's input layer "
                f"has {self.layer_sizes[0]}"
            )
        return X

    def _encode_targets(self, y, n_samples, classes=None, name="y"):
        """Return ``(Y, classes)``: the targets as an ``(m, n_L)`` array in the
        model's dtype, and for classifiers the class labels they were encoded
        against -- ``classes`` if given, else ``classes_`` once fitted, else
        those found in ``y``. Nothing on the network changes."""
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.shape[0:1] != (n_samples,):
            raise ValueError(
                f"{name} has {y.shape[0] if y.ndim else 0} samples but X has {n_samples}"
            )
        if y.dtype == object:
            raise TypeError(f"{name} must hold numbers or strings, got dtype object")
        if self.task == "regression":
            return self._encode_regression(y, name), None
        if y.ndim != 1:
            raise ValueError(f"{name} must be 1-D class labels, got shape {y.shape}")
        if y.dtype.kind == "f":
            if not np.isfinite(y).all():
                raise ValueError(f"{name} contains NaN or infinity")
            if not np.array_equal(y, np.round(y)):
                raise ValueError(
                    f"{name} holds continuous values, but this network is a classifier "
                    f"(its output is {self.activations[-1].name}); use class labels, or "
                    "a linear output for regression"
                )
        if classes is None:
            classes = self.classes_ if self.classes_ is not None else self._classes_from(y, name)
        found = np.isin(y, classes)
        if not found.all():
            raise ValueError(
                f"{name} has labels the network was not trained on: "
                f"{np.unique(y[~found])[:5].tolist()}; known classes: {classes.tolist()}"
            )
        index = np.searchsorted(classes, y)
        if self.task == "binary":
            return index.astype(self.dtype).reshape(-1, 1), classes
        Y = np.zeros((n_samples, self.layer_sizes[-1]), dtype=self.dtype)
        Y[np.arange(n_samples), index] = 1
        return Y, classes

    def _classes_from(self, y, name):
        classes = np.unique(y)
        n_out = self.layer_sizes[-1]
        if len(classes) < 2:
            raise ValueError(f"{name} has a single class ({classes.tolist()}); a classifier needs two or more")
        if self.task == "binary" and len(classes) > 2:
            raise ValueError(
                f"{name} has {len(classes)} classes but the output is one sigmoid unit "
                "(2 classes); use a softmax output with one unit per class"
            )
        if self.task == "multiclass" and len(classes) != n_out:
            integer = classes.dtype.kind in "iu" or (
                classes.dtype.kind == "f" and np.array_equal(classes, np.round(classes))
            )
            if len(classes) < n_out and integer and classes.min() >= 0 and classes.max() < n_out:
                return np.arange(n_out, dtype=classes.dtype)
            raise ValueError(
                f"{name} has {len(classes)} classes but the softmax output has {n_out} units"
            )
        return classes

    def _encode_regression(self, y, name):
        if y.dtype.kind not in "biuf":
            raise TypeError(
                f"{name} must hold numbers for a regression network, got dtype {y.dtype}"
            )
        y = y.astype(self.dtype).reshape(len(y), -1)
        if y.shape[1] != self.layer_sizes[-1]:
            raise ValueError(
                f"{name} has {y.shape[1]} target columns but the network has "
                f"{self.layer_sizes[-1]} outputs"
            )
        if not np.isfinite(y).all():
            raise ValueError(f"{name} contains NaN or infinity")
        return y

    # -------------------------------------------------------------- public API

    def fit(self, X, y, optimizer="adam", epochs=100, batch_size=32, validation_data=None,
            shuffle=True, callbacks=None, verbose=False):
        """Train on ``(X, y)`` and return the :class:`~barenet.training.History`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Class labels (any sortable values) for a classifier, real targets
            for a regressor.
        optimizer : str or Optimizer, default 'adam'
            An object such as ``barenet.Adam(lr=1e-3)`` (its state carries on
            across calls to ``fit``), or one of 'gd', 'momentum', 'rmsprop',
            'adam' with default settings.
        epochs : int, default 100
        batch_size : int or None, default 32
            None, or anything >= n_samples, is batch gradient descent.
        validation_data : (X_val, y_val), optional
            Scored after every epoch into ``val_loss`` and ``val_<metric>``.
        shuffle : bool, default True
            Draw a new order of the samples each epoch from the model's seed.
        callbacks : list of Callback, optional
            Hooks called during training (:class:`barenet.training.Callback`);
            one whose ``on_epoch_end`` returns True stops training.
        verbose : bool, default False
            Show a progress bar with the running loss and metric on stderr.

        Every argument is checked before training starts. Training stops with
        :class:`~barenet.errors.TrainingDiverged` if the loss stops being finite.
        """
        epochs = check_int("epochs", epochs, minimum=1)
        if batch_size is not None:
            batch_size = check_int("batch_size", batch_size, minimum=1)
        optimizer = _optimizers.get(optimizer)
        X = self._check_X(X)
        Y, classes = self._encode_targets(y, X.shape[0])
        validation = None
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise TypeError("validation_data must be a pair (X_val, y_val)")
            X_val = self._check_X(validation_data[0], name="validation_data[0]")
            Y_val, _ = self._encode_targets(
                validation_data[1], X_val.shape[0], classes, name="validation_data[1]"
            )
            validation = (X_val, Y_val)
        callbacks = list(callbacks or ())
        for callback in callbacks:
            if not isinstance(callback, Callback):
                raise TypeError(f"callbacks must be barenet.training.Callback objects, got {callback!r}")
        if verbose:
            callbacks.append(ProgressBar())
        m = X.shape[0]
        batch_size = m if batch_size is None else min(batch_size, m)

        # Every argument has been checked: from here on the network changes.
        self.classes_ = classes
        self.optimizer_ = optimizer
        self.fit_config_ = {
            "optimizer": {"name": optimizer.name, **optimizer.get_config()},
            "epochs": epochs,
            "batch_size": batch_size,
            "shuffle": bool(shuffle),
        }
        self.history_ = History()
        run_epochs(self, X, Y, optimizer, epochs, batch_size, self._rng, shuffle,
                   self.history_, validation, callbacks)
        return self.history_

    def forward(self, X):
        """Output of the last layer, shape ``(n_samples, n_L)``: probabilities
        for classifiers, predictions for regressors."""
        X = self._check_X(X)
        AL, _ = self._forward(X.T)
        return np.ascontiguousarray(AL.T)

    def predict_proba(self, X):
        """Class probabilities, shape ``(n_samples, n_classes)``, columns in the
        order of ``classes_``."""
        if self.task == "regression":
            raise TypeError("predict_proba needs a classifier; this network is a regressor")
        self._require_fitted()
        P = self.forward(X)
        if self.task == "binary":
            return np.hstack([1 - P, P])
        return P

    def predict(self, X):
        """Class labels for classifiers; for regressors the outputs, shape
        ``(n_samples,)`` for one output unit, else ``(n_samples, n_L)``."""
        if self.task == "regression":
            out = self.forward(X)
            return out[:, 0] if out.shape[1] == 1 else out
        self._require_fitted()
        AL, _ = self._forward(self._check_X(X).T)
        return self.classes_[self._label_index(AL)]

    def evaluate(self, X, y):
        """``{'loss': ..., metric: ...}`` on ``(X, y)``; the metric is
        'accuracy' for classifiers, 'mae' (mean absolute error) for regressors."""
        if self.task != "regression":
            self._require_fitted()
        X = self._check_X(X)
        Y, _ = self._encode_targets(y, X.shape[0])
        return self._scores(X, Y)

    def save(self, path):
        """Write the network to ``path`` (an ``.npz`` of arrays and JSON metadata,
        never pickle); :func:`barenet.load` reads it back. See
        :mod:`barenet.persistence`."""
        from .persistence import save

        save(self, path)

    def _require_fitted(self):
        if self.classes_ is None:
            raise NotFittedError("this network has not been fitted yet; call fit first")
