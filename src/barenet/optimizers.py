r"""Optimizers: the rules that turn gradients into parameter updates.

An optimizer updates a list of parameter arrays in place from a list of
gradient arrays of the same shapes::

    opt = Adam(lr=1e-3)
    opt.step([W1, b1, W2, b2], [dW1, db1, dW2, db2])

Its state (velocities, moments, the step count ``t``) belongs to it: made with
zeros of the parameters' shapes and dtypes on the first step, tied to those
shapes from then on. Use one optimizer object per model. ``Network`` passes
its single flat parameter vector, so a step costs a few vector operations
whatever the depth.

The rules are those of the deep-learning course the notebook follows;
:math:`\alpha` is ``lr``, :math:`g` the gradient, :math:`\theta` a parameter.
"""

import numpy as np

from ._checks import check_fraction, check_positive


class Optimizer:
    """Base class: validates ``lr``, counts steps, checks the parameter shapes."""

    name = None

    def __init__(self, lr):
        self.lr = check_positive("lr", lr)
        self.t = 0
        self._shapes = None

    def step(self, params, grads):
        """Apply one update to each array of ``params`` in place."""
        shapes = [(p.shape, p.dtype) for p in params]
        if len(grads) != len(params) or any(
            g.shape != p.shape for p, g in zip(params, grads)
        ):
            raise ValueError(
                "params and grads must be lists of arrays of the same shapes, got "
                f"{[p.shape for p in params]} and {[g.shape for g in grads]}"
            )
        if self._shapes is None:
            self._shapes = shapes
            self._init_state(params)
        elif shapes != self._shapes:
            raise ValueError(
                f"this {type(self).__name__} holds state for parameters of shapes "
                f"{[s for s, _ in self._shapes]}, not {[s for s, _ in shapes]}; "
                "use a new optimizer for each model"
            )
        self.t += 1
        for i, (p, g) in enumerate(zip(params, grads)):
            self._update(i, p, g)

    def reset(self):
        """Forget all state, as if no step had been taken."""
        self.t = 0
        self._shapes = None

    def _init_state(self, params):
        pass

    def _update(self, i, p, g):
        raise NotImplementedError

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

    def get_config(self):
        """The constructor's arguments, as a dict."""
        return {"lr": self.lr}


class GD(Optimizer):
    r"""(Mini-batch) gradient descent: :math:`\theta \leftarrow \theta - \alpha g`.

    Batch, mini-batch or stochastic gradient descent depending on the batch
    size it is given gradients for.
    """

    name = "gd"

    def __init__(self, lr=0.01):
        super().__init__(lr)

    def _update(self, i, p, g):
        p -= self.lr * g


class Momentum(Optimizer):
    r"""Gradient descent with momentum (an exponentially weighted average of gradients):

    .. math::

        v \leftarrow \beta v + (1 - \beta) g \qquad
        \theta \leftarrow \theta - \alpha v

    with :math:`v = 0` at the start. ``beta=0`` is plain gradient descent.

    PyTorch's ``SGD(momentum=beta)`` accumulates :math:`v' = \beta v' + g`
    instead; since :math:`v = (1 - \beta) v'` at every step, this rule equals
    PyTorch's with learning rate :math:`\alpha (1 - \beta)`. PyTorch's
    ``dampening=beta`` does not give this rule: it skips the damping on the
    first step.
    """

    name = "momentum"

    def __init__(self, lr=0.01, beta=0.9):
        super().__init__(lr)
        self.beta = check_fraction("beta", beta)

    def _init_state(self, params):
        self.velocities = [np.zeros_like(p) for p in params]

    def _update(self, i, p, g):
        v = self.velocities[i]
        v *= self.beta
        v += (1 - self.beta) * g
        p -= self.lr * v

    def get_config(self):
        return {"lr": self.lr, "beta": self.beta}


class RMSProp(Optimizer):
    r"""RMSProp: divide each gradient by a running root mean square of its history.

    .. math::

        s \leftarrow \beta s + (1 - \beta) g^2 \qquad
        \theta \leftarrow \theta - \alpha \frac{g}{\sqrt{s} + \epsilon}

    with :math:`s = 0` at the start and :math:`\epsilon` added *outside* the
    square root (as in PyTorch's ``RMSprop(alpha=beta, eps=eps)``, which this
    equals). With ``bias_correction=True``, :math:`s` is replaced by
    :math:`\hat s = s / (1 - \beta^t)`, as in Adam's second moment.
    """

    name = "rmsprop"

    def __init__(self, lr=0.001, beta=0.9, eps=1e-8, bias_correction=False):
        super().__init__(lr)
        self.beta = check_fraction("beta", beta)
        self.eps = check_positive("eps", eps)
        self.bias_correction = bool(bias_correction)

    def _init_state(self, params):
        self.squares = [np.zeros_like(p) for p in params]

    def _update(self, i, p, g):
        s = self.squares[i]
        s *= self.beta
        s += (1 - self.beta) * g * g
        s_hat = s / (1 - self.beta**self.t) if self.bias_correction else s
        p -= self.lr * g / (np.sqrt(s_hat) + self.eps)

    def get_config(self):
        return {
            "lr": self.lr,
            "beta": self.beta,
            "eps": self.eps,
            "bias_correction": self.bias_correction,
        }


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
    """

    name = "adam"

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(lr)
        self.beta1 = check_fraction("beta1", beta1)
        self.beta2 = check_fraction("beta2", beta2)
        self.eps = check_positive("eps", eps)

    def _init_state(self, params):
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]

    def _update(self, i, p, g):
        m, v = self.m[i], self.v[i]
        m *= self.beta1
        m += (1 - self.beta1) * g
        v *= self.beta2
        v += (1 - self.beta2) * g * g
        m_hat = m / (1 - self.beta1**self.t)
        v_hat = v / (1 - self.beta2**self.t)
        p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)

    def get_config(self):
        return {"lr": self.lr, "beta1": self.beta1, "beta2": self.beta2, "eps": self.eps}


REGISTRY = {cls.name: cls for cls in (GD, Momentum, RMSProp, Adam)}


def get(optimizer):
    """Return an optimizer object for a name in :data:`REGISTRY` (with its
    default settings), or the object itself."""
    if isinstance(optimizer, Optimizer):
        return optimizer
    if isinstance(optimizer, str) and optimizer in REGISTRY:
        return REGISTRY[optimizer]()
    raise ValueError(
        f"unknown optimizer {optimizer!r}; valid names are: {', '.join(REGISTRY)}"
    )
