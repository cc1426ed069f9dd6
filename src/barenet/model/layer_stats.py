r"""What happens inside the layers: a callback that records, per layer and
per epoch, the spread of the activations and of the gradients and the size
of the updates ([`LayerStatistics`][barenet.model.layer_stats.LayerStatistics]),
and the experiment that shows why initialization matters
([`init_statistics`][barenet.model.layer_stats.init_statistics]): under the
seed notebook's small random weights the activations shrink layer by layer
going forward, and the gradients going backward, while Xavier (Glorot &
Bengio 2010) keeps them alive through tanh layers and He (He et al. 2015)
through ReLU layers.

Everything is read through the documented interface: the public
``Network.layer_outputs``, and ``net.engine``'s ``forward`` and
``backward`` passes, which fill ``net.flat.grad`` (read through its
per-layer views ``net.flat.dweights`` and ``dbiases``), put back
afterwards so that training never sees it.
"""

import numpy as np

from .._checks import check_int, check_matrix, check_positive
from ..core import activations as _activations
from ..core import initializers as _initializers
from ..core.namespace import like, to_numpy
from ..optim import REGISTRY as _OPTIMIZERS
from ..errors import TrainingDiverged
from .callbacks import Callback
from .network import Network

QUANTITIES = ("activation_mean", "activation_std", "delta_mean", "delta_std", "gradient_mean",
              "gradient_std", "update_ratio")
"""The recorded quantities, each an array of shape ``(n_records, L)``."""


def _mean_std(A):
    """Mean and (population, ddof 0) standard deviation of every entry of
    ``A``, an array of any library (or a list of them), in float64 on the host."""
    A = np.asarray([to_numpy(a) for a in A] if isinstance(A, list) else to_numpy(A),
                   dtype=np.float64)
    return float(A.mean()), float(A.std())


def _recorded(name, doc):
    """The property of the records of ``name``, shape ``(n_records, L)``."""
    return property(lambda self: self._quantity(name), doc=doc + " Shape (n_records, L).")


