r"""Gradient descent, Momentum (and Nesterov) and RMSProp.

The rules of the deep-learning course the notebook follows; $\alpha$ is
``lr``, $g$ the gradient, $\theta$ a parameter. Each class keeps
its state in the scale that costs the fewest operations, says how that scale
relates to its formula, and computes the formula's own numbers from it.
"""

import math
from typing import NamedTuple

from .._checks import check_bool, check_fraction, check_positive
from ..core.namespace import namespace
from .base import Optimizer, divided_bound


class GDScalars(NamedTuple):
    lr: float


class GD(Optimizer):
    r"""(Mini-batch) gradient descent: $\theta \leftarrow \theta - \alpha g$.

    Batch, mini-batch or stochastic gradient descent depending on the batch
    size it is given gradients for.

    Parameters
    ----------
    lr : float, default 0.01
        The learning rate $\alpha$, > 0.
    clipnorm : float, optional
        Before each step, scale the gradients down to this global norm when
        theirs is larger
        ([`clip_by_global_norm`][barenet.optim.clipping.clip_by_global_norm]);
        None does not clip.
    """

    name = "gd"

    def __init__(self, lr=0.01, clipnorm=None):
        super().__init__(lr, clipnorm)

    def step_scalars(self):
        return GDScalars(self.lr)

    def update(self, g, state, s):
        return g * s.lr

    def update_bound(self, value_bound, s):
        return 2 * self.lr * value_bound


class MomentumState(NamedTuple):
    """$v' = v / (1 - \\beta)$ per parameter array (PyTorch's momentum buffer)."""

    velocity_sums: list


class MomentumScalars(NamedTuple):
    beta: float
    scale: float  # lr (1 - beta)
    nesterov: float  # 1.0 or 0.0


class Momentum(Optimizer):
    r"""Gradient descent with momentum (an exponentially weighted average of gradients):

    $$
    v \leftarrow \beta v + (1 - \beta) g \qquad
    \theta \leftarrow \theta - \alpha v
    $$

    with $v = 0$ at the start. ``beta=0`` is plain gradient descent.

    With ``nesterov=True`` (Nesterov momentum) the step looks ahead: the
    velocity is updated in the same way, and the parameter moves by the
    velocity the *next* step would have if the gradient stayed $g$:

    $$
    v \leftarrow \beta v + (1 - \beta) g \qquad
    \theta \leftarrow \theta - \alpha \bigl(\beta v + (1 - \beta) g\bigr)
    $$

    ``beta=0`` is again plain gradient descent.

    **As computed.** The state is $v' = v / (1 - \beta)$, which
    follows $v' \leftarrow \beta v' + g$ (one operation fewer than
    $v$'s rule); the step is $\alpha (1 - \beta) v'$, or with
    Nesterov $\alpha (1 - \beta)(\beta v' + g)$.
    [`velocities`][barenet.optim.rules.Momentum.velocities] returns $v$.

    PyTorch's ``SGD(momentum=beta)`` accumulates that same $v'$, so
    this rule equals PyTorch's with learning rate $\alpha (1 - \beta)$:
    ``SGD(lr=lr * (1 - beta), momentum=beta, nesterov=nesterov)``. PyTorch's
    ``dampening=beta`` does not give this rule: it skips the damping on the
    first step.

    Parameters
    ----------
    lr : float, default 0.01
        The learning rate $\alpha$, > 0.
    beta : float, default 0.9
        The momentum $\beta$, in [0, 1).
    nesterov : bool, default False
        Nesterov momentum: the step looks ahead (above).
    clipnorm : float, optional
        Before each step, scale the gradients down to this global norm when
        theirs is larger
        ([`clip_by_global_norm`][barenet.optim.clipping.clip_by_global_norm]);
        None does not clip.
    """

    name = "momentum"
    State = MomentumState
    sum_field = "velocity_sums"

    def __init__(self, lr=0.01, beta=0.9, nesterov=False, clipnorm=None):
        super().__init__(lr, clipnorm)
        self.beta = check_fraction("beta", beta)
        self.nesterov = check_bool("nesterov", nesterov)

    def _formula_names(self):
        return {"velocities": ("velocity_sums", 1 - self.beta)}

    @property
    def velocities(self):
        """The velocities $v$, one new array per parameter array."""
        return self._formula_state("velocities")

    def step_scalars(self):
        return MomentumScalars(self.beta, self.lr * (1 - self.beta), float(self.nesterov))

    def update(self, g, state, s):
        (v,) = state
        v *= s.beta
        v += g  # v' = beta v' + g
        if s.nesterov:  # beta v + (1 - beta) g = (1 - beta)(beta v' + g)
            return (v * s.beta + g) * s.scale
        return v * s.scale

    def update_bound(self, value_bound, s):
        velocity = self._advance_sum_bound(self.beta, value_bound)  # |v'|
        if self.nesterov:
            velocity = self.beta * velocity + value_bound
        return 2 * self.lr * (1 - self.beta) * velocity

    def _config(self):
        return {"beta": self.beta, "nesterov": self.nesterov}


