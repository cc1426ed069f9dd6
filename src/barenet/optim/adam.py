r"""Adam and AdamW."""

import math
from typing import NamedTuple

from .._checks import check_fraction, check_nonnegative, check_positive
from ..core.namespace import namespace
from .base import Optimizer, divided_bound


class AdamState(NamedTuple):
    r"""$m' = m / (1 - \beta_1)$ and $v' = v / (1 - \beta_2)$ per parameter array."""

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

    $$
    m \leftarrow \beta_1 m + (1 - \beta_1) g \qquad
    v \leftarrow \beta_2 v + (1 - \beta_2) g^2
    $$

    $$
    \hat m = \frac{m}{1 - \beta_1^t} \qquad
    \hat v = \frac{v}{1 - \beta_2^t} \qquad
    \theta \leftarrow \theta - \alpha \frac{\hat m}{\sqrt{\hat v} + \epsilon}
    $$

    with $m = v = 0$ at the start and $t$ the step count, raised
    before the correction (the first step has $t = 1$). $\epsilon$
    is added outside the square root, as in PyTorch's ``Adam``, which this
    equals. ``beta1=0`` gives RMSProp with bias correction.

    **As computed.** The state is $m' = m / (1 - \beta_1)$ and
    $v' = v / (1 - \beta_2)$, which follow $m' \leftarrow \beta_1
    m' + g$ and $v' \leftarrow \beta_2 v' + g^2$. With $b = (1 -
    \beta_1) / (1 - \beta_1^t)$ and $a = \sqrt{(1 - \beta_2) / (1 -
    \beta_2^t)}$, $\hat m = b m'$ and $\sqrt{\hat v} = a
    \sqrt{v'}$, so the step is

    $$
    \frac{\alpha b}{a} \cdot \frac{m'}{\sqrt{v'} + \epsilon / a}
    $$

    two scalars (``scale``, ``shift``) computed once per step. [`m`][barenet.optim.adam.Adam.m] and
    [`v`][barenet.optim.adam.Adam.v] return $m$ and $v$.

    Parameters
    ----------
    lr : float, default 0.001
        The learning rate $\alpha$, > 0.
    beta1 : float, default 0.9
        $\beta_1$, the decay of the first moment (momentum), in [0, 1).
    beta2 : float, default 0.999
        $\beta_2$, the decay of the second moment (RMSProp), in [0, 1).
    eps : float, default 1e-8
        $\epsilon$, > 0, added outside the square root.
    clipnorm : float, optional
        Before each step, scale the gradients down to this global norm when
        theirs is larger
        ([`clip_by_global_norm`][barenet.optim.clipping.clip_by_global_norm]);
        None does not clip.
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
        """The first moments $m$, one new array per parameter array."""
        return self._formula_state("m")

    @property
    def v(self):
        """The second moments $v$, one new array per parameter array."""
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
        return m / (namespace(v).sqrt(v) + s.shift) * s.scale

    def update_bound(self, value_bound, s):
        # |m' / (sqrt(v') + shift)| <= |m'| / shift: sqrt(v') >= 0
        return divided_bound(self._advance_sum_bound(self.beta1, value_bound), s.shift, s.scale,
                             self._tiny)

    def _config(self):
        return {"beta1": self.beta1, "beta2": self.beta2, "eps": self.eps}


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov and Hutter, 2019).

    Each parameter first shrinks towards zero, then takes the [`Adam`][barenet.optim.adam.Adam]
    step:

    $$
    \theta \leftarrow \theta - \alpha \lambda \theta
    $$

    $$
    m \leftarrow \beta_1 m + (1 - \beta_1) g \qquad
    v \leftarrow \beta_2 v + (1 - \beta_2) g^2
    $$

    $$
    \theta \leftarrow \theta - \alpha \frac{\hat m}{\sqrt{\hat v} + \epsilon}
    $$

    with $\lambda$ the ``weight_decay``, $\hat m, \hat v$ bias-corrected
    and $\epsilon$ outside the square root, as in [`Adam`][barenet.optim.adam.Adam]. This is
    PyTorch's ``AdamW(lr, betas=(beta1, beta2), eps, weight_decay)``, which
    this equals. ``weight_decay=0`` is [`Adam`][barenet.optim.adam.Adam]. The shrinking is the
    factor $1 - \alpha \lambda$, computed as PyTorch computes it.

    The decay is *decoupled* from the gradient: it is not L2 regularization
    (adding $\lambda \theta$ to $g$, PyTorch's
    ``Adam(weight_decay=...)``), whose decay Adam would divide by
    $\sqrt{\hat v}$ like the rest of the gradient.

    Every array it is given decays, biases included (as PyTorch's ``AdamW``
    does for all the parameters it is given). ``Network`` passes all its
    weights and biases as one vector, so all of them decay.

    Parameters
    ----------
    lr, beta1, beta2, eps, clipnorm
        As for [`Adam`][barenet.optim.adam.Adam], with the same defaults.
    weight_decay : float, default 0.01
        $\lambda$, >= 0; 0 is Adam.
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
