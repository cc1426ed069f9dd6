"""Nesterov momentum, AdamW, gradient clipping and learning-rate schedules.

Each is checked, in float64, against its own formula and against PyTorch:

1. ``Momentum(nesterov=True)`` against ``torch.optim.SGD(nesterov=True)`` with
   the rescaled learning rate, and against the rule done by hand;
2. ``AdamW`` against ``torch.optim.AdamW``; ``weight_decay=0`` is ``Adam`` bit
   for bit; decoupled decay is not L2 in the gradient;
3. ``clipnorm`` against ``torch.nn.utils.clip_grad_norm_`` followed by the
   same torch optimizer, over runs where clipping happens on some steps only;
4. every schedule against its closed form and ``torch.optim.lr_scheduler``;
5. arguments, registries, ``get_config`` round trips.

The optimizers run on a small fixed problem (a least-squares term plus a
quartic one per array) whose gradient barenet's side computes by hand and
torch's side by autograd. Each step's gradient is multiplied by a factor drawn
per step, so gradient norms go up and down and clipping switches on and off.
"""

import inspect
import json
import math
import re

import numpy as np
import pytest
import torch

from barenet import optimizers, schedules
from barenet.optimizers import GD, Adam, AdamW, Momentum, RMSProp
from barenet.optim.clipping import finite_norm

RTOL = 1e-10
ATOL = 1e-12
N_STEPS = 50
SHAPES = [(4, 3), (4, 1), (2, 4), (2, 1)]


def close(ours, theirs, rtol=RTOL, atol=ATOL, what=""):
    """assert_allclose on numpy vs torch values; prints both on failure."""
    if isinstance(theirs, torch.Tensor):
        theirs = theirs.detach().numpy()
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol, err_msg=what)


# ------------------------------------------------------------ the test problem


class Problem:
    r"""f(P) = s_t \sum_k [ ||A_k P_k - B_k||^2 / 2 + w \sum P_k^4 / 4 ] at step t."""

    def __init__(self, seed=0, w=0.3, n=N_STEPS):
        rng = np.random.default_rng(seed)
        self.A = [rng.normal(size=(5, r)) for r, _ in SHAPES]
        self.B = [rng.normal(size=(5, c)) for _, c in SHAPES]
        self.w = w
        self.scales = 10.0 ** rng.uniform(-1, 1, size=n)  # s_t in [0.1, 10]
        self._start = [rng.normal(size=s) for s in SHAPES]

    def start(self):
        return [p.copy() for p in self._start]

    def grads(self, params, t):
        """Our side: the gradient by hand."""
        s = self.scales[t]
        return [s * (A.T @ (A @ P - B) + self.w * P**3)
                for A, B, P in zip(self.A, self.B, params)]

    def torch_loss(self, tparams, t):
        """Their side: the function, differentiated by autograd."""
        total = 0
        for A, B, P in zip(self.A, self.B, tparams):
            R = torch.tensor(A) @ P - torch.tensor(B)
            total = total + 0.5 * (R**2).sum() + 0.25 * self.w * (P**4).sum()
        return self.scales[t] * total


def torch_params(arrays):
    return [torch.tensor(a, requires_grad=True) for a in arrays]


def torch_clip(tparams, clipnorm):
    """``clip_grad_norm_`` scaled to our rule: torch multiplies by
    ``max_norm / (total + 1e-6)`` (when below 1); passing ``max_norm = clipnorm *
    (total + 1e-6) / total`` makes that factor ``clipnorm / total``."""
    total = torch.nn.utils.get_total_norm([p.grad for p in tparams]).item()
    torch.nn.utils.clip_grad_norm_(tparams, max_norm=clipnorm * (total + 1e-6) / total)
    return total


def run_against_torch(ours, make_theirs, problem, clipnorm=None, n=N_STEPS):
    """Run ours and torch's optimizer side by side from the same start,
    comparing every array after every step. Returns (params, tparams, theirs,
    the global gradient norm before each step)."""
    params = problem.start()
    tparams = torch_params(problem.start())
    theirs = make_theirs(tparams)
    norms = []
    for t in range(n):
        grads = problem.grads(params, t)
        norms.append(optimizers.global_norm(grads))
        ours.step(params, grads)
        theirs.zero_grad()
        problem.torch_loss(tparams, t).backward()
        if t == 0:
            for k, (g, tp) in enumerate(zip(grads, tparams)):
                close(g, tp.grad, what=f"gradient of array {k} (hand vs autograd)")
        if clipnorm is not None:
            torch_clip(tparams, clipnorm)
        theirs.step()
        for k, (p, tp) in enumerate(zip(params, tparams)):
            close(p, tp, what=f"array {k} after step {t + 1}")
    assert ours.t == n
    moved = max(np.abs(p - p0).max() for p, p0 in zip(params, problem.start()))
    assert moved > 1e-2, "the run did not train: a comparison of two frozen states"
    return params, tparams, theirs, np.array(norms)


def run(optimizer, params, grads_seq):
    for grads in grads_seq:
        optimizer.step(params, grads)
    return params


def grad_sequence(seed, dtype=np.float64, n=N_STEPS):
    rng = np.random.default_rng(seed)
    return [[rng.standard_normal(s).astype(dtype) for s in SHAPES] for _ in range(n)]


def random_params(seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(dtype) for s in SHAPES]


def assert_same(a_list, b_list):
    for k, (a, b) in enumerate(zip(a_list, b_list)):
        assert a.dtype == b.dtype
        assert np.array_equal(a, b), f"array {k} differs"


# ---------------------------------------------------------- 1. Nesterov momentum


