"""Optimizer paths: GD, Momentum, RMSProp and Adam walking on a 2-D loss surface.

- [`optimizer_paths`][barenet.plot.paths.optimizer_paths]: on classic test functions (an
  ill-conditioned quadratic, Rosenbrock's valley; [`barenet.plot.surfaces`][barenet.plot.surfaces]),
  each optimizer's iterates from the same start over the function's contours;
- [`network_paths`][barenet.plot.landscape.network_paths] (in
  [`barenet.plot.landscape`][barenet.plot.landscape]): a network's training
  trajectories on a plane of its parameter space, over the loss there.

Both draw the surface as a shaded image (``imshow``: its pixels centred on
the grid's points, its array the values there) under contour lines, and
return a Figure, or with ``animate=True`` a ``matplotlib.animation.FuncAnimation``
that draws the paths step by step: ``anim.save('paths.gif', writer='pillow')``,
or ``anim.to_jshtml()`` in a notebook (saving redraws the whole figure at each
frame, about a quarter of a second each).
"""

import numpy as np
from matplotlib import colormaps
from matplotlib.animation import FuncAnimation
from matplotlib.colors import ListedColormap, LogNorm, Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator

from .._checks import check_bool, check_int
from ..optim import REGISTRY, Optimizer
from ._style import CURVE_MARKERS, CURVE_STYLES, MARGIN, optimizer_color
from .surfaces import get_surface, start_of, walk

DEFAULT_OPTIMIZERS = ("gd", "momentum", "rmsprop", "adam")
"""The optimizers drawn by default, by name (``barenet.optimizers.REGISTRY``)."""

# a light part of the grey ramp, under coloured paths: low values white
SHADES = ListedColormap(colormaps["Greys"](np.linspace(0.0, 0.4, 256)), name="light_greys")


# ------------------------------------------------------------------ drawing


def _levels(Z, n=15, log=None):
    """Contour levels over the finite values of ``Z``: log-spaced when they
    span more than two decades, or whenever ``log`` is true and the highest
    is positive (the low ones from 1e-4 of the highest when the minimum is
    0), else evenly spaced (none for a constant ``Z``); and whether they are
    log-spaced."""
    lo, hi = float(Z.min()), float(Z.max())
    if hi > 0 and (hi > 100 * max(lo, 0.0) or (log and hi > lo)):
        return np.geomspace(max(lo, hi * 1e-4), hi, n), True
    return np.linspace(lo, hi, n + 2)[1:-1], False


def _draw_surface(ax, a, b, Z, what, log=None):
    """The values ``Z`` (shape ``(len(b), len(a))``, on the evenly spaced
    ``a`` and ``b``) as a smoothly shaded image whose pixel centres are the
    grid's points, and contour lines; with a colour bar labelled ``what``.
    Shading and levels are on a log scale where the values span more than
    two decades, or with ``log`` (`_levels`)."""
    Z = np.ma.masked_invalid(Z)
    levels, log = _levels(Z, log=log)
    norm = LogNorm(levels[0], levels[-1], clip=True) if log else Normalize(Z.min(), Z.max())
    da, db = (a[-1] - a[0]) / (len(a) - 1) / 2, (b[-1] - b[0]) / (len(b) - 1) / 2
    image = ax.imshow(Z, origin="lower", extent=(a[0] - da, a[-1] + da, b[0] - db, b[-1] + db),
                      aspect="auto", interpolation="bilinear", cmap=SHADES, norm=norm)
    if levels[-1] > levels[0]:
        ax.contour(a, b, Z, levels=levels, colors="0.35", linewidths=0.6, alpha=0.8)
    bar = ax.figure.colorbar(image, ax=ax, shrink=0.85)
    bar.set_label(what + (" (log scale)" if log else ""))
    if log:  # plain numbers: mathtext labels cost a parse at every frame of an animation
        if levels[-1] < 1000 * levels[0]:  # a tick at 1, 2 and 5 times each power of ten
            bar.ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        bar.ax.minorticks_off()


