r"""Adam and AdamW."""

import math
from typing import NamedTuple

import numpy as np

from .._checks import check_fraction, check_nonnegative, check_positive
from .base import Optimizer, divided_bound


class AdamState(NamedTuple):
    r""":math:`m' = m / (1 - \beta_1)` and :math:`v' = v / (1 - \beta_2)` per parameter array."""

    m_sums: list
    v_sums: list


class AdamScalars(NamedTuple):
    beta1: float
    beta2: float
    shift: float  # eps / a
    scale: float  # lr b / a
    decay: float  # the factor each parameter takes before the step: 1, or AdamW's


class Adam(Optimizer):
    r"""Adam: momentum and RMSProp together, with both moments bias-corrected.

    .. math::

        m \leftarrow \beta_1 m + (1 - \beta_1) g \qquad
        v \leftarrow \beta_2 v + (1 - \beta_2) g^2

        \hat m = \frac{m}{1 - \beta_1^t} \qquad
        \hat v = \frac{v}{1 - \beta_2^t} \qquad
        \theta \leftarrow \theta - \alpha \frac{\hat m}{\sqrt{\hat v} + \epsilon}

    with :math:`m = v = 0` at the start and :math:`t` the step count, raised
    before the correction (the first step has :math:`t = 1`). :math:`\epsilon`
    is added outside the square root, as in PyTorch's ``Adam``, which this
    equals. ``beta1=0`` gives RMSProp with bias correction.

    **As computed.** The state is :math:`m' = m / (1 - \beta_1)` and
    :math:`v' = v / (1 - \beta_2)`, which follow :math:`m' \leftarrow \beta_1
    m' + g` and :math:`v' \leftarrow \beta_2 v' + g^2`. With :math:`b = (1 -
    \beta_1) / (1 - \beta_1^t)` and :math:`a = \sqrt{(1 - \beta_2) / (1 -
    \beta_2^t)}`, :math:`\hat m = b m'` and :math:`\sqrt{\hat v} = a
    \sqrt{v'}`, so the step is

    .. math:: \frac{\alpha b}{a} \cdot \frac{m'}{\sqrt{v'} + \epsilon / a}

    two scalars (``scale``, ``shift``) computed once per step. :attr:`m` and
    :attr:`v` return :math:`m` and :math:`v`.
    """

    name = "adam"
    State = AdamState
    sum_field = "m_sums"

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, clipnorm=None):
        super().__init__(lr, clipnorm)
        self.beta1 = check_fraction("beta1", beta1)
        self.beta2 = check_fraction("beta2", beta2)
        self.eps = check_positive("eps", eps)

    def _formula_names(self):
        return {"m": ("m_sums", 1 - self.beta1), "v": ("v_sums", 1 - self.beta2)}

    @property
    def m(self):
        """The first moments :math:`m`, one new array per parameter array."""
        return self._formula_state("m")

    @property
    def v(self):
        """The second moments :math:`v`, one new array per parameter array."""
        return self._formula_state("v")

    def step_scalars(self):
        b = (1 - self.beta1) / (1 - self.beta1**self.t)
        a = math.sqrt((1 - self.beta2) / (1 - self.beta2**self.t))
        return AdamScalars(self.beta1, self.beta2, self.eps / a, self.lr * b / a,
                           self.decay_factor())

    def decay_factor(self):
        """The factor each parameter takes before the step: 1 (AdamW's differs)."""
        return 1.0

    def update(self, g, state, s):
        m, v = state
        m *= s.beta1
        m += g  # m' = beta1 m' + g
        v *= s.beta2
        v += g * g  # v' = beta2 v' + g^2
        return m / (np.sqrt(v) + s.shift) * s.scale

    def update_bound(self, value_bound, s):
        # |m' / (sqrt(v') + shift)| <= |m'| / shift: sqrt(v') >= 0
        return divided_bound(self._advance_sum_bound(self.beta1, value_bound), s.shift, s.scale,
                             self._tiny)

    def _config(self):
        return {"beta1": self.beta1, "beta2": self.beta2, "eps": self.eps}


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov and Hutter, 2019).

    Each parameter first shrinks towards zero, then takes the :class:`Adam` step:

    .. math::

        \theta \leftarrow \theta - \alpha \lambda \theta

        m \leftarrow \beta_1 m + (1 - \beta_1) g \qquad
        v \leftarrow \beta_2 v + (1 - \beta_2) g^2

        \theta \leftarrow \theta - \alpha \frac{\hat m}{\sqrt{\hat v} + \epsilon}

    with :math:`\lambda` the ``weight_decay``, :math:`\hat m, \hat v` bias-corrected
    and :math:`\epsilon` outside the square root, as in :class:`Adam`. This is
    PyTorch's ``AdamW(lr, betas=(beta1, beta2), eps, weight_decay)``, which
    this equals. ``weight_decay=0`` is :class:`Adam`. The shrinking is the
    factor :math:`1 - \alpha \lambda`, computed as PyTorch computes it.

    The decay is *decoupled* from the gradient: it is not L2 regularization
    (adding :math:`\lambda \theta` to :math:`g`, PyTorch's
    ``Adam(weight_decay=...)``), whose decay Adam would divide by
    :math:`\sqrt{\hat v}` like the rest of the gradient.

    Every array it is given decays, biases included (as PyTorch's ``AdamW``
    does for all the parameters it is given). ``Network`` passes all its
    weights and biases as one vector, so all of them decay.
    """

    name = "adamw"

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01,
                 clipnorm=None):
        super().__init__(lr, beta1, beta2, eps, clipnorm)
        self.weight_decay = check_nonnegative("weight_decay", weight_decay)

    def decay_factor(self):
        return 1 - self.lr * self.weight_decay  # as PyTorch computes it

    def apply(self, p, u, s):
        p *= s.decay
        p -= u

    def _config(self):
        return {**super()._config(), "weight_decay": self.weight_decay}
