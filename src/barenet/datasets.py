"""Data sets: small generated problems, files on disk, MNIST and scikit-learn's sets.

Everything here returns a :class:`Dataset` in the samples x features layout:
``X_train`` of shape ``(n_train, n_features)`` and ``y_train`` of shape
``(n_train,)``, the same for the test part, and a short ``name``.

- generated, seeded, no download: :func:`make_moons`, :func:`make_circles`,
  :func:`make_flower` (the course's "planar flower"), :func:`make_spirals`,
  :func:`make_blobs` -- X float64, y int64 labels ``0 .. k-1``, classes as
  balanced as ``n_samples`` allows;
- files: :func:`load_csv`, :func:`load_npz`, and :func:`read_idx` for the IDX
  format of MNIST (plain or gzip-compressed);
- :func:`load_mnist` (MNIST and Fashion-MNIST, downloaded once into a cache and
  checked against known MD5 sums) and :func:`load_sklearn` (digits,
  breast_cancer, iris, wine; needs scikit-learn);
- :func:`load` -- one entry point taking a name from :data:`NAMES` or a path
  ending in ``.csv`` or ``.npz``.

Whenever a loader splits data itself, the split is a seeded shuffle,
stratified: each class keeps its share of the samples in both parts.
"""

import csv
import gzip
import hashlib
import http.client
import math
import numbers
import os
import tempfile
import urllib.request
import zipfile
import zlib
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ._checks import as_generator, check_int, check_real
from ._files import read_npz


