"""``Network``: a fully connected L-layer network, as configuration and API.

The user-facing layout is samples x features, as in scikit-learn, Keras and
PyTorch: ``X`` has shape ``(n_samples, n_features)``. Inside, every layer works
on the transposed view (one column per sample), as the notebook's functions
do, with the same formulas ([`barenet.core`][barenet.core]), run in place by the fast
layer. A ``Network`` holds its configuration, its parameters as flat vectors
(``flat``, [`barenet.model.parameters`][barenet.model.parameters]) and the passes over them
(``engine``, [`barenet.fast.engine.Engine`][barenet.fast.engine.Engine], handed an explicit
`Architecture`); [`Network.fit`][barenet.Network.fit] hands both,
with the optimizer, the Generator and the callbacks, to a
[`Trainer`][barenet.model.trainer.Trainer]. Targets are encoded by
[`barenet.model.targets`][barenet.model.targets], runs prepared by [`barenet.model.runs`][barenet.model.runs].
"""

import numpy as np

from ..core import activations as _activations
from ..core.initializers import initialize
from ..fast.engine import Architecture
from .._checks import (as_generator, check_bool, check_float_dtype, check_fraction,
                       check_nonnegative, check_positive)
from ..errors import NotFittedError
from . import config, pickling, placement, runs, sparse, targets
from .outputs import finite_outputs, finite_scores
from .parameters import FlatParameters
from .passes import engine_for
from .trainer import History, Trainer


# The function that writes a network to a file, by format: barenet.io puts
# its writer here when it is imported (barenet imports it), so that the model
# never imports the files layer, which builds networks as it reads them.
WRITERS = {}