@pytest.mark.parametrize("lr, beta", [(0.01, 0.9), (0.03, 0.5), (0.005, 0.99)])
def test_nesterov_matches_torch_sgd_nesterov_with_rescaled_lr(lr, beta):
    """Ours: v = beta v + (1 - beta) g, theta -= lr (beta v + (1 - beta) g).
    torch: b = beta b + g, theta -= lr' (g + beta b); with v = (1 - beta) b the
    two are the same for lr' = lr (1 - beta)."""
    ours = Momentum(lr=lr, beta=beta, nesterov=True)
    _, tparams, theirs, _ = run_against_torch(
        ours,
        lambda p: torch.optim.SGD(p, lr=lr * (1 - beta), momentum=beta, nesterov=True),
        Problem(seed=1),
    )
    for k, (v, tp) in enumerate(zip(ours.velocities, tparams)):
        close(v, (1 - beta) * theirs.state[tp]["momentum_buffer"],
              what=f"velocity {k} vs (1 - beta) * torch momentum buffer")


@pytest.mark.parametrize("lr, beta", [(0.01, 0.9), (0.03, 0.5), (0.005, 0.99)])
def test_nesterov_follows_its_formula(lr, beta):
    problem = Problem(seed=2)
    params, twin = problem.start(), problem.start()
    opt = Momentum(lr=lr, beta=beta, nesterov=True)
    v = [np.zeros_like(p) for p in twin]
    for t in range(N_STEPS):
        opt.step(params, problem.grads(params, t))
        for k, g in enumerate(problem.grads(twin, t)):
            v[k] = beta * v[k] + (1 - beta) * g
            twin[k] = twin[k] - lr * (beta * v[k] + (1 - beta) * g)
        for k in range(len(SHAPES)):
            close(params[k], twin[k], what=f"array {k} after step {t + 1}")
            close(opt.velocities[k], v[k], what=f"velocity {k} after step {t + 1}")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_nesterov_with_beta_zero_is_gd(dtype):
    p_gd, p_nag = random_params(3, dtype), random_params(3, dtype)
    seq = grad_sequence(4, dtype)
    run(GD(lr=0.1), p_gd, seq)
    run(Momentum(lr=0.1, beta=0.0, nesterov=True), p_nag, seq)
    assert_same(p_nag, p_gd)


def test_nesterov_is_not_plain_momentum():
    seq = grad_sequence(5, n=5)
    p_plain, p_nag = random_params(6), random_params(6)
    run(Momentum(lr=0.1, beta=0.9), p_plain, seq)
    run(Momentum(lr=0.1, beta=0.9, nesterov=True), p_nag, seq)
    assert max(np.abs(a - b).max() for a, b in zip(p_plain, p_nag)) > 1e-2


def test_momentum_default_is_not_nesterov():
    opt = Momentum()
    assert opt.nesterov is False
    assert optimizers.get("momentum").nesterov is False


@pytest.mark.parametrize("value", ["yes", "False", 1, 0, None, 0.0])
def test_nesterov_must_be_a_bool(value):
    with pytest.raises(TypeError, match=r"\bnesterov\b"):
        Momentum(nesterov=value)


def test_nesterov_accepts_numpy_bool():
    opt = Momentum(nesterov=np.True_)
    assert opt.nesterov is True


# -------------------------------------------------------------------- 2. AdamW


ADAMW_CASES = [
    # (lr, beta1, beta2, eps, weight_decay)
    (0.01, 0.9, 0.999, 1e-8, 0.1),
    (0.02, 0.8, 0.99, 1e-7, 0.5),
    (0.05, 0.0, 0.9, 1e-6, 1.0),
    (0.001, 0.9, 0.999, 1e-8, 0.01),  # the defaults, lr aside
]


@pytest.mark.parametrize("lr, beta1, beta2, eps, wd", ADAMW_CASES)
def test_adamw_matches_torch_adamw(lr, beta1, beta2, eps, wd):
    ours = AdamW(lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=wd)
    run_against_torch(
        ours,
        lambda p: torch.optim.AdamW(p, lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=wd),
        Problem(seed=7),
    )


def test_adamw_defaults_match_torch_adamw_defaults():
    ours = AdamW()
    theirs = torch.optim.AdamW([torch.zeros(1)])
    group = theirs.param_groups[0]
    assert ours.get_config() == {
        "lr": group["lr"], "beta1": group["betas"][0], "beta2": group["betas"][1],
        "eps": group["eps"], "weight_decay": group["weight_decay"], "clipnorm": None,
    }


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("lr, beta1, beta2, eps", [(0.001, 0.9, 0.999, 1e-8),
                                                   (0.05, 0.5, 0.9, 1e-4),
                                                   (0.01, 0.0, 0.99, 1e-8)])
def test_adamw_without_weight_decay_is_adam(dtype, lr, beta1, beta2, eps):
    p_adam, p_adamw = random_params(8, dtype), random_params(8, dtype)
    seq = grad_sequence(9, dtype)
    run(Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps), p_adam, seq)
    run(AdamW(lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=0), p_adamw, seq)
    assert_same(p_adamw, p_adam)


@pytest.mark.parametrize("lr, wd", [(0.01, 0.1), (0.1, 2.0), (1e-3, 0.01)])
def test_adamw_with_zero_gradient_only_decays(lr, wd):
    """With g = 0 Adam's part is exactly 0, so each step multiplies every array
    (biases included) by 1 - lr * wd, and nothing else."""
    params = random_params(10)
    expected = [p.copy() for p in params]
    opt = AdamW(lr=lr, weight_decay=wd)
    for _ in range(N_STEPS):
        opt.step(params, [np.zeros(s) for s in SHAPES])
        for e in expected:
            e *= 1 - lr * wd
        assert_same(params, expected)
    close(params[1], random_params(10)[1] * (1 - lr * wd) ** N_STEPS, rtol=1e-12,
          what="(4, 1) array after 50 steps vs the closed form")


