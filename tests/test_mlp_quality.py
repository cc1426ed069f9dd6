"""The quality script (bench/mlp_quality.py): a row per solver with both libraries' scores."""

import importlib.util
import pathlib

import pytest

pytest.importorskip("sklearn")

SPEC = importlib.util.spec_from_file_location(
    "mlp_quality", pathlib.Path(__file__).resolve().parent.parent / "bench" / "mlp_quality.py")
quality = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(quality)


def test_a_row_per_solver_with_both_scores_in_the_markdown_table(tmp_path, capsys):
    path = tmp_path / "quality.md"
    assert quality.main(["--quick", "--datasets", "iris", "--markdown", str(path)]) == 0
    text = path.read_text()
    assert "`python bench/mlp_quality.py --quick --datasets iris`" in text
    rows = [line.split(" | ") for line in text.splitlines() if line.startswith("| iris |")]
    assert [row[1] for row in rows] == ["lbfgs", "sgd", "adam"]
    for row in rows:
        ours, theirs = float(row[4]), float(row[3])
        assert 0 <= theirs <= 1 and 0 <= ours <= 1  # accuracies
        assert row[5] == f"{ours - theirs:+.4f}"
        assert row[6] == ("yes" if abs(ours - theirs) <= quality.TARGET else "**no**")
    assert "of 3 rows within 0.01 of scikit-learn" in text
    assert "| iris | adam |" in capsys.readouterr().out  # printed as it goes


def test_a_regression_row_scores_r2_and_counts_the_fits_that_reached_max_iter():
    row = quality.compare("diabetes", "adam", seeds=[0], max_iter=5)
    assert row["metric"] == "R2" and row["seeds"] == 1
    assert row["scikit-learn warnings"] == row["barenet warnings"] == 1  # 5 epochs: not converged
    assert row["scikit-learn n_iter"] == row["barenet n_iter"] == 5
    assert row["difference"] == row["barenet"] - row["scikit-learn"]


def test_a_data_set_not_on_disk_is_named_not_run(monkeypatch):
    def missing(return_X_y):
        raise OSError("Data not found and `download_if_missing` is False")

    monkeypatch.setitem(quality.DATASETS, "california_housing", (missing, False))
    skipped = []
    assert quality.run(["california_housing"], seeds=[0], skipped=skipped) == []
    assert skipped == [("california_housing", "Data not found and `download_if_missing` is False")]
    assert "california_housing: not run" in quality.report([], skipped, [0], 200, "cmd")
