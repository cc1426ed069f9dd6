"""The command line on real tables: labels, evaluate, scaling, exit statuses,
and no work lost to Ctrl-C, a closed pipe or a bad output path."""

import csv
import io
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import barenet
from barenet import cli, datasets
from barenet.cli.train import default_epochs, default_hidden

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def run(*args, cwd=None, **kwargs):
    env = dict(os.environ)
    env.pop("BARENET_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "barenet", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, env=env, timeout=300, **kwargs)


def one_error_line(result, status):
    assert result.returncode == status, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    """A labelled CSV whose label ('kind', text) is not the last column, and
    features on very different scales."""
    rng = np.random.default_rng(0)
    n = 240
    X = rng.normal(size=(n, 3)) * [1.0, 1000.0, 0.001] + [0, 5000, 0]
    kind = np.where(X[:, 0] + (X[:, 1] - 5000) / 1000 > 0, "cat", "dog")
    path = tmp_path_factory.mktemp("table") / "pets.csv"
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["a", "kind", "b", "c"])
        for row, label in zip(X, kind):
            writer.writerow([repr(float(row[0])), label, repr(float(row[1])), repr(float(row[2]))])
    return path


@pytest.fixture(scope="module")
def trained_table(table, tmp_path_factory):
    out = tmp_path_factory.mktemp("pets-out")
    result = run("train", "--data", table, "--label", "kind", "--out", out, "--quiet")
    assert result.returncode == 0, result.stderr
    return out / "model.npz", result


# ------------------------------------------------------------------ --label

def test_label_by_name_and_index_train_the_same_network(table, trained_table, tmp_path):
    model, result = trained_table
    assert "3 features" in result.stdout and "standardized inputs" in result.stdout
    by_index = run("train", "--data", table, "--label", "1", "--out", tmp_path, "--quiet")
    assert by_index.returncode == 0, by_index.stderr
    a, b = barenet.load(model), barenet.load(tmp_path / "model.npz")
    assert a.classes_.tolist() == ["cat", "dog"]
    np.testing.assert_array_equal(a.parameters, b.parameters)


def test_without_label_the_text_column_is_refused_with_a_hint(table, tmp_path):
    line = one_error_line(run("train", "--data", table, "--out", tmp_path), 1)
    assert "'cat' is not a number" in line or "'dog' is not a number" in line
    assert "--label" in line


@pytest.mark.parametrize("label, words", [("species", ["--label", "species", "kind"]),
                                          ("9", ["--label", "9", "out of range"])])
def test_a_bad_label_is_a_usage_error_naming_the_option(table, tmp_path, label, words):
    line = one_error_line(run("train", "--data", table, "--label", label, "--out", tmp_path), 2)
    for word in words:
        assert word in line


def test_label_is_refused_for_data_that_is_not_csv(tmp_path):
    line = one_error_line(run("train", "--data", "iris", "--label", "0", "--out", tmp_path), 2)
    assert "--label" in line


# -------------------------------------------------------- predict and evaluate

def test_predict_leaves_the_label_column_out_and_writes_beside_the_rows(table, trained_table):
    model, _ = trained_table
    net = barenet.load(model)
    data = datasets.read_csv(table, label_column="kind")
    result = run("predict", model, table, "--label", "kind", "--proba", "--with-input")
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["a", "kind", "b", "c", "label", "p_cat", "p_dog"]
    assert [r[:4] for r in rows[1:]] == data.rows  # the input rows as they were
    assert [r[4] for r in rows[1:]] == net.predict(data.X).tolist()  # raw features in
    P = net.predict_proba(data.X)
    assert all(len(cell.split(".")[1]) == 4 for r in rows[1:] for cell in r[5:])
    np.testing.assert_allclose([[float(c) for c in r[5:]] for r in rows[1:]], P, atol=5e-5)

    two = run("predict", model, table, "--label", "kind", "--proba", "--precision", "2")
    assert all(len(cell.split(".")[1]) == 2 for r in list(csv.reader(io.StringIO(two.stdout)))[1:]
               for cell in r[1:])


def test_predict_on_a_labelled_csv_without_label_says_the_shape(table, trained_table):
    model, _ = trained_table
    line = one_error_line(run("predict", model, table), 1)
    assert "--label" in line or "4 features" in line or "not a number" in line