class Dataset(NamedTuple):
    """A data set split into a training and a test part.

    Attributes
    ----------
    X_train : ndarray, shape (n_train, n_features)
    y_train : ndarray, shape (n_train,)
    X_test : ndarray, shape (n_test, n_features)
    y_test : ndarray, shape (n_test,)
    name : str
        A short name: the generator's (``'moons'``), the file's stem, ``'mnist'``...
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    name: str


# ------------------------------------------------------------------- checks

def _check_test_size(test_size):
    test_size = check_real("test_size", test_size)
    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be a fraction in (0, 1), got {test_size!r}")
    return test_size


def _check_nonnegative(name, value):
    value = check_real(name, value)
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return value


def _check_n_samples(n_samples, n_classes):
    n_samples = check_int("n_samples", n_samples)
    if n_samples < 2 * n_classes:
        raise ValueError(
            f"n_samples must be at least 2 per class ({2 * n_classes} for {n_classes} "
            f"classes), got {n_samples}"
        )
    return n_samples


def _check_path(name, path):
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path (str or os.PathLike), got {path!r}")
    return Path(path).expanduser()


def _check_file(path):
    """Return ``path`` as a Path to an existing regular file."""
    path = _check_path("path", path)
    if not path.exists():
        raise FileNotFoundError(f"path {str(path)!r} does not exist")
    if path.is_dir():
        raise ValueError(f"path {str(path)!r} is a directory, not a file")
    return path


# -------------------------------------------------------------- the split

def _split(X, y, test_size, rng, name, what=None):
    """Shuffle ``X, y`` with ``rng`` and split it, stratified by ``y``.

    ``test_size * n`` samples, rounded half up (at least 1, at most ``n - 1``), go to the
    test part, shared out over the classes in proportion to their sizes
    (largest remainders first, ties broken at random), so that every class
    keeps its share in both parts. ``y`` may also be 2-D: its rows are then
    the classes.
    """
    n = len(y)
    if n < 2:
        raise ValueError(
            f"{what or name} has {n} sample(s); at least 2 are needed to split it "
            "into a training and a test part"
        )
    n_test = min(max(math.floor(test_size * n + 0.5), 1), n - 1)
    _, inverse, counts = np.unique(y, axis=0 if y.ndim > 1 else None,
                                   return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    quota = counts * n_test // n
    remainder = counts * n_test - quota * n
    short = n_test - int(quota.sum())
    order = np.lexsort((rng.permutation(len(counts)), -remainder))
    quota[order[:short]] += 1

    # Group the samples by class, each class in random order; the first
    # quota[c] of class c go to the test part.
    order = rng.permutation(n)
    order = order[np.argsort(inverse[order], kind="stable")]
    rank = np.arange(n) - (np.cumsum(counts) - counts)[inverse[order]]
    is_test = np.zeros(n, dtype=bool)
    is_test[order] = rank < quota[inverse[order]]

    test = rng.permutation(np.flatnonzero(is_test))
    train = rng.permutation(np.flatnonzero(~is_test))
    return Dataset(X[train], y[train], X[test], y[test], name)


# ------------------------------------------------------------ generated sets

def _class_counts(n_samples, n_classes):
    """``n_samples`` shared over ``n_classes`` as evenly as possible."""
    counts = np.full(n_classes, n_samples // n_classes)
    counts[: n_samples % n_classes] += 1
    return counts


def _labels(counts):
    return np.repeat(np.arange(len(counts), dtype=np.int64), counts)


def make_moons(n_samples=400, noise=0.2, test_size=0.25, seed=0):
    """Two interleaving half circles, 2 classes.

    Class 0 lies on the upper half of the unit circle, class 1 on a lower half
    circle shifted to ``(1, 0.5)``; Gaussian noise of standard deviation
    ``noise`` is added to every coordinate.

    Parameters
    ----------
    n_samples : int, default 400
        Total number of samples (>= 4), split evenly over the classes.
    noise : float, default 0.2
        Standard deviation of the Gaussian noise, >= 0.
    test_size : float, default 0.25
        Fraction of the samples in the test part, in (0, 1).
    seed : int, numpy.random.Generator or None, default 0

    Returns
    -------
    Dataset
        X float64 of shape ``(n, 2)``, y int64 in {0, 1}, name ``'moons'``.
    """
    n_samples = _check_n_samples(n_samples, 2)
    noise = _check_nonnegative("noise", noise)
    test_size = _check_test_size(test_size)
    rng = as_generator(seed)
    counts = _class_counts(n_samples, 2)
    t0, t1 = (np.linspace(0, np.pi, m) for m in counts)
    X = np.vstack([np.c_[np.cos(t0), np.sin(t0)], np.c_[1 - np.cos(t1), 0.5 - np.sin(t1)]])
    X += noise * rng.standard_normal(X.shape)
    return _split(X, _labels(counts), test_size, rng, "moons")


def make_circles(n_samples=400, noise=0.1, factor=0.5, test_size=0.25, seed=0):
    """Two concentric circles, 2 classes.

    Class 0 on the unit circle, class 1 on the circle of radius ``factor``,
    evenly spaced in angle, plus Gaussian noise of standard deviation ``noise``.

    Parameters
    ----------
    n_samples : int, default 400
        Total number of samples (>= 4), split evenly over the classes.
    noise : float, default 0.1
        Standard deviation of the Gaussian noise, >= 0.
    factor : float, default 0.5
        Radius of the inner circle relative to the outer one, in (0, 1).
    test_size : float, default 0.25
        Fraction of the samples in the test part, in (0, 1).
    seed : int, numpy.random.Generator or None, default 0

    Returns
    -------
    Dataset
        X float64 of shape ``(n, 2)``, y int64 in {0, 1}, name ``'circles'``.
    """
    n_samples = _check_n_samples(n_samples, 2)
    noise = _check_nonnegative("noise", noise)
    factor = check_real("factor", factor)
    if not 0 < factor < 1:
        raise ValueError(f"factor must be in (0, 1), got {factor!r}")
    test_size = _check_test_size(test_size)
    rng = as_generator(seed)
    counts = _class_counts(n_samples, 2)
    t0, t1 = (np.linspace(0, 2 * np.pi, m, endpoint=False) for m in counts)
    X = np.vstack([np.c_[np.cos(t0), np.sin(t0)], factor * np.c_[np.cos(t1), np.sin(t1)]])
    X += noise * rng.standard_normal(X.shape)
    return _split(X, _labels(counts), test_size, rng, "circles")


def make_flower(n_samples=400, noise=0.2, petals=4, test_size=0.25, seed=0):
    """The deep-learning course's "planar flower" data set, 2 classes.

    For class ``j`` (0 or 1) with ``N`` samples, as in the course::

        t = linspace(j * 3.12, (j + 1) * 3.12, N) + noise * randn(N)
        r = a * sin(petals * t) + noise * randn(N)        # a = 4
        x = (r * sin(t), r * cos(t))

    Class 1 is (nearly: 3.12 is not quite pi) class 0 turned by half a turn,
    so the flower has ``2 * petals`` petals, alternating between the classes.

    Parameters
    ----------
    n_samples : int, default 400
        Total number of samples (>= 4), split evenly over the classes.
    noise : float, default 0.2
        Standard deviation of the Gaussian noise on the angle and the radius, >= 0.
    petals : int, default 4
        Petals per class: the ``k`` of ``r = a sin(k t)``. Must be even (>= 2):
        for an odd ``k`` both classes would trace (nearly) the same petals.
    test_size : float, default 0.25
        Fraction of the samples in the test part, in (0, 1).
    seed : int, numpy.random.Generator or None, default 0

    Returns
    -------
    Dataset
        X float64 of shape ``(n, 2)``, y int64 in {0, 1}, name ``'flower'``.
    """
    n_samples = _check_n_samples(n_samples, 2)
    noise = _check_nonnegative("noise", noise)
    petals = check_int("petals", petals, minimum=2)
    if petals % 2:
        raise ValueError(
            f"petals must be even, got {petals}: with an odd number both classes "
            "trace the same petals"
        )
    test_size = _check_test_size(test_size)
    rng = as_generator(seed)
    counts = _class_counts(n_samples, 2)
    a = 4.0
    parts = []
    for j, m in enumerate(counts):
        t = np.linspace(j * 3.12, (j + 1) * 3.12, m) + noise * rng.standard_normal(m)
        r = a * np.sin(petals * t) + noise * rng.standard_normal(m)
        parts.append(np.c_[r * np.sin(t), r * np.cos(t)])
    return _split(np.vstack(parts), _labels(counts), test_size, rng, "flower")


def make_spirals(n_samples=400, n_classes=3, noise=0.2, test_size=0.25, seed=0):
    """``n_classes`` interleaved spiral arms, one class each.

    Arm ``j`` with ``N`` samples runs from the centre outwards (as in the
    CS231n spiral data)::

        r = linspace(0, 1, N)
        t = 2 pi j / n_classes + 4 r + noise * randn(N)
        x = (r * sin(t), r * cos(t))

    Parameters
    ----------
    n_samples : int, default 400
        Total number of samples (>= 2 * n_classes), split evenly over the classes.
    n_classes : int, default 3
        Number of arms, >= 2.
    noise : float, default 0.2
        Standard deviation of the Gaussian noise on the angle (radians), >= 0.
    test_size : float, default 0.25
        Fraction of the samples in the test part, in (0, 1).
    seed : int, numpy.random.Generator or None, default 0

    Returns
    -------
    Dataset
        X float64 of shape ``(n, 2)``, y int64 in ``0 .. n_classes-1``, name ``'spirals'``.
    """
    n_classes = check_int("n_classes", n_classes, minimum=2)
    n_samples = _check_n_samples(n_samples, n_classes)
    noise = _check_nonnegative("noise", noise)
    test_size = _check_test_size(test_size)
    rng = as_generator(seed)
    counts = _class_counts(n_samples, n_classes)
    parts = []
    for j, m in enumerate(counts):
        r = np.linspace(0.0, 1.0, m)
        t = 2 * np.pi * j / n_classes + 4 * r + noise * rng.standard_normal(m)
        parts.append(np.c_[r * np.sin(t), r * np.cos(t)])
    return _split(np.vstack(parts), _labels(counts), test_size, rng, "spirals")


def make_blobs(n_samples=400, n_classes=3, n_features=2, spread=1.0, test_size=0.25, seed=0):
    """Gaussian blobs, one class each, around seeded random centres.

    The centres are drawn uniformly from ``[-10, 10)`` in every feature; each
    sample is its class centre plus Gaussian noise of standard deviation ``spread``.

    Parameters
    ----------
    n_samples : int, default 400
        Total number of samples (>= 2 * n_classes), split evenly over the classes.
    n_classes : int, default 3
        Number of blobs, >= 2.
    n_features : int, default 2
        Dimension of the samples, >= 1.
    spread : float, default 1.0
        Standard deviation of each blob, >= 0.
    test_size : float, default 0.25
        Fraction of the samples in the test part, in (0, 1).
    seed : int, numpy.random.Generator or None, default 0

    Returns
    -------
    Dataset
        X float64 of shape ``(n, n_features)``, y int64 in ``0 .. n_classes-1``,
        name ``'blobs'``.
    """
    n_classes = check_int("n_classes", n_classes, minimum=2)
    n_samples = _check_n_samples(n_samples, n_classes)
    n_features = check_int("n_features", n_features, minimum=1)
    spread = _check_nonnegative("spread", spread)
    test_size = _check_test_size(test_size)
    rng = as_generator(seed)
    counts = _class_counts(n_samples, n_classes)
    centers = rng.uniform(-10.0, 10.0, size=(n_classes, n_features))
    X = np.repeat(centers, counts, axis=0)
    X += spread * rng.standard_normal(X.shape)
    return _split(X, _labels(counts), test_size, rng, "blobs")


# --------------------------------------------------------------------- CSV

def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _read_rows(path, delimiter):
    """Non-blank rows of a CSV file as ``(line_number, cells)`` pairs.

    Cells keep their surrounding spaces (``float`` ignores them); they are
    stripped where they are used as names or labels.
    """
    rows = []
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f, delimiter=delimiter, skipinitialspace=True)
            try:
                for row in reader:
                    if row and not (len(row) == 1 and not row[0].strip()):
                        rows.append((reader.line_num, row))
            except csv.Error as err:
                raise ValueError(f"{path}, line {reader.line_num}: {err}") from None
    except UnicodeDecodeError as err:
        raise ValueError(f"{path} is not a UTF-8 text file: {err}") from None
    return rows


def _label_index(label_column, header_row, n_cols, path):
    """Index of the label column, from an index (negative ok) or a header name."""
    if isinstance(label_column, str):
        names = header_row
        if label_column not in names:
            raise ValueError(
                f"label_column {label_column!r} is not a column of {path}; "
                f"its header names {names}"
            )
        if names.count(label_column) > 1:
            raise ValueError(f"label_column {label_column!r} names several columns of {path}")
        return names.index(label_column)
    index = label_column + n_cols if label_column < 0 else label_column
    if not 0 <= index < n_cols:
        raise ValueError(
            f"label_column={label_column} is out of range: {path} has {n_cols} columns "
            f"(valid indices {-n_cols} .. {n_cols - 1})"
        )
    return index


def _looks_like_header(rows, label):
    """True if the first row is a header: a feature cell is not a number, or
    the label cell is not while the next row's label is."""
    first = rows[0][1]
    if any(not _is_number(cell) for i, cell in enumerate(first) if i != label):
        return True
    return (not _is_number(first[label]) and len(rows) > 1
            and _is_number(rows[1][1][label]))


