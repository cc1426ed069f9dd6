r"""scikit-learn's stochastic solvers, ``'sgd'`` and ``'adam'``, as barenet's
optimizers.

Each step is a barenet optimizer's, made by `make_optimizer` so that it is
scikit-learn's update:

- ``'sgd'``: scikit-learn's momentum keeps a velocity $v \leftarrow \mu v -
  \eta g$ and steps $\theta \leftarrow \theta + v$ (Nesterov: $\theta
  \leftarrow \theta + \mu v - \eta g$, with the new $v$). barenet's
  [`Momentum`][barenet.optim.rules.Momentum] with ``lr`` $= \eta / (1 - \mu)$
  and ``beta`` $= \mu$ keeps $v' = -v / \eta$ and takes the same steps at
  a constant rate $\eta$ (its docstring derives the scale); momentum 0 is
  [`GD`][barenet.optim.rules.GD] at $\eta$.
- ``'adam'``: [`ScikitAdam`][barenet.sklearn._mlp_solver.ScikitAdam], Adam with
  scikit-learn's epsilon.

`StochasticSolver` is what scikit-learn's solver objects keep besides (the
estimator's ``_optimizer``, as in scikit-learn): the current rate of
``'sgd'`` under ``learning_rate='invscaling'`` or ``'adaptive'`` and the
decision to stop. **A changing rate** applies from the next step on, to the
new gradients only, as in scikit-learn: the velocity already gathered keeps
the rate it was gathered with (barenet's ``v'`` is rescaled by old rate / new
rate, so that $\eta v'$, scikit-learn's $-v$, is unchanged).
"""

import copy
import math

from .. import optimizers as _optimizers
from ..optim import RUNNERS, Adam


class ScikitAdam(Adam):
    r"""Adam as scikit-learn's MLP computes it: the same moments and bias
    corrections, with $\epsilon$ added to $\sqrt{v}$, the uncorrected second
    moment:

    $$
    \theta \leftarrow \theta - \alpha \frac{\sqrt{1 - \beta_2^t}}{1 - \beta_1^t}
    \cdot \frac{m}{\sqrt{v} + \epsilon}
    $$

    [`Adam`][barenet.optim.adam.Adam] adds $\epsilon$ to $\sqrt{\hat v} =
    \sqrt{v} / \sqrt{1 - \beta_2^t}$ instead, which is this rule with
    $\epsilon \sqrt{1 - \beta_2^t}$ in place of $\epsilon$: no constant
    ``eps`` gives one rule the other's steps, so this subclass changes the one
    scalar that differs.

    **As computed.** In Adam's scale ($v' = v / (1 - \beta_2)$), the shift
    added to $\sqrt{v'}$ is $\epsilon / \sqrt{1 - \beta_2}$ at every
    step (Adam's is $\epsilon / a$); the scale is Adam's. The in-place and
    compiled runs of Adam run it, as they take both scalars from the step.

    Parameters
    ----------
    lr : float, default 0.001
        scikit-learn's ``learning_rate_init``, > 0.
    beta1, beta2 : float, default 0.9 and 0.999
        ``beta_1`` and ``beta_2``, in [0, 1).
    eps : float, default 1e-8
        ``epsilon``, > 0, added to $\sqrt{v}$.
    clipnorm : float, optional
        As for every optimizer.
    """

    name = "scikit_adam"

    def step_scalars(self):
        scalars = super().step_scalars()
        return scalars._replace(shift=self.eps / math.sqrt(1 - self.beta2))


def _adam_runner(optimizer, params):
    """Adam's runner for a ScikitAdam: the same passes over other scalars."""
    factory = RUNNERS.get(Adam)
    return None if factory is None else factory(optimizer, params)


RUNNERS[ScikitAdam] = _adam_runner


def make_optimizer(params):
    """A new barenet optimizer for the estimator ``params``: a fresh copy of
    its ``optimizer`` object, or scikit-learn's ``solver`` ('sgd', 'adam')."""
    if params.optimizer is not None:
        optimizer = copy.deepcopy(params.optimizer)
        optimizer.reset()
        return optimizer
    if params.solver == "adam":
        return ScikitAdam(lr=params.learning_rate_init, beta1=params.beta_1,
                          beta2=params.beta_2, eps=params.epsilon)
    return sgd_optimizer(params.learning_rate_init, params.momentum, params.nesterovs_momentum)


def sgd_optimizer(rate, momentum, nesterov):
    """scikit-learn's SGD at ``rate`` with ``momentum`` in [0, 1): GD, or
    Momentum at ``rate / (1 - momentum)`` (see the module's docstring)."""
    if momentum == 0:
        return _optimizers.GD(lr=rate)
    return _optimizers.Momentum(lr=rate / (1 - momentum), beta=momentum, nesterov=nesterov)


class StochasticSolver:
    """The rate and the stopping decision of a stochastic solver, as
    scikit-learn's ``SGDOptimizer`` and ``AdamOptimizer`` keep them; the
    steps are those of the estimator's barenet optimizer, which each method
    that changes the rate is given.

    Parameters
    ----------
    solver : {'sgd', 'adam', 'optimizer'}
        scikit-learn's solver, or 'optimizer' for a barenet optimizer object.
    learning_rate_init : float
    lr_schedule : {'constant', 'invscaling', 'adaptive'}
        ``learning_rate``; only 'sgd' follows it.
    power_t : float

    Attributes
    ----------
    learning_rate : float
        The current rate, in scikit-learn's units (``learning_rate_init``
        until 'invscaling' or 'adaptive' changes it).
    """

    def __init__(self, solver, learning_rate_init, lr_schedule, power_t):
        self.solver = solver
        self.learning_rate_init = learning_rate_init
        self.lr_schedule = lr_schedule if solver == "sgd" else "constant"
        self.power_t = power_t
        self.learning_rate = float(learning_rate_init)

    def iteration_ends(self, time_step, optimizer):
        """An epoch ended after ``time_step`` samples in all: 'invscaling' sets
        the rate ``learning_rate_init / (time_step + 1) ** power_t``."""
        if self.lr_schedule == "invscaling":
            self._set(float(self.learning_rate_init) / (time_step + 1) ** self.power_t,
                      optimizer)

    def trigger_stopping(self, message, verbose, optimizer):
        """Training stalled (``message`` says how): True to stop; 'adaptive'
        divides the rate by 5 instead, and stops once it is at most 1e-6."""
        if self.lr_schedule != "adaptive":
            if verbose:
                print(message + " Stopping.")
            return True
        if self.learning_rate <= 1e-6:
            if verbose:
                print(message + " Learning rate too small. Stopping.")
            return True
        self._set(self.learning_rate / 5.0, optimizer)
        if verbose:
            print(message + " Setting learning rate to %f" % self.learning_rate)
        return False

    def _set(self, rate, optimizer):
        """Step SGD's ``optimizer`` at scikit-learn's ``rate`` from now on; a
        Momentum's velocity keeps the rate it was gathered with."""
        old, self.learning_rate = self.learning_rate, rate
        if isinstance(optimizer, _optimizers.Momentum):
            optimizer.lr = rate / (1 - optimizer.beta)
            if optimizer.state is not None:
                for velocity in optimizer.state.velocity_sums:
                    velocity *= old / rate
        else:
            optimizer.lr = rate
