r"""The passes of a network on any array library: the core's formulas as
they are written, each result a new array.

A network whose parameters are NumPy arrays runs the fast layer's
[`Engine`][barenet.fast.engine.Engine], in place over reused workspaces. One
whose parameters are arrays of another library -- PyTorch tensors on the CPU
or a GPU, CuPy arrays, ``array_api_strict``'s -- runs `ArrayEngine`: the same
interface and the same formulas ([`barenet.core`][barenet.core]), computed
with the Array API standard's functions in the parameters' namespace, on
their device. Per layer ``l``, with ``A_0 = X^T`` (one column per sample):

$$
Z_l = W_l A_{l-1} + b_l \qquad A_l = g_l(\mathrm{BN}(Z_l)) \odot M_l
$$

(batch normalization and the dropout mask ``M_l`` where the layer has them),
and backward from ``dZ_L = (1/m)`` times the loss's output gradient, ``dW_l
= dZ_l A_{l-1}^T``, ``db_l = dZ_l 1``, ``dA_{l-1} = W_l^T dZ_l``: sums over
the samples of a gradient already divided by ``m``, as the fast layer
computes them. The gradient is written into the flat gradient vector's
per-layer views, which the optimizer steps with the parameter vector.

Dropout's masks are drawn from the NumPy Generator, as for NumPy, and moved
to the device: a seed gives the same masks, and the same run, on every
library (to rounding: float64 results agree with NumPy's to about 1e-12).
"""

import math

import numpy as np

from ..core import losses as _losses
from ..core.linear import linear_backward
from ..core.namespace import namespace
from ..core.normalization import batchnorm_backward, batchnorm_forward, batchnorm_inference
from ..core.regularization import add_l2_gradient, dropout_mask
from ..fast.engine import INFER_BLOCK, Engine


class Pass:
    """The arrays of one forward pass, per layer ``l``: ``inputs[l]`` (the
    previous layer's output, after dropout), ``Zact[l]`` (the activation's
    input: ``Z``, or batch normalization's output), ``A[l]`` (the
    activation's output, before dropout), ``masks[l]`` (dropout's scaled
    mask) and ``bn[l]`` (batch normalization's cache), None where unused."""

    def __init__(self, n_layers):
        self.inputs, self.Zact, self.A = [None] * n_layers, [None] * n_layers, [None] * n_layers
        self.masks, self.bn = [None] * n_layers, [None] * n_layers