class LayerStatistics(Callback):
    r"""Record per layer, every ``every`` epochs, the spread of the
    activations and of the gradients, and the update-to-weight ratio.

    Parameters
    ----------
    X : array of shape (n_probe, n_features)
        The probe batch (raw inputs, as given to ``fit``: the network
        standardizes them itself), NumPy's or the network's library's. A few
        hundred samples suffice.
    y : array-like of shape (n_probe,) or (n_probe, n_outputs)
        Its targets, encoded as ``fit`` encodes them, for the gradients.
    every : int >= 1, default 1
        Record every ``every`` epochs, counted from the run's start.
    max_records : int >= 3, default 100
        The most records kept. When one more arrives, every other record
        is dropped (the run's start kept) and the spacing doubles, so the
        records stay evenly spaced over the whole run.
    delta_samples : int >= 0, default 32
        How many of the probe's first samples the back-propagated gradient
        is measured on, one at a time (0: not measured, NaN).

    Notes
    -----
    A record is made at the start of the run (epoch ``e0``, the epoch
    before the run's first: 0 for a new ``fit``), before any step, and at
    the end of epochs ``e0 + k * spacing`` and of the run's last planned
    epoch. ``X`` and ``y`` are checked against the network when training
    starts, before any step. For each weight layer
    ``l = 1 .. L`` (the output layer last), means and standard deviations
    (ddof 0) over all the entries named, in float64:

    - ``activation_mean``, ``activation_std``: the ``n_probe * n_l``
      entries of the layer's output $A_l$ for the probe, from
      ``Network.layer_outputs``: inference mode (dropout off, batch
      normalization with its running statistics);
    - ``delta_mean``, ``delta_std``: the back-propagated gradient $\delta_l
      = \partial J_i / \partial Z_l$ of each of the first ``delta_samples``
      samples ``i`` (its own loss $J_i$), the ``delta_samples * n_l``
      entries; each is the ``db_l`` of a one-sample backward pass (below).
      NaN for a network with batch normalization, which a single sample
      cannot normalize;
    - ``gradient_mean``, ``gradient_std``: the ``n_l * n_{l-1}`` entries
      of $dW_l = \partial J / \partial W_l$ for the whole probe, $J$ the
      training objective (the mean loss plus the L2 penalty);
    - ``update_ratio``: $\lVert W_l^{t} - W_l^{t-1} \rVert_F / \lVert
      W_l^{t-1} \rVert_F$ for each training step $t$ of the epoch (the
      change the optimizer made, whatever its rule), averaged over the
      epoch's steps; NaN at the run's start, and where $W_l^{t-1} = 0$.

    The gradients come from ``net.engine``'s ``forward`` (training mode,
    batch normalization with the batch's statistics, its running
    statistics left alone, dropout off: masks of ones) and ``backward``,
    which fill the gradient vector ``net.flat.grad``; it is copied before
    and put back after, bit for bit. No random draw is made from the
    network's Generator, and the parameters and the optimizer's state are
    not touched: training is the same with the callback as without.

    Memory is bounded whatever the number of epochs: at most
    ``max_records`` records of ``7 * L`` floats; while training, the
    prepared probe, a copy of the gradient vector and a float64 copy of the
    weights; and the engine's workspaces for ``n_probe`` samples and for
    one, which it keeps. A record costs an inference pass, a forward and
    backward pass over the probe and ``delta_samples`` one-sample passes;
    each step of a recorded epoch a copy of the weights (the training loop
    then scores each batch as it goes, as for any callback that reads steps).

    Attributes
    ----------
    epochs : int array of shape (n_records,)
        The recorded epochs.
    activation_mean, activation_std : float64 array of shape (n_records, L)
    delta_mean, delta_std : float64 array of shape (n_records, L)
    gradient_mean, gradient_std : float64 array of shape (n_records, L)
    update_ratio : float64 array of shape (n_records, L)
    layer_names : list of str
        ``'1 tanh'``, ..., one per weight layer.
    layer_sizes : list of int
        The network's ``[n_0, ..., n_L]``.
    spacing : int
        The epochs between records: ``every``, doubled at each thinning.
    """

    def __init__(self, X, y, every=1, max_records=100, delta_samples=32):
        self.X = check_matrix("X", X, any_library=True)
        n = self.X.shape[0]
        n_y = np.shape(y)[0] if np.ndim(y) else 0
        if n_y != n:
            raise ValueError(f"y has {n_y} samples but X has {n}")
        self.y = y
        self.every = self.spacing = check_int("every", every, minimum=1)
        self.max_records = check_int("max_records", max_records, minimum=3)
        self.delta_samples = min(check_int("delta_samples", delta_samples, minimum=0), n)
        self._epochs, self._rows, self.layer_names, self.layer_sizes = [], [], [], []
        self.net = None
        self._tracking = False

    # ---------------------------------------------------------------- results

    def _quantity(self, name):
        """The records of one of `QUANTITIES`, shape ``(n_records, L)``."""
        i = QUANTITIES.index(name)
        return np.array([row[i] for row in self._rows]).reshape(len(self._rows),
                                                                len(self.layer_names))

    activation_mean = _recorded("activation_mean", "Mean of each layer's outputs.")
    activation_std = _recorded("activation_std", "Standard deviation of each layer's outputs.")
    delta_mean = _recorded("delta_mean", "Mean of each layer's dJ_i/dZ_l.")
    delta_std = _recorded("delta_std", "Standard deviation of each layer's dJ_i/dZ_l.")
    gradient_mean = _recorded("gradient_mean", "Mean of the entries of each layer's dW.")
    gradient_std = _recorded("gradient_std", "Standard deviation of each layer's dW.")
    update_ratio = _recorded("update_ratio", "Mean of ||W_t - W_t-1|| / ||W_t-1|| per step.")

    @property
    def epochs(self):
        """The recorded epochs, an int array of shape ``(n_records,)``."""
        return np.array(self._epochs, dtype=int)

    def as_dict(self):
        """The records as a dict: ``'epochs'``, each of `QUANTITIES`,
        ``'layer_names'`` and ``'layer_sizes'``."""
        out = {"epochs": self.epochs, "layer_names": list(self.layer_names),
               "layer_sizes": list(self.layer_sizes)}
        out.update((name, self._quantity(name)) for name in QUANTITIES)
        return out

    # ------------------------------------------------------------ the hooks

    def on_train_begin(self, model, epochs, steps_per_epoch):
        self.net, self._epochs, self._rows = None, [], []  # net: once the checks pass
        # a NumPy probe goes to the network's library and device
        self._probe = (like(self.X, model.parameters) if type(self.X) is np.ndarray
                       else self.X)
        X = model.prepare(self._probe, name="LayerStatistics's X")
        Y, _ = model.encode(self.y, X.shape[0], name="LayerStatistics's y")
        flat, engine = model.flat, model.engine
        self._X, self._Y = X, Y
        self._keep = flat.xp.asarray(flat.grad, copy=True) \
            if type(flat.grad) is not np.ndarray else flat.grad.copy()
        self._masks = {m: [like(np.ones((n, m)), flat.values, model.dtype) if rate else None
                           for n, rate in zip(model.layer_sizes[1:], engine.dropout)]
                       for m in (X.shape[0], 1)}
        self._deltas = self.delta_samples if not any(engine.batch_norm) else 0
        self.layer_names = [f"{l} {a.name}" for l, a in enumerate(model.activations, 1)]
        self.layer_sizes = list(model.layer_sizes)
        self._last, self._start, self.spacing = epochs, None, self.every
        self._tracking = False
        self.net = model

    def on_epoch_begin(self, epoch):
        if self.net is None:
            return
        if self._start is None:  # the run's start: the parameters it starts from
            self._start = epoch - 1
            self._record(epoch - 1, np.full(len(self.layer_names), np.nan))
        self._tracking = self._due(epoch)
        if self._tracking:
            self._previous = [np.array(to_numpy(W), dtype=np.float64)
                              for W in self.net.flat.weights]
            self._ratios = np.zeros(len(self._previous))
            self._steps = 0

    def on_step_end(self, epoch, step, logs):
        if not self._tracking:
            return
        for l, W in enumerate(self.net.flat.weights):
            W = np.array(to_numpy(W), dtype=np.float64)
            before = self._previous[l]
            norm = np.linalg.norm(before)
            self._ratios[l] += np.linalg.norm(W - before) / norm if norm > 0 else np.nan
            self._previous[l] = W
        self._steps += 1

    def on_epoch_end(self, epoch, history):
        if self._tracking:
            self._tracking = False
            self._record(epoch, self._ratios / max(self._steps, 1))
        return False

    def on_train_end(self, history):
        # what only training needs goes; the records stay
        self.net = self._X = self._Y = self._probe = self._keep = self._masks = None
        self._previous = None
        self._tracking = False

    # ---------------------------------------------------------- the records

    def _due(self, epoch):
        return (epoch - self._start) % self.spacing == 0 or epoch == self._last

    def _record(self, epoch, updates):
        """Append the record of ``epoch``; thin the records past ``max_records``."""
        activations = [_mean_std(A) for A in self.net.layer_outputs(self._probe)]
        deltas, gradients = self._gradients()
        self._epochs.append(epoch)
        self._rows.append(np.vstack([np.array(activations).T, np.array(deltas).T,
                                     np.array(gradients).T, updates]))
        if len(self._rows) > self.max_records:
            self.spacing *= 2
            keep = [i for i, e in enumerate(self._epochs)
                    if (e - self._start) % self.spacing == 0 or e == self._last]
            self._epochs = [self._epochs[i] for i in keep]
            self._rows = [self._rows[i] for i in keep]

    def _gradients(self):
        """Per layer, the mean and standard deviation of the back-propagated
        gradients and of ``dW`` (see the class); the gradient vector put back."""
        flat = self.net.flat
        self._keep[...] = flat.grad
        try:
            deltas = [[] for _ in flat.dbiases]
            for i in range(self._deltas):  # one sample: db_l is dJ_i/dZ_l
                self._backward(self._X[i:i + 1, :], self._Y[i:i + 1, :])
                for delta, db in zip(deltas, flat.dbiases):
                    delta.append(to_numpy(db).copy())
            self._backward(self._X, self._Y)
            gradients = [_mean_std(dW) for dW in flat.dweights]
        finally:
            flat.grad[...] = self._keep
        nan = (np.nan, np.nan)
        return [_mean_std(d) if d else nan for d in deltas], gradients

    def _backward(self, X, Y):
        """The training-mode forward and backward passes of ``(X, Y)``, with
        dropout off, through the engine: they fill the gradient vector."""
        engine = self.net.engine
        _, workspace = engine.forward(X.T, True, None, self._masks[X.shape[0]])
        engine.backward(workspace, Y.T)