def _parse_features(rows, label, names, path):
    """Float64 matrix of every column but ``label``; a cell that is empty or
    not a finite number is reported by line and column (1-based)."""
    try:
        X = np.array([row[:label] + row[label + 1:] for _, row in rows], dtype=np.float64)
        if np.isfinite(X).all():
            return X
    except ValueError:
        pass
    # Slow path: find the first bad cell.
    X = np.empty((len(rows), len(rows[0][1]) - 1))
    columns = [i for i in range(len(rows[0][1])) if i != label]
    for r, (line, row) in enumerate(rows):
        for c, i in enumerate(columns):
            cell = row[i].strip()
            where = f"{path}, line {line}, column {i + 1}" + (f" ({names[i]!r})" if names else "")
            if not cell:
                raise ValueError(f"{where}: the cell is empty (missing value)")
            try:
                X[r, c] = float(cell)
            except ValueError:
                raise ValueError(f"{where}: {cell!r} is not a number") from None
            if not math.isfinite(X[r, c]):
                raise ValueError(f"{where}: {cell!r} is not a finite number")
    return X


def _parse_labels(rows, label, path):
    """Labels as int64 (all integral numbers), float64 (all numbers) or str."""
    raw = []
    for line, row in rows:
        cell = row[label].strip()
        if not cell:
            raise ValueError(f"{path}, line {line}, column {label + 1}: the label is empty")
        raw.append(cell)
    try:
        values = np.array([float(cell) for cell in raw])
    except ValueError:
        return np.array(raw)
    if not np.isfinite(values).all():
        return np.array(raw)
    # whole numbers become int64 labels, when int64 holds them exactly
    if (values == np.round(values)).all() and (np.abs(values) < 2.0**53).all():
        return values.astype(np.int64)
    return values


