"""barenet.datasets: generated sets, CSV / NPZ / IDX files, MNIST (offline), scikit-learn, load."""

import gzip
import hashlib
import importlib.util
import struct
import sys
import urllib.request
import warnings
from pathlib import Path

import numpy as np
import pytest

from barenet import datasets as ds
from barenet.datasets import npz as ds_npz
from barenet.datasets import mnist as ds_mnist

HAVE_SKLEARN = importlib.util.find_spec("sklearn") is not None
needs_sklearn = pytest.mark.skipif(not HAVE_SKLEARN, reason="scikit-learn is not installed")

# name -> (generator, number of classes, number of features) with default arguments
GENERATORS = {
    "moons": (ds.make_moons, 2, 2),
    "circles": (ds.make_circles, 2, 2),
    "flower": (ds.make_flower, 2, 2),
    "spirals": (ds.make_spirals, 3, 2),
    "blobs": (ds.make_blobs, 3, 2),
}


def assert_same(a, b):
    """Two Datasets are bit-identical."""
    assert a.name == b.name and a.feature_names == b.feature_names
    for x, y in zip(a[:4], b[:4]):
        assert x.dtype == y.dtype
        np.testing.assert_array_equal(x, y)


def class_counts(y, k):
    return np.bincount(y, minlength=k)


# ------------------------------------------------------------ generated sets

@pytest.mark.parametrize("name", GENERATORS)
def test_generated_shapes_types_and_balance(name):
    make, k, d = GENERATORS[name]
    data = make()
    assert isinstance(data, ds.Dataset) and data.name == name
    assert data.X_train.shape == (300, d) and data.X_test.shape == (100, d)
    assert data.y_train.shape == (300,) and data.y_test.shape == (100,)
    assert data.X_train.dtype == np.float64 and data.y_train.dtype == np.int64
    assert np.isfinite(data.X_train).all()
    total = class_counts(data.y_train, k) + class_counts(data.y_test, k)
    assert set(np.unique(data.y_train)) == set(range(k))
    assert total.max() - total.min() <= 1 and total.sum() == 400
    # stratified: each class's share of the test part is its share of the whole
    test = class_counts(data.y_test, k)
    assert np.all(np.abs(test - total * 100 / 400) < 1)


@pytest.mark.parametrize("name", GENERATORS)
def test_generated_deterministic_per_seed_and_differ_across_seeds(name):
    make = GENERATORS[name][0]
    assert_same(make(seed=3), make(seed=3))
    assert_same(make(seed=3), make(seed=np.random.default_rng(3)))
    a, b = make(seed=3), make(seed=4)
    assert not np.array_equal(a.X_train, b.X_train)


@pytest.mark.parametrize("name", GENERATORS)
@pytest.mark.parametrize("n_samples, test_size, n_test", [(101, 0.25, 25), (57, 0.5, 29),
                                                          (30, 0.1, 3), (12, 0.9, 11)])
def test_generated_test_size_and_odd_counts(name, n_samples, test_size, n_test):
    make, k, _ = GENERATORS[name]
    data = make(n_samples=n_samples, test_size=test_size)
    assert len(data.y_test) == len(data.X_test) == n_test
    assert len(data.y_train) == len(data.X_train) == n_samples - n_test
    total = class_counts(data.y_train, k) + class_counts(data.y_test, k)
    assert total.max() - total.min() <= 1
    share = total * n_test / n_samples
    assert np.all(np.abs(class_counts(data.y_test, k) - share) < 1)


def test_generated_train_and_test_are_disjoint_and_shuffled():
    data = ds.make_moons(n_samples=200, noise=0.0)
    rows = {tuple(r) for r in data.X_train} | {tuple(r) for r in data.X_test}
    assert len(rows) == 200
    assert not (np.diff(data.y_train) >= 0).all()  # not sorted by class


def test_moons_and_circles_geometry_without_noise():
    moons = ds.make_moons(n_samples=100, noise=0)
    X = np.vstack([moons.X_train, moons.X_test])
    y = np.r_[moons.y_train, moons.y_test]
    np.testing.assert_allclose(np.hypot(*X[y == 0].T), 1)
    np.testing.assert_allclose(np.hypot(X[y == 1, 0] - 1, X[y == 1, 1] - 0.5), 1)
    circles = ds.make_circles(n_samples=100, noise=0, factor=0.3)
    X = np.vstack([circles.X_train, circles.X_test])
    y = np.r_[circles.y_train, circles.y_test]
    np.testing.assert_allclose(np.hypot(*X[y == 0].T), 1)
    np.testing.assert_allclose(np.hypot(*X[y == 1].T), 0.3)


@pytest.mark.parametrize("petals", [2, 4, 6])
def test_flower_follows_the_course_formula(petals):
    data = ds.make_flower(n_samples=200, noise=0, petals=petals)
    X = np.vstack([data.X_train, data.X_test])
    t = np.arctan2(X[:, 0], X[:, 1])  # x = (r sin t, r cos t)
    np.testing.assert_allclose(np.hypot(*X.T), np.abs(4 * np.sin(petals * t)), atol=1e-12)
    # class j has t = linspace(3.12 j, 3.12 (j + 1), N); a point with r < 0 lies at angle t + pi
    y = np.r_[data.y_train, data.y_test]
    for j in range(2):
        expected = np.linspace(j * 3.12, (j + 1) * 3.12, 100) % np.pi
        np.testing.assert_allclose(np.sort(t[y == j] % np.pi), np.sort(expected), atol=1e-9)


def test_spirals_arms_start_at_the_centre_and_reach_radius_one():
    data = ds.make_spirals(n_samples=300, n_classes=5, noise=0)
    X = np.vstack([data.X_train, data.X_test])
    y = np.r_[data.y_train, data.y_test]
    for j in range(5):
        r = np.hypot(*X[y == j].T)
        assert r.min() == 0 and r.max() == pytest.approx(1)


def test_blobs_features_and_spread():
    data = ds.make_blobs(n_samples=60, n_classes=4, n_features=5, spread=0)
    assert data.X_train.shape == (45, 5)
    X = np.vstack([data.X_train, data.X_test])
    y = np.r_[data.y_train, data.y_test]
    centres = np.array([X[y == j][0] for j in range(4)])
    for j in range(4):
        np.testing.assert_array_equal(X[y == j], np.broadcast_to(centres[j], X[y == j].shape))
    assert len(np.unique(centres, axis=0)) == 4
    assert np.abs(centres).max() <= 10


