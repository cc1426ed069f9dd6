"""Draw the gallery's pictures when the docs build.

An MkDocs hook (``hooks:`` in mkdocs.yml): before a build it runs the
commands the gallery page shows -- ``barenet train --animate`` and
``barenet compare --animate --paths --init`` -- and the code of its section
"Inside the layers while training" (a ``LayerStatistics`` figure and a
``LivePlot`` picture), read from the page itself, writing every file into
``docs/images/gallery/``. A build whose pictures are newer
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
    """``layer_statistics.png`` and ``live.png``: the python code of the page's
    section "Inside the layers while training", run as it is written in OUT
    (with the page's ``data``), so that the pictures are what it draws."""
    import re

    import barenet
    from barenet import plot

    page = (ROOT / "docs" / "guide" / "gallery.md").read_text()
    section = page.split("## Inside the layers while training", 1)[1].split("\n## ", 1)[0]
    namespace = {"barenet": barenet, "plot": plot,
                 "data": barenet.datasets.load("moons", seed=0)}
    cwd = os.getcwd()
    os.chdir(OUT)
    try:
        for code in re.findall(r"```python\n(.*?)```", section, flags=re.S):
            exec(compile(code, "gallery.md", "exec"), namespace)
    finally:
        os.chdir(cwd)


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
