"""What the loaders share: argument checks and the stratified split.

Every loader that splits data itself checks its ``test_size`` and ``seed``
with `_split_arguments` and calls `_split`, a seeded shuffle,
stratified: each class keeps its share of the samples in both parts.
"""

import math
import os
from pathlib import Path

import numpy as np

from .._checks import as_generator, check_int, check_real
from . import Dataset


# ------------------------------------------------------------------- checks

def _check_test_size(test_size):
    test_size = check_real("test_size", test_size)
    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be a fraction in (0, 1), got {test_size!r}")
    return test_size


def _split_arguments(test_size, seed):
    """``(test_size, rng)``: the arguments of every loader that splits, checked
    in this order -- ``test_size`` a fraction in (0, 1), ``seed`` made a
    Generator (a Generator given is used as it is)."""
    return _check_test_size(test_size), as_generator(seed)


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

def _split(X, y, test_size, rng, name, what=None, feature_names=None):
    """Shuffle ``X, y`` with ``rng`` and split it, stratified by ``y``, into a
    Dataset named ``name`` with ``feature_names``.

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
    return Dataset(X[train], y[train], X[test], y[test], name, feature_names)
