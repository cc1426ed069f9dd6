r"""Real-valued targets standardized for training, as the inputs are.

A regression network learns targets of any scale only slowly: its weights
start near the scale of 1 (He or Xavier), and the learning rate that suits
them moves the output layer's biases by about ``lr`` a step, so that targets
of mean 150,000 would take millions of steps to reach. ``train`` therefore
trains a regressor with standardized inputs (the default) on

$$
y' = \frac{y - \mu}{\sigma}
$$

per target column, $\mu$ and $\sigma$ the training split's mean and
standard deviation (1 for a constant column), and then folds the scaling
into the output layer, which is linear:

$$
\sigma (W a + b) + \mu = (\sigma W) a + (\sigma b + \mu),
$$

so that the model it saves predicts in the targets' own units and needs
nothing else to be used (``predict``, ``evaluate``, ONNX). The checkpoint
of an interrupted run keeps the network as it trains, on $y'$; ``--resume``
computes $\mu$ and $\sigma$ again from the same data. The History, and so
the learning curves, are in the units of $y'$.
"""

import copy
from typing import NamedTuple

import numpy as np


class TargetScale(NamedTuple):
    """Per target column: ``mean`` and ``scale`` (its standard deviation, or 1)."""

    mean: np.ndarray
    scale: np.ndarray


def standardizes_targets(net):
    """Whether train fits ``net`` on standardized targets: a regressor whose
    inputs are standardized too, with a linear output (not a Poisson one,
    whose targets must stay counts)."""
    return (net.task == "regression" and net.standardize
            and net.activations[-1].name == "linear")


def target_scale(y):
    """The `TargetScale` of the training targets ``y``, shape ``(n,)`` or
    ``(n, k)``: the columns' means and standard deviations in float64, a
    standard deviation below 1e-12 of the mean's magnitude (or 0) taken as 1."""
    Y = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
    mean, scale = Y.mean(axis=0), Y.std(axis=0)
    scale[scale <= 1e-12 * np.maximum(np.abs(mean), 1.0)] = 1.0
    return TargetScale(mean, scale)


def scaled(data, target):
    """``data`` (a Dataset) with both splits' targets standardized by ``target``."""
    def standardized(y):
        return ((np.asarray(y, dtype=np.float64).reshape(len(y), -1) - target.mean)
                / target.scale).reshape(np.shape(y))

    return data._replace(y_train=standardized(data.y_train), y_test=standardized(data.y_test))


def folded(net, target):
    """A copy of ``net``, trained on targets standardized by ``target``, whose
    outputs are in the targets' units: the output layer's weights times
    ``scale``, its biases times ``scale`` plus ``mean`` (row ``j`` for target
    column ``j``), computed in float64 and stored in the network's dtype."""
    model = copy.deepcopy(net)
    W, b = model.weights[-1], model.biases[-1]
    scale, mean = target.scale[:, None], target.mean[:, None]
    W[...] = np.asarray(W, dtype=np.float64) * scale
    b[...] = np.asarray(b, dtype=np.float64) * scale + mean
    return model