def load_csv(path, label_column=-1, header="infer", delimiter=",", test_size=0.25, seed=0):
    """Load a CSV file of numeric features and one label column, and split it.

    Parameters
    ----------
    path : str or os.PathLike
        The file (UTF-8; blank lines are skipped).
    label_column : int or str, default -1
        The label column: an index (negative counts from the end) or a name
        from the header row.
    header : {'infer', True, False}, default 'infer'
        Whether the first row names the columns. ``'infer'`` takes it for a
        header when one of its feature cells is not a number (or its label cell
        is not, while the next row's is); a ``label_column`` name implies a header.
    delimiter : str, default ','
        One character.
    test_size : float, default 0.25
        Fraction of the samples in the test part, in (0, 1).
    seed : int, numpy.random.Generator or None, default 0
        Seeds the stratified shuffle split.

    Returns
    -------
    Dataset
        X float64 of shape ``(n, n_columns - 1)``; y int64 when every label is
        an integral number, float64 when every label is a number, else the
        label strings as they are. The name is the file's stem.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        For an empty file, ragged rows, a feature cell that is empty or not a
        finite number, an empty label, or a label column out of range or
        unknown -- naming the file, and the line and column (1-based).
    """
    path = _check_file(path)
    if isinstance(label_column, bool) or not isinstance(label_column, (numbers.Integral, str)):
        raise TypeError(f"label_column must be a column index or name, got {label_column!r}")
    if isinstance(header, (bool, np.bool_)):
        header = bool(header)
    elif not (isinstance(header, str) and header == "infer"):
        raise ValueError(f"header must be 'infer', True or False, got {header!r}")
    if not isinstance(delimiter, str):
        raise TypeError(f"delimiter must be a one-character string, got {delimiter!r}")
    if len(delimiter) != 1:
        raise ValueError(f"delimiter must be a one-character string, got {delimiter!r}")
    if isinstance(label_column, str) and header is False:
        raise ValueError(
            f"label_column {label_column!r} is a column name, but header=False; "
            "a name needs a header row (or give the column's index)"
        )
    test_size = _check_test_size(test_size)
    rng = as_generator(seed)

    rows = _read_rows(path, delimiter)
    if not rows:
        raise ValueError(f"{path} is empty: it has no rows")
    first_line, first = rows[0]
    n_cols = len(first)
    for line, row in rows[1:]:
        if len(row) != n_cols:
            raise ValueError(
                f"{path}, line {line}: {len(row)} columns, but line {first_line} has {n_cols}"
            )
    if n_cols < 2:
        raise ValueError(
            f"{path} has {n_cols} column; it needs at least one feature column and a label column"
        )

    if isinstance(label_column, str):
        has_header = True
        label = _label_index(label_column, [cell.strip() for cell in first], n_cols, path)
    else:
        label = _label_index(int(label_column), None, n_cols, path)
        has_header = _looks_like_header(rows, label) if header == "infer" else header
    names = [cell.strip() for cell in first] if has_header else None
    data = rows[1:] if has_header else rows
    if not data:
        raise ValueError(f"{path} has a header row but no data rows")

    X = _parse_features(data, label, names, path)
    y = _parse_labels(data, label, path)
    return _split(X, y, test_size, rng, path.stem, what=str(path))