def test_evaluate_prints_scores_table_and_matrix_and_writes_the_figure(table, trained_table,
                                                                       tmp_path):
    model, _ = trained_table
    net = barenet.load(model)
    data = datasets.read_csv(table, label_column="kind")
    result = run("evaluate", model, table, "--label", "kind", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    scores = net.evaluate(data.X, data.y)
    assert f"accuracy {scores['accuracy']:.4f}" in result.stdout
    assert f"loss {scores['loss']:.4f}" in result.stdout
    lines = result.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:2] == ["class", "precision"])
    assert [lines[header + 1].split()[0], lines[header + 2].split()[0]] == ["cat", "dog"]
    supports = [int(lines[header + k].split()[-1]) for k in (1, 2)]
    assert supports == [(data.y == "cat").sum(), (data.y == "dog").sum()]
    matrix_at = next(i for i, line in enumerate(lines) if line.startswith("confusion matrix"))
    matrix = [[int(v) for v in lines[matrix_at + k].split()[1:]] for k in (2, 3)]
    predicted = net.predict(data.X)
    assert matrix == [[int(((data.y == t) & (predicted == p)).sum()) for p in ("cat", "dog")]
                      for t in ("cat", "dog")]
    assert (tmp_path / "confusion_matrix.png").read_bytes()[:8] == PNG_SIGNATURE


