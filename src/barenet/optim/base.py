r"""The optimizer base: what every rule shares.

An optimizer updates a list of parameter arrays in place from a list of
gradient arrays of the same shapes:

    opt = Adam(lr=1e-3)
    opt.step([W1, b1, W2, b2], [dW1, db1, dW2, db2])

Its state (velocities, moments, the step count ``t``) belongs to it: made with
zeros of the parameters' shapes and dtypes on the first step, tied to those
shapes from then on. Use one optimizer object per model. ``Network`` passes
its single flat parameter vector, so a step costs a few vector operations
whatever the depth.

A rule is a subclass that names its state and writes its formula once:

- ``State``: a NamedTuple with one field per state quantity; each field holds
  a list with one array per parameter array (zeros of its shape and dtype at
  the first step). ``sum_field`` names the field that is a running sum of
  gradients, if one is;
- [`Optimizer.step_scalars`][barenet.optim.base.Optimizer.step_scalars]: this step's scalars (a
  NamedTuple of Python floats), from the settings and the step count ``t`` (1 on the first step);
- [`Optimizer.update`][barenet.optim.base.Optimizer.update]: for one parameter array's gradient
  ``g`` and that array's state arrays, advance the state in place and return the amount to
  subtract from the parameter;
- [`Optimizer.apply`][barenet.optim.base.Optimizer.apply]: subtract it (``p -= u``; AdamW decays
  ``p`` first);
- [`Optimizer.update_bound`][barenet.optim.base.Optimizer.update_bound]: a bound on every value of
  the update, given one on every value of the gradient.

The base does the rest, once for every rule: it checks the arrays against the
state, makes the state, clips the gradients (``clipnorm``, see
[`clip_by_global_norm`][barenet.optim.clipping.clip_by_global_norm]), counts the steps, refuses
a step whose gradient or update is not finite, and gives the state out and
takes it back ([`Optimizer.get_state`][barenet.optim.base.Optimizer.get_state],
[`Optimizer.set_state`][barenet.optim.base.Optimizer.set_state]).

**Faster ways to run a rule.** [`RUNNERS`][barenet.optim.base.RUNNERS] maps a rule class to a
factory of *runners*: objects that compute the same updates, bit for bit, on
particular arrays ([`barenet.fast.optim`][barenet.fast.optim] registers NumPy's in-place passes
and compiled loops). Only an optimizer of exactly a registered class gets
one: a subclass, which may change the formula, runs its own
[`Optimizer.update`][barenet.optim.base.Optimizer.update] unless it is registered too. This package
never imports the fast layer.
"""

import math
from typing import NamedTuple

import numpy as np

from .._checks import check_positive
from ..core.namespace import NUMPY, is_floating, namespace
from ..errors import TrainingDiverged
from .clipping import clip_by_global_norm, finite_norm, max_abs, sum_of_squares

RUNNERS = {}
"""``{rule class: factory}``; ``factory(optimizer, params)`` returns a runner
for those parameter arrays, or None when it cannot run on them. A runner
has ``updates(grads, states, s)`` (the list of updates, as
[`Optimizer.update`][barenet.optim.base.Optimizer.update] computes them),
``loop(params, grads, states, s, takes)`` (the whole step applied in one pass per array, True, or
nothing done, False) and ``takes(params, grads)`` (whether ``loop`` can run on those arrays)."""


class NoState(NamedTuple):
    """The state of a rule that keeps none (plain gradient descent)."""


def not_finite(what, detail):
    """The [`TrainingDiverged`][barenet.TrainingDiverged] of a refused step; ``what`` is
    'gradient' or 'update'."""
    error = TrainingDiverged(f"the {what} is nan or infinite; {detail}")
    error.what = what
    return error