# --------------------------------------------------------------------- NPZ

_NPZ_SPLIT = ("X_train", "y_train", "X_test", "y_test")


def _npz_array(archive, key, path):
    try:
        return archive[key]
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error) as err:
        raise ValueError(f"{path}: array {key!r} cannot be read: {err}") from None


def _npz_features(X, key, path):
    if X.ndim < 2:
        raise ValueError(
            f"{path}: {key} must have one row per sample (2-D, or more to be flattened), "
            f"got shape {X.shape}"
        )
    if X.dtype.kind not in "biuf":
        raise ValueError(f"{path}: {key} must hold real numbers, got dtype {X.dtype}")
    if len(X) == 0:
        raise ValueError(f"{path}: {key} holds no samples (shape {X.shape})")
    X = X.reshape(len(X), -1).astype(np.float64)
    if not np.isfinite(X).all():
        raise ValueError(f"{path}: {key} contains NaN or infinity")
    return X


def _npz_labels(y, key, path):
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.reshape(-1)
    if y.ndim not in (1, 2):
        raise ValueError(
            f"{path}: {key} must be 1-D (or 2-D, one row per sample), got shape {y.shape}"
        )
    if y.dtype.kind not in "biufUS":
        raise ValueError(f"{path}: {key} must hold numbers or strings, got dtype {y.dtype}")
    return y


def _npz_pair(archive, x_key, y_key, path):
    X = _npz_features(_npz_array(archive, x_key, path), x_key, path)
    y = _npz_labels(_npz_array(archive, y_key, path), y_key, path)
    if len(X) != len(y):
        raise ValueError(
            f"{path}: {x_key} has {len(X)} samples but {y_key} has {len(y)} labels"
        )
    return X, y


def load_npz(path, test_size=0.25, seed=0):
    """Load a NumPy ``.npz`` archive.

    The archive holds either ``X_train, y_train, X_test, y_test`` (used as
    they are; ``test_size`` and ``seed`` are then not used) or ``X`` and ``y``
    (split with a seeded, stratified shuffle). ``X`` arrays with more than two
    dimensions (images) are flattened to one row per sample. The file is read
    with ``allow_pickle=False``: object arrays are refused.

    Parameters
    ----------
    path : str or os.PathLike
    test_size : float, default 0.25
        Fraction of the samples in the test part, in (0, 1).
    seed : int, numpy.random.Generator or None, default 0

    Returns
    -------
    Dataset
        X float64 of shape ``(n, n_features)``, y as stored (a ``(n, 1)`` column
        becomes 1-D); the name is the file's stem.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is not a valid ``.npz``, lacks the arrays, or holds arrays
        of mismatched lengths or feature counts -- naming the file.
    """
    path = _check_file(path)
    test_size = _check_test_size(test_size)
    rng = as_generator(seed)
    if not zipfile.is_zipfile(path):
        with open(path, "rb") as f:
            if f.read(6) == b"\x93NUMPY":
                raise ValueError(
                    f"{path} holds a single .npy array, not an .npz archive of named arrays"
                )
        raise ValueError(f"{path} is not a valid .npz file (not a zip archive of .npy arrays)")
    archive = read_npz(path)
    names = set(archive)
    if set(_NPZ_SPLIT) <= names:
        X_train, y_train = _npz_pair(archive, "X_train", "y_train", path)
        X_test, y_test = _npz_pair(archive, "X_test", "y_test", path)
        if X_train.shape[1] != X_test.shape[1]:
            raise ValueError(
                f"{path}: X_train has {X_train.shape[1]} features per sample but "
                f"X_test has {X_test.shape[1]}"
            )
        return Dataset(X_train, y_train, X_test, y_test, path.stem)
    if {"X", "y"} <= names:
        X, y = _npz_pair(archive, "X", "y", path)
        return _split(X, y, test_size, rng, path.stem, what=str(path))
    raise ValueError(
        f"{path} must hold either arrays X_train, y_train, X_test and y_test, or X and y; "
        f"it holds {sorted(names) if names else 'no arrays'}"
    )