def test_adamw_is_not_adam_with_l2_in_the_gradient():
    """Adam fed g + wd * theta (L2 regularization; torch's Adam(weight_decay))
    divides the decay by sqrt(v_hat) with the rest of the gradient; AdamW does
    not. The L2 variant is built right (it matches torch's Adam(weight_decay)),
    and it ends up far from AdamW."""
    lr, wd = 0.01, 0.5
    problem = Problem(seed=11)

    l2 = Adam(lr=lr)
    params, tparams = problem.start(), torch_params(problem.start())
    theirs = torch.optim.Adam(tparams, lr=lr, weight_decay=wd)
    for t in range(N_STEPS):
        grads = [g + wd * p for g, p in zip(problem.grads(params, t), params)]
        l2.step(params, grads)
        theirs.zero_grad()
        problem.torch_loss(tparams, t).backward()
        theirs.step()
        for k, (p, tp) in enumerate(zip(params, tparams)):
            close(p, tp, what=f"Adam + L2 array {k} vs torch Adam(weight_decay) at step {t + 1}")

    decoupled = problem.start()
    opt = AdamW(lr=lr, weight_decay=wd)
    for t in range(N_STEPS):
        opt.step(decoupled, problem.grads(decoupled, t))
    gap = max(np.abs(a - b).max() for a, b in zip(decoupled, params))
    assert gap > 1e-2, f"AdamW and Adam + L2 differ by only {gap}"


def test_adamw_first_step_decay_is_not_rescaled():
    """On a first step with g = 0: AdamW moves theta by lr * wd * theta;
    Adam + L2 sees g' = wd * theta and moves every entry by lr, whatever its size."""
    lr, wd = 0.01, 0.1
    start = random_params(12)
    p_w, p_l2 = [p.copy() for p in start], [p.copy() for p in start]
    AdamW(lr=lr, weight_decay=wd).step(p_w, [np.zeros(s) for s in SHAPES])
    Adam(lr=lr, eps=1e-12).step(p_l2, [wd * p for p in p_l2])  # eps out of the way
    for p0, a, b in zip(start, p_w, p_l2):
        close(p0 - a, lr * wd * p0, rtol=1e-12, what="AdamW: decay proportional to theta")
        close(p0 - b, lr * np.sign(p0), rtol=1e-8, what="Adam + L2: a step of lr per entry")


@pytest.mark.parametrize("value, error", [
    (-0.01, ValueError), (-1e-300, ValueError), (float("nan"), ValueError),
    (float("inf"), ValueError), ("0.01", TypeError), (True, TypeError), (None, TypeError),
])
def test_adamw_rejects_bad_weight_decay(value, error):
    with pytest.raises(error, match=r"\bweight_decay\b"):
        AdamW(weight_decay=value)


@pytest.mark.parametrize("value", [0, 0.0, 1e-300, 5, np.float32(0.25)])
def test_adamw_accepts_weight_decay(value):
    opt = AdamW(weight_decay=value)
    assert opt.weight_decay == float(value) and type(opt.weight_decay) is float


def test_adamw_is_registered_and_an_adam():
    assert optimizers.REGISTRY["adamw"] is AdamW
    assert isinstance(optimizers.get("adamw"), Adam)


# ----------------------------------------------------- 3. gradient clipping


CLIP_CASES = [
    # (id, ours, torch optimizer, clipnorm)
    ("gd", lambda c: GD(lr=0.01, clipnorm=c), lambda p: torch.optim.SGD(p, lr=0.01), 20.0),
    ("momentum", lambda c: Momentum(lr=0.02, beta=0.9, clipnorm=c),
     lambda p: torch.optim.SGD(p, lr=0.02 * (1 - 0.9), momentum=0.9), 20.0),
    ("momentum-nesterov", lambda c: Momentum(lr=0.02, beta=0.8, nesterov=True, clipnorm=c),
     lambda p: torch.optim.SGD(p, lr=0.02 * (1 - 0.8), momentum=0.8, nesterov=True), 20.0),
    ("rmsprop", lambda c: RMSProp(lr=0.005, beta=0.9, clipnorm=c),
     lambda p: torch.optim.RMSprop(p, lr=0.005, alpha=0.9, eps=1e-8), 20.0),
    ("adam", lambda c: Adam(lr=0.02, beta1=0.8, beta2=0.99, clipnorm=c),
     lambda p: torch.optim.Adam(p, lr=0.02, betas=(0.8, 0.99)), 20.0),
    ("adamw", lambda c: AdamW(lr=0.02, weight_decay=0.3, clipnorm=c),
     lambda p: torch.optim.AdamW(p, lr=0.02, weight_decay=0.3), 20.0),
]


@pytest.mark.parametrize("make_ours, make_theirs, clipnorm",
                         [pytest.param(*c[1:], id=c[0]) for c in CLIP_CASES])
def test_clipnorm_matches_torch_clip_grad_norm(make_ours, make_theirs, clipnorm):
    _, _, _, norms = run_against_torch(make_ours(clipnorm), make_theirs, Problem(seed=13),
                                       clipnorm=clipnorm)
    clipped = int((norms > clipnorm).sum())
    assert 5 <= clipped <= N_STEPS - 5, f"clipping happened on {clipped} of {N_STEPS} steps"


@pytest.mark.parametrize("make_ours, make_theirs, clipnorm",
                         [pytest.param(*c[1:], id=c[0]) for c in CLIP_CASES])
def test_clipnorm_makes_a_difference(make_ours, make_theirs, clipnorm):
    """The clipped runs above are not the unclipped runs."""
    problem = Problem(seed=13)
    p_clip, p_free = problem.start(), problem.start()
    o_clip, o_free = make_ours(clipnorm), make_ours(None)
    for t in range(N_STEPS):
        o_clip.step(p_clip, problem.grads(p_clip, t))
        o_free.step(p_free, problem.grads(p_free, t))
    assert max(np.abs(a - b).max() for a, b in zip(p_clip, p_free)) > 1e-3