class RMSPropState(NamedTuple):
    """$s' = s / (1 - \\beta)$ per parameter array."""

    square_sums: list


class RMSPropScalars(NamedTuple):
    beta: float
    shift: float  # eps / a
    scale: float  # lr / a


class RMSProp(Optimizer):
    r"""RMSProp: divide each gradient by a running root mean square of its history.

    $$
    s \leftarrow \beta s + (1 - \beta) g^2 \qquad
    \theta \leftarrow \theta - \alpha \frac{g}{\sqrt{s} + \epsilon}
    $$

    with $s = 0$ at the start and $\epsilon$ added *outside* the
    square root (as in PyTorch's ``RMSprop(alpha=beta, eps=eps)``, which this
    equals). With ``bias_correction=True``, $s$ is replaced by
    $\hat s = s / (1 - \beta^t)$, as in Adam's second moment.

    **As computed.** The state is $s' = s / (1 - \beta)$, which follows
    $s' \leftarrow \beta s' + g^2$. With $c = 1 - \beta^t$ (1
    without bias correction) and $a = \sqrt{(1 - \beta) / c}$,
    $\sqrt{\hat s} = a \sqrt{s'}$, so the step is

    $$
    \frac{\alpha}{a} \cdot \frac{g}{\sqrt{s'} + \epsilon / a}
    $$

    two scalars (``scale``, ``shift``) computed once per step.
    [`squares`][barenet.optim.rules.RMSProp.squares] returns $s$.

    Parameters
    ----------
    lr : float, default 0.001
        The learning rate $\alpha$, > 0.
    beta : float, default 0.9
        The decay $\beta$ of the running mean of squares, in [0, 1).
    eps : float, default 1e-8
        $\epsilon$, > 0, added outside the square root.
    bias_correction : bool, default False
        Divide $s$ by $1 - \beta^t$, as Adam does its second moment.
    clipnorm : float, optional
        Before each step, scale the gradients down to this global norm when
        theirs is larger
        ([`clip_by_global_norm`][barenet.optim.clipping.clip_by_global_norm]);
        None does not clip.
    """

    name = "rmsprop"
    State = RMSPropState

    def __init__(self, lr=0.001, beta=0.9, eps=1e-8, bias_correction=False, clipnorm=None):
        super().__init__(lr, clipnorm)
        self.beta = check_fraction("beta", beta)
        self.eps = check_positive("eps", eps)
        self.bias_correction = check_bool("bias_correction", bias_correction)

    def _formula_names(self):
        return {"squares": ("square_sums", 1 - self.beta)}

    @property
    def squares(self):
        """The running mean squares $s$, one new array per parameter array."""
        return self._formula_state("squares")

    def step_scalars(self):
        c = 1 - self.beta**self.t if self.bias_correction else 1.0
        a = math.sqrt((1 - self.beta) / c)
        return RMSPropScalars(self.beta, self.eps / a, self.lr / a)

    def update(self, g, state, s):
        (squares,) = state
        squares *= s.beta
        squares += g * g  # s' = beta s' + g^2
        return g / (namespace(squares).sqrt(squares) + s.shift) * s.scale

    def update_bound(self, value_bound, s):
        # |g / (sqrt(s') + shift)| <= |g| / shift: sqrt(s') >= 0
        return divided_bound(value_bound, s.shift, s.scale, self._tiny)

    def _config(self):
        return {"beta": self.beta, "eps": self.eps, "bias_correction": self.bias_correction}