def divided_bound(numerator, shift, scale, tiny):
    """A bound on ``scale * x / (y + shift)`` for ``|x| <= numerator`` and
    ``y >= 0``, with ``shift`` and ``scale`` the Python floats that the
    parameter arrays' dtypes round (a factor 2 covers the roundings); inf
    when ``shift`` is below ``tiny``, the smallest normal number of the least
    precise of those dtypes (it may round to a subnormal or to 0 there)."""
    if not shift >= tiny:
        return math.inf
    return 2 * scale * numerator / shift


class Optimizer:
    """Base class: validates ``lr`` and ``clipnorm``, checks the arrays, makes
    the state, clips, counts steps, guards against non-finite steps, and runs
    the rule that a subclass writes (see the module's docstring).

    Attributes
    ----------
    t : int
        Steps taken.
    state : NamedTuple or None
        The rule's state (``State``), one array per parameter array in each
        field; None before the first step.
    """

    name = None
    State = NoState
    sum_field = None  # the State field that is a running sum of gradients, if any

    def __init__(self, lr, clipnorm=None):
        self.lr = check_positive("lr", lr)
        self.clipnorm = None if clipnorm is None else check_positive("clipnorm", clipnorm)
        self.reset()

    # ------------------------------------------------------------ the rule

    def step_scalars(self):
        """This step's scalars, a NamedTuple of Python floats."""
        raise NotImplementedError

    def update(self, g, state, s):
        """Advance ``state`` (this parameter array's state arrays, one per
        field of ``State``) in place and return the update for gradient ``g``,
        with ``s`` the step's scalars."""
        raise NotImplementedError

    def apply(self, p, u, s):
        """Subtract the update ``u`` from the parameter array ``p`` in place."""
        p -= u

    def update_bound(self, value_bound, s):
        """A bound on every value of this step's update given ``value_bound``,
        one on every value of the gradient; inf where the rule has none. Below
        a quarter of the spacing of the floats next to the largest one, the
        step cannot make a parameter infinite, and the check is skipped.
        Rules with a running sum of gradients advance the bound on it here
        (`_advance_sum_bound`)."""
        return math.inf

    # ------------------------------------------------------------ the step

    def step(self, params, grads):
        """Apply one update to each array of ``params`` in place.

        ``grads`` is not modified, also when it is clipped. A gradient with a
        nan or infinite value raises [`TrainingDiverged`][barenet.TrainingDiverged]
        before anything changes; so does an update that would overflow (a
        finite gradient times a huge learning rate), before the parameters
        change -- the optimizer's state then keeps that step.

        Given the same two tuples again (the training loop passes one pair at
        every step), the checks of what the arrays are run only once.
        """
        checked = self._checked
        if (checked is not None and params is checked[0] and grads is checked[1]
                and self.state is checked[2]):
            self._checked_step(params, grads, checked[3])
            return
        self._check_arrays(params, grads)
        self._checked_step(params, grads, None)
        if type(params) is tuple and type(grads) is tuple:  # unchangeable: remember them
            runner = self._runner
            self._checked = (params, grads, self.state,
                             runner is not None and runner.takes(params, grads))

    def _checked_step(self, params, grads, takes):
        """[`step`][barenet.optim.base.Optimizer.step] once the arrays are known to fit the state
        (or to make it); ``takes`` says whether the runner's loop takes them, None to
        find out."""
        norm = finite_norm(grads)
        if norm is None:
            raise not_finite("gradient", "the parameters and the optimizer's state are unchanged")
        if self.state is None:
            self._init_state(params)
        if self.clipnorm is not None:
            grads = clip_by_global_norm(grads, self.clipnorm, norm)
            norm = min(norm, self.clipnorm)
        self.t += 1
        s = self.step_scalars()
        sum_bound = self._sum_bound
        safe = self.update_bound(norm * self._norm_slack, s) < self._safe_update
        runner = self._runner
        if safe and runner is not None and runner.loop(params, grads, self._states, s, takes):
            return
        if runner is not None:
            updates = runner.updates(grads, self._states, s)
        else:
            updates = [self.update(g, state, s) for g, state in zip(grads, self._states)]
        if not safe and not self._safe(params, updates, s):
            self.t -= 1
            self._sum_bound = sum_bound
            took = "" if self.State is NoState else " (its state took the step)"
            raise not_finite("update", f"the parameters are unchanged{took}")
        for p, u in zip(params, updates):
            self.apply(p, u, s)

    def _check_arrays(self, params, grads):
        if self.shapes is None:
            if len(grads) != len(params) or any(g.shape != p.shape for p, g in zip(params, grads)):
                raise ValueError(
                    "params and grads must be lists of arrays of the same shapes, got "
                    f"{[p.shape for p in params]} and {[g.shape for g in grads]}"
                )
            return
        if (len(params) != len(self.shapes) or len(grads) != len(params) or any(
                p.shape != shape or g.shape != shape or p.dtype != dtype
                for p, g, (shape, dtype) in zip(params, grads, self.shapes))):
            raise ValueError(
                f"this {type(self).__name__} holds state for parameters of shapes "
                f"{[s for s, _ in self.shapes]}, not {[p.shape for p in params]} (with "
                f"gradients {[g.shape for g in grads]}); use a new optimizer for each model"
            )

    def _advance_sum_bound(self, decay, value_bound):
        """The bound on the running sum after ``sum = decay * sum + g``, each
        operation rounding by at most a unit in the last place (``4 eps``
        covers them)."""
        grow = 1 + 4 * self._eps
        self._sum_bound = grow * (decay * self._sum_bound + value_bound)
        return self._sum_bound

    def _safe(self, params, updates, s):
        """Whether applying ``updates`` leaves ``params`` finite.

        A finite sum of squares keeps every value of the update below about
        1e19 (float32; 1e154 in float64), far below the spacing of the
        floating-point numbers near the largest one, so subtracting it from
        a finite parameter cannot overflow. Otherwise the step is tried on
        copies.
        """
        if math.isfinite(sum_of_squares(updates)):
            return True
        xp = namespace(*params)
        with np.errstate(over="ignore", invalid="ignore"):
            for p, u in zip(params, updates):
                trial = p.copy() if xp is NUMPY else xp.asarray(p, copy=True)
                self.apply(trial, u, s)
                if not bool(xp.all(xp.isfinite(trial))):
                    return False
        return True

    # ------------------------------------------------------------ the state

    @property
    def shapes(self):
        """The ``(shape, dtype)`` of each parameter array the state is for;
        None before the first step."""
        return self._shapes

    def reset(self):
        """Forget all state, as if no step had been taken."""
        self.t = 0
        self.state = None
        self._shapes = None
        self._checked = None  # (params, grads, state, takes) of the arrays last checked

    def _init_state(self, params):
        """Zeros for each field of ``State``, per parameter array; the runner
        for these arrays, if one is registered; the bounds of
        [`step`][barenet.optim.base.Optimizer.step]."""
        self._shapes = [(p.shape, p.dtype) for p in params]
        xp = namespace(*params)
        self.state = self.State(*([xp.zeros_like(p) for p in params] for _ in self.State._fields))
        self._states = [tuple(field[i] for field in self.state) for i in range(len(params))]
        # the fast layer runs NumPy arrays; any other library's run the rule's own code
        factory = RUNNERS.get(type(self)) if xp is NUMPY else None
        self._runner = None if factory is None else factory(self, params)
        self._sum_bound = 0.0
        floats = [np.finfo(p.dtype if xp is NUMPY else f"float{xp.finfo(p.dtype).bits}")
                  for p in params if is_floating(p)]
        if len(floats) < len(params) or not params:
            self._safe_update, self._eps, self._tiny, self._norm_slack = 0.0, 1.0, 1.0, math.inf
            return
        # Subtracting an update below a quarter of the spacing of the floats
        # next to the largest one cannot take a finite parameter to infinity:
        # the difference rounds back to at most the largest float.
        self._safe_update = min(float(f.max - np.nextafter(f.max, f.dtype.type(0))) / 4
                                for f in floats)
        self._eps = max(float(f.eps) for f in floats)
        self._tiny = max(float(f.tiny) for f in floats)
        # The computed sum of n squares (positive terms, each rounding by at
        # most eps, in any order) is at least (1 - eps)^(n+1) times the true
        # one: the global norm times this slack bounds every gradient value.
        n = sum(math.prod(p.shape) for p in params)
        exponent = -(n + 1) / 2 * math.log1p(-self._eps)
        self._norm_slack = math.exp(exponent) if exponent < 700 else math.inf

    def __setstate__(self, state):
        # an optimizer pickled before its state was a named tuple (barenet 0.1.0
        # until this layout) kept each state field as the list ``_<field>``
        if "state" in state:
            self.__dict__.update(state)
            return
        arrays = {name: state["_" + name] for name in self.State._fields if "_" + name in state}
        self.__dict__.update({key: value for key, value in state.items()
                              if not key.startswith("_")})
        t = self.t
        self.reset()
        if state.get("_shapes") is not None and len(arrays) == len(self.State._fields):
            self.set_state({"t": t, "arrays": arrays})
        self.t = t

    def get_state(self):
        """The step count and the state arrays (copies), for checkpoints:
        ``{'t': t, 'arrays': {field: [array per parameter array]}}``. The
        arrays are those kept inside, bit for bit (each rule's docstring says
        how they relate to its formula), so a restored optimizer continues
        exactly as this one would."""
        arrays = {}
        if self.state is not None:
            arrays = {name: [a.copy() if type(a) is np.ndarray
                             else namespace(a).asarray(a, copy=True) for a in field]
                      for name, field in zip(self.State._fields, self.state)}
        return {"t": self.t, "arrays": arrays}

    def set_state(self, state):
        """Restore what [`get_state`][barenet.optim.base.Optimizer.get_state] returned (onto an
        optimizer with the same settings).

        State in the formulas' scale, under the formulas' names (``m`` and
        ``v``, ``velocities``, ``squares``: what checkpoints of barenet 0.1.0
        before this layout held), is converted.
        """
        t, arrays = state["t"], dict(state["arrays"])
        for old, (name, scale) in self._formula_names().items():
            if old in arrays and name not in arrays:
                arrays[name] = [namespace(a).asarray(a) / scale for a in arrays.pop(old)]
        if not arrays:
            self.reset()
            self.t = t
            return
        names = self.State._fields
        if set(arrays) != set(names):
            raise ValueError(
                f"{type(self).__name__} state needs the arrays {list(names)}, "
                f"got {sorted(arrays)}"
            )
        lists = [arrays[name] for name in names]
        self._init_state(lists[0])
        for field, saved in zip(self.state, lists):
            for target, value in zip(field, saved):
                target[...] = value
        if self.sum_field is not None:  # the bound on the running sum, from the sum
            self._sum_bound = max((max_abs(a) for a in getattr(self.state, self.sum_field)
                                   if math.prod(a.shape)), default=0.0)
        self.t = int(t)

    def _formula_names(self):
        """``{formula's name: (State field, scale)}``: times ``scale``, the
        field's arrays are the formula's quantity (none for plain gradient
        descent)."""
        return {}

    def _formula_state(self, name):
        """New arrays: the formula's quantity ``name`` (empty before the first step)."""
        field, scale = self._formula_names()[name]
        if self.state is None:
            return []
        return [a * scale for a in getattr(self.state, field)]

    # ------------------------------------------------------------ settings

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

    def get_config(self):
        """The constructor's arguments, as a dict of JSON-friendly values:
        ``type(opt)(**opt.get_config())`` is a fresh optimizer with the same settings."""
        return {"lr": self.lr, **self._config(), "clipnorm": self.clipnorm}

    def _config(self):
        """The arguments of a subclass's own, between ``lr`` and ``clipnorm``."""
        return {}
