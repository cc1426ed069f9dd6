"""The architecture's rules hold in the code: the contracts of
``[tool.importlinter]`` in pyproject.toml, checked over barenet's import graph.

The core (:mod:`barenet.core`, and the optimizers' rules in
:mod:`barenet.optim`) never imports the fast layer (:mod:`barenet.fast`),
which runs the core's formulas in place and plugs its optimizer runners in
through :data:`barenet.optim.RUNNERS`; the fast layer knows nothing above the
core.
"""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "barenet"


def test_the_import_contracts_hold(capsys):
    cli = pytest.importorskip("importlinter.cli")
    status = cli.lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True)
    assert status == 0, capsys.readouterr().out


def _imports(path):
    """The modules ``path`` imports, relative imports resolved against barenet."""
    package = ["barenet", *path.relative_to(SRC).with_suffix("").parts]
    package.pop()  # the module's own name, or __init__: what remains is its package
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


@pytest.mark.parametrize("path", sorted([*(SRC / "core").glob("*.py"), *(SRC / "optim").glob("*.py")]),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_core_never_imports_the_fast_layer(path):
    # the same rule without import-linter (the oldest environment has none)
    assert not {m for m in _imports(path) if m.startswith(("barenet.fast", "barenet._fused"))}


MAX_MODULE_LINES, MAX_FUNCTION_LINES = 400, 60


def code_lines(source, node):
    """The lines of a function's body that hold code: not its docstring, not
    blank, not comments."""
    body = node.body
    first = body[0]
    if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)):
        start = first.end_lineno + 1
    else:
        start = first.lineno
    lines = source.splitlines()[start - 1:node.end_lineno]
    return sum(1 for line in lines if line.strip() and not line.strip().startswith("#"))


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: str(p.relative_to(SRC)))
def test_modules_and_functions_stay_small(path):
    """Small single-purpose modules, each readable top to bottom (the layout's
    rule): at most 400 lines a module, 60 lines of code a function."""
    source = path.read_text()
    assert len(source.splitlines()) <= MAX_MODULE_LINES
    long = [(node.name, code_lines(source, node)) for node in ast.walk(ast.parse(source))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and code_lines(source, node) > MAX_FUNCTION_LINES]
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines of code: {long}"
