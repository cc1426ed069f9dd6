"""``Network``: a fully connected L-layer network on the shared math core.

The user-facing layout is samples x features, as in scikit-learn, Keras and
PyTorch: ``X`` has shape ``(n_samples, n_features)``. Inside, every layer works
on the transposed view (one column per sample), as the notebook's functions
do, with the same formulas (:mod:`barenet.core`), run in place by the fast
layer: the passes themselves (forward, backward, inference) are in
:mod:`barenet.fast.engine`, which ``Network`` inherits from. This module holds
its configuration, its inputs and targets, and its public API.

All parameters live in one flat vector, ``parameters``; ``weights[l]`` (shape
``(n_{l+1}, n_l)``) and ``biases[l]`` (shape ``(n_{l+1}, 1)``) are views into
it, and the gradients fill a twin vector the same way. An optimizer step is
therefore a few vector operations, whatever the depth. Every layer after the
first keeps its bias as the last column of one row-major block ``[W | b]``:
its input, a hidden layer's output, carries a row of ones (see
:mod:`barenet.fast.engine`), so one matrix product gives ``W A + b`` and another
both ``dW`` and ``db``. Saved files hold W and b apart, layer by layer.
"""

import numpy as np

from .core import activations as _activations
from .core import losses as _losses
from . import optimizers as _optimizers
from ._buffers import flat_views
from .fast.engine import Engine
from ._checks import (
    as_generator,
    check_bool,
    check_float_dtype,
    check_fraction,
    check_int,
    check_matrix,
    check_nonnegative,
    check_positive,
    check_real,
)
from .errors import NotFittedError
from .core.initializers import initialize
from .preprocessing import Standardizer
from .callbacks import Callback, LearningRateScheduler, ProgressBar
from .training import History, run_epochs

def _check_callbacks(callbacks):
    """``callbacks`` as a new list, after checking it is a list of Callbacks."""
    if callbacks is None:
        return []
    if isinstance(callbacks, Callback) or not isinstance(callbacks, (list, tuple)):
        raise TypeError(f"callbacks must be a list of barenet.Callback objects, got {callbacks!r}")
    for callback in callbacks:
        if not isinstance(callback, Callback):
            raise TypeError(f"callbacks must be barenet.Callback objects, got {callback!r}")
    return list(callbacks)


def check_dropout(name, rate):
    rate = check_real(name, rate)
    if not 0 <= rate < 1:
        raise ValueError(f"{name} is a drop rate and must be in [0, 1), got {rate!r}")
    return rate


# The loss each output activation implies when none is named.
_DEFAULT_LOSS = {"sigmoid": "binary_crossentropy", "softmax": "categorical_crossentropy"}

# The layout of the flat vectors in memory (the module's docstring), which a
# pickle of a Network records: 2 since layers past the first keep [W | b] blocks.
PARAMETER_LAYOUT = 2