@pytest.mark.parametrize("make, kwargs, error, match", [
    (ds.make_moons, {"n_samples": 3}, ValueError, "n_samples must be at least 2 per class"),
    (ds.make_moons, {"n_samples": 10.0}, TypeError, "n_samples must be an integer"),
    (ds.make_moons, {"noise": -0.1}, ValueError, "noise must be >= 0"),
    (ds.make_moons, {"noise": "big"}, TypeError, "noise must be a real number"),
    (ds.make_moons, {"noise": float("nan")}, ValueError, "noise must be finite"),
    (ds.make_moons, {"test_size": 0}, ValueError, r"test_size must be a fraction in \(0, 1\)"),
    (ds.make_moons, {"test_size": 1.0}, ValueError, "test_size"),
    (ds.make_moons, {"test_size": 25}, ValueError, "test_size"),
    (ds.make_moons, {"seed": -1}, ValueError, "seed"),
    (ds.make_moons, {"seed": 1.5}, TypeError, "seed"),
    (ds.make_circles, {"factor": 1.0}, ValueError, r"factor must be in \(0, 1\)"),
    (ds.make_circles, {"factor": 0}, ValueError, "factor"),
    (ds.make_circles, {"noise": -1}, ValueError, "noise"),
    (ds.make_flower, {"petals": 3}, ValueError, "petals must be even"),
    (ds.make_flower, {"petals": 0}, ValueError, "petals must be >= 2"),
    (ds.make_flower, {"petals": 4.0}, TypeError, "petals"),
    (ds.make_spirals, {"n_classes": 1}, ValueError, "n_classes must be >= 2"),
    (ds.make_spirals, {"n_classes": 4, "n_samples": 7}, ValueError, r"\(8 for 4 classes\)"),
    (ds.make_spirals, {"noise": -1}, ValueError, "noise"),
    (ds.make_blobs, {"n_features": 0}, ValueError, "n_features must be >= 1"),
    (ds.make_blobs, {"spread": -1}, ValueError, "spread must be >= 0"),
    (ds.make_blobs, {"n_classes": True}, TypeError, "n_classes"),
])
def test_generated_arguments_are_checked(make, kwargs, error, match):
    with pytest.raises(error, match=match):
        make(**kwargs)


# --------------------------------------------------------------------- CSV

def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


IRIS_LIKE = """\
sepal,petal,species
5.1,1.4,setosa
4.9,1.5,setosa
7.0,4.7,versicolor
6.4,4.5,versicolor
6.3,6.0,virginica
5.8,5.1,virginica
5.0,1.3,setosa
6.1,4.0,versicolor
"""


def test_csv_with_header_and_string_labels(tmp_path):
    data = ds.load_csv(write(tmp_path / "flowers.csv", IRIS_LIKE), test_size=0.375)
    assert data.name == "flowers"
    assert data.X_train.shape == (5, 2) and data.X_test.shape == (3, 2)
    assert data.X_train.dtype == np.float64 and data.y_train.dtype.kind == "U"
    assert sorted(data.y_test) == ["setosa", "versicolor", "virginica"]
    rows = {(*x, y) for x, y in zip(np.vstack([data.X_train, data.X_test]),
                                    np.r_[data.y_train, data.y_test])}
    assert (5.1, 1.4, "setosa") in rows and (5.8, 5.1, "virginica") in rows and len(rows) == 8


def test_csv_is_deterministic_per_seed(tmp_path):
    path = write(tmp_path / "f.csv", IRIS_LIKE)
    assert_same(ds.load_csv(path, seed=1), ds.load_csv(path, seed=1))
    orders = {tuple(ds.load_csv(path, seed=s).X_train[:, 0]) for s in range(6)}
    assert len(orders) > 1


def test_csv_label_column_by_name_and_index(tmp_path):
    path = write(tmp_path / "f.csv", "y,a,b\n0,1,2\n1,3,4\n0,5,6\n1,7,8\n")
    by_name = ds.load_csv(path, label_column="y", test_size=0.5)
    by_index = ds.load_csv(path, label_column=0, test_size=0.5)
    by_negative = ds.load_csv(path, label_column=-3, test_size=0.5)
    assert_same(by_name, by_index)
    assert_same(by_name, by_negative)
    assert by_name.y_train.dtype == np.int64
    X = np.vstack([by_name.X_train, by_name.X_test])
    y = np.r_[by_name.y_train, by_name.y_test]
    np.testing.assert_array_equal(y, (X[:, 0] - 1) / 2 % 2)
    by_middle = ds.load_csv(path, label_column="a", test_size=0.5)
    assert sorted(np.r_[by_middle.y_train, by_middle.y_test]) == [1, 3, 5, 7]
    assert sorted(np.vstack([by_middle.X_train, by_middle.X_test])[:, 1]) == [2, 4, 6, 8]


def test_csv_without_header_is_inferred(tmp_path):
    path = write(tmp_path / "f.csv", "1,2,0\n3,4,1\n\n5,6,0\n7,8,1\n\n")
    data = ds.load_csv(path, test_size=0.5)
    assert len(data.y_train) + len(data.y_test) == 4  # blank lines skipped, no row lost
    assert data.y_train.dtype == np.int64
    # numeric features with string labels are data, not a header
    path = write(tmp_path / "g.csv", "1,2,cat\n3,4,dog\n5,6,cat\n7,8,dog\n")
    assert len(ds.load_csv(path, test_size=0.5).y_train) == 2
    # numeric column names but a word over numeric labels: a header
    path = write(tmp_path / "h.csv", "1,2,label\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n")
    data = ds.load_csv(path, test_size=0.5)
    assert len(data.y_train) + len(data.y_test) == 4 and data.y_train.dtype == np.int64


def test_csv_header_forced(tmp_path):
    path = write(tmp_path / "f.csv", "10,20,30\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n")
    assert len(ds.load_csv(path, header="infer", test_size=0.2).y_train) == 4  # 5 rows
    data = ds.load_csv(path, header=True, test_size=0.5)
    assert len(data.y_train) + len(data.y_test) == 4 and 30 not in np.r_[data.y_train, data.y_test]
    path = write(tmp_path / "g.csv", "a,b,c\n1,2,0\n")
    with pytest.raises(ValueError, match=r"line 1, column 1: 'a' is not a number"):
        ds.load_csv(path, header=False)


