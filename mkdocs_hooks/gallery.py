"""Draw the gallery's pictures when the docs build.

An MkDocs hook (``hooks:`` in mkdocs.yml): before a build it runs the
commands the gallery page shows -- ``barenet train --animate`` and
``barenet compare --animate --paths --init`` -- and the two library calls it
shows (a ``LayerStatistics`` figure and a ``LivePlot`` picture), writing
every file into ``docs/images/gallery/``. A build whose pictures are newer
than every source file of barenet and than this hook draws nothing again.
"""

import contextlib
import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "images" / "gallery"
FILES = ("training.gif", "network.png", "decision_boundary.png", "learning_curves.png",
         "compare.gif", "compare.png", "paths.png", "paths_network.png", "init.png",
         "layer_statistics.png", "live.png")


def _stale():
    """Whether a picture is missing or older than a source it comes from."""
    paths = [OUT / name for name in FILES]
    if not all(path.exists() for path in paths):
        return True
    sources = [Path(__file__), *(ROOT / "src" / "barenet").rglob("*.py")]
    return min(p.stat().st_mtime for p in paths) < max(p.stat().st_mtime for p in sources)


def _commands():
    """The two commands of the gallery page, their output in OUT."""
    from barenet import cli

    with contextlib.redirect_stdout(io.StringIO()):
        for argv in (["train", "--animate", "--quiet"],
                     ["compare", "--epochs", "300", "--animate", "--paths", "--init"]):
            status = cli.main([*argv, "--out", str(OUT)])
            if status:
                raise RuntimeError(f"barenet {' '.join(argv)} failed ({status})")
    (OUT / "model.npz").unlink(missing_ok=True)  # the page shows pictures only


def _library():
    """``layer_statistics.png`` and ``live.png``, from the calls the page shows."""
    import barenet
    from barenet import plot
    from barenet.callbacks import LayerStatistics

    data = barenet.datasets.load("moons", seed=0)
    net = barenet.Network([2] + [16] * 6 + [1], ["tanh"] * 6 + ["sigmoid"], init="xavier",
                          seed=0, standardize=True)
    stats = LayerStatistics(data.X_train, data.y_train, every=20)
    live = barenet.LivePlot(every=50, X=data.X_train, y=data.y_train, path=OUT / "live.png")
    net.fit(data.X_train, data.y_train, optimizer=barenet.Adam(lr=0.01), epochs=200,
            batch_size=64, validation_data=(data.X_test, data.y_test), callbacks=[stats, live])
    plot.layer_statistics(stats).savefig(OUT / "layer_statistics.png", dpi=100)


def on_pre_build(config, **kwargs):
    if not _stale():
        return
    OUT.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT / "src"))  # the checkout's barenet, installed or not
    try:
        os.environ.setdefault("MPLBACKEND", "Agg")
        _commands()
        _library()
    finally:
        sys.path.remove(str(ROOT / "src"))


if __name__ == "__main__":
    on_pre_build(None)
    print(OUT)
