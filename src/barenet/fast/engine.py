"""The passes of [`barenet.Network`][barenet.Network], run fast: a training step over a
reused workspace and a plan bound to it, and inference.

A [`barenet.Network`][barenet.Network] hands its `Engine` an explicit
`Architecture` and its flat parameters. Every layer works on the
transposed view of the data (one column per sample), as the notebook's
functions do. The formulas are the core's ([`barenet.core`][barenet.core]); the passes
run them in place over buffers made once per batch size, through
[`barenet.fast.activations`][barenet.fast.activations] and
[`barenet.fast.losses`][barenet.fast.losses], with the same numbers bit for bit
(``tests/test_golden.py``).
"""

import math
from typing import NamedTuple

import numpy as np

from ..core.normalization import (
    batchnorm_backward,
    batchnorm_forward,
    batchnorm_inference,
    update_running_stats,
)
from ..core.regularization import add_l2_gradient, dropout_mask, l2_penalty
from . import activations as _activations
from . import kernels as _fused
from . import losses as _losses
from ..core.linear import column
from .buffers import constants

# Rows per block of inference (see Engine._infer).
INFER_BLOCK = 16384


def _bias_operand(b):
    """The bias column ``b`` as the operand of ``Z += b``: a 0-d view for a
    single unit (a broadcast of a (1, 1) array costs three times as much),
    ``b`` itself otherwise; the same sums either way."""
    return b.reshape(()) if b.size == 1 else b


def _with_ones_row(n, m, dtype):
    """A new ``(n + 1, m)`` array whose last row is ones: a hidden layer's
    output in its first ``n`` rows (a C-contiguous view) is then, whole, the
    next layer's input ``[A; 1]``, and ``[W | b] @ [A; 1] = W A + b``."""
    extended = np.empty((n + 1, m), dtype)
    extended[n] = 1
    return extended


class BatchNorm(NamedTuple):
    """A batch-normalized layer's views: its scale and shift, and their gradients."""

    gamma: np.ndarray
    beta: np.ndarray
    dgamma: np.ndarray
    dbeta: np.ndarray


class ForwardStep(NamedTuple):
    """One layer of the training forward pass, bound to its workspace's arrays."""

    layer: int
    W: np.ndarray  # the first layer's W (its input, the batch, has no row of ones), else [W | b]
    b: object  # the first layer's bias operand, or None (in the block, or added by activate)
    Z: np.ndarray  # the linear step's output
    A: np.ndarray  # the activation's output
    activation: object
    norm: object  # BatchNorm, or None
    activate: object  # the activation's pass Z -> A, no arguments; None with batch norm
    rate: float  # dropout's
    output: np.ndarray  # the next layer's input: a hidden layer's extended array


class BackwardStep(NamedTuple):
    """One layer of the backward pass, from the last, bound to its arrays."""

    layer: int
    dA: object  # the gradient arriving at A, or None for the output layer
    activation: object
    norm: object  # BatchNorm, or None
    derive: object  # the activation's backward pass dA -> dZ, no arguments; or None
    dZ: np.ndarray
    dW: np.ndarray  # the first layer's dW, else the gradient's [W | b] block
    db: object  # the first layer's db, else None (in the block)
    block_T: object  # [W | b]^T past the first layer, else None
    input_T: object  # the extended input's transpose past the first layer, else None
    dA_prev: object  # the extended dA of the layer before, or None
    ones: np.ndarray  # the column of ones of the first layer's db


