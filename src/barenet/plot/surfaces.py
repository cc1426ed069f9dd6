r"""What the optimizer-path pictures draw on: 2-D test functions, the walk of
an optimizer over them, and a network's loss on a plane of parameter space.

**Test functions.** A surface is any object with ``value(p)`` and
``gradient(p)`` for a point ``p`` of shape ``(2,)`` (``value`` also takes
``(2, ...)`` arrays of points, as a grid). The two classic ones carry what a
picture needs besides: a ``name``, a ``title``, a default ``start``, a
plotting ``window`` ``((x_lo, x_hi), (y_lo, y_hi))``, the ``minimum``, the
default number of ``steps`` and, per optimizer, a learning rate that gives a
readable path (``rates``).

- [`Quadratic`][barenet.plot.surfaces.Quadratic]: $f = (a x^2 + b y^2) / 2$, an
  ill-conditioned bowl (condition number $\kappa = \max(a, b) / \min(a, b)$);
- [`Rosenbrock`][barenet.plot.surfaces.Rosenbrock]: $f = (a - x)^2 + b (y - x^2)^2$,
  a curved, flat-bottomed valley (Rosenbrock 1960).

[`walk`][barenet.plot.surfaces.walk] steps an optimizer over a surface and returns its iterates.

**A network's loss on a plane.** For a network with parameters $\theta^*$
(the flat vector ``net.flat.values``) and two directions $d_1, d_2$, the
loss landscape is $L(\alpha, \beta) = \text{loss}(\theta^* + \alpha d_1 +
\beta d_2)$ (Li et al. 2018, "Visualizing the Loss Landscape of Neural
Nets"). [`loss_directions`][barenet.plot.surfaces.loss_directions] makes the directions,
[`loss_surface`][barenet.plot.surfaces.loss_surface] evaluates $L$ on a grid,
[`project`][barenet.plot.surfaces.project] puts parameter vectors on the plane; a
[`Snapshots`][barenet.model.recorders.Snapshots] recorder keeps a run's parameter vectors.
"""

import copy
import math
from typing import NamedTuple

import numpy as np

from .._buffers import flat_views
from .._checks import check_int, check_positive
from ..core.namespace import to_numpy
from ..errors import TrainingDiverged
from ..model import sparse
from ..model.parameters import layer_views, shapes
from ..optim import Optimizer

# ------------------------------------------------------------------ test functions


class Quadratic:
    r"""$f(x, y) = (a x^2 + b y^2) / 2$, minimum 0 at the origin.

    With $b \gg a$ the bowl is a long, narrow valley: gradient descent must
    keep its learning rate below $2 / \max(a, b)$ to stay stable across the
    valley, and then crawls along it at a rate $1 - \alpha \min(a, b)$ per
    step. Momentum damps the zig-zag; RMSProp and Adam rescale each
    coordinate by its own gradient size.

    The default ``rates`` -- GD 1.8/L, just below its limit 2/L (L = max(a,
    b)), so that it zig-zags across the valley; Momentum 2/L; RMSProp and
    Adam 0.1, about their step length in the units of x and y -- are tuned for
    the default ``a=1, b=20``, ``start=(-4, 1.5)`` and 100 steps.
    """

    name = "quadratic"

    def __init__(self, a=1.0, b=20.0):
        self.a, self.b = check_positive("a", a), check_positive("b", b)
        self.minimum = np.zeros(2)
        L = max(self.a, self.b)
        self.condition = L / min(self.a, self.b)
        self.title = (f"quadratic f = ({self.a:g}x² + {self.b:g}y²)/2, "
                      f"condition number {self.condition:g}")
        self.start = np.array([-4.0, 1.5])
        self.window = ((-4.5, 2.5), (-2.0, 2.0))
        self.steps = 100
        self.rates = {"GD": 1.8 / L, "Momentum": 2.0 / L, "RMSProp": 0.1, "Adam": 0.1}

    def value(self, p):
        x, y = p[0], p[1]
        return (self.a * x * x + self.b * y * y) / 2

    def gradient(self, p):
        return np.array([self.a * p[0], self.b * p[1]], dtype=np.float64)