class Network:
    """A fully connected network: layer sizes, one activation per weight layer.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[n_0, n_1, ..., n_L]``: ``n_0`` input features, ``n_L`` outputs.
    activations : sequence of str or Activation, length L
        One per weight layer, the last being the output activation; names from
        [`barenet.activations.REGISTRY`][barenet.activations.REGISTRY].
    init : {'he', 'xavier', 'random', 'glorot_uniform'}, callable or Initializer, default 'he'
        Weight initialization ([`barenet.initializers`][barenet.core.initializers]);
        ``GlorotUniform(factor=2.0)`` is scikit-learn's for logistic hidden layers.
    seed : int, numpy.random.Generator or None
        Source of all randomness: initial weights and mini-batch shuffling.
        The same seed gives bit-identical training on the same machine.
    dtype : {'float32', 'float64'}, default 'float32'
        Parameters, activations, gradients, optimizer state and outputs all
        stay in this dtype; inputs are cast to it.
    loss : str or Loss, optional
        By default implied by the output activation: sigmoid is a classifier
        with binary cross-entropy (1 unit: binary; k > 1 units: multilabel, k
        yes/no labels), softmax (>= 2 units) a multi-class classifier with
        categorical cross-entropy, exp a Poisson regressor (``'half_poisson'``),
        anything else a regressor with mean squared error. A loss given here
        must agree.
    l2 : float, default 0.0
        L2 penalty ``l2 / (2 m) * sum of squared weights`` for a batch of
        ``m`` samples.
    dropout : float or sequence of float, optional
        Inverted-dropout rate of the hidden layers: one for all, or one each.
    batch_norm : bool or sequence of bool, default False
        Batch normalization of the hidden layers: for all, or per layer.
    bn_momentum : float in [0, 1), default 0.9
        Batch normalization's running statistics after each training step:
        ``running = bn_momentum * running + (1 - bn_momentum) * batch``.
    bn_eps : float > 0, default 1e-5
        Added to the batch variance before its square root.
    standardize : bool, default False
        Standardize the inputs ([`Standardizer`][barenet.preprocessing.Standardizer]):
        the first [`fit`][barenet.Network.fit] keeps each column's mean and standard
        deviation over the samples it trains on (no validation samples) as
        ``scaler_``, in the network's dtype; every method that takes ``X``
        then applies ``(X - mean) / scale`` first. Later fits keep
        ``scaler_`` as it is, as the weights carry on; files and ONNX hold it.

    Attributes
    ----------
    parameters : array of shape (n_parameters,)
        Every trained parameter in one flat vector: NumPy's, or of the
        library and device of the data of the last ``fit`` (`to`).
    weights, biases : list of ndarray
        Per layer, ``W`` of shape ``(n_{l+1}, n_l)`` and ``b`` of shape
        ``(n_{l+1}, 1)``: views into ``parameters``.
    gammas, betas, running_means, running_vars : list of ndarray or None
        Per layer, batch normalization's scale, shift and running statistics
        (None for a layer without it): views into the flat vectors.
    classes_ : ndarray or None
        The class labels, sorted, once a classifier is fitted (multilabel:
        ``arange(k)``, the columns of ``y``).
    history_, optimizer_ : History or None, Optimizer or None
        The figures of the last run, epoch by epoch; its optimizer.
    fit_config_ : dict or None
        The settings of the last ``fit``, as JSON (saved with the model).
    run_ : Run or None
        How far the last run got, which ``resume`` carries on.
    scaler_ : Standardizer or None
        The inputs' standardization (``standardize``), or None.
    rng : numpy.random.Generator
        The source of all randomness (initial weights, shuffles, dropout),
        on every library.
    flat : FlatParameters
        The flat vectors -- parameters, gradient, running statistics -- and
        all their per-layer views ([`barenet.model.parameters`][barenet.model.parameters]).
    engine : Engine or ArrayEngine
        The passes over them: the fast layer's for NumPy
        ([`barenet.fast.engine.Engine`][barenet.fast.engine.Engine]), the
        standard's for other libraries ([`barenet.model.passes`][barenet.model.passes]).
        ``flat`` and ``engine`` are the documented internal interface.

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
        self.layer_sizes = config.check_layer_sizes(layer_sizes)
        self.activations = config.check_activations(activations, self.layer_sizes)
        self.dtype = check_float_dtype("dtype", dtype)
        self.loss = config.resolve_loss(loss, self.activations, self.layer_sizes)
        self.task = config.task_of(self.loss, self.layer_sizes[-1])

        l2 = check_nonnegative("l2", l2)
        n_hidden = len(self.layer_sizes) - 2
        self.dropout = config.per_hidden_layer("dropout", dropout, 0.0, config.check_dropout,
                                               n_hidden)
        self.batch_norm = config.per_hidden_layer("batch_norm", batch_norm, False, check_bool,
                                                  n_hidden)
        self.bn_momentum = check_fraction("bn_momentum", bn_momentum)
        self.bn_eps = check_positive("bn_eps", bn_eps)
        self.standardize = check_bool("standardize", standardize)

        self.flat = FlatParameters(self.layer_sizes, self.batch_norm, self.dtype)
        self._bind(l2)
        self.rng = as_generator(seed)
        self.init = init
        initialize(self.weights, self.biases, init, self.rng)
        self.flat.reset_batch_norm()
        self.scaler_ = None
        self.classes_ = None
        self.history_ = None
        self.optimizer_ = None
        self.fit_config_ = None
        self.run_ = None

    # ----------------------------------------------------------- configuration

    def _bind(self, l2):
        """The flat vectors' public views, and the engine over them."""
        flat = self.flat
        self.parameters, self.weights, self.biases = flat.values, flat.weights, flat.biases
        self.gammas, self.betas = flat.gammas, flat.betas
        self.running_means, self.running_vars = flat.running_means, flat.running_vars
        self.engine = engine_for(Architecture(
            self.layer_sizes, self.activations, self.loss, self.task, self.dtype, self.dropout,
            self.batch_norm, self.bn_momentum, self.bn_eps), flat, 0.0)
        self.l2 = l2

    @property
    def l2(self):
        """The L2 penalty's strength (see the class's parameters); may be
        changed between runs."""
        return self.engine.l2

    @l2.setter
    def l2(self, value):
        self.engine.l2 = check_nonnegative("l2", value)

    def __getstate__(self):
        return pickling.state_of(self)

    def __setstate__(self, state):
        state = pickling.restored(state)
        l2 = state.pop("l2")
        self.__dict__.update(state)
        self._bind(l2)

    @property
    def metric_name(self):
        """The metric training records: 'accuracy' (classifiers) or 'mae'."""
        return self.engine.metric_name

    def __repr__(self):
        acts = [a.name if a == _activations.get(a.name) else a for a in self.activations]
        return (
            f"Network({list(self.layer_sizes)}, {acts}, dtype='{self.dtype.name}', "
            f"loss='{self.loss.name}'{', standardize=True' if self.standardize else ''})"
        )

    # ---------------------------------------------------------- inputs/targets

    def prepare(self, X, name="X"):
        """``X`` as the passes take it: checked, cast to the network's dtype
        and standardized by ``scaler_`` when the network has one. Every
        method that takes raw inputs goes through here (the first ``fit``
        standardizes its data itself, once it has fitted ``scaler_``)."""
        return targets.check_inputs(X, self.dtype, self.layer_sizes[0], self.scaler_, name,
                                    self.parameters)

    def encode(self, y, n_samples, classes=None, name="y"):
        """Return ``(Y, classes)``: the targets ``y`` as an ``(n_samples, n_L)``
        array in the network's dtype, and for classifiers the class labels
        they were encoded against -- ``classes`` if given, else ``classes_``
        once fitted, else those found in ``y``
        ([`barenet.model.targets.encode`][barenet.model.targets.encode]). Nothing on the network changes."""
        if classes is None:
            classes = self.classes_
        Y, classes = targets.encode(y, n_samples, self.task, self.dtype, self.layer_sizes[-1],
                                    classes, self.activations[-1].name, name, self.loss)
        return placement.moved(Y, self.parameters), classes

    # -------------------------------------------------------------- public API

    def fit(self, X, y, optimizer="adam", epochs=100, batch_size=32, validation_data=None,
            validation_split=None, shuffle=True, sample_weight=None, class_weight=None,
            schedule=None, callbacks=None, verbose=False):
        """Train on ``(X, y)`` and return the [`History`][barenet.training.History].

        Parameters
        ----------
        X : array or sparse matrix of shape (n_samples, n_features)
            NumPy data, or an array of another library (a torch tensor, a CuPy
            array): the network moves to its library and device first (`to`);
            or a SciPy sparse matrix, densified batch by batch ([`sparse`][barenet.model.sparse]).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Class labels (any sortable values) for a classifier, a 0/1
            indicator matrix ``(n_samples, k)`` for a multilabel one, real
            targets for a regressor (``>= 0`` for the Poisson loss).
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
            Weights per class label (classifiers, not multilabel), multiplied into
            ``sample_weight``; 'balanced' weighs class ``c`` by
            ``n_samples / (n_classes * count(c))``, counting the classes
            present in ``y`` (as scikit-learn does).
        schedule : str or Schedule, optional
            Learning-rate schedule applied per epoch
            ([`barenet.schedules`][barenet.optim.schedules]); the rates used are recorded as
            ``'lr'``.
        callbacks : list of Callback, optional
            Hooks called during training ([`barenet.callbacks`][barenet.callbacks]), e.g.
            [`EarlyStopping`][barenet.callbacks.EarlyStopping].
        verbose : bool, default False
            Show progress on stderr: a bar on a terminal, a line every tenth
            of the run elsewhere ([`for_stream`][barenet.callbacks.ProgressBar.for_stream]).

        Notes
        -----
        The training ``'loss'`` is the objective minimized: the loss plus the
        L2 penalty, averaged over the epoch's batches; ``'val_loss'`` is the
        loss alone. Every argument is checked before training starts.
        Training stops with [`TrainingDiverged`][barenet.errors.TrainingDiverged] if the
        loss stops being finite.
        """
        self.to(X)
        (X, Y, weights, validation, callbacks, classes, optimizer, run,
         fit_config) = runs.start_fit(self, X, y, optimizer, epochs, batch_size,
                                      validation_data, validation_split, shuffle, sample_weight,
                                      class_weight, schedule, callbacks, verbose)
        self.classes_, self.optimizer_, self.fit_config_ = classes, optimizer, fit_config
        self.run_ = run  # what resume() needs to carry on exactly where this run stops
        self.history_ = History()
        return self._train(X, Y, validation, weights, callbacks)

    def resume(self, X, y, validation_data=None, sample_weight=None, class_weight=None,
               callbacks=None, verbose=False):
        """Carry on a run of [`fit`][barenet.Network.fit] that stopped early -- interrupted by
        Ctrl-C, or saved by [`ModelCheckpoint`][barenet.callbacks.ModelCheckpoint] and
        read back with [`barenet.load`][barenet.load] -- up to its planned epochs.

        Give the same data (and ``validation_data``, weights) as the first
        call; everything else comes from the run, and the result is
        bit-identical to a run never interrupted. Callbacks start afresh (an
        EarlyStopping's patience counts anew). Returns the whole History.
        """
        run = self.run_
        if run is None:
            raise NotFittedError("there is no run to resume: call fit, or load a checkpoint")
        if run.epoch >= run.epochs:
            raise ValueError(f"the run already finished its {run.epochs} epochs")
        self.to(X)
        X, Y, weights, validation, callbacks = runs.resumed(
            self, run, X, y, validation_data, sample_weight, class_weight, callbacks, verbose)
        self.optimizer_.lr = run.base_lr
        if self.history_ is None:
            self.history_ = History()
        return self._train(X, Y, validation, weights, callbacks)

    def _train(self, X, Y, validation, weights, callbacks):
        """Hand the run to a Trainer: the engine, the flat parameters, the
        optimizer, the Generator and the callbacks, explicitly."""
        trainer = Trainer(self.engine, self.flat, self.optimizer_, self.rng, callbacks, self)
        return trainer.train(X, Y, self.run_, self.history_, validation, weights)

    def forward(self, X):
        """Output of the last layer, shape ``(n_samples, n_L)``: probabilities
        for classifiers, predictions for regressors; a ValueError if any is
        not finite ([`barenet.model.outputs`][barenet.model.outputs])."""
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is raised below
            return finite_outputs(sparse.infer(self.engine, self.prepare(X)))

    def predict_proba(self, X):
        """Class probabilities, shape ``(n_samples, n_classes)``, columns in the
        order of ``classes_`` (multilabel: each of the k labels' own)."""
        if self.task == "regression":
            raise TypeError("predict_proba needs a classifier; this network is a regressor")
        self._require_fitted()
        P = self.forward(X)
        if self.task == "binary":
            return (np.hstack([1 - P, P]) if type(P) is np.ndarray else
                    self.engine.xp.concat([1 - P, P], axis=1))
        return P

    def predict(self, X):
        """Class labels for classifiers (multilabel: the indicators ``P > 0.5``,
        0/1 integers of shape ``(n_samples, k)``); for regressors the outputs,
        shape ``(n_samples,)`` for one output unit, else ``(n_samples, n_L)``."""
        if self.task == "regression":
            out = self.forward(X)
            return out[:, 0] if out.shape[1] == 1 else out
        self._require_fitted()
        index = self.engine.label_index(self.forward(X).T)
        # a multilabel network's index is its (k, n_samples) indicators
        return index.T if self.task == "multilabel" else placement.labels(self.classes_, index)

    def evaluate(self, X, y):
        """``{'loss': ..., metric: ...}`` on ``(X, y)``; the metric is 'accuracy'
        for classifiers (multilabel: samples with all labels right), 'mae'
        (mean absolute error) for regressors."""
        if self.task != "regression":
            self._require_fitted()
        X = self.prepare(X)
        Y, _ = self.encode(y, X.shape[0])
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is raised below
            return finite_scores(sparse.scores(self.engine, X, Y), self.engine.dtype)

    def layer_outputs(self, X):
        """The output of every layer for the rows of ``X``, in inference mode
        (dropout off, batch normalization with its running statistics): a
        list of L arrays, the ``l``-th of shape ``(n_samples, n_{l+1})``
        (transposed views of new arrays), the last being [`forward`][barenet.Network.forward]'s."""
        return sparse.layer_outputs(self.engine, self.prepare(X))

    def to(self, array):
        """Copy the network (parameters, statistics, optimizer state, scaling)
        to the library and device of ``array`` -- a torch tensor on a GPU, a
        CuPy array; NumPy for anything else -- where it then trains and
        predicts ([`barenet.model.placement`][barenet.model.placement]); returns it."""
        if placement.place_of(array) != placement.place_of(self.parameters):
            self.flat = self.flat.moved(array)
            self._bind(self.l2)
            placement.move_optimizer(self.optimizer_, self.parameters)
            self.scaler_ = placement.move_scaler(self.scaler_, self.parameters)
        return self

    def save(self, path, training_state=False):
        """Write the network to ``path`` (an ``.npz`` of arrays and JSON metadata,
        never pickle); [`barenet.load`][barenet.load] reads it back. See
        [`barenet.persistence`][barenet.io.persistence].

        With ``training_state=True`` the file is a checkpoint: it also holds
        the current run's optimizer state, random state, epoch and schedule,
        so that ``barenet.load(path).resume(X, y)`` carries on exactly.
        """
        WRITERS["npz"](self, path, training_state)

    def _require_fitted(self):
        if self.classes_ is None:
            raise NotFittedError("this network has not been fitted yet; call fit first")