def test_torch_clip_grad_norm_adds_1e_minus_6():
    """What torch_clip compensates for (and the clipnorm docstring says): plain
    clip_grad_norm_ scales by clipnorm / (n + 1e-6), ours by clipnorm / n."""
    grads = [np.full(s, 3.0) for s in SHAPES]
    n = optimizers.global_norm(grads)
    clipnorm = 1.0
    tparams = torch_params([np.zeros(s) for s in SHAPES])
    for tp, g in zip(tparams, grads):
        tp.grad = torch.tensor(g)
    torch.nn.utils.clip_grad_norm_(tparams, max_norm=clipnorm)
    ours = optimizers.clip_by_global_norm(grads, clipnorm)
    for g, tp in zip(ours, tparams):
        close(g * n / (n + 1e-6), tp.grad, rtol=1e-14, what="torch = ours * n / (n + 1e-6)")
        assert not np.allclose(g, tp.grad.numpy(), rtol=1e-9, atol=0)


@pytest.mark.parametrize("cls", list(optimizers.REGISTRY.values()), ids=lambda c: c.__name__)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_clipped_step_is_a_step_on_scaled_gradients_and_leaves_grads_alone(cls, dtype):
    """opt(clipnorm=c).step(p, g) == opt().step(p, g * c / |g|) bit for bit,
    and the caller's g is untouched."""
    clipnorm = 1.5
    p_clip, p_ref = random_params(14, dtype), random_params(14, dtype)
    o_clip, o_ref = cls(lr=0.01, clipnorm=clipnorm), cls(lr=0.01)
    for grads in grad_sequence(15, dtype, n=10):
        before = [g.copy() for g in grads]
        n = optimizers.global_norm(grads)
        assert n > clipnorm
        o_clip.step(p_clip, grads)
        assert_same(grads, before)
        o_ref.step(p_ref, [g * (clipnorm / n) for g in grads])
        assert_same(p_clip, p_ref)
    assert all(p.dtype == dtype for p in p_clip)


@pytest.mark.parametrize("cls", list(optimizers.REGISTRY.values()), ids=lambda c: c.__name__)
def test_clipnorm_that_never_triggers_changes_nothing(cls):
    """Below the threshold the step is the unclipped step, bit for bit (and so
    is clipnorm=None, which takes the same path as before clipnorm existed)."""
    seq = grad_sequence(16)
    top = max(optimizers.global_norm(g) for g in seq)
    p_none, p_big, p_edge = random_params(17), random_params(17), random_params(17)
    run(cls(lr=0.01), p_none, seq)
    run(cls(lr=0.01, clipnorm=1e6), p_big, seq)
    run(cls(lr=0.01, clipnorm=top), p_edge, seq)  # n == clipnorm: not clipped
    assert_same(p_big, p_none)
    assert_same(p_edge, p_none)