def test_evaluate_a_regressor_prints_r2_and_rmse(tmp_path):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 3))
    y = X @ [1.0, -2.0, 0.5] + 0.1 * rng.normal(size=200)
    np.savetxt(tmp_path / "reg.csv", np.column_stack([X, y]), delimiter=",",
               header="x0,x1,x2,y", comments="")
    trained = run("train", "--data", tmp_path / "reg.csv", "--regression", "--epochs", 50,
                  "--quiet", "--out", tmp_path)
    assert trained.returncode == 0, trained.stderr
    result = run("evaluate", tmp_path / "model.npz", tmp_path / "reg.csv", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    net = barenet.load(tmp_path / "model.npz")
    prediction = net.predict(X.astype(np.float32)).astype(np.float64)
    y_read = np.loadtxt(tmp_path / "reg.csv", delimiter=",", skiprows=1)[:, -1]
    r2 = 1 - ((y_read - prediction) ** 2).sum() / ((y_read - y_read.mean()) ** 2).sum()
    assert f"r2 {r2:.3f}" in result.stdout.replace(f"{r2:.4f}", f"{r2:.3f}")
    assert "rmse" in result.stdout and not (tmp_path / "confusion_matrix.png").exists()


# ---------------------------------------------------------------- scaling

def test_inputs_are_standardized_by_default_and_no_scale_turns_it_off(table, tmp_path):
    data = datasets.load(table, label_column="kind")
    for flag, expected in ((), True), (("--no-scale",), False):
        out = tmp_path / str(expected)
        result = run("train", "--data", table, "--label", "kind", "--epochs", 2, "--quiet",
                     "--out", out, *flag)
        assert result.returncode == 0, result.stderr
        net = barenet.load(out / "model.npz")
        assert net.standardize is expected
        if expected:  # from the training split only, in the model's dtype
            X32 = data.X_train.astype(np.float32).astype(np.float64)
            np.testing.assert_array_equal(net.scaler_.mean_, X32.mean(axis=0).astype(np.float32))


# ---------------------------------------------------------- defaults chosen

def test_the_default_rule():
    assert default_hidden(2, 1, 300) == [16]
    assert default_hidden(30, 1, 427) == [64]
    assert default_hidden(64, 10, 1348) == [128]
    assert default_hidden(784, 10, 60000) == [128]
    assert default_hidden(500, 2, 100) == [25]  # at most a quarter of the samples
    assert default_epochs(112, 64) == 300 and default_epochs(45000, 64) == 29
    assert default_epochs(10**7, 64) == 10


def test_the_notebook_example_keeps_its_network(tmp_path):
    result = run("train", "--epochs", 2, "--quiet", "--out", tmp_path)
    assert "layers [2, 5, 2, 1]" in result.stdout and "chosen" not in result.stdout


# ------------------------------------------------------- exit statuses, help

def test_bare_barenet_and_help_list_the_commands():
    bare = run()
    assert bare.returncode == 2
    for command in ("train", "compare", "predict", "evaluate", "export", "help"):
        assert command in bare.stderr
    assert "exit status" in bare.stderr
    helped = run("help")
    assert helped.returncode == 0 and "evaluate" in helped.stdout
    train = run("help", "train")
    assert train.returncode == 0 and "--label" in train.stdout and "--resume" in train.stdout
    assert "defaults chosen from the data" in train.stdout
    assert one_error_line(run("help", "fly"), 2).startswith("barenet help: error")


@pytest.mark.parametrize("args, status", [
    (["train", "--activations", "foo"], 2),
    (["train", "--activations", "relu,foo", "--layers", "3,3"], 2),
    (["train", "--layers", "3", "--activations", "relu,tanh"], 2),
    (["train", "--precision", "-1"], 2),
    (["train", "--data", "iris", "--data-dir", "."], 2),
    (["train", "--data", "mnist", "--data-dir", "/no/such/dir"], 2),
    (["train", "--data", "missing.csv"], 1),
    (["predict", "missing.npz", "moons"], 1),
    (["evaluate", "missing.npz", "moons"], 1),
])
def test_usage_errors_exit_2_and_data_errors_exit_1(args, status, tmp_path):
    if args[0] == "train":
        args = args + ["--out", str(tmp_path)]
    one_error_line(run(*args), status)


def test_mnist_from_a_directory_is_checked(tmp_path):
    for name in datasets.MNIST_FILES:
        (tmp_path / f"{name}.gz").write_bytes(b"not the real file")
    line = one_error_line(run("train", "--data", "mnist", "--data-dir", tmp_path,
                              "--out", tmp_path / "out"), 1)
    assert "-ubyte.gz" in line and ("checksum" in line.lower() or "md5" in line.lower())


# ------------------------------------------------------------- never lose work

def test_bad_output_paths_fail_before_training(tmp_path):
    (tmp_path / "a-file").write_text("")
    start = time.monotonic()
    line = one_error_line(run("train", "--epochs", 100000, "--out", tmp_path / "a-file"), 2)
    assert "--out" in line and "is a file" in line and "Errno" not in line
    line = one_error_line(run("predict", tmp_path / "m.npz", "moons", "--out",
                              tmp_path / "missing" / "x.csv"), 2)
    assert "--out" in line and "no directory" in line and "Errno" not in line
    os.chmod(tmp_path, 0o500)
    try:
        if not os.access(tmp_path, os.W_OK):  # (root may write anywhere)
            line = one_error_line(run("train", "--epochs", 100000, "--out",
                                      tmp_path / "new"), 2)
            assert "--out" in line and "Errno" not in line
    finally:
        os.chmod(tmp_path, 0o700)
    assert time.monotonic() - start < 60  # none of the 100000-epoch runs started


def test_ctrl_c_saves_the_model_and_a_checkpoint_that_resume_continues(tmp_path):
    data = tmp_path / "blobs.npz"
    d = datasets.make_blobs(n_samples=4000, n_classes=3, n_features=8, seed=0)
    np.savez(data, X_train=d.X_train, y_train=d.y_train, X_test=d.X_test, y_test=d.y_test)
    args = ["train", "--data", data, "--epochs", 100000, "--out", tmp_path / "out"]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    process = subprocess.Popen([sys.executable, "-m", "barenet", *map(str, args)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=env)
    # training starts right after the first line: let it run a moment
    first = process.stdout.readline()
    assert first.startswith("blobs"), first
    time.sleep(2)
    process.send_signal(signal.SIGINT)
    rest, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "interrupted after epoch" in err and "checkpoint.npz" in err
    assert "--resume" in err and "Traceback" not in err
    model = barenet.load(tmp_path / "out" / "model.npz")
    checkpoint = barenet.load(tmp_path / "out" / "checkpoint.npz")
    np.testing.assert_array_equal(model.parameters, checkpoint.parameters)
    done = checkpoint.run_.epoch
    assert 1 <= done < 100000 and len(checkpoint.history_["loss"]) == done

    # carry on for a few epochs more: a checkpoint of a shorter run
    short = tmp_path / "short.npz"
    checkpoint.run_.epochs = done + 2
    checkpoint.save(short, training_state=True)
    resumed = run("train", "--data", data, "--out", tmp_path / "out", "--quiet",
                  "--resume", short)
    assert resumed.returncode == 0, resumed.stderr
    final = barenet.load(tmp_path / "out" / "model.npz")
    assert len(final.history_["loss"]) == done + 2


def test_a_closed_stdout_does_not_prevent_saving(tmp_path):
    command = (f"{sys.executable} -m barenet train --data iris --epochs 30 --quiet "
               f"--out {tmp_path} | head -c 1")
    result = subprocess.run(["bash", "-c", command + "; echo ${PIPESTATUS[0]} >&2"],
                            capture_output=True, text=True, timeout=300)
    assert result.stderr.strip().splitlines()[-1] == "0", result.stderr
    assert "Broken pipe" not in result.stderr and "Traceback" not in result.stderr
    assert barenet.load(tmp_path / "model.npz").history_.epochs == 30
    assert (tmp_path / "learning_curves.png").exists()


def test_divergence_keeps_a_model_whose_predictions_are_finite(tmp_path):
    X = datasets.make_moons(n_samples=200, seed=0)
    np.savez(tmp_path / "big.npz", X_train=X.X_train * 1e3, y_train=X.y_train,
             X_test=X.X_test * 1e3, y_test=X.y_test)
    line = one_error_line(run("train", "--data", tmp_path / "big.npz", "--optimizer", "gd",
                              "--lr", "1e6", "--no-scale", "--quiet", "--out", tmp_path), 1)
    assert "Try a smaller --lr (this run's was 1e+06), or drop --no-scale" in line
    assert line.endswith(f"saved the model with the parameters restored above to "
                         f"{tmp_path / 'model.npz'}")
    model = barenet.load(tmp_path / "model.npz")
    assert np.isfinite(model.predict_proba(X.X_test * 1e3)).all()
    assert not (tmp_path / "checkpoint.npz").exists()  # resuming it would diverge again


def test_in_process_main_returns_the_status(tmp_path, capsys):
    assert cli.main(["train", "--data", "iris", "--epochs", "2", "--quiet",
                     "--out", str(tmp_path)]) == 0
    assert "iris" in capsys.readouterr().out


def _write_idx(path, array):
    """``array`` (uint8) as an IDX file: two zero bytes, the type (8: ubyte),
    the number of dimensions, each dimension as a big-endian uint32, the data."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, 8, array.ndim]) + np.array(array.shape, dtype=">u4").tobytes()
    path.write_bytes(header + array.tobytes())


def test_mnist_files_of_ones_own_train_with_a_one_line_warning(tmp_path):
    rng = np.random.default_rng(0)
    for part, n in (("train", 40), ("t10k", 20)):
        labels = np.arange(n) % 2
        images = rng.integers(0, 60, size=(n, 3, 3)) + 150 * labels[:, None, None]
        _write_idx(tmp_path / f"{part}-images-idx3-ubyte", images)
        _write_idx(tmp_path / f"{part}-labels-idx1-ubyte", labels)
    result = run("train", "--data", "mnist", "--data-dir", tmp_path, "--epochs", 3, "--quiet",
                 "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "40 training and 20 test samples, 9 features" in result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("barenet train: warning: ")
    assert "unchecked" in lines[0]


def test_l2_is_chosen_for_data_other_than_the_notebooks_unless_given(tmp_path):
    for extra, expected in (((), 0.03), (("--l2", "0"), 0.0), (("--l2", "0.5"), 0.5)):
        result = run("train", "--data", "blobs", "--epochs", 2, "--quiet", "--out", tmp_path,
                     *extra)
        assert result.returncode == 0, result.stderr
        assert barenet.load(tmp_path / "model.npz").l2 == expected
        first = result.stdout.splitlines()[0]
        assert ("l2)" in first.split("chosen from the data")[-1]) == (not extra)
    notebook = run("train", "--epochs", 2, "--quiet", "--out", tmp_path)
    assert barenet.load(tmp_path / "model.npz").l2 == 0.0, notebook.stderr


def test_an_out_folder_that_refuses_files_is_a_usage_error_before_training(tmp_path,
                                                                          monkeypatch, capsys):
    """Permissions can say yes where the file system says no (a read-only
    mount, /sys as root): a file is made and dropped to find out."""
    import errno
    import tempfile

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(tempfile, "TemporaryFile", read_only)
    assert cli.main(["train", "--data", "iris", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"--out {tmp_path}: cannot write in {tmp_path} (read-only file system)" in err
    assert os.listdir(tmp_path) == []
