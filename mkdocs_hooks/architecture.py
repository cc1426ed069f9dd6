"""Draw the architecture page's picture with matplotlib when the docs build.

An MkDocs hook (``hooks:`` in mkdocs.yml): before each build it writes
``docs/images/architecture.png`` -- barenet's packages as layers, the arrows
of what may import what, and the path of one training step through them.
"""

from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

OUT = Path(__file__).resolve().parents[1] / "docs" / "images" / "architecture.png"

# (label, what it holds, x, y, width, colour) in axes units (0..10 by 0..9)
BOXES = {
    "top": ("interfaces and tools", "barenet.cli, barenet.sklearn, barenet.io (save, load, ONNX),\n"
            "barenet.plot, barenet.datasets", 0.3, 7.2, 9.4, "#dbe9f6"),
    "model": ("the model", "barenet.Network: configuration and API,\ntraining loop, callbacks",
              0.3, 5.2, 5.6, "#e5dcf2"),
    "notebook": ("barenet.notebook", "the notebook's functions,\nby its names", 6.3, 5.2, 3.4,
                 "#e5dcf2"),
    "fast": ("barenet.fast", "workspaces and bound plans (engine),\nin-place passes, numba loops",
             0.3, 3.2, 4.4, "#fde4cf"),
    "core": ("barenet.core", "activations, losses, linear,\nbatch norm, L2, dropout, initializers",
             0.3, 1.0, 4.4, "#d9f0d3"),
    "optim": ("barenet.optim", "one class per rule over a named state,\nclipping, schedules",
              5.3, 1.0, 4.4, "#d9f0d3"),
}


def draw():
    fig = Figure(figsize=(9, 8), layout="constrained")
    ax = fig.subplots()
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 9)
    ax.axis("off")
    for label, text, x, y, w, color in BOXES.values():
        ax.add_patch(FancyBboxPatch((x, y), w, 1.3, boxstyle="round,pad=0.05", fc=color,
                                    ec="#555555"))
        ax.text(x + w / 2, y + 1.0, label, ha="center", va="center", weight="bold")
        ax.text(x + w / 2, y + 0.45, text, ha="center", va="center", fontsize=8.5)

    def arrow(start, end, color="#333333", dashed=False):
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=14,
                                     color=color, linestyle="--" if dashed else "-"))

    # what may import what: down the page only
    arrow((3.1, 7.15), (3.1, 6.55))
    arrow((2.5, 5.15), (2.5, 4.55))
    arrow((1.5, 3.15), (1.5, 2.35))
    arrow((4.0, 3.15), (6.2, 2.35))
    arrow((5.5, 5.15), (5.8, 2.35))  # the model makes its optimizer
    arrow((7.0, 5.15), (4.4, 2.35))
    arrow((8.8, 5.15), (8.8, 2.35))
    # the fast layer plugs into the optimizers' registry
    arrow((4.75, 3.9), (7.6, 2.35), color="#b35806", dashed=True)
    ax.text(7.3, 3.1, "barenet.fast registers\nits runners in\nbarenet.optim.RUNNERS",
            fontsize=7.5, color="#b35806")
    ax.text(5.0, 0.45, "arrows: may import. The core imports neither barenet.fast nor anything "
            "above it\n(import-linter contracts, checked by the tests)", ha="center",
            fontsize=8, style="italic")
    ax.set_title("barenet's layers: each formula once in the core, run fast in barenet.fast",
                 fontsize=11)
    return fig


def on_pre_build(config, **kwargs):
    OUT.parent.mkdir(parents=True, exist_ok=True)
    draw().savefig(OUT, dpi=110)


if __name__ == "__main__":
    on_pre_build(None)
    print(OUT)
