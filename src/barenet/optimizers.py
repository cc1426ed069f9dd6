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

Every optimizer takes ``clipnorm``: when set, the gradients of one step are
scaled down together whenever their global norm exceeds it (see
:func:`clip_by_global_norm`) before the rule is applied.

The rules are those of the deep-learning course the notebook follows;
:math:`\alpha` is ``lr``, :math:`g` the gradient, :math:`\theta` a parameter.
"""

import math

import numpy as np

from . import _fused
from ._buffers import scalars
from ._checks import (
    check_bool,
    check_fraction,
    check_nonnegative,
    check_positive,
    from_registry,
)
from .errors import TrainingDiverged


# np.vdot without the __array_function__ dispatch, which costs more than the
# BLAS call itself on a small array (0.5 against 0.3 us); vdot, unlike dot,
# overflows to inf without a warning.
_vdot = getattr(np.vdot, "_implementation", np.vdot)


def _sum_of_squares(arrays):
    """The sum of the squares of all the values of ``arrays``: one BLAS dot
    product per array; not finite when a value is not, or when it overflows
    (values beyond about 1e19 in float32)."""
    total = 0.0
    for a in arrays:
        total += float(_vdot(a, a))
    return total


def _finite_norm(arrays):
    """The global norm of ``arrays`` if they are all finite, else None.

    Only when the sum of squares is not finite are the arrays looked at value
    by value, and the norm of huge finite values computed after scaling them
    down.
    """
    total = _sum_of_squares(arrays)
    if math.isfinite(total):
        return math.sqrt(total)
    if not all(np.isfinite(a).all() for a in arrays):
        return None
    big = max(float(np.abs(a).max()) for a in arrays if a.size)
    return big * math.sqrt(sum(float(np.vdot(a / big, a / big)) for a in arrays))


def global_norm(grads):
    r"""The Euclidean norm of all the arrays of ``grads`` taken together:
    :math:`\sqrt{\sum_k \sum g_k^2}`, as a Python float (nan when one of them
    is not finite)."""
    norm = _finite_norm(grads)
    return math.nan if norm is None else norm


def clip_by_global_norm(grads, clipnorm, norm=None):
    r"""Scale a list of gradient arrays so that their global norm is at most ``clipnorm``.

    With :math:`n` the :func:`global_norm` of ``grads`` (or ``norm``, when the
    caller has it already):

    .. math::

        g_k \leftarrow g_k \cdot \frac{\text{clipnorm}}{n} \quad
        \text{for every } k, \text{ if } n > \text{clipnorm}

    One factor for all the arrays, so the direction of the whole gradient is
    kept (clipping each array by its own norm would change it). Returns new
    arrays when it scales and ``grads`` itself when it does not: the caller's
    arrays are never modified.

    This is Keras's ``global_clipnorm`` (``tf.clip_by_global_norm``).
    PyTorch's ``clip_grad_norm_`` scales by :math:`\text{clipnorm} / (n +
    10^{-6})` instead (whenever that is below 1), a relative difference of
    about :math:`10^{-6} / n`.
    """
    total = global_norm(grads) if norm is None else norm
    if total > clipnorm:
        scale = clipnorm / total
        return [g * scale for g in grads]
    return grads


def _divided_bound(numerator, shift, scale, tiny):
    """A bound on ``scale * x / (y + shift)`` for ``|x| <= numerator``, ``y >= 0``,
    with ``shift`` and ``scale`` the Python floats that the parameter arrays'
    dtypes round (2 covers the roundings); inf when ``shift`` is below
    ``tiny``, the smallest normal number of the least precise of them (it
    may round to a subnormal or to 0 there)."""
    if not shift >= tiny:
        return math.inf
    return 2 * scale * numerator / shift


def _fused_rule(cls):
    """The name of ``cls``'s compiled loop (its ``_fused_name``), unless it
    changes the rule of the class that named the loop (a subclass with its
    own ``_update``, ``_subtract`` or scalars)."""
    owner = next(c for c in cls.__mro__ if "_fused_name" in vars(c))
    if owner._fused_name is None or any(
            getattr(cls, name, None) is not getattr(owner, name, None)
            for name in ("_update", "_subtract", "_step_values", "_decay")):
        return None
    return owner._fused_name


def _fusable(p, g):
    """Whether a compiled loop can update ``p`` from ``g`` in place: both
    contiguous NumPy arrays of the same dtype, float32 or float64 (the loops
    are proven bit-identical for those two; numba cannot compile others,
    ``longdouble``, or may round them differently, ``float16``)."""
    return (type(p) is np.ndarray and type(g) is np.ndarray and p.dtype == g.dtype
            and p.dtype in _fused.FLOATS and p.flags.c_contiguous and g.flags.c_contiguous
            and p.flags.writeable)


def _not_finite(what, detail):
    error = TrainingDiverged(f"the {what} is nan or infinite; {detail}")
    error.what = what
    return error


class Optimizer:
    """Base class: validates ``lr`` and ``clipnorm``, counts steps, checks the
    parameter shapes, clips the gradients, guards against non-finite steps.

    A subclass names its state arrays in ``_formula_names`` (made as zeros of
    the parameters' shapes on the first step) and implements
    ``_update(g, *state)``: with the gradient ``g`` of one parameter array
    and that array's state arrays, scratch buffer and ``_n_scalars`` 0-d
    operands (scalars as 0-d arrays of the parameter's dtype make a small
    array's ufunc call about twice as fast, see :mod:`barenet._buffers`), it
    advances the state and returns the amount to subtract from the array (in
    the scratch buffer). ``_config()`` gives its own arguments;
    ``_subtract(p, u)`` applies the update (AdamW also decays there), and
    ``_update_bound`` bounds it (``_sum_name`` names the state array that is a
    running sum of gradients, whose bound it keeps). Moments are kept in the
    scale that costs the fewest vector passes (each rule's ``_formula_names``
    says how); the properties named after the formulas' quantities (``m``,
    ``v``, ``velocities``, ``squares``) return them in the formulas' scale.
    (Updating large arrays a slice per thread was tried: on two cores it gained
    nothing during training, where the BLAS threads hold the other core.)
    A rule may also name a compiled loop (``_fused_name``, see
    :mod:`barenet._fused`) that does its ``_update`` and ``_subtract`` in one
    pass over each array, from the scalars its ``_step_values()`` returns; the
    loop runs when numba is installed, with the same numbers bit for bit.
    """

    name = None
    _n_scalars = 0
    _sum_name = None  # the state array that is a running sum of gradients, if any
    _fused_name = None  # the rule's compiled loop in barenet._fused, if it has one
    _fused = None  # that name when this class keeps the rule as written (see _fused_rule)

    def __init__(self, lr, clipnorm=None):
        self.lr = check_positive("lr", lr)
        self.clipnorm = None if clipnorm is None else check_positive("clipnorm", clipnorm)
        self.t = 0
        self._shapes = None

    def step(self, params, grads):
        """Apply one update to each array of ``params`` in place.

        ``grads`` is not modified, also when it is clipped. A gradient with a
        nan or infinite value raises :class:`~barenet.TrainingDiverged`
        before anything changes; so does an update that would overflow (a
        finite gradient times a huge learning rate), before the parameters
        change -- the optimizer's state then keeps that step.
        """
        if self._shapes is None:
            if len(grads) != len(params) or any(g.shape != p.shape for p, g in zip(params, grads)):
                raise ValueError(
                    "params and grads must be lists of arrays of the same shapes, got "
                    f"{[p.shape for p in params]} and {[g.shape for g in grads]}"
                )
        elif not self._matches(params, grads):
            raise ValueError(
                f"this {type(self).__name__} holds state for parameters of shapes "
                f"{[s for s, _ in self._shapes]}, not {[p.shape for p in params]} (with "
                f"gradients {[g.shape for g in grads]}); use a new optimizer for each model"
            )
        self._checked_step(params, grads)

    def _bind(self, params, grads):
        """A function of no arguments that does ``step(params, grads)``, for a
        loop that steps these same arrays again and again (the training loop).

        What holds for the arrays themselves is checked once: their shapes
        against the state (again whenever the state is made anew: the first
        step, :meth:`reset`, :meth:`set_state`) and whether the compiled loop
        takes them. On a small network that is about 7% of a step; the
        numbers are the same. A ``step`` of a subclass (or one set on the object) is
        called as it is."""
        params, grads = list(params), list(grads)
        if getattr(self.step, "__func__", None) is not Optimizer.step:
            return lambda: self.step(params, grads)
        fusable = all(_fusable(p, g) for p, g in zip(params, grads))
        checked = None  # the _shapes the arrays were last checked against

        def step():
            nonlocal checked
            if self._shapes is None or self._shapes is not checked:
                self.step(params, grads)  # every check, and the state made if need be
                checked = self._shapes
            else:
                self._checked_step(params, grads, fusable)
        return step

    def _checked_step(self, params, grads, fusable=None):
        """:meth:`step` once the arrays are known to fit the state (or to make
        it, on the first step); ``fusable`` says whether the compiled loop
        takes them, None to find out."""
        norm = _finite_norm(grads)
        if norm is None:
            raise _not_finite("gradient", "the parameters and the optimizer's state are unchanged")
        if self._shapes is None:
            self._shapes = [(p.shape, p.dtype) for p in params]
            self._init_state(params)
        if self.clipnorm is not None:
            grads = clip_by_global_norm(grads, self.clipnorm, norm)
            norm = min(norm, self.clipnorm)
        self.t += 1
        if self._fused is not None and self._fused_step(params, grads, norm, fusable):
            return
        updates = [self._update(g, *self._state(i)) for i, g in enumerate(grads)]
        sum_bound = self._sum_bound
        if (not self._update_bound(norm * self._norm_slack) < self._safe_update
                and not self._safe(params, updates)):
            self.t -= 1
            self._sum_bound = sum_bound
            raise _not_finite("update", "the parameters are unchanged (the optimizer's moments "
                              "took the step)")
        for p, u in zip(params, updates):
            self._subtract(p, u)

    def _fused_step(self, params, grads, norm, fusable=None):
        """The step in one compiled loop per array (:mod:`barenet._fused`):
        the rule's passes and the subtraction, value by value, the same
        numbers bit for bit. Taken when numba is installed, the arrays are
        contiguous floats of one dtype each (``fusable``, when the caller
        knows it), and the update's bound proves it safe; otherwise False,
        and nothing has changed."""
        kernel = _fused.kernels().get(self._fused)
        if kernel is None or fusable is False:
            return False
        if fusable is None:
            for p, g in zip(params, grads):  # a loop: a generator costs a microsecond a step
                if not _fusable(p, g):
                    return False
        values = self._step_values()
        sum_bound = self._sum_bound
        if not self._update_bound(norm * self._norm_slack) < self._safe_update:
            self._sum_bound = sum_bound  # the NumPy passes advance it again
            return False
        if self._fused_scalars is None:
            self._fused_scalars = [np.empty(len(values), p.dtype) for p in params]
        for p, g, state, row in zip(params, grads, self._states, self._fused_scalars):
            row[...] = values  # rounded to the dtype, as the 0-d operands are
            if p.ndim == 1:  # Network's flat vector
                kernel(p, g, *state[:-2], row)
            else:  # flat views of contiguous arrays (g and the state have p's shape)
                kernel(*(a.reshape(-1) for a in (p, g, *state[:-2])), row)
        return True

    def _update_bound(self, value_bound):
        """A bound on every value of this step's update, given one on every
        value of the gradient (``value_bound``), from the scalars the rule's
        ``_update`` used (``self._step_scalars``); inf where the rule has none.

        When it is below ``_safe_update`` the update cannot make a parameter
        infinite and :meth:`_safe` is skipped (one pass over the parameters
        fewer). Rules with a running sum of gradients (Adam's m', Momentum's
        v') advance ``_sum_bound``, a bound on each of its values, here.
        """
        return math.inf

    def _advance_sum_bound(self, decay, value_bound):
        """``_sum_bound`` after ``sum = decay * sum + g``, each operation
        rounding by at most a unit in the last place (``4 eps`` covers them)."""
        grow = 1 + 4 * self._eps
        self._sum_bound = grow * (decay * self._sum_bound + value_bound)
        return self._sum_bound

    def _safe(self, params, updates):
        """Whether subtracting ``updates`` leaves ``params`` finite.

        A finite sum of squares keeps every value of the update below about
        1e19 (float32; 1e154 in float64), far below the spacing of the
        floating-point numbers near the largest one, so subtracting it from
        a finite parameter cannot overflow. Otherwise the step is tried on
        copies.
        """
        if math.isfinite(_sum_of_squares(updates)):
            return True
        with np.errstate(over="ignore", invalid="ignore"):
            for p, u in zip(params, updates):
                trial = p.copy()
                self._subtract(trial, u)
                if not np.isfinite(trial).all():
                    return False
        return True

    def get_state(self):
        """The step count and the state arrays (copies), for checkpoints:
        ``{'t': t, 'arrays': {name: [array per parameter array]}}``. The
        arrays are those kept inside, bit for bit (each rule's
        ``_formula_names`` gives their names and scales), so a restored
        optimizer continues exactly as this one would."""
        arrays = {}
        if self._shapes is not None:
            arrays = {name: [a.copy() for a in getattr(self, "_" + name)]
                      for name in self._state_names()}
        return {"t": self.t, "arrays": arrays}

    def set_state(self, state):
        """Restore what :meth:`get_state` returned (onto an optimizer with the same settings).

        State in the formulas' scale, under the formulas' names (``m`` and
        ``v``, ``velocities``, ``squares``: what checkpoints of barenet 0.1.0
        before this layout held), is converted.
        """
        t, arrays = state["t"], dict(state["arrays"])
        for old, (name, scale) in self._formula_names().items():
            if old in arrays and name not in arrays:
                arrays[name] = [np.asarray(a) / scale for a in arrays.pop(old)]
        if not arrays:
            self.reset()
            self.t = t
            return
        names = self._state_names()
        if set(arrays) != set(names):
            raise ValueError(
                f"{type(self).__name__} state needs the arrays {list(names)}, "
                f"got {sorted(arrays)}"
            )
        lists = [arrays[name] for name in names]
        self._init_state(lists[0])
        self._shapes = [(a.shape, a.dtype) for a in lists[0]]
        for name, saved in zip(names, lists):
            for target, value in zip(getattr(self, "_" + name), saved):
                target[...] = value
        if self._sum_name is not None:  # the bound on the running sum, from the sum
            self._sum_bound = max((float(np.abs(a).max())
                                   for a in getattr(self, "_" + self._sum_name) if a.size),
                                  default=0.0)
        self.t = int(t)

    def _formula_names(self):
        """``{formula's name: (state name, scale)}``: the state arrays are kept
        as ``self._<state name>``, and times ``scale`` they are the formula's
        quantity (none for plain gradient descent)."""
        return {}

    def _state_names(self):
        return [name for name, _ in self._formula_names().values()]

    def _formula_state(self, name, scale):
        """New arrays: state ``name`` times ``scale`` (empty before the first step)."""
        if self._shapes is None:
            return []
        return [a * scale for a in getattr(self, "_" + name)]

    def _matches(self, params, grads):
        """Whether params and grads have the shapes and dtypes of the state."""
        if len(params) != len(self._shapes) or len(grads) != len(params):
            return False
        for p, g, (shape, dtype) in zip(params, grads, self._shapes):
            if p.shape != shape or g.shape != shape or p.dtype != dtype:
                return False
        return True

    def reset(self):
        """Forget all state, as if no step had been taken."""
        self.t = 0
        self._shapes = None

    def _init_state(self, params):
        """Zeros for each state array the rule names (``_formula_names``), a
        scratch buffer and the 0-d operands per parameter array, and the
        tuple ``_update`` receives for each of them."""
        names = self._state_names()
        for name in names:
            setattr(self, "_" + name, [np.zeros_like(p) for p in params])
        self._scratch = [np.empty_like(p) for p in params]
        self._operands = [scalars(p.dtype, self._n_scalars) for p in params]
        self._states = [(*(getattr(self, "_" + name)[i] for name in names), self._scratch[i],
                         self._operands[i]) for i in range(len(params))]
        self._sum_bound = 0.0
        self._fused = _fused_rule(type(self))
        self._fused_scalars = None  # the loop's scalars, per array, in its dtype (first step)
        floats = [np.finfo(p.dtype) for p in params if p.dtype.kind == "f"]
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
        n = sum(p.size for p in params)
        exponent = -(n + 1) / 2 * math.log1p(-self._eps)
        self._norm_slack = math.exp(exponent) if exponent < 700 else math.inf

    def _state(self, i):
        return self._states[i]

    def _update(self, g, *state):
        raise NotImplementedError

    def _subtract(self, p, u):
        p -= u

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


class GD(Optimizer):
    r"""(Mini-batch) gradient descent: :math:`\theta \leftarrow \theta - \alpha g`.

    Batch, mini-batch or stochastic gradient descent depending on the batch
    size it is given gradients for.
    """

    name = "gd"
    _n_scalars = 1
    _fused_name = "gd"

    def __init__(self, lr=0.01, clipnorm=None):
        super().__init__(lr, clipnorm)

    def _step_values(self):
        """This step's scalars ``(lr,)``."""
        return (self.lr,)

    def _update(self, g, t, s):
        (lr,) = s
        (lr[()],) = self._step_values()
        return np.multiply(g, lr, out=t)

    def _update_bound(self, value_bound):
        return 2 * self.lr * value_bound


class Momentum(Optimizer):
    r"""Gradient descent with momentum (an exponentially weighted average of gradients):

    .. math::

        v \leftarrow \beta v + (1 - \beta) g \qquad
        \theta \leftarrow \theta - \alpha v

    with :math:`v = 0` at the start. ``beta=0`` is plain gradient descent.

    With ``nesterov=True`` (Nesterov momentum) the step looks ahead: the
    velocity is updated in the same way, and the parameter moves by the
    velocity the *next* step would have if the gradient stayed :math:`g`:

    .. math::

        v \leftarrow \beta v + (1 - \beta) g \qquad
        \theta \leftarrow \theta - \alpha \bigl(\beta v + (1 - \beta) g\bigr)

    ``beta=0`` is again plain gradient descent.

    PyTorch's ``SGD(momentum=beta)`` accumulates :math:`v' = \beta v' + g`
    instead; since :math:`v = (1 - \beta) v'` at every step, this rule equals
    PyTorch's with learning rate :math:`\alpha (1 - \beta)`:
    ``SGD(lr=lr * (1 - beta), momentum=beta, nesterov=nesterov)``, whose
    Nesterov step :math:`\theta \leftarrow \theta - \alpha (1 - \beta)(g +
    \beta v')` is the one above. PyTorch's ``dampening=beta`` does not give
    this rule: it skips the damping on the first step.

    Inside, the velocity is kept as :math:`v'` (two vector passes instead of
    three); :attr:`velocities` returns :math:`v`.
    """

    name = "momentum"
    _n_scalars = 2
    _sum_name = "velocity_sums"
    _fused_name = "momentum"

    def __init__(self, lr=0.01, beta=0.9, nesterov=False, clipnorm=None):
        super().__init__(lr, clipnorm)
        self.beta = check_fraction("beta", beta)
        self.nesterov = check_bool("nesterov", nesterov)

    def _formula_names(self):  # v' = v / (1 - beta) is PyTorch's momentum buffer
        return {"velocities": ("velocity_sums", 1 - self.beta)}

    @property
    def velocities(self):
        """The velocities :math:`v`, one new array per parameter array."""
        return self._formula_state(*self._formula_names()["velocities"])

    def _step_values(self):
        """This step's scalars ``(beta, scale, nesterov)``: the loop's; the
        NumPy passes use the first two."""
        return (self.beta, self.lr * (1 - self.beta), float(self.nesterov))

    def _update(self, g, v, t, s):
        beta, scale = s
        beta[()], scale[()] = self._step_values()[:2]
        v *= beta
        v += g  # v' = beta v' + g, with v = (1 - beta) v'
        if self.nesterov:  # the look-ahead: beta v + (1 - beta) g = (1 - beta)(beta v' + g)
            np.multiply(v, beta, out=t)
            t += g
            t *= scale
            return t
        return np.multiply(v, scale, out=t)

    def _update_bound(self, value_bound):
        velocity = self._advance_sum_bound(self.beta, value_bound)  # |v'|
        if self.nesterov:
            velocity = self.beta * velocity + value_bound
        return 2 * self.lr * (1 - self.beta) * velocity

    def _config(self):
        return {"beta": self.beta, "nesterov": self.nesterov}


class RMSProp(Optimizer):
    r"""RMSProp: divide each gradient by a running root mean square of its history.

    .. math::

        s \leftarrow \beta s + (1 - \beta) g^2 \qquad
        \theta \leftarrow \theta - \alpha \frac{g}{\sqrt{s} + \epsilon}

    with :math:`s = 0` at the start and :math:`\epsilon` added *outside* the
    square root (as in PyTorch's ``RMSprop(alpha=beta, eps=eps)``, which this
    equals). With ``bias_correction=True``, :math:`s` is replaced by
    :math:`\hat s = s / (1 - \beta^t)`, as in Adam's second moment.

    Inside, :math:`s' = s / (1 - \beta)` is kept (one vector pass fewer);
    :attr:`squares` returns :math:`s`.
    """

    name = "rmsprop"
    _n_scalars = 3
    _fused_name = "rmsprop"

    def __init__(self, lr=0.001, beta=0.9, eps=1e-8, bias_correction=False, clipnorm=None):
        super().__init__(lr, clipnorm)
        self.beta = check_fraction("beta", beta)
        self.eps = check_positive("eps", eps)
        self.bias_correction = check_bool("bias_correction", bias_correction)

    def _formula_names(self):
        return {"squares": ("square_sums", 1 - self.beta)}

    @property
    def squares(self):
        """The running mean squares :math:`s`, one new array per parameter array."""
        return self._formula_state(*self._formula_names()["squares"])

    def _step_values(self):
        """This step's scalars ``(beta, shift, scale)`` as Python floats."""
        # g / (sqrt(s_hat) + eps) with s_hat = a^2 s', a^2 = (1 - beta) / c, folded
        # into scalars: (1 / a) g / (sqrt(s') + eps / a); c = 1 - beta^t, or 1
        # without bias correction
        c = 1 - self.beta**self.t if self.bias_correction else 1.0
        a = math.sqrt((1 - self.beta) / c)
        self._step_scalars = self.eps / a, self.lr / a
        return (self.beta, *self._step_scalars)

    def _update(self, g, s, t, operands):
        beta, shift, scale = operands
        beta[()], shift[()], scale[()] = self._step_values()
        np.multiply(g, g, out=t)
        s *= beta
        s += t  # s' = beta s' + g^2
        np.sqrt(s, out=t)
        t += shift
        np.divide(g, t, out=t)
        t *= scale
        return t

    def _update_bound(self, value_bound):
        # |g / (sqrt(s') + shift)| <= |g| / shift: sqrt(s') >= 0
        return _divided_bound(value_bound, *self._step_scalars, self._tiny)

    def _config(self):
        return {"beta": self.beta, "eps": self.eps, "bias_correction": self.bias_correction}


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

    Inside, :math:`m' = m / (1 - \beta_1)` and :math:`v' = v / (1 - \beta_2)`
    are kept, and every constant is folded into two scalars: a step is ten
    vector passes, or one compiled loop when numba is installed (the ``fast``
    extra; the same numbers, see :mod:`barenet._fused`). :attr:`m` and
    :attr:`v` return :math:`m` and :math:`v`.
    """

    name = "adam"
    _n_scalars = 4
    _sum_name = "m_sums"
    _fused_name = "adam"

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
        return self._formula_state(*self._formula_names()["m"])

    @property
    def v(self):
        """The second moments :math:`v`, one new array per parameter array."""
        return self._formula_state(*self._formula_names()["v"])

    def _step_values(self):
        """This step's scalars ``(beta1, beta2, shift, scale, decay)`` as Python
        floats: the NumPy passes use the first four, the compiled loop all five
        (AdamW's decay factor, 1 here)."""
        # m_hat = b m', sqrt(v_hat) = a sqrt(v'), so the step is
        # (b / a) m' / (sqrt(v') + eps / a), with
        # b = (1 - beta1) / (1 - beta1^t) and a = sqrt((1 - beta2) / (1 - beta2^t))
        b = (1 - self.beta1) / (1 - self.beta1**self.t)
        a = math.sqrt((1 - self.beta2) / (1 - self.beta2**self.t))
        self._step_scalars = self.eps / a, self.lr * b / a
        return (self.beta1, self.beta2, *self._step_scalars, self._decay())

    def _decay(self):
        """The factor each parameter is multiplied by before the step: 1 (AdamW's differs)."""
        return 1.0

    def _update(self, g, m, v, t, s):
        beta1, beta2, shift, scale = s
        beta1[()], beta2[()], shift[()], scale[()] = self._step_values()[:4]
        m *= beta1
        m += g  # m' = beta1 m' + g
        np.multiply(g, g, out=t)
        v *= beta2
        v += t  # v' = beta2 v' + g^2
        np.sqrt(v, out=t)
        t += shift
        np.divide(m, t, out=t)
        t *= scale
        return t

    def _update_bound(self, value_bound):
        # |m' / (sqrt(v') + shift)| <= |m'| / shift: sqrt(v') >= 0
        return _divided_bound(self._advance_sum_bound(self.beta1, value_bound),
                              *self._step_scalars, self._tiny)

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
    this equals. ``weight_decay=0`` is :class:`Adam`.

    The decay is *decoupled* from the gradient: it is not L2 regularization
    (adding :math:`\lambda \theta` to :math:`g`, PyTorch's
    ``Adam(weight_decay=...)``), whose decay Adam would divide by
    :math:`\sqrt{\hat v}` like the rest of the gradient.

    Every array it is given decays, biases included (as PyTorch's ``AdamW``
    does for all the parameters it is given). ``Network`` passes all its
    weights and biases as one vector, so all of them decay.
    """

    name = "adamw"
    _fused_name = "adam"  # Adam's loop, with the decay factor below

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01,
                 clipnorm=None):
        super().__init__(lr, beta1, beta2, eps, clipnorm)
        self.weight_decay = check_nonnegative("weight_decay", weight_decay)

    def _decay(self):
        return 1 - self.lr * self.weight_decay  # as PyTorch computes it

    def _subtract(self, p, u):
        p *= self._decay()
        p -= u

    def _config(self):
        return {**super()._config(), "weight_decay": self.weight_decay}


REGISTRY = {cls.name: cls for cls in (GD, Momentum, RMSProp, Adam, AdamW)}


def get(optimizer):
    """Return an optimizer object for a name in :data:`REGISTRY` (with its
    default settings), or the object itself."""
    return from_registry("optimizer", REGISTRY, optimizer, Optimizer)
