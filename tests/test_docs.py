"""The documentation is true: its examples run, the tutorial runs top to bottom
as a notebook, the site builds in strict mode, and every public name has a docstring."""

import inspect
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import barenet

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))


def python_blocks(path):
    return re.findall(r"```python\n(.*?)```", path.read_text(), flags=re.S)


@pytest.mark.parametrize("page", [p for p in PAGES if python_blocks(p)],
                         ids=lambda p: str(p.relative_to(DOCS)))
def test_every_python_example_of_a_page_runs(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples may write files
    # an example may switch on SciPy's Array API support; the setting goes with the test
    monkeypatch.setenv("SCIPY_ARRAY_API", os.environ.get("SCIPY_ARRAY_API", "1"))
    namespace = {"__name__": "__docs__"}
    for code in python_blocks(page):
        exec(compile(code, str(page), "exec"), namespace)


def docstring_examples():
    """Every docstring of barenet's modules that holds an example (``>>>``)."""
    import doctest
    import importlib
    import pkgutil

    finder = doctest.DocTestFinder()
    found = {}
    for info in pkgutil.walk_packages(barenet.__path__, "barenet."):
        if info.name.rsplit(".", 1)[-1] == "__main__":
            continue  # importing it runs the command line
        module = importlib.import_module(info.name)
        for test in finder.find(module):
            if test.examples and test.name.startswith(module.__name__):
                found[test.name] = test  # a name re-exported elsewhere counts once
    return sorted(found.values(), key=lambda t: t.name)


@pytest.mark.parametrize("example", docstring_examples(), ids=lambda t: t.name)
def test_every_docstring_example_runs(example, tmp_path, monkeypatch):
    import doctest
    import warnings

    monkeypatch.chdir(tmp_path)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an example that warns shows a misuse
        result = runner.run(example, out=report.append)
    assert result.failed == 0, "".join(report)


def test_the_tutorial_runs_top_to_bottom_as_a_notebook():
    jupytext = pytest.importorskip("jupytext")
    nbclient = pytest.importorskip("nbclient")
    notebook = jupytext.read(DOCS / "tutorial.py")
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(DOCS)}})
    client.execute()  # raises CellExecutionError on the first broken cell
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    assert len(code_cells) >= 8
    figures = [c for c in code_cells
               if any("image/png" in out.get("data", {}) for out in c.get("outputs", []))]
    assert len(figures) >= 5  # the plots the tutorial promises


def test_public_names_have_docstrings():
    missing = []
    for name in barenet.__all__:
        obj = getattr(barenet, name)
        if not inspect.getdoc(obj):
            missing.append(name)
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                member = getattr(obj, attr)  # inherited docstrings count
                if not attr.startswith("_") and callable(member) and not inspect.getdoc(member):
                    missing.append(f"{name}.{attr}")
    assert not missing, f"public names without a docstring: {missing}"


def test_the_site_builds_in_strict_mode(tmp_path):
    if shutil.which("mkdocs", path=str(Path(sys.executable).parent)) is None:
        pytest.skip("mkdocs is not installed (pip install -e '.[docs]')")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    assert (tmp_path / "site" / "index.html").exists()
    assert (tmp_path / "site" / "tutorial" / "index.html").exists()