# ------------------------------------------------------------ the experiment


def _output_layer(y):
    """The output units and activation for targets ``y``: a sigmoid unit for
    two classes, softmax for more, sigmoid units for a 0/1 indicator matrix
    (multilabel), linear units for real values."""
    y = np.asarray(y)
    columns = 1 if y.ndim == 1 else y.shape[1]
    if y.dtype.kind == "f" and not np.all(np.mod(y, 1) == 0):
        return columns, "linear"
    if columns > 1:
        return columns, "sigmoid"
    k = np.unique(y).size
    return (1, "sigmoid") if k <= 2 else (k, "softmax")


def init_statistics(X, y, depth=10, width=64, activations=("tanh", "relu"),
                    inits=("random", "xavier", "he"), epochs=5, optimizer="gd", lr=0.1,
                    batch_size=32, probe=500, seed=0):
    r"""Train the same deep network from each initialization, recording its layers.

    For each hidden activation in ``activations`` and each initialization in
    ``inits`` (``barenet.initializers``' names: ``'random'`` draws $W \sim
    0.01\,\mathcal{N}(0, 1)$, ``'xavier'`` $\mathcal{N}(0, 1/n_{in})$, ``'he'``
    $\mathcal{N}(0, 2/n_{in})$), a network of ``depth`` hidden layers of
    ``width`` units and an output layer suited to ``y`` (a sigmoid unit for two
    classes, softmax for more, linear units for real values) is made with the
    same ``seed`` -- the same standard normal draws, scaled differently -- and
    trained for ``epochs`` epochs by ``optimizer`` (a name) at rate ``lr``,
    with a `LayerStatistics` on the first ``probe`` samples recording every
    epoch. A run that diverges keeps the records made before.

    With zero biases a layer of ``n`` inputs multiplies the spread of its
    input by about $\sigma_W \sqrt{n}$ (times $1/\sqrt 2$ for ReLU): $0.01
    \sqrt{64} = 0.08$ under ``'random'``, about $10^{-10}$ over nine layers;
    Xavier's $\sigma_W = \sqrt{1/n}$ keeps it near 1 through tanh (Glorot &
    Bengio 2010), He's $\sqrt{2/n}$ through ReLU (He et al. 2015). The
    back-propagated $\delta_l$ shrinks the same way from the output down, and
    $dW_l = \delta_l A_{l-1}^T$, their product, is about as small at every
    layer (Glorot & Bengio 2010, section 4.2).

    Returns
    -------
    dict
        ``{activation: {init: LayerStatistics}}``, in the order given.
    """
    X, depth, width, epochs, probe, lr = _check_experiment(
        X, y, depth, width, activations, inits, epochs, optimizer, lr, probe)
    units, output = _output_layer(y)
    sizes = [X.shape[1]] + [width] * depth + [units]
    results = {}
    for activation in activations:
        results[activation] = {}
        for init in inits:
            net = Network(sizes, [activation] * depth + [output], init=init, seed=seed)
            stats = LayerStatistics(X[:probe], np.asarray(y)[:probe])
            try:
                net.fit(X, y, optimizer=_OPTIMIZERS[optimizer](lr=lr), epochs=epochs,
                        batch_size=batch_size, callbacks=[stats])
            except TrainingDiverged:
                pass  # the records made so far tell the story
            results[activation][init] = stats
    return results


def _check_experiment(X, y, depth, width, activations, inits, epochs, optimizer, lr, probe):
    """`init_statistics`'s arguments checked, each error naming its argument."""
    X = check_matrix("X", X)
    if np.shape(y)[:1] != X.shape[:1]:
        raise ValueError(f"y has {np.shape(y)[0] if np.ndim(y) else 0} samples but X has "
                         f"{X.shape[0]}")
    for name, names, known in (("activations", activations, _activations.REGISTRY),
                               ("inits", inits, _initializers.REGISTRY)):
        if isinstance(names, str) or not names or any(n not in known for n in names):
            raise ValueError(f"{name} must be a non-empty sequence of names from "
                             f"{', '.join(known)}, got {names!r}")
    if not isinstance(optimizer, str) or optimizer not in _OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(_OPTIMIZERS)}, got {optimizer!r}")
    return (X, check_int("depth", depth, minimum=1), check_int("width", width, minimum=1),
            check_int("epochs", epochs, minimum=1), check_int("probe", probe, minimum=1),
            check_positive("lr", lr))