class ArrayEngine(Engine):
    """The passes of a network whose flat parameters ``flat``
    ([`FlatParameters`][barenet.model.parameters.FlatParameters]) are arrays
    of any library, for the ``architecture``
    ([`Architecture`][barenet.fast.engine.Architecture]) and the L2
    strength ``l2``: the fast [`Engine`][barenet.fast.engine.Engine] with
    its passes (``forward``, ``backward``, ``label_index``, ``metric``,
    ``infer``) written with the Array API standard's functions; the
    objective, the training steps and the figures are the Engine's own,
    which call them."""

    def __init__(self, architecture, flat, l2=0.0):
        super().__init__(architecture, flat, l2)
        self.xp = flat.xp

    def forward(self, A, training=False, rng=None, masks=None):
        """Forward pass on ``A`` of shape ``(n_0, m)``; returns ``(AL, pass)``
        (a `Pass`). In training mode batch normalization uses the batch's
        statistics and dropout draws a mask per hidden layer from the
        Generator ``rng`` (or takes ``masks[l]``); otherwise batch
        normalization uses the running statistics and dropout is off."""
        flat, ws = self.flat, Pass(len(self.activations))
        for l, activation in enumerate(self.activations):
            ws.inputs[l] = A
            Z = flat.weights[l] @ A + flat.biases[l]
            if self.batch_norm[l]:
                if training:
                    Z, ws.bn[l] = batchnorm_forward(Z, flat.gammas[l], flat.betas[l],
                                                    self.bn_eps)
                else:
                    Z = batchnorm_inference(Z, flat.gammas[l], flat.betas[l],
                                            flat.running_means[l], flat.running_vars[l],
                                            self.bn_eps)
            ws.Zact[l] = Z
            A = ws.A[l] = activation.forward(Z)
            rate = self.dropout[l]
            if training and rate:
                ws.masks[l] = (masks[l] if masks is not None else
                               dropout_mask(rng, tuple(A.shape), rate, self.dtype, like=A))
                A = A * ws.masks[l]
        return A, ws

    def backward(self, ws, Y, weights=None):
        """Fill the gradient vector from the `Pass` ``ws`` of a training-mode
        forward pass, for the targets ``Y`` (columns are samples) and sample
        ``weights`` (or None)."""
        flat, L, m = self.flat, len(self.activations), Y.shape[1]
        dZ = _losses.output_gradient(self.loss, self.activations[-1], ws.A[-1], ws.Zact[-1], Y,
                                     weights) * (1 / m)
        dA = None
        for l in range(L - 1, -1, -1):
            if l < L - 1:
                if ws.masks[l] is not None:
                    dA = dA * ws.masks[l]
                dZ = self.activations[l].backward(dA, ws.Zact[l], ws.A[l])
            if self.batch_norm[l]:
                dZ, flat.dgammas[l][...], flat.dbetas[l][...] = batchnorm_backward(
                    dZ, ws.bn[l], mean=False)
            dA, _, _ = linear_backward(dZ, ws.inputs[l], flat.weights[l], flat.dweights[l],
                                       flat.dbiases[l], need_dA_prev=l > 0, mean=False)
        add_l2_gradient(flat.dweights, flat.weights, self.l2, m)

    def label_index(self, AL):
        """Index into the classes of each column of a classifier's output."""
        xp = self.xp
        if self.task == "binary":
            return xp.astype(AL[0, :] > 0.5, xp.int64)
        return xp.argmax(AL, axis=0)

    def metric(self, AL, Y_T):
        """Accuracy (classifiers) or mean absolute error (regression) of ``AL``."""
        xp, m = self.xp, AL.shape[1]
        if self.task == "regression":
            return float(xp.sum(xp.abs(AL - Y_T))) / math.prod(AL.shape)
        if self.task == "binary":  # Y_T holds 0 and 1
            hits = (AL > 0.5) == (Y_T > 0.5)
        else:
            hits = xp.argmax(AL, axis=0) == xp.argmax(Y_T, axis=0)
        return int(xp.sum(xp.astype(hits, xp.int64))) / m

    def infer(self, X):
        """Inference-mode outputs for the rows of ``X``, shape ``(n_samples,
        n_L)``, in blocks of ``INFER_BLOCK`` rows (see the fast Engine's)."""
        m = X.shape[0]
        if m <= INFER_BLOCK:
            return self.forward(X.T)[0].T
        return self.xp.concat([self.forward(X[start:start + INFER_BLOCK, :].T)[0].T
                               for start in range(0, m, INFER_BLOCK)], axis=0)


class Multilabel:
    """A multilabel network's labels and accuracy, mixed into either engine
    (`MultilabelEngine`, `MultilabelArrayEngine`): its ``k`` sigmoid units
    are ``k`` yes/no labels, each set where its probability is above 0.5.
    The task is decided once, by the engine's class: the other tasks' steps
    run the engines' own ``label_index`` and ``metric``."""

    def label_index(self, AL):
        """The labels of the outputs ``AL`` (columns are samples): the
        indicators ``AL > 0.5`` as integers, shape ``(k, m)``."""
        on = AL > 0.5
        if type(on) is np.ndarray:
            return on.astype(np.intp)
        xp = namespace(on)
        return xp.astype(on, xp.int64)

    def metric(self, AL, Y_T):
        """Subset accuracy: the fraction of samples (columns) whose ``k``
        labels are all right, as scikit-learn's ``accuracy_score`` counts
        them for indicator matrices."""
        xp = namespace(AL, Y_T)
        right = xp.all((AL > 0.5) == (Y_T > 0.5), axis=0)
        if type(right) is np.ndarray:
            return int(np.count_nonzero(right)) / AL.shape[1]
        return int(xp.sum(xp.astype(right, xp.int64))) / AL.shape[1]


class MultilabelEngine(Multilabel, Engine):
    """The fast [`Engine`][barenet.fast.engine.Engine] of a multilabel network."""


class MultilabelArrayEngine(Multilabel, ArrayEngine):
    """The `ArrayEngine` of a multilabel network."""


def engine_for(architecture, flat, l2=0.0):
    """The passes for the flat parameters ``flat``: the fast layer's
    [`Engine`][barenet.fast.engine.Engine] for NumPy arrays, an
    `ArrayEngine` for any other library's; for a multilabel network, the
    same with its labels and accuracy (`Multilabel`)."""
    numpy = type(flat.values) is np.ndarray
    if architecture.task == "multilabel":
        engine = MultilabelEngine if numpy else MultilabelArrayEngine
    else:
        engine = Engine if numpy else ArrayEngine
    return engine(architecture, flat, l2)
