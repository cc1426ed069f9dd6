"""Data sets: small generated problems, files on disk, MNIST and scikit-learn's sets.

Everything here returns a [`Dataset`][barenet.datasets.Dataset] in the samples x features layout:
``X_train`` of shape ``(n_train, n_features)`` and ``y_train`` of shape
``(n_train,)``, the same for the test part, and a short ``name``.

- generated, seeded, no download: [`make_moons`][barenet.datasets.generated.make_moons],
  [`make_circles`][barenet.datasets.generated.make_circles],
  [`make_flower`][barenet.datasets.generated.make_flower] (the course's "planar flower"),
  [`make_spirals`][barenet.datasets.generated.make_spirals],
  [`make_blobs`][barenet.datasets.generated.make_blobs] -- X float64, y int64 labels ``0 .. k-1``,
  classes as balanced as ``n_samples`` allows;
- files: [`load_csv`][barenet.datasets.files.load_csv], [`load_npz`][barenet.datasets.npz.load_npz],
  and [`read_idx`][barenet.datasets.idx.read_idx] for the IDX format of MNIST (plain or
  gzip-compressed); [`read_csv`][barenet.datasets.files.read_csv] reads a whole CSV table without
  splitting it (a [`Table`][barenet.datasets.files.Table]: features, labels, column names and the
  raw rows), for predicting on a file;
- [`load_mnist`][barenet.datasets.mnist.load_mnist] (MNIST and Fashion-MNIST, from a directory of
  IDX files or downloaded once into a cache; files with a known MD5 sum are checked
  against it) and [`load_sklearn`][barenet.datasets.sklearn_sets.load_sklearn] (digits,
  breast_cancer, iris, wine; needs scikit-learn);
- [`load`][barenet.datasets.load] -- one entry point taking a name from
  [`NAMES`][barenet.datasets.NAMES] or a path ending in ``.csv`` or ``.npz``.

Whenever a loader splits data itself, the split is a seeded shuffle,
stratified: each class keeps its share of the samples in both parts.

The code lives in one submodule per idea --
[`barenet.datasets.generated`][barenet.datasets.generated],
[`barenet.datasets.files`][barenet.datasets.files] (CSV),
[`barenet.datasets.npz`][barenet.datasets.npz], [`barenet.datasets.idx`][barenet.datasets.idx],
[`barenet.datasets.mnist`][barenet.datasets.mnist] and
[`barenet.datasets.sklearn_sets`][barenet.datasets.sklearn_sets] -- and every public name is
imported here, so ``barenet.datasets.make_moons`` and the rest are what to use.
"""

import os
from pathlib import Path
from typing import NamedTuple

import numpy as np


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
    feature_names : tuple of str or None, default None
        One name per column of ``X``, where the source names its columns: the
        header of a CSV file, scikit-learn's ``feature_names``. None for the
        generated sets, MNIST and ``.npz`` files, whose columns have no names.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    name: str
    feature_names: tuple | None = None


# The submodules import Dataset from here, so they are imported after it.
from ._common import _check_test_size
from .files import Table, load_csv, read_csv
from .npz import load_npz
from .generated import make_blobs, make_circles, make_flower, make_moons, make_spirals
from .idx import IDX_TYPES, read_idx
from .mnist import MD5, MIRRORS, MNIST_FILES, load_mnist
from .sklearn_sets import SKLEARN, load_sklearn


# --------------------------------------------------------------- dispatcher

GENERATED = {
    "moons": make_moons,
    "circles": make_circles,
    "flower": make_flower,
    "spirals": make_spirals,
    "blobs": make_blobs,
}
"""The generated data sets, by name."""

MNIST = {"mnist": "mnist", "fashion-mnist": "fashion"}
"""The MNIST data sets, by name, and the ``kind`` each is for
[`load_mnist`][barenet.datasets.mnist.load_mnist]."""

NAMES = (*GENERATED, *MNIST, *SKLEARN)
"""Every name [`load`][barenet.datasets.load] accepts (besides paths ending in a
[`FILE_LOADERS`][barenet.datasets.FILE_LOADERS] suffix)."""

FILE_LOADERS = {".csv": load_csv, ".npz": load_npz}
"""File suffixes [`load`][barenet.datasets.load] accepts, and their loaders."""


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
        ``label_column='species'``; for MNIST ``path=`` a directory of the
        four IDX files, ``cache_dir=...``, ``verify=False``).

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