def _draw_paths(ax, paths):
    """Each ``(k, 2)`` path of ``{label: path}`` as a line through its points
    (a small marker about every tenth of them), in its own colour, line
    style and marker (its colour the optimizer's, `optimizer_color`), with a
    large marker on its last point; and a white
    circle on each distinct start. Returns ``(lines, heads)``."""
    lines, heads, starts = [], [], []
    n = len(paths)
    for i, (label, P) in enumerate(paths.items()):
        style = dict(color=optimizer_color(label, i, list(paths)[:i]),
                     marker=CURVE_MARKERS[i % len(CURVE_MARKERS)], markeredgecolor="k")
        every = max(1, (len(P) - 1) // 10)
        lines.append(ax.plot(P[:, 0], P[:, 1], label=label, linewidth=1.6,
                             linestyle=CURVE_STYLES[i % len(CURVE_STYLES)], markersize=4,
                             markeredgewidth=0.4, markevery=(i * every // n, every), zorder=3,
                             **style)[0])
        heads.append(ax.plot(P[-1:, 0], P[-1:, 1], linestyle="", markersize=10,
                             markeredgewidth=0.8, label="_last", zorder=4, **style)[0])
        if not any(np.allclose(P[0], s) for s in starts):
            starts.append(P[0])
    for j, s in enumerate(starts):
        ax.plot(*s, linestyle="", marker="o", markersize=8, markerfacecolor="white",
                markeredgecolor="k", label="start" if j == 0 else "_start", zorder=4)
    return lines, heads


def _mark(ax, point, label):
    """A large yellow star at ``point``: the minimum, or the centre."""
    ax.plot(*point, linestyle="", marker="*", markersize=15, color="k",
            markerfacecolor="#F0E442", label=label, zorder=5)


def _legend(ax):
    ax.legend(loc="upper left", bbox_to_anchor=(0, -0.12), ncols=2, fontsize="small",
              frameon=False)


def _animate(fig, drawn, paths, frames):
    """A FuncAnimation of ``frames`` frames: at frame ``k`` each line shows
    its path's points ``0 .. k``, its head marker the last of them, and the
    figure says which step it is. ``drawn`` is `_draw_paths`'s ``(lines, heads)``."""
    lines, heads = drawn
    paths = [np.asarray(P) for P in paths]
    counter = fig.text(0.99, 0.01, "", ha="right", va="bottom", fontsize="small")

    def draw(k):
        for line, head, P in zip(lines, heads, paths):
            line.set_data(P[:k + 1, 0], P[:k + 1, 1])
            last = min(k, len(P) - 1)  # a path that diverged stops early
            head.set_data(P[last:last + 1, 0], P[last:last + 1, 1])
        counter.set_text(f"step {k} of {frames - 1}")
        return [*lines, *heads, counter]

    draw(0)
    # lay the figure out once: its frames then redraw without the layout engine
    fig.draw_without_rendering()
    fig.set_layout_engine("none")
    return FuncAnimation(fig, draw, frames=frames, interval=50, blit=False, repeat=False)


# ------------------------------------------------------------ test functions


def _optimizers(optimizers, surface):
    """``{label: Optimizer}`` for ``surface``: names get the surface's rate."""
    if optimizers is None:
        optimizers = DEFAULT_OPTIMIZERS
    if isinstance(optimizers, (str, Optimizer)):
        optimizers = [optimizers]
    if isinstance(optimizers, dict):
        items = list(optimizers.items())
    else:
        try:
            items = [(None, opt) for opt in optimizers]
        except TypeError:
            raise TypeError("optimizers must be optimizers, names or a dict of them, got "
                            f"{optimizers!r}") from None
    if not items:
        raise ValueError("optimizers is empty: nothing to draw")
    result = {}
    for label, opt in items:
        if isinstance(opt, str):
            if opt.lower() not in REGISTRY:
                raise ValueError(f"optimizers: unknown name {opt!r}; use one of "
                                 f"{', '.join(map(repr, REGISTRY))} or an Optimizer")
            cls = REGISTRY[opt.lower()]
            rate = getattr(surface, "rates", {}).get(cls.__name__)
            opt = cls() if rate is None else cls(lr=rate)
        elif not isinstance(opt, Optimizer):
            raise TypeError(f"optimizers must hold barenet Optimizers or their names, got "
                            f"{opt!r}")
        label = str(label) if label is not None else f"{type(opt).__name__} (lr={opt.lr:g})"
        while label in result:
            label += "'"
        result[label] = opt
    return result


def _surface_grid(surface, window, resolution=200):
    """``(x, y, Z)``: the surface's values on a grid over ``window``."""
    (x0, x1), (y0, y1) = window
    x, y = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    grid = np.array(np.meshgrid(x, y))
    with np.errstate(all="ignore"):
        try:
            Z = np.asarray(surface.value(grid), dtype=np.float64)
        except (TypeError, ValueError):
            Z = None
        if Z is None or Z.shape != grid.shape[1:]:  # a value() of one point at a time
            Z = np.array([[surface.value(grid[:, i, j]) for j in range(resolution)]
                          for i in range(resolution)], dtype=np.float64)
    return x, y, Z


def _path_window(surface, paths):
    """The surface's ``window``, or one around the paths and the minimum."""
    if hasattr(surface, "window"):
        return surface.window
    points = list(paths.values())
    if getattr(surface, "minimum", None) is not None:
        points.append(np.reshape(surface.minimum, (1, 2)))
    points = np.concatenate(points)
    lo, hi = points.min(axis=0), points.max(axis=0)
    pad = np.maximum(hi - lo, 1e-3) * (MARGIN + 0.06)
    return tuple(zip(lo - pad, hi + pad))


def _draw_function(ax, surface, paths, start, steps):
    """One panel: the surface, its minimum, and the paths; returns
    `_draw_paths`'s ``(lines, heads)``."""
    window = _path_window(surface, paths)
    x, y, Z = _surface_grid(surface, window)
    _draw_surface(ax, x, y, Z, "f(x, y)")
    drawn = _draw_paths(ax, paths)
    minimum = getattr(surface, "minimum", None)
    if minimum is not None:
        _mark(ax, minimum, "minimum")
    ax.set_xlim(window[0])
    ax.set_ylim(window[1])
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    name = getattr(surface, "title", None) or type(surface).__name__
    ax.set_title(f"{name}\n{steps} steps from ({start[0]:g}, {start[1]:g})", fontsize="medium")
    _legend(ax)
    return drawn


def optimizer_paths(optimizers=None, surface="quadratic", start=None, steps=None,
                    animate=False):
    """Optimizers walking on 2-D test functions, over their contours.

    Each optimizer (a deep copy, reset: the objects given are not changed)
    starts at ``start`` and takes ``steps`` steps ``opt.step([p], [grad f(p)])``
    ([`walk`][barenet.plot.surfaces.walk]); its iterates ``p_0 .. p_steps`` are drawn as one
    line (its colour its optimizer's, ``OPTIMIZER_COLORS`` -- the same in the
    optimizer comparison -- its line style and marker from ``CURVE_STYLES``
    and ``CURVE_MARKERS``), over the function's values on a
    200 x 200 grid (shaded, with contour lines: log-spaced where the values
    span more than two decades, as Rosenbrock's do) and its minimum (a star).

    Parameters
    ----------
    optimizers : sequence or dict, optional
        Optimizer objects or names (``'gd'``, ``'momentum'``, ``'rmsprop'``,
        ``'adam'``, ``'adamw'``), or ``{label: optimizer or name}``. A name takes
        the learning rate the surface's ``rates`` gives its class, tuned for a
        readable path on that surface (see [`Quadratic`][barenet.plot.surfaces.Quadratic],
        [`Rosenbrock`][barenet.plot.surfaces.Rosenbrock]); default all four rules by name.
    surface : str, object or sequence of them, default 'quadratic'
        ``'quadratic'``, ``'rosenbrock'`` or any object with ``value(p)`` and
        ``gradient(p)`` (see [`barenet.plot.surfaces`][barenet.plot.surfaces]); a sequence is
        drawn side by side, one panel each.
    start : (x, y), optional
        The common start; default each surface's ``start``.
    steps : int >= 1, optional
        Steps per optimizer; default each surface's ``steps`` (quadratic 100,
        Rosenbrock 500).
    animate : bool, default False
        Return a ``FuncAnimation`` whose frame ``k`` shows the iterates
        ``0 .. k``: ``max(steps) + 1`` frames.

    Notes
    -----
    A path that diverges stops where a gradient or a step stops being finite.
    """
    surfaces = [surface] if isinstance(surface, str) or hasattr(surface, "gradient") \
        else list(surface) if isinstance(surface, (list, tuple)) else [surface]
    if not surfaces:
        raise ValueError("surface is an empty sequence: nothing to draw")
    surfaces = [get_surface(s) for s in surfaces]
    starts = [start_of(s, start) for s in surfaces]
    counts = [check_int("steps", getattr(s, "steps", 100) if steps is None else steps, 1)
              for s in surfaces]
    animate = check_bool("animate", animate)
    chosen = [_optimizers(optimizers, s) for s in surfaces]

    fig = Figure(figsize=(6 * len(surfaces), 5.6), layout="constrained")
    axes = fig.subplots(1, len(surfaces), squeeze=False)[0]
    lines, heads, paths = [], [], []
    for ax, s, p0, k, opts in zip(axes, surfaces, starts, counts, chosen):
        walked = {label: walk(opt, s, p0, k) for label, opt in opts.items()}
        drawn = _draw_function(ax, s, walked, p0, k)
        lines, heads, paths = lines + drawn[0], heads + drawn[1], paths + list(walked.values())
    fig.suptitle(f"{_and(list(chosen[0]))} from the same start: each line is one optimizer's "
                 "iterates, its large marker the last one", fontsize="medium")
    return _animate(fig, (lines, heads), paths, max(counts) + 1) if animate else fig


def _and(labels):
    names = [label.split(" (")[0] for label in labels]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# ------------------------------------------------------------- the network
