r"""Batch normalization of a hidden layer's pre-activations, forward and backward.

Layout: ``Z`` has shape ``(n_units, m)``, one column per sample; the learned
scale $\gamma$ and shift $\beta$ have shape ``(n_units, 1)``.

Training mode normalizes each unit over the batch:

$$
\mu = \frac{1}{m} \sum_i z_i \qquad
\sigma^2 = \frac{1}{m} \sum_i (z_i - \mu)^2 \qquad
\hat z_i = \frac{z_i - \mu}{\sqrt{\sigma^2 + \epsilon}} \qquad
\tilde z_i = \gamma \hat z_i + \beta
$$

Inference mode uses running estimates instead of the batch's statistics,
updated after every training batch as

$$
\mu_{run} \leftarrow \rho\, \mu_{run} + (1 - \rho)\, \mu \qquad
\sigma^2_{run} \leftarrow \rho\, \sigma^2_{run} + (1 - \rho)\, \frac{m}{m - 1} \sigma^2
$$

with momentum $\rho$ (the unbiased variance, as PyTorch keeps it;
PyTorch's ``momentum`` is $1 - \rho$).

**Backward.** With ``G`` the per-sample gradient arriving at
$\tilde z$ (see [`barenet.core.losses`][barenet.core.losses]: ``m`` times the gradient of the
mean cost), the chain rule through $\hat z$, $\mu$ and
$\sigma^2$ -- each of which depends on every sample of the batch -- gives

$$
\frac{\partial J}{\partial \gamma} = \frac{1}{m} \sum_i G_i \hat z_i \qquad
\frac{\partial J}{\partial \beta} = \frac{1}{m} \sum_i G_i
$$

$$
dZ = \frac{\gamma}{\sqrt{\sigma^2 + \epsilon}}
     \left( G - \overline{G} - \hat z\, \overline{G \hat z} \right)
$$

where the bars are means over the batch. The two subtracted terms remove the
components of ``G`` that the normalization cannot pass on: a shift of every
sample (absorbed by $\mu$) and a scaling along $\hat z$ (absorbed
by $\sigma$). A bias added before batch normalization therefore gets a
zero gradient.
"""

from typing import NamedTuple

import numpy as np

from .namespace import NUMPY, namespace


class BatchNormCache(NamedTuple):
    """What the training-mode forward pass keeps for the backward pass."""

    Z_hat: np.ndarray
    gamma: np.ndarray
    inv_std: np.ndarray
    mean: np.ndarray
    var: np.ndarray


def batchnorm_forward(Z, gamma, beta, eps=1e-5):
    """Training-mode forward pass; returns ``(gamma * Z_hat + beta, cache)``."""
    xp = NUMPY if type(Z) is np.ndarray else namespace(Z, gamma, beta)
    mean = xp.mean(Z, axis=1, keepdims=True)
    centered = Z - mean
    var = xp.mean(centered * centered, axis=1, keepdims=True)
    inv_std = 1 / xp.sqrt(var + eps)
    Z_hat = centered * inv_std
    return gamma * Z_hat + beta, BatchNormCache(Z_hat, gamma, inv_std, mean, var)


def batchnorm_backward(G, cache, mean=True):
    """Backward pass; returns ``(dZ, dgamma, dbeta)``: ``dZ`` per sample, the
    other two gradients of the mean cost, as in the module docstring.

    With ``mean=False`` (for a ``G`` already divided by ``m``, see
    [`linear_backward`][barenet.core.linear.linear_backward]) ``dgamma`` and ``dbeta`` are
    sums over the samples; ``dZ`` is the same linear map of ``G`` either way.
    """
    Z_hat, gamma, inv_std = cache.Z_hat, cache.gamma, cache.inv_std
    xp = NUMPY if type(G) is np.ndarray else namespace(G, Z_hat)
    dbeta = xp.mean(G, axis=1, keepdims=True)
    dgamma = xp.mean(G * Z_hat, axis=1, keepdims=True)
    dZ = (gamma * inv_std) * (G - dbeta - Z_hat * dgamma)
    if not mean:
        m = G.shape[1]
        dbeta *= m
        dgamma *= m
    return dZ, dgamma, dbeta


def batchnorm_inference(Z, gamma, beta, running_mean, running_var, eps=1e-5):
    """Inference-mode forward pass with the running statistics."""
    xp = namespace(Z, gamma, beta, running_mean, running_var)
    return gamma * ((Z - running_mean) / xp.sqrt(running_var + eps)) + beta


def update_running_stats(running_mean, running_var, cache, momentum):
    """Fold one training batch's statistics into the running ones, in place."""
    m = cache.Z_hat.shape[1]
    unbiased = cache.var * (m / (m - 1)) if m > 1 else cache.var
    running_mean *= momentum
    running_mean += (1 - momentum) * cache.mean
    running_var *= momentum
    running_var += (1 - momentum) * unbiased
