"""Data sets from NumPy ``.npz`` files ([`load_npz`][barenet.datasets.npz.load_npz]).

An archive that holds one set of samples (``X``, ``y``) is split with a
seeded, stratified shuffle; one that already holds a training and a test part
is used as it is. A fault is reported with the file's name.
"""

import zipfile
import zlib

import numpy as np

from ..io.files import read_npz
from . import Dataset
from ._common import _check_file, _split, _split_arguments

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
        Seeds the split of an archive of ``X`` and ``y``.

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
    test_size, rng = _split_arguments(test_size, seed)
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