def test_clip_by_global_norm_is_global():
    """One factor for all arrays: norms 30 and 40 (together 50) clipped to 5
    become 3 and 4, not 5 and 5 as clipping each array would give."""
    grads = [np.array([[18.0], [24.0]]), np.array([0.0, 40.0])]
    assert optimizers.global_norm(grads) == 50.0
    clipped = optimizers.clip_by_global_norm(grads, 5.0)
    close(clipped[0], [[1.8], [2.4]], rtol=1e-15, atol=0)
    close(clipped[1], [0.0, 4.0], rtol=1e-15, atol=0)
    close(optimizers.global_norm(clipped), 5.0, rtol=1e-15, atol=0)
    assert optimizers.clip_by_global_norm(grads, 50.0) is grads  # n == clipnorm
    assert optimizers.clip_by_global_norm(grads, 60.0) is grads
    # and through an optimizer: GD with lr 1 moves by exactly the clipped gradient
    params = [np.zeros((2, 1)), np.zeros(2)]
    GD(lr=1.0, clipnorm=5.0).step(params, grads)
    close(-params[0], [[1.8], [2.4]], rtol=1e-15, atol=0)
    close(-params[1], [0.0, 4.0], rtol=1e-15, atol=0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_clipping_keeps_the_dtype(dtype):
    grads = [np.full(s, 10.0, dtype=dtype) for s in SHAPES]
    for g in optimizers.clip_by_global_norm(grads, 1.0):
        assert g.dtype == dtype
    params = random_params(18, dtype)
    opt = Adam(clipnorm=1.0)
    opt.step(params, grads)
    assert all(p.dtype == dtype for p in params)
    assert all(a.dtype == dtype for a in opt.m + opt.v)


CLIPNORM_BAD = [(0, ValueError), (0.0, ValueError), (-1.0, ValueError),
                (float("nan"), ValueError), (float("inf"), ValueError), (-np.inf, ValueError),
                ("1.0", TypeError), (True, TypeError), ([1.0], TypeError), (1j, TypeError)]


@pytest.mark.parametrize("value, error", CLIPNORM_BAD)
@pytest.mark.parametrize("cls", list(optimizers.REGISTRY.values()), ids=lambda c: c.__name__)
def test_clipnorm_rejects_bad_values(cls, value, error):
    with pytest.raises(error) as info:
        cls(clipnorm=value)
    assert re.search(r"\bclipnorm\b", str(info.value)), str(info.value)


@pytest.mark.parametrize("cls", list(optimizers.REGISTRY.values()), ids=lambda c: c.__name__)
def test_clipnorm_accepts_none_and_positive_numbers(cls):
    assert cls().clipnorm is None
    assert cls(clipnorm=None).clipnorm is None
    for value in (1, 0.5, 1e-12, np.float32(2.0), np.float64(3.0)):
        opt = cls(clipnorm=value)
        assert opt.clipnorm == float(value) and type(opt.clipnorm) is float


# ------------------------------------------------------------ 4. schedules


def closed_form(name, config, lr0, e, E):
    """Each schedule's formula, written out again."""
    if name == "step":
        return lr0 * config["factor"] ** math.floor(e / config["step"])
    if name == "exponential":
        return lr0 * config["rate"] ** e
    if name == "inverse_time":
        return lr0 / (1 + config["decay"] * math.floor(e / config["interval"]))
    if name == "cosine":
        m = config["min_lr"]
        return m + (lr0 - m) * (1 + math.cos(math.pi * e / E)) / 2
    raise AssertionError(name)


SCHEDULE_CASES = [
    schedules.StepDecay(), schedules.StepDecay(factor=0.1, step=3),
    schedules.StepDecay(factor=1.0, step=1), schedules.ExponentialDecay(),
    schedules.ExponentialDecay(rate=0.5), schedules.InverseTimeDecay(),
    schedules.InverseTimeDecay(decay=0.3, interval=7), schedules.InverseTimeDecay(decay=0.0),
    schedules.CosineDecay(), schedules.CosineDecay(min_lr=1e-3),
]


def test_every_schedule_is_covered():
    assert {type(s) for s in SCHEDULE_CASES} == set(schedules.REGISTRY.values())


@pytest.mark.parametrize("schedule", SCHEDULE_CASES, ids=repr)
@pytest.mark.parametrize("lr0, epochs", [(0.1, 40), (1.0, 7), (3e-3, 1)])
def test_schedule_follows_its_closed_form(schedule, lr0, epochs):
    values = [schedule(lr0, e, epochs) for e in range(epochs)]
    expected = [closed_form(schedule.name, schedule.get_config(), lr0, e, epochs)
                for e in range(epochs)]
    close(values, expected, rtol=1e-15, atol=0)
    assert all(type(v) is float for v in values)
    assert values[0] == lr0
    assert all(a >= b for a, b in zip(values, values[1:])), "the rate went up"


def test_schedules_hand_worked_values():
    step = schedules.StepDecay(factor=0.5, step=10)
    assert [step(1.0, e, 30) for e in (0, 9, 10, 19, 20, 29)] == [1, 1, 0.5, 0.5, 0.25, 0.25]
    assert schedules.ExponentialDecay(rate=0.5)(8.0, 3, 10) == 1.0
    assert schedules.InverseTimeDecay(decay=1.0)(1.0, 3, 10) == 0.25
    assert schedules.InverseTimeDecay(decay=1.0, interval=2)(1.0, 3, 10) == 0.5
    cos = schedules.CosineDecay(min_lr=0.2)
    assert cos(1.0, 0, 4) == 1.0
    close(cos(1.0, 2, 4), 0.6, rtol=1e-15, atol=0)  # half way: the mean of the two


EPOCHS = 50
TORCH_SCHEDULE_CASES = [
    # (ours, torch scheduler on an optimizer)
    (schedules.StepDecay(factor=0.5, step=10),
     lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=10, gamma=0.5)),
    (schedules.StepDecay(factor=0.3, step=4),
     lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=4, gamma=0.3)),
    (schedules.ExponentialDecay(rate=0.96),
     lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.96)),
    (schedules.ExponentialDecay(rate=0.7),
     lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.7)),
    (schedules.InverseTimeDecay(decay=1.0),
     lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda e: 1 / (1 + 1.0 * (e // 1)))),
    (schedules.InverseTimeDecay(decay=0.3, interval=7),
     lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda e: 1 / (1 + 0.3 * (e // 7)))),
    (schedules.CosineDecay(),
     lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=EPOCHS, eta_min=0.0)),
    (schedules.CosineDecay(min_lr=1e-3),
     lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=EPOCHS, eta_min=1e-3)),

]


@pytest.mark.parametrize("ours, make_theirs", TORCH_SCHEDULE_CASES,
                         ids=[repr(c[0]) for c in TORCH_SCHEDULE_CASES])
def test_schedule_matches_torch_lr_scheduler(ours, make_theirs):
    """torch's scheduler stepped once per epoch, after that epoch's steps."""
    lr0 = 0.05
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr0)
    scheduler = make_theirs(optimizer)
    for epoch in range(EPOCHS):
        close(ours(lr0, epoch, EPOCHS), optimizer.param_groups[0]["lr"], rtol=1e-12, atol=0,
              what=f"learning rate of epoch {epoch}")
        optimizer.step()
        scheduler.step()


SCHEDULE_ARGUMENTS = [
    (schedules.StepDecay, "factor", [(0, ValueError), (-0.5, ValueError), (1.5, ValueError),
                                     (float("nan"), ValueError), ("0.5", TypeError),
                                     (None, TypeError), (True, TypeError)]),
    (schedules.StepDecay, "step", [(0, ValueError), (-1, ValueError), (2.0, TypeError),
                                   ("10", TypeError), (True, TypeError)]),
    (schedules.ExponentialDecay, "rate", [(0.0, ValueError), (1.01, ValueError),
                                          (float("inf"), ValueError), ("0.9", TypeError)]),
    (schedules.InverseTimeDecay, "decay", [(-0.1, ValueError), (float("inf"), ValueError),
                                           (float("nan"), ValueError), ("1", TypeError)]),
    (schedules.InverseTimeDecay, "interval", [(0, ValueError), (1.5, TypeError),
                                              (None, TypeError)]),
    (schedules.CosineDecay, "min_lr", [(-1e-3, ValueError), (float("nan"), ValueError),
                                       (float("inf"), ValueError), ("0", TypeError)]),
]


@pytest.mark.parametrize("cls, arg, value, error", [
    pytest.param(cls, arg, value, error, id=f"{cls.__name__}-{arg}={value!r}")
    for cls, arg, bad in SCHEDULE_ARGUMENTS for value, error in bad
])
def test_schedule_rejects_bad_argument(cls, arg, value, error):
    with pytest.raises(error) as info:
        cls(**{arg: value})
    assert re.search(rf"\b{arg}\b", str(info.value)), str(info.value)


def test_every_schedule_argument_is_checked():
    checked = {(cls, arg) for cls, arg, _ in SCHEDULE_ARGUMENTS}
    for cls in schedules.REGISTRY.values():
        for arg in inspect.signature(cls).parameters:
            assert (cls, arg) in checked, (cls, arg)


@pytest.mark.parametrize("schedule", SCHEDULE_CASES, ids=repr)
@pytest.mark.parametrize("call, arg, error", [
    ((0.0, 0, 10), "lr0", ValueError), ((-0.1, 0, 10), "lr0", ValueError),
    (("0.1", 0, 10), "lr0", TypeError), ((0.1, -1, 10), "epoch", ValueError),
    ((0.1, 10, 10), "epoch", ValueError), ((0.1, 1.0, 10), "epoch", TypeError),
    ((0.1, 0, 0), "epochs", ValueError), ((0.1, 0, 10.0), "epochs", TypeError),
])
def test_schedule_call_rejects_bad_arguments(schedule, call, arg, error):
    with pytest.raises(error) as info:
        schedule(*call)
    assert re.search(rf"\b{arg}\b", str(info.value)), str(info.value)


def test_cosine_min_lr_above_lr0_is_refused():
    with pytest.raises(ValueError, match=r"\bmin_lr\b"):
        schedules.CosineDecay(min_lr=0.1)(0.01, 0, 10)
    assert schedules.CosineDecay(min_lr=0.1)(0.1, 5, 10) == 0.1  # equal is fine


def test_schedule_accepts_numpy_numbers():
    value = schedules.ExponentialDecay(rate=np.float32(0.5))(np.float32(2.0), np.int64(1), 10)
    assert value == 1.0 and type(value) is float


def test_schedule_registry():
    assert set(schedules.REGISTRY) == {"step", "exponential", "inverse_time", "cosine"}
    for name, cls in schedules.REGISTRY.items():
        schedule = schedules.get(name)
        assert type(schedule) is cls and schedule.name == name
        assert schedule.get_config() == cls().get_config()
        assert schedules.get(name) is not schedule
        assert schedules.get(schedule) is schedule
    for bad in ("nope", None, 123, "Cosine", optimizers.Adam()):
        with pytest.raises(ValueError) as info:
            schedules.get(bad)
        for name in schedules.REGISTRY:
            assert name in str(info.value), (name, str(info.value))


# ------------------------------------------------------ 5. configurations


NON_DEFAULT = {
    GD: dict(lr=0.2, clipnorm=3.0),
    Momentum: dict(lr=0.05, beta=0.8, nesterov=True, clipnorm=1.5),
    RMSProp: dict(lr=0.02, beta=0.95, eps=1e-6, bias_correction=True, clipnorm=0.5),
    Adam: dict(lr=0.01, beta1=0.8, beta2=0.99, eps=1e-7, clipnorm=2.0),
    AdamW: dict(lr=0.01, beta1=0.85, beta2=0.98, eps=1e-6, weight_decay=0.2, clipnorm=4.0),
}


def test_every_registered_optimizer_has_a_config_case():
    assert set(NON_DEFAULT) == set(optimizers.REGISTRY.values())


@pytest.mark.parametrize("cls", list(NON_DEFAULT), ids=lambda c: c.__name__)
def test_optimizer_config_round_trip(cls):
    kwargs = NON_DEFAULT[cls]
    opt = cls(**kwargs)
    config = opt.get_config()
    # every constructor argument, with the value given, none left at its default
    assert config == kwargs
    assert list(config) == list(inspect.signature(cls).parameters)
    for name, default in ((n, p.default) for n, p in inspect.signature(cls).parameters.items()):
        assert config[name] != default, name
    assert type(opt)(**config).get_config() == config
    assert json.loads(json.dumps(config)) == config
    for key, value in config.items():
        assert f"{key}={value!r}" in repr(opt)
    # defaults: JSON-friendly too (clipnorm None -> null)
    default = cls().get_config()
    assert json.loads(json.dumps(default)) == default
    assert default["clipnorm"] is None


@pytest.mark.parametrize("cls", list(NON_DEFAULT), ids=lambda c: c.__name__)
def test_round_tripped_optimizer_takes_the_same_steps(cls):
    a, b = random_params(19), random_params(19)
    seq = grad_sequence(20, n=10)
    run(cls(**NON_DEFAULT[cls]), a, seq)
    run(cls(**cls(**NON_DEFAULT[cls]).get_config()), b, seq)
    assert_same(a, b)


@pytest.mark.parametrize("schedule", SCHEDULE_CASES, ids=repr)
def test_schedule_config_round_trip(schedule):
    config = schedule.get_config()
    assert list(config) == list(inspect.signature(type(schedule)).parameters)
    assert json.loads(json.dumps(config)) == config
    copy = type(schedule)(**config)
    assert copy.get_config() == config
    assert [copy(0.1, e, 20) for e in range(20)] == [schedule(0.1, e, 20) for e in range(20)]
    for key, value in config.items():
        assert f"{key}={value!r}" in repr(schedule)


# ------------------------------------------ non-finite steps and the kept state

ALL_RULES = [GD(lr=0.1), Momentum(lr=0.1), Momentum(lr=0.1, nesterov=True), RMSProp(lr=0.1),
             RMSProp(lr=0.1, bias_correction=True), Adam(lr=0.1), AdamW(lr=0.1),
             Adam(lr=0.1, clipnorm=1.0)]


def _rule_id(opt):
    return repr(opt)


@pytest.mark.parametrize("make", [lambda o=o: type(o)(**o.get_config()) for o in ALL_RULES],
                         ids=[_rule_id(o) for o in ALL_RULES])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_non_finite_gradient_changes_nothing(make, bad, dtype):
    """The step is refused before the parameters, the moments or t move."""
    opt = make()
    params = random_params(3, dtype)
    for grads in grad_sequence(4, dtype, n=3):
        opt.step(params, grads)
    before_params = [p.copy() for p in params]
    before_state = opt.get_state()
    grads = [g.copy() for g in grad_sequence(5, dtype, n=1)[0]]
    grads[2][1, 3] = bad
    with pytest.raises(optimizers.TrainingDiverged, match="gradient is nan or infinite"):
        opt.step(params, grads)
    assert opt.t == before_state["t"] == 3
    assert_same(params, before_params)
    after_state = opt.get_state()
    for name, arrays in before_state["arrays"].items():
        assert_same(after_state["arrays"][name], arrays)
    # and it carries on from where it was
    opt.step(params, grad_sequence(6, dtype, n=1)[0])
    assert opt.t == 4 and all(np.isfinite(p).all() for p in params)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_an_update_that_overflows_is_refused(dtype):
    big = float(np.finfo(dtype).max) / 10
    opt = GD(lr=big)
    params = random_params(3, dtype)
    before = [p.copy() for p in params]
    grads = [np.full(p.shape, 1e3, dtype) for p in params]  # finite; lr * g is not
    # (NumPy warns of the overflow; the training loop silences that warning)
    with pytest.raises(optimizers.TrainingDiverged, match="update is nan or infinite"), \
            np.errstate(over="ignore"):
        opt.step(params, grads)
    assert_same(params, before)
    assert opt.t == 0


@pytest.mark.parametrize("cls", [GD, Momentum, RMSProp, Adam, AdamW])
def test_huge_finite_gradients_are_not_mistaken_for_divergence(cls):
    """In float32 the sum of squares of 1e20 overflows; the values do not."""
    params = random_params(3, np.float32)
    grads = [np.full(p.shape, 1e20, np.float32) for p in params]
    opt = cls(lr=1e-30) if cls in (GD, Momentum) else cls(lr=1e-3)
    with np.errstate(over="ignore"):  # g * g overflows in the second moments
        opt.step(params, grads)
    assert all(np.isfinite(p).all() for p in params)
    assert opt.t == 1


def test_global_norm_of_huge_finite_values():
    grads = [np.full((3, 4), 1e20, np.float32), np.full(5, -1e20, np.float32)]
    assert optimizers.global_norm(grads) == pytest.approx(1e20 * math.sqrt(17), rel=1e-6)
    clipped = optimizers.clip_by_global_norm(grads, 1.0)
    assert optimizers.global_norm(clipped) == pytest.approx(1.0, rel=1e-6)
    assert math.isnan(optimizers.global_norm([np.array([1.0, np.nan])]))


@pytest.mark.parametrize("make", [lambda o=o: type(o)(**o.get_config()) for o in ALL_RULES],
                         ids=[_rule_id(o) for o in ALL_RULES])
def test_state_round_trip_is_bit_exact(make):
    """get_state / set_state carry the arrays kept inside: a restored
    optimizer takes exactly the steps the original takes."""
    grads_seq = grad_sequence(7, np.float32, n=8)
    a, b = make(), make()
    pa = random_params(8, np.float32)
    for grads in grads_seq[:4]:
        a.step(pa, grads)
    pb = [p.copy() for p in pa]
    b.set_state(a.get_state())
    for grads in grads_seq[4:]:
        a.step(pa, grads)
        b.step(pb, grads)
    assert_same(pa, pb)


def test_formula_state_properties_follow_the_formulas():
    """m, v, velocities, squares are the formulas' quantities, done by hand."""
    grads_seq = grad_sequence(9, np.float64, n=5)
    b1, b2, beta = 0.8, 0.95, 0.7
    adam, mom, rms = Adam(beta1=b1, beta2=b2), Momentum(beta=beta), RMSProp(beta=beta)
    m = v = vel = s = 0.0
    for grads in grads_seq:
        for opt in (adam, mom, rms):
            opt.step(random_params(1), grads)
        g = grads[0]
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        vel, s = beta * vel + (1 - beta) * g, beta * s + (1 - beta) * g * g
    close(adam.m[0], m)
    close(adam.v[0], v)
    close(mom.velocities[0], vel)
    close(rms.squares[0], s)
    assert Adam().m == [] and Momentum().velocities == []


def test_a_huge_finite_update_that_would_overflow_the_parameters_is_refused():
    """Finite gradient, finite update, yet p - u overflows: tried on a copy first."""
    p = np.array([3e38, 1.0], np.float32)
    with pytest.raises(optimizers.TrainingDiverged, match="update"):
        GD(lr=1.0).step([p], [np.array([-3e38, 0.0], np.float32)])
    assert p.tolist() == [np.float32(3e38), 1.0]
    GD(lr=1.0).step([p], [np.array([3e38, 0.0], np.float32)])  # this one lands at 0
    assert p.tolist() == [0.0, 1.0]


@pytest.mark.parametrize("make", [lambda o=o: type(o)(**o.get_config()) for o in ALL_RULES],
                         ids=[_rule_id(o) for o in ALL_RULES])
def test_state_in_the_formulas_names_is_converted(make):
    """Checkpoints written before the moments were kept pre-scaled hold them
    under the formulas' names and scale; set_state converts them."""
    grads_seq = grad_sequence(11, np.float64, n=6)
    a, b = make(), make()
    pa = random_params(12)
    for grads in grads_seq[:3]:
        a.step(pa, grads)
    formula = {old: getattr(a, old) for old in a._formula_names()}
    b.set_state({"t": a.t, "arrays": formula})
    pb = [p.copy() for p in pa]
    for grads in grads_seq[3:]:
        a.step(pa, grads)
        b.step(pb, grads)
    for x, y in zip(pa, pb):
        close(x, y, rtol=1e-12, atol=1e-14)


# ------------------------------------------- the update bound that skips a check

BOUND_RULES = [("gd", {}), ("momentum", {}), ("momentum", {"nesterov": True}), ("rmsprop", {}),
               ("rmsprop", {"bias_correction": True}), ("adam", {}), ("adamw", {}),
               ("adam", {"clipnorm": 0.5}), ("adam", {"beta1": 0.99})]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name, kwargs", BOUND_RULES)
@pytest.mark.parametrize("gradients", ["heavy-tailed", "constant"])
def test_update_bound_holds_for_every_value(name, kwargs, dtype, gradients):
    # heavy-tailed gradients, from 1e-30 to 1e12, or a constant one (with which
    # Adam's m' / sqrt(v') grows past 3 for beta1 = 0.99), over 40 steps: every
    # value of every update stays within the bound the step computes
    rng = np.random.default_rng(7)
    opt = optimizers.REGISTRY[name](lr=0.05, **kwargs)
    params = [rng.normal(size=(6, 5)).astype(dtype), rng.normal(size=7).astype(dtype)]
    for _ in range(40):
        if gradients == "constant":
            grads = [np.full(p.shape, 3.0, dtype) for p in params]
        else:
            grads = [(rng.standard_cauchy(size=p.shape) * 10.0 ** rng.integers(-30, 12, p.shape))
                     .astype(dtype) for p in params]
        before = [p.copy() for p in params]
        if opt.state is None:
            opt.step(params, grads)
            continue
        norm = finite_norm(grads)
        if opt.clipnorm is not None:
            grads = optimizers.clip_by_global_norm(grads, opt.clipnorm, norm)
            norm = min(norm, opt.clipnorm)
        opt.t += 1
        s = opt.step_scalars()
        states = [tuple(field[i] for field in opt.state) for i in range(len(params))]
        updates = [opt.update(g, state, s).copy() for g, state in zip(grads, states)]
        bound = opt.update_bound(norm * opt._norm_slack, s)
        assert max(float(np.abs(u).max()) for u in updates) <= bound
        assert bound < opt._safe_update  # such gradients never need the check
        for p, b, u in zip(params, before, updates):
            p[...] = b
            opt.apply(p, u, s)


def test_the_update_check_runs_only_when_the_bound_is_too_large(monkeypatch):
    calls = []
    original = optimizers.Optimizer._safe
    monkeypatch.setattr(optimizers.Optimizer, "_safe",
                        lambda self, p, u, s: calls.append(1) or original(self, p, u, s))
    p = np.ones(4, np.float32)
    g = np.full(4, 0.5, np.float32)
    opt = optimizers.Adam(lr=0.01)
    for _ in range(3):
        opt.step([p], [g])
    assert calls == []  # the bound (about lr / eps) is far below float32's limit
    huge = optimizers.Adam(lr=1e30)  # a bound of about lr |m'| / eps passes float32's limit
    huge.step([p], [g])
    assert calls == [1]  # checked, and applied: the update itself, about lr, is finite
    edge = np.full(4, -3.3e38, np.float32)
    with pytest.raises(optimizers.TrainingDiverged, match="update"), \
            np.errstate(over="ignore", invalid="ignore"):
        optimizers.Adam(lr=1e38).step([edge], [g])  # -3.3e38 - 1e38 is past the largest float
    assert calls == [1, 1]
    assert (edge == np.float32(-3.3e38)).all()
    # eps / a is subnormal in float32 (not in float64): no bound, checked
    tiny_eps = optimizers.Adam(lr=0.01, eps=1e-40)
    tiny_eps.step([p, np.ones(3)], [g, np.ones(3)])
    assert calls == [1, 1, 1]


@pytest.mark.parametrize("name", ["adam", "momentum"])
def test_a_refused_step_and_a_restored_state_keep_the_sum_bound(name):
    rng = np.random.default_rng(2)
    p = rng.normal(size=10).astype(np.float32)
    opt = optimizers.REGISTRY[name](lr=1e-3)
    for _ in range(5):
        opt.step([p], [rng.normal(size=10).astype(np.float32) * 100])
    sums = opt.state.m_sums if name == "adam" else opt.state.velocity_sums
    assert float(np.abs(sums[0]).max()) <= opt._sum_bound
    twin = optimizers.REGISTRY[name](lr=1e-3)
    twin.set_state(opt.get_state())
    assert twin._sum_bound == float(np.abs(sums[0]).max())
    bound = opt._sum_bound
    opt.lr = 1e38  # the next update takes -3.3e38 past the largest float: refused
    p[...] = -3.3e38
    with pytest.raises(optimizers.TrainingDiverged, match="update"), \
            np.errstate(over="ignore", invalid="ignore"):
        opt.step([p], [np.full(10, 1e10, np.float32)])
    assert opt._sum_bound == bound  # and the bound goes back with the step count


@pytest.mark.parametrize("make", [lambda o=o: type(o)(**o.get_config()) for o in ALL_RULES],
                         ids=[_rule_id(o) for o in ALL_RULES])
def test_an_optimizer_pickled_before_the_named_state_continues_exactly(make):
    """A pickle of barenet 0.1.0 before the state was a named tuple holds each
    field as a list ``_<field>`` beside private scratch; it unpickles into an
    optimizer that continues exactly."""
    grads_seq = grad_sequence(5, np.float64, n=7)
    a = make()
    pa = random_params(6)
    for grads in grads_seq[:3]:
        a.step(pa, grads)
    old = {key: value for key, value in vars(a).items() if not key.startswith("_")}
    del old["state"]
    old.update({"_shapes": a.shapes, "_scratch": [np.empty_like(p) for p in pa], "_fused": None,
                "_sum_bound": 0.0})
    for name, field in zip(a.State._fields, a.state):
        old["_" + name] = [x.copy() for x in field]
    b = type(a).__new__(type(a))
    b.__setstate__(old)
    assert b.t == a.t == 3
    pb = [p.copy() for p in pa]
    for grads in grads_seq[3:]:
        a.step(pa, grads)
        b.step(pb, grads)
    for x, y in zip(pa, pb):
        np.testing.assert_array_equal(x, y, strict=True)
