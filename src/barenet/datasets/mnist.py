"""MNIST and Fashion-MNIST (their IDX files are read by
[`barenet.datasets.idx`][barenet.datasets.idx]).

- [`load_mnist`][barenet.datasets.mnist.load_mnist] reads the four files of
  [`MNIST_FILES`][barenet.datasets.mnist.MNIST_FILES] from a directory, or from a cache that it
  fills once by downloading from [`MIRRORS`][barenet.datasets.mnist.MIRRORS], keeping a file only if
  its MD5 sum is the one in [`MD5`][barenet.datasets.mnist.MD5].

The checksum rule: [`MD5`][barenet.datasets.mnist.MD5] holds the sums of the published files, by
file name -- today only the ``.gz`` files, the only form with published sums. A
file read whose name is in the table, from the cache or from a directory
given as ``path``, must have that sum, or [`load_mnist`][barenet.datasets.mnist.load_mnist] refuses
it with a ValueError that names the file and both sums. A file whose name is not in the
table (an uncompressed file) cannot be checked: it is read with a
`UserWarning` saying so, and where both forms of a file are present
the checked ``.gz`` is the one read. ``verify=False`` reads files made by
oneself, unchecked and without warning. Downloads are always checked.
"""

import hashlib
import http.client
import os
import tempfile
import urllib.request
import warnings
from pathlib import Path

import numpy as np

from .._checks import check_bool
from . import Dataset
from ._common import _check_path
from .idx import read_idx


# ------------------------------------------------------------------- MNIST

MNIST_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
"""The four files of MNIST and Fashion-MNIST (each may also end in ``.gz``)."""

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
"""Where [`load_mnist`][barenet.datasets.mnist.load_mnist] downloads ``<file>.gz`` from, tried in
order."""

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
"""MD5 sums of the published files, by file name (only the ``.gz`` files have
published sums); a download, and a file read with ``verify=True``, must match them."""

_MNIST_NAMES = {"mnist": "mnist", "fashion": "fashion-mnist"}


def _mnist_cache_dir(cache_dir, kind):
    """``<cache_dir>/<kind>``; the root defaults to $BARENET_DATA, else ~/.cache/barenet."""
    if cache_dir is None:
        root = os.environ.get("BARENET_DATA") or Path.home() / ".cache" / "barenet"
        return Path(root).expanduser() / kind
    return _check_path("cache_dir", cache_dir) / kind


def _find_mnist_files(directory, sums):
    """Paths of the four files found in ``directory``, and the names of those
    missing. Of a file present in both forms, the one named in ``sums`` (the
    form that can be checked) is taken, else the plain one."""
    found, missing = [], []
    for name in MNIST_FILES:
        forms = sorted((directory / name, directory / f"{name}.gz"),
                       key=lambda candidate: candidate.name not in sums)
        for candidate in forms:
            if candidate.is_file():
                found.append(candidate)
                break
        else:
            missing.append(name)
    return found, missing