def test_csv_spaces_and_quotes(tmp_path):
    path = write(tmp_path / "s.csv", ' a , "b" , kind \n 1 , 2 , "cat" \n3,"4", dog\n5,6,cat\n7,8,dog\n')
    data = ds.load_csv(path, label_column="kind", test_size=0.5)
    assert sorted(np.r_[data.y_train, data.y_test]) == ["cat", "cat", "dog", "dog"]
    assert sorted(np.r_[data.X_train[:, 1], data.X_test[:, 1]]) == [2, 4, 6, 8]


def test_csv_float_labels_delimiter_and_bom(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes("\ufeffx;t\n1;0.5\n2;1.5\n3;2.5\n4;3.5\n".encode("utf-8"))
    data = ds.load_csv(path, delimiter=";", label_column="t", test_size=0.5)
    assert data.y_train.dtype == np.float64
    np.testing.assert_array_equal(np.r_[data.y_train, data.y_test] - 0.5,
                                  np.r_[data.X_train[:, 0], data.X_test[:, 0]] - 1)


@pytest.mark.parametrize("text, kwargs, match", [
    ("", {}, r"empty\.csv is empty"),
    ("\n\n  \n", {}, r"empty\.csv is empty"),
    ("a,b,y\n", {}, "has a header row but no data rows"),
    ("a,b,y\n1,2,0\n3,4\n", {}, r"line 3: 2 columns, but line 1 has 3"),
    ("1,2,0\n3,4,1,5\n", {}, r"line 2: 4 columns, but line 1 has 3"),
    ("a,b,y\n1,2,0\n3,x,1\n", {}, r"line 3, column 2 \('b'\): 'x' is not a number"),
    ("1,2,0\n3,x,1\n", {}, r"line 2, column 2: 'x' is not a number"),
    ("a,b,y\n1,2,0\n3,,1\n", {}, r"line 3, column 2 \('b'\): the cell is empty"),
    ("a,b,y\n1,2,0\nnan,4,1\n", {}, r"line 3, column 1 \('a'\): 'nan' is not a finite number"),
    ("a,b,y\n1,2,0\n3,4,\n", {}, r"line 3, column 3: the label is empty"),
    ("y,a,b\n0,1,2\n1,3,x\n", {"label_column": "y"}, r"line 3, column 3 \('b'\): 'x' is not a number"),
    ("a,b,y\n1,2,0\n3,  ,1\n", {}, r"line 3, column 2 \('b'\): the cell is empty"),
    ('a,b,y\n1,2,0\n3,"' + "9" * 200_000 + '",1\n', {}, r"line 3: field larger than field limit"),
    ("a,b,y\n1,2,0\n", {"label_column": 3}, r"label_column=3 is out of range: .* has 3 columns"),
    ("a,b,y\n1,2,0\n", {"label_column": -4}, "out of range"),
    ("a,b,y\n1,2,0\n", {"label_column": "z"}, r"'z' is not a column of .*'a', 'b', 'y'"),
    ("a,a,y\n1,2,0\n", {"label_column": "a"}, "names several columns"),
    ("a,b,y\n1,2,0\n", {"label_column": "y", "header": False}, "needs a header row"),
    ("y\n1\n2\n", {}, "needs at least one feature column and a label column"),
    ("1,2,0\n", {}, r"has 1 sample\(s\)"),
])
def test_csv_malformed_files_name_file_line_and_column(tmp_path, text, kwargs, match):
    path = write(tmp_path / "empty.csv", text)
    with pytest.raises(ValueError, match=match) as info:
        ds.load_csv(path, **kwargs)
    assert str(path) in str(info.value) or "label_column" in str(info.value)


def test_csv_bad_files_and_arguments(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        ds.load_csv(tmp_path / "nope.csv")
    with pytest.raises(ValueError, match="directory"):
        ds.load_csv(tmp_path)
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(ValueError, match="bin.csv is not a UTF-8 text file"):
        ds.load_csv(binary)
    path = write(tmp_path / "f.csv", IRIS_LIKE)
    with pytest.raises(ValueError, match="header must be 'infer', True or False"):
        ds.load_csv(path, header="yes")
    with pytest.raises(ValueError, match="delimiter must be a one-character string"):
        ds.load_csv(path, delimiter=";;")
    with pytest.raises(TypeError, match="delimiter"):
        ds.load_csv(path, delimiter=None)
    with pytest.raises(TypeError, match="label_column must be a column index or name"):
        ds.load_csv(path, label_column=1.0)
    with pytest.raises(TypeError, match="path must be a path"):
        ds.load_csv(3)
    with pytest.raises(ValueError, match="test_size"):
        ds.load_csv(path, test_size=1.5)


def test_csv_feature_names_from_the_header(tmp_path):
    data = ds.load_csv(write(tmp_path / "f.csv", IRIS_LIKE))
    assert data.feature_names == ("sepal", "petal")
    path = write(tmp_path / "s.csv", ' a , "b" , kind \n 1 , 2 , "cat" \n3,"4", dog\n5,6,cat\n')
    assert ds.load_csv(path, label_column="kind").feature_names == ("a", "b")  # stripped
    path = write(tmp_path / "n.csv", "y,a,b\n0,1,2\n1,3,4\n0,5,6\n1,7,8\n")
    assert ds.load_csv(path, label_column=0).feature_names == ("a", "b")
    assert ds.load_csv(path, label_column="a").feature_names == ("y", "b")
    path = write(tmp_path / "g.csv", "1,2,0\n3,4,1\n5,6,0\n7,8,1\n")
    assert ds.load_csv(path).feature_names is None


READ = """\
id,x1,species,x2
7,1.5,setosa,2
8,2.5,virginica,-3
9,-1,setosa,4e2
"""


@pytest.mark.parametrize("label_column", ["species", 2, -2])
def test_read_csv_with_a_label_by_name_or_index(tmp_path, label_column):
    path = write(tmp_path / "t.csv", READ)
    table = ds.read_csv(path, label_column=label_column)
    assert isinstance(table, ds.Table)
    assert table.X.dtype == np.float64
    np.testing.assert_array_equal(table.X, [[7, 1.5, 2], [8, 2.5, -3], [9, -1, 400]])
    assert list(table.y) == ["setosa", "virginica", "setosa"]
    assert table.feature_names == ("id", "x1", "x2") and table.label_name == "species"
    assert table.header == ["id", "x1", "species", "x2"]
    assert table.rows == [["7", "1.5", "setosa", "2"], ["8", "2.5", "virginica", "-3"],
                          ["9", "-1", "setosa", "4e2"]]


def test_read_csv_without_a_label_and_without_a_header(tmp_path):
    path = write(tmp_path / "t.csv", "a,b\n1,2\n3,4\n5,6\n")
    table = ds.read_csv(path)
    np.testing.assert_array_equal(table.X, [[1, 2], [3, 4], [5, 6]])
    assert table.y is None and table.label_name is None
    assert table.feature_names == ("a", "b") and table.header == ["a", "b"]
    assert len(table.rows) == 3
    path = write(tmp_path / "u.csv", "1;2;3\n\n4;5;6\n")
    table = ds.read_csv(path, delimiter=";")
    assert table.X.shape == (2, 3) and table.header is None and table.feature_names is None
    assert table.rows == [["1", "2", "3"], ["4", "5", "6"]]
    table = ds.read_csv(path, label_column=0, delimiter=";")
    assert table.y.dtype == np.int64 and list(table.y) == [1, 4] and table.label_name is None
    np.testing.assert_array_equal(table.X, [[2, 3], [5, 6]])
    one = ds.read_csv(write(tmp_path / "one.csv", "x\n1.5\n2\n"))
    assert one.X.shape == (2, 1) and one.feature_names == ("x",)
    assert ds.read_csv(path, delimiter=";", header=True).X.shape == (1, 3)


def test_read_csv_agrees_with_load_csv(tmp_path):
    path = write(tmp_path / "f.csv", IRIS_LIKE)
    table = ds.read_csv(path, label_column=-1)
    data = ds.load_csv(path, test_size=0.25, seed=3)
    rows = sorted(zip(map(tuple, table.X), table.y))
    assert rows == sorted(zip(map(tuple, np.vstack([data.X_train, data.X_test])),
                              np.r_[data.y_train, data.y_test]))
    assert table.feature_names == data.feature_names


@pytest.mark.parametrize("loader, text, match", [
    # the header names the column: the hint names it
    (ds.read_csv, "a,kind\n1,cat\n2,dog\n", r"line 2, column 2 \('kind'\): 'cat' is not a number; "
     r"if this column is the label, name it with label_column='kind' "
     r"\(--label on the command line\)$"),
    (ds.load_csv, "kind,a,y\ncat,1,0\n", r"'cat' is not a number; if this column is the label, "
     "name it with label_column='kind'"),
    # no header, a column of words: the hint gives its index
    (ds.read_csv, "1,cat\n2,dog\n", r"line 1, column 2: 'cat' is not a number; if this column is "
     r"the label, name it with label_column=1 \(--label on the command line\)$"),
])
def test_csv_a_word_in_a_feature_column_hints_at_label_column(tmp_path, loader, text, match):
    path = write(tmp_path / "w.csv", text)
    with pytest.raises(ValueError, match=match) as info:
        loader(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_csv_a_typo_in_a_numeric_column_without_header_gets_no_hint(tmp_path):
    path = write(tmp_path / "w.csv", "1,2\n3,x\n5,6\n")
    with pytest.raises(ValueError, match=r"line 2, column 2: 'x' is not a number$"):
        ds.read_csv(path)
    with pytest.raises(ValueError, match=r"line 2, column 2: 'x' is not a number$"):
        ds.load_csv(write(tmp_path / "v.csv", "1,2,0\n3,x,1\n5,6,0\n"))


def test_read_csv_errors(tmp_path):
    path = write(tmp_path / "t.csv", READ)
    with pytest.raises(ValueError, match=r"'label' is not a column of .*t\.csv; its header "
                                         r"names \['id', 'x1', 'species', 'x2'\]"):
        ds.read_csv(path, label_column="label")
    with pytest.raises(ValueError, match=r"label_column=4 is out of range: .* has 4 columns"):
        ds.read_csv(path, label_column=4)
    with pytest.raises(TypeError, match="label_column must be a column index, a name or None"):
        ds.read_csv(path, label_column=2.0)
    with pytest.raises(TypeError, match="label_column must be a column index or name, got None"):
        ds.load_csv(path, label_column=None)
    with pytest.raises(ValueError, match="delimiter must be a one-character string"):
        ds.read_csv(path, delimiter="")
    with pytest.raises(ValueError, match="header must be"):
        ds.read_csv(path, header="no")
    with pytest.raises(ValueError, match="a name needs a header row"):
        ds.read_csv(path, label_column="species", header=False)
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        ds.read_csv(tmp_path / "nope.csv")
    with pytest.raises(ValueError, match="is empty"):
        ds.read_csv(write(tmp_path / "e.csv", "\n"))
    with pytest.raises(ValueError, match=r"line 3: 1 columns, but line 1 has 2"):
        ds.read_csv(write(tmp_path / "r.csv", "1,2\n3,4\n5\n"))


def test_dataset_feature_names_is_optional_and_last():
    X, y = np.zeros((2, 1)), np.zeros(2)
    data = ds.Dataset(X, y, X, y, "made")
    assert data.feature_names is None and len(data) == 6 and data[4] == "made"
    assert ds.Dataset(X, y, X, y, "made", ("a",)).feature_names == ("a",)
    for name in GENERATORS:
        assert GENERATORS[name][0]().feature_names is None


# --------------------------------------------------------------------- NPZ

def test_npz_split_layout_is_kept(tmp_path):
    rng = np.random.default_rng(0)
    arrays = dict(X_train=rng.normal(size=(6, 3)), y_train=np.arange(6) % 2,
                  X_test=rng.normal(size=(2, 3)).astype(np.float32), y_test=np.array([0, 1]))
    np.savez(tmp_path / "pre.npz", **arrays)
    data = ds.load_npz(tmp_path / "pre.npz")
    assert data.name == "pre"
    for key in ds_npz._NPZ_SPLIT:
        np.testing.assert_array_equal(getattr(data, key), arrays[key])
    assert data.X_test.dtype == np.float64


def test_npz_X_y_layout_is_split_and_images_flattened(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.integers(0, 255, size=(40, 4, 4)).astype(np.uint8)
    y = np.repeat(["a", "b"], [30, 10])
    np.savez_compressed(tmp_path / "xy.npz", X=X, y=y.reshape(-1, 1))
    data = ds.load_npz(tmp_path / "xy.npz", test_size=0.2, seed=5)
    assert data.X_train.shape == (32, 16) and data.X_test.shape == (8, 16)
    assert data.X_train.dtype == np.float64 and data.y_train.shape == (32,)
    assert list(np.unique(data.y_test, return_counts=True)[1]) == [6, 2]
    flat = {tuple(r) for r in X.reshape(40, -1).astype(float)}
    assert {tuple(r) for r in np.vstack([data.X_train, data.X_test])} == flat
    assert_same(data, ds.load_npz(tmp_path / "xy.npz", test_size=0.2, seed=5))


def test_npz_malformed(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.npz"):
        ds.load_npz(tmp_path / "missing.npz")
    write(tmp_path / "text.npz", "not an archive")
    with pytest.raises(ValueError, match="text.npz is not a valid .npz file"):
        ds.load_npz(tmp_path / "text.npz")
    (tmp_path / "trunc.npz").write_bytes(b"PK\x03\x04 garbage")
    with pytest.raises(ValueError, match="trunc.npz is not a valid .npz file"):
        ds.load_npz(tmp_path / "trunc.npz")
    np.save(tmp_path / "single.npy", np.zeros(3))
    (tmp_path / "single.npy").rename(tmp_path / "single.npz")
    with pytest.raises(ValueError, match="single.npz holds a single .npy array"):
        ds.load_npz(tmp_path / "single.npz")
    np.savez(tmp_path / "lacks.npz", X=np.zeros((4, 2)), X_train=np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"lacks.npz must hold either .* it holds \['X', 'X_train'\]"):
        ds.load_npz(tmp_path / "lacks.npz")
    np.savez(tmp_path / "lengths.npz", X=np.zeros((4, 2)), y=np.zeros(5))
    with pytest.raises(ValueError, match="lengths.npz: X has 4 samples but y has 5 labels"):
        ds.load_npz(tmp_path / "lengths.npz")
    np.savez(tmp_path / "feat.npz", X_train=np.zeros((4, 2)), y_train=np.zeros(4),
             X_test=np.zeros((2, 3)), y_test=np.zeros(2))
    with pytest.raises(ValueError, match="feat.npz: X_train has 2 features .* X_test has 3"):
        ds.load_npz(tmp_path / "feat.npz")
    np.savez(tmp_path / "obj.npz", X=np.array([[1, None]], dtype=object), y=np.zeros(1))
    with pytest.raises(ValueError, match="obj.npz: array 'X.npy' holds Python objects"):
        ds.load_npz(tmp_path / "obj.npz")
    np.savez(tmp_path / "flat.npz", X=np.zeros(4), y=np.zeros(4))
    with pytest.raises(ValueError, match=r"flat.npz: X must have one row per sample .* shape \(4,\)"):
        ds.load_npz(tmp_path / "flat.npz")
    np.savez(tmp_path / "nan.npz", X=np.full((4, 2), np.nan), y=np.zeros(4))
    with pytest.raises(ValueError, match="nan.npz: X contains NaN"):
        ds.load_npz(tmp_path / "nan.npz")
    np.savez(tmp_path / "str.npz", X=np.full((4, 2), "a"), y=np.zeros(4))
    with pytest.raises(ValueError, match="str.npz: X must hold real numbers"):
        ds.load_npz(tmp_path / "str.npz")
    np.savez(tmp_path / "empty.npz")
    with pytest.raises(ValueError, match="it holds no arrays"):
        ds.load_npz(tmp_path / "empty.npz")


# --------------------------------------------------------------------- IDX

IDX_CODES = {np.uint8: 0x08, np.int8: 0x09, np.int16: 0x0B, np.int32: 0x0C,
             np.float32: 0x0D, np.float64: 0x0E}


def idx_bytes(array):
    """The IDX encoding of ``array``, written independently of the reader."""
    array = np.asarray(array)
    header = bytes([0, 0, IDX_CODES[array.dtype.type], array.ndim])
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write_idx(path, array, compress=False):
    data = idx_bytes(array)
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


@pytest.mark.parametrize("compress", [False, True])
def test_idx_round_trip_images_and_labels(tmp_path, compress):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(7, 5, 3), dtype=np.uint8)
    labels = rng.integers(0, 10, size=300, dtype=np.uint8)  # 300 > 255: dims are 32-bit big-endian
    back = ds.read_idx(write_idx(tmp_path / "img", images, compress))
    assert back.dtype == np.uint8 and back.shape == (7, 5, 3)
    np.testing.assert_array_equal(back, images)
    np.testing.assert_array_equal(ds.read_idx(write_idx(tmp_path / "lab", labels, compress)), labels)


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.float32, np.float64])
def test_idx_other_dtypes_are_big_endian_and_returned_native(tmp_path, dtype):
    array = (np.arange(24).reshape(2, 3, 4) - 11.5 if np.dtype(dtype).kind == "f"
             else np.arange(24).reshape(2, 3, 4) * 5 - 60).astype(dtype)
    for compress in (False, True):
        back = ds.read_idx(write_idx(tmp_path / f"a{compress}", array, compress))
        assert back.dtype == np.dtype(dtype) and back.dtype.isnative
        assert back.flags.writeable
        np.testing.assert_array_equal(back, array)


@pytest.mark.parametrize("data, match", [
    (b"", "too short for an IDX file: 0 bytes"),
    (b"\x00\x00\x08", "too short"),
    (b"\x00\x01\x08\x01" + b"\x00" * 8, "not an IDX file: its magic number starts with 0x0001"),
    (b"PK\x03\x04", "not an IDX file"),
    (b"\x00\x00\x0a\x01\x00\x00\x00\x01\x00", "unknown IDX data type code 0x0A"),
    (b"\x00\x00\x08\x00", "declares 0 dimensions"),
    (b"\x00\x00\x08\x03\x00\x00\x00\x02\x00\x00", "truncated: its header declares 3 dimensions"),
    (idx_bytes(np.zeros((2, 3), np.uint8))[:-1],
     r"truncated: shape \(2, 3\) of uint8 needs 6 bytes .* found 5"),
    (idx_bytes(np.zeros(3, np.int32))[:-2], "truncated: .* needs 12 bytes"),
    (idx_bytes(np.zeros(3, np.uint8)) + b"\x00", "has 1 bytes after the 3 bytes of data"),
])
def test_idx_malformed(tmp_path, data, match):
    path = tmp_path / "bad-idx"
    path.write_bytes(data)
    with pytest.raises(ValueError, match=match) as info:
        ds.read_idx(path)
    assert str(path) in str(info.value)
    # the same fault inside a valid gzip stream is reported the same way
    path.write_bytes(gzip.compress(data))
    with pytest.raises(ValueError, match=match):
        ds.read_idx(path)


def test_idx_gzip_bomb_is_never_held_in_memory(tmp_path):
    """A header declaring 3 bytes followed by 64 MiB of zeros compresses to
    about 64 KiB; reading it must fail without inflating it into memory."""
    import tracemalloc

    path = tmp_path / "bomb.gz"
    with gzip.open(path, "wb") as f:
        f.write(idx_bytes(np.zeros(3, np.uint8)))
        zeros = bytes(2**20)
        for _ in range(64):
            f.write(zeros)
    assert path.stat().st_size < 2**20
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=f"has {64 * 2**20} bytes after the 3 bytes"):
            ds.read_idx(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 2**20, peak


def test_idx_damaged_gzip_and_missing_file(tmp_path):
    packed = gzip.compress(idx_bytes(np.arange(100, dtype=np.uint8)))
    path = tmp_path / "t.gz"
    path.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(ValueError, match="t.gz is a damaged or truncated gzip file"):
        ds.read_idx(path)
    path.write_bytes(packed[:-8] + b"\x00" * 8)  # wrong CRC
    with pytest.raises(ValueError, match="damaged or truncated gzip"):
        ds.read_idx(path)
    with pytest.raises(FileNotFoundError):
        ds.read_idx(tmp_path / "absent")


# ------------------------------------------------------------------- MNIST

def tiny_mnist(directory, compress=(True, False, True, False), seed=0, n=(6, 4), side=3):
    """Write the four MNIST files, tiny (images side x side); return the arrays."""
    rng = np.random.default_rng(seed)
    directory.mkdir(parents=True, exist_ok=True)
    arrays = [rng.integers(0, 256, size=(n[0], side, side), dtype=np.uint8),
              rng.integers(0, 10, size=n[0], dtype=np.uint8),
              rng.integers(0, 256, size=(n[1], side, side), dtype=np.uint8),
              rng.integers(0, 10, size=n[1], dtype=np.uint8)]
    for name, array, gz in zip(ds.MNIST_FILES, arrays, compress):
        write_idx(directory / (name + ".gz" * gz), array, gz)
    return arrays


def check_mnist(data, arrays, name="mnist"):
    images, labels, test_images, test_labels = arrays
    assert data.name == name
    assert data.X_train.shape == (len(images), images[0].size) and data.X_train.dtype == np.float64
    np.testing.assert_array_equal(data.X_train, images.reshape(len(images), -1) / 255)
    np.testing.assert_array_equal(data.X_test, test_images.reshape(len(test_images), -1) / 255)
    assert data.y_train.dtype == np.int64
    np.testing.assert_array_equal(data.y_train, labels)
    np.testing.assert_array_equal(data.y_test, test_labels)
    assert 0 <= data.X_train.min() and data.X_train.max() <= 1


def test_load_mnist_from_a_local_directory(tmp_path):
    arrays = tiny_mnist(tmp_path / "m")
    check_mnist(ds.load_mnist(tmp_path / "m", verify=False), arrays)
    data = ds.load_mnist(str(tmp_path / "m"), kind="fashion", verify=False)
    check_mnist(data, arrays, "fashion-mnist")
    assert data.feature_names is None


def test_load_mnist_local_directory_errors(tmp_path):
    tiny_mnist(tmp_path / "m")
    (tmp_path / "m" / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(FileNotFoundError,
                       match=r"lacks the mnist file\(s\) \['t10k-labels-idx1-ubyte'\]"):
        ds.load_mnist(tmp_path / "m", verify=False)
    with pytest.raises(FileNotFoundError, match="is not a directory"):
        ds.load_mnist(tmp_path / "nowhere")
    tiny_mnist(tmp_path / "m")
    write_idx(tmp_path / "m" / "train-labels-idx1-ubyte", np.zeros(5, np.uint8))
    with pytest.raises(ValueError, match="has 6 images but .*train-labels-idx1-ubyte has 5 labels"):
        ds.load_mnist(tmp_path / "m", verify=False)
    write_idx(tmp_path / "m" / "train-images-idx3-ubyte.gz", np.zeros((6, 9), np.uint8), True)
    with pytest.raises(ValueError, match=r"should hold ubyte images of shape \(n, rows, cols\)"):
        ds.load_mnist(tmp_path / "m", verify=False)
    tiny_mnist(tmp_path / "m")
    write_idx(tmp_path / "m" / "t10k-images-idx3-ubyte.gz", np.zeros((4, 2, 2), np.uint8), True)
    with pytest.raises(ValueError, match="pixels but"):
        ds.load_mnist(tmp_path / "m", verify=False)
    with pytest.raises(ValueError, match="kind must be one of"):
        ds.load_mnist(tmp_path / "m", kind="kmnist")
    with pytest.raises(TypeError, match="download must be True or False"):
        ds.load_mnist(tmp_path / "m", download="yes")
    with pytest.raises(TypeError, match="verify must be True or False"):
        ds.load_mnist(tmp_path / "m", verify="no")


def md5_of(path):
    return hashlib.md5(path.read_bytes()).hexdigest()


def no_network(monkeypatch):
    def refuse(url, *args, **kwargs):
        raise AssertionError(f"tried to download {url}")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)


@pytest.mark.parametrize("kind, name", [("mnist", "mnist"), ("fashion", "fashion-mnist")])
def test_mnist_files_in_a_directory_are_checked_against_the_known_sums(tmp_path, monkeypatch,
                                                                        kind, name):
    no_network(monkeypatch)
    arrays = tiny_mnist(tmp_path / "m", compress=(True,) * 4)
    first = tmp_path / "m" / (ds.MNIST_FILES[0] + ".gz")
    with pytest.raises(ValueError) as info:
        ds.load_mnist(tmp_path / "m", kind=kind)
    message = str(info.value)
    assert f"{first} has MD5 {md5_of(first)}" in message
    assert f"published {name} file {first.name} has {ds.MD5[kind][first.name]}" in message
    assert ds.MIRRORS[kind][0] + first.name in message and "verify=False" in message
    assert "\n" not in message
    # the opt-out for files one made oneself
    check_mnist(ds.load_mnist(tmp_path / "m", kind=kind, verify=False), arrays, name)
    # files that are the published ones (here: the table holds the fake files' sums)
    sums = {f.name: md5_of(f) for f in (tmp_path / "m").iterdir()}
    monkeypatch.setitem(ds_mnist.MD5, kind, sums)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # checked files: no warning
        check_mnist(ds.load_mnist(tmp_path / "m", kind=kind), arrays, name)
    # one file changed by a single byte is refused, by name
    label = tmp_path / "m" / (ds.MNIST_FILES[3] + ".gz")
    label.write_bytes(label.read_bytes()[:-1] + bytes([label.read_bytes()[-1] ^ 1]))
    with pytest.raises(ValueError, match=f"{ds.MNIST_FILES[3]}.gz has MD5 {md5_of(label)}"):
        ds.load_mnist(tmp_path / "m", kind=kind)


def test_uncompressed_mnist_files_are_read_with_a_warning_and_gz_preferred(tmp_path, monkeypatch):
    no_network(monkeypatch)
    arrays = tiny_mnist(tmp_path / "m", compress=(True, False, True, False))
    sums = {name + ".gz": "0" * 32 for name in ds.MNIST_FILES}
    for f in (tmp_path / "m").glob("*.gz"):
        sums[f.name] = md5_of(f)
    monkeypatch.setitem(ds_mnist.MD5, "mnist", sums)
    with pytest.warns(UserWarning, match="read unchecked from .*: train-labels-idx1-ubyte, "
                                         "t10k-labels-idx1-ubyte .* verify=False"):
        check_mnist(ds.load_mnist(tmp_path / "m"), arrays)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_mnist(ds.load_mnist(tmp_path / "m", verify=False), arrays)
    # both forms of the training images: the checked .gz is read, not the plain file
    write_idx(tmp_path / "m" / ds.MNIST_FILES[0], np.zeros((6, 3, 3), np.uint8))
    with pytest.warns(UserWarning, match="labels"):
        check_mnist(ds.load_mnist(tmp_path / "m"), arrays)
    # without checks the plain file is read, as before
    assert ds.load_mnist(tmp_path / "m", verify=False).X_train.max() == 0


def test_mnist_files_in_the_cache_are_checked(tmp_path, monkeypatch):
    no_network(monkeypatch)
    monkeypatch.setenv("BARENET_DATA", str(tmp_path / "data"))
    arrays = tiny_mnist(tmp_path / "data" / "mnist", compress=(True,) * 4)
    for download in (True, False):
        with pytest.raises(ValueError, match="has MD5 .* delete it and it is downloaded again"
                                             r".*verify=False") as info:
            ds.load_mnist(download=download)
        assert str(tmp_path / "data" / "mnist" / ds.MNIST_FILES[0]) in str(info.value)
    check_mnist(ds.load_mnist(verify=False), arrays)
    check_mnist(ds.load("mnist", verify=False), arrays)
    monkeypatch.setitem(ds_mnist.MD5, "mnist", {f.name: md5_of(f) for f in
                                                (tmp_path / "data" / "mnist").iterdir()})
    check_mnist(ds.load_mnist(), arrays)
    # an explicit cache_dir is checked the same way
    monkeypatch.setitem(ds_mnist.MD5, "fashion", ds.MD5["mnist"])
    (tmp_path / "data" / "mnist").rename(tmp_path / "data" / "fashion")
    check_mnist(ds.load_mnist(kind="fashion", cache_dir=tmp_path / "data"), arrays, "fashion-mnist")
    monkeypatch.setitem(ds_mnist.MD5["fashion"], ds.MNIST_FILES[2] + ".gz", "f" * 32)
    with pytest.raises(ValueError, match=f"{ds.MNIST_FILES[2]}.gz has {'f' * 32}"):
        ds.load_mnist(kind="fashion", cache_dir=tmp_path / "data")


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    """A file:// mirror of tiny gzip'd MNIST files, with their checksums, and a
    count of the URLs opened."""
    arrays = tiny_mnist(tmp_path / "mirror", compress=(True,) * 4)
    sums = {name + ".gz": hashlib.md5((tmp_path / "mirror" / (name + ".gz")).read_bytes()).hexdigest()
            for name in ds.MNIST_FILES}
    monkeypatch.setitem(ds_mnist.MIRRORS, "mnist", ((tmp_path / "mirror").as_uri() + "/",))
    monkeypatch.setitem(ds_mnist.MD5, "mnist", sums)
    opened = []
    real_urlopen = urllib.request.urlopen

    def counting_urlopen(url, *args, **kwargs):
        opened.append(url)
        return real_urlopen(url, *args, **kwargs)

    monkeypatch.setattr(urllib.request, "urlopen", counting_urlopen)
    monkeypatch.delenv("BARENET_DATA", raising=False)
    return arrays, opened


def test_download_once_into_the_cache(tmp_path, mirror):
    arrays, opened = mirror
    cache = tmp_path / "cache"
    check_mnist(ds.load_mnist(cache_dir=cache), arrays)
    assert len(opened) == 4
    assert sorted(p.name for p in (cache / "mnist").iterdir()) == sorted(
        name + ".gz" for name in ds.MNIST_FILES)
    check_mnist(ds.load_mnist(cache_dir=cache), arrays)
    check_mnist(ds.load_mnist(cache_dir=cache, download=False), arrays)
    assert len(opened) == 4  # not downloaded again


def test_download_only_the_missing_files_into_BARENET_DATA(tmp_path, mirror, monkeypatch):
    arrays, opened = mirror
    monkeypatch.setenv("BARENET_DATA", str(tmp_path / "data"))
    (tmp_path / "data" / "mnist").mkdir(parents=True)
    name = ds.MNIST_FILES[1] + ".gz"
    (tmp_path / "data" / "mnist" / name).write_bytes((tmp_path / "mirror" / name).read_bytes())
    check_mnist(ds.load_mnist(), arrays)
    assert len(opened) == 3 and not any(u.endswith(name) for u in opened)


def test_default_cache_is_under_home(tmp_path, monkeypatch):
    monkeypatch.delenv("BARENET_DATA", raising=False)
    monkeypatch.setattr(Path, "home", lambda: tmp_path)
    with pytest.raises(FileNotFoundError, match="lacks .* download=True") as info:
        ds.load_mnist(kind="fashion", download=False)
    assert str(tmp_path / ".cache" / "barenet" / "fashion") in str(info.value)


def test_download_with_a_wrong_checksum_raises_and_leaves_nothing(tmp_path, mirror, monkeypatch):
    name = ds.MNIST_FILES[0] + ".gz"
    monkeypatch.setitem(ds_mnist.MD5["mnist"], name, "0" * 32)
    cache = tmp_path / "cache"
    with pytest.raises(ValueError, match=f"downloaded {name} failed its checksum and was deleted"):
        ds.load_mnist(cache_dir=cache)
    assert list((cache / "mnist").iterdir()) == []


def test_download_falls_back_to_the_next_mirror(tmp_path, mirror, monkeypatch):
    arrays, opened = mirror
    good = ds_mnist.MIRRORS["mnist"][0]
    monkeypatch.setitem(ds_mnist.MIRRORS, "mnist", ((tmp_path / "void").as_uri() + "/", good))
    check_mnist(ds.load_mnist(cache_dir=tmp_path / "cache"), arrays)
    assert len(opened) == 8


def test_download_offline_says_to_download_by_hand(tmp_path, mirror, monkeypatch):
    monkeypatch.setitem(ds_mnist.MIRRORS, "mnist", ((tmp_path / "void").as_uri() + "/",))
    cache = tmp_path / "cache"
    with pytest.raises(ConnectionError, match="could not download") as info:
        ds.load_mnist(cache_dir=cache)
    message = str(info.value)
    assert "manually" in message and str(cache / "mnist") in message
    assert "(path= in Python, --data-dir on the command line)" in message
    assert list((cache / "mnist").iterdir()) == []


def test_mirror_and_checksum_tables_are_complete():
    assert set(ds.MIRRORS) == set(ds.MD5) == {"mnist", "fashion"}
    for kind in ds.MD5:
        assert set(ds.MD5[kind]) == {name + ".gz" for name in ds.MNIST_FILES}
        assert all(len(s) == 32 and int(s, 16) >= 0 for s in ds.MD5[kind].values())
        assert ds.MIRRORS[kind] and all(m.endswith("/") for m in ds.MIRRORS[kind])


# ------------------------------------------------------------ scikit-learn

@needs_sklearn
@pytest.mark.parametrize("name, n, d, k", [("digits", 1797, 64, 10), ("breast_cancer", 569, 30, 2),
                                          ("iris", 150, 4, 3), ("wine", 178, 13, 3)])
def test_sklearn_sets(name, n, d, k):
    data = ds.load_sklearn(name, test_size=0.2, seed=1)
    assert data.name == name
    assert len(data.X_train) + len(data.X_test) == n and data.X_train.shape[1] == d
    assert len(data.X_test) == round(0.2 * n)
    assert data.X_train.dtype == np.float64 and data.y_train.dtype == np.int64
    assert set(np.unique(data.y_test)) == set(range(k))
    assert_same(data, ds.load_sklearn(name, test_size=0.2, seed=1))
    assert isinstance(data.feature_names, tuple) and len(data.feature_names) == d
    assert all(isinstance(n, str) and n for n in data.feature_names)
    if name == "iris":
        assert data.feature_names[0] == "sepal length (cm)"


def test_sklearn_missing_says_pip_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match="pip install scikit-learn"):
        ds.load_sklearn("iris")


def test_sklearn_unknown_name():
    with pytest.raises(ValueError, match="name must be one of"):
        ds.load_sklearn("boston")


# --------------------------------------------------------------- load

@pytest.mark.parametrize("name", GENERATORS)
def test_load_generated_names(name):
    assert_same(ds.load(name, seed=2, test_size=0.3), GENERATORS[name][0](seed=2, test_size=0.3))
    assert_same(ds.load(name, noise=0.0) if name != "blobs" else ds.load(name, spread=0.5),
                GENERATORS[name][0](**({"noise": 0.0} if name != "blobs" else {"spread": 0.5})))


@pytest.mark.parametrize("spec, kind", [("mnist", "mnist"), ("fashion-mnist", "fashion")])
def test_load_mnist_names(tmp_path, spec, kind):
    arrays = tiny_mnist(tmp_path / "m")
    check_mnist(ds.load(spec, path=tmp_path / "m", verify=False), arrays,
                ds_mnist._MNIST_NAMES[kind])
    with pytest.raises(ValueError, match="has MD5"):  # path= and verify= reach load_mnist
        ds.load(spec, path=tmp_path / "m")


def test_load_mnist_name_uses_the_cache(tmp_path, mirror):
    arrays, opened = mirror
    check_mnist(ds.load("mnist", cache_dir=tmp_path / "c"), arrays)
    assert len(opened) == 4


@needs_sklearn
@pytest.mark.parametrize("name", ds.SKLEARN)
def test_load_sklearn_names(name):
    assert_same(ds.load(name, seed=4), ds.load_sklearn(name, seed=4))


def test_load_files(tmp_path):
    csv_path = write(tmp_path / "f.csv", IRIS_LIKE)
    assert_same(ds.load(str(csv_path), seed=1), ds.load_csv(csv_path, seed=1))
    assert_same(ds.load(csv_path, seed=1, label_column="species"), ds.load_csv(csv_path, seed=1))
    upper = write(tmp_path / "G.CSV", IRIS_LIKE)
    assert ds.load(upper).name == "G"
    np.savez(tmp_path / "a.npz", X=np.arange(20.0).reshape(10, 2), y=np.arange(10) % 2)
    assert_same(ds.load(tmp_path / "a.npz", test_size=0.4),
                ds.load_npz(tmp_path / "a.npz", test_size=0.4))
    with pytest.raises(FileNotFoundError, match="missing.csv"):
        ds.load(str(tmp_path / "missing.csv"))
    with pytest.raises(FileNotFoundError, match="missing.npz"):
        ds.load(tmp_path / "missing.npz")


def test_load_unknown_spec_lists_the_names(tmp_path):
    with pytest.raises(ValueError) as info:
        ds.load("mooons")
    message = str(info.value)
    for name in ds.NAMES:
        assert name in message
    assert ".csv" in message and ".npz" in message
    assert set(ds.NAMES) == {"moons", "circles", "flower", "spirals", "blobs", "mnist",
                             "fashion-mnist", "digits", "breast_cancer", "iris", "wine"}
    write(tmp_path / "data.txt", "1,2,0\n")
    with pytest.raises(ValueError, match="unknown data set"):
        ds.load(str(tmp_path / "data.txt"))
    with pytest.raises(TypeError, match="spec must be a data set name or a file path"):
        ds.load(3)
    with pytest.raises(TypeError, match="unexpected keyword"):
        ds.load("moons", petals=4)
    with pytest.raises(ValueError, match="test_size"):
        ds.load("moons", test_size=0)
