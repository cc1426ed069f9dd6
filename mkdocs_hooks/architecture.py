"""Draw the architecture page's picture with matplotlib when the docs build.

An MkDocs hook (``hooks:`` in mkdocs.yml): before each build it writes
``docs/images/architecture.png`` -- barenet's packages as layers and the
arrows of what may import what -- and ``docs/images/training-step.png``, the
path of one training step through the objects of those layers.
"""

from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images"
OUT = IMAGES / "architecture.png"
STEP = IMAGES / "training-step.png"

# (label, what it holds, x, y, width, colour) in axes units (0..10 by 0..9)
BOXES = {
    "top": ("interfaces and tools", "barenet.cli, barenet.sklearn, barenet.io (save, load, ONNX),\n"
            "barenet.plot, barenet.datasets", 0.3, 7.2, 9.4, "#dbe9f6"),
    "model": ("barenet.model", "Network (configuration and API), flat parameters,\n"
              "targets, runs, the trainer, callbacks,\n"
              "the passes on other array libraries (PyTorch, CuPy)", 0.3, 5.2, 5.6, "#e5dcf2"),
    "notebook": ("barenet.notebook", "the notebook's functions,\nby its names", 6.3, 5.2, 3.4,
                 "#e5dcf2"),
    "fast": ("barenet.fast", "workspaces and bound plans (engine),\nin-place passes, numba loops",
             0.3, 3.2, 4.4, "#fde4cf"),
    "core": ("barenet.core", "activations, losses, linear,\nbatch norm, L2, dropout, initializers",
             0.3, 1.0, 4.4, "#d9f0d3"),
    "optim": ("barenet.optim", "one class per rule over a named state,\nclipping, schedules",
              5.3, 1.0, 4.4, "#d9f0d3"),
}


def _canvas(figsize, ylim):
    """A figure and its axes, 10 units wide, without ticks or frame."""
    fig = Figure(figsize=figsize, layout="constrained")
    ax = fig.subplots()
    ax.set_xlim(0, 10)
    ax.set_ylim(*ylim)
    ax.axis("off")
    return fig, ax


def _box(ax, x, y, width, height, label, text, color, fontsize):
    """A rounded box at ``(x, y)``: ``label`` in bold near its top, ``text`` below."""
    ax.add_patch(FancyBboxPatch((x, y), width, height, boxstyle="round,pad=0.05", fc=color,
                                ec="#555555"))
    ax.text(x + width / 2, y + height - 0.3, label, ha="center", va="center", weight="bold")
    ax.text(x + width / 2, y + 0.35 * height, text, ha="center", va="center", fontsize=fontsize)


def draw():
    fig, ax = _canvas((9, 8), (0, 9))
    for label, text, x, y, w, color in BOXES.values():
        _box(ax, x, y, w, 1.3, label, text, color, 8.5)

    def arrow(start, end, color="#333333", dashed=False):
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=14,
                                     color=color, linestyle="--" if dashed else "-"))

    # what may import what: down the page only
    arrow((3.1, 7.15), (3.1, 6.55))
    arrow((2.5, 5.15), (2.5, 4.55))
    arrow((1.5, 3.15), (1.5, 2.35))
    arrow((4.0, 3.15), (6.2, 2.35))
    arrow((5.5, 5.15), (5.8, 2.35))  # the model makes its optimizer
    arrow((5.1, 5.15), (4.65, 2.35))  # the passes on other libraries: the core's formulas
    arrow((7.0, 5.15), (4.4, 2.35))
    arrow((8.8, 5.15), (8.8, 2.35))
    arrow((6.25, 5.85), (5.95, 5.85))  # the notebook's mini-batches (barenet.model.batches)
    # the fast layer plugs into the optimizers' registry
    arrow((4.75, 3.9), (7.6, 2.35), color="#b35806", dashed=True)
    ax.text(7.3, 3.1, "barenet.fast registers\nits runners in\nbarenet.optim.RUNNERS",
            fontsize=7.5, color="#b35806")
    ax.text(5.0, 0.45, "arrows: may import. The core imports neither barenet.fast nor anything "
            "above it; each layer only those below:\ncli > sklearn > datasets > io > gradcheck "
            "> notebook > model > fast > optim > core (import-linter contracts, run by the "
            "tests)", ha="center", fontsize=8, style="italic")
    ax.set_title("barenet's layers: each formula once in the core, run fast in barenet.fast",
                 fontsize=11)
    return fig


# one training step: (label, where it lives, x, y, colour); the arrows follow the list
STEPS = [
    ("a batch of rows", "Trainer._epoch gathers\nX[b], Y[b] (barenet.model.trainer)", 0.2, 4.6,
     "#e5dcf2"),
    ("forward", "Engine.forward, layer by layer:\nZ = [W | b] [A; 1], A = g(Z), dropout\n"
     "(barenet.fast.engine over barenet.core)", 3.5, 4.6, "#fde4cf"),
    ("loss", "Engine.objective: the loss\n+ the L2 penalty (barenet.core)", 6.8, 4.6, "#d9f0d3"),
    ("backward", "Engine.backward, from the last layer:\ndZ = A - Y (x 1/m), dW, db, dA_prev\n"
     "into the gradient vector", 6.8, 2.2, "#fde4cf"),
    ("optimizer step", "optimizer.step(values, grad): the rule\n(barenet.optim) run by "
     "its runner\n(barenet.fast.optim), in place", 3.5, 2.2, "#d9f0d3"),
    ("FlatParameters", "values, grad, state: one vector\neach, with per-layer views\n"
     "(barenet.model.parameters)", 0.2, 2.2, "#e5dcf2"),
]


def draw_step():
    fig, ax = _canvas((10, 4.6), (2.0, 6.4))
    width, height = 3.0, 1.5
    centres = []
    for label, text, x, y, color in STEPS:
        _box(ax, x, y, width, height, label, text, color, 8)
        centres.append((x + width / 2, y + height / 2))
    for (x0, y0), (x1, y1) in zip(centres, centres[1:]):
        # leave each box from its side (or its foot) towards the next
        if y0 == y1:
            sign = 1 if x1 > x0 else -1
            start, end = (x0 + sign * (width / 2 + 0.05), y0), (x1 - sign * (width / 2 + 0.05), y1)
        else:
            start, end = (x0, y0 - height / 2 - 0.05), (x1, y1 + height / 2 + 0.05)
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=14,
                                     color="#333333"))
    ax.add_patch(FancyArrowPatch((2.9, 3.75), (3.9, 4.55), arrowstyle="-|>", mutation_scale=12,
                                 color="#777777", linestyle="--"))
    ax.text(3.55, 4.05, "the next step's forward\nreads the updated views", ha="left",
            va="center", fontsize=7.5, color="#555555", style="italic")
    ax.set_title("One training step: Network.fit hands the engine, the flat parameters, the "
                 "optimizer,\nthe Generator and the callbacks to a Trainer, which repeats this "
                 "for every batch", fontsize=10)
    return fig


def on_pre_build(config, **kwargs):
    OUT.parent.mkdir(parents=True, exist_ok=True)
    draw().savefig(OUT, dpi=110)
    draw_step().savefig(STEP, dpi=110)


if __name__ == "__main__":
    on_pre_build(None)
    print(OUT, STEP)