class Workspace:
    """The arrays of one forward (and backward) pass over ``m`` samples.

    For training, one workspace per batch size is kept and reused from step
    to step, so a step allocates almost nothing. Per layer ``l`` it holds

    - ``inputs[l]``: the layer's input (the previous layer's output);
    - ``Z[l]``: the linear step's output, and ``Zact[l]`` the activation's
      input (the same array, or batch normalization's output);
    - ``A[l]``: the activation's output, before dropout; ``masks[l]``, ``bn[l]``:
      dropout's scaled mask and batch normalization's cache, or None;
    - for training, ``dZ[l]`` and ``dA[l]``: gradient buffers, and
      ``dropped[l]``: the output after dropout (``dA[l]`` is the first rows
      of ``dA_extended[l]``, below);
    - for a hidden layer, ``extended[l]``: its output (after dropout) with a
      row of ones below, the next layer's input to its ``[W | b]`` block, and
      for training ``dA_extended[l]``: ``[W | b]^T dZ`` of the next layer.

    For inference ``A[l]`` is ``Z[l]``: activations are applied in place.
    ``forward_plan`` and ``backward_plan`` (training) bind each layer's
    arrays and functions once; see ``Engine._bind_plan``.
    """

    def __init__(self, sizes, m, dtype, training, dropout=()):
        L = len(sizes) - 1
        self.extended = [_with_ones_row(n, m, dtype) for n in sizes[1:-1]]
        # a hidden layer's output lands in the first rows of its extended array
        outputs = [extended[:-1] for extended in self.extended]
        if training:
            self.Z = [np.empty((n, m), dtype) for n in sizes[1:]]
            # dropout holds a rate per layer, 0 for the output layer
            self.dropped = [outputs[l] if rate else None for l, rate in enumerate(dropout)]
            self.A = [np.empty((n, m), dtype) if rate or l == L - 1 else outputs[l]
                      for l, (n, rate) in enumerate(zip(sizes[1:], dropout))]
            self.dZ = [np.empty((n, m), dtype) for n in sizes[1:]]
            # W^T dZ is the first rows of [W | b]^T dZ: NumPy's dot copies a
            # W strided inside its block, and takes the whole block as it is
            self.dA_extended = [np.empty((n + 1, m), dtype) for n in sizes[1:-1]]
            self.dA = [dA[:-1] for dA in self.dA_extended]
            self.forward_plan = self.backward_plan = None
            (self.inverse_m,) = constants(dtype, 1 / m)  # 0-d: a cheap ufunc operand
        else:
            self.Z = self.A = outputs + [np.empty((sizes[-1], m), dtype)]
        self.inputs, self.Zact = [None] * L, [None] * L
        self.masks, self.bn = [None] * L, [None] * L


class Architecture(NamedTuple):
    """What the passes need to know of a network besides its parameters: its
    layer sizes, one activation per weight layer, the loss and the task it
    implies ('binary', 'multiclass', 'multilabel' or 'regression'), the dtype,
    dropout's rate and batch normalization's switch per layer (the output
    layer's last: 0 and False), and batch normalization's momentum and epsilon."""

    layer_sizes: tuple
    activations: tuple
    loss: object
    task: str
    dtype: np.dtype
    dropout: tuple
    batch_norm: tuple
    bn_momentum: float
    bn_eps: float


