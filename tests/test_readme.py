"""Every Python example in the README runs as written."""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_has_examples():
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_example_runs(code, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples may write files
    exec(compile(code, str(README), "exec"), {"__name__": "__readme__"})
    assert capsys.readouterr().out.strip()


def test_the_your_own_csv_walk_through_runs_verbatim(tmp_path):
    """The README's "Your own CSV" commands, each as written, in a fresh directory
    that holds the repository's examples/."""
    import os
    import shutil
    import subprocess
    import sys

    pytest.importorskip("onnx")  # the walk-through ends with an export
    section = README.read_text().split("### Your own CSV", 1)[1]
    commands = re.search(r"```bash\n(.*?)```", section, re.S).group(1).strip().splitlines()
    assert [c.split()[1] for c in commands] == ["train", "evaluate", "predict", "export"]
    shutil.copytree(README.parent / "examples", tmp_path / "examples")
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    for command in commands:
        result = subprocess.run(command, shell=True, cwd=tmp_path, env=env, capture_output=True,
                                text=True, timeout=300)
        assert result.returncode == 0, (command, result.stderr)
    for name in ("model.npz", "confusion_matrix.png", "predictions.csv", "model.onnx"):
        assert (tmp_path / "wine" / name).stat().st_size > 0
    rows = (tmp_path / "wine" / "predictions.csv").read_text().splitlines()
    assert rows[0].startswith("cultivar,alcohol,") and rows[0].endswith(",label")
    assert len(rows) == 179