def _md5(path):
    """The MD5 sum of the file ``path``, in hexadecimal."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _verify_mnist(files, kind, in_cache):
    """Check each of ``files`` whose name [`MD5`][barenet.datasets.mnist.MD5] knows against its sum
    (a ValueError saying what to do on a mismatch); warn that the others are
    read unchecked."""
    sums = MD5[kind]
    unchecked = []
    for path in files:
        if path.name not in sums:
            unchecked.append(path.name)
            continue
        found = _md5(path)
        if found != sums[path.name]:
            if in_cache:
                remedy = "delete it and it is downloaded again"
            else:
                remedy = f"replace it with the published file ({MIRRORS[kind][0]}{path.name})"
            raise ValueError(
                f"{path} has MD5 {found}, but the published {_MNIST_NAMES[kind]} file "
                f"{path.name} has {sums[path.name]}: it is damaged or not the published "
                f"file; {remedy}, or pass verify=False (in Python) if you made it yourself"
            )
    if unchecked:
        warnings.warn(
            f"read unchecked from {files[0].parent}: {', '.join(unchecked)} (no MD5 sum "
            "is published for uncompressed files; keep the .gz files to have them "
            "checked, or pass verify=False to read your own files without this warning)",
            UserWarning, stacklevel=3,
        )


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
                "sets where that is), or put the four files in a directory and pass it "
                "(path= in Python, --data-dir on the command line)"
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


def _check_mnist_arguments(kind, download, verify):
    """Check [`load_mnist`][barenet.datasets.mnist.load_mnist]'s ``kind``, ``download`` and
    ``verify``, in this order."""
    if not isinstance(kind, str) or kind not in MIRRORS:
        raise ValueError(f"kind must be one of {sorted(MIRRORS)}, got {kind!r}")
    check_bool("download", download)
    check_bool("verify", verify)


def _mnist_files_in(path, kind, sums):
    """The four files of ``kind`` in the directory ``path`` (see
    `_find_mnist_files`); a FileNotFoundError when any is missing."""
    directory = _check_path("path", path)
    if not directory.is_dir():
        raise FileNotFoundError(f"path {str(directory)!r} is not a directory")
    files, missing = _find_mnist_files(directory, sums)
    if missing:
        raise FileNotFoundError(
            f"{directory} lacks the {kind} file(s) {missing} (each may also end in .gz)"
        )
    return files


def _mnist_files_in_cache(cache_dir, kind, sums, download):
    """The four files of ``kind`` in the cache (`_mnist_cache_dir`),
    the missing ones downloaded there first when ``download`` is true, else
    a FileNotFoundError saying where to put them."""
    directory = _mnist_cache_dir(cache_dir, kind)
    files, missing = _find_mnist_files(directory, sums)
    if missing:
        if not download:
            raise FileNotFoundError(
                f"{directory} lacks the {kind} file(s) {missing}; pass download=True to "
                "fetch them, put them there by hand (each may also end in .gz), or put "
                "the four files in a directory and pass it (path= in Python, --data-dir "
                "on the command line)"
            )
        _download_mnist(kind, missing, directory)
        files, missing = _find_mnist_files(directory, sums)
    return files


def load_mnist(path=None, kind="mnist", cache_dir=None, download=True, verify=True):
    """Load MNIST or Fashion-MNIST with their official train/test split.

    The four IDX files ([`MNIST_FILES`][barenet.datasets.mnist.MNIST_FILES], each plain or ending in
    ``.gz``) are read from ``path`` when given, else from the cache directory
    ``<cache_dir>/<kind>``. Missing files are downloaded there once, from
    [`MIRRORS`][barenet.datasets.mnist.MIRRORS], and kept only if their MD5 matches
    [`MD5`][barenet.datasets.mnist.MD5].

    With ``verify=True`` every file read whose name [`MD5`][barenet.datasets.mnist.MD5] holds (the
    ``.gz`` files) must have that sum -- in the cache as in ``path`` -- and an
    uncompressed file, which has no published sum, is read with a
    `UserWarning` that it is unchecked; of a file present in both
    forms, the ``.gz`` is read.

    Parameters
    ----------
    path : str or os.PathLike, optional
        A directory holding the four files (obtained elsewhere); nothing is
        downloaded into it. The command line's ``--data-dir``.
    kind : {'mnist', 'fashion'}, default 'mnist'
    cache_dir : str or os.PathLike, optional
        Root of the download cache; defaults to ``$BARENET_DATA`` if set, else
        ``~/.cache/barenet``. The files go into its ``<kind>`` subdirectory.
    download : bool, default True
        Whether to download missing files into the cache.
    verify : bool, default True
        Whether to check the files read against [`MD5`][barenet.datasets.mnist.MD5]. False reads
        files one made oneself (e.g. a subset in IDX format), unchecked. Downloads
        are checked either way.

    Returns
    -------
    Dataset
        X float64 in [0, 1] of shape ``(n, rows * cols)`` -- ``(60000, 784)``
        and ``(10000, 784)`` for the real files -- y int64 in 0..9, name
        ``'mnist'`` or ``'fashion-mnist'``, no ``feature_names``.

    Raises
    ------
    FileNotFoundError
        If files are missing from ``path``, or from the cache with ``download=False``.
    ConnectionError
        If a download fails on every mirror (offline): the message says where
        to put the files by hand.
    ValueError
        If a file read fails its checksum (naming the file, the expected and
        the found sum, and what to do), a downloaded file fails it (it is
        deleted), or a file is not valid IDX of the expected shapes.
    """
    _check_mnist_arguments(kind, download, verify)
    sums = MD5[kind] if verify else {}
    if path is not None:
        files = _mnist_files_in(path, kind, sums)
    else:
        files = _mnist_files_in_cache(cache_dir, kind, sums, download)
    if verify:
        _verify_mnist(files, kind, in_cache=path is None)
    return _read_mnist(files, kind)