class Network(Engine):
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
    l2 : float, default 0.0
        L2 penalty ``l2 / (2 m) * sum of squared weights`` for a batch of
        ``m`` samples.
    dropout : float or sequence of float, optional
        Inverted-dropout rate of the hidden layers: one for all, or one each.
    batch_norm : bool or sequence of bool, default False
        Batch normalization of the hidden layers: for all, or per layer, with
        ``bn_momentum`` and ``bn_eps``.
    standardize : bool, default False
        Standardize the inputs (:class:`~barenet.preprocessing.Standardizer`):
        the first :meth:`fit` computes each column's mean and standard
        deviation from the samples it trains on (not from a
        ``validation_split`` hold-out nor from ``validation_data``) and keeps
        them as ``scaler_``, in the network's dtype. Every method that takes
        ``X`` -- ``fit`` (its ``validation_data`` too), ``resume``,
        ``forward``, ``predict``, ``predict_proba``, ``evaluate`` -- then
        takes raw features and applies ``(X - mean) / scale`` first. Later
        calls to ``fit`` keep ``scaler_`` as it is: the weights carry on from
        call to call, and so must the scaling they were trained for. Saved
        files and the ONNX export hold it.

    Attributes
    ----------
    scaler_ : Standardizer or None
        The inputs' standardization, set by the first ``fit`` when
        ``standardize`` is true; None otherwise.

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
                 loss=None, l2=0.0, dropout=None, batch_norm=False, bn_momentum=0.9,
                 bn_eps=1e-5, standardize=False):
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

        self.l2 = check_nonnegative("l2", l2)
        self.dropout = self._per_hidden_layer("dropout", dropout, 0.0, check_dropout)
        self.batch_norm = self._per_hidden_layer("batch_norm", batch_norm, False, check_bool)
        self.bn_momentum = check_fraction("bn_momentum", bn_momentum)
        self.bn_eps = check_positive("bn_eps", bn_eps)
        self.standardize = check_bool("standardize", standardize)

        self._allocate()

        self._rng = as_generator(seed)
        self.init = init
        initialize(self.weights, self.biases, init, self._rng)
        self._reset_batch_norm()

        self._workspaces = {}
        self._run = None
        self.scaler_ = None
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

    def _per_hidden_layer(self, name, value, off, check):
        """One setting per layer from a single value or a list for the hidden
        layers; the output layer always gets ``off``."""
        n_hidden = len(self.layer_sizes) - 2
        if value is None:
            value = off
        if isinstance(value, (list, tuple)):
            if len(value) != n_hidden:
                raise ValueError(
                    f"{name} has {len(value)} entries but the network has {n_hidden} hidden "
                    "layers; give one value for all, or one per hidden layer"
                )
            values = [check(f"{name}[{i}]", v) for i, v in enumerate(value)]
        else:
            values = [check(name, value)] * n_hidden
        return tuple(values) + (off,)

    def _shapes(self):
        """Shapes of the blocks of the flat parameter vector, layer by layer,
        and of the running statistics: the first layer's W and b, every other
        layer's ``[W | b]`` (see the module's docstring), then gamma and beta
        with batch normalization."""
        shapes, state_shapes = [], []
        for l, ((n_in, n_out), bn) in enumerate(zip(
                zip(self.layer_sizes[:-1], self.layer_sizes[1:]), self.batch_norm)):
            shapes += [(n_out, n_in), (n_out, 1)] if l == 0 else [(n_out, n_in + 1)]
            shapes += [(n_out, 1), (n_out, 1)] * bn
            state_shapes += [(n_out, 1), (n_out, 1)] * bn
        return shapes, state_shapes

    def _allocate(self):
        """The flat vectors: parameters, their gradient, the running statistics."""
        shapes, state_shapes = self._shapes()
        size = sum(n_out * n_in for n_out, n_in in shapes)
        try:
            self.parameters = np.empty(size, dtype=self.dtype)
            self._grad = np.zeros(size, dtype=self.dtype)
        except MemoryError:
            raise ValueError(
                f"layer_sizes {list(self.layer_sizes)} need {size} parameters, more than "
                "this machine's memory holds"
            ) from None
        self._state = np.empty(sum(int(np.prod(s)) for s in state_shapes), dtype=self.dtype)
        self._bind_views()

    def _bind_views(self):
        """Per-layer views into the flat vectors (no copies)."""
        shapes, state_shapes = self._shapes()
        (self.weights, self.biases, self.gammas, self.betas, self._blocks) = self._layer_views(
            flat_views(self.parameters, shapes))
        (self._dweights, self._dbiases, self._dgammas, self._dbetas,
         self._dblocks) = self._layer_views(flat_views(self._grad, shapes))
        views = iter(flat_views(self._state, state_shapes))
        self.running_means, self.running_vars = [], []
        for bn in self.batch_norm:
            self.running_means.append(next(views) if bn else None)
            self.running_vars.append(next(views) if bn else None)

    def __getstate__(self):
        # The per-layer views are rebuilt on unpickling (a copy would cut them
        # loose from the flat vectors); workspaces are scratch space.
        state = dict(self.__dict__)
        for name in ("weights", "biases", "gammas", "betas", "_blocks", "_dweights", "_dbiases",
                     "_dgammas", "_dbetas", "_dblocks", "running_means", "running_vars"):
            del state[name]
        state["_workspaces"] = {}
        state["_layout"] = PARAMETER_LAYOUT
        return state

    def __setstate__(self, state):
        # a pickle holds the flat vectors as laid out in memory: one from a
        # barenet with another layout would give each view the wrong values
        if state.pop("_layout", None) != PARAMETER_LAYOUT:
            raise ValueError(
                "this Network was pickled by a barenet whose parameter vector has another "
                "layout; load a file written by Network.save instead (files do not depend on it)"
            )
        state.setdefault("standardize", False)  # pickled before standardization existed
        state.setdefault("scaler_", None)
        self.__dict__.update(state)
        self._bind_views()

    def _layer_views(self, views):
        """Split the flat views into per-layer W, b, gamma, beta and ``[W | b]``
        lists (None for gamma and beta where a layer has no batch
        normalization, and for the first layer's ``[W | b]``)."""
        views = iter(views)
        lists = ([], [], [], [], [])
        for l, bn in enumerate(self.batch_norm):
            if l == 0:
                W, b, block = next(views), next(views), None
            else:
                block = next(views)
                W, b = block[:, :-1], block[:, -1:]
            for target, view in zip(lists, (W, b, next(views) if bn else None,
                                             next(views) if bn else None, block)):
                target.append(view)
        return lists

    def _file_order(self):
        """Where each value of a saved parameter vector lives in ``parameters``:
        files hold W, b (gamma, beta) layer by layer, each row-major, so that
        the format does not depend on the layout kept in memory."""
        index = np.arange(self.parameters.size)
        layers = zip(*self._layer_views(flat_views(index, self._shapes()[0]))[:4])
        return np.concatenate([view.ravel() for layer in layers for view in layer
                               if view is not None])

    def _reset_batch_norm(self):
        for gamma, beta, mean, var in zip(self.gammas, self.betas, self.running_means,
                                          self.running_vars):
            if gamma is not None:
                gamma[...], beta[...], mean[...], var[...] = 1, 0, 0, 1

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
            f"loss='{self.loss.name}'{', standardize=True' if self.standardize else ''})"
        )

    # ---------------------------------------------------------- inputs/targets

    def _check_X(self, X, name="X"):
        """``X`` as the passes take it: checked, cast to the model's dtype,
        and standardized by ``scaler_`` when the network has one. Every entry
        point that takes raw inputs goes through here (the first ``fit``
        standardizes its data itself, once it has fitted ``scaler_``)."""
        X = check_matrix(name, X, dtype=self.dtype)
        if X.shape[1] != self.layer_sizes[0]:
            raise ValueError(
                f"{name} has {X.shape[1]} features but the network's input layer "
                f"has {self.layer_sizes[0]}"
            )
        if self.scaler_ is not None:
            X = self.scaler_._apply(X)
        return X

    def _encode_targets(self, y, n_samples, classes=None, name="y"):
        """Return ``(Y, classes)``: the targets as an ``(m, n_L)`` array in the
        model's dtype, and for classifiers the class labels they were encoded
        against -- ``classes`` if given, else ``classes_`` once fitted, else
        those found in ``y``. Nothing on the network changes."""
        try:
            y = np.asarray(y)
        except ValueError:
            raise ValueError(f"{name} is ragged: its entries have different lengths") from None
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
            validation_split=None, shuffle=True, sample_weight=None, class_weight=None,
            schedule=None, callbacks=None, verbose=False):
        """Train on ``(X, y)`` and return the :class:`~barenet.training.History`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Class labels (any sortable values) for a classifier, real targets
            for a regressor.
        optimizer : str or Optimizer, default 'adam'
            An object such as ``barenet.Adam(lr=1e-3)`` (its state carries on
            across calls to ``fit``), or a name from
            ``barenet.optimizers.REGISTRY`` with default settings.
        epochs : int, default 100
        batch_size : int or None, default 32
            None, or anything >= n_samples, is batch gradient descent.
        validation_data : (X_val, y_val), optional
            Scored after every epoch into ``val_loss`` and ``val_<metric>``.
        validation_split : float in (0, 1), optional
            Instead of ``validation_data``: hold out this fraction of
            ``(X, y)``, drawn with the model's seed.
        shuffle : bool, default True
            Draw a new order of the samples each epoch from the model's seed.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights: each sample's loss, and so its gradient, is
            multiplied by its weight.
        class_weight : dict or 'balanced', optional
            Weights per class label (classifiers), multiplied into
            ``sample_weight``; 'balanced' weighs class ``c`` by
            ``n_samples / (n_classes * count(c))``, counting the classes
            present in ``y`` (as scikit-learn does).
        schedule : str or Schedule, optional
            Learning-rate schedule applied per epoch
            (:mod:`barenet.schedules`); the rates used are recorded as ``'lr'``.
        callbacks : list of Callback, optional
            Hooks called during training (:mod:`barenet.callbacks`), e.g.
            :class:`~barenet.callbacks.EarlyStopping`.
        verbose : bool, default False
            Show progress on stderr: a bar with the running loss and metric
            on a terminal, a plain line every tenth of the run elsewhere
            (:meth:`~barenet.callbacks.ProgressBar.for_stream`).

        The training ``'loss'`` is the objective minimized: the loss plus the
        L2 penalty, averaged over the epoch's batches; ``'val_loss'`` is the
        loss alone. Every argument is checked before training starts.
        Training stops with :class:`~barenet.errors.TrainingDiverged` if the
        loss stops being finite.
        """
        epochs = check_int("epochs", epochs, minimum=1)
        if batch_size is not None:
            batch_size = check_int("batch_size", batch_size, minimum=1)
        optimizer = _optimizers.get(optimizer)
        X = self._check_X(X)
        Y, classes = self._encode_targets(y, X.shape[0])
        weights = self._sample_weights(sample_weight, class_weight, y, X.shape[0], classes)
        if validation_data is not None and validation_split is not None:
            raise ValueError("give validation_data or validation_split, not both")
        validation = None
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise TypeError("validation_data must be a pair (X_val, y_val)")
            X_val = self._check_X(validation_data[0], name="validation_data[0]")
            Y_val, _ = self._encode_targets(
                validation_data[1], X_val.shape[0], classes, name="validation_data[1]"
            )
            validation = (X_val, Y_val)
        callbacks = _check_callbacks(callbacks)
        if schedule is not None:
            scheduler = LearningRateScheduler(schedule)
            scheduler.schedule(optimizer.lr, 0, epochs)  # a schedule that cannot work fails now
            callbacks.insert(0, scheduler)
        if verbose:
            callbacks.append(ProgressBar.for_stream())
        has_validation = validation is not None or validation_split is not None
        for callback in callbacks:
            if getattr(callback, "monitor", None) is not None:
                self._check_monitor(callback.monitor, has_validation, type(callback).__name__)
        if optimizer.shapes is not None and optimizer.shapes != [
                (self.parameters.shape, self.dtype)]:
            raise ValueError(
                f"this {type(optimizer).__name__} holds state for parameters of other shapes "
                "(it trained another model); give a new optimizer"
            )
        if validation_split is not None:
            split = check_real("validation_split", validation_split)
            if not 0 < split < 1:
                raise ValueError(f"validation_split must be in (0, 1), got {validation_split!r}")
            n_val = int(round(split * X.shape[0]))
            if not 1 <= n_val < X.shape[0]:
                raise ValueError(
                    f"validation_split={split} of {X.shape[0]} samples leaves no samples "
                    "on one side"
                )
        m = X.shape[0] - (n_val if validation_split is not None else 0)
        batch_size = m if batch_size is None else min(batch_size, m)
        if batch_size < 2 and any(self.batch_norm):
            raise ValueError("batch normalization needs batches of at least 2 samples")

        # Every argument has been checked: from here on the network changes.
        order = None
        if validation_split is not None:
            order = self._rng.permutation(X.shape[0])
            X, Y, weights, validation = self._split(X, Y, y, order, n_val, sample_weight,
                                                    class_weight, classes)
        if self.standardize and self.scaler_ is None:
            # the first fit: the scaling comes from the samples trained on
            # alone; _check_X applies it from now on
            self.scaler_ = Standardizer().fit(X).astype(self.dtype)
            X = self.scaler_._apply(X)
            if validation is not None:
                validation = (self.scaler_._apply(validation[0]), validation[1])
        self.classes_ = classes
        self.optimizer_ = optimizer
        scheduler = callbacks[0] if schedule is not None else None
        self.fit_config_ = {
            "optimizer": {"name": optimizer.name, **optimizer.get_config()},
            "epochs": epochs,
            "batch_size": batch_size,
            "shuffle": bool(shuffle),
            "schedule": None if scheduler is None else {
                "name": scheduler.schedule.name, **scheduler.schedule.get_config()},
            "validation_split": validation_split,
        }
        # what resume() needs to carry on exactly where this run stops
        self._run = {"epochs": epochs, "epoch": 0, "batch_size": batch_size,
                     "shuffle": bool(shuffle), "schedule": None if scheduler is None
                     else scheduler.schedule, "base_lr": optimizer.lr,
                     "validation_split": validation_split, "order": order}
        self.history_ = History()
        run_epochs(self, X, Y, optimizer, epochs, batch_size, self._rng, shuffle,
                   self.history_, validation, callbacks, weights)
        return self.history_

    def _split(self, X, Y, y, order, n_val, sample_weight, class_weight, classes):
        """Hold out ``order[:n_val]`` for validation; returns the training
        ``X, Y``, their weights, and the validation pair."""
        held, kept = order[:n_val], order[n_val:]
        validation = (X[held], Y[held])
        # weights (and 'balanced' class counts) of the samples trained on
        kept_weights = None if sample_weight is None else np.asarray(sample_weight)[kept]
        weights = self._sample_weights(kept_weights, class_weight,
                                       np.asarray(y).reshape(len(order), -1)[kept],
                                       len(kept), classes)
        return X[kept], Y[kept], weights, validation

    def resume(self, X, y, validation_data=None, sample_weight=None, class_weight=None,
               callbacks=None, verbose=False):
        """Carry on a run of :meth:`fit` that stopped early -- interrupted by
        Ctrl-C, or saved by :class:`~barenet.callbacks.ModelCheckpoint` and
        read back with :func:`barenet.load` -- up to its planned epochs.

        Give the same data (and ``validation_data``, weights) as the first
        call; the optimizer and its state, the epochs, batch size, shuffling,
        schedule, validation split and the random state come from the run.
        The result is bit-identical to a run that was never interrupted.
        Callbacks start afresh (an EarlyStopping's patience counts anew).
        Returns the History, the run's epochs so far included.
        """
        run = getattr(self, "_run", None)
        if run is None:
            raise NotFittedError("there is no run to resume: call fit, or load a checkpoint")
        if run["epoch"] >= run["epochs"]:
            raise ValueError(f"the run already finished its {run['epochs']} epochs")
        X = self._check_X(X)
        Y, classes = self._encode_targets(y, X.shape[0])
        weights = self._sample_weights(sample_weight, class_weight, y, X.shape[0], classes)
        validation = None
        if run["validation_split"] is not None:
            if validation_data is not None:
                raise ValueError("this run holds out a validation split; give no validation_data")
            if run["order"] is None or len(run["order"]) != X.shape[0]:
                raise ValueError(f"X must be the {len(run['order'])} samples the run started with")
        elif validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise TypeError("validation_data must be a pair (X_val, y_val)")
            X_val = self._check_X(validation_data[0], name="validation_data[0]")
            Y_val, _ = self._encode_targets(validation_data[1], X_val.shape[0], classes,
                                            name="validation_data[1]")
            validation = (X_val, Y_val)
        callbacks = _check_callbacks(callbacks)
        if run["schedule"] is not None:
            callbacks.insert(0, LearningRateScheduler(run["schedule"]))
        if verbose:
            callbacks.append(ProgressBar.for_stream())
        if run["validation_split"] is not None:
            n_val = int(round(run["validation_split"] * X.shape[0]))
            X, Y, weights, validation = self._split(X, Y, y, run["order"], n_val, sample_weight,
                                                    class_weight, classes)
        self.optimizer_.lr = run["base_lr"]
        if self.history_ is None:
            self.history_ = History()
        run_epochs(self, X, Y, self.optimizer_, run["epochs"], run["batch_size"], self._rng,
                   run["shuffle"], self.history_, validation, callbacks, weights,
                   initial_epoch=run["epoch"])
        return self.history_

    def _check_monitor(self, monitor, has_validation, who):
        keys = ["loss", self._metric_name]
        keys += ["val_" + k for k in keys]
        if monitor not in keys:
            raise ValueError(f"{who} monitor {monitor!r} is not one of {keys}")
        if monitor.startswith("val_") and not has_validation:
            raise ValueError(
                f"{who} monitors {monitor!r}, which needs validation_data or validation_split"
            )

    def _sample_weights(self, sample_weight, class_weight, y, n_samples, classes):
        """Per-sample weights in the model's dtype, or None when all are 1."""
        weights = None
        if sample_weight is not None:
            weights = np.asarray(sample_weight)
            if weights.shape != (n_samples,):
                raise ValueError(
                    f"sample_weight must have shape ({n_samples},), got {weights.shape}"
                )
            if weights.dtype.kind not in "biuf":
                raise TypeError(f"sample_weight must hold numbers, got dtype {weights.dtype}")
            if not np.isfinite(weights).all() or (weights < 0).any():
                raise ValueError("sample_weight must be finite and >= 0")
            weights = weights.astype(self.dtype)
        if class_weight is not None:
            if self.task == "regression":
                raise ValueError("class_weight needs a classifier; this network is a regressor")
            labels = np.asarray(y).reshape(n_samples)
            index = np.searchsorted(classes, labels)
            if isinstance(class_weight, str) and class_weight == "balanced":
                counts = np.bincount(index, minlength=len(classes))
                per_class = n_samples / (np.count_nonzero(counts) * np.maximum(counts, 1))
            elif isinstance(class_weight, dict):
                unknown = [k for k in class_weight if k not in classes.tolist()]
                if unknown:
                    raise ValueError(
                        f"class_weight names labels that are not classes: {unknown}; "
                        f"the classes are {classes.tolist()}"
                    )
                per_class = np.ones(len(classes))
                for label, w in class_weight.items():
                    w = check_real(f"class_weight[{label!r}]", w)
                    if w < 0:
                        raise ValueError(f"class_weight[{label!r}] must be >= 0, got {w}")
                    per_class[classes.tolist().index(label)] = w
            else:
                raise TypeError(f"class_weight must be a dict or 'balanced', got {class_weight!r}")
            by_class = per_class[index].astype(self.dtype)
            weights = by_class if weights is None else weights * by_class
        return weights

    def forward(self, X):
        """Output of the last layer, shape ``(n_samples, n_L)``: probabilities
        for classifiers, predictions for regressors."""
        return self._infer(self._check_X(X))

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
        return self.classes_[self._label_index(self._infer(self._check_X(X)).T)]

    def evaluate(self, X, y):
        """``{'loss': ..., metric: ...}`` on ``(X, y)``; the metric is
        'accuracy' for classifiers, 'mae' (mean absolute error) for regressors."""
        if self.task != "regression":
            self._require_fitted()
        X = self._check_X(X)
        Y, _ = self._encode_targets(y, X.shape[0])
        return self._scores(X, Y)

    def save(self, path, training_state=False):
        """Write the network to ``path`` (an ``.npz`` of arrays and JSON metadata,
        never pickle); :func:`barenet.load` reads it back. See
        :mod:`barenet.persistence`.

        With ``training_state=True`` the file is a checkpoint: it also holds
        the current run's optimizer state, random state, epoch and schedule,
        so that ``barenet.load(path).resume(X, y)`` carries on exactly.
        """
        from .io.persistence import save

        save(self, path, training_state)

    def _require_fitted(self):
        if self.classes_ is None:
            raise NotFittedError("this network has not been fitted yet; call fit first")