class Rosenbrock:
    r"""$f(x, y) = (a - x)^2 + b (y - x^2)^2$, minimum 0 at $(a, a^2)$.

    The valley floor $y = x^2$ is easy to reach and hard to follow: across it
    the curvature is about $2b(1 + 4x^2)$, along it about 2, so a step small
    enough to be stable across barely moves along. Drawn with log-spaced
    contours, as its values span five decades.

    The default ``rates`` (GD 1e-3, Momentum 8e-3, RMSProp 1e-2, Adam 0.1)
    are tuned for ``a=1, b=100``, ``start=(-1.5, 2)`` and 500 steps: GD
    reaches the valley and crawls; Momentum (stable at a larger rate) and Adam
    get close to the minimum; RMSProp's steps of about ``lr`` each stop
    halfway.
    """

    name = "rosenbrock"

    def __init__(self, a=1.0, b=100.0):
        self.a, self.b = check_positive("a", a), check_positive("b", b)
        self.minimum = np.array([self.a, self.a ** 2])
        self.title = f"Rosenbrock f = ({self.a:g} - x)² + {self.b:g}(y - x²)²"
        self.start = np.array([-1.5, 2.0])
        self.window = ((-2.0, 2.0), (-1.0, 3.0))
        self.steps = 500
        self.rates = {"GD": 1e-3, "Momentum": 8e-3, "RMSProp": 1e-2, "Adam": 0.1}

    def value(self, p):
        x, y = p[0], p[1]
        return (self.a - x) ** 2 + self.b * (y - x * x) ** 2

    def gradient(self, p):
        x, y = float(p[0]), float(p[1])
        across = y - x * x
        return np.array([-2 * (self.a - x) - 4 * self.b * x * across, 2 * self.b * across])


SURFACES = {"quadratic": Quadratic, "rosenbrock": Rosenbrock}
"""The test functions by name."""


def get_surface(surface, name="surface"):
    """A surface object: a new one for a name in `SURFACES`, or ``surface``
    itself when it has callable ``value`` and ``gradient``."""
    if isinstance(surface, str):
        if surface not in SURFACES:
            raise ValueError(f"{name} must be one of {', '.join(map(repr, SURFACES))} or an "
                             f"object with value(p) and gradient(p), got {surface!r}")
        return SURFACES[surface]()
    if not (callable(getattr(surface, "value", None))
            and callable(getattr(surface, "gradient", None))):
        raise TypeError(f"{name} must be a name ({', '.join(map(repr, SURFACES))}) or an "
                        f"object with value(p) and gradient(p), got {surface!r}")
    return surface