# --------------------------------------------------------------------- IDX

#: IDX data type codes (third byte of the magic number) and their big-endian dtypes.
IDX_TYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def _parse_idx(data, path):
    if len(data) < 4:
        raise ValueError(
            f"{path} is too short for an IDX file: {len(data)} bytes, but the magic "
            "number alone takes 4"
        )
    if data[0] or data[1]:
        raise ValueError(
            f"{path} is not an IDX file: its magic number starts with "
            f"0x{data[0]:02X}{data[1]:02X}, not 0x0000"
        )
    code, ndim = data[2], data[3]
    if code not in IDX_TYPES:
        known = ", ".join(f"0x{c:02X}" for c in IDX_TYPES)
        raise ValueError(f"{path}: unknown IDX data type code 0x{code:02X} (known: {known})")
    if ndim == 0:
        raise ValueError(f"{path}: the IDX header declares 0 dimensions")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(
            f"{path} is truncated: its header declares {ndim} dimensions, which take "
            f"{header} bytes, but the file has {len(data)}"
        )
    shape = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    dtype = IDX_TYPES[code]
    count = math.prod(shape)
    expected, found = count * dtype.itemsize, len(data) - header
    if found < expected:
        raise ValueError(
            f"{path} is truncated: shape {shape} of {dtype.name} needs {expected} bytes "
            f"of data after the header, found {found}"
        )
    if found > expected:
        raise ValueError(
            f"{path} has {found - expected} bytes after the {expected} bytes of data "
            f"that its header (shape {shape} of {dtype.name}) declares"
        )
    array = np.frombuffer(data, dtype=dtype, count=count, offset=header).reshape(shape)
    return array.astype(dtype.newbyteorder("="))


def read_idx(path):
    """Read an IDX file (the format of MNIST), plain or gzip-compressed.

    The magic number is two zero bytes, a data type code (``0x08`` ubyte,
    ``0x09`` byte, ``0x0B`` short, ``0x0C`` int, ``0x0D`` float, ``0x0E``
    double) and the number of dimensions; the dimensions follow as big-endian
    32-bit integers, then the data, big-endian, in C order. A file starting
    with the gzip magic bytes ``1f 8b`` is decompressed first.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    ndarray
        Of the declared shape and type, in native byte order (writable).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is truncated or malformed, naming the file and the fault.
    """
    path = _check_file(path)
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as err:
            raise ValueError(f"{path} is a damaged or truncated gzip file: {err}") from None
    return _parse_idx(data, path)


# ------------------------------------------------------------------- MNIST

#: The four files of MNIST and Fashion-MNIST (each may also end in ``.gz``).
MNIST_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)

#: Where :func:`load_mnist` downloads ``<file>.gz`` from, tried in order.
MIRRORS = {
    "mnist": (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ),
    "fashion": (
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    ),
}

#: MD5 sums of the published ``.gz`` files; a download must match them.
MD5 = {
    "mnist": {
        "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
        "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
        "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
    },
    "fashion": {
        "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
        "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
        "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
    },
}

_MNIST_NAMES = {"mnist": "mnist", "fashion": "fashion-mnist"}


def _mnist_cache_dir(cache_dir, kind):
    """``<cache_dir>/<kind>``; the root defaults to $BARENET_DATA, else ~/.cache/barenet."""
    if cache_dir is None:
        root = os.environ.get("BARENET_DATA") or Path.home() / ".cache" / "barenet"
        return Path(root).expanduser() / kind
    return _check_path("cache_dir", cache_dir) / kind


def _find_mnist_files(directory):
    """Paths of the four files found in ``directory`` (plain preferred, else
    ``.gz``), and the names of those missing."""
    found, missing = [], []
    for name in MNIST_FILES:
        for candidate in (directory / name, directory / f"{name}.gz"):
            if candidate.is_file():
                found.append(candidate)
                break
        else:
            missing.append(name)
    return found, missing


class _ChecksumMismatch(Exception):
    pass