class Engine:
    """The passes of a network, run fast: the forward and backward pass of a
    training step over a reused `Workspace`, the training objective
    and metric, and inference.

    ``architecture`` is an `Architecture`; ``flat`` holds the flat
    vectors and their per-layer views (``weights``, ``biases``, ``gammas``,
    ``betas``, ``blocks``, the gradient's ``dweights``... and the running
    statistics; [`barenet.model.parameters.FlatParameters`][barenet.model.parameters.FlatParameters]). ``l2`` is
    the L2 penalty's strength, which may change between runs. Dropout draws
    its masks from the Generator a training step is given. Workspaces are made
    once per batch size and kept.
    """

    def __init__(self, architecture, flat, l2=0.0):
        self.architecture = a = architecture
        (self.layer_sizes, self.activations, self.loss, self.task, self.dtype, self.dropout,
         self.batch_norm, self.bn_momentum, self.bn_eps) = a
        self.flat, self.l2 = flat, l2
        self.weights, self.biases, self.blocks = flat.weights, flat.biases, flat.blocks
        self.metric_name = "mae" if a.task == "regression" else "accuracy"
        # see figures_per_epoch
        self.figures_per_epoch = (a.activations[-1].name == a.loss.fused_activation
                                  and not any(a.batch_norm))
        self.workspaces = {}

    def workspace(self, m):
        """The training workspace for batches of ``m`` samples (made once,
        with its plan)."""
        ws = self.workspaces.get(m)
        if ws is None:
            _fused.kernels()  # training loads the compiled loops, where numba is installed
            ws = self.workspaces[m] = Workspace(self.layer_sizes, m, self.dtype, True,
                                                self.dropout)
            self._bind_plan(ws, m)
        return ws

    def _bind_plan(self, ws, m):
        """Bind, once per workspace, what each layer of a training step uses:
        ``ws.forward_plan``, a `ForwardStep` per layer, and
        ``ws.backward_plan``, a `BackwardStep` per layer from the last.

        A small network's step is bound by per-call overhead, so the step
        runs over these tuples instead of indexing lists layer by layer, and
        calls the arrays' ``dot`` method (the same BLAS call as ``np.dot``,
        without its dispatch; see ``docs/guide/speed.md``).
        """
        flat, L, rates = self.flat, len(self.weights), self.dropout  # the output's rate is 0
        outputs = ws.extended + [ws.A[-1]]
        acts = self.activations
        norms = [None if not bn else BatchNorm(flat.gammas[l], flat.betas[l], flat.dgammas[l],
                                               flat.dbetas[l])
                 for l, bn in enumerate(self.batch_norm)]
        # the first layer's bias added by its activation's loop, where it has one for both
        both = None if norms[0] else _activations.bind_bias_forward(
            acts[0], ws.Z[0], self.biases[0], ws.A[0])
        first_bias = None if both is not None else _bias_operand(self.biases[0])
        ws.forward_plan = [ForwardStep(
            l, self.weights[0] if l == 0 else self.blocks[l], first_bias if l == 0 else None,
            ws.Z[l], ws.A[l], acts[l], norms[l],
            None if norms[l] else both if l == 0 and both is not None
            else _activations.bind_forward(acts[l], ws.Z[l], ws.A[l]),
            rates[l], outputs[l]) for l in range(L)]
        ws.Zact[:] = ws.Z  # batch normalization's layers replace theirs at every step
        ws.inputs[1:] = [extended[:-1] for extended in ws.extended]  # after dropout
        ones = column(m, 1, self.dtype)
        ws.backward_plan = [BackwardStep(
            l, ws.dA[l] if l < L - 1 else None, acts[l], norms[l],
            None if l == L - 1 or norms[l] else
            _activations.bind_backward(acts[l], ws.dA[l], ws.Z[l], ws.A[l], ws.dZ[l]),
            ws.dZ[l], flat.dblocks[l] if l else flat.dweights[0],
            None if l else flat.dbiases[0], self.blocks[l].T if l else None,
            ws.extended[l - 1].T if l else None, ws.dA_extended[l - 1] if l else None, ones)
            for l in range(L - 1, -1, -1)]

    def _forward_training(self, X_T, ws, rng, masks=None):
        """The training-mode forward pass of the batch ``X_T`` over the
        workspace's plan: batch normalization with the batch's statistics,
        dropout masks from ``rng`` (or ``masks``). Returns the output layer's
        activations."""
        ws.inputs[0] = A = X_T
        for l, W, b, Z, out, activation, norm, activate, rate, output in ws.forward_plan:
            W.dot(A, out=Z)
            if b is not None:
                Z += b
            if norm is None:
                activate()
            else:
                ws.Zact[l], ws.bn[l] = batchnorm_forward(Z, norm.gamma, norm.beta, self.bn_eps)
                _activations.forward(activation, ws.Zact[l], out)
            if rate:
                self._drop(ws, l, out, rate, rng, masks)
            A = output
        return A

    def _drop(self, ws, l, A, rate, rng, masks=None):
        """Dropout on layer ``l``'s output ``A``: a new mask from ``rng`` (or
        ``masks[l]``), kept in the workspace for the backward pass."""
        mask = ws.masks[l] = masks[l] if masks is not None else dropout_mask(
            rng, A.shape, rate, self.dtype)
        return np.multiply(A, mask, out=ws.dropped[l])

    def _output_gradient(self, ws, Y, weights):
        """The output layer's ``dZ`` divided by ``m``: the 1/m of the mean cost,
        applied once on this small array; it flows back linearly, so every
        ``dW`` and ``db`` below is a sum."""
        dZ = _losses.output_gradient(self.loss, self.activations[-1], ws.A[-1], ws.Zact[-1], Y,
                                     weights, ws.dZ[-1])
        dZ *= ws.inverse_m  # 1 / m
        return dZ

    def backward(self, ws, Y, weights=None):
        """Fill the gradient vector from the workspace of a training-mode
        forward pass, over the workspace's plan."""
        dZ = self._output_gradient(ws, Y, weights)
        for (l, dA, activation, norm, derive, dZ_out, dW, db, block_T, input_T, dA_prev,
             ones) in ws.backward_plan:
            if dA is not None:
                if ws.masks[l] is not None:
                    dA *= ws.masks[l]
                if derive is None:
                    _activations.backward(activation, dA, ws.Zact[l], ws.A[l], dZ_out)
                else:
                    derive()
                dZ = dZ_out
            if norm is not None:
                dZ, norm.dgamma[...], norm.dbeta[...] = batchnorm_backward(dZ, ws.bn[l],
                                                                           mean=False)
            dZ.dot(ws.inputs[0].T if input_T is None else input_T, out=dW)
            if db is not None:
                dZ.dot(ones, out=db)
            if dA_prev is not None:
                block_T.dot(dZ, out=dA_prev)
        add_l2_gradient(self.flat.dweights, self.weights, self.l2, Y.shape[1])

    def forward(self, A, training=False, rng=None, masks=None):
        """Forward pass on ``A`` of shape ``(n_0, m)``; returns ``(AL, workspace)``.

        In training mode the arrays are the reused training workspace's,
        batch normalization uses the batch's statistics and dropout draws a
        mask per hidden layer from the Generator ``rng`` (or takes them from
        ``masks``); otherwise fresh arrays are used, batch normalization uses
        the running statistics, dropout is skipped and each activation is
        applied in place.
        """
        m = A.shape[1]
        if training:
            ws = self.workspace(m)
            return self._forward_training(A, ws, rng, masks), ws
        ws = Workspace(self.layer_sizes, m, self.dtype, False)
        flat = self.flat
        for l, activation in enumerate(self.activations):
            ws.inputs[l] = A
            if l == 0:
                Z = self.weights[0].dot(A, out=ws.Z[0])
                Z += self.biases[0]
            else:  # W A + b in one product, over the input's row of ones
                Z = self.blocks[l].dot(ws.extended[l - 1], out=ws.Z[l])
            if self.batch_norm[l]:
                Z = batchnorm_inference(Z, flat.gammas[l], flat.betas[l], flat.running_means[l],
                                        flat.running_vars[l], self.bn_eps)
            ws.Zact[l] = Z
            A = _activations.forward(activation, Z, ws.A[l])
        return A, ws

    def objective(self, AL, Y_T, weights=None):
        """The training objective: the (weighted) loss plus the L2 penalty."""
        return self.loss.value(AL, Y_T, weights) + l2_penalty(self.weights, self.l2, Y_T.shape[1])

    def step_value_and_grad(self, X_T, Y_T, weights=None, rng=None, masks=None):
        """Training objective on one batch (columns are samples) and its
        gradient, written to the gradient vector; folds the batch's statistics
        into batch normalization's running ones. Dropout draws its masks from
        ``rng`` (or takes ``masks``). Returns ``(loss, AL)``."""
        AL, ws = self.forward(X_T, True, rng, masks)
        loss = self.objective(AL, Y_T, weights)
        self.backward(ws, Y_T, weights)
        if X_T.shape[1] > 1 and math.isfinite(loss):  # a diverged batch leaves them alone
            flat = self.flat
            for l, bn in enumerate(ws.bn):
                if bn is not None:
                    update_running_stats(flat.running_means[l], flat.running_vars[l], bn,
                                         self.bn_momentum)
        return loss, AL

    # figures_per_epoch (set in __init__): whether the training loop may score
    # the epoch's outputs at once (see barenet.model.trainer): with a fused
    # output (sigmoid + binary cross-entropy, softmax + categorical
    # cross-entropy) the clipped loss is finite exactly when the outputs are,
    # and so is the gradient the optimizer checks at every step; batch
    # normalization folds its statistics only after steps with a finite loss,
    # so it keeps the per-step loss.

    def step_grad(self, X_T, Y_T, weights=None, rng=None):
        """The gradient of one batch, as `step_value_and_grad` gives
        it, without the loss. Returns ``(AL, penalty)``: the outputs and the
        batch's L2 penalty (0.0 without L2)."""
        AL, ws = self.forward(X_T, True, rng)
        self.backward(ws, Y_T, weights)
        return AL, l2_penalty(self.weights, self.l2, Y_T.shape[1])

    def figures(self, AL, Y_T, weights=None):
        """Loss (without the L2 penalty) and metric of the outputs ``AL``: an
        epoch's training outputs, or the inference outputs of `scores`."""
        return {"loss": self.loss.value(AL, Y_T, weights),
                self.metric_name: self.metric(AL, Y_T)}

    def label_index(self, AL):
        """Index into the classes of each column of a classifier's output."""
        if self.task == "binary":
            return (AL[0] > 0.5).astype(np.intp)
        return AL.argmax(axis=0)

    def metric(self, AL, Y_T):
        """Accuracy (classifiers) or mean absolute error (regression) of ``AL``."""
        m = AL.shape[1]
        if self.task == "regression":
            return float(np.abs(AL - Y_T).sum()) / AL.size
        if self.task == "binary":  # Y_T holds 0 and 1
            return int(np.count_nonzero((AL > 0.5) == Y_T)) / m
        return int(np.count_nonzero(AL.argmax(axis=0) == Y_T.argmax(axis=0))) / m

    def infer(self, X):
        """Inference-mode outputs for the rows of ``X``, shape ``(n_samples, n_L)``.

        Rows go through in blocks of ``INFER_BLOCK``: the intermediate arrays
        stay a few megabytes whatever the number of rows, and the allocator
        hands the same memory back from block to block, where one pass over
        all the rows maps hundreds of megabytes afresh (and pays a page fault
        for every page of them) at every call.
        """
        m = X.shape[0]
        if m <= INFER_BLOCK:
            return np.ascontiguousarray(self.forward(X.T)[0].T)
        out = np.empty((m, self.layer_sizes[-1]), self.dtype)
        for start in range(0, m, INFER_BLOCK):  # one block's arrays alive at a time
            out[start:start + INFER_BLOCK] = self.forward(X[start:start + INFER_BLOCK].T)[0].T
        return out

    def scores(self, X, Y):
        """Loss (without the L2 penalty) and metric on ``(X, Y)``, in inference mode."""
        return self.figures(self.infer(X).T, Y.T)