def check_point(name, p):
    """``p`` as a finite float64 array of shape (2,)."""
    try:
        p = np.array(p, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a point (x, y) of two numbers, got {p!r}") from None
    if p.shape != (2,) or not np.isfinite(p).all():
        raise ValueError(f"{name} must be a point (x, y) of two finite numbers, got {p!r}")
    return p


def start_of(surface, start=None):
    """``start``, or the surface's own, as a point of shape (2,)."""
    if start is None:
        start = getattr(surface, "start", None)
        if start is None:
            raise ValueError(f"start is needed: the surface {surface!r} has no default start")
    return check_point("start", start)


def walk(optimizer, surface, start=None, steps=None):
    """The iterates of ``optimizer`` on ``surface``: ``p_0 = start`` and
    ``p_{k+1}`` = ``p_k`` after ``opt.step([p], [surface.gradient(p_k)])``.

    The optimizer is a deep copy of ``optimizer``, reset, so the object
    given is left as it was. ``start`` and ``steps`` default to the
    surface's. A walk that diverges (a gradient or step that is not finite)
    stops there: the array is then shorter.

    Returns
    -------
    ndarray of shape (steps + 1, 2)
        ``p_0 .. p_steps``, float64.
    """
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be a barenet Optimizer, got {optimizer!r}")
    surface = get_surface(surface)
    p = start_of(surface, start)
    steps = check_int("steps", getattr(surface, "steps", 100) if steps is None else steps, 1)
    opt = copy.deepcopy(optimizer)
    opt.reset()
    points = [p.copy()]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            g = np.asarray(surface.gradient(p), dtype=np.float64).reshape(2)
            try:
                opt.step([p], [g])
            except TrainingDiverged:
                break
            if not np.isfinite(p).all():
                break
            points.append(p.copy())
    return np.array(points)


# ------------------------------------------------------------- a network's loss


class Directions(NamedTuple):
    """Two directions in a network's parameter space and the point they go
    through: the plane ``center + a * d1 + b * d2``.

    ``center``, ``d1``, ``d2``: float64 arrays of shape (n_parameters,);
    ``kind``: 'random' or 'pca'; ``explained``: for 'pca', the share of the
    trajectory's squared distance to ``center`` along each direction, else None.
    """

    center: np.ndarray
    d1: np.ndarray
    d2: np.ndarray
    kind: str
    explained: tuple = None


class LossSurface(NamedTuple):
    """The loss on a grid of the plane: ``loss[i, j]`` at ``center + a[j] * d1
    + b[i] * d2`` (the layout of ``contour(a, b, loss)``)."""

    a: np.ndarray
    b: np.ndarray
    loss: np.ndarray


def _check_network(net):
    if not (hasattr(net, "flat") and hasattr(net, "engine") and hasattr(net, "prepare")):
        raise TypeError(f"net must be a barenet Network, got {type(net).__name__}")
    return net


def weight_views(net, vector):
    """Views of ``vector`` (laid out as ``net.flat.values``) as the network's
    weight matrices, ``(n_out, n_in)`` each: row ``i`` holds the weights into
    neuron ``i``."""
    flat = net.flat
    return layer_views(flat_views(vector, shapes(flat.layer_sizes, flat.batch_norm)[0]),
                       flat.batch_norm)[0]


def _points(name, trajectory, n):
    """The vectors of ``trajectory`` (a sequence of flat vectors, or a dict
    of them) as one float64 array of shape (n_points, n)."""
    parts = list(trajectory.values()) if isinstance(trajectory, dict) else [trajectory]
    arrays = []
    for part in parts:
        try:
            array = np.array([to_numpy(v) if hasattr(v, "__dlpack__") else v for v in part],
                             dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be a sequence of flat parameter vectors "
                            "(or a dict of them)") from None
        if array.ndim != 2 or array.shape[1] != n or not np.isfinite(array).all():
            raise ValueError(f"{name} must hold finite flat parameter vectors of length {n} "
                             f"(net.flat.values), got an array of shape {array.shape}")
        arrays.append(array)
    return np.concatenate(arrays)


def loss_directions(net, kind="random", trajectory=None, seed=0):
    """Two directions through the network's parameters ``net.flat.values``.

    - ``'random'``, filter-normalized (Li et al. 2018): each direction is drawn
      from N(0, 1) with the parameters' shape; each row of each weight matrix
      (the weights into one neuron, a "filter") is rescaled to the norm of the
      same row of the network's weights, ``d_i <- d_i ||W_i|| / ||d_i||``;
      biases and batch normalization's parameters get 0. Seeded by ``seed``.
    - ``'pca'``: the first two principal directions of ``M``, the trajectory's
      points minus the network's parameters (``M = U S V^T``, ``d1, d2 =
      V[0], V[1]``: orthonormal, the plane through the final point that holds
      most of the squared distance of the path to it); signs chosen so that
      the first point has coordinates <= 0. ``trajectory`` is a sequence of
      flat parameter vectors, or a dict of them pooled together.
    """
    net = _check_network(net)
    if kind not in ("random", "pca"):
        raise ValueError(f"kind must be 'random' or 'pca', got {kind!r}")
    if (trajectory is None) == (kind == "pca"):
        raise ValueError("trajectory is needed for kind='pca', and only used by it")
    center = np.array(to_numpy(net.flat.values), dtype=np.float64)
    if kind == "pca":
        M = _points("trajectory", trajectory, center.size) - center
        _, S, Vt = np.linalg.svd(M, full_matrices=False)
        if len(S) < 2 or S[1] <= 1e-12 * S[0]:
            raise ValueError("trajectory must move in at least 2 directions away from the "
                             "network's parameters for kind='pca'")
        d = Vt[:2] * np.where(M[0] @ Vt[:2].T > 0, -1.0, 1.0)[:, None]
        shares = S ** 2 / np.sum(S ** 2)
        return Directions(center, d[0], d[1], "pca", (float(shares[0]), float(shares[1])))
    rng = np.random.default_rng(check_int("seed", seed, 0))
    pair = []
    for _ in range(2):
        d = np.zeros_like(center)
        for D, W in zip(weight_views(net, d), weight_views(net, center)):
            D[...] = rng.standard_normal(D.shape)
            D *= np.linalg.norm(W, axis=1, keepdims=True) / np.linalg.norm(D, axis=1,
                                                                           keepdims=True)
        pair.append(d)
    return Directions(center, pair[0], pair[1], "random")


def project(directions, points):
    """The coordinates ``(a, b)`` of each flat vector of ``points`` (shape
    ``(n_points, n)``) on the plane of ``directions``: the least-squares
    solution of ``center + a * d1 + b * d2 = point`` (for orthonormal
    directions, the dot products with them). Shape ``(n_points, 2)``."""
    D = np.stack([directions.d1, directions.d2])  # (2, n)
    points = _points("points", points, D.shape[1])
    return np.linalg.solve(D @ D.T, D @ (points - directions.center).T).T


def _window(span):
    """``((a_lo, a_hi), (b_lo, b_hi))`` from a span > 0 or such a pair."""
    if isinstance(span, (int, float)) and not isinstance(span, bool):
        span = check_positive("span", span)
        return (-span, span), (-span, span)
    try:
        (a0, a1), (b0, b1) = [(float(lo), float(hi)) for lo, hi in span]
    except (TypeError, ValueError):
        raise TypeError("span must be a number > 0 or ((a_lo, a_hi), (b_lo, b_hi)), got "
                        f"{span!r}") from None
    if not (a0 < a1 and b0 < b1 and all(map(math.isfinite, (a0, a1, b0, b1)))):
        raise ValueError(f"span must have finite lo < hi on both axes, got {span!r}")
    return (a0, a1), (b0, b1)


def loss_surface(net, X, y, directions, span=1.0, resolution=41):
    """The network's training objective on a ``resolution x resolution`` grid
    of the plane of ``directions``: at ``(a, b)``, the parameters are
    ``center + a * d1 + b * d2`` and the value is the loss on ``(X, y)`` in
    inference mode, plus the L2 penalty when the network has one (with
    ``l2=0``, ``net.evaluate(X, y)['loss']`` at those parameters).

    One copy of the network is made; each grid point writes its parameters
    into the copy's flat vector and runs one forward pass (batch
    normalization keeps its running statistics). ``span`` is the half-width
    of a square window around ``center``, or ``((a_lo, a_hi), (b_lo, b_hi))``.
    Values that overflow are nan. Returns a `LossSurface`.
    """
    net = _check_network(net)
    if not isinstance(directions, Directions):
        raise TypeError(f"directions must be what loss_directions returns, got "
                        f"{type(directions).__name__}")
    if directions.center.shape != np.shape(net.flat.values):
        raise ValueError(f"directions are for {directions.center.size} parameters, the network "
                         f"has {np.size(net.flat.values)}")
    (a0, a1), (b0, b1) = _window(span)
    resolution = check_int("resolution", resolution, 2)
    model = copy.deepcopy(net).to(np.zeros(1))
    X = model.prepare(X)
    Y_T = model.encode(y, X.shape[0])[0].T
    a, b = np.linspace(a0, a1, resolution), np.linspace(b0, b1, resolution)
    loss = np.empty((resolution, resolution))
    values, engine = model.flat.values, model.engine
    with np.errstate(all="ignore"):
        for i, bi in enumerate(b):
            row = directions.center + bi * directions.d2
            for j, aj in enumerate(a):
                values[...] = row + aj * directions.d1
                loss[i, j] = engine.objective(sparse.infer(engine, X).T, Y_T)
    loss[~np.isfinite(loss)] = np.nan
    return LossSurface(a, b, loss)