def _download_verified(url, target, md5):
    """Download ``url`` to ``target`` through a temporary file, renamed only
    when its MD5 is ``md5``; nothing is left behind on failure."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        digest = hashlib.md5(usedforsecurity=False)
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=60) as response:
            while chunk := response.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != md5:
            raise _ChecksumMismatch(
                f"{url} has MD5 {digest.hexdigest()}, expected {md5}"
            )
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _download_mnist(kind, names, directory):
    """Fetch ``<name>.gz`` for each of ``names`` into ``directory``, trying
    each mirror of ``kind`` in turn."""
    directory.mkdir(parents=True, exist_ok=True)
    mirrors, sums = MIRRORS[kind], MD5[kind]
    for name in names:
        filename = f"{name}.gz"
        failures, mismatches = [], []
        for mirror in mirrors:
            url = mirror.rstrip("/") + "/" + filename
            try:
                _download_verified(url, directory / filename, sums[filename])
                break
            except _ChecksumMismatch as err:
                mismatches.append(str(err))
            except (OSError, http.client.HTTPException) as err:  # URLError is an OSError
                failures.append(f"{url}: {err}")
        else:
            if mismatches:
                raise ValueError(
                    f"downloaded {filename} failed its checksum and was deleted: "
                    + "; ".join(mismatches)
                )
            base = mirrors[0].rstrip("/") + "/" if mirrors else ""
            urls = ", ".join(f"{base}{n}.gz" for n in MNIST_FILES)
            raise ConnectionError(
                f"could not download {filename} ({'; '.join(failures)}). Download the "
                f"files manually ({urls}) into {directory} (the BARENET_DATA variable "
                "sets where that is), or pass path= a directory that holds them"
            )


def _read_mnist(files, kind):
    images_train, labels_train, images_test, labels_test = (read_idx(f) for f in files)
    parts = []
    for images, labels, image_file, label_file in (
        (images_train, labels_train, files[0], files[1]),
        (images_test, labels_test, files[2], files[3]),
    ):
        if images.ndim != 3 or images.dtype != np.uint8:
            raise ValueError(
                f"{image_file} should hold ubyte images of shape (n, rows, cols), got "
                f"{images.dtype} of shape {images.shape}"
            )
        if labels.ndim != 1 or labels.dtype.kind not in "iu":
            raise ValueError(
                f"{label_file} should hold integer labels of shape (n,), got "
                f"{labels.dtype} of shape {labels.shape}"
            )
        if len(images) != len(labels):
            raise ValueError(
                f"{image_file} has {len(images)} images but {label_file} has {len(labels)} labels"
            )
        parts += [images.reshape(len(images), -1) / 255.0, labels.astype(np.int64)]
    if images_train.shape[1:] != images_test.shape[1:]:
        raise ValueError(
            f"{files[0]} holds images of {images_train.shape[1:]} pixels but "
            f"{files[2]} of {images_test.shape[1:]}"
        )
    return Dataset(*parts, _MNIST_NAMES[kind])


def load_mnist(path=None, kind="mnist", cache_dir=None, download=True):
    """Load MNIST or Fashion-MNIST with their official train/test split.

    The four IDX files (:data:`MNIST_FILES`, each plain or ending in ``.gz``)
    are read from ``path`` when given, else from the cache directory
    ``<cache_dir>/<kind>``. Missing files are downloaded there once, from
    :data:`MIRRORS`, and kept only if their MD5 matches :data:`MD5`.

    Parameters
    ----------
    path : str or os.PathLike, optional
        A directory holding the four files; nothing is downloaded into it.
    kind : {'mnist', 'fashion'}, default 'mnist'
    cache_dir : str or os.PathLike, optional
        Root of the download cache; defaults to ``$BARENET_DATA`` if set, else
        ``~/.cache/barenet``. The files go into its ``<kind>`` subdirectory.
    download : bool, default True
        Whether to download missing files into the cache.

    Returns
    -------
    Dataset
        X float64 in [0, 1] of shape ``(n, rows * cols)`` -- ``(60000, 784)``
        and ``(10000, 784)`` for the real files -- y int64 in 0..9, name
        ``'mnist'`` or ``'fashion-mnist'``.

    Raises
    ------
    FileNotFoundError
        If files are missing from ``path``, or from the cache with ``download=False``.
    ConnectionError
        If a download fails on every mirror (offline): the message says where
        to put the files by hand.
    ValueError
        If a downloaded file fails its checksum (it is deleted), or a file is
        not valid IDX of the expected shapes.
    """
    if not isinstance(kind, str) or kind not in MIRRORS:
        raise ValueError(f"kind must be one of {sorted(MIRRORS)}, got {kind!r}")
    if not isinstance(download, (bool, np.bool_)):
        raise TypeError(f"download must be True or False, got {download!r}")
    if path is not None:
        directory = _check_path("path", path)
        if not directory.is_dir():
            raise FileNotFoundError(f"path {str(directory)!r} is not a directory")
        files, missing = _find_mnist_files(directory)
        if missing:
            raise FileNotFoundError(
                f"{directory} lacks the {kind} file(s) {missing} (each may also end in .gz)"
            )
        return _read_mnist(files, kind)

    directory = _mnist_cache_dir(cache_dir, kind)
    files, missing = _find_mnist_files(directory)
    if missing:
        if not download:
            raise FileNotFoundError(
                f"{directory} lacks the {kind} file(s) {missing}; pass download=True to "
                "fetch them, or put them there by hand (each may also end in .gz)"
            )
        _download_mnist(kind, missing, directory)
        files, missing = _find_mnist_files(directory)
    return _read_mnist(files, kind)


# ------------------------------------------------------------ scikit-learn

#: scikit-learn's bundled data sets that :func:`load_sklearn` knows.
SKLEARN = ("digits", "breast_cancer", "iris", "wine")


def load_sklearn(name, test_size=0.25, seed=0):
    """Load one of scikit-learn's bundled data sets and split it.

    Parameters
    ----------
    name : {'digits', 'breast_cancer', 'iris', 'wine'}
        Loaded with ``sklearn.datasets.load_<name>()`` (no download).
    test_size : float, default 0.25
        Fraction of the samples in the test part, in (0, 1).
    seed : int, numpy.random.Generator or None, default 0

    Returns
    -------
    Dataset
        X float64 of shape ``(n, n_features)``, y int64, name ``name``.

    Raises
    ------
    ImportError
        If scikit-learn is not installed.
    """
    if not isinstance(name, str) or name not in SKLEARN:
        raise ValueError(f"name must be one of {list(SKLEARN)}, got {name!r}")
    test_size = _check_test_size(test_size)
    rng = as_generator(seed)
    try:
        from sklearn import datasets as sklearn_datasets
    except ImportError as err:
        raise ImportError(
            f"the {name!r} data set comes from scikit-learn, which is not installed; "
            "install it with `pip install scikit-learn`"
        ) from err
    bunch = getattr(sklearn_datasets, f"load_{name}")()
    X = np.asarray(bunch.data, dtype=np.float64)
    y = np.asarray(bunch.target, dtype=np.int64)
    return _split(X, y, test_size, rng, name)


# --------------------------------------------------------------- dispatcher

#: The generated data sets, by name.
GENERATED = {
    "moons": make_moons,
    "circles": make_circles,
    "flower": make_flower,
    "spirals": make_spirals,
    "blobs": make_blobs,
}

#: The MNIST data sets, by name, and the ``kind`` each is for :func:`load_mnist`.
MNIST = {"mnist": "mnist", "fashion-mnist": "fashion"}

#: Every name :func:`load` accepts (besides paths ending in a :data:`FILE_LOADERS` suffix).
NAMES = (*GENERATED, *MNIST, *SKLEARN)

#: File suffixes :func:`load` accepts, and their loaders.
FILE_LOADERS = {".csv": load_csv, ".npz": load_npz}


def load(spec, seed=0, test_size=0.25, **kwargs):
    """Load a data set by name or path: what the command line's ``--data`` takes.

    Parameters
    ----------
    spec : str or os.PathLike
        A generated set (``'moons'``, ``'circles'``, ``'flower'``,
        ``'spirals'``, ``'blobs'``), ``'mnist'``, ``'fashion-mnist'``, a
        scikit-learn set (``'digits'``, ``'breast_cancer'``, ``'iris'``,
        ``'wine'``) or the path of a ``.csv`` or ``.npz`` file. Names win over
        files of the same name.
    seed : int, numpy.random.Generator or None, default 0
        Seeds generation and the split (MNIST keeps its official split and
        uses neither ``seed`` nor ``test_size``).
    test_size : float, default 0.25
        Fraction of the samples in the test part, in (0, 1).
    **kwargs
        Passed on to the generator or loader (e.g. ``noise=0.1``,
        ``label_column='species'``, ``cache_dir=...``).

    Returns
    -------
    Dataset

    Raises
    ------
    ValueError
        For an unknown ``spec``, listing the valid names.
    FileNotFoundError
        For a ``.csv`` or ``.npz`` path that does not exist.
    """
    if isinstance(spec, os.PathLike):
        spec = os.fspath(spec)
    if not isinstance(spec, str):
        raise TypeError(f"spec must be a data set name or a file path, got {spec!r}")
    if spec in GENERATED:
        return GENERATED[spec](test_size=test_size, seed=seed, **kwargs)
    if spec in MNIST:
        _check_test_size(test_size)
        return load_mnist(kind=MNIST[spec], **kwargs)
    if spec in SKLEARN:
        return load_sklearn(spec, test_size=test_size, seed=seed, **kwargs)
    suffix = Path(spec).suffix.lower()
    if suffix in FILE_LOADERS:
        return FILE_LOADERS[suffix](spec, test_size=test_size, seed=seed, **kwargs)
    raise ValueError(
        f"unknown data set {spec!r}: valid names are {', '.join(NAMES)}; a path to a file "
        f"ending in {' or '.join(FILE_LOADERS)} is also accepted"
    )
